# SPDX-License-Identifier: GPL-2.0
"""Our QEMU: Debian's QEMU 7.2 source plus the patches in qemu/.

QEMU 7.2 never compares the Book E IAC/DAC registers and gets x86 SVM
guest debug wrong (see qemu/*.patch), so the targets that need those
run a QEMU built here.  Only qemu-system-ppc and qemu-system-x86_64 are
built.  The source, a git repository whose tag "kgd-debian" is Debian's tree,
and the build directory live in the cache; a stamp naming the Debian
version and a hash of the patches and configure options lets every clone
on the machine reuse the binaries, and a changed patch rebuilds only what
it touches.
"""

import glob
import hashlib
import os
import shutil
import subprocess

import kgd_baseline
import kgd_cache_lock
import kgd_paths
import kgd_stage

PACKAGE = 'qemu'
PATCHES = os.path.join(kgd_paths.HARNESS, 'qemu')
BINARIES = ('qemu-system-ppc', 'qemu-system-x86_64')
# Debian's mirror lists binaries only; apt-get source needs deb-src lines.
SOURCES_LIST = '/etc/apt/sources.list.d/kvm-guest-debug-src.sources'
DEB_SRC = '''# Added by the kvm-guest-debug harness
# for "apt-get source qemu".
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
'''
# (command or path, Debian package) that fetching and building need.
PACKAGES = (
	('dpkg-source', 'dpkg-dev'), ('meson', 'meson'), ('ninja', 'ninja-build'),
	('/usr/include/glib-2.0/glib.h', 'libglib2.0-dev'),
	('/usr/include/pixman-1/pixman.h', 'libpixman-1-dev'),
	('/usr/include/libfdt.h', 'libfdt-dev'),
	('/usr/include/zlib.h', 'zlib1g-dev'), ('pkg-config', 'pkg-config'),
	# Firmware the x86 target loads (-L): Debian's, as our build has none.
	('/usr/share/seabios/bios-256k.bin', 'seabios'),
	('/usr/share/qemu/linuxboot_dma.bin', 'qemu-system-data'),
)
CONFIGURE = (
	'--target-list=ppc-softmmu,x86_64-softmmu', '--disable-docs', '--disable-werror',
	'--disable-gtk', '--disable-sdl', '--disable-vnc', '--disable-opengl',
	'--disable-spice', '--disable-curses', '--disable-tools',
	'--disable-guest-agent', '--enable-fdt=system', '--meson=meson',
)
# QEMU's configure runs "python3"; the Debian one has the modules it needs.
ENV = {'PATH': '/usr/bin:' + os.environ.get('PATH', ''),
       'CCACHE_DIR': os.path.join(kgd_paths.CACHE, 'ccache')}


def patches():
	return sorted(glob.glob(os.path.join(PATCHES, '*.patch')))


def _root():
	return os.path.join(kgd_paths.CACHE, 'qemu')


def build_dir():
	return os.path.join(_root(), 'build')


def binary(name):
	return os.path.join(build_dir(), name)


def _stamp_text(version):
	digest = hashlib.sha256()
	for path in patches():
		with open(path, 'rb') as f:
			digest.update(f.read())
	digest.update(' '.join(CONFIGURE).encode())
	return f'{PACKAGE} {version} patches {digest.hexdigest()}\n'


def _add_deb_src(log):
	if not os.path.exists(SOURCES_LIST):
		with open(SOURCES_LIST, 'w', encoding='utf-8') as f:
			f.write(DEB_SRC)
	kgd_stage.run(['apt-get', 'update'], log, env={'DEBIAN_FRONTEND': 'noninteractive'},
		      timeout=600)


