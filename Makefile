# SPDX-License-Identifier: GPL-2.0
# kvm-guest-debug: top-level commands.  Everything is done by the harness in
# tools/testing/kvm-guest-debug/; see README.md.

KGD := python3 tools/testing/kvm-guest-debug/kgd.py
TARGET ?= arm64

.PHONY: demo run check check-debug check-baseline series series-bisect bench vm-run list checkpatch clean modules modules_install

# gdb-multiarch on a guest program, through our stub and KVM, in TARGET's VM.
demo:
	$(KGD) demo $(TARGET)

# One target (default arm64): build, boot, test.
run:
	$(KGD) run $(TARGET)

# Every target, plus the check that the series rebuilds the tested tree.
check:
	$(KGD) check

# The guest-debug suites and the long fuzz run on kernels with KASAN,
# UBSAN, lockdep, DEBUG_ATOMIC_SLEEP and DEBUG_LIST.
check-debug:
	$(KGD) check-debug

# kvm-unit-tests under Debian's QEMU on the pristine baseline kernel, for
# the README's side-by-side table.
check-baseline:
	$(KGD) check-baseline

# The git-am-able series with its cover letter, in out/series/; with
# BASE=mainline, the fixes as one posting per maintainer tree, in
# out/series-mainline/.
series:
	$(KGD) series $(if $(BASE),--base $(BASE))

# The guest debug benchmark, pristine baseline against ours: make bench TARGET=x86_64-vmx
bench:
	$(KGD) bench $(TARGET) $(SCALE)

# Every commit of the series builds on its own, on each build it touches.
series-bisect:
	$(KGD) series-bisect

# Any static binary in a target's VM: make vm-run TARGET=arm64 TEST=./a.out
# [ARGS="-n 5"] [TIMEOUT=<the VM's hard limit in seconds>]
vm-run:
	@test -n "$(TEST)" || { echo "usage: make vm-run TARGET=<target> TEST=<static binary> [ARGS=<its arguments>]"; exit 2; }
	$(KGD) vm-run $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(TARGET) $(TEST) $(ARGS)

list:
	$(KGD) list

# Our x86 KVM (kvm.ko, kvm-intel.ko, kvm-amd.ko) for a Debian 6.12 kernel,
# through the top-level Kbuild: KDIR defaults to the running kernel's
# build directory; KDIR=debian fetches Debian's of the baseline's version.
modules:
	$(KGD) modules $(if $(KDIR),--kdir $(KDIR))

# The same, then installed where modprobe prefers them to the kernel's own.
modules_install:
	$(KGD) modules --install $(if $(KDIR),--kdir $(KDIR))

clean:
	rm -rf out
