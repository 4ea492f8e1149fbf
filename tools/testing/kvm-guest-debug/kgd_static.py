# SPDX-License-Identifier: GPL-2.0
"""W=1 and sparse (C=2) over the C files the series touches, for one build:
any warning that the pristine baseline does not also give is a failure."""

import os
import re
import subprocess

import kgd_kernel
import kgd_paths
import kgd_stage

# "path:line:col: warning: text" -> (path, text), so that moved lines match.
DIAG = re.compile(r'^(?:\.\./)*(?:.*?/tree/|.*?/linux-source-6\.12_[^/]*/)?'
		  r'([^:\s]+\.[ch]):\d+(?::\d+)?: (warning|error): (.*)$')


def touched_c_files():
	"""The .c files that differ between the baseline and the build tree."""
	out = subprocess.run(['git', 'diff', '--name-only', '--diff-filter=AM',
			      'baseline', 'HEAD'], cwd=kgd_paths.TREE, capture_output=True,
			     text=True, check=True).stdout
	return [p for p in out.split() if p.endswith('.c') and not p.startswith('tools/')]


def _objects(build, files):
	"""The files this build compiles: those with an object in its O= dir."""
	kdir = kgd_kernel.kernel_dir(build)
	return [f[:-2] + '.o' for f in files
		if os.path.exists(os.path.join(kdir, f[:-2] + '.o'))]


def _diagnostics(build, srctree, outdir, objects, log):
	args = kgd_kernel.make_args(build, srctree, outdir)
	fragment = os.path.join(kgd_paths.HARNESS, 'configs', build.config)
	if not os.path.exists(os.path.join(outdir, '.config')):
		os.makedirs(outdir, exist_ok=True)
		kgd_stage.run(args + [f'KCONFIG_ALLCONFIG={fragment}', 'allnoconfig'], log,
			      env=kgd_kernel.ccache_env())
	# The shared baseline's sources must not be touched: remove the
	# objects instead, so that they are compiled, and checked, again.
	for obj in objects:
		path = os.path.join(outdir, obj)
		if os.path.exists(path):
			os.unlink(path)
	env = dict(os.environ, **kgd_kernel.ccache_env())
	proc = subprocess.run(args + ['W=1', 'C=2', '-k'] + objects, env=env,
			      capture_output=True, text=True, check=False)
	with open(log, 'a', encoding='utf-8') as f:
		f.write(proc.stdout + proc.stderr)
	found = set()
	for line in (proc.stdout + proc.stderr).splitlines():
		match = DIAG.match(line.strip())
		if match:
			found.add(match.groups())
	return found


def check(build, baseline_repo):
	"""Returns (number of files checked, [new diagnostics])."""
	files = touched_c_files()
	objects = _objects(build, files)
	if not objects:
		return 0, []
	log = kgd_paths.log(f'{build.name}-static')
	open(log, 'w', encoding='utf-8').close()
	base = os.path.join(kgd_paths.build_dir(build.name), 'static-baseline')
	ours = os.path.join(kgd_paths.build_dir(build.name), 'static-ours')
	in_base = [o for o in objects
		   if os.path.exists(os.path.join(baseline_repo, o[:-2] + '.c'))]
	before = _diagnostics(build, baseline_repo, base, in_base, log)
	after = _diagnostics(build, kgd_paths.TREE, ours, objects, log)
	new = sorted(after - before)
	return len(objects), [f'{path}: {kind}: {text}' for path, kind, text in new]
