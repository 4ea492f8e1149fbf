# SPDX-License-Identifier: GPL-2.0
"""Debian's own amd64 kernel of the baseline's version, unmodified: its
image package for the stock targets to boot, and its headers packages to
build our modules against (kgd_modules).

The packages are fetched with apt-get download and unpacked in the cache,
never installed on the host: installing an image package would add a
kernel to the host's boot menu.  Debian builds linux-source-6.12 and the
image from one source package, so the one whose version equals the
baseline's is the kernel the series was written against.
"""

import glob
import os
import re
import shutil

import kgd_baseline
import kgd_cache_lock
import kgd_paths
import kgd_stage

FLAVOUR = 'amd64'


def _abi(ver):
	"""The ABI name (6.12.118+deb12) of the headers package whose version
	is ver, as the archive names it; Debian derives it from the version in
	a way that changes between suites, so ask apt rather than guess."""
	upstream = ver.split('-')[0]
	out = kgd_stage.capture(['apt-cache', 'search', '--names-only',
				 rf'^linux-headers-{re.escape(upstream)}\+.*-{FLAVOUR}$'])
	for line in out.splitlines():
		pkg = line.split()[0]
		policy = kgd_stage.capture(['apt-cache', 'show', '--no-all-versions', pkg])
		if f'\nVersion: {ver}\n' in '\n' + policy:
			return pkg[len('linux-headers-'):-len(f'-{FLAVOUR}')]
	raise kgd_stage.StageError(
		f'apt knows no linux-headers-{upstream}+*-{FLAVOUR} of version {ver}, '
		f'the baseline\'s ({kgd_baseline.PACKAGE}); run apt-get update, and check '
		'that bookworm-security (or the suite the baseline came from) is in the '
		'apt sources')


def _root(ver):
	return os.path.join(kgd_paths.CACHE, 'debian-kernel', f'{FLAVOUR}_{ver}')


def release(ver):
	"""The kernel release (uname -r) of Debian's kernel of version ver."""
	with open(os.path.join(_root(ver), 'release'), encoding='utf-8') as f:
		return f.read().strip()


def ensure():
	"""Fetches and unpacks the image and headers of the baseline's
	version once per machine; returns (its release, the unpacked root)."""
	ver = kgd_baseline.version()
	root = _root(ver)
	done = os.path.join(root, 'complete')
	if not os.path.exists(done):
		with kgd_cache_lock.held('debian-kernel'):
			if not os.path.exists(done):
				_unpack(ver, root, done)
	return release(ver), os.path.join(root, 'root')


def _unpack(ver, root, done):
	abi = _abi(ver)
	rel = f'{abi}-{FLAVOUR}'
	packages = (f'linux-image-{rel}', f'linux-headers-{rel}',
		    f'linux-headers-{abi}-common', f'linux-kbuild-{abi}')
	log = kgd_paths.log('debian-kernel')
	with kgd_stage.Stage('host', f'fetch and unpack Debian\'s {rel} kernel {ver} '
			     f'(image and headers, about 125 MB) into {root}'):
		shutil.rmtree(root, ignore_errors=True)
		debs = os.path.join(root, 'debs')
		os.makedirs(debs)
		kgd_stage.run(['apt-get', 'download'] + [f'{p}={ver}' for p in packages],
			      log, cwd=debs, timeout=1800)
		unpacked = os.path.join(root, 'root')
		for deb in sorted(glob.glob(os.path.join(debs, '*.deb'))):
			kgd_stage.run(['dpkg-deb', '-x', deb, unpacked], log)
		_point_headers_here(unpacked, rel, abi)
		with open(os.path.join(root, 'release'), 'w', encoding='utf-8') as f:
			f.write(rel + '\n')
		shutil.rmtree(debs)
		with open(done, 'w', encoding='utf-8') as f:
			f.write(ver + '\n')


def _point_headers_here(unpacked, rel, abi):
	"""The flavour's Makefile includes the common headers' Makefile by its
	installed path, /usr/src/...; point it at the unpacked one."""
	makefile = os.path.join(unpacked, 'usr', 'src', f'linux-headers-{rel}', 'Makefile')
	with open(makefile, encoding='utf-8') as f:
		text = f.read()
	installed = f'/usr/src/linux-headers-{abi}-common/Makefile'
	if installed not in text:
		raise kgd_stage.StageError(f'{makefile} does not include {installed}; '
					   'Debian changed its headers packages')
	here = os.path.join(unpacked, 'usr', 'src', f'linux-headers-{abi}-common', 'Makefile')
	with open(makefile, 'w', encoding='utf-8') as f:
		f.write(text.replace(installed, here))


def kdir(rel, root):
	"""The build directory (KDIR) of the unpacked headers."""
	return os.path.join(root, 'usr', 'src', f'linux-headers-{rel}')


def image(rel, root):
	return os.path.join(root, 'boot', f'vmlinuz-{rel}')


def module(rel, root, path):
	"""A module of Debian's image package, e.g. virt/lib/irqbypass, as
	(its file, whether it is xz-compressed)."""
	base = os.path.join(root, 'lib', 'modules', rel, 'kernel', path + '.ko')
	for name, packed in ((base, False), (base + '.xz', True)):
		if os.path.exists(name):
			return name, packed
	raise kgd_stage.StageError(f'Debian\'s {rel} image has no {path}.ko')
