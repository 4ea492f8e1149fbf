# SPDX-License-Identifier: GPL-2.0
"""ppc64 e6500 (bookehv, KVM_E500MC): compile-only, no emulator runs it."""

from kgd_builds import PPC64_E6500
from kgd_target import Target

TARGET = Target(
	name='ppc64-e6500', build=PPC64_E6500,
	description='ppc64 e6500 bookehv: build only; QEMU has no embedded '
		    'hypervisor category, so KVM_E500MC cannot run anywhere here')
