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
import os
import shutil
import subprocess

import kgd_cache_lock
import kgd_deps
import kgd_paths
import kgd_stage

MIRROR = 'http://deb.debian.org/debian'
# Bochs' own packages only: naming the GUI front ends pulls GTK, which
# does not configure in a minbase chroot.
CHROOT_PACKAGES = ('bochs', 'bochs-term', 'bochsbios', 'vgabios')
HOST_PACKAGES = (('debootstrap', 'debootstrap'),)
# Where the run directories of the VMs go, inside a chroot.
RUNS = 'kgd-runs'


def _root(suite):
	return os.path.join(kgd_paths.CACHE, f'bochs-{suite}')


def chroot_dir(suite):
	return os.path.join(_root(suite), 'root')


def _stamp(suite):
	return os.path.join(_root(suite), 'stamp')


def _stamp_text(suite, version):
	return f'{suite} {" ".join(CHROOT_PACKAGES)} bochs {version}\n'


def version(suite):
	"""The Debian version of suite's Bochs, as its package says."""
	proc = subprocess.run(['chroot', chroot_dir(suite), 'dpkg-query', '-W',
			       '-f=${Version}', 'bochs'],
			      capture_output=True, text=True, check=False)
	return proc.stdout.strip() or 'unknown'


def name(suite):
	"""How results and tables name the emulator: "Bochs 3.0 (Debian trixie)"."""
	ver = version(suite).split('+')[0].split('-')[0]
	return f'Bochs {ver} (Debian {suite})'


def ensure(suite):
	"""Makes suite's chroot unless the cache has one with Bochs in it."""
	kgd_deps.ensure(HOST_PACKAGES)
	with kgd_cache_lock.held(f'bochs-{suite}'):
		_ensure_chroot(suite)


def _mounted_proc(root):
	return os.path.ismount(os.path.join(root, 'proc'))


def _ensure_chroot(suite):
	root = chroot_dir(suite)
	stamp = _stamp(suite)
	if os.path.exists(stamp) and os.path.exists(os.path.join(root, 'usr/bin/bochs-bin')):
		with open(stamp, encoding='utf-8') as f:
			if f.read() == _stamp_text(suite, version(suite)):
				kgd_stage.note(f'bochs: cached {suite} chroot with {name(suite)}')
				return
	log = kgd_paths.log(f'bochs-{suite}')
	if os.path.exists(stamp):
		os.unlink(stamp)
	if os.path.isdir(root):
		if _mounted_proc(root):
			kgd_stage.run(['umount', os.path.join(root, 'proc')], log)
		shutil.rmtree(root)
	os.makedirs(_root(suite), exist_ok=True)
	with kgd_stage.Stage('bochs', f'debootstrap a minimal {suite} chroot into {root} '
			     '(once per machine, about 3 min)'):
		kgd_stage.run(['debootstrap', '--variant=minbase', suite, root, MIRROR], log,
			      timeout=1800)
	with kgd_stage.Stage('bochs', f'apt-get install {" ".join(CHROOT_PACKAGES)} '
			     f'in the {suite} chroot'):
		kgd_stage.run(['mount', '-t', 'proc', 'proc', os.path.join(root, 'proc')], log)
		try:
			env = {'DEBIAN_FRONTEND': 'noninteractive'}
			kgd_stage.run(['chroot', root, 'apt-get', 'update'], log, env=env,
				      timeout=600)
			kgd_stage.run(['chroot', root, 'apt-get', 'install', '-y',
				       '--no-install-recommends'] + list(CHROOT_PACKAGES),
				      log, env=env, timeout=1800)
			kgd_stage.run(['chroot', root, 'apt-get', 'clean'], log)
		finally:
			kgd_stage.run(['umount', os.path.join(root, 'proc')], log)
	if not os.path.exists(os.path.join(root, 'usr/bin/bochs-bin')):
		raise kgd_stage.StageError(f'the {suite} chroot has no bochs-bin after apt-get '
					   f'install; see {log}')
	with open(stamp, 'w', encoding='utf-8') as f:
		f.write(_stamp_text(suite, version(suite)))
	kgd_stage.note(f'bochs: {name(suite)} ready in {root}')


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
