# SPDX-License-Identifier: GPL-2.0
#
# Rust livepatch framework: out-of-tree build of the Rust livepatch modules
# against the lab kernel, and the lab itself (kernel, VM, tests).
#
#   make demo     build everything, boot the kernel in QEMU, live patch /proc/cmdline
#   make check    run every test; ends with "N passed, N failed"
#   make kernel   build or reuse the cached kernel
#   make -s kdir  print the kernel build directory
#   make modules  build the Rust modules against $(KDIR)
#   make vm CMD='...'  run a command in the VM, in this directory, with the modules built
#   make bench    C twin vs Rust port: module sizes, /proc/cmdline read cost in the VM
#   make stress [N=1000] [SEED=S]  random load/unload/disable/replace/parameter
#                 sequences under load in the VM, on the debug kernel unless KERNEL=lab
#   make clippy   build the modules with CLIPPY=1
#   make fmt / make fmtcheck   rustfmt with the kernel's .rustfmt.toml

SHELL := /bin/bash
LAB := $(CURDIR)/scripts
LAB_CACHE ?= /opt/rust-livepatch
export LAB_CACHE
KSRC := $(LAB_CACHE)/src/linux-source-6.12

# KDIR defaults to the cached lab kernel, built on first use (evaluated once).
ifeq ($(origin KDIR),undefined)
KDIR = $(eval KDIR := $$(shell $(LAB)/kernel.sh --print-dir))$(KDIR)
endif
export KDIR

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=-19 RUSTC=/usr/bin/rustc \
	RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver \
	BINDGEN=$(LAB_CACHE)/cargo/bin/bindgen

.PHONY: all modules clippy bindings kernel kdir deps demo check bench stress vm fmt fmtcheck clean
all: modules

deps:
	@$(LAB)/deps.sh

kernel:
	@$(LAB)/kernel.sh

kdir:
	@$(LAB)/kernel.sh --print-dir

bindings: src/bindings_generated.rs src/targets_generated.rs

src/bindings_generated.rs: src/bindings_helper.h scripts/gen-bindings.sh $(KDIR)/.config
	$(LAB)/gen-bindings.sh $(KDIR) $< $@

src/targets_generated.rs: src/targets.txt scripts/gen-targets.sh scripts/gen-bindings.sh $(KDIR)/.config
	$(LAB)/gen-targets.sh $(KDIR) $(KSRC) $< $@

modules: bindings
	+$(KMAKE) modules

clippy: bindings
	+$(KMAKE) CLIPPY=1 modules

demo: modules
	@$(LAB)/demo.sh

check:
	@$(LAB)/check.sh

bench:
	@$(LAB)/bench.sh

# The debug kernel unless KERNEL is given (environment or command line).
STRESS_KERNEL = $(if $(filter environment command line,$(origin KERNEL)),$(KERNEL),debug)
stress: KDIR = $(shell KERNEL=$(STRESS_KERNEL) $(LAB)/kernel.sh --print-dir)
stress:
	@KERNEL=$(STRESS_KERNEL) N=$(N) SEED=$(SEED) $(LAB)/stress.sh

vm: modules
	@$(LAB)/vm.sh "$(CMD)"

RUST_SOURCES = $(shell git ls-files --cached --others --exclude-standard '*.rs' 2>/dev/null || find . -name '*.rs')
fmt:
	rustfmt --edition 2021 --config-path $(KSRC)/.rustfmt.toml $(RUST_SOURCES)

fmtcheck:
	rustfmt --check --edition 2021 --config-path $(KSRC)/.rustfmt.toml $(RUST_SOURCES)

clean:
	-+$(KMAKE) clean
	rm -f src/bindings_generated.rs src/targets_generated.rs
