# SPDX-License-Identifier: GPL-2.0
"""e500v2 with the baseline kernel: no guest takes a single exit.

The kernel is the pristine baseline; the test is the MMIO smoke test of
the ppc-e500v2 target, whose first exit must hit bug 1.
"""

from kgd_builds import PPC_E500V2, PPC_E500V2_PRISTINE
from kgd_target import Target, Test
from kgd_targets_common import PPCE500_QEMU

TARGET = Target(
	name='ppc-e500v2-pristine', build=PPC_E500V2_PRISTINE, selftests_from=PPC_E500V2,
	emulator='qemu', qemu=PPCE500_QEMU, cmdline='console=ttyS0',
	tests=(Test('powerpc/e500v2_mmio_smoke', timeout=60,
		    source='tools/testing/kvm-guest-debug/smoke/e500v2_mmio_smoke.c',
		    must_fail=(('bug 1: the first exit hits BUG() in kvmppc_handle_exit()',
				r'kernel BUG at \S*arch/powerpc/kvm/booke\.c'),)),),
	kernel_log_must_show=(('bug 1: the oops of that BUG()',
			       r'Oops: Exception in kernel mode'),),
	vm_timeout=300,
	description='e500v2 on the pristine baseline: the exit-number fix\'s test must fail')
