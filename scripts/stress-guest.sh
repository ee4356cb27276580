#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make stress` (scripts/stress.sh): stress-guest.sh RUNDIR
# STEPS SEED, as root in the VM. RUNDIR/modules holds the .ko files (Rust
# livepatches and test modules, the C targets), RUNDIR/call_getpid the
# selftests' getpid loop.
#
# While a load calls the patched functions from every CPU (a /proc/cmdline and
# /proc/meminfo reader and a getpid loop pinned to each CPU, a reader of our
# sysfs files and module parameters; the target modules' own work runs by
# itself), STEPS random operations, chosen with bash's RANDOM seeded with SEED,
# from those whose preconditions hold in a model of what is loaded and enabled:
# insmod of a livepatch (with random, sometimes invalid, parameters; atomic
# replace; disabled at once, which reverses the transition when it is still
# running), disable through sysfs, rmmod, insmod/rmmod of the target modules,
# parameter writes through /sys/module (valid ones read back, invalid ones
# refused with the kernel's error and the old value kept), writes to the
# patches' sysfs files that must be refused, and the shadow variable test
# modules. Shadow variables are allocated and freed from patched functions by
# livepatch-shadow-fix1/-fix2 on livepatch-shadow-mod's work.
#
# After every step: no kernel report in the log (BUG, WARNING, KASAN, UBSAN,
# lockdep, ODEBUG, list corruption, ...), the transition ends within
# SETTLE_TIMEOUT seconds, the patches in /sys/kernel/livepatch and our modules
# in /proc/modules are those of the model, and /proc/cmdline, /proc/meminfo and
# console_loglevel show what the enabled patches make them show. At the end:
# load stopped, everything disabled and unloaded, then no kmemleak suspect (but
# the int "leak" that livepatch-shadow-mod's unpatched dummy_alloc() loses
# by design), /sys/kernel/livepatch empty, none of our modules loaded, and Slab
# in /proc/meminfo within SLAB_BOUND_KB of its value before the first step.
# The last line is "stress: N steps, seed S: ok", or a failure; the exit status
# is 0 only for ok.
set -u
export LC_ALL=C
RUN=$1 STEPS=$2 SEED=$3
MODS=$RUN/modules
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-120}
# Slab (kB) after the run may exceed its value before the first step by this
# much (both measured after dropping caches and shrinking every slab cache,
# which also empties KASAN's quarantine); see the README, "make stress".
SLAB_BOUND_KB=${SLAB_BOUND_KB:-2048}
PROGRESS_EVERY=${PROGRESS_EVERY:-25}
LP_DIR=/sys/kernel/livepatch

# The modules: Rust livepatches, target modules (Rust and C), self-testing modules.
LIVEPATCHES="livepatch_sample test_klp_livepatch test_klp_atomic_replace test_klp_syscall
	test_klp_callbacks_demo test_klp_callbacks_demo2 test_klp_rust_callbacks test_klp_rust_partial
	test_klp_state test_klp_state2 test_klp_state3 livepatch_callbacks_demo
	livepatch_shadow_fix1 livepatch_shadow_fix2 test_klp_rust_bad_symbol"
TARGETS="test_klp_callbacks_mod test_klp_callbacks_busy livepatch_callbacks_mod
	livepatch_callbacks_busymod livepatch_shadow_mod"
SELFTESTS="test_klp_shadow_vars test_klp_rust_shadow"
ALL=$(echo $LIVEPATCHES $TARGETS $SELFTESTS)
read -r -a ALL_ARR <<<"$ALL"
declare -A IS_LP=() IS_TARGET=()
for m in $LIVEPATCHES; do IS_LP[$m]=1; done
for m in $TARGETS; do IS_TARGET[$m]=1; done
# State versions of the cumulative state patches (always replace=1).
declare -A STATE_VER=([test_klp_state]=1 [test_klp_state2]=2 [test_klp_state3]=2)
# Parameters writable through sysfs: name:type (int, bool; ro: a 0444 one).
declare -A WPARAMS=(
	[test_klp_callbacks_demo]="pre_patch_ret:int"
	[livepatch_callbacks_demo]="pre_patch_ret:int"
	[test_klp_atomic_replace]="replace:int"
	[test_klp_callbacks_demo2]="replace:int"
	[test_klp_rust_callbacks]="vmlinux_pre_patch_ret:int mod_pre_patch_ret:int flag:bool values:ro"
	[test_klp_callbacks_busy]="block_transition:bool"
	[livepatch_callbacks_busymod]="sleep_secs:int"
)

# The model.
declare -A LOADED=() ENABLED=() ORDER=() REPLACE=() PARAM=()
ENABLE_SEQ=0
BUSY_BLOCKED=0 # test_klp_callbacks_busy's work is blocked in busymod_work_func()
STEP=0
OPS=()
T0=$SECONDS

