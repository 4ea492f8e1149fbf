# SPDX-License-Identifier: GPL-2.0
"""The peer suites and gdb through QEMU on the pristine baseline:
make check-baseline.

Our kernel must pass whatever the kernel it patches passes.  Each target
that runs kvm-unit-tests or gdb through Debian's QEMU has a -baseline
twin: the same emulator, the same Debian QEMU inside and the same tests,
on a kernel built from the tree before the series' first patch.  A twin
shares its target's known emulator bugs: an emulator's fault is the same
under either kernel.  The twins are not part of make check (a second
kernel per target, and Bochs's second run); the README puts their
results beside ours.
"""

import dataclasses

import kgd_kut
import kgd_series
import kgd_target


def twin(target):
	"""The -baseline twin of a target, or None if it runs neither."""
	tests = tuple(t for t in target.tests if kgd_kut.is_kut(t))
	# gdb through Debian's QEMU, without our stub's session.
	gdb = (dataclasses.replace(target.gdb, stub=False)
	       if target.gdb and target.gdb.debian_qemu else None)
	# A target on Debian's kernel has no kernel of ours to take back.
	if (not tests and not gdb) or target.debian_kernel_modules:
		return None
	build = dataclasses.replace(target.build, name=f'{target.build.name}_baseline',
				    before_patch=kgd_series.first_patch(), static_checks=False)
	return dataclasses.replace(target, name=f'{target.name}-baseline', build=build,
				   selftests_from=target.build, tests=tests, gdb=gdb,
				   debug_twin=False, known_bugs_of=target.name,
				   description=f'{target.name}\'s peer suites and gdb through QEMU on '
					       f'the pristine baseline kernel')


def twins(targets):
	"""{name: twin} for the targets that have one."""
	return kgd_target.twins(targets, twin)
