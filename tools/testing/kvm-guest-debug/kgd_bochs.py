# SPDX-License-Identifier: GPL-2.0
"""The Bochs that the VMX targets run on: trixie's, in a chroot that the
harness makes once per machine.

Bookworm's Bochs 2.7 leaves a single-step trap pending in the VMCS after
a step over a VM-exiting instruction, so the next VM entry raises a #DB
one instruction early, and it has no posted interrupts at all.  Bochs
cannot be built here (Debian's orig tarball is missing from the mirror),
but trixie's binary package of 3.0 has neither problem; it needs
trixie's libraries.  So a minimal trixie chroot, made with debootstrap
from Debian's mirror, holds it.  Every clone on the machine shares it
through the cache, one writer at a time, with a stamp that names the
Bochs version it holds.
"""

import hashlib

import kgd_chroot
import kgd_paths

# Bochs' own packages only: naming the GUI front ends pulls GTK, which
# does not configure in a minbase chroot.
CHROOT_PACKAGES = ('bochs', 'bochs-term', 'bochsbios', 'vgabios')
# Where the run directories of the VMs go, inside a chroot.
RUNS = 'kgd-runs'


def _chroot(suite):
	return kgd_chroot.Chroot(name=f'bochs-{suite}', suite=suite, packages=CHROOT_PACKAGES,
				 main='bochs', probe='usr/bin/bochs-bin')


def chroot_dir(suite):
	return kgd_chroot.root(_chroot(suite))


def version(suite):
	"""The Debian version of suite's Bochs, as its package says."""
	return kgd_chroot.version(_chroot(suite))


def name(suite):
	"""How results and tables name the emulator: "Bochs 3.0 (Debian trixie)"."""
	ver = version(suite).split('+')[0].split('-')[0]
	return f'Bochs {ver} (Debian {suite})'


def ensure(suite):
	"""Makes suite's chroot unless the cache has one with Bochs in it."""
	kgd_chroot.ensure(_chroot(suite))


def run_dir(suite, target_name):
	"""(host path, path Bochs sees) of the folder for one VM's files:
	inside the chroot, one per clone and target, since the cache is shared.
	"""
	clone = hashlib.sha256(kgd_paths.OUT.encode()).hexdigest()[:12]
	inside = f'/{RUNS}/{clone}-{target_name}'
	return chroot_dir(suite) + inside, inside


def argv(suite, bochsrc, cmds):
	"""The command that runs Bochs on bochsrc (paths as Bochs sees them)."""
	return ['chroot', chroot_dir(suite), 'bochs-bin', '-q', '-f', bochsrc, '-rc', cmds]