log() { echo "$*"; }
# op TEXT: records an operation (the last 20 are printed on failure).
op() {
	OPS+=("step $STEP: $*")
	echo "[$((SECONDS - T0)) s] step $STEP: $*" >>"$RUN/ops.log"
}
finish() {
	stop_load
	log "stress: $STEPS steps, seed $SEED: $1 ($((SECONDS - T0)) s)"
	[ "$1" = ok ]
	exit
}
fail() {
	log ""
	log "FAIL at step $STEP: $*"
	log "The last operations (replay: SEED=$SEED N=$STEPS):"
	local first=$((${#OPS[@]} > 20 ? ${#OPS[@]} - 20 : 0))
	printf '  %s\n' "${OPS[@]:first}"
	log "The last kernel messages:"
	tail -n 40 "$KLOG" | sed 's/^/  /'
	finish "FAILED at step $STEP: $(head -1 <<<"$*")"
}

# Each step forks as few processes as it can: under KASAN in TCG a fork and
# exec costs a good part of a second. Files are read with bash's read, sleeps
# are read timeouts on a pipe that stays empty.
exec {NAP_FD}<> <(:)
nap() { read -r -t "$1" -u $NAP_FD _ || :; }
# rd FILE: V is its first line ("" if it cannot be read).
rd() { V=""; read -r V <"$1" || :; } 2>/dev/null

# The kernel log, read continuously (dmesg retries after an overrun), through
# a file descriptor that keeps its position.
KLOG=$RUN/kmsg.log
KLOG_CARRY=""
STEP_KMSG=""
REPORT_RE='BUG:|WARNING:|KASAN|UBSAN|possible recursive locking|inconsistent lock state|circular locking dependency|sleeping function called from invalid context|Oops|general protection fault|ODEBUG|list_add corruption|list_del corruption|suspicious RCU usage|cut here|Kernel panic|panicked at|soft lockup|hung_task|blocked for more than|rcu.*detected stall|unreferenced object'
# check_reports: the lines logged since the last call go to STEP_KMSG; any
# kernel report among them fails the run.
check_reports() {
	local line hit=""
	STEP_KMSG=""
	while IFS= read -r -u $KLOG_FD line; do
		line=$KLOG_CARRY$line KLOG_CARRY=""
		STEP_KMSG+=$line$'\n'
		[ -z "$hit" ] && [[ "$line" =~ $REPORT_RE ]] && hit=$line
	done
	KLOG_CARRY+=$line # a line not complete yet
	[ -n "$hit" ] || return 0
	sleep 3 # let the rest of the report reach the log
	fail "kernel report: $hit
$(grep -A40 -F -- "$hit" "$KLOG" | head -60)"
}

# run CMD...: runs CMD; OUT is its output, RC its status.
run() {
	OUT=$("$@" 2>&1)
	RC=$?
}
# write FILE VALUE: writes VALUE to a sysfs file; OUT, RC as for run.
write() {
	{ printf '%s\n' "$2" >"$1"; } 2>"$RUN/write.err"
	RC=$?
	OUT=""
	read -r OUT <"$RUN/write.err"
}
expect_ok() { # expect_ok WHAT: the last run/write succeeded
	[ "$RC" = 0 ] || fail "$1: expected success, got exit $RC: $OUT"
}
expect_refused() { # expect_refused WHAT [TEXT]: the last run/write failed (with TEXT)
	[ "$RC" != 0 ] || fail "$1: expected a refusal, but it succeeded"
	[ -z "${2:-}" ] || [[ "$OUT" == *"$2"* ]] || fail "$1: expected '$2', got: $OUT"
}

# rnd N: R is a random number in [0, N). Random choices are made in this shell
# only: a subshell's RANDOM is reseeded and would break the replay.
rnd() { R=$((RANDOM % $1)); }
# pick WORD...: P is one of the words.
pick() {
	local a=("$@")
	rnd ${#a[@]}
	P=${a[$R]}
}

# OBSERVED: the patches in sysfs and our modules in /proc/modules; EXPECTED:
# the model's. Both in the order of ALL, then anything else.
observe() {
	local d m
	local -A mods=()
	while read -r m _; do mods[$m]=1; done </proc/modules
	OBSERVED=""
	for m in $ALL; do
		[ -e "$LP_DIR/$m" ] && OBSERVED+="lp:$m "
		[ -n "${mods[$m]+x}" ] && OBSERVED+="mod:$m "
	done
	for d in "$LP_DIR"/*; do
		[ -e "$d" ] && [ -z "${LOADED[${d##*/}]+x}" ] && OBSERVED+="other-lp:${d##*/} "
	done
}
expect() {
	local m
	EXPECTED=""
	for m in $ALL; do
		[ "${ENABLED[$m]:-0}" = 1 ] && EXPECTED+="lp:$m "
		[ "${LOADED[$m]:-0}" = 1 ] && EXPECTED+="mod:$m "
	done
}
in_transition() {
	local f
	for f in "$LP_DIR"/*/transition; do
		rd "$f"
		[ "$V" = 1 ] && return 0
	done
	return 1
}
# settle: waits until no transition is running and the observed state is the
# model's.
settle() {
	local deadline=$((SECONDS + SETTLE_TIMEOUT))
	expect
	while :; do
		observe
		if [ "$OBSERVED" = "$EXPECTED" ] && ! in_transition; then return 0; fi
		if [ $SECONDS -ge $deadline ]; then
			local t
			t=$(grep -H . "$LP_DIR"/*/transition 2>/dev/null | tr '\n' ' ')
			fail "not settled after ${SETTLE_TIMEOUT}s
  expected: $EXPECTED
  observed: $OBSERVED
  transition files: $t"
		fi
		nap 0.2
	done
}

# What the patched functions must show once settled.
rd /proc/cmdline
ORIG_CMDLINE=$V
read -r ORIG_LOGLEVEL _ </proc/sys/kernel/printk
check_functions() {
	local want="" best=0 m got
	for m in livepatch_sample test_klp_livepatch; do
		if [ "${ENABLED[$m]:-0}" = 1 ] && [ "${ORDER[$m]}" -gt $best ]; then
			best=${ORDER[$m]}
			case $m in
			livepatch_sample) want="this has been live patched" ;;
			test_klp_livepatch) want="test_klp_livepatch: this has been live patched" ;;
			esac
		fi
	done
	[ -n "$want" ] || want=$ORIG_CMDLINE
	rd /proc/cmdline
	got=$V
	[ "$got" = "$want" ] || fail "/proc/cmdline: '$got', expected '$want'"
	rd /proc/meminfo
	got=$V
	if [ "${ENABLED[test_klp_atomic_replace]:-0}" = 1 ]; then
		[ "$got" = "test_klp_atomic_replace: this has been live patched" ] ||
			fail "/proc/meminfo: '$got', expected the patched text"
	else
		[[ "$got" == MemTotal:* ]] || fail "/proc/meminfo: '$got', expected MemTotal:"
	fi
	want=$ORIG_LOGLEVEL
	for m in "${!STATE_VER[@]}"; do
		[ "${ENABLED[$m]:-0}" = 1 ] && want=15 # CONSOLE_LOGLEVEL_MOTORMOUTH
	done
	read -r got _ </proc/sys/kernel/printk
	[ "$got" = "$want" ] || fail "console_loglevel: $got, expected $want"
}

