# SPDX-License-Identifier: GPL-2.0
"""Configures and builds a target's kernel out of tree, with ccache."""

import hashlib
import os

import kgd_chroot
import kgd_paths
import kgd_stage

JOBS = str(max(2, os.cpu_count() or 2))


def ccache_env():
	return {
		'CCACHE_DIR': os.path.join(kgd_paths.CACHE, 'ccache'),
		'CCACHE_BASEDIR': kgd_paths.OUT,
		'CCACHE_NOHASHDIR': 'true',
		'CCACHE_MAXSIZE': '8G',
		'KBUILD_BUILD_TIMESTAMP': '@1700000000',
		'KBUILD_BUILD_USER': 'kgd',
		'KBUILD_BUILD_HOST': 'kgd',
	}


def make_args(build, srctree=None, outdir=None):
	"""The make command line shared by every kernel-tree step of a build."""
	args = ['make', '-s', '-C', srctree or kgd_paths.tree_for(build),
		f'O={outdir or kernel_dir(build)}', f'ARCH={build.arch}', f'-j{JOBS}']
	if build.cross_compile:
		args.append(f'CROSS_COMPILE={build.cross_compile}')
	args.append(f'CC=ccache {build.cross_compile}gcc')
	args.append('HOSTCC=ccache gcc')
	return args


def _make(build, args, log):
	"""Runs make with args, inside the build's chroot if it has one: there
	out/ and the ccache folder are bind-mounted at their host paths."""
	if not build.chroot:
		kgd_stage.run(make_args(build) + args, log, env=ccache_env())
		return
	kgd_chroot.ensure(build.chroot)
	ccache = ccache_env()['CCACHE_DIR']
	os.makedirs(ccache, exist_ok=True)
	with kgd_chroot.bound(build.chroot, (kgd_paths.OUT, ccache), log) as prefix:
		kgd_stage.run(prefix + make_args(build) + args, log, env=ccache_env())


def kernel_dir(build):
	return os.path.join(kgd_paths.kernel_root(build), 'kernel')


def image(build):
	return os.path.join(kernel_dir(build), build.image)


def _fragment(build):
	"""The build's fragments, in one file below its output directory."""
	text = ''
	for name in (build.config,) + build.extra_configs:
		with open(os.path.join(kgd_paths.HARNESS, 'configs', name), encoding='utf-8') as f:
			text += f.read()
	merged = os.path.join(kernel_dir(build), '.kgd-fragment.config')
	os.makedirs(kernel_dir(build), exist_ok=True)
	with open(merged, 'w', encoding='utf-8') as f:
		f.write(text)
	return merged


def _wanted(fragment):
	"""Yields (symbol, value) for every assignment in a config fragment."""
	with open(fragment, encoding='utf-8') as f:
		for line in f:
			line = line.strip()
			if line.startswith('CONFIG_') and '=' in line:
				sym, val = line.split('=', 1)
				yield sym, val


def configure(build):
	"""allnoconfig plus the fragment; skipped while the fragment is unchanged."""
	kdir = kernel_dir(build)
	fragment = _fragment(build)
	with open(fragment, 'rb') as f:
		digest = hashlib.sha256(f.read()).hexdigest()
	stamp = os.path.join(kdir, '.kgd-fragment')
	dotconfig = os.path.join(kdir, '.config')
	if os.path.exists(dotconfig) and os.path.exists(stamp):
		with open(stamp, encoding='utf-8') as f:
			if f.read().strip() == digest:
				return
	os.makedirs(kdir, exist_ok=True)
	log = kgd_paths.log(f'{build.name}-kernel')
	_make(build, [f'KCONFIG_ALLCONFIG={fragment}', 'allnoconfig'], log)
	got = {}
	with open(dotconfig, encoding='utf-8') as f:
		for line in f:
			if line.startswith('CONFIG_'):
				sym, val = line.strip().split('=', 1)
				got[sym] = val
	wrong = [f'{sym}={val} (got {got.get(sym, "n")})'
		 for sym, val in _wanted(fragment) if got.get(sym, 'n') != val]
	if wrong:
		raise kgd_stage.StageError(
			f'configs/{" + ".join((build.config,) + build.extra_configs)} asks for '
			'options that Kconfig did not '
			'keep (a missing dependency?):\n  ' + '\n  '.join(wrong))
	with open(stamp, 'w', encoding='utf-8') as f:
		f.write(digest + '\n')


def build_kernel(build):
	log = kgd_paths.log(f'{build.name}-kernel')
	configure(build)
	_make(build, [build.make_target], log)
	return image(build)


def headers(build):
	"""Installs the UAPI headers that the selftests compile against."""
	log = kgd_paths.log(f'{build.name}-kernel')
	kgd_stage.run(make_args(build) + ['headers_install'], log, env=ccache_env())
	return os.path.join(kernel_dir(build), 'usr', 'include')
