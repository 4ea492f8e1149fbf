# SPDX-License-Identifier: GPL-2.0
"""LoongArch KVM: compile-only, with trixie's cross compiler in a chroot."""

from kgd_builds import LOONGARCH64
from kgd_target import Target

TARGET = Target(
	name='loongarch64', build=LOONGARCH64,
	description='LoongArch KVM: builds arch/loongarch/kvm with the common '
		    'guest-debug code; no emulator here runs LoongArch virtualization')
