# SPDX-License-Identifier: GPL-2.0
"""One KTAP stream for the whole run, known emulator bugs as XFAIL, and the
closing count line."""

import os
import re

import kgd_paths
import kgd_stage

KNOWN_BUGS = os.path.join(kgd_paths.HARNESS, 'known-emulator-bugs')
# What /init echoes from the kernel log that fails a run.
SPLATS = ('WARNING:', 'BUG:', 'Oops:', 'Kernel panic', 'UBSAN:')
RESULT = re.compile(r'^(ok|not ok) (\d+) (\S+)(?: # (.*))?$')
# A case inside a test's own KTAP, as /init's console shows it.
SUBTEST = re.compile(r'^\s+(ok|not ok) \d+ (.*?)(?: # .*)?$')


def load_known_bugs(path=KNOWN_BUGS):
	"""{(target, test): [(emulator, output pattern, reason), ...]}

	A test of "test: case" names one KTAP case inside the test.
	"""
	bugs = {}
	with open(path, encoding='utf-8') as f:
		for num, line in enumerate(f, 1):
			line = line.strip()
			if not line or line.startswith('#'):
				continue
			fields = [x.strip() for x in line.split('|')]
			if len(fields) != 5 or not all(fields):
				raise kgd_stage.StageError(
					f'{path}:{num}: want "target | test | emulator | '
					'output pattern | reason"')
			bugs.setdefault((fields[0], fields[1]), []).append(tuple(fields[2:]))
	return bugs


