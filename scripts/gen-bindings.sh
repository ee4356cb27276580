#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gen-bindings.sh KDIR HEADER OUTPUT [ALLOWLIST OPTION...]
#
# Generate Rust bindings for HEADER with the bindgen command line, options and
# C flags that the kernel in KDIR used for its own rust/bindings (recorded by
# Kbuild in rust/bindings/.bindings_generated.rs.cmd), restricted to the items
# the livepatch API uses (or to the given bindgen allowlist options). Struct
# layouts thus come from the configured kernel.
set -euo pipefail
kdir=$1 header=$(realpath "$2") out=$(realpath -m "$3")
shift 3
cmdfile=$kdir/rust/bindings/.bindings_generated.rs.cmd
[ -f "$cmdfile" ] || { echo "gen-bindings: $cmdfile missing: is $kdir a CONFIG_RUST build?" >&2; exit 1; }

# savedcmd_rust/bindings/bindings_generated.rs := BINDGEN HEADER OPTS -o OUT -- CFLAGS ; extra
cmd=$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile")
cmd=${cmd%%;*}
read -r -a argv <<<"$cmd"
bindgen=${argv[0]}
opts=() cflags=() seen_dashdash=0 i=2
while [ $i -lt ${#argv[@]} ]; do
	a=${argv[$i]}
	if [ $seen_dashdash = 0 ]; then
		case "$a" in
		--) seen_dashdash=1 ;;
		-o) i=$((i + 1)) ;;
		*) opts+=("$a") ;;
		esac
	else
		case "$a" in
		-Wp,-MMD,*) ;;
		*) cflags+=("$a") ;;
		esac
	fi
	i=$((i + 1))
done
# The shell `read` keeps the quotes of '.*' that make(1) passed through sh.
opts=("${opts[@]//\'/}")

allow=(
	--allowlist-type 'klp_.*' --allowlist-function 'klp_.*'
	--allowlist-var 'KLP_.*'
	--allowlist-type 'kernel_param(_ops)?' --allowlist-var 'param_ops_.*'
	--allowlist-var 'param_array_ops' --allowlist-type 'kparam_array'
	--allowlist-function 'kernel_param_(un)?lock'
	--allowlist-type 'module_state'
	--allowlist-function 'seq_write' --allowlist-function 'seq_printf'
	--allowlist-function 'kobject_(create_and_add|del|put)' --allowlist-var 'kernel_kobj'
	--allowlist-function 'sysfs_(create|remove)_file_ns' --allowlist-type 'kobj_attribute'
	--allowlist-var 'console_printk' --allowlist-var 'CONSOLE_LOGLEVEL_.*'
	--allowlist-type 'pt_regs' --allowlist-var 'CONFIG_NR_CPUS'
	# Kernel internals the API only points at or embeds: keep their size and
	# alignment, not their fields.
	--opaque-type 'kobject' --opaque-type 'list_head' --opaque-type 'work_struct'
	--opaque-type 'completion' --opaque-type 'seq_file' --opaque-type 'ftrace_ops'
	--opaque-type 'mutex' --opaque-type 'spinlock' --opaque-type 'kset' --opaque-type 'kobj_type'
	--opaque-type 'attribute_group' --opaque-type 'bin_attribute'
)
[ $# = 0 ] || allow=("$@")
# EXTRA_CFLAGS: more compiler flags, e.g. the -D flags a target module's Kbuild adds.
read -r -a extra <<<"${EXTRA_CFLAGS:-}"
cflags+=("${extra[@]}")
cd "$kdir"
"$bindgen" "$header" "${opts[@]}" "${allow[@]}" -o "$out.tmp" -- "${cflags[@]}"
mv "$out.tmp" "$out"
