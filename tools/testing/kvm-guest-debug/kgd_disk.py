# SPDX-License-Identifier: GPL-2.0
"""Free disk space.  A run that fills the disk fails far from the cause
(git cannot write a file, ld leaves a short object), so check says up
front what it needs, and a failed stage says when the disk is nearly full.
"""

import os
import shutil
import subprocess

import kgd_paths

GB = 1 << 30
# What make check from a fresh clone leaves, with a margin: out/ holds
# the build tree, the scratch tree and every kernel; the cache holds QEMU,
# the Bochs and LoongArch chroots, both bases, Debian's kernel and ccache
# (9.1 GB in all on 2026-12-08).
CHECK_OUT_GB = 5.5
CHECK_CACHE_GB = 10.0
# Below this, a failed stage says that the disk may be why.
LOW_GB = 1.0


def _existing(path):
	while not os.path.exists(path):
		path = os.path.dirname(path)
	return path


def free_gb(path):
	return shutil.disk_usage(_existing(path)).free / GB


def _used_gb(path):
	if not os.path.isdir(path):
		return 0.0
	proc = subprocess.run(['du', '-sb', path], capture_output=True, text=True, check=False)
	try:
		return int(proc.stdout.split()[0]) / GB
	except (IndexError, ValueError):
		return 0.0


def low_space_hint():
	"""A sentence for a failed stage when out/ or the cache is nearly full."""
	for path in (kgd_paths.OUT, kgd_paths.CACHE):
		free = free_gb(path)
		if free < LOW_GB:
			return (f'; only {free:.2f} GB is free on {_existing(path)}, which may be '
				'why: make check needs about '
				f'{CHECK_OUT_GB + CHECK_CACHE_GB:.0f} GB from cold')
	return ''


def preflight():
	"""What out/ and the cache still have to grow to for make check, against
	what is free: returns (a progress line, an error or None)."""
	needs = {}	# {device: [a folder on it, GB still to be written there]}
	for path, full in ((kgd_paths.OUT, CHECK_OUT_GB), (kgd_paths.CACHE, CHECK_CACHE_GB)):
		where = _existing(path)
		need = needs.setdefault(os.stat(where).st_dev, [where, 0.0])
		need[1] += max(0.0, full - _used_gb(path))
	lines, error = [], None
	for where, need in needs.values():
		free = free_gb(where)
		lines.append(f'{free:.1f} GB free on {where}, up to {need:.1f} GB more needed')
		if free < need and not error:
			error = (f'not enough disk: {free:.1f} GB free on {where}, and make check '
				 f'needs about {need:.1f} GB more (out/ grows to {CHECK_OUT_GB} GB, '
				 f'the cache to {CHECK_CACHE_GB} GB).  Free space (make clean in '
				 'clones you no longer use), or point KGD_OUT and KGD_CACHE at a '
				 'larger disk')
	return 'disk: ' + '; '.join(lines), error
