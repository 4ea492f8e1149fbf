# SPDX-License-Identifier: GPL-2.0
"""The kernel builds that the targets share."""

import kgd_chroot
from kgd_target import Build

ARM64 = Build(
	name='arm64', arch='arm64', config='arm64.config', make_target='Image',
	image='arch/arm64/boot/Image', cross_compile='aarch64-linux-gnu-',
	selftests_arch='arm64', static_checks=True,
	packages=(('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu'),
		  ('/usr/aarch64-linux-gnu/lib/libc.a', 'libc6-dev-arm64-cross'),
		  ('qemu-system-aarch64', 'qemu-system-arm')))

X86_64 = Build(
	name='x86_64', arch='x86', config='x86_64.config', make_target='bzImage',
	image='arch/x86/boot/bzImage', selftests_arch='x86', static_checks=True,
	packages=(('/usr/lib/x86_64-linux-gnu/libc.a', 'libc6-dev'),
		  # Bochs itself runs in a trixie chroot (kgd_bochs); its boot
		  # ISO is made on the host.
		  ('/usr/lib/ISOLINUX/isolinux.bin', 'isolinux'),
		  ('/usr/lib/syslinux/modules/bios/ldlinux.c32', 'syslinux-common'),
		  ('genisoimage', 'genisoimage')))

PPC_E500V2 = Build(
	name='ppc_e500v2', arch='powerpc', config='ppc_e500v2.config',
	make_target='vmlinux', image='vmlinux', cross_compile='powerpc-linux-gnu-',
	selftests_arch='powerpc', static_checks=True,
	packages=(('powerpc-linux-gnu-gcc', 'gcc-powerpc-linux-gnu'),
		  ('/usr/powerpc-linux-gnu/lib/libc.a', 'libc6-dev-powerpc-cross'),
		  ('qemu-system-ppc', 'qemu-system-ppc')))

PPC64_E6500 = Build(
	name='ppc64_e6500', arch='powerpc', config='ppc64_e6500.config',
	make_target='vmlinux', image='vmlinux', cross_compile='powerpc64-linux-gnu-',
	static_checks=True,
	packages=(('powerpc64-linux-gnu-gcc', 'gcc-powerpc64-linux-gnu'),))

# bookworm has no LoongArch cross compiler; trixie's runs in a chroot.
LOONGARCH_CROSS = kgd_chroot.Chroot(
	name='loongarch-cross-trixie', suite='trixie',
	packages=('gcc-loongarch64-linux-gnu', 'gcc', 'libc6-dev', 'make', 'flex',
		  'bison', 'bc', 'ccache'),
	main='gcc-loongarch64-linux-gnu', probe='usr/bin/loongarch64-linux-gnu-gcc')

# Only KVM's own directory: common code's changes reach LoongArch through
# virt/kvm, which it builds into kvm.o.
LOONGARCH64 = Build(
	name='loongarch64', arch='loongarch', config='loongarch64.config',
	make_target='arch/loongarch/kvm/', image='arch/loongarch/kvm/kvm.o',
	cross_compile='loongarch64-linux-gnu-', chroot=LOONGARCH_CROSS)

# e500v2 before the Book E fixes: the baseline's guest debug and initial
# TLB1, with the exit-number fix that lets any guest run.
PPC_E500V2_UNFIXED = Build(
	name='ppc_e500v2_unfixed', arch='powerpc', config='ppc_e500v2.config',
	make_target='vmlinux', image='vmlinux', cross_compile='powerpc-linux-gnu-',
	before_patch='0016-KVM-PPC-e500-make-the-initial-TLB1-entry-reachable.patch',
	packages=PPC_E500V2.packages)

# e500v2 as the baseline has it, for the bug that stops any guest.
PPC_E500V2_PRISTINE = Build(
	name='ppc_e500v2_pristine', arch='powerpc', config='ppc_e500v2.config',
	make_target='vmlinux', image='vmlinux', cross_compile='powerpc-linux-gnu-',
	before_patch='0001-KVM-PPC-e500-pass-the-exit-number-to-kvmppc_handle_exit.patch',
	packages=PPC_E500V2.packages)
