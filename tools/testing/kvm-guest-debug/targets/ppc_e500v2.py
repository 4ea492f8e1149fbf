# SPDX-License-Identifier: GPL-2.0
"""ppc32 e500v2 (booke, KVM_E500V2) on QEMU's ppce500 machine."""

from kgd_builds import PPC_E500V2
from kgd_target import GdbLink, Target, Test
from kgd_targets_common import PPCE500_QEMU

TARGET = Target(
	name='ppc-e500v2', build=PPC_E500V2, emulator='qemu',
	qemu=PPCE500_QEMU, our_qemu=True,
	cmdline='console=ttyS0',
	tests=(Test('powerpc/e500v2_mmio_smoke', timeout=60,
		    source='tools/testing/kvm-guest-debug/smoke/e500v2_mmio_smoke.c'),
	       Test('guest_print_test', timeout=120),
	       # ppce500 has one CPU and KVM_E500V2 one vCPU per VM.
	       Test('kvm_binary_stats_test', args=('4', '1'), timeout=120),
	       Test('powerpc/e500_initial_tlb_test', timeout=60),
	       Test('powerpc/guest_debug_test', timeout=600),
	       Test('powerpc/guest_debug_vmm_compat_test', timeout=120),
	       Test('guest_debug_trace_test', timeout=120),
	       Test('guest_debug_fuzz_test', timeout=300),
	       Test('guest_debug_step_race_test', timeout=300)),
	# The stub's line: ppce500's second 16550 (ttyS1), on a loopback TCP port.
	gdb=GdbLink(device='/dev/ttyS1', guest_start='booke.S', guest_base=0x10000,
		    guest_cflags=('-mcpu=8548', '-msoft-float'),
		    qemu_args=('-serial', 'stdio', '-chardev',
			       'socket,id=gdb,host=127.0.0.1,port=@PORT@,server=on,wait=off',
			       '-serial', 'chardev:gdb')),
	vm_timeout=900,
	description='ppc32 e500v2 on our QEMU ppce500: the Book E selftests, '
		    'IAC and DAC firing included')
