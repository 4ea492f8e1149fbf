# SPDX-License-Identifier: GPL-2.0
"""What a target is: a kernel build, an emulator to run it, and its tests.

Each file in targets/ defines one TARGET, in the way kunit's qemu_configs/
define one QemuArchParams each.
"""

import dataclasses
import importlib.util
import os

import kgd_paths


@dataclasses.dataclass(frozen=True)
class Build:
	"""A kernel plus the userspace built against it; targets may share one."""
	name: str
	arch: str			# kernel ARCH=
	config: str			# fragment in configs/
	make_target: str		# e.g. Image, bzImage, vmlinux
	image: str			# path of the boot image under O=
	cross_compile: str = ''
	selftests_arch: str = ''	# ARCH= for the kvm selftests; '' for none
	packages: tuple = ()		# (command or path, Debian package)
	static_checks: bool = False	# W=1 and sparse on the files the series touches
	extra_configs: tuple = ()	# fragments applied after config
	# A kernel without a fix: the series up to, not including, this patch
	# of patches/.  It shows what the fix fixes.
	before_patch: str = ''
	# A chroot (kgd_chroot.Chroot) whose compiler builds the kernel, for
	# an architecture that bookworm has no cross compiler for.
	chroot: object = None


@dataclasses.dataclass(frozen=True)
class Test:
	"""One static binary run by /init inside the VM."""
	name: str			# also its path below the selftests output
	args: tuple = ()
	timeout: int = 120		# seconds, enforced by /init
	source: str = ''		# standalone C file (repo-relative), if not a kvm selftest
	# On a kernel without a fix: (bug, output regex) pairs; the test must
	# fail, and show every regex.
	must_fail: tuple = ()


@dataclasses.dataclass(frozen=True)
class BareMetal:
	"""A program the emulator boots in place of a kernel (kgd_bare_metal)."""
	name: str			# its result's name
	sources: tuple			# repo-relative C and assembler files
	ldscript: str			# repo-relative
	cflags: tuple = ()


@dataclasses.dataclass(frozen=True)
class GdbLink:
	"""How a target's VM carries RSP, and what its guest program is."""
	device: str			# the stub's serial line inside the VM
	guest_start: str		# the start code, in guest/
	guest_base: int			# where the guest is linked
	guest_cflags: tuple = ()
	qemu_args: tuple = ()		# @PORT@: the emulator's TCP port
	stub: bool = True		# our stub runs the guest (the baseline twins: no)
	# Debian's QEMU, with the guest program under its own gdbstub on the
	# same line (kgd_gdb_qemu): its arguments for this VM, if it runs, and
	# how many hardware breakpoints gdb then sets at once.
	debian_qemu: tuple = ()
	hbreaks: int = 0


@dataclasses.dataclass(frozen=True)
class Target:
	name: str
	build: Build
	emulator: str = ''		# 'qemu', 'bochs', or '' for build-only
	qemu: tuple = ()		# argv; @KERNEL@, @INITRD@, @CMDLINE@ are filled in
	our_qemu: bool = False		# run qemu[0] as built by kgd_qemu (qemu/*.patch)
	cmdline: str = ''
	tests: tuple = ()
	vm_timeout: int = 300		# hard wall-clock limit of one emulator run
	bochs_cpu: str = ''
	# The Debian suite whose Bochs runs the target, in a chroot (kgd_bochs).
	bochs_suite: str = 'trixie'
	kernel_log_expect: str = ''	# a line that proves KVM came up as intended
	selftests_from: Build = None	# the build whose test binaries to run, if not build
	# A kernel without a fix may oops: (bug, regex) pairs of splats the
	# kernel log must show.  Oopses then kill the test, not the kernel.
	kernel_log_must_show: tuple = ()
	# (regex, why) for kernel messages that name a splat word but are no
	# splat: the kernel's reports about the emulated CPU.
	kernel_log_not_splats: tuple = ()
	# Instead of a kernel: a program that tests the emulator itself;
	# build then only names the cross compiler.
	bare_metal: BareMetal = None
	# The gdb stub's end-to-end check and `make demo` (kgd_gdb).
	gdb: GdbLink = None
	# A variant of another target: that target's known emulator bugs apply.
	known_bugs_of: str = ''
	# A -debug twin for `make check-debug`; off for a variant that runs a
	# few of its base target's tests, whose twin already covers the code.
	debug_twin: bool = True
	# Debian's QEMU and kvm-unit-tests' debug tests for this architecture
	# (kgd_kut) go into the VM, for the tests that run them.
	kut_arch: str = ''
	# Instead of the build's kernel: Debian's own of the baseline's version,
	# unmodified (kgd_debian_kernel), with these of our KVM modules built
	# for it (kgd_modules) and loaded by /init.  The build still gives the
	# tests and /init.
	debian_kernel_modules: tuple = ()
	description: str = ''


def load_one(stem):
	"""The Target of targets/<stem>.py, for a target that varies another."""
	spec = importlib.util.spec_from_file_location(
		stem, os.path.join(kgd_paths.HARNESS, 'targets', stem + '.py'))
	module = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(module)
	return module.TARGET


def load_all():
	"""Returns {name: Target} for every file in targets/."""
	targets = {}
	folder = os.path.join(kgd_paths.HARNESS, 'targets')
	for fname in sorted(os.listdir(folder)):
		if fname.endswith('.py'):
			target = load_one(fname[:-3])
			targets[target.name] = target
	return targets


def twins(targets, twin):
	"""{name: twin(target)} for the targets for which twin gives one."""
	made = (twin(target) for target in targets.values())
	return {made_twin.name: made_twin for made_twin in made if made_twin}