# ---- the load ----
LOAD_PIDS=()
GETPID_PIDS=()
start_load() {
	local cpu
	for ((cpu = 0; cpu < $(nproc); cpu++)); do
		taskset -c $cpu nice -n 10 bash -c \
			'while :; do read -r _ </proc/cmdline; read -r _ </proc/meminfo; done' &
		LOAD_PIDS+=($!)
		taskset -c $cpu nice -n 10 "$RUN/call_getpid" &
		LOAD_PIDS+=($!) GETPID_PIDS+=($!)
	done
	# Our sysfs files and parameters, read while they come and go.
	nice -n 10 bash -c 'while :; do
		for f in /sys/kernel/test_klp_syscall/npids /sys/kernel/livepatch/*/* \
			/sys/module/{test_klp,livepatch}_*/parameters/*; do
			read -r _ <"$f"
		done 2>/dev/null
		sleep 0.1
	done' &
	LOAD_PIDS+=($!)
}
stop_load() {
	[ ${#LOAD_PIDS[@]} = 0 ] && return
	kill "${LOAD_PIDS[@]}" 2>/dev/null
	wait "${LOAD_PIDS[@]}" 2>/dev/null
	LOAD_PIDS=()
}

# ---- insmod parameters ----
# gen_params MOD: PARAMS (insmod arguments) and BAD (1 if one is invalid).
gen_params() {
	local m=$1
	PARAMS=() BAD=0
	rnd 10
	local bad=$((R == 0))
	case $m in
	test_klp_callbacks_demo | livepatch_callbacks_demo)
		pick 0 0 0 0 -19 -1
		PARAMS=(pre_patch_ret=$P)
		[ $bad = 1 ] && PARAMS=(pre_patch_ret=abc) BAD=1 ;;
	test_klp_atomic_replace | test_klp_callbacks_demo2)
		pick 0 1
		PARAMS=(replace=$P)
		[ $bad = 1 ] && PARAMS=(replace=2147483648) BAD=1 ;;
	test_klp_rust_callbacks)
		local v mret f vals
		pick 0 0 0 -19; v=$P
		pick 0 0 -19 5; mret=$P
		pick Y N 1 0; f=$P
		pick 1,2 3,-1,2 5,6,7,8 0; vals=$P
		PARAMS=(vmlinux_pre_patch_ret=$v mod_pre_patch_ret=$mret flag=$f values=$vals)
		if [ $bad = 1 ]; then
			pick flag=maybe values=1,2,3,4,5 mod_pre_patch_ret=x
			PARAMS+=("$P") BAD=1
		fi ;;
	test_klp_syscall)
		local ids
		printf -v ids '%s,' "${GETPID_PIDS[@]}"
		PARAMS=(klp_pids=${ids%,}) ;;
	test_klp_callbacks_busy)
		pick N N Y
		PARAMS=(block_transition=$P)
		[ $bad = 1 ] && PARAMS=(block_transition=maybe) BAD=1 ;;
	livepatch_callbacks_busymod)
		pick 0 0 1 3
		PARAMS=(sleep_secs=$P)
		[ $bad = 1 ] && PARAMS=(sleep_secs=1x) BAD=1 ;;
	*)
		# An unknown parameter is ignored with a message.
		[ $bad = 1 ] && PARAMS=(no_such_param=1) ;;
	esac
}
# param_value MOD NAME: PV is the value given in PARAMS, or the default.
param_value() {
	local p
	for p in "${PARAMS[@]}"; do
		[ "${p%%=*}" = "$2" ] && { PV=${p#*=}; return; }
	done
	case $2 in
	flag | block_transition) PV=N ;;
	*) PV=0 ;;
	esac
}

# The patches that can refuse a target module at its load (pre-patch callback).
target_refused() {
	case $1 in
	test_klp_callbacks_mod | test_klp_callbacks_busy)
		{ [ "${ENABLED[test_klp_callbacks_demo]:-0}" = 1 ] &&
			[ "${PARAM[test_klp_callbacks_demo.pre_patch_ret]}" -lt 0 ]; } ||
			{ [ "${ENABLED[test_klp_rust_callbacks]:-0}" = 1 ] &&
				[ "${PARAM[test_klp_rust_callbacks.mod_pre_patch_ret]}" -lt 0 ]; } ;;
	livepatch_callbacks_mod | livepatch_callbacks_busymod)
		[ "${ENABLED[livepatch_callbacks_demo]:-0}" = 1 ] &&
			[ "${PARAM[livepatch_callbacks_demo.pre_patch_ret]}" -lt 0 ] ;;
	*) return 1 ;;
	esac
}

# Does the livepatch MOD, with PARAMS, fail to enable? (WHY says why.)
lp_refused() {
	local m=$1 q
	WHY=""
	[ $BAD = 1 ] && { WHY="invalid parameter"; return 0; }
	[ $m = test_klp_rust_bad_symbol ] && { WHY="no such symbol"; return 0; }
	# klp_is_patch_compatible(): a replace patch must carry every state of the
	# enabled patches at a version at least theirs.
	if [ "${REPLACE[$m]}" = 1 ]; then
		for q in "${!STATE_VER[@]}"; do
			if [ "${ENABLED[$q]:-0}" = 1 ] && [ "${STATE_VER[$m]:-0}" -lt "${STATE_VER[$q]}" ]; then
				WHY="state incompatible with $q"
				return 0
			fi
		done
	fi
	case $m in
	test_klp_callbacks_demo | livepatch_callbacks_demo)
		param_value $m pre_patch_ret
		[ "$PV" -lt 0 ] && WHY="pre_patch_ret" ;;
	test_klp_rust_callbacks)
		local v
		param_value $m vmlinux_pre_patch_ret
		v=$PV
		param_value $m mod_pre_patch_ret
		if [ "$v" -lt 0 ]; then
			WHY="vmlinux_pre_patch_ret"
		elif [ "$PV" -lt 0 ] &&
			{ [ "${LOADED[test_klp_callbacks_mod]:-0}" = 1 ] || [ "${LOADED[test_klp_callbacks_busy]:-0}" = 1 ]; }; then
			WHY="mod_pre_patch_ret with a target loaded"
		fi ;;
	esac
	[ -n "$WHY" ]
}

# Does the livepatch MOD replace busymod_work_func() of test_klp_callbacks_busy?
patches_busy() { [ "$1" = test_klp_callbacks_demo ] || [ "$1" = test_klp_rust_callbacks ]; }

# ---- operations ----
insmod_lp() {
	local m=$1 q
	gen_params $m
	REPLACE[$m]=0
	case $m in
	test_klp_state*) REPLACE[$m]=1 ;;
	test_klp_atomic_replace | test_klp_callbacks_demo2)
		param_value $m replace
		[ "$PV" = 1 ] && REPLACE[$m]=1 ;;
	esac
	if lp_refused $m; then
		op "insmod $m ${PARAMS[*]} (refused: $WHY)"
		run insmod "$MODS/$m.ko" "${PARAMS[@]}"
		expect_refused "insmod $m ${PARAMS[*]}"
		return
	fi
	op "insmod $m ${PARAMS[*]}"
	run insmod "$MODS/$m.ko" "${PARAMS[@]}"
	expect_ok "insmod $m ${PARAMS[*]}"
	LOADED[$m]=1 ENABLED[$m]=1
	ENABLE_SEQ=$((ENABLE_SEQ + 1)) ORDER[$m]=$ENABLE_SEQ
	case $m in
	test_klp_callbacks_demo | livepatch_callbacks_demo | test_klp_atomic_replace | test_klp_callbacks_demo2)
		local n=${WPARAMS[$m]%%:*}
		param_value $m $n
		PARAM[$m.$n]=$PV ;;
	test_klp_rust_callbacks)
		param_value $m mod_pre_patch_ret
		PARAM[$m.mod_pre_patch_ret]=$PV ;;
	esac
	if [ "${REPLACE[$m]}" = 1 ]; then
		for q in $LIVEPATCHES; do [ $q = $m ] || ENABLED[$q]=0; done
	fi
	if patches_busy $m && [ $BUSY_BLOCKED = 1 ]; then
		# The blocked work keeps the transition from completing: unblock it,
		# or reverse the transition.
		sleep 2
		rd $LP_DIR/$m/transition
		[ "$V" = 1 ] ||
			fail "$m: the transition ended while busymod_work_func() was blocked"
		rnd 2
		if [ $R = 0 ]; then
			op "  write N to test_klp_callbacks_busy's block_transition (transition running)"
			write /sys/module/test_klp_callbacks_busy/parameters/block_transition N
			expect_ok "unblocking test_klp_callbacks_busy"
			BUSY_BLOCKED=0 PARAM[test_klp_callbacks_busy.block_transition]=N
		else
			op "  echo 0 > $m/enabled (reverses the transition)"
			write $LP_DIR/$m/enabled 0
			expect_ok "reversing the transition of $m"
			ENABLED[$m]=0
		fi
	elif [ "${REPLACE[$m]}" = 0 ]; then
		rnd 7
		if [ $R = 0 ]; then
			op "  echo 0 > $m/enabled at once"
			write $LP_DIR/$m/enabled 0
			expect_ok "disabling $m at once"
			ENABLED[$m]=0
		fi
	fi
	settle
	if [ $m = test_klp_syscall ] && [ "${ENABLED[$m]}" = 1 ]; then
		# Every getpid loop has called the Rust replacement.
		local i
		for ((i = 0; i < 100; i++)); do
			rd /sys/kernel/test_klp_syscall/npids
			[ "$V" = 0 ] && break
			nap 0.2
		done
		[ "$V" = 0 ] || fail "test_klp_syscall: npids is '$V' 20 s after the transition"
	fi
}

disable_lp() {
	op "echo 0 > $LP_DIR/$1/enabled"
	write $LP_DIR/$1/enabled 0
	expect_ok "disabling $1"
	ENABLED[$1]=0
	settle
}

# wait_refcnt MOD: the disabled patch releases its module reference once freed.
wait_refcnt() {
	local i
	for ((i = 0; i < 150; i++)); do
		rd /sys/module/$1/refcnt
		[ "$V" = 0 ] && return
		nap 0.2
	done
	fail "$1: refcnt '$V' 30 s after its patch was freed"
}

rmmod_mod() {
	local m=$1
	op "rmmod $m"
	[ -n "${IS_LP[$m]+x}" ] && wait_refcnt $m
	run rmmod $m
	expect_ok "rmmod $m"
	LOADED[$m]=0
	[ $m = test_klp_callbacks_busy ] && BUSY_BLOCKED=0
	settle
}

insmod_target() {
	local m=$1
	gen_params $m
	if [ $BAD = 1 ] || target_refused $m; then
		op "insmod $m ${PARAMS[*]} (refused)"
		run insmod "$MODS/$m.ko" "${PARAMS[@]}"
		expect_refused "insmod $m ${PARAMS[*]}"
		return
	fi
	op "insmod $m ${PARAMS[*]}"
	run insmod "$MODS/$m.ko" "${PARAMS[@]}"
	expect_ok "insmod $m ${PARAMS[*]}"
	LOADED[$m]=1
	if [ $m = test_klp_callbacks_busy ]; then
		param_value $m block_transition
		PARAM[$m.block_transition]=$PV
		[ "${PARAM[$m.block_transition]}" = Y ] && BUSY_BLOCKED=1
	fi
	if [ $m = livepatch_shadow_mod ]; then
		# Where this instance's dummy_alloc() is: its unpatched version loses
		# a 4-byte allocation by design (see check_kmemleak).
		awk '$3 == "dummy_alloc" && $4 == "[livepatch_shadow_mod]" { a = $1 }
			$4 == "[livepatch_shadow_mod]" { s[++n] = $1 }
			END { for (i = 1; i <= n; i++) if (s[i] > a && (e == "" || s[i] < e)) e = s[i]; print a, e }' \
			/proc/kallsyms >>"$RUN/dummy_alloc.ranges"
	fi
	settle
}

# A module that tests itself at load (shadow variables): load, then unload.
selftest_mod() {
	local m=$1
	op "insmod $m; rmmod $m"
	run insmod "$MODS/$m.ko"
	expect_ok "insmod $m"
	LOADED[$m]=1
	run rmmod $m
	expect_ok "rmmod $m"
	LOADED[$m]=0
	check_reports
	if [ $m = test_klp_rust_shadow ]; then
		local bad
		while IFS= read -r bad; do
			[[ "$bad" == *"test_klp_rust_shadow: "* ]] || continue
			[[ "$bad" == *": ok" || "$bad" == *"taints kernel"* ]] ||
				fail "test_klp_rust_shadow: $bad"
		done <<<"$STEP_KMSG"
	fi
	settle
}

# write_param MOD: writes a random (sometimes invalid) value to one of its
# sysfs parameters; checks the value read back, or the refusal.
write_param() {
	local m=$1 spec name type f before after want err
	pick ${WPARAMS[$m]}
	spec=$P name=${spec%%:*} type=${spec#*:}
	f=/sys/module/$m/parameters/$name
	rd $f
	before=$V
	case $type in
	int)
		pick 0 0 -19 -1 7 0x10:16 010:8 2147483647 -2147483648 \
			abc:EINVAL 2147483648:ERANGE -2147483649:ERANGE 12x:EINVAL :EINVAL
		[ "$name" = pre_patch_ret ] || [ "$name" = mod_pre_patch_ret ] &&
			[ "$P" = -2147483648 ] && P=-22 # a valid errno: no "out of range errno" note
		;;
	bool)
		pick Y:Y N:N y:Y n:N 1:Y 0:N on:Y off:N yes:Y maybe:EINVAL 2:EINVAL :EINVAL ;;
	ro) P=1:EACCES ;;
	esac
	local v=${P%%:*} res=${P#*:}
	[[ "$P" == *:* ]] || res=$v
	case $res in
	EINVAL | ERANGE | EACCES)
		case $res in
		EINVAL) err="Invalid argument" ;;
		ERANGE) err="Numerical result out of range" ;;
		EACCES) err="Permission denied" ;;
		esac
		op "echo '$v' > $f (refused: $res)"
		write $f "$v"
		expect_refused "writing '$v' to $f" "$err"
		rd $f
		after=$V
		[ "$after" = "$before" ] || fail "$f changed from '$before' to '$after' after a refused write"
		;;
	*)
		op "echo '$v' > $f"
		write $f "$v"
		expect_ok "writing '$v' to $f"
		rd $f
		after=$V
		[ "$after" = "$res" ] || fail "$f reads '$after' after writing '$v', expected '$res'"
		PARAM[$m.$name]=$res
		[ $m = test_klp_callbacks_busy ] && [ $name = block_transition ] && [ $res = N ] &&
			BUSY_BLOCKED=0
		;;
	esac
	settle
}

# sysfs_refused MOD: a write to the patch's sysfs files that must be refused,
# and its read-only files read.
sysfs_refused() {
	local m=$1 d=$LP_DIR/$1
	pick enabled:1:EINVAL enabled:maybe:EINVAL force:1:EINVAL transition:1:EACCES replace:0:EACCES
	local file=${P%%:*} rest=${P#*:}
	local v=${rest%%:*} res=${rest#*:} err
	case $res in
	EINVAL) err="Invalid argument" ;;
	EACCES) err="Permission denied" ;;
	esac
	op "echo $v > $m/$file (refused: $res)"
	write $d/$file "$v"
	expect_refused "writing $v to $d/$file" "$err"
	rd $d/enabled
	[ "$V" = 1 ] || fail "$d/enabled: '$V'"
	rd $d/transition
	[ "$V" = 0 ] || fail "$d/transition: '$V'"
	rd $d/replace
	[ "$V" = "${REPLACE[$m]}" ] || fail "$d/replace: '$V', expected ${REPLACE[$m]}"
	settle
}

rmmod_refused() {
	op "rmmod $1 (refused: enabled)"
	run rmmod $1
	expect_refused "rmmod $1 while its patch is enabled" "in use"
	settle
}

insmod_again() {
	op "insmod $1 (refused: loaded)"
	run insmod "$MODS/$1.ko"
	expect_refused "insmod $1 while loaded" "File exists"
	settle
}

# one_step: a random module, and a random operation valid in its state.
one_step() {
	local m
	while :; do
		pick "${ALL_ARR[@]}"
		m=$P
		if [ -n "${IS_LP[$m]+x}" ]; then
			if [ "${LOADED[$m]:-0}" = 0 ]; then
				insmod_lp $m
			elif [ "${ENABLED[$m]:-0}" = 1 ]; then
				rnd 10
				if [ $R -lt 5 ]; then disable_lp $m
				elif [ $R -lt 7 ] && [ -n "${WPARAMS[$m]+x}" ]; then write_param $m
				elif [ $R -lt 8 ]; then sysfs_refused $m
				elif [ $R -lt 9 ]; then rmmod_refused $m
				else insmod_again $m
				fi
			else
				rnd 5
				if [ $R -lt 1 ] && [ -n "${WPARAMS[$m]+x}" ]; then write_param $m
				else rmmod_mod $m
				fi
			fi
		elif [ -n "${IS_TARGET[$m]+x}" ]; then
			if [ "${LOADED[$m]:-0}" = 0 ]; then
				# test_klp_callbacks_busy's init waits for its work, which
				# an enabled replacement of busymod_work_func() never starts.
				if [ $m = test_klp_callbacks_busy ] &&
					{ [ "${ENABLED[test_klp_callbacks_demo]:-0}" = 1 ] ||
						[ "${ENABLED[test_klp_rust_callbacks]:-0}" = 1 ]; }; then
					continue
				fi
				insmod_target $m
			else
				rnd 10
				if [ $R -lt 3 ] && [ -n "${WPARAMS[$m]+x}" ]; then write_param $m
				else rmmod_mod $m
				fi
			fi
		else
			selftest_mod $m
		fi
		return
	done
}

# ---- measurements and final checks ----
# slab_kb: V is Slab from /proc/meminfo after dropping caches and shrinking every
# slab cache (which also empties KASAN's quarantine of that cache).
slab_kb() { # V: Slab in kB
	local f
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f"; done 2>/dev/null
	sleep 1
	meminfo_kb Slab
}
meminfo_kb() { # meminfo_kb FIELD: V is its value in kB
	local k v _
	V=""
	while read -r k v _; do [ "$k" = "$1:" ] && V=$v; done </proc/meminfo
}

KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
}
# check_kmemleak: every suspect is a failure but livepatch-shadow-mod's own
# leak: the zeroed int (kmalloc-8: kmemleak says "size 8") allocated by an
# unpatched dummy_alloc() (a return address in one of the ranges recorded at
# its loads; the module is gone, so kmemleak prints bare addresses).
check_kmemleak() {
	local t=$SECONDS
	kmemleak_scan
	cat $KMEMLEAK >"$RUN/kmemleak.txt"
	local res
	res=$(awk -v ranges="$RUN/dummy_alloc.ranges" '
		# Addresses as 16 lower-case hex digits, compared as strings
		# (awk numbers are doubles: too coarse for 64-bit addresses).
		function addr(s) { s = tolower(s); sub(/^0x/, "", s); while (length(s) < 16) s = "0" s; return s "" }
		BEGIN { while ((getline l < ranges) > 0) { split(l, r, " "); if (r[2] == "") continue; n++; lo[n] = addr(r[1]); hi[n] = addr(r[2]) } }
		function flush() { if (obj == "") return
			if (size <= 8 && zero && expected) known++; else { other++; print obj > "/dev/stderr" }
			obj = "" }
		/^unreferenced object/ { flush(); obj = $0; size = $0; sub(/.*\(size /, "", size); sub(/\).*/, "", size); size += 0; zero = 0; expected = 0; next }
		{ obj = obj "\n" $0 }
		/hex dump/ { getline l; obj = obj "\n" l; zero = (l ~ /^ +00 00 00 00( 00 00 00 00)? +/) }
		/^ +0x[0-9a-f]+$/ { a = addr($1); for (i = 1; i <= n; i++) if (a >= lo[i] && a < hi[i]) expected = 1 }
		END { flush(); print known + 0, other + 0 }' "$RUN/kmemleak.txt" 2>"$RUN/kmemleak-unexpected.txt")
	local known=${res% *} other=${res#* }
	log "kmemleak: $known leaks of livepatch-shadow-mod's unpatched dummy_alloc (by design), $other other suspects ($((SECONDS - t)) s)"
	[ "$other" = 0 ] || fail "kmemleak: $other suspected leaks:
$(head -80 "$RUN/kmemleak-unexpected.txt")"
}

