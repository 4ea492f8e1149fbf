# SPDX-License-Identifier: GPL-2.0
"""Minimal chroots of newer Debian suites, for what bookworm lacks.

Some tools exist only as binary packages of a newer suite, linked against
its libraries: trixie's Bochs 3.0 (kgd_bochs) and trixie's LoongArch
cross compiler.  debootstrap makes a minimal chroot of that suite from
Debian's mirror, once per machine, in the cache that every clone shares,
and apt-get installs the packages in it.  A stamp names the suite, the
packages and the version of the main one, so that a change remakes it.
"""

import contextlib
import dataclasses
import os
import shutil
import subprocess

import kgd_cache_lock
import kgd_deps
import kgd_paths
import kgd_stage

MIRROR = 'http://deb.debian.org/debian'
HOST_PACKAGES = (('debootstrap', 'debootstrap'),)


@dataclasses.dataclass(frozen=True)
class Chroot:
	"""One chroot: its cache folder, suite and packages."""
	name: str			# folder below the cache, and its lock
	suite: str
	packages: tuple			# installed with --no-install-recommends
	main: str			# the package whose version the stamp records
	probe: str			# a file, relative to the root, the install must give


def _dir(chroot):
	return os.path.join(kgd_paths.CACHE, chroot.name)


def root(chroot):
	return os.path.join(_dir(chroot), 'root')


def _stamp(chroot):
	return os.path.join(_dir(chroot), 'stamp')


def _stamp_text(chroot, ver):
	return f'{chroot.suite} {" ".join(chroot.packages)} {chroot.main} {ver}\n'


def version(chroot):
	"""The Debian version of the chroot's main package."""
	proc = subprocess.run(['chroot', root(chroot), 'dpkg-query', '-W',
			       '-f=${Version}', chroot.main],
			      capture_output=True, text=True, check=False)
	return proc.stdout.strip() or 'unknown'


def ensure(chroot):
	"""Makes the chroot unless the cache has it with its packages in."""
	kgd_deps.ensure(HOST_PACKAGES)
	with kgd_cache_lock.held(chroot.name):
		_ensure(chroot)


def _ready(chroot):
	if not os.path.exists(os.path.join(root(chroot), chroot.probe)):
		return False
	if not os.path.exists(_stamp(chroot)):
		return False
	with open(_stamp(chroot), encoding='utf-8') as f:
		return f.read() == _stamp_text(chroot, version(chroot))


def _ensure(chroot):
	top = root(chroot)
	if _ready(chroot):
		kgd_stage.note(f'{chroot.name}: cached {chroot.suite} chroot with '
			       f'{chroot.main} {version(chroot)}')
		return
	log = kgd_paths.log(chroot.name)
	if os.path.exists(_stamp(chroot)):
		os.unlink(_stamp(chroot))
	if os.path.isdir(top):
		_unmount_all(top, log)
		shutil.rmtree(top)
	os.makedirs(_dir(chroot), exist_ok=True)
	with kgd_stage.Stage(chroot.name, f'debootstrap a minimal {chroot.suite} chroot '
			     f'into {top} (once per machine, about 3 min)'):
		kgd_stage.run(['debootstrap', '--variant=minbase', chroot.suite, top, MIRROR],
			      log, timeout=1800)
	with kgd_stage.Stage(chroot.name, f'apt-get install {" ".join(chroot.packages)} '
			     f'in the {chroot.suite} chroot'):
		with _proc_mounted(top, log):
			env = {'DEBIAN_FRONTEND': 'noninteractive'}
			kgd_stage.run(['chroot', top, 'apt-get', 'update'], log, env=env,
				      timeout=600)
			kgd_stage.run(['chroot', top, 'apt-get', 'install', '-y',
				       '--no-install-recommends'] + list(chroot.packages),
				      log, env=env, timeout=1800)
			kgd_stage.run(['chroot', top, 'apt-get', 'clean'], log)
	if not os.path.exists(os.path.join(top, chroot.probe)):
		raise kgd_stage.StageError(f'the {chroot.suite} chroot has no /{chroot.probe} '
					   f'after apt-get install; see {log}')
	with open(_stamp(chroot), 'w', encoding='utf-8') as f:
		f.write(_stamp_text(chroot, version(chroot)))
	kgd_stage.note(f'{chroot.name}: {chroot.main} {version(chroot)} ready in {top}')


def _unmount_all(top, log):
	"""Unmounts whatever an interrupted run left mounted below top."""
	with open('/proc/self/mounts', encoding='utf-8') as f:
		points = [line.split()[1] for line in f]
	for point in sorted((p for p in points if p == top or p.startswith(top + '/')),
			    reverse=True):
		kgd_stage.run(['umount', '-l', point], log)


@contextlib.contextmanager
def _proc_mounted(top, log):
	kgd_stage.run(['mount', '-t', 'proc', 'proc', os.path.join(top, 'proc')], log)
	try:
		yield
	finally:
		kgd_stage.run(['umount', os.path.join(top, 'proc')], log)


@contextlib.contextmanager
def bound(chroot, paths, log):
	"""Host folders bind-mounted at the same paths inside the chroot, so
	that a command run in it sees the host's paths; unmounted after."""
	top = root(chroot)
	done = []
	try:
		for path in paths:
			inside = top + path
			os.makedirs(inside, exist_ok=True)
			kgd_stage.run(['mount', '--bind', path, inside], log)
			done.append(inside)
		yield ['chroot', top]
	finally:
		for inside in reversed(done):
			kgd_stage.run(['umount', inside], log)
