#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-safety.sh DIR: in the tracked DIR/*.rs (not generated bindings), every `unsafe {` block and `unsafe impl` in DIR/*.rs is
# preceded by a `// SAFETY:` comment (in the comment lines right above it, or
# earlier on the same statement), as the kernel's Rust rules require.
status=0
for f in $(cd "$1" && git ls-files "*.rs" | sed "s|^|$1/|"); do
	awk -v f="$f" '
	/\/\/ SAFETY:/ { safety = NR }
	/^[[:space:]]*\/\// { next }
	/unsafe[[:space:]]*\{|unsafe impl/ {
		if (!safety || NR - safety > 6) { printf "%s:%d: unsafe without SAFETY comment\n", f, NR; bad = 1 }
	}
	/;[[:space:]]*$|^[[:space:]]*}[[:space:]]*$/ { if (NR > safety) safety = 0 }
	END { exit bad }' "$f" || status=1
done
exit $status
