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
AM_TREE = os.path.join(OUT, 'am-check')
SERIES_OUT = os.path.join(OUT, 'series')
LOGS = os.path.join(OUT, 'logs')


def build_dir(build):
	return os.path.join(OUT, 'build', build)


def log(name):
	return os.path.join(LOGS, name + '.log')


def variant_root(build):
	"""A kernel without a fix gets a tree of its own.  Its tree and kernel
	output sit at the same relative paths as out/tree and out/build/NAME,
	so that ccache, which sees paths relative to OUT, hits across them."""
	return os.path.join(OUT, 'variants', build.name)


def tree_for(build):
	return os.path.join(variant_root(build), 'tree') if build.before_patch else TREE


def kernel_root(build):
	if build.before_patch:
		return os.path.join(variant_root(build), 'build', build.name)
	return build_dir(build.name)
