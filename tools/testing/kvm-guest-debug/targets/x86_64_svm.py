# SPDX-License-Identifier: GPL-2.0
"""x86_64 SVM (kvm_amd with nested paging) on our QEMU 7.2 TCG.

Debian's QEMU gets SVM guest debug wrong and Bochs cannot be rebuilt
here, so this target runs the QEMU that kgd_qemu builds.
"""

import dataclasses

from kgd_builds import X86_64
from kgd_target import Target, Test
from kgd_targets_common import X86_GDB, X86_KUT_DEBUG

TARGET = Target(
	name='x86_64-svm', build=X86_64, emulator='qemu', our_qemu=True,
	qemu=('qemu-system-x86_64', '-M', 'pc', '-cpu', 'max,svm=on,npt=on',
	      '-m', '1024', '-nographic', '-monitor', 'none', '-no-reboot',
	      '-net', 'none', '-L', '/usr/share/qemu', '-L', '/usr/share/seabios',
	      '-kernel', '@KERNEL@', '-initrd', '@INITRD@', '-append', '@CMDLINE@'),
	cmdline='console=ttyS0,115200 tsc_early_khz=2100000',
	tests=(Test('x86_64/guest_debug_smoke_test', timeout=300),
	       Test('x86_64/guest_debug_test', timeout=600),
	       Test('x86_64/guest_debug_dr_race_test', timeout=300),
	       Test('x86_64/guest_debug_nested_test', timeout=300),
	       Test('x86_64/guest_debug_vmm_compat_test', timeout=300),
	       Test('x86_64/debug_regs', timeout=300),
	       Test('guest_debug_trace_test', timeout=120),
	       Test('kvm_binary_stats_test', timeout=300),
	       Test('guest_debug_fuzz_test', timeout=300),
	       Test('guest_debug_step_race_test', timeout=300),
	       X86_KUT_DEBUG),
	kut_arch='x86',
	# The gdb line on a loopback TCP port.
	gdb=dataclasses.replace(
		X86_GDB, qemu_args=('-serial', 'stdio', '-chardev',
				    'socket,id=gdb,host=127.0.0.1,port=@PORT@,server=on,wait=off',
				    '-serial', 'chardev:gdb')),
	vm_timeout=600,
	description='x86_64 SVM on our QEMU: int3, single-step, DR0-3 breakpoints '
		    'and watchpoints, DR6, DR7.GD')
