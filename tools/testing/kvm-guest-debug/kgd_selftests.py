# SPDX-License-Identifier: GPL-2.0
"""Builds a target's static test binaries and /init, and packs them into an
initramfs with the tree's own usr/gen_init_cpio."""

import gzip
import os
import shutil
import subprocess

import kgd_kernel
import kgd_paths
import kgd_stage
from kgd_target import Test


def _cc(build):
	return f'{build.cross_compile}gcc'


def make_kvm_selftests(build, srctree, outdir, headers, names, log):
	"""Builds the named kvm selftests of srctree into outdir, statically."""
	# -B: with OUTPUT= the Makefile looks for its .d files in the wrong
	# place, so a changed header would not rebuild the tests; ccache keeps
	# a full rebuild to seconds.
	cmd = ['make', '-s', '-B', '-C', os.path.join(srctree, 'tools/testing/selftests/kvm'),
	       f'-j{kgd_kernel.JOBS}', f'ARCH={build.selftests_arch}', f'OUTPUT={outdir}',
	       f'KHDR_INCLUDES=-isystem {headers}', f'CC=ccache {_cc(build)}',
	       # arm64 generates sysreg headers; keep them out of the source tree.
	       f'abs_objdir={os.path.join(outdir, "gen")}']
	if build.cross_compile:
		cmd.append(f'CROSS_COMPILE={build.cross_compile}')
	cmd += [os.path.join(outdir, name) for name in names]
	os.makedirs(os.path.join(outdir, 'gen', 'tools'), exist_ok=True)
	# LDFLAGS comes from the environment so that the Makefile still appends
	# its own -pthread and -no-pie.
	env = dict(kgd_kernel.ccache_env(), LDFLAGS='-static')
	kgd_stage.run(cmd, log, env=env)


def _kvm_selftests(target, headers, log):
	"""Builds the kvm selftests the target lists; returns {name: path}."""
	build = target.selftests_from or target.build
	wanted = [t for t in target.tests if not t.source]
	if not wanted:
		return {}
	outdir = os.path.join(kgd_paths.build_dir(build.name), 'selftests')
	make_kvm_selftests(build, kgd_paths.TREE, outdir, headers, [t.name for t in wanted], log)
	return {t.name: os.path.join(outdir, t.name) for t in wanted}


def _standalone(build, src, dest, headers, log):
	os.makedirs(os.path.dirname(dest), exist_ok=True)
	cmd = ['ccache', _cc(build), '-static', '-O2', '-Wall', '-Wextra', '-Werror']
	if headers:
		cmd += ['-isystem', headers]
	kgd_stage.run(cmd + ['-o', dest, src], log, env=kgd_kernel.ccache_env())


def build(target, extra_binary=None, extra_args=()):
	"""Returns [(Test, host path)] for the target, /init not included;
	with extra_binary, that binary alone, run with extra_args."""
	bld = target.selftests_from or target.build
	log = kgd_paths.log(f'{bld.name}-selftests')
	if extra_binary:
		name = os.path.basename(extra_binary)
		return [(Test(name, args=tuple(extra_args),
			      timeout=max(30, target.vm_timeout - 60)), extra_binary)]
	headers = kgd_kernel.headers(bld)
	paths = _kvm_selftests(target, headers, log)
	for test in target.tests:
		if test.source:
			dest = os.path.join(kgd_paths.build_dir(bld.name), 'selftests', test.name)
			_standalone(bld, os.path.join(kgd_paths.TREE, test.source), dest,
				    headers, log)
			paths[test.name] = dest
	return [(t, paths[t.name]) for t in target.tests]


def _gen_init_cpio():
	tool = os.path.join(kgd_paths.OUT, 'host', 'gen_init_cpio')
	src = os.path.join(kgd_paths.TREE, 'usr', 'gen_init_cpio.c')
	if not os.path.exists(tool) or os.path.getmtime(tool) < os.path.getmtime(src):
		os.makedirs(os.path.dirname(tool), exist_ok=True)
		kgd_stage.run(['gcc', '-O2', '-o', tool, src], kgd_paths.log('host-tools'))
	return tool


def initramfs(target, binaries, files=()):
	"""Writes initramfs.cpio.gz with /init, /kgd/plan and /tests/*; files
	are (path inside, host path[, mode]) that no plan line runs, each
	with the folders above it."""
	bld = target.build
	workdir = os.path.join(kgd_paths.build_dir(bld.name), 'initramfs', target.name)
	shutil.rmtree(workdir, ignore_errors=True)
	os.makedirs(workdir)
	log = kgd_paths.log(f'{target.name}-initramfs')
	init = os.path.join(workdir, 'init')
	_standalone(bld, os.path.join(kgd_paths.HARNESS, 'init', 'kgd_init.c'), init,
		    None, log)
	plan = os.path.join(workdir, 'plan')
	listing = [
		'dir /dev 0755 0 0', 'nod /dev/console 0600 0 0 c 5 1',
		'dir /proc 0755 0 0', 'dir /sys 0755 0 0', 'dir /tmp 1777 0 0',
		'dir /kgd 0755 0 0', 'dir /tests 0755 0 0',
		f'file /init {init} 0755 0 0', f'file /kgd/plan {plan} 0644 0 0',
	]
	dirs = set()
	with open(plan, 'w', encoding='utf-8') as f:
		for test, path in binaries:
			inside = '/tests/' + test.name
			parent = os.path.dirname(inside)
			if parent != '/tests' and parent not in dirs:
				listing.append(f'dir {parent} 0755 0 0')
				dirs.add(parent)
			listing.append(f'file {inside} {path} 0755 0 0')
			f.write(' '.join([str(test.timeout), test.name, inside] + list(test.args))
				+ '\n')
	dirs.update(('/', '/dev', '/proc', '/sys', '/tmp', '/kgd', '/tests'))
	for inside, path, *mode in files:
		parents = []
		parent = os.path.dirname(inside)
		while parent not in dirs:
			parents.append(parent)
			dirs.add(parent)
			parent = os.path.dirname(parent)
		listing += [f'dir {d} 0755 0 0' for d in reversed(parents)]
		listing.append(f'file {inside} {path} {mode[0] if mode else 0o644:o} 0 0')
	spec = os.path.join(workdir, 'cpio.list')
	with open(spec, 'w', encoding='utf-8') as f:
		f.write('\n'.join(listing) + '\n')
	cpio = os.path.join(workdir, 'initramfs.cpio')
	with open(cpio, 'wb') as f_out, open(log, 'a', encoding='utf-8') as f_log:
		proc = subprocess.run([_gen_init_cpio(), spec], stdout=f_out, stderr=f_log,
				      check=False)
	if proc.returncode:
		raise kgd_stage.StageError(f'gen_init_cpio failed, see {log}')
	out = cpio + '.gz'
	with open(cpio, 'rb') as f_in, gzip.open(out, 'wb', compresslevel=6) as f_out:
		shutil.copyfileobj(f_in, f_out)
	return out
