# SPDX-License-Identifier: GPL-2.0
"""checkpatch --strict over every patch of the series."""

import os
import subprocess

import kgd_paths

# A patch that adds files always draws "does MAINTAINERS need updating?";
# the series adds the MAINTAINERS entry in a patch of its own.
IGNORE = 'FILE_PATH_CHANGES'

# checkpatch runs scripts/spdxcheck.py with the python3 on PATH; Debian's
# has the ply module it needs (python3-ply), a virtualenv's may not.
ENV = dict(os.environ, PATH='/usr/bin:' + os.environ.get('PATH', ''))


def check(series):
	"""Returns a list of (patch name, checkpatch report) for unclean patches."""
	script = os.path.join(kgd_paths.TREE, 'scripts', 'checkpatch.pl')
	unclean = []
	for patch in series:
		if patch.endswith('0000-cover-letter.patch'):
			continue
		proc = subprocess.run(['perl', script, '--strict', '--no-summary',
				       '--terse', '--ignore', IGNORE, patch],
				      cwd=kgd_paths.TREE, capture_output=True, text=True,
				      env=ENV, check=False)
		if proc.returncode or proc.stdout.strip():
			unclean.append((os.path.basename(patch),
					(proc.stdout + proc.stderr).strip()))
	return unclean
