# SPDX-License-Identifier: GPL-2.0
"""The documentation checks: kernel-doc over the kernel sources the series
adds or changes, and Sphinx over Documentation/virt/kvm.  A diagnostic that
the pristine baseline also gives is not ours; any other fails the check."""

import os
import re
import subprocess

import kgd_paths
import kgd_stage

PACKAGES = (('sphinx-build', 'python3-sphinx'),
	    ('/usr/lib/python3/dist-packages/sphinx_rtd_theme', 'python3-sphinx-rtd-theme'))

SPHINXDIRS = 'virt/kvm'

# "path:line: WARNING: text" from Sphinx and "path:line: warning: text" from
# kernel-doc -> (path, text): line numbers move when lines are added.
DIAG = re.compile(r'^(?:.*?/(?:tree|linux-source-6\.12_[^/]*)/)?(\S+?):\d+(?::\d+)?: '
		  r'(?:WARNING|ERROR|warning|error): (.*)$')


def _touched_sources():
	"""The kernel .c and .h files the series adds or changes."""
	out = subprocess.run(['git', 'diff', '--name-only', '--diff-filter=AM',
			      'baseline', 'HEAD'], cwd=kgd_paths.TREE, capture_output=True,
			     text=True, check=True).stdout
	return [p for p in out.split()
		if p.endswith(('.c', '.h')) and p.startswith(('arch/', 'virt/', 'include/'))]


def _diagnostics(text):
	found = set()
	for line in text.splitlines():
		match = DIAG.match(line.strip())
		if match:
			found.add(match.groups())
	return found


def _kernel_doc(srctree, files, log):
	files = [f for f in files if os.path.exists(os.path.join(srctree, f))]
	if not files:
		return set()
	proc = subprocess.run(['perl', 'scripts/kernel-doc', '-none', '-Wall'] + files,
			      cwd=srctree, capture_output=True, text=True, check=False)
	with open(log, 'a', encoding='utf-8') as f:
		f.write(f'$ kernel-doc -none -Wall in {srctree}\n{proc.stdout}{proc.stderr}')
	return _diagnostics(proc.stdout + proc.stderr)


def _sphinx(srctree, outdir, log):
	proc = subprocess.run(['make', '-C', srctree, f'O={outdir}',
			       f'SPHINXDIRS={SPHINXDIRS}', 'htmldocs'],
			      capture_output=True, text=True, check=False, timeout=1200)
	with open(log, 'a', encoding='utf-8') as f:
		f.write(f'$ make htmldocs SPHINXDIRS={SPHINXDIRS} in {srctree}\n'
			f'{proc.stdout}{proc.stderr}')
	if proc.returncode:
		raise kgd_stage.StageError(f'make htmldocs exited {proc.returncode}; see {log}')
	return _diagnostics(proc.stdout + proc.stderr)


def check(baseline_repo):
	"""Returns (what was checked, [new diagnostics])."""
	log = kgd_paths.log('docs')
	open(log, 'w', encoding='utf-8').close()
	files = _touched_sources()
	new = _kernel_doc(kgd_paths.TREE, files, log) - _kernel_doc(baseline_repo, files, log)
	outdir = os.path.join(kgd_paths.OUT, 'docs')
	new |= (_sphinx(kgd_paths.TREE, os.path.join(outdir, 'ours'), log)
		- _sphinx(baseline_repo, os.path.join(outdir, 'baseline'), log))
	what = f'kernel-doc on {len(files)} kernel files, Sphinx on Documentation/{SPHINXDIRS}'
	return what, sorted(f'{path}: {text}' for path, text in new)
