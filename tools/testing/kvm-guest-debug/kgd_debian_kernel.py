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
import kgd_deps
import kgd_paths
import kgd_stage

FLAVOUR = 'amd64'
# depmod and modprobe, to read the image's module dependencies.
PACKAGES = (('depmod', 'kmod'), ('modprobe', 'kmod'))


def _abi_known(ver):
	"""The ABI name (6.12.118+deb12) of the headers package whose version
	is ver, as apt's lists name it, or None."""
	upstream = ver.split('-')[0]
	out = kgd_stage.capture(['apt-cache', 'search', '--names-only',
				 rf'^linux-headers-{re.escape(upstream)}\+.*-{FLAVOUR}$'])
	for line in out.splitlines():
		pkg = line.split()[0]
		policy = kgd_stage.capture(['apt-cache', 'show', '--no-all-versions', pkg])
		if f'\nVersion: {ver}\n' in '\n' + policy:
			return pkg[len('linux-headers-'):-len(f'-{FLAVOUR}')]
	return None


def _abi(ver, log):
	"""Debian derives the ABI name from the version in a way that changes
	between suites, so ask apt rather than guess; a machine whose lists
	are stale gets them updated once."""
	abi = _abi_known(ver)
	if abi is None:
		kgd_stage.run(['apt-get'] + kgd_deps.WAIT_FOR_LOCK + ['update'], log, timeout=900)
		abi = _abi_known(ver)
	if abi:
		return abi
	upstream = ver.split('-')[0]
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
	log = kgd_paths.log('debian-kernel')
	abi = _abi(ver, log)
	rel = f'{abi}-{FLAVOUR}'
	packages = (f'linux-image-{rel}', f'linux-headers-{rel}',
		    f'linux-headers-{abi}-common', f'linux-kbuild-{abi}')
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


def load_order(rel, root, name):
	"""The files of Debian's modules that modprobe would load for module
	name, in order, name's own last, as depmod of the unpacked image's
	modules says (the package leaves modules.dep to depmod at install)."""
	log = kgd_paths.log('debian-kernel')
	if not os.path.exists(os.path.join(root, 'lib', 'modules', rel, 'modules.dep')):
		kgd_stage.run(['depmod', '-b', root, rel], log)
	out = kgd_stage.capture(['modprobe', '-d', root, '-S', rel, '--show-depends', name])
	files = [line.split()[1] for line in out.splitlines() if line.startswith('insmod ')]
	if not files:
		raise kgd_stage.StageError(f'Debian\'s {rel} image has no module {name}')
	return files


def module_name(path):
	"""kvm-amd for .../kvm-amd.ko.xz."""
	return os.path.basename(path).split('.ko')[0]
