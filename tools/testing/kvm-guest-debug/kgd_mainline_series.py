# SPDX-License-Identifier: GPL-2.0
"""make series BASE=mainline: the fixes as postings to the mainline base,
one per maintainer tree, in out/series-mainline/<posting>/.

patches/mainline/series names the postings and their patches: a line
"[name]" starts a posting, with its cover letter in
patches/mainline/<name>.cover; every other line is a patch, relative to
patches/, so the 6.12 patch serves where it applies as it is and
patches/mainline/ holds the ones whose code differs on mainline.  Each
posting is made alone on the pristine base, so each applies alone.
"""

import os
import shutil
import subprocess
import tempfile

import kgd_baseline
import kgd_checkpatch
import kgd_mainline
import kgd_paths
import kgd_series
import kgd_stage

SERIES = os.path.join(kgd_paths.PATCHES, 'mainline', 'series')
OUT_DIR = os.path.join(kgd_paths.OUT, 'series-mainline')
# A clone of the cached base with no checkout: the postings' commits are
# made through an index of their own, and git am runs in a sparse
# worktree of it that holds only the files a posting touches.
REPO = os.path.join(kgd_paths.OUT, 'mainline', 'repo')
AM_TREE = os.path.join(kgd_paths.OUT, 'mainline', 'am')


def postings():
	"""[(name, cover letter, [patch paths])] as patches/mainline/series
	lists them."""
	found = []
	with open(SERIES, encoding='utf-8') as f:
		for line in f:
			line = line.strip()
			if not line or line.startswith('#'):
				continue
			if line.startswith('[') and line.endswith(']'):
				name = line[1:-1]
				cover = os.path.join(kgd_paths.PATCHES, 'mainline', name + '.cover')
				found.append((name, cover, []))
				continue
			if not found:
				raise kgd_stage.StageError(f'{SERIES}: {line} comes before any [posting]')
			found[-1][2].append(os.path.join(kgd_paths.PATCHES, line))
	for name, cover, patches in found:
		for path in [cover] + patches:
			if not os.path.isfile(path):
				raise kgd_stage.StageError(f'{SERIES}: posting {name} needs {path}, '
							   'which does not exist')
	return found


def _git(args, env=None, cwd=REPO, stdin=None):
	return kgd_series._git(args, cwd=cwd, env=env, stdin=stdin)


def _repo(base):
	if not os.path.isdir(os.path.join(REPO, '.git')):
		shutil.rmtree(REPO, ignore_errors=True)
		os.makedirs(os.path.dirname(REPO), exist_ok=True)
		kgd_stage.capture(['git', 'clone', '-q', '--shared', '--no-checkout', base, REPO])
		_git(['config', 'gc.auto', '0'])
	_git(['fetch', '-q', '--force', base, 'refs/tags/baseline:refs/tags/baseline'])


def _commits(name, patches, who):
	"""The posting's commits on the pristine base, from and signed off by
	who, with each patch's note below its "---"; returns the tip."""
	ident = {'GIT_AUTHOR_NAME': who[0], 'GIT_AUTHOR_EMAIL': who[1],
		 'GIT_COMMITTER_NAME': who[0], 'GIT_COMMITTER_EMAIL': who[1]}
	with tempfile.TemporaryDirectory(prefix='kgd-mainline-') as scratch:
		index = {'GIT_INDEX_FILE': os.path.join(scratch, 'index')}
		_git(['read-tree', 'baseline'], env=index)
		parent = _git(['rev-parse', 'baseline']).strip()
		for path in patches:
			proc = subprocess.run(['git', 'apply', '--cached', path], cwd=REPO,
					      env=dict(os.environ, **index), capture_output=True,
					      text=True, check=False)
			if proc.returncode:
				raise kgd_stage.StageError(
					f'{name}: {os.path.relpath(path, kgd_paths.PATCHES)} does not apply '
					f'to {kgd_mainline.PACKAGE} {kgd_mainline.VERSION}; give mainline '
					f'its own version in patches/mainline/:\n{proc.stderr.strip()}')
			tree = _git(['write-tree'], env=index).strip()
			msg, _ = kgd_series.message_and_author(path, scratch)
			with open(msg, encoding='utf-8') as f:
				text = kgd_series.signed_message(f.read(), who)
			parent = _git(['commit-tree', tree, '-p', parent], env=ident,
				      stdin=text).strip()
			notes = kgd_series.below_the_line(path)
			if notes:
				_git(['notes', 'add', '-f', '-m', notes, parent], env=ident)
	return parent


def _recipients(patches, base):
	"""get_maintainer.pl of the mainline base over patches: (to, cc)."""
	return kgd_series.split_recipients(subprocess.run(
		['perl', 'scripts/get_maintainer.pl', '--no-git', '--no-git-fallback'] + patches,
		cwd=base, capture_output=True, text=True, check=False))


def write(who):
	"""Writes every posting, signed off by who; returns {name: [files]},
	the cover letter first."""
	base = kgd_mainline.ensure()
	_repo(base)
	shutil.rmtree(OUT_DIR, ignore_errors=True)
	written = {}
	for name, cover, patches in postings():
		tip = _commits(name, patches, who)
		out = os.path.join(OUT_DIR, name)
		_git(['format-patch', '-q', '--cover-letter', '--no-signature', '--notes',
		      '--base=baseline', '-o', out, f'baseline..{tip}'],
		     env={'GIT_COMMITTER_NAME': who[0], 'GIT_COMMITTER_EMAIL': who[1]})
		files = sorted(os.path.join(out, p) for p in os.listdir(out))
		kgd_series.fill_cover(files[0], cover,
				      ('@BASE@', f'{kgd_mainline.PACKAGE} {kgd_mainline.VERSION}'),
				      _recipients(files[1:], base))
		written[name] = files
	return written


def _touched(files):
	paths = set()
	for path in files:
		with open(path, encoding='utf-8', errors='replace') as f:
			paths.update(line.split()[-1][2:] for line in f if line.startswith('diff --git '))
	return sorted(paths)


def am_check(written):
	"""[(posting, error)] for each posting that git am does not apply
	alone to the pristine base."""
	failed = []
	env = dict(os.environ, **kgd_baseline.GIT_ENV)
	for name, files in written.items():
		shutil.rmtree(AM_TREE, ignore_errors=True)
		_git(['worktree', 'prune'])
		_git(['worktree', 'add', '-q', '--no-checkout', '--detach', AM_TREE, 'baseline'])
		_git(['sparse-checkout', 'set', '--no-cone'] + ['/' + p for p in _touched(files)],
		     cwd=AM_TREE)
		_git(['checkout', '-q', '--detach', 'baseline'], cwd=AM_TREE)
		proc = subprocess.run(['git', 'am', '-q'] + files[1:], cwd=AM_TREE, env=env,
				      capture_output=True, text=True, check=False)
		if proc.returncode:
			failed.append((name, (proc.stdout + proc.stderr).strip()))
	shutil.rmtree(AM_TREE, ignore_errors=True)
	_git(['worktree', 'prune'])
	return failed


def checkpatch(written):
	"""checkpatch --strict of the mainline base over every posting."""
	base = kgd_mainline.repo_dir()
	return kgd_checkpatch.check([p for files in written.values() for p in files],
				    tree=base)

