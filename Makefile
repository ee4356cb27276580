# SPDX-License-Identifier: GPL-2.0
#
# Rust livepatch framework: out-of-tree build of the Rust livepatch modules
# against the lab kernel, and the lab itself (kernel, VM, tests).
#
#   make demo     build everything, boot the kernel in QEMU, live patch /proc/cmdline
#   make demo-fix the real fix (macvlan, Linux 6.12.117) as a Rust livepatch, in the VM
#   make check    run every test; ends with "N passed, N failed"
#   make kernel   build or reuse the cached kernel
#   make -s kdir  print the kernel build directory
#   make modules  build the Rust modules against $(KDIR) (checks signatures, makes
#                 livepatch relocations: tools/klp-elf; signs them if the kernel has
#                 CONFIG_MODULE_SIG: its key, or SIGN_KEY=... SIGN_CERT=...)
#   make tools    build tools/klp-elf and tools/klp (the klp command)
#   make doc      rustdoc HTML of the livepatch crate, in doc/livepatch/
#   make vm CMD='...'  run a command in the VM, in this directory, with the modules built
#   make compile-fail  modules that must not build, and their twins that must
#   make bench    C original vs Rust port: loaded sizes, the cost of a patched getpid()
#                 in the VM (-icount), upstream selftest wall time; the goals of
#                 issue 9 print ok or FAILED, and a failed one fails make bench
#   make stress [N=1000] [SEED=S]  random load/unload/disable/replace/parameter
#                 sequences under load in the VM, on the debug kernel unless KERNEL=lab
#   make clippy   build the modules with CLIPPY=1
#   make fmt / make fmtcheck   rustfmt with the kernel's .rustfmt.toml
#
# KERNEL=debug (any target) uses the debug lab kernel instead: KASAN, kmemleak,
# lockdep and the other checkers of scripts/config/debug/.

SHELL := /bin/bash
LAB := $(CURDIR)/scripts
LAB_CACHE ?= /opt/rust-livepatch
export LAB_CACHE
KSRC := $(LAB_CACHE)/src/linux-source-6.12

# KERNEL: lab (default) or debug, for every script.
KERNEL ?= lab
ifeq ($(filter lab debug,$(KERNEL)),)
$(error KERNEL=$(KERNEL): expected lab or debug)
endif
export KERNEL

# KDIR defaults to the cached $(KERNEL) kernel, built on first use (evaluated
# once). $(shell) does not see make's exports: KERNEL is passed explicitly.
ifeq ($(origin KDIR),undefined)
KDIR = $(eval KDIR := $$(shell KERNEL=$(KERNEL) $(LAB)/kernel.sh --print-dir))$(KDIR)
endif
export KDIR

# tools/klp-elf, the build-time tool (signature checks, livepatch relocations), built outside
# the repository; the C target modules whose definitions it checks against, built for KDIR.
# KLP_ELF=DIR/release/klp-elf (command line or environment) builds it in DIR instead: a second
# worktree never overwrites the tool another one uses.
KLP_ELF ?= $(LAB_CACHE)/klp-elf/release/klp-elf
KLP_ELF_DIR = $(patsubst %/release/klp-elf,%,$(KLP_ELF))
export KLP_ELF
# tools/klp, the command-line tool (KLP=DIR/release/klp builds it in DIR instead).
KLP ?= $(LAB_CACHE)/klp/release/klp
KLP_DIR = $(patsubst %/release/klp,%,$(KLP))
export KLP
KLP_TARGETS = $(KDIR)-targets

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=-19 RUSTC=/usr/bin/rustc \
	RUSTFMT=/usr/bin/rustfmt RUSTDOC=/usr/bin/rustdoc CLIPPY_DRIVER=/usr/bin/clippy-driver \
	BINDGEN=$(LAB_CACHE)/cargo/bin/bindgen KLP_ELF=$(KLP_ELF) KLP_TARGETS=$(KLP_TARGETS)

.PHONY: all modules tools targets demo-fix doc clippy bindings kernel kdir deps demo check bench stress vm fmt fmtcheck clean compile-fail FORCE
all: modules

deps:
	@$(LAB)/deps.sh

kernel:
	@$(LAB)/kernel.sh

kdir:
	@$(LAB)/kernel.sh --print-dir

bindings: src/bindings_generated.rs src/targets_generated.rs