progress() {
	local slab lps=0 mods=0 m
	for m in $ALL; do
		[ "${LOADED[$m]:-0}" = 1 ] && mods=$((mods + 1))
		[ "${ENABLED[$m]:-0}" = 1 ] && lps=$((lps + 1))
	done
	if [ "${ENABLED[test_klp_atomic_replace]:-0}" = 1 ]; then
		slab="(meminfo patched)"
	else
		meminfo_kb Slab
		slab="$V kB"
	fi
	log "stress: step $STEP/$STEPS, $((SECONDS - T0)) s: $mods modules loaded, $lps patches enabled, Slab $slab"
}

# cleanup: disables every patch, newest first, and unloads every module.
cleanup() {
	local m
	if [ "${LOADED[test_klp_callbacks_busy]:-0}" = 1 ] && [ $BUSY_BLOCKED = 1 ]; then
		op "write N to test_klp_callbacks_busy's block_transition"
		write /sys/module/test_klp_callbacks_busy/parameters/block_transition N
		expect_ok "unblocking test_klp_callbacks_busy"
		BUSY_BLOCKED=0
	fi
	for m in $(for m in $LIVEPATCHES; do [ "${ENABLED[$m]:-0}" = 1 ] && echo "${ORDER[$m]} $m"; done | sort -rn | cut -d' ' -f2); do
		disable_lp $m
	done
	for m in $LIVEPATCHES $TARGETS; do
		[ "${LOADED[$m]:-0}" = 1 ] && rmmod_mod $m
	done
	check_reports
}

