# SPDX-License-Identifier: GPL-2.0
"""Programs that run on the emulated machine itself, with no kernel.

They check the emulator: that the debug unit KVM relies on behaves as
the architecture says, without KVM or Linux in between.  Each prints
the KTAP that the VM's /init would, so that its results are collected
like a target's.
"""

import os

import kgd_kernel
import kgd_paths
import kgd_stage

CFLAGS = ('-O2', '-Wall', '-Wextra', '-Werror', '-ffreestanding', '-nostdlib',
	  '-static', '-fno-pic', '-Wl,--build-id=none', '-Wl,-z,noexecstack',
	  '-Wl,--no-warn-rwx-segments')


def build(target):
	"""Compiles target.bare_metal; returns the path of its ELF."""
	prog = target.bare_metal
	out = os.path.join(kgd_paths.OUT, 'bare-metal', target.name, os.path.basename(prog.name))
	os.makedirs(os.path.dirname(out), exist_ok=True)
	srcs = [os.path.join(kgd_paths.REPO, s) for s in prog.sources]
	cmd = ['ccache', f'{target.build.cross_compile}gcc'] + list(CFLAGS) + list(prog.cflags)
	cmd += ['-Wl,-T,' + os.path.join(kgd_paths.REPO, prog.ldscript), '-o', out] + srcs
	kgd_stage.run(cmd, kgd_paths.log(f'{target.name}-bare-metal'), env=kgd_kernel.ccache_env())
	return out