class Results:
	"""Collects leaf results; top-level KTAP tests are targets and checks."""

	def __init__(self, known_bugs=KNOWN_BUGS):
		self.counts = {'pass': 0, 'fail': 0, 'skip': 0, 'xfail': 0}
		self.failures = []
		self.top = 0
		self.builds = set()
		self.baseline_repo = None
		self.am_commit = None
		self.known = load_known_bugs(known_bugs)

	def share_known_bugs(self, source, target):
		"""Applies the known bugs of target source to target too."""
		for (tgt, test), bugs in list(self.known.items()):
			if tgt == source:
				self.known[(target, test)] = bugs

	def built(self, name):
		return name in self.builds

	def mark_built(self, name):
		self.builds.add(name)

	@staticmethod
	def header():
		print('KTAP version 1', flush=True)

	def _count(self, status, label, detail=''):
		self.counts[status] += 1
		if status == 'fail':
			self.failures.append(f'{label}: {detail}' if detail else label)

	def add(self, name, status, detail):
		"""A top-level test without subtests; detail says what it showed."""
		with kgd_stage.OUTPUT:
			self._add(name, status, detail)

	def _add(self, name, status, detail):
		self.top += 1
		self._count(status, name, detail)
		lines = detail.splitlines() or ['']
		for line in lines[1:]:
			print(f'# {line.lstrip("# ")}')
		if status in ('skip', 'xfail'):
			word = 'SKIP ' if status == 'skip' else ''
			print(f'ok {self.top} {name} # {word}{lines[0]}', flush=True)
			return
		if lines[0]:
			print(f'# {name}: {lines[0]}')
		print(f'{"not ok" if status == "fail" else "ok"} {self.top} {name}', flush=True)

	def add_measured(self, target, test, status, detail, output):
		"""A result of target that the harness measured from the host (the
		gdb session), judged against the known-bug list like /init's."""
		if (target, test) in self.known:
			status, directive = self._judge(target, test, status, detail, output)
			if status != 'fail' or directive != detail:
				detail = directive
		self.add(f'{target}: {test}', status, detail)

	@staticmethod
	def _judge_unfixed(test, status, output):
		"""A test on a kernel without a fix must fail, as its bugs say."""
		missing = [bug for bug, regex in test.must_fail
			   if not re.search(regex, output, re.MULTILINE)]
		if status != 'fail' or missing:
			return 'fail', ('passes on the kernel without the fix' if status != 'fail'
					else f'fails, but does not show {missing[0]}')
		return 'pass', 'fails without the fix: ' + '; '.join(b for b, _ in test.must_fail)

	def _judge_cases(self, target, test, status, directive, output):
		"""Applies the known bugs of single KTAP cases inside a test."""
		prefix = f'{test}: '
		bugs = {name[len(prefix):]: bug[0] for (tgt, name), bug in self.known.items()
			if tgt == target and name.startswith(prefix)}
		failed, diag = {}, []
		passed = set()
		for line in output.splitlines():
			match = SUBTEST.match(line)
			if not match:
				diag.append(line)
				continue
			if match.group(1) == 'ok':
				passed.add(match.group(2))
			else:
				failed[match.group(2)] = '\n'.join(diag)
			diag = []
		stale = [case for case in bugs if case in passed]
		if stale:
			emulator, _, reason = bugs[stale[0]]
			return 'fail', (f'known bug no longer seen in "{stale[0]}": {emulator}: '
					f'{reason}; remove it from {os.path.basename(KNOWN_BUGS)}')
		if status != 'fail' or not failed:
			return status, directive
		unknown = [case for case in failed
			   if case not in bugs or bugs[case][1] not in failed[case]]
		if unknown:
			return status, directive
		return 'xfail', 'XFAIL ' + '; '.join(f'"{case}": {bugs[case][0]}: {bugs[case][2]}'
						    for case in failed)

	def _judge(self, target, test, status, directive, output):
		"""Applies the known-bug list; returns (status, KTAP directive)."""
		if not isinstance(test, str):
			if test.must_fail:
				return self._judge_unfixed(test, status, output)
			test = test.name
		bugs = self.known.get((target, test))
		if not bugs:
			return self._judge_cases(target, test, status, directive, output)
		emulator, pattern, reason = bugs[0]
		if status == 'pass':
			return 'fail', (f'known bug no longer seen: {emulator}: {reason}; '
					f'remove it from {os.path.basename(KNOWN_BUGS)}')
		for emulator, pattern, reason in bugs:
			if status == 'fail' and pattern in output:
				return 'xfail', f'XFAIL {emulator}: {reason}'
		if status == 'fail':
			return 'fail', (f'{directive}; it is listed as a known {emulator} bug, '
					f'but its output lacks "{pattern}"')
		return status, directive

	def _kernel_log(self, target, lines):
		"""Judges the splats /init echoed from the kernel log."""
		splats = [ln for ln in lines if ln.startswith('# kernel: ')
			  and any(word in ln for word in SPLATS)
			  and not any(re.search(regex, ln) for regex, _ in target.kernel_log_not_splats)]
		if target.kernel_log_must_show:
			missing = [bug for bug, regex in target.kernel_log_must_show
				   if not any(re.search(regex, ln) for ln in splats)]
			if missing:
				return 'fail', f'the kernel log does not show {missing[0]}'
			return 'pass', ''
		bugs = self.known.get((target.name, 'kernel-log'), [])
		unexplained = [ln for ln in splats if not any(b[1] in ln for b in bugs)]
		stale = [b for b in bugs if not any(b[1] in ln for ln in splats)]
		if unexplained:
			return 'fail', f'splat in the kernel log: {unexplained[0][10:]}'
		if stale:
			return 'fail', (f'known bug no longer seen: {stale[0][0]}: {stale[0][2]}; '
					f'remove it from {os.path.basename(KNOWN_BUGS)}')
		if splats:
			return 'xfail', 'XFAIL ' + '; '.join(f'{b[0]}: {b[2]}' for b in bugs)
		said = [why for regex, why in target.kernel_log_not_splats
			if any(re.search(regex, ln) for ln in lines)]
		return 'pass', (f'no splat ({", ".join(SPLATS)}) in the kernel log'
				+ ''.join(f'; a line that names one is no splat: {why}' for why in said))

	def target_block(self, target, console, planned):
		"""Nests /init's KTAP from the console under one top-level test."""
		with kgd_stage.OUTPUT:
			self._target_block(target, console, planned)

	def _target_block(self, target, console, planned):
		# The UART may drop the end of the firmware's last line when the
		# kernel's driver takes it over, so /init's header can end a line.
		start = next((i for i, line in enumerate(console)
			      if line.endswith('KTAP version 1')), None)
		if start is None:
			self.add(target.name, 'fail', 'no KTAP output from /init')
			return
		console = console[:start] + ['KTAP version 1'] + console[start + 1:]
		seen = set()
		output = []
		bad = 0
		extra = 0
		for line in console[start:]:
			match = RESULT.match(line)
			if not match:
				if line.startswith('# kgd-init: running'):
					output = []
				if re.match(r'^1\.\.\d+$', line):
					line = f'1..{len(planned) + _extra_results(target)}'
				output.append(line)
				print('  ' + (line if line[:1] in ('#', ' ', '1', 'K', '')
					      else '# ' + line))
				continue
			word, num, test, directive = match.groups()
			directive = directive or ''
			if word == 'not ok':
				status = 'fail'
			elif directive.startswith('SKIP'):
				status = 'skip'
			else:
				status = 'pass'
			spec = next((t for t in target.tests if t.name == test), test)
			status, directive = self._judge(target.name, spec, status, directive,
							'\n'.join(output))
			seen.add(test)
			label = f'{target.name}: {test}'
			self._count(status, label, directive)
			if status == 'fail':
				bad += 1
			out_word = 'not ok' if status == 'fail' else 'ok'
			print(f'  {out_word} {num} {test}' + (f' # {directive}' if directive else ''))
		for test in planned:
			if test not in seen:
				self._count('fail', f'{target.name}: {test}', 'no result from /init')
				print(f'  # {test}: no result from /init')
				bad += 1
		if not target.bare_metal:
			status, why = self._kernel_log(target, console[start:])
			self._count(status, f'{target.name}: kernel-log', why)
			bad += status == 'fail'
			extra += 1
			print(f'  {"not ok" if status == "fail" else "ok"} {len(planned) + extra} '
			      'kernel-log' + (f' # {why}' if status == 'xfail' else ''))
			if status != 'xfail':
				print(f'  # kernel-log: {why}')
		if target.kernel_log_expect:
			found = any(target.kernel_log_expect in line for line in console)
			self._count('pass' if found else 'fail', f'{target.name}: kvm mode',
				    f'no "{target.kernel_log_expect}" in the kernel log')
			bad += not found
			extra += 1
			print(f'  # kvm-mode: want "{target.kernel_log_expect}" in the kernel log')
			print(f'  {"ok" if found else "not ok"} {len(planned) + extra} kvm-mode')
		self.top += 1
		print(f'{"not ok" if bad else "ok"} {self.top} {target.name}', flush=True)

	def finish(self):
		print(f'1..{self.top}')
		c = self.counts
		if c['xfail']:
			print(f'# {c["xfail"]} known emulator bug(s) reported as XFAIL, '
			      'counted as skipped')
		for failure in self.failures:
			print(f'# FAILED {failure.splitlines()[0]}')
		print(f'{c["pass"]} passed, {c["fail"]} failed, {c["skip"] + c["xfail"]} skipped',
		      flush=True)
		return 1 if c['fail'] else 0


def _extra_results(target):
	"""Results the harness adds to a target's own: the kernel log, KVM's mode."""
	return (not target.bare_metal) + bool(target.kernel_log_expect)


def collect(target, console, planned, results):
	results.target_block(target, console, planned)