# ---- main ----
# The host prints this file as it grows (scripts/stress.sh).
exec >>"$RUN/stress.log" 2>&1
: >"$RUN/ops.log"
: >"$RUN/dummy_alloc.ranges"
: >"$KLOG"
stdbuf -oL dmesg -w --color=never >"$KLOG" 2>&1 &
DMESG_PID=$!
exec {KLOG_FD}<"$KLOG"
sleep 1
log "stress: $STEPS steps, seed $SEED, kernel $(uname -r) $(uname -v), $(nproc) CPUs"
for m in $ALL; do
	[ -f "$MODS/$m.ko" ] || fail "missing $MODS/$m.ko"
	LOADED[$m]=0
done
if grep -q "^livepatch\|^test_klp" /proc/modules || [ -n "$(ls $LP_DIR)" ]; then
	fail "modules or patches present before the first step"
fi
# Reports during boot count too.
check_reports
if [ -e $KMEMLEAK ]; then
	# Suspects from before the first step are not ours: scan, then clear.
	t=$SECONDS
	kmemleak_scan
	echo clear >$KMEMLEAK
	log "kmemleak: baseline scanned and cleared ($((SECONDS - t)) s)"
else
	log "kmemleak: not in this kernel (KERNEL=debug has it), not checked"
	KMEMLEAK=""
