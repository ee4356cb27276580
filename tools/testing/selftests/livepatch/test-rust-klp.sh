#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The klp command (tools/klp), which make check copies into the run directory:
# its errors (one line, a distinct exit status, nothing left behind), klp info
# (its signature lines against modinfo; on a kernel checking signatures, klp
# load of a module changed after signing, or unsigned when enforced: exit 10),
# klp list against sysfs with several patches and atomic replace, klp unload,
# and a transition stalled on purpose by test_klp_callbacks_busy's worker
# sleeping in busymod_work_func(): klp load names the task and its stack and
# fails, --revert-on-stall leaves nothing patched, klp load completes once the
# task leaves, a load waits for another patch's transition, a forced patch.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

KLP=./klp
BUSY=test_klp_callbacks_busy
DEMO=test_klp_callbacks_demo
LP=test_klp_livepatch
AR=test_klp_atomic_replace
FORCED=test_klp_rust_forced
SAMPLE=livepatch_sample
TRACING=/sys/kernel/tracing

setup_config
mountpoint -q $TRACING || mount -t tracefs nodev $TRACING || die "cannot mount tracefs"

# klp_run EXPECTED_STATUS ARGS...: runs klp, keeps its output in $out, checks
# the exit status.
klp_run() {
	local want=$1 rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ $rc == "$want" ]] || die "'$*': exit $rc, expected $want; output: $out"
}

# expect_out TEXT: klp's output contains TEXT.
expect_out() {
	grep -qF -- "$1" <<<"$out" || die "expected '$1' in: $out"
}

# clean: no livepatch left, no test module loaded (but FORCED, once forced).
clean() {
	[[ -z "$(ls /sys/kernel/livepatch)" ]] || die "left in /sys/kernel/livepatch: $(ls /sys/kernel/livepatch)"
	! lsmod | grep -v "^$FORCED " | grep -qE '^(test_klp|livepatch_)' || die "modules left: $(lsmod | grep -E '^(test_klp|livepatch_)')"
}

start_test "klp: errors are answers: one line, a distinct exit status, nothing left behind"

klp_run 2 $KLP frobnicate
klp_run 3 setpriv --reuid=65534 --regid=65534 --clear-groups $KLP load test_modules/$LP.ko
expect_out "klp: must run as root"
klp_run 4 unshare -m sh -c "mount -t tmpfs none /sys/kernel && $KLP list"
expect_out "klp: this kernel has no livepatch support"
klp_run 5 $KLP load test_modules/$BUSY.ko
expect_out "is not a livepatch module"
klp_run 6 $KLP unload no_such_patch
expect_out "klp: no livepatch named no_such_patch is loaded"
klp_run 6 $KLP wait no_such_patch
klp_run 9 $KLP load test_modules/$DEMO.ko pre_patch_ret=-19
expect_out "the kernel refused test_modules/$DEMO.ko"
clean
klp_run 0 $KLP load test_modules/$LP.ko
klp_run 9 $KLP load test_modules/$LP.ko
expect_out "$LP is already loaded"
klp_run 0 $KLP unload $LP
clean
echo "ok"

start_test "klp info: livepatch=Y, parameters, objects and functions"

klp_run 0 $KLP info test_modules/livepatch_sample.ko
expect_out "livepatch: Y"
expect_out "patches vmlinux: cmdline_proc_show,0"
klp_run 0 $KLP info test_modules/$DEMO.ko
expect_out "parameter pre_patch_ret (int): pre_patch_ret (default=0)"
expect_out "patches $BUSY: busymod_work_func,0"
expect_out "patches test_klp_callbacks_mod: no function"
klp_run 0 $KLP info test_modules/test_klp_rust_extern.ko
expect_out "patches vmlinux: cmdline_proc_show,0"
klp_run 0 $KLP info c_modules/test_klp_state.ko
expect_out "not recorded in the module"
klp_run 5 $KLP info test_modules/$BUSY.ko
echo "ok"

