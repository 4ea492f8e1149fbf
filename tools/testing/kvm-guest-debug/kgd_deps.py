# SPDX-License-Identifier: GPL-2.0
"""Installs the Debian packages that the harness and the targets need."""

import os
import shutil

import kgd_paths
import kgd_stage

# Tools every run needs, as (command, Debian package).
COMMON = (
	('make', 'make'), ('gcc', 'gcc'), ('bc', 'bc'), ('bison', 'bison'),
	('flex', 'flex'), ('ccache', 'ccache'), ('cpio', 'cpio'),
	('xz', 'xz-utils'), ('perl', 'perl'), ('git', 'git'),
	('/usr/include/gelf.h', 'libelf-dev'),
	('/usr/include/openssl/ssl.h', 'libssl-dev'),
	('/usr/src/linux-source-6.12.tar.xz', 'linux-source-6.12'),
	('/usr/bin/python3', 'python3'),
	('/usr/lib/python3/dist-packages/ply', 'python3-ply'),
	('/usr/lib/python3/dist-packages/git', 'python3-git'),
	('/usr/bin/gzip', 'gzip'),
	('sparse', 'sparse'),
	# headers_install copies the uapi headers with rsync since 6.12.118.
	('rsync', 'rsync'),
)


# Another apt on the machine (a second clone's run) holds the lock for a
# while: wait for it rather than fail.
WAIT_FOR_LOCK = ['-o', 'DPkg::Lock::Timeout=600']


def _have(what):
	if what.startswith('/'):
		return os.path.exists(what)
	return shutil.which(what) is not None


def ensure(needs):
	"""Installs with apt whatever of needs (command, package) is missing."""
	missing = sorted({pkg for what, pkg in tuple(COMMON) + tuple(needs)
			  if not _have(what)})
	if not missing:
		return
	log = kgd_paths.log('apt')
	with kgd_stage.Stage('host', 'apt-get install ' + ' '.join(missing)):
		if shutil.which('apt-get') is None:
			raise kgd_stage.StageError(
				'apt-get not found; install these by hand: ' + ' '.join(missing))
		env = {'DEBIAN_FRONTEND': 'noninteractive'}
		kgd_stage.run(['apt-get'] + WAIT_FOR_LOCK + ['update'], log, env=env, timeout=900)
		kgd_stage.run(['apt-get'] + WAIT_FOR_LOCK + ['install', '-y', '--no-install-recommends']
			      + missing, log, env=env, timeout=1800)
	still = [pkg for what, pkg in needs if not _have(what)]
	if still:
		raise kgd_stage.StageError('installed but still missing: ' + ' '.join(still))

