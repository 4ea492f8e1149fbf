# SPDX-License-Identifier: GPL-2.0
"""Progress lines, timed stages and logged subprocesses for the harness.

Everything the harness prints goes to stdout as KTAP diagnostic lines
("# ..."), so that the whole run stays one parseable KTAP stream.
"""

import os
import shlex
import subprocess
import sys
import threading
import time

import kgd_disk

START = time.monotonic()
# A target may boot in the background: whoever prints a line or a block
# of results holds this, so that blocks stay whole.
OUTPUT = threading.RLock()


class StageError(Exception):
	"""A stage failed; the message names the target, the stage and the log."""


def note(msg):
	elapsed = time.monotonic() - START
	with OUTPUT:
		print(f'# [{elapsed:7.1f}s] {msg}', flush=True)


class Stage:
	"""Times one step of one target and turns failures into StageError."""

	def __init__(self, target, name):
		self.target = target
		self.name = name
		self.t0 = 0.0

	def __enter__(self):
		self.t0 = time.monotonic()
		note(f'{self.target}: {self.name} ...')
		return self

	def __exit__(self, exc_type, exc, tb):
		took = time.monotonic() - self.t0
		if exc_type is None:
			note(f'{self.target}: {self.name} done in {took:.1f}s')
			return False
		if issubclass(exc_type, StageError):
			raise StageError(f'stage "{self.name}" failed after '
					 f'{took:.1f}s: {exc}{kgd_disk.low_space_hint()}') from exc
		return False


def run(cmd, log, cwd=None, env=None, timeout=None):
	"""Run cmd with output appended to log; raise StageError naming the log."""
	os.makedirs(os.path.dirname(log), exist_ok=True)
	full_env = dict(os.environ)
	if env:
		full_env.update(env)
	with open(log, 'a', encoding='utf-8') as out:
		out.write(f'$ {shlex.join(cmd)}\n')
		out.flush()
		try:
			proc = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=out,
					      stderr=subprocess.STDOUT, timeout=timeout,
					      check=False)
		except subprocess.TimeoutExpired as err:
			raise StageError(f'{cmd[0]} timed out after {timeout}s, see {log}') from err
	if proc.returncode != 0:
		raise StageError(f'{shlex.join(cmd[:4])}... exited {proc.returncode}; '
				 f'last lines of {log}:\n{tail(log)}')


def capture(cmd, cwd=None, env=None):
	"""Run a quick command and return its stdout; raise StageError on failure."""
	full_env = dict(os.environ)
	if env:
		full_env.update(env)
	proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True,
			      text=True, check=False)
	if proc.returncode != 0:
		raise StageError(f'{shlex.join(cmd)} exited {proc.returncode}: '
				 f'{proc.stderr.strip()}')
	return proc.stdout


def tail(path, lines=15):
	try:
		with open(path, encoding='utf-8', errors='replace') as f:
			text = f.read().splitlines()
	except OSError:
		return ''
	return '\n'.join('#   ' + line for line in text[-lines:])


def die(msg):
	lines = str(msg).splitlines() or ['']
	print(f'# error: {lines[0]}')
	for line in lines[1:]:
		print(f'#   {line.lstrip("# ")}')
	sys.exit(2)
