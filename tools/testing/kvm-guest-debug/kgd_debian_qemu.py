# SPDX-License-Identifier: GPL-2.0
"""Debian's unmodified QEMU as a VMM inside a target's VM.

Users debug their guests through QEMU, so the peer suites run QEMU itself
on our kernels: bookworm's own binary, not the QEMU the harness patches
for the emulators.

On x86 that is the host's qemu-system-x86 package; the VM gets the binary
with the shared libraries it loads, found with ldd, and the firmware a PC
guest boots with.  An arm64 VM needs bookworm's arm64 build of
qemu-system-arm, which this host cannot install: debootstrap downloads it
with every package it depends on, once per machine, into the cache, and
the harness unpacks them there and takes the binary with the libraries
its ELF headers name.
"""

import glob
import os
import re
import shutil
import subprocess

import kgd_cache_lock
import kgd_chroot
import kgd_deps
import kgd_paths
import kgd_stage

X86_PACKAGES = (('/usr/bin/qemu-system-x86_64', 'qemu-system-x86'),
		('/usr/share/seabios/bios-256k.bin', 'seabios'))
X86_QEMU = '/usr/bin/qemu-system-x86_64'
# The PC firmware, the option ROMs that -kernel loads a multiboot, PVH
# or Linux guest with, and the vAPIC ROM that KVM's TPR patching uses.
X86_FIRMWARE = ('/usr/share/seabios/bios-256k.bin', '/usr/share/qemu/multiboot_dma.bin',
		'/usr/share/qemu/pvh.bin', '/usr/share/qemu/linuxboot_dma.bin',
		'/usr/share/qemu/kvmvapic.bin')

ARM64_QEMU = '/usr/bin/qemu-system-aarch64'
ARM64_SUITE = 'bookworm'
ARM64_PACKAGE = 'qemu-system-arm'
# Where an arm64 bookworm system keeps its shared libraries, in the order
# the dynamic loader searches them.
ARM64_LIB_DIRS = ('/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib', '/usr/lib')
ARM64_LOADER = '/lib/ld-linux-aarch64.so.1'


def files(arch):
	"""(path inside the VM, host path, mode) of Debian's QEMU for arch and
	what it needs; the paths inside are those of a Debian system."""
	if arch == 'x86':
		return _x86_files()
	if arch == 'arm64':
		return _arm64_files()
	raise kgd_stage.StageError(f'no Debian QEMU for {arch} VMs')


def _ldd(binary):
	"""The dynamic loader and shared libraries binary loads, by path."""
	proc = subprocess.run(['ldd', binary], capture_output=True, text=True, check=False)
	if proc.returncode:
		raise kgd_stage.StageError(f'ldd {binary} failed: {proc.stderr.strip()}')
	paths = []
	for line in proc.stdout.splitlines():
		words = line.split()
		if '=>' in words and len(words) > words.index('=>') + 1:
			path = words[words.index('=>') + 1]
		else:
			path = words[0]
		if path.startswith('/'):
			paths.append(path)
	return paths


def _x86_files():
	kgd_deps.ensure(X86_PACKAGES)
	out = [(X86_QEMU, X86_QEMU, 0o755)]
	for lib in _ldd(X86_QEMU):
		out.append((lib, os.path.realpath(lib), 0o755))
	out += [(f, f, 0o644) for f in X86_FIRMWARE]
	return out


def _arm64_top():
	return os.path.join(kgd_paths.CACHE, 'debian-qemu-arm64')


def _arm64_root():
	"""The unpacked arm64 packages; made once per machine."""
	top = _arm64_top()
	root = os.path.join(top, 'root')
	stamp = os.path.join(top, 'stamp')
	with kgd_cache_lock.held('debian-qemu-arm64'):
		if os.path.exists(stamp) and os.path.exists(root + ARM64_QEMU):
			with open(stamp, encoding='utf-8') as f:
				kgd_stage.note(f'debian-qemu-arm64: cached {f.read().strip()}')
			return root
		kgd_deps.ensure(kgd_chroot.HOST_PACKAGES)
		log = kgd_paths.log('debian-qemu-arm64')
		shutil.rmtree(top, ignore_errors=True)
		download = os.path.join(top, 'download')
		os.makedirs(root)
		with kgd_stage.Stage('debian-qemu-arm64', f'download {ARM64_SUITE}\'s arm64 '
				     f'{ARM64_PACKAGE} and its dependencies (once per machine, '
				     f'about 1 min)'):
			kgd_stage.run(['debootstrap', '--download-only', '--arch=arm64',
				       '--variant=minbase', f'--include={ARM64_PACKAGE}',
				       ARM64_SUITE, download, kgd_chroot.MIRROR], log, timeout=1800)
		debs = sorted(glob.glob(os.path.join(download, 'var/cache/apt/archives/*.deb')))
		with kgd_stage.Stage('debian-qemu-arm64', f'unpack {len(debs)} packages'):
			for deb in debs:
				kgd_stage.run(['dpkg-deb', '-x', deb, root], log)
		main = [os.path.basename(d) for d in debs
			if os.path.basename(d).startswith(ARM64_PACKAGE + '_')]
		if not main or not os.path.exists(root + ARM64_QEMU):
			raise kgd_stage.StageError(f'no {ARM64_QEMU} in the unpacked packages; '
						   f'see {log}')
		shutil.rmtree(download)
		with open(stamp, 'w', encoding='utf-8') as f:
			f.write(f'{ARM64_SUITE} arm64 {main[0]}\n')
	return root


def _needed(path):
	"""The sonames an ELF file names as NEEDED."""
	out = kgd_stage.capture(['readelf', '-d', path])
	return re.findall(r'\(NEEDED\).*\[(.+)\]', out)


def _arm64_files():
	root = _arm64_root()
	out = [(ARM64_QEMU, root + ARM64_QEMU, 0o755),
	       (ARM64_LOADER, os.path.realpath(root + ARM64_LOADER), 0o755)]
	seen, todo = set(), [root + ARM64_QEMU]
	while todo:
		for soname in _needed(todo.pop()):
			if soname in seen:
				continue
			seen.add(soname)
			found = [d + '/' + soname for d in ARM64_LIB_DIRS
				 if os.path.exists(root + d + '/' + soname)]
			if not found:
				raise kgd_stage.StageError(f'{soname}, which {ARM64_QEMU} needs, is '
							   f'in none of the unpacked arm64 packages')
			host = os.path.realpath(root + found[0])
			out.append((found[0], host, 0o755))
			todo.append(host)
	return out
