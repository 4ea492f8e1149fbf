# SPDX-License-Identifier: GPL-2.0
"""The Linux 6.12 baseline: Debian's linux-source-6.12, extracted once.

The extraction is cached outside the repo, keyed by the Debian version, as
a git repository whose single commit (tagged "baseline") is the pristine
tree.  Every clone of our repo borrows its objects, so a clone pays for a
checkout but never for a second extraction.
"""

import os
import shutil

import kgd_cache_lock
import kgd_paths
import kgd_stage

PACKAGE = 'linux-source-6.12'
TARBALL = '/usr/src/linux-source-6.12.tar.xz'
TOPDIR = 'linux-source-6.12'

# Fixed identity and dates make every generated commit reproducible.
GIT_ENV = {
	'GIT_AUTHOR_NAME': 'kvm-guest-debug', 'GIT_AUTHOR_EMAIL': 'kvm-guest-debug@invalid',
	'GIT_COMMITTER_NAME': 'kvm-guest-debug', 'GIT_COMMITTER_EMAIL': 'kvm-guest-debug@invalid',
	'GIT_AUTHOR_DATE': '1700000000 +0000', 'GIT_COMMITTER_DATE': '1700000000 +0000',
}


def version():
	out = kgd_stage.capture(['dpkg-query', '-W', '-f=${Version}', PACKAGE])
	if not out:
		raise kgd_stage.StageError(f'{PACKAGE} is not installed')
	return out.strip()


def repo_dir(ver):
	return os.path.join(kgd_paths.CACHE, 'baseline', f'{PACKAGE}_{ver}')


def ensure():
	"""Returns (version, path of the cached baseline git repository)."""
	ver = version()
	repo = repo_dir(ver)
	done = os.path.join(repo, '.git', 'kgd-complete')
	if os.path.exists(done):
		return ver, repo
	with kgd_cache_lock.held('baseline'):
		# Another run may have filled it while this one waited.
		if not os.path.exists(done):
			_extract(ver, repo, done)
	return ver, repo


def _extract(ver, repo, done):
	extract(PACKAGE, ver, TARBALL, TOPDIR, repo, done)


def extract(package, ver, tarball, topdir, repo, done):
	"""Unpacks a linux-source tarball into repo as one commit tagged
	"baseline", then writes done."""
	log = kgd_paths.log('baseline')
	with kgd_stage.Stage('baseline', f'extract {package} {ver} into {repo}'):
		partial = repo + '.partial'
		shutil.rmtree(partial, ignore_errors=True)
		shutil.rmtree(repo, ignore_errors=True)
		os.makedirs(partial)
		kgd_stage.run(['tar', '-xJf', tarball, '-C', partial], log)
		os.rename(os.path.join(partial, topdir), repo)
		os.rmdir(partial)
		git = ['git', '-C', repo]
		kgd_stage.run(git + ['init', '-q'], log)
		for key, val in (('gc.auto', '0'), ('core.autocrlf', 'false'),
				 ('advice.detachedHead', 'false')):
			kgd_stage.run(git + ['config', key, val], log)
		kgd_stage.run(git + ['add', '-A', '-f', '.'], log)
		kgd_stage.run(git + ['commit', '-q', '-m',
				     f'Linux {package} {ver} (Debian, pristine)'],
			      log, env=GIT_ENV)
		kgd_stage.run(git + ['tag', 'baseline'], log)
		with open(done, 'w', encoding='utf-8') as f:
			f.write(ver + '\n')
