#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-unsafe-count.sh: the `unsafe` blocks and impls in samples and test
# modules are claims their authors make about C code (see README.md, "unsafe
# in samples and test modules"). Every one has a SAFETY comment
# (check-safety.sh), and the README's table lists each file with its count:
# a new `unsafe` shows up in review.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
bash scripts/check-safety.sh samples || status=1
bash scripts/check-safety.sh tools || status=1
declare -A counted
while IFS= read -r f; do
	# unsafe blocks and impls, unchecked replacements (`unsafe old => new`, old
	# possibly a mangled Rust name) and
	# klp_extern! declarations (`unsafe fn`), unsafe attributes (`#[unsafe(no_mangle)]`).
	# A symbolic link (nofentry/) is counted as the file it names.
	[ -L "$f" ] && continue
	n=$(grep -cE 'unsafe[[:space:]]*\{|unsafe impl|unsafe fn|unsafe [A-Za-z_0-9]+( @ [0-9]+)? =>|#\[unsafe\(' "$f")
	[ "$n" = 0 ] && continue
	counted[$f]=$n
	grep -qF "| \`$f\` | $n |" README.md ||
		{ echo "$f: $n unsafe, not listed with that count in README.md"; status=1; }
done < <(git ls-files --cached --others --exclude-standard 'samples/*.rs' 'tools/*.rs' | grep -v /compile_fail/)
# Rows for files that no longer hold any.
while IFS= read -r f; do
	[ -n "${counted[$f]:-}" ] || { echo "README.md lists $f, which holds no unsafe"; status=1; }
done < <(sed -n 's/^| `\(\(samples\|tools\)\/[^`]*\.rs\)` | [0-9]* |.*/\1/p' README.md)
exit $status
