# SPDX-License-Identifier: GPL-2.0
"""The mainline base: Debian's linux-source-7.3, the newest kernel Debian
ships, standing in for mainline, pinned to one version.

bookworm's apt sources do not name trixie-backports, and the host's own
package state must stay bookworm's, so the package is fetched with an apt
state of its own in the cache, never installed, and extracted once like
the 6.12 baseline (kgd_baseline.extract).
"""

import glob
import os
import shutil

import kgd_baseline
import kgd_cache_lock
import kgd_chroot
import kgd_paths
import kgd_stage

PACKAGE = 'linux-source-7.3'
VERSION = '7.3.4-1~bpo13+1'
SUITE = 'trixie-backports'
KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'


def repo_dir():
	return os.path.join(kgd_paths.CACHE, 'baseline', f'{PACKAGE}_{VERSION}')


def _apt(state):
	return ['apt-get', '-q', '-o', f'Dir::Etc::sourcelist={state}/sources.list',
		'-o', 'Dir::Etc::sourceparts=-', '-o', f'Dir::State::Lists={state}/lists',
		'-o', f'Dir::Cache={state}/cache', '-o', 'APT::Sandbox::User=root']


def _fetch(work, log):
	"""The pinned package's .deb, downloaded into work."""
	state = os.path.join(work, 'apt')
	for sub in ('lists/partial', 'cache/archives/partial'):
		os.makedirs(os.path.join(state, sub), exist_ok=True)
	with open(os.path.join(state, 'sources.list'), 'w', encoding='utf-8') as f:
		f.write(f'deb [signed-by={KEYRING}] {kgd_chroot.MIRROR} {SUITE} main\n')
	kgd_stage.run(_apt(state) + ['update'], log, timeout=900)
	try:
		kgd_stage.run(_apt(state) + ['download', f'{PACKAGE}={VERSION}'], log,
			      cwd=work, timeout=1800)
	except kgd_stage.StageError as err:
		raise kgd_stage.StageError(
			f'{SUITE} no longer has {PACKAGE} {VERSION}: Debian has moved it.  Put the '
			f'version {SUITE} has now (apt-cache policy {PACKAGE} with the sources '
			f'line in {state}/sources.list) in kgd_mainline.VERSION, and check that '
			f'the mainline postings still apply: {err}') from err
	debs = glob.glob(os.path.join(work, f'{PACKAGE}_*.deb'))
	if len(debs) != 1:
		raise kgd_stage.StageError(f'apt-get download left {len(debs)} {PACKAGE} '
					   f'packages in {work}, not one')
	return debs[0]


def ensure():
	"""Returns the path of the cached mainline git repository (its commit
	is tagged "baseline"), extracting it on first use."""
	repo = repo_dir()
	done = os.path.join(repo, '.git', 'kgd-complete')
	if os.path.exists(done):
		return repo
	with kgd_cache_lock.held('mainline'):
		if not os.path.exists(done):
			log = kgd_paths.log('mainline')
			work = repo + '.fetch'
			shutil.rmtree(work, ignore_errors=True)
			os.makedirs(work)
			with kgd_stage.Stage('mainline', f'fetch {PACKAGE} {VERSION} from {SUITE}'):
				deb = _fetch(work, log)
				unpacked = os.path.join(work, 'root')
				kgd_stage.run(['dpkg-deb', '-x', deb, unpacked], log)
			tarball = os.path.join(unpacked, 'usr', 'src', f'{PACKAGE}.tar.xz')
			kgd_baseline.extract(PACKAGE, VERSION, tarball, PACKAGE, repo, done)
			shutil.rmtree(work, ignore_errors=True)
	return repo
