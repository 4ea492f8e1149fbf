# SPDX-License-Identifier: GPL-2.0
"""make check-debug: the guest-debug suites on kernels built with the
kernel's own checkers (KASAN where it runs, UBSAN, lockdep, atomic-sleep
and list debugging), and the fuzzer's long run.

Each target of `make check` that runs KVM gets a "-debug" twin: the same
emulator and test binaries, a kernel built with configs/debug*.config on
top of its own fragment, and only the guest-debug tests.  A splat of any
of the checkers in the kernel log fails the twin, as in `make check`.
"""

import dataclasses

import kgd_builds
import kgd_target
from kgd_target import Test

# Operations of the fuzzer's long run, over all its threads.
FUZZ_OPS = 100000
FUZZ_THREADS = 2

DEBUG_BUILDS = {
	'arm64': dataclasses.replace(kgd_builds.ARM64, name='arm64_debug', static_checks=False,
				     extra_configs=('debug.config', 'debug-kasan.config')),
	'x86_64': dataclasses.replace(kgd_builds.X86_64, name='x86_64_debug',
				      static_checks=False,
				      extra_configs=('debug.config', 'debug-kasan.config')),
	'ppc_e500v2': dataclasses.replace(kgd_builds.PPC_E500V2, name='ppc_e500v2_debug',
					  static_checks=False,
					  extra_configs=('debug.config', 'debug-kasan.config')),
}

# Checked kernels run several times slower: every time limit grows by this.
SLOWDOWN = 4
# Bochs runs the checked x86 kernel slowest of all: its 100,000 fuzz
# operations took 75-92 min of wall time on Bochs 2.7, and the whole run
# 97 min while other twins built and ran beside it; 3.0 is about twice as
# fast alone, but as slow when it shares the two cores.
BOCHS_VM_TIMEOUT = 10800


def _more_memory(argv):
	"""The emulator's argv with twice the guest RAM: KASAN's shadow and
	quarantine take their share, and the fuzzer creates some 2,000 VMs."""
	argv = list(argv)
	if '-m' in argv:
		i = argv.index('-m') + 1
		argv[i] = str(int(argv[i]) * 2)
	return tuple(argv)


def _tests(target):
	tests = []
	for test in target.tests:
		if 'guest_debug' not in test.name:
			continue
		if test.name == 'guest_debug_fuzz_test':
			test = Test(test.name, timeout=3000,
				    args=('-n', str(FUZZ_OPS // FUZZ_THREADS), '-t', str(FUZZ_THREADS)))
		else:
			test = dataclasses.replace(test, timeout=test.timeout * SLOWDOWN)
		tests.append(test)
	return tuple(tests)


def twin(target):
	"""The -debug twin of a target, or None if it has none."""
	build = DEBUG_BUILDS.get(target.build.name)
	if not build or not target.emulator or target.bare_metal or not target.debug_twin:
		return None
	tests = _tests(target)
	assert any(t.name == 'guest_debug_fuzz_test' for t in tests), \
		f'{target.name}: check-debug wants its fuzzer run'
	return dataclasses.replace(target, name=target.name + '-debug', build=build,
				   selftests_from=target.build, tests=tests, gdb=None,
				   known_bugs_of=target.name, qemu=_more_memory(target.qemu),
				   vm_timeout=max(target.vm_timeout * SLOWDOWN,
						  BOCHS_VM_TIMEOUT if target.emulator == 'bochs' else 3600),
				   description=target.description + ' (checked kernel)')


def twins(targets):
	"""{name: twin} for the targets that have one."""
	return kgd_target.twins(targets, twin)
