# SPDX-License-Identifier: GPL-2.0
"""One writer at a time for each part of the shared cache.

Every clone on a machine shares the cache, so two harness runs could
extract the baseline or rebuild QEMU in the same folders at once and
leave a tree that neither run asked for.  A run that finds a part locked
says who holds it and waits; flock() drops the lock when its holder
exits, however it exits.
"""

import contextlib
import fcntl
import os
import time

import kgd_paths
import kgd_stage

# Longer than the slowest cold fill (QEMU, about 10 min on 2 cores), short
# enough that a stuck holder ends in an error rather than a hang.
WAIT_LIMIT = 3600


@contextlib.contextmanager
def held(part):
	"""Holds the lock of cache part (e.g. "qemu") for the with block."""
	os.makedirs(kgd_paths.CACHE, exist_ok=True)
	path = os.path.join(kgd_paths.CACHE, part + '.lock')
	with open(path, 'a+', encoding='utf-8') as f:
		t0 = time.monotonic()
		said = False
		while True:
			try:
				fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
				break
			except BlockingIOError:
				pass
			f.seek(0)
			holder = f.read().strip() or 'unknown'
			if not said:
				kgd_stage.note(f'cache: another kvm-guest-debug run (pid {holder}) '
					       f'is filling {part}; waiting for {path}')
				said = True
			if time.monotonic() - t0 > WAIT_LIMIT:
				raise kgd_stage.StageError(
					f'pid {holder} has held {path} for {WAIT_LIMIT}s; stop it, '
					'or give this run its own cache with KGD_CACHE=<dir>')
			time.sleep(1)
		f.seek(0)
		f.truncate()
		f.write(f'{os.getpid()}\n')
		f.flush()
		try:
			yield
		finally:
			f.seek(0)
			f.truncate()
			f.flush()
