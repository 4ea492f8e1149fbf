# SPDX-License-Identifier: GPL-2.0
"""e500v2 without the Book E fixes: the tests that show each bug must fail.

The kernel is the series up to the Book E guest-debug switch (the
baseline's guest debug and initial TLB1 entry, with the exit-number fix
that lets any guest run); the tests are those of the ppc-e500v2 target.
"""

from kgd_builds import PPC_E500V2, PPC_E500V2_UNFIXED
from kgd_target import Target, Test
from kgd_targets_common import PPCE500_QEMU

TARGET = Target(
	name='ppc-e500v2-unfixed', build=PPC_E500V2_UNFIXED, selftests_from=PPC_E500V2,
	emulator='qemu', qemu=PPCE500_QEMU, cmdline='console=ttyS0',
	tests=(Test('powerpc/e500_initial_tlb_test', timeout=60, must_fail=(
		('bug 3: the initial TLB1 entry never matches', r'KVM_RUN returned -1'),)),
	       # -r: KVM_SET_REGS before every run, as QEMU does, which hides bug 4
	       # from every case but the one about it.
	       Test('powerpc/guest_debug_test', args=('-n', '-r'), timeout=600, must_fail=(
		       ('bug 4: SET_GUEST_DEBUG alone arms nothing',
			r'^\s*not ok \d+ single-step: SET_GUEST_DEBUG alone arms it'),
		       ('bug 2: single-step lost after a host timer tick',
			r'lost the step after \d+ loops(.|\n)*not ok \d+ single-step: 50 of 50'),
		       ('bug 5: the guest loses its MSR[DE]',
			r'guest read MSR 0x[0-9a-f]+: it lost its own DE'),
		       ('bug 5: no control check, no KVM_CAP_SET_GUEST_DEBUG2',
			r'^\s*not ok \d+ KVM_CAP_SET_GUEST_DEBUG2'),
		       ('bug 5: unknown control flags accepted',
			r'unknown generic control bit 3: got 0'),
		       ('patch 0038: the debug instruction forces a debug exit without USE_SW_BP',
			r'control 0x0: exit DEBUG at pc 0x[0-9a-f]+, want the guest\'s sync'))),
	       ),
	vm_timeout=900,
	description='e500v2 without the Book E fixes: each fix\'s test must fail')
