#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of the harness's own verdicts, in the way kunit_tool_test.py tests
kunit.py: which failures the known-bug list turns into XFAIL, which KTAP
fails a target, what a VM that hangs or panics gives, which kernels and
layouts make modules refuses, and whom make series signs off as.

The console logs in test_data/ are small recordings of /init's output;
test_data/known-emulator-bugs lists the bugs of their target, "demo".
make check runs this first; run it directly while changing the harness.
"""

import contextlib
import dataclasses
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# Logs and VM folders of these tests go to a throwaway OUT, never the clone's.
os.environ['KGD_OUT'] = tempfile.mkdtemp(prefix='kgd-results-test-')
sys.path.insert(0, HERE)

# pylint: disable=wrong-import-position
import kgd_baseline
import kgd_disk
import kgd_modules
import kgd_paths
import kgd_results
import kgd_series
import kgd_stage
import kgd_vm
from kgd_target import Build, Target, Test

DATA = os.path.join(HERE, 'test_data')
KNOWN = os.path.join(DATA, 'known-emulator-bugs')
BUILD = Build(name='demo', arch='x86', config='none', make_target='none', image='none')
DEMO = Target(name='demo', build=BUILD, emulator='qemu',
	      tests=(Test('t_plain'), Test('t_listed'), Test('t_cases')))
PLANNED = [t.name for t in DEMO.tests]


def judge(console_name, target=DEMO):
	"""Runs the verdict on test_data/console_name; returns (Results, KTAP)."""
	with open(os.path.join(DATA, console_name), encoding='utf-8') as f:
		console = f.read().splitlines()
	results = kgd_results.Results(known_bugs=KNOWN)
	out = io.StringIO()
	with contextlib.redirect_stdout(out):
		results.target_block(target, console, [t.name for t in target.tests])
	return results, out.getvalue()


class KnownBugs(unittest.TestCase):
	"""The list's rule: a failure it explains is XFAIL, nothing else is."""

	def test_failures_as_listed_are_xfail(self):
		results, ktap = judge('console-as-listed.log')
		self.assertEqual(results.counts, {'pass': 1, 'fail': 0, 'skip': 0, 'xfail': 3})
		self.assertIn('ok 2 t_listed # XFAIL Emu 1.0: the emulator steps twice', ktap)
		self.assertIn('"case two": Emu 1.0: the emulator stops one instruction early', ktap)
		self.assertIn('kernel-log # XFAIL Emu 1.0', ktap)
		self.assertRegex(ktap, r'(?m)^ok 1 demo$')

	def test_listed_test_that_passes_fails(self):
		results, ktap = judge('console-listed-passes.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('known bug no longer seen: Emu 1.0: the emulator steps twice; '
			      'remove it from known-emulator-bugs', results.failures[0])
		self.assertRegex(ktap, r'(?m)^not ok 1 demo$')

	def test_listed_case_that_passes_fails(self):
		results, _ = judge('console-listed-case-passes.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('known bug no longer seen in "case two"', results.failures[0])

	def test_listed_test_without_its_pattern_fails(self):
		results, _ = judge('console-listed-no-pattern.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('demo: t_listed', results.failures[0])
		self.assertIn('its output lacks "SPURIOUS-STEP"', results.failures[0])

	def test_listed_case_without_its_pattern_fails(self):
		results, _ = judge('console-case-no-pattern.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('demo: t_cases', results.failures[0])

	def test_unlisted_failure_fails(self):
		results, ktap = judge('console-unlisted.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('demo: t_plain', results.failures[0])
		self.assertRegex(ktap, r'(?m)^  not ok 1 t_plain')

	def test_other_targets_bugs_do_not_apply(self):
		other = Target(name='other', build=BUILD, emulator='qemu', tests=DEMO.tests)
		results, _ = judge('console-as-listed.log', other)
		# t_listed, t_cases, and the kernel log's warning: none is other's bug.
		self.assertEqual(results.counts['fail'], 3)
		self.assertEqual(results.counts['xfail'], 0)

	def test_a_variant_shares_the_bugs_it_names(self):
		twin = Target(name='demo-debug', build=BUILD, emulator='qemu', tests=DEMO.tests,
			      known_bugs_of='demo')
		with open(os.path.join(DATA, 'console-as-listed.log'), encoding='utf-8') as f:
			console = f.read().splitlines()
		results = kgd_results.Results(known_bugs=KNOWN)
		results.share_known_bugs('demo', 'demo-debug')
		with contextlib.redirect_stdout(io.StringIO()):
			results.target_block(twin, console, PLANNED)
		self.assertEqual(results.counts['fail'], 0)
		self.assertEqual(results.counts['xfail'], 3)

	def test_malformed_list_is_an_error(self):
		with tempfile.NamedTemporaryFile('w', suffix='-bugs', delete=False) as f:
			f.write('demo | t_listed | Emu 1.0 | no reason\n')
		with self.assertRaisesRegex(kgd_stage.StageError, r':1: want "target \| test'):
			kgd_results.load_known_bugs(f.name)
		os.unlink(f.name)


class KernelLog(unittest.TestCase):
	"""Splats that /init echoes from the kernel log."""

	def test_unexplained_splat_fails(self):
		results, ktap = judge('console-splat.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('splat in the kernel log: [    3.200000] BUG: KASAN', ktap)

	def test_listed_splat_no_longer_seen_fails(self):
		results, _ = judge('console-kernel-log-clean.log')
		self.assertEqual(results.counts['fail'], 1)
		self.assertIn('demo: kernel-log', results.failures[0])
		self.assertIn('known bug no longer seen', results.failures[0])

	def test_expected_oops_must_show(self):
		unfixed = Target(name='unfixed', build=BUILD, emulator='qemu', tests=DEMO.tests,
				 kernel_log_must_show=(('bug 1', r'BUG: kernel BUG at'),))
		results, _ = judge('console-splat.log', unfixed)
		self.assertIn('unfixed: kernel-log: the kernel log does not show bug 1',
			      results.failures)


	def test_cpu_report_is_no_splat_only_where_said(self):
		cpu = Target(name='cpu', build=BUILD, emulator='qemu', tests=(Test('t_plain'),))
		results, _ = judge('console-cpu-report.log', cpu)
		self.assertIn('cpu: kernel-log', results.failures[0])
		said = dataclasses.replace(cpu, kernel_log_not_splats=(
			(r'RETBleed: WARNING: Spectre v2 mitigation', 'no IBRS'),))
		results, _ = judge('console-cpu-report.log', said)
		self.assertEqual(results.counts['fail'], 0)
		self.assertEqual(results.counts['pass'], 2)


class Ktap(unittest.TestCase):
	"""What /init reported, or did not."""

	def test_missing_results_fail(self):
		results, ktap = judge('console-cut-short.log')
		self.assertIn('demo: t_listed: no result from /init', results.failures)
		self.assertIn('demo: t_cases: no result from /init', results.failures)
		self.assertRegex(ktap, r'(?m)^not ok 1 demo$')

	def test_no_ktap_at_all_fails(self):
		results = kgd_results.Results(known_bugs=KNOWN)
		with contextlib.redirect_stdout(io.StringIO()):
			results.target_block(DEMO, ['Kernel panic - not syncing: VFS'], PLANNED)
		self.assertEqual(results.failures, ['demo: no KTAP output from /init'])

	def test_closing_line_counts_xfail_as_skipped(self):
		results, _ = judge('console-as-listed.log')
		out = io.StringIO()
		with contextlib.redirect_stdout(out):
			status = results.finish()
		self.assertEqual(status, 0)
		self.assertIn('\n1 passed, 0 failed, 3 skipped\n', out.getvalue())

	def test_closing_line_fails_the_run(self):
		results, _ = judge('console-unlisted.log')
		out = io.StringIO()
		with contextlib.redirect_stdout(out):
			status = results.finish()
		self.assertEqual(status, 1)
		self.assertIn('# FAILED demo: t_plain', out.getvalue())

	def test_unfixed_kernel_must_fail_with_its_bug(self):
		spec = Test('t_listed', must_fail=(('bug 2', r'SPURIOUS-STEP'),))
		unfixed = Target(name='demo', build=BUILD, emulator='qemu',
				 tests=(Test('t_plain'), spec, Test('t_cases')))
		results, _ = judge('console-listed-passes.log', unfixed)
		self.assertIn('demo: t_listed: passes on the kernel without the fix',
			      results.failures)
		results, _ = judge('console-listed-no-pattern.log', unfixed)
		self.assertIn('demo: t_listed: fails, but does not show bug 2', results.failures)


def _vm(script, vm_timeout):
	"""A target whose "emulator" is a shell script standing in for a VM."""
	return Target(name='fake-vm', build=BUILD, emulator='qemu', vm_timeout=vm_timeout,
		      qemu=('sh', '-c', script))


class HardLimits(unittest.TestCase):
	"""kgd_vm: a VM that hangs or panics ends, and says why."""

	def setUp(self):
		os.makedirs(kgd_paths.LOGS, exist_ok=True)
		self.note = kgd_stage.note
		kgd_stage.note = lambda msg: None

	def tearDown(self):
		kgd_stage.note = self.note

	def test_hang_hits_the_hard_timeout(self):
		vm = _vm('echo KTAP version 1; exec sleep 60', vm_timeout=2)
		with self.assertRaisesRegex(kgd_stage.StageError, r'hard timeout of 2s reached'):
			kgd_vm.boot(vm, initrd='none', kernel='none')

	def test_panic_ends_the_run(self):
		vm = _vm('echo "Kernel panic - not syncing: Fatal exception"; exec sleep 60',
			 vm_timeout=60)
		with self.assertRaisesRegex(kgd_stage.StageError, r'the kernel panicked'):
			kgd_vm.boot(vm, initrd='none', kernel='none')

	def test_exit_before_init_is_done(self):
		vm = _vm('echo KTAP version 1; exit 3', vm_timeout=60)
		with self.assertRaisesRegex(kgd_stage.StageError,
					    r'qemu exited \(3\) before /init finished'):
			kgd_vm.boot(vm, initrd='none', kernel='none')

	def test_finished_run_returns_the_console(self):
		vm = _vm(f'echo KTAP version 1; echo "{kgd_vm.END_MARKER}, 0 of 0"; exec sleep 60',
			 vm_timeout=60)
		lines = kgd_vm.boot(vm, initrd='none', kernel='none')
		self.assertEqual(lines[0], 'KTAP version 1')


class Modules(unittest.TestCase):
	"""kgd_modules: the kernels and layouts make modules refuses."""

	def setUp(self):
		self.saved = (kgd_baseline.version, kgd_modules.image_btf, kgd_modules._offsets,
			      kgd_modules.default_kdir)
		kgd_baseline.version = lambda: '6.12.118-1~deb12u1'

	def tearDown(self):
		(kgd_baseline.version, kgd_modules.image_btf, kgd_modules._offsets,
		 kgd_modules.default_kdir) = self.saved

	def test_missing_kdir_names_the_package(self):
		kdir = tempfile.mkdtemp()
		missing = os.path.join(kdir, 'lib', 'modules', 'none', 'build')
		kgd_modules.default_kdir = lambda: missing
		with self.assertRaisesRegex(kgd_stage.StageError, r'apt install linux-headers-'):
			kgd_modules.kdir_release(missing)
		with self.assertRaisesRegex(kgd_stage.StageError, r'KDIR=debian'):
			kgd_modules.kdir_release(kdir)

	def test_other_versions_are_refused(self):
		for release in ('6.18.44-amd64', '6.1.0-28-amd64', '7.3.0'):
			with self.assertRaisesRegex(kgd_stage.StageError, r'this series is for Linux 6\.12'):
				kgd_modules.check_version('kdir', release)

	def test_other_point_release_warns(self):
		self.assertIn('6.12.99', kgd_modules.check_version('kdir', '6.12.99+deb13-amd64'))
		self.assertEqual(kgd_modules.check_version('kdir', '6.12.118+deb12-amd64'), '')

	def _layout(self, ours):
		image = {'kvm_vcpu': {'run': (104, 8), 'stat': (5280, 1104)},
			 'kvm_vcpu_stat': {'signal_exits': (928, 8)},
			 'kvm_run': {'exit_reason': (8, 4)}}
		kgd_modules.image_btf = lambda kdir, release: 'vmlinux'
		kgd_modules._offsets = lambda path, fmt, struct: (
			image if path == 'vmlinux' else ours)[struct]
		return kgd_modules.check_layout('kdir', 'release', 'kvm.ko')

	def test_moved_layout_is_refused(self):
		ours = {'kvm_vcpu': {'run': (104, 8), 'stat': (5296, 1144)},
			'kvm_vcpu_stat': {'signal_exits': (968, 8)},
			'kvm_run': {'exit_reason': (8, 4)}}
		with self.assertRaisesRegex(kgd_stage.StageError,
					    r'must not be loaded(.|\n)*kvm_vcpu.stat: offset 5280'):
			self._layout(ours)

	def test_counters_at_the_end_are_fine(self):
		ours = {'kvm_vcpu': {'run': (104, 8), 'stat': (5280, 1144)},
			'kvm_vcpu_stat': {'signal_exits': (928, 8)},
			'kvm_run': {'exit_reason': (8, 4)}}
		self.assertIn('matches', self._layout(ours))

	def test_uapi_header_is_found_by_its_plain_name(self):
		tree = tempfile.mkdtemp()
		os.makedirs(os.path.join(tree, 'include', 'linux'))
		with open(os.path.join(tree, 'include', 'linux', 'kvm_para.h'), 'w',
			  encoding='utf-8'):
			pass
		self.assertEqual(kgd_modules._include_paths(tree, 'include/uapi/linux/kvm.h'),
				 ['include/uapi/linux/kvm.h', 'include/linux/kvm.h'])
		self.assertEqual(kgd_modules._include_paths(tree, 'include/uapi/linux/kvm_para.h'),
				 ['include/uapi/linux/kvm_para.h'])


class SignOff(unittest.TestCase):
	"""kgd_series: make series signs off as whoever runs it, or refuses."""

	def setUp(self):
		self.saved = (kgd_paths.REPO, dict(os.environ))
		kgd_paths.REPO = tempfile.mkdtemp()
		os.environ['GIT_CONFIG_NOSYSTEM'] = '1'

	def tearDown(self):
		kgd_paths.REPO = self.saved[0]
		os.environ.clear()
		os.environ.update(self.saved[1])

	def test_no_identity_is_refused(self):
		os.environ['GIT_CONFIG_GLOBAL'] = os.devnull
		with self.assertRaisesRegex(kgd_stage.StageError, r'git config --global user.name'):
			kgd_series.signer()

	def test_the_identity_is_gits(self):
		config = os.path.join(kgd_paths.REPO, 'gitconfig')
		with open(config, 'w', encoding='utf-8') as f:
			f.write('[user]\n\tname = A Sender\n\temail = sender@example.org\n')
		os.environ['GIT_CONFIG_GLOBAL'] = config
		self.assertEqual(kgd_series.signer(), ('A Sender', 'sender@example.org'))

	def test_get_maintainer_lines_split_at_the_role(self):
		self.assertEqual(kgd_series.maintainer_line(
			'"Christophe Leroy (CS GROUP)" <chleroy@kernel.org> (reviewer:LINUX FOR POWERPC)'),
			('"Christophe Leroy (CS GROUP)" <chleroy@kernel.org>',
			 'reviewer:LINUX FOR POWERPC)'))
		self.assertEqual(kgd_series.maintainer_line(
			'kvm@vger.kernel.org (open list:KERNEL VIRTUAL MACHINE FOR POWERPC (KVM/powerpc))'),
			('kvm@vger.kernel.org',
			 'open list:KERNEL VIRTUAL MACHINE FOR POWERPC (KVM/powerpc))'))

	def test_a_placeholder_sign_off_is_found(self):
		posting = os.path.join(kgd_paths.REPO, '0001-x.patch')
		with open(posting, 'w', encoding='utf-8') as f:
			f.write('From 0 Mon Sep 17 00:00:00 2001\nFrom: A Sender <sender@example.org>\n'
				'Subject: [PATCH] x\n\nWhy.\n\nSigned-off-by: '
				f'{kgd_series.PROJECT_IDENTITY}\n---\n')
		self.assertEqual(kgd_series.unsigned([posting], ('A Sender', 'sender@example.org')),
				 ['0001-x.patch'])


class Disk(unittest.TestCase):
	"""kgd_disk: check refuses to start on a disk it would fill."""

	def setUp(self):
		self.saved = (kgd_paths.OUT, kgd_paths.CACHE, kgd_disk.free_gb, kgd_disk._used_gb)
		root = tempfile.mkdtemp()
		kgd_paths.OUT = os.path.join(root, 'clone', 'out')
		kgd_paths.CACHE = os.path.join(root, 'cache')

	def tearDown(self):
		(kgd_paths.OUT, kgd_paths.CACHE, kgd_disk.free_gb, kgd_disk._used_gb) = self.saved

	def test_a_cold_check_needs_out_and_cache_together(self):
		kgd_disk._used_gb = lambda path: 0.0
		need = kgd_disk.CHECK_OUT_GB + kgd_disk.CHECK_CACHE_GB
		kgd_disk.free_gb = lambda path: need - 0.5
		summary, error = kgd_disk.preflight()
		self.assertIn(f'{need:.1f} GB more', summary)
		self.assertRegex(error, r'not enough disk(.|\n)*KGD_OUT and KGD_CACHE')
		kgd_disk.free_gb = lambda path: need + 0.5
		self.assertIsNone(kgd_disk.preflight()[1])

	def test_a_warm_cache_needs_only_out(self):
		kgd_disk._used_gb = lambda path: kgd_disk.CHECK_CACHE_GB if path == kgd_paths.CACHE else 0
		kgd_disk.free_gb = lambda path: kgd_disk.CHECK_OUT_GB + 0.5
		self.assertIsNone(kgd_disk.preflight()[1])

	def test_a_full_disk_is_named_when_a_stage_fails(self):
		kgd_disk.free_gb = lambda path: 0.2
		with self.assertRaisesRegex(kgd_stage.StageError, r'only 0\.20 GB is free'):
			with kgd_stage.Stage('t', 'write'):
				raise kgd_stage.StageError('git worktree add -q failed')
		kgd_disk.free_gb = lambda path: 50.0
		with self.assertRaisesRegex(kgd_stage.StageError, r'failed$'):
			with kgd_stage.Stage('t', 'write'):
				raise kgd_stage.StageError('git worktree add -q failed')


if __name__ == '__main__':
	unittest.main()
