# SPDX-License-Identifier: GPL-2.0
"""e500v2 without the Book E fixes: the tests that show each bug must fail.

The kernel is the series up to its first Book E debug fix: the
baseline's guest debug and initial TLB1 entry, with the two exit-path
fixes that let any guest run; the tests are those of the ppc-e500v2
target.
"""

from kgd_builds import PPC_E500V2, PPC_E500V2_UNFIXED
from kgd_target import Target, Test
from kgd_targets_common import PPCE500_QEMU

TARGET = Target(
	name='ppc-e500v2-unfixed', build=PPC_E500V2_UNFIXED, selftests_from=PPC_E500V2,
	emulator='qemu', qemu=PPCE500_QEMU, cmdline='console=ttyS0',
	tests=(Test('powerpc/e500_initial_tlb_test', timeout=60, must_fail=(
		('bug 3: the initial TLB1 entry never matches', r'KVM_RUN returned -1'),)),
	       # -r: KVM_SET_REGS before every run, as QEMU does.  -s: the fixes
	       # come first in the series, so this kernel has no debug statistics
	       # yet.  Bug 4 (patches/0017) is not in the list: its case passes
	       # on this kernel, on Debian's QEMU and on ours, so no test here
	       # shows it (README, "Known gaps").
	       Test('powerpc/guest_debug_test', args=('-n', '-r', '-s'), timeout=600, must_fail=(
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