fi
slab_kb
SLAB0=$V
meminfo_kb SUnreclaim
SUNRECL0=$V
log "Slab before the first step: $SLAB0 kB (SUnreclaim $SUNRECL0 kB); bound after the run: +$SLAB_BOUND_KB kB"
RANDOM=$SEED
start_load
log "load: $(nproc) x (/proc/cmdline + /proc/meminfo reader, getpid loop), 1 sysfs reader"
for ((STEP = 1; STEP <= STEPS; STEP++)); do
	one_step
	check_reports
	check_functions
	if [ $((STEP % PROGRESS_EVERY)) = 0 ] || [ $STEP = 1 ]; then progress; fi
done
STEP=$((STEPS + 1))
stop_load
op "cleanup"
cleanup
check_functions
[ -z "$(ls $LP_DIR)" ] || fail "$LP_DIR not empty: $(ls $LP_DIR)"
left=$(awk '/^(livepatch|test_klp)/ { print $1 }' /proc/modules | tr '\n' ' ')
[ -z "$left" ] || fail "modules still loaded: $left"
[ -z "$KMEMLEAK" ] || check_kmemleak
sleep 2
slab_kb
SLAB1=$V
meminfo_kb SUnreclaim
SUNRECL1=$V
log "Slab after the run: $SLAB1 kB (SUnreclaim $SUNRECL1 kB): $((SLAB1 - SLAB0)) kB from before the first step (bound: $SLAB_BOUND_KB kB)"
[ $((SLAB1 - SLAB0)) -le "$SLAB_BOUND_KB" ] ||
	fail "Slab grew by $((SLAB1 - SLAB0)) kB, more than $SLAB_BOUND_KB kB"
check_reports
kill $DMESG_PID 2>/dev/null
finish ok