start_test "klp info: the signature as modinfo shows it; klp load: a refused signature, one line, exit 10"

# sig_vs_modinfo KO: klp info's signer, sig_key and sig_hashalgo lines are
# what modinfo -F prints; for an unsigned module modinfo prints nothing and
# klp info says "signature: unsigned". klp info's output stays in $out.
sig_vs_modinfo() {
	local ko=$1 k m
	klp_run 0 $KLP info $ko
	if [[ -z "$(modinfo -F signer $ko)$(modinfo -F sig_key $ko)" ]]; then
		expect_out "signature: unsigned"
		! grep -qE '^(signer|sig_key|sig_hashalgo): ' <<<"$out" || die "$ko: modinfo shows no signature, klp info: $out"
		return
	fi
	for k in signer sig_key sig_hashalgo; do
		m=$(modinfo -F $k $ko)
		grep -qxF -- "$k: $m" <<<"$out" || die "$ko: modinfo -F $k: '$m'; klp info: $out"
	done
}

# $LP last: its klp info stays in $out.
for ko in test_modules/$SAMPLE.ko test_modules/$DEMO.ko c_modules/test_klp_state.ko test_modules/$LP.ko; do
	sig_vs_modinfo $ko
done
# On a kernel checking signatures (CONFIG_MODULE_SIG): a byte of the module
# changed after signing is refused even without enforcement; with enforcement
# an unsigned copy is refused. Each answer is one line with exit status 10.
if [[ -e /sys/module/module/parameters/sig_enforce ]]; then
	tmp=$(mktemp -d)
	if grep -q "^signer: " <<<"$out"; then
		signer=$(sed -n 's/^signer: //p' <<<"$out")
		key=$(sed -n 's/^sig_key: //p' <<<"$out")
		cp test_modules/$LP.ko $tmp/$LP.ko
		python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(64); b = f.read(1); f.seek(64); f.write(bytes([b[0] ^ 1]))' $tmp/$LP.ko
		klp_run 10 $KLP load $tmp/$LP.ko
		expect_out "it is signed by $signer (key $key, "
		expect_out "the kernel does not trust that key, or the file changed after signing"
		[[ $(wc -l <<<"$out") == 1 ]] || die "not one line: $out"
		clean
	fi
	if [[ "$(cat /sys/module/module/parameters/sig_enforce)" == Y ]]; then
		# The module without its signature (sig_len, big-endian, precedes the
		# 28 bytes of the magic): <module><sig_len bytes><12 bytes><magic>.
		python3 - test_modules/$LP.ko $tmp/unsigned.ko <<-'EOF'
		import sys
		d = open(sys.argv[1], "rb").read()
		magic = b"~Module signature appended~\n"
		if d.endswith(magic):
		    d = d[:-len(magic)]
		    d = d[:-12 - int.from_bytes(d[-4:], "big")]
		open(sys.argv[2], "wb").write(d)
		EOF
		klp_run 0 $KLP info $tmp/unsigned.ko
		expect_out "signature: unsigned"
		klp_run 10 $KLP load $tmp/unsigned.ko
		expect_out "it is not signed, and this kernel loads only signed modules"
		expect_out "sign it with the kernel's key"
		[[ $(wc -l <<<"$out") == 1 ]] || die "not one line: $out"
		clean
	fi
	rm -rf $tmp
fi
echo "ok"

start_test "klp list: several patches, atomic replace, checked against sysfs; klp unload leaves nothing"