# The generated bindings hold the struct layouts of the kernel they were
# generated for (klp_patch embeds kobjects, a work_struct and a completion,
# which lockdep makes larger), and so do the objects built from them: src/.kdir
# names that kernel. It is rewritten only when KDIR changes, which regenerates
# its dependents; then the objects of the other kernel are removed first.
# Kbuild alone rebuilds an object whose command line changed, but checks a C
# object's configuration dependencies as relative paths (include/config/*),
# older in any already built kernel than the object: two kernels compiled with
# the same flags would share stale objects.
FORCE:

src/.kdir: FORCE
	+@if [ "$$(cat $@ 2>/dev/null)" != "$(KDIR)" ]; then \
		$(KMAKE) -s clean && echo "$(KDIR)" >$@; \
	fi

src/bindings_generated.rs: src/bindings_helper.h scripts/gen-bindings.sh src/.kdir $(KDIR)/.config
	$(LAB)/gen-bindings.sh $(KDIR) $< $@

src/targets_generated.rs: src/targets.txt scripts/gen-targets.sh scripts/gen-bindings.sh src/.kdir $(KDIR)/.config
	$(LAB)/gen-targets.sh $(KDIR) $(KSRC) $< $@

# After Kbuild links the modules, references to `klp_extern!` symbols become livepatch
# relocations (idempotent: a module already converted is left as it is). Then, on a kernel
# with CONFIG_MODULE_SIG, each module is signed after that last edit: with the kernel's own
# key, or SIGN_KEY=KEY SIGN_CERT=CERT (scripts/sign-modules.sh).
modules: bindings tools targets
	+$(KMAKE) modules
	@for ko in $$(sed 's/\.o$$/.ko/' modules.order); do $(KLP_ELF) convert --kdir $(KDIR) $$ko || exit; done
	@$(LAB)/sign-modules.sh $(KDIR) $$(sed 's/\.o$$/.ko/' modules.order)

# The build tool and the `klp` command (tools/klp, used in the VM), with their pinned crates
# (Cargo.lock), from crates.io; `cargo test` runs their unit tests.
tools:
	@cd tools/klp-elf && CARGO_TARGET_DIR=$(KLP_ELF_DIR) LIBCLANG_PATH=/usr/lib/llvm-19/lib \
		cargo build --release --locked --quiet
	@cd tools/klp && CARGO_TARGET_DIR=$(KLP_DIR) cargo build --release --locked --quiet

# The C modules that Rust livepatches target and that the kernel build does not provide (the
# selftests' test_klp_callbacks_busy, the module of the real fix), in $(KLP_TARGETS).
targets:
	@$(LAB)/build-targets.sh $(KDIR) $(KLP_TARGETS)

clippy: bindings tools targets
	+$(KMAKE) CLIPPY=1 modules

# rustdoc HTML of the livepatch crate (see Kbuild), any warning an error.
doc: bindings tools targets
	+$(KMAKE) KLP_DOC=y modules
	@echo "$(CURDIR)/doc/livepatch/index.html"

demo: modules
	@$(LAB)/demo.sh

# The real fix (samples/livepatch/livepatch_macvlan_fix.rs) as a transcript in the VM.
demo-fix: modules
	@$(LAB)/demo-fix.sh

check:
	@$(LAB)/check.sh

compile-fail: bindings
	@$(LAB)/compile-fail.sh

bench:
	@$(LAB)/bench.sh

# The debug kernel unless KERNEL is given (environment or command line).
STRESS_KERNEL = $(if $(filter environment command line,$(origin KERNEL)),$(KERNEL),debug)
stress: KDIR = $(shell KERNEL=$(STRESS_KERNEL) $(LAB)/kernel.sh --print-dir)
stress:
	@KERNEL=$(STRESS_KERNEL) N=$(N) SEED=$(SEED) $(LAB)/stress.sh

vm: modules
	@$(LAB)/vm.sh "$(CMD)"

# Not the compile-fail cases: each is two modules in one file (see scripts/compile-fail.sh).
# Not tools/klp-elf and tools/klp either: host programs, formatted by `cargo fmt` (make check
# runs it).
RUST_SOURCES = $(foreach f,$(shell git ls-files --cached --others --exclude-standard '*.rs' 2>/dev/null || find . -name '*.rs'),$(if $(findstring /compile_fail/,$(f))$(findstring tools/klp-elf/,$(f))$(findstring tools/klp/,$(f)),,$(f)))
fmt:
	rustfmt --edition 2021 --config-path $(KSRC)/.rustfmt.toml $(RUST_SOURCES)

fmtcheck:
	rustfmt --check --edition 2021 --config-path $(KSRC)/.rustfmt.toml $(RUST_SOURCES)

clean:
	-+$(KMAKE) clean
	rm -rf src/bindings_generated.rs src/targets_generated.rs src/.kdir doc
