# SPDX-License-Identifier: GPL-2.0
"""checkpatch --strict over every patch of the series."""

import os
import subprocess

import kgd_paths

# A patch that adds files always draws "does MAINTAINERS need updating?";
# the series adds the MAINTAINERS entry in a patch of its own.  The
# baseline is Debian's source tarball, a tree without Linux's history, so
# checkpatch cannot look up the commit a Fixes: tag names; those are
# checked by hand against Linux's history.
IGNORE = 'FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID'

# checkpatch runs scripts/spdxcheck.py with the python3 on PATH; Debian's
# has the ply module it needs (python3-ply), a virtualenv's may not.
ENV = dict(os.environ, PATH='/usr/bin:' + os.environ.get('PATH', ''))


# Our QEMU patches are QEMU code: QEMU's checkpatch checks them (kgd_qemu),
# and the kernel's would only see patches inside a patch.
QEMU_PATCHES = 'tools/testing/kvm-guest-debug/qemu/'


def _only_qemu_patches(patch):
	with open(patch, encoding='utf-8', errors='replace') as f:
		paths = [line.split()[-1][2:] for line in f if line.startswith('diff --git ')]
	return paths and all(p.startswith(QEMU_PATCHES) for p in paths)


def check(series, tree=kgd_paths.TREE):
	"""Returns a list of (patch name, checkpatch report) for unclean
	patches, with the checkpatch of tree."""
	script = os.path.join(tree, 'scripts', 'checkpatch.pl')
	unclean = []
	for patch in series:
		if patch.endswith('0000-cover-letter.patch') or _only_qemu_patches(patch):
			continue
		proc = subprocess.run(['perl', script, '--strict', '--no-summary',
				       '--terse', '--ignore', IGNORE, patch],
				      cwd=tree, capture_output=True, text=True,
				      env=ENV, check=False)
		if proc.returncode or proc.stdout.strip():
			unclean.append((os.path.basename(patch),
					(proc.stdout + proc.stderr).strip()))
	return unclean