# list_vs_sysfs: klp list --json says what sysfs says, patch by patch.
list_vs_sysfs() {
	local json
	json=$($KLP list --json) || die "klp list --json failed"
	python3 - "$json" <<-'EOF' || die "klp list --json differs from sysfs: $json"
	import json, os, sys
	doc = json.loads(sys.argv[1])
	base = "/sys/kernel/livepatch"
	names = sorted(os.listdir(base))
	assert sorted(p["name"] for p in doc["patches"]) == names, names
	rd = lambda *p: open(os.path.join(base, *p)).read().strip()
	for p in doc["patches"]:
	    n = p["name"]
	    assert p["enabled"] == (rd(n, "enabled") == "1"), n
	    assert (p["transition"] is not None) == (rd(n, "transition") == "1"), n
	    assert p["replace"] == (rd(n, "replace") == "1"), n
	    objs = sorted(d for d in os.listdir(os.path.join(base, n)) if os.path.isdir(os.path.join(base, n, d)))
	    assert sorted(o["name"] for o in p["objects"]) == objs, (n, objs)
	    for o in p["objects"]:
	        assert o["patched"] == (rd(n, o["name"], "patched") == "1"), (n, o)
	        funcs = sorted(os.listdir(os.path.join(base, n, o["name"])))
	        funcs = [f for f in funcs if os.path.isdir(os.path.join(base, n, o["name"], f))]
	        assert sorted("%s,%d" % (f["name"], f["sympos"]) for f in o["functions"]) == funcs, (n, funcs)
	EOF
}

