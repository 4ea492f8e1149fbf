# SPDX-License-Identifier: GPL-2.0
"""Our QEMU's e500v2 debug unit, checked bare-metal, without KVM."""

from kgd_builds import PPC_E500V2
from kgd_target import BareMetal, Target

SRC = 'tools/testing/kvm-guest-debug/emulator-tests/e500v2/'

TARGET = Target(
	name='qemu-e500v2-debug-unit', build=PPC_E500V2, emulator='qemu', our_qemu=True,
	qemu=('qemu-system-ppc', '-M', 'ppce500', '-cpu', 'e500v2', '-m', '256',
	      '-nographic', '-monitor', 'none', '-no-reboot', '-net', 'none',
	      '-kernel', '@KERNEL@'),
	bare_metal=BareMetal('emulator/e500v2_debug_events',
			     sources=(SRC + 'start.S', SRC + 'e500v2_debug_events.c'),
			     ldscript=SRC + 'e500v2.lds', cflags=('-mcpu=8548', '-msoft-float')),
	vm_timeout=60,
	description='our QEMU, no kernel: e500v2 IAC/DAC/ICMP events, DBSR, CSRR0/1')
