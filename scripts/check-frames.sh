#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-frames.sh KO...: no replacement function leaves its frame for other code.
#
# The unpatching transition only waits for tasks with a return address inside a
# replacement function (klp_check_stack_func() in kernel/livepatch/transition.c):
# a replacement that tail-called another function of the module (a `jmp`) would
# let rmmod free code that a task still runs. klp_func! keeps the call of its
# body out of tail position (CallScope::keep_frame). This disassembles every
# replacement (`<name>::replacement`, v0-mangled `...11replacement`) of the
# given modules, with their relocations, and fails on a jump that leaves it: to
# a symbol (but the return thunk, a return), outside its bounds, or indirect.
set -uo pipefail
exec python3 - "$@" <<'PY'
import re, subprocess, sys

status, count = 0, 0
for ko in sys.argv[1:]:
    dis = subprocess.run(["llvm-objdump-19", "-dr", "--no-show-raw-insn", ko],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    # Functions in order of address within each section: [name, start, lines].
    funcs, section = [], None
    for line in dis:
        if line.startswith("Disassembly of section"):
            section = line
            continue
        m = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
        if m:
            funcs.append([m.group(2), int(m.group(1), 16), [], section])
        elif funcs and line.strip():
            funcs[-1][2].append(line)
    for i, (name, start, lines, section) in enumerate(funcs):
        if not name.endswith("11replacement"):
            continue
        count += 1
        nxt = funcs[i + 1] if i + 1 < len(funcs) else None
        end = nxt[1] if nxt and nxt[3] == section else float("inf")
        for j, line in enumerate(lines):
            m = re.match(r"^\s*([0-9a-f]+):\s+(jmp\w*)\s+(\S+)", line)
            if not m:
                continue
            where = f"{ko}: {name}+{int(m.group(1), 16) - start:#x}"
            if m.group(3).startswith("*"):
                print(f"check-frames: {where}: indirect jump: {line.strip()}")
                status = 1
                continue
            reloc = lines[j + 1] if j + 1 < len(lines) else ""
            r = re.search(r"R_X86_64_\w+\s+(\S+?)(?:[-+]0x[0-9a-f]+)?$", reloc)
            if r:
                if not r.group(1).startswith("__x86_return_thunk"):
                    print(f"check-frames: {where}: tail call of {r.group(1)}")
                    status = 1
                continue
            target = int(m.group(3), 16)
            if not start <= target < end:
                print(f"check-frames: {where}: jump to {target:#x}, outside [{start:#x}, {end:#x})")
                status = 1
print(f"check-frames: {count} replacement functions in {len(sys.argv) - 1} modules")
if count == 0:
    print("check-frames: no replacement function found")
    status = 1
sys.exit(status)
PY