# Two patches of cmdline_proc_show(), the later one's runs; a third patches
# meminfo_proc_show().
klp_run 0 $KLP load test_modules/$LP.ko
klp_run 0 $KLP load test_modules/$SAMPLE.ko
klp_run 0 $KLP load test_modules/$AR.ko replace=0
list_vs_sysfs
klp_run 0 $KLP list
[[ "$out" == "$LP: enabled
  vmlinux: loaded, patched
    cmdline_proc_show,1: superseded by $SAMPLE
$SAMPLE: enabled
  vmlinux: loaded, patched
    cmdline_proc_show,1: live
$AR: enabled
  vmlinux: loaded, patched
    meminfo_proc_show,1: live" ]] || die "klp list: $out"
[[ "$(cat /proc/cmdline)" == "this has been live patched" ]] || die "/proc/cmdline: $(cat /proc/cmdline)"
klp_run 0 $KLP unload $SAMPLE
expect_out "klp: $SAMPLE disabled and removed"
klp_run 0 $KLP list
[[ "$out" == "$LP: enabled
  vmlinux: loaded, patched
    cmdline_proc_show,1: live
$AR: enabled
  vmlinux: loaded, patched
    meminfo_proc_show,1: live" ]] || die "klp list after unloading $SAMPLE: $out"
grep -q "$LP: this has been live patched" /proc/cmdline || die "/proc/cmdline: $(cat /proc/cmdline)"
klp_run 0 $KLP unload $AR
# Atomic replace: $LP is disabled and released by the core, its module stays.
klp_run 0 $KLP load test_modules/$AR.ko replace=1
list_vs_sysfs
klp_run 0 $KLP list
[[ "$out" == "$AR: enabled, replace
  vmlinux: loaded, patched
    meminfo_proc_show,1: live" ]] || die "klp list after atomic replace: $out"
[[ -e /sys/module/$LP && ! -e /sys/kernel/livepatch/$LP ]] || die "$LP was not replaced"
klp_run 0 $KLP unload $LP
expect_out "klp: $LP removed"
klp_run 0 $KLP unload $AR
expect_out "klp: $AR disabled and removed"
clean
klp_run 0 $KLP list
[[ "$out" == "no livepatch loaded" ]] || die "klp list: $out"
echo "ok"

start_test "klp load: a stalled transition names the task and its stack; a second load waits, then gives up"

load_mod $BUSY block_transition=Y
klp_run 7 $KLP load --timeout 3 test_modules/$DEMO.ko
expect_out "klp: the patching transition of $DEMO did not complete within 3 s"
expect_out "busymod_work_func"
grep -qE "^  task [0-9]+ \(pid [0-9]+\) kworker/[^ ]*: still on the old code$" <<<"$out" ||
	die "no kworker named: $out"
printf '# klp load --timeout 3 test_modules/%s.ko\n%s\n' $DEMO "$out" >klp-stall.txt
[[ "$(cat /sys/kernel/livepatch/$DEMO/transition)" == 1 ]] || die "$DEMO is not in transition"
# Another load waits for the transition, and gives up without loading.
klp_run 7 $KLP load --timeout 2 test_modules/$LP.ko
expect_out "the transition of $DEMO did not complete within 2 s, so $LP was left as it was"
[[ ! -e /sys/module/$LP ]] || die "$LP was loaded"
# klp wait names the same task.
klp_run 7 $KLP wait --timeout 1
expect_out "busymod_work_func"
# Once the worker leaves busymod_work_func, the transition completes.
$KLP wait --timeout 60 $DEMO >wait.out 2>&1 &
waiter=$!
echo N >/sys/module/$BUSY/parameters/block_transition
wait $waiter || die "klp wait: $(cat wait.out)"
grep -q "klp: $DEMO: no transition" wait.out || die "klp wait: $(cat wait.out)"
rm -f wait.out
klp_run 0 $KLP unload $DEMO
unload_mod $BUSY
clean
echo "ok"

start_test "klp load --revert-on-stall: nothing patched afterwards; klp load completes once the task leaves"

load_mod $BUSY block_transition=Y
klp_run 7 $KLP load --timeout 3 --revert-on-stall test_modules/$DEMO.ko
expect_out "reverted: the old code runs everywhere and the module is removed"
expect_out "busymod_work_func"
[[ ! -e /sys/kernel/livepatch/$DEMO && ! -e /sys/module/$DEMO ]] || die "$DEMO left behind"
! grep -q "klp_ftrace_handler" $TRACING/enabled_functions ||
	die "a function is still patched: $(grep klp_ftrace_handler $TRACING/enabled_functions)"
# A load started while the worker sleeps completes once it leaves.
$KLP load --timeout 60 test_modules/$DEMO.ko >load.out 2>&1 &
loader=$!
loop_until '[[ -e /sys/kernel/livepatch/$DEMO ]]' || die "$DEMO did not appear"
sleep 1
[[ "$(cat /sys/kernel/livepatch/$DEMO/transition)" == 1 ]] || die "$DEMO is not held by the worker"
echo N >/sys/module/$BUSY/parameters/block_transition
wait $loader || die "klp load: $(cat load.out)"
grep -q "klp: $DEMO is enabled; its transition is complete" load.out || die "klp load: $(cat load.out)"
rm -f load.out
klp_run 0 $KLP unload $DEMO
unload_mod $BUSY
clean
echo "ok"

start_test "klp unload: a stalled unpatching is reversed; a forced patch is disabled, its module kept (exit 8)"

# The forced patch replaces busymod_work_func() of the busymod sample with a
# function that sleeps: its worker, inside the new code, holds the unpatching.
BUSYMOD=livepatch_callbacks_busymod
klp_run 0 $KLP load test_modules/$FORCED.ko sleep_secs=20
load_mod $BUSYMOD
loop_until 'dmesg | grep -q "$FORCED: forced_work_func, sleeping 20 seconds"' || die "the worker did not start"
klp_run 7 $KLP unload --timeout 2 $FORCED
expect_out "klp: the unpatching transition of $FORCED did not complete within 2 s"
expect_out "reversed: the patch stays enabled"
expect_out "forced_work_func"
[[ "$(cat /sys/kernel/livepatch/$FORCED/enabled)" == 1 ]] || die "$FORCED is not enabled again"
echo 0 >/sys/kernel/livepatch/$FORCED/enabled
loop_until 'grep -q "^1$" /sys/kernel/livepatch/$FORCED/transition' || die "no unpatching transition"
echo 1 >/sys/kernel/livepatch/$FORCED/force
klp_run 8 $KLP unload $FORCED
expect_out "klp: $FORCED was forced"
[[ ! -e /sys/kernel/livepatch/$FORCED && -e /sys/module/$FORCED ]] || die "$FORCED: not as a forced patch leaves it"
# Waits for the worker, which runs the forced module's code (kept by the core).
unload_mod $BUSYMOD
clean
echo "ok"

exit 0
