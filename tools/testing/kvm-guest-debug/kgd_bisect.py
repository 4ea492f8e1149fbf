# SPDX-License-Identifier: GPL-2.0
"""make series-bisect: every commit of the series builds on its own.

Each commit that git am made of out/series is checked out in a tree of its
own (out/bisect/tree), and every build its files touch is made there:
- a kernel for each build whose code it changes (arch/<arch>/ for that
  architecture's builds, anything else in the kernel for all four);
- the kvm selftests that the targets run and the benchmarks, those the
  selftests Makefile lists at that commit, for each architecture whose
  selftests or UAPI it changes;
- a byte-compile of the harness for a change to the harness.
Documentation, MAINTAINERS and the QEMU patches build nothing here: the
docs and QEMU are checked at the tip by make check.  Kernels and selftests
build incrementally from one commit to the next, with ccache.
"""

import os
import re
import subprocess

import kgd_bench
import kgd_builds
import kgd_kernel
import kgd_paths
import kgd_selftests
import kgd_stage
import kgd_target

ROOT = os.path.join(kgd_paths.OUT, 'bisect')
TREE = os.path.join(ROOT, 'tree')
KERNELS = (kgd_builds.ARM64, kgd_builds.X86_64, kgd_builds.PPC_E500V2,
	   kgd_builds.PPC64_E6500)
# The folders of tools/testing/selftests/kvm that belong to one architecture.
SELFTEST_DIRS = {'aarch64/': 'arm64', 'x86_64/': 'x86_64', 'powerpc/': 'ppc_e500v2'}
ARCH_DIRS = {'arm64': ('arm64',), 'x86': ('x86_64',),
	     'powerpc': ('ppc_e500v2', 'ppc64_e6500')}
SELFTESTS = 'tools/testing/selftests/kvm/'
HARNESS = 'tools/testing/kvm-guest-debug/'


def _builds_for(paths):
	"""(kernel build names, selftest build names, harness?) for a commit."""
	kernels, selftests, harness = set(), set(), False
	every = {b.name for b in KERNELS}
	with_selftests = {b.name for b in KERNELS if b.selftests_arch}
	for path in paths:
		if path.startswith(HARNESS):
			harness = harness or path.endswith('.py')
		elif path.startswith(SELFTESTS):
			rest = path[len(SELFTESTS):]
			arch = [name for folder, name in SELFTEST_DIRS.items()
				if rest.startswith((folder, 'include/' + folder, 'lib/' + folder))]
			selftests |= set(arch) if arch else with_selftests
		elif path.startswith(('Documentation/', 'MAINTAINERS', 'tools/')):
			continue
		elif path.startswith('arch/'):
			names = ARCH_DIRS.get(path.split('/')[1], ())
			kernels |= set(names)
			if '/include/uapi/' in path:
				selftests |= set(names) & with_selftests
		else:
			kernels |= every
			if path.startswith('include/uapi/'):
				selftests |= with_selftests
	return kernels, selftests, harness


def _outdir(build):
	# Same depth below OUT as out/build/NAME/kernel, for ccache.
	return os.path.join(ROOT, 'build', build.name, 'kernel')


def _configured(build, log):
	"""The make command line of the build in the bisect tree, configured."""
	args = kgd_kernel.make_args(build, TREE, _outdir(build))
	if not os.path.exists(os.path.join(_outdir(build), '.config')):
		fragment = os.path.join(kgd_paths.HARNESS, 'configs', build.config)
		kgd_stage.run(args + [f'KCONFIG_ALLCONFIG={fragment}', 'allnoconfig'], log,
			      env=kgd_kernel.ccache_env())
	return args


def _kernel(build, log):
	kgd_stage.run(_configured(build, log) + [build.make_target], log,
		      env=kgd_kernel.ccache_env())


def _selftest_names(build):
	"""The kvm selftests the targets of this build run, and its benchmark."""
	names = set()
	for target in kgd_target.load_all().values():
		if (target.selftests_from or target.build).name == build.name:
			names |= {t.name for t in target.tests if not t.source}
			if target.name in kgd_bench.BENCH:
				names.add(kgd_bench.BENCH[target.name])
	return sorted(names)


def _listed(build):
	"""The tests the kvm selftests Makefile builds for this architecture at
	the commit checked out: before the series ports the library to an
	architecture, it lists none for it."""
	folder = {'arm64': 'aarch64', 'x86': 'x86_64'}.get(build.selftests_arch,
							  build.selftests_arch)
	listed = set()
	with open(os.path.join(TREE, SELFTESTS, 'Makefile'), encoding='utf-8') as f:
		for line in f:
			match = re.match(rf'TEST_GEN_PROGS_(?:EXTENDED_)?{folder}\s*\+?=\s*(\S+)',
					 line)
			if match:
				listed.add(match.group(1))
	return listed


def _selftests(build, log):
	env = kgd_kernel.ccache_env()
	kgd_stage.run(_configured(build, log) + ['headers_install'], log, env=env)
	headers = os.path.join(_outdir(build), 'usr', 'include')
	outdir = os.path.join(ROOT, 'build', build.name, 'selftests')
	names = [n for n in _selftest_names(build) if n in _listed(build)]
	if names:
		kgd_selftests.make_kvm_selftests(build, TREE, outdir, headers, names, log)


def _harness(log):
	for name in sorted(os.listdir(os.path.join(TREE, HARNESS))):
		if name.endswith('.py'):
			path = os.path.join(TREE, HARNESS, name)
			with open(path, encoding='utf-8') as f:
				try:
					compile(f.read(), path, 'exec')
				except SyntaxError as err:
					raise kgd_stage.StageError(f'{name}: {err}') from err
	with open(log, 'a', encoding='utf-8') as f:
		f.write('harness compiles\n')


def _git(args, cwd=kgd_paths.TREE):
	return subprocess.run(['git'] + args, cwd=cwd, capture_output=True, text=True,
			      check=True).stdout


def run(results, am_commit):
	"""Adds one result per commit of the series to results."""
	commits = _git(['rev-list', '--reverse', f'baseline..{am_commit}']).split()
	if not os.path.isdir(TREE):
		_git(['worktree', 'prune'])
		_git(['worktree', 'add', '-q', '--detach', TREE, 'baseline'])
	for n, commit in enumerate(commits, 1):
		subject = _git(['log', '-1', '--format=%s', commit]).strip()
		paths = _git(['diff-tree', '--no-commit-id', '--name-only', '-r', commit]).split()
		kernels, selftests, harness = _builds_for(paths)
		what = sorted(kernels) + [f'{s} selftests' for s in sorted(selftests)]
		what += ['harness'] if harness else []
		name = f'bisect-{n:02d}'
		log = kgd_paths.log(name)
		open(log, 'w', encoding='utf-8').close()
		_git(['checkout', '-q', '-f', '--detach', commit], cwd=TREE)
		try:
			with kgd_stage.Stage(name, f'{subject}: {", ".join(what) or "nothing to build"}'):
				for build in KERNELS:
					if build.name in kernels:
						_kernel(build, log)
				for build in KERNELS:
					if build.name in selftests:
						_selftests(build, log)
				if harness:
					_harness(log)
		except kgd_stage.StageError as err:
			results.add(name, 'fail', f'{subject}\n{err}')
			continue
		results.add(name, 'pass', f'{subject}: builds ({", ".join(what) or "nothing to build"})')
	return len(commits)
