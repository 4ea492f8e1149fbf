# SPDX-License-Identifier: GPL-2.0
"""make bench TARGET=...: the guest debug benchmark on the pristine
baseline kernel and on ours, in one invocation on the same emulator.

Both kernels boot the same initramfs, with the same benchmark binary (built
against our headers, using only the API both kernels share), alternately,
ROUNDS times each; each row is the median of its rounds.  Emulators make
absolute figures meaningless: the ratio of ours to the baseline in one run
is what counts.  The table goes to stdout and to bench-results/TARGET.md.
"""

import dataclasses
import datetime
import os
import re
import statistics

import kgd_bochs
import kgd_kernel
import kgd_paths
import kgd_selftests
import kgd_series
import kgd_stage
import kgd_vm
from kgd_target import Test

ROUNDS = 5
BENCH = {'arm64': 'aarch64/guest_debug_bench', 'arm64-nvhe': 'aarch64/guest_debug_bench',
	 'x86_64-vmx': 'x86_64/guest_debug_bench', 'x86_64-svm': 'x86_64/guest_debug_bench',
	 'ppc-e500v2': 'powerpc/guest_debug_bench'}
# Targets whose baseline cannot run the benchmark: only ours is measured.
NO_BASELINE = {
	'ppc-e500v2': 'the pristine baseline runs no e500v2 guest (its first exit hits BUG(), '
		      'bug 1), and with that fixed alone it still loses single steps after host '
		      'timer ticks (bug 2), so every step-driven row would hang or time its bug',
}
# (key, what, higher is better)
ROWS = (
	('step_per_s', 'single-step exits per second', True),
	('sw_bp_per_s', 'software breakpoint hit-and-resume per second', True),
	('hw_bp_per_s', 'hardware breakpoint hit-and-resume per second (hit + step)', True),
	('watch_per_s', 'watchpoint hit-and-resume per second', True),
	('exit_per_s', 'plain userspace exits per second (the floor)', True),
	('step_vs_exit', 'steps as a fraction of the floor', True),
	('compute_hw_vs_off', 'guest compute time, USE_HW with a breakpoint elsewhere / debug off',
	 False),
	('compute_sw_vs_off', 'guest compute time, USE_SW_BP / debug off', False),
)
LINE = re.compile(r'^\s*# bench: (\w+) ([0-9.eE+-]+)$')
RESULTS = os.path.join(kgd_paths.HARNESS, 'bench-results')


def _figures(console, label):
	got = {}
	for line in console:
		match = LINE.match(line)
		if match:
			got[match.group(1)] = float(match.group(2))
	missing = [key for key, _, _ in ROWS if key not in got]
	if missing:
		raise kgd_stage.StageError(f'{label}: the benchmark printed no {", ".join(missing)}; '
					   'see the console log')
	return got


def _cell(values):
	return f'{statistics.median(values):.4g} ({min(values):.4g}-{max(values):.4g})'


def _table(target, samples):
	if target.name in NO_BASELINE:
		return ['| row | ours (min-max) |', '|---|---|'] + [
			f'| {what} | {_cell(samples["ours"][key])} |' for key, what, _ in ROWS], {}
	lines = ['| row | baseline (min-max) | ours (min-max) | ours vs baseline |',
		 '|---|---|---|---|']
	speedups = {}

	for key, what, higher in ROWS:
		base = statistics.median(samples['baseline'][key])
		ours = statistics.median(samples['ours'][key])
		speedup = (ours / base if higher else base / ours) if base and ours else 0.0
		speedups[key] = speedup
		lines.append(f'| {what} | {_cell(samples["baseline"][key])} | '
			     f'{_cell(samples["ours"][key])} | {speedup:.2f} |')
	return lines, speedups


def run(target, results, scale):
	"""Builds both kernels, runs the rounds, prints and writes the table."""
	if target.name not in BENCH:
		raise kgd_stage.StageError(f'no benchmark for {target.name}; there is one for '
					   + ', '.join(sorted(BENCH)))
	ours_build = target.build
	base_build = dataclasses.replace(ours_build, name=f'{ours_build.name}_baseline',
					 before_patch=kgd_series.first_patch(), static_checks=False)
	test = Test(BENCH[target.name], args=(str(scale),), timeout=target.vm_timeout - 60)
	ours = dataclasses.replace(target, name=f'{target.name}-bench', tests=(test,))
	base = dataclasses.replace(ours, name=f'{target.name}-bench-baseline', build=base_build,
				   selftests_from=ours_build)
	with kgd_stage.Stage(target.name, f'kernel {ours_build.name} (ours)'):
		kgd_kernel.build_kernel(ours_build)
	alone = NO_BASELINE.get(target.name)
	if alone:
		kgd_stage.note(f'{target.name}: ours alone: {alone}')
	else:
		with kgd_stage.Stage(target.name, f'kernel {base_build.name} (pristine baseline)'):
			kgd_series.checkout_variant(base_build, results.am_commit)
			kgd_kernel.build_kernel(base_build)
	with kgd_stage.Stage(target.name, 'benchmark binary and initramfs'):
		binaries = kgd_selftests.build(ours)
		initrd = kgd_selftests.initramfs(ours, binaries)
	samples = {'baseline': {k: [] for k, _, _ in ROWS}, 'ours': {k: [] for k, _, _ in ROWS}}
	for n in range(ROUNDS):
		order = (('ours', ours),) if alone else (('baseline', base), ('ours', ours))
		for label, tgt in (order if n % 2 == 0 else order[::-1]):
			with kgd_stage.Stage(target.name, f'round {n + 1} of {ROUNDS}: {label}'):
				got = _figures(kgd_vm.boot(tgt, initrd), label)
			for key, value in got.items():
				if key in samples[label]:
					samples[label][key].append(value)
	lines, speedups = _table(target, samples)
	when = datetime.date.today().isoformat()
	emulator = kgd_bochs.name(target.bochs_suite) if target.emulator == 'bochs' else (
		'our QEMU 7.2' if target.our_qemu else "Debian's QEMU 7.2 TCG")
	if alone:
		intro = (f'`make bench TARGET={target.name} SCALE={scale}` on {when}: {emulator}, '
			 f'{ROUNDS} rounds of our kernel alone; medians, with the range of the '
			 f'rounds.  No baseline column: {alone}.')
	else:
		intro = (f'`make bench TARGET={target.name} SCALE={scale}` on {when}: {emulator}, '
			 f'{ROUNDS} rounds per kernel, alternating; medians, with the range of the '
			 'rounds.  "ours vs baseline" is a speed-up: 1.00 or more means ours is as '
			 'fast or faster (for the compute rows, lower time is better).')
	text = '\n'.join([f'# Guest debug benchmark: {target.name}', '', intro, ''] + lines) + '\n'
	os.makedirs(RESULTS, exist_ok=True)
	with open(os.path.join(RESULTS, f'{target.name}.md'), 'w', encoding='utf-8') as f:
		f.write(text)
	print(text, flush=True)
	if alone:
		return []
	return [key for key, _, higher in ROWS if _clearly_slower(samples, key, higher)]


def _clearly_slower(samples, key, higher):
	"""Slower in every round: ours' best is worse than the baseline's worst.
	Anything less is within the emulator's noise."""
	base, ours = samples['baseline'][key], samples['ours'][key]
	return max(ours) < min(base) if higher else min(ours) > max(base)
