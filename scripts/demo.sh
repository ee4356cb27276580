#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the lab kernel in QEMU and live patch /proc/cmdline with the
# Rust port of livepatch-sample, showing each command and what it printed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

step "Booting Linux 6.12 in QEMU (TCG, about 10 s) and applying the Rust livepatch-sample"
bash scripts/vm.sh "bash scripts/demo-guest.sh"
