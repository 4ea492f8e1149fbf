# SPDX-License-Identifier: GPL-2.0
"""kvm-unit-tests' debug tests, a peer suite run in a target's VM.

KVM's maintainers test the guest's own debug features with
kvm-unit-tests, which runs each test as a small guest of QEMU with KVM.
Debian does not package it; a pinned copy of its source sits in
../shared/vendor/kvm-unit-tests (see the README there).  The harness
builds the tests it needs from that tarball, once per machine, in the
cache, and puts them into a target's VM with Debian's unmodified QEMU
(kgd_debian_qemu), where kut/kut_ktap.c runs each and reports it as
KTAP.
"""

import glob
import os
import shutil
import subprocess

import kgd_cache_lock
import kgd_deps
import kgd_paths
import kgd_stage


def _vendor_dirs():
	"""Where the pinned tarball may be: $KGD_VENDOR, ../shared/vendor next
	to this clone, or next to the repository it was cloned from."""
	if os.environ.get('KGD_VENDOR'):
		yield os.environ['KGD_VENDOR']
	yield os.path.join(os.path.dirname(kgd_paths.REPO), 'shared', 'vendor')
	origin = subprocess.run(['git', '-C', kgd_paths.REPO, 'config', 'remote.origin.url'],
				capture_output=True, text=True, check=False).stdout.strip()
	if origin.startswith('/'):
		yield os.path.join(os.path.dirname(os.path.abspath(origin)), 'shared', 'vendor')

INSIDE = '/kut'
# The VM's run of one of the suite's tests: this name, or this name, a
# dash and the suite's own name for the test less its "debug-".
TEST = 'kvm-unit-tests-debug'
RUNNER = 'tools/testing/kvm-guest-debug/kut/kut_ktap.c'

# What each architecture builds: configure's arguments, the tests' files,
# and the host's (command, package) it needs.
ARCHES = {
	'x86': ((), ('x86/debug.flat',), ()),
	'arm64': (('--arch=arm64', '--cross-prefix=aarch64-linux-gnu-'), ('arm/debug.flat',),
		  (('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu'),)),
}


def is_kut(test):
	"""Whether test is a run of the suite's."""
	return test.name == TEST or test.name.startswith(TEST + '-')


def tarball():
	"""The pinned kvm-unit-tests tarball, or None if this machine has none."""
	for vendor in _vendor_dirs():
		found = sorted(glob.glob(os.path.join(vendor, 'kvm-unit-tests',
						      'kvm-unit-tests-*.tar.gz')))
		if found:
			return found[-1]
	return None


def _tarball():
	found = tarball()
	if not found:
		raise kgd_stage.StageError('no kvm-unit-tests tarball in ../shared/vendor/'
					   'kvm-unit-tests or $KGD_VENDOR/kvm-unit-tests')
	return found


def _stem():
	return os.path.basename(_tarball())[:-len('.tar.gz')]


def _dir(arch):
	return os.path.join(kgd_paths.CACHE, 'kvm-unit-tests', f'{_stem()}-{arch}')


def build(arch):
	"""Builds arch's debug tests; returns {file: host path}."""
	configure, files, packages = ARCHES[arch]
	kgd_deps.ensure(packages)
	top = _dir(arch)
	src = os.path.join(top, _stem())
	with kgd_cache_lock.held('kvm-unit-tests'):
		if all(os.path.exists(os.path.join(src, f)) for f in files):
			kgd_stage.note(f'kvm-unit-tests: cached {_stem()} build for {arch}')
		else:
			log = kgd_paths.log(f'kvm-unit-tests-{arch}')
			shutil.rmtree(top, ignore_errors=True)
			os.makedirs(top)
			with kgd_stage.Stage('kvm-unit-tests', f'build {" ".join(files)} from '
					     f'{os.path.basename(_tarball())}'):
				kgd_stage.run(['tar', 'xzf', _tarball(), '-C', top], log)
				kgd_stage.run(['./configure'] + list(configure), log, cwd=src)
				kgd_stage.run(['make', '-s', '-j2'] + list(files), log, cwd=src)
	return {f: os.path.join(src, f) for f in files}


def files(arch):
	"""(path inside the VM, host path, mode) of arch's test files."""
	return [(f'{INSIDE}/{os.path.basename(name)}', path, 0o644)
		for name, path in build(arch).items()]
