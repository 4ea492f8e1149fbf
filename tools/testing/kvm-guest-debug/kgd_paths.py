# SPDX-License-Identifier: GPL-2.0
"""Where things live: the repo, its per-clone output, and the shared cache.

The cache (downloads, the extracted baseline, ccache) lives outside the
repo so that every clone on one machine reuses it.  Override it with
KGD_CACHE.
"""

import os

HARNESS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HARNESS, '..', '..', '..'))
OUT = os.environ.get('KGD_OUT', os.path.join(REPO, 'out'))
CACHE = os.environ.get('KGD_CACHE', os.path.join(
	os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache')),
	'kvm-guest-debug'))

# Our own files: everything under these repo folders overlays the baseline.
OVERLAY_DIRS = ('arch', 'virt', 'include', 'tools', 'Documentation')
PATCHES = os.path.join(REPO, 'patches')

TREE = os.path.join(OUT, 'tree')
# Every other tree a run needs, one at a time, in one worktree: the series
# git am'd onto the baseline, then each kernel without a fix.  One linux
# checkout each would be 1.7 GB apiece.
SCRATCH_ROOT = os.path.join(OUT, 'variants')
SCRATCH_TREE = os.path.join(SCRATCH_ROOT, 'tree')
AM_TREE = SCRATCH_TREE
SERIES_OUT = os.path.join(OUT, 'series')
LOGS = os.path.join(OUT, 'logs')


def build_dir(build):
	return os.path.join(OUT, 'build', build)


def log(name):
	return os.path.join(LOGS, name + '.log')


def tree_for(build):
	return SCRATCH_TREE if build.before_patch else TREE


def kernel_root(build):
	"""A kernel without a fix builds from the scratch tree.  Its output sits
	as far below that tree's folder as out/build/NAME is below out/, so
	that ccache, which sees paths relative to the build, hits across them."""
	if build.before_patch:
		return os.path.join(SCRATCH_ROOT, 'build', build.name)
	return build_dir(build.name)