def _source(log):
	"""Returns (version, source git repo), fetching Debian's source once."""
	src = os.path.join(_root(), 'src')
	done = os.path.join(src, '.git', 'kgd-debian-version')
	if os.path.exists(done):
		with open(done, encoding='utf-8') as f:
			return f.read().strip(), src
	_add_deb_src(log)
	fetch = os.path.join(_root(), 'fetch')
	shutil.rmtree(fetch, ignore_errors=True)
	shutil.rmtree(src, ignore_errors=True)
	os.makedirs(fetch)
	kgd_stage.run(['apt-get', 'source', '-q', PACKAGE], log, cwd=fetch, timeout=1200)
	dsc = glob.glob(os.path.join(fetch, f'{PACKAGE}_*.dsc'))
	trees = [d for d in glob.glob(os.path.join(fetch, f'{PACKAGE}-*')) if os.path.isdir(d)]
	if len(dsc) != 1 or len(trees) != 1:
		raise kgd_stage.StageError(f'apt-get source {PACKAGE} left no single tree in {fetch}')
	version = os.path.basename(dsc[0])[len(PACKAGE) + 1:-len('.dsc')]
	if not version.startswith('1:7.2') and not version.startswith('7.2'):
		raise kgd_stage.StageError(f'Debian offers {PACKAGE} {version}; the patches in '
					   f'{PATCHES} are for 7.2')
	shutil.rmtree(os.path.join(trees[0], '.pc'), ignore_errors=True)
	os.rename(trees[0], src)
	shutil.rmtree(fetch)
	git = ['git', '-C', src]
	kgd_stage.run(git + ['init', '-q'], log)
	kgd_stage.run(git + ['config', 'gc.auto', '0'], log)
	kgd_stage.run(git + ['add', '-A', '-f', '.'], log)
	kgd_stage.run(git + ['commit', '-q', '-m', f'Debian {PACKAGE} {version}'], log,
		      env=kgd_baseline.GIT_ENV)
	kgd_stage.run(git + ['tag', 'kgd-debian'], log)
	with open(done, 'w', encoding='utf-8') as f:
		f.write(version + '\n')
	return version, src


def ensure():
	"""Builds our QEMU unless the cached one has exactly these patches."""
	with kgd_cache_lock.held('qemu'):
		_ensure_built()


def _ensure_built():
	stamp = os.path.join(_root(), 'stamp')
	log = kgd_paths.log('qemu')
	with kgd_stage.Stage('qemu', f'Debian\'s QEMU source (apt-get source {PACKAGE}, once)'):
		version, src = _source(log)
	want = _stamp_text(version)
	if os.path.exists(stamp) and all(os.path.exists(binary(b)) for b in BINARIES):
		with open(stamp, encoding='utf-8') as f:
			if f.read() == want:
				kgd_stage.note(f'qemu: cached build of {version} with these patches')
				return
	with kgd_stage.Stage('qemu', f'git am {len(patches())} patches onto {version}'):
		if os.path.exists(stamp):
			os.unlink(stamp)
		git = ['git', '-C', src]
		if os.path.isdir(os.path.join(src, '.git', 'rebase-apply')):
			kgd_stage.run(git + ['am', '--abort'], log)
		kgd_stage.run(git + ['reset', '-q', '--hard', 'kgd-debian', '--'], log)
		kgd_stage.run(git + ['clean', '-q', '-fdx'], log)
		if patches():
			kgd_stage.run(git + ['am', '-q', '--keep-cr'] + patches(), log,
				      env=kgd_baseline.GIT_ENV)
	build = build_dir()
	if not os.path.exists(os.path.join(build, 'build.ninja')):
		shutil.rmtree(build, ignore_errors=True)
		os.makedirs(build)
		with kgd_stage.Stage('qemu', 'configure (ppc-softmmu, x86_64-softmmu)'):
			kgd_stage.run([os.path.join(src, 'configure'), '--cc=ccache cc']
				      + list(CONFIGURE), log, cwd=build, env=ENV)
	with kgd_stage.Stage('qemu', 'build ' + ' and '.join(BINARIES)
			     + ' (about 5 min from scratch)'):
		kgd_stage.run(['ninja', '-j', str(os.cpu_count() or 2)] + list(BINARIES),
			      log, cwd=build, env=ENV, timeout=3600)
	with open(stamp, 'w', encoding='utf-8') as f:
		f.write(want)


def checkpatch():
	"""QEMU's checkpatch on each patch; returns [(patch, report)] of unclean ones."""
	src = os.path.join(_root(), 'src')
	unclean = []
	for patch in patches():
		proc = subprocess.run(['perl', 'scripts/checkpatch.pl', '--no-color', patch],
				      cwd=src, capture_output=True, text=True, check=False)
		if proc.returncode:
			unclean.append((os.path.basename(patch), proc.stdout.strip()))
	return unclean
