#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by our test-rust-*.sh scripts (sourced after the
# upstream functions.sh). The core's messages follow kernel/livepatch/core.c
# and transition.c, in the order test-callbacks.sh expects them.

# new_dmesg: the kernel messages since start_test, without timestamps.
new_dmesg() {
	dmesg | awk -v last_dmesg="$LAST_DMESG" 'p; $0 == last_dmesg { p=1 }' |
		sed 's/^\[[ 0-9.]*\] //'
}

# plain_lp_log MOD: enabling, then disabling, a livepatch without callbacks.
plain_lp_log() {
	echo "livepatch: enabling patch '$1'
livepatch: '$1': initializing patching transition
livepatch: '$1': starting patching transition
livepatch: '$1': completing patching transition
livepatch: '$1': patching complete
livepatch: '$1': initializing unpatching transition
livepatch: '$1': starting unpatching transition
livepatch: '$1': completing unpatching transition
livepatch: '$1': unpatching complete"
}

# tokens_enable_log FIRST: enabling test_klp_rust_callbacks with only vmlinux
# loaded; its tokens are numbered from FIRST.
tokens_enable_log() {
	local lp=test_klp_rust_callbacks
	echo "livepatch: enabling patch '$lp'
livepatch: '$lp': initializing patching transition
$lp: pre_patch_callback: vmlinux (call 1)
$lp: pre_patch token $1 for vmlinux acquired, live tokens: $1
livepatch: '$lp': starting patching transition
livepatch: '$lp': completing patching transition
$lp: post_patch_callback: vmlinux (call 2)
$lp: post_patch token $(($1 + 1)) for vmlinux acquired, live tokens: $(($1 + 1))
livepatch: '$lp': patching complete"
}

# tokens_disable_log: disabling it again, vmlinux's tokens 1 and 2 released.
tokens_disable_log() {
	local lp=test_klp_rust_callbacks
	echo "% echo 0 > /sys/kernel/livepatch/$lp/enabled
livepatch: '$lp': initializing unpatching transition
$lp: pre_unpatch_callback: vmlinux (call 3)
$lp: post_patch token 2 released, live tokens: 1
livepatch: '$lp': starting unpatching transition
livepatch: '$lp': completing unpatching transition
$lp: post_unpatch_callback: vmlinux (call 4)
$lp: pre_patch token 1 released, live tokens: 0
livepatch: '$lp': unpatching complete"
}
