#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kvm-guest-debug: build kernels for each target, run the guest-debug
selftests under emulators, and print one KTAP stream.

  kgd.py check                   every target, plus the series check
  kgd.py run [TARGET...]         the named targets (default: arm64)
  kgd.py series                  write the git-am-able series to out/series
  kgd.py series-bisect           build every commit of the series on its own
  kgd.py bench TARGET [SCALE]    the guest debug benchmark, baseline against ours
  kgd.py vm-run TARGET BINARY    run any static binary in TARGET's VM
  kgd.py demo [TARGET]           gdb on a guest program in TARGET's VM
  kgd.py list                    the targets and what they exercise
  kgd.py modules [--kdir DIR] [--install]
                                 our x86 KVM as modules for a 6.12 kernel
"""

import argparse
import concurrent.futures
import dataclasses
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
import kgd_bare_metal
import kgd_baseline
import kgd_bench
import kgd_bisect
import kgd_bochs
import kgd_checkpatch
import kgd_debian_kernel
import kgd_debian_qemu
import kgd_debug
import kgd_deps
import kgd_disk
import kgd_docs
import kgd_gdb
import kgd_gdb_qemu
import kgd_kernel
import kgd_kut
import kgd_mainline
import kgd_mainline_series
import kgd_modules
import kgd_paths
import kgd_peer_baseline
import kgd_qemu
import kgd_results
import kgd_selftests
import kgd_series
import kgd_static
import kgd_stage
import kgd_target
import kgd_vm

DEFAULT_TARGETS = ('arm64',)


def prepare_series(who=kgd_series.CHECK_SIGNER):
	"""Baseline, tree and series, signed off by who; returns (version, tip
	commit, patch files)."""
	ver, repo = kgd_baseline.ensure()
	kgd_stage.note(f'baseline: {kgd_baseline.PACKAGE} {ver}')
	kgd_series.ensure_tree(repo)
	with kgd_stage.Stage('series', f'make the series commits and out/series, signed off '
			     f'by {who[0]} <{who[1]}>'):
		tip = kgd_series.make_commits()
		series = kgd_series.write_series(tip, ver, who)
	os.makedirs(kgd_paths.OUT, exist_ok=True)
	with open(os.path.join(kgd_paths.OUT, 'baseline-version'), 'w', encoding='utf-8') as f:
		f.write(f'{kgd_baseline.PACKAGE} {ver}\n')
	return ver, tip, series


def prepare_tree(results, style=True):
	"""Series, git am check, and the build tree at the am'd commit; with
	style, checkpatch on the series too."""
	ver, tip, series = prepare_series()
	results.baseline_repo = kgd_baseline.repo_dir(ver)
	with kgd_stage.Stage('series', f'git am {len(series) - 1} patches onto a pristine tree'):
		try:
			commit = kgd_series.am_check(series, tip)
		except kgd_stage.StageError as err:
			results.add('series-git-am', 'fail', str(err))
			raise
	results.am_commit = commit
	results.add('series-git-am', 'pass',
		    f'{len(series) - 1} patches apply to the pristine baseline with git am '
		    'and give exactly the tested tree')
	kgd_series.checkout_build_tree(commit)
	unsigned = kgd_series.unsigned(series, kgd_series.CHECK_SIGNER)
	results.add('series-sign-off', 'fail' if unsigned else 'pass',
		    f'not signed off by the sender alone: {", ".join(unsigned)}' if unsigned else
		    f'every posting is from and signed off by its sender (here the throwaway '
		    f'{kgd_series.CHECK_SIGNER[0]}), with no placeholder identity left')
	if not style:
		return
	add_style_result(results, 'series-checkpatch', kgd_checkpatch.check(series),
			 'patch(es) not checkpatch --strict clean',
			 f'{len(series) - 1} patches are checkpatch --strict clean')


def add_style_result(results, name, unclean, what_fails, passed):
	"""One result for a style check; unclean is [(patch, report)]."""
	if unclean:
		results.add(name, 'fail', f'{len(unclean)} {what_fails}\n'
			    + '\n'.join(f'{patch}: {report}' for patch, report in unclean))
	else:
		results.add(name, 'pass', passed)


def check_harness(results):
	"""The harness's own tests (kgd_results_test.py), before any build."""
	log = kgd_paths.log('harness-tests')
	with kgd_stage.Stage('harness', 'its own tests: known bugs, KTAP verdicts, VM limits'):
		proc = subprocess.run([sys.executable, os.path.join(kgd_paths.HARNESS,
								     'kgd_results_test.py')],
				      capture_output=True, text=True, check=False, timeout=300)
	os.makedirs(kgd_paths.LOGS, exist_ok=True)
	with open(log, 'w', encoding='utf-8') as f:
		f.write(proc.stderr)
	ran = re.search(r'^Ran (\d+) tests?', proc.stderr, re.MULTILINE)
	if proc.returncode or not ran:
		failed = re.findall(r'^(?:FAIL|ERROR): (\S+)', proc.stderr, re.MULTILINE)
		results.add('harness-tests', 'fail', f'kgd_results_test.py failed: '
			    f'{", ".join(failed) or "see the log"}; log: {log}')
	else:
		results.add('harness-tests', 'pass', f'kgd_results_test.py: {ran.group(1)} '
			    'tests of the XFAIL rules, the KTAP verdicts and the VM time limits')


def check_mainline_postings(results):
	"""make series BASE=mainline, signed by the throwaway identity: each
	posting applies alone to the mainline base with git am and is clean
	for mainline's checkpatch --strict."""
	try:
		with kgd_stage.Stage('mainline', 'the fixes postings for '
				     f'{kgd_mainline.PACKAGE} {kgd_mainline.VERSION}'):
			written = kgd_mainline_series.write(kgd_series.CHECK_SIGNER)
			failed = kgd_mainline_series.am_check(written)
			unclean = kgd_mainline_series.checkpatch(written)
	except kgd_stage.StageError as err:
		results.add('mainline-postings', 'fail', str(err))
		return
	count = sum(len(files) - 1 for files in written.values())
	names = ', '.join(f'{name} ({len(files) - 1})' for name, files in written.items())
	if failed:
		results.add('mainline-postings-git-am', 'fail', '\n'.join(
			f'{name} does not apply alone with git am:\n{err}' for name, err in failed))
	else:
		results.add('mainline-postings-git-am', 'pass',
			    f'{count} patches in {len(written)} postings ({names}), each posting '
			    f'applied alone to pristine {kgd_mainline.PACKAGE} '
			    f'{kgd_mainline.VERSION} with git am')
	add_style_result(results, 'mainline-postings-checkpatch', unclean,
			 'mainline patch(es) not clean for mainline\'s checkpatch --strict',
			 f'{count} patches are clean for {kgd_mainline.PACKAGE}\'s checkpatch --strict')


def check_docs(results):
	"""kernel-doc and Sphinx: no diagnostic that the baseline lacks."""
	kgd_deps.ensure(kgd_docs.PACKAGES)
	try:
		with kgd_stage.Stage('docs', 'kernel-doc and Sphinx against the baseline'):
			what, new = kgd_docs.check(results.baseline_repo)
	except kgd_stage.StageError as err:
		results.add('docs', 'fail', str(err))
		return
	if new:
		results.add('docs', 'fail', f'{len(new)} new diagnostic(s) ({what}):\n'
			    + '\n'.join(new))
	else:
		results.add('docs', 'pass', f'{what}: no new diagnostic')


def ensure_our_qemu(results):
	"""Builds our QEMU once per run and checks its patches."""
	if results.built('qemu'):
		return
	kgd_deps.ensure(kgd_qemu.PACKAGES)
	kgd_qemu.ensure()
	results.mark_built('qemu')
	add_style_result(results, 'qemu-checkpatch', kgd_qemu.checkpatch(),
			 'QEMU patch(es) not clean for QEMU\'s checkpatch',
			 f'{len(kgd_qemu.patches())} QEMU patches apply with git am, build, '
			 'and are clean for QEMU\'s checkpatch')


def run_bare_metal(target, results):
	kgd_deps.ensure(target.build.packages)
	if target.our_qemu:
		ensure_our_qemu(results)
	with kgd_stage.Stage(target.name, f'bare-metal {target.bare_metal.name}'):
		elf = kgd_bare_metal.build(target)
	with kgd_stage.Stage(target.name, f'boot and test ({target.emulator}, '
			     f'hard timeout {target.vm_timeout}s)'):
		console = kgd_vm.boot(target, None, kernel=elf)
	kgd_results.collect(target, console, [target.bare_metal.name], results)


def run_target(target, results, extra_binary=None, demo=False, extra_args=(),
	       background=None):
	"""Builds what target needs, then boots it and collects its results:
	in background (an executor) if given, and the returned future says
	when that is done."""
	build = target.build
	name = target.name
	if target.bare_metal:
		if extra_binary:
			raise kgd_stage.StageError(f'{name} boots a bare-metal program, not a '
						   'kernel; vm-run needs a kernel target')
		run_bare_metal(target, results)
		return None
	kgd_deps.ensure(build.packages)
	if not results.built(build.name):
		with kgd_stage.Stage(name, f'kernel {build.name} ({build.make_target})'):
			if build.before_patch:
				kgd_series.checkout_variant(build, results.am_commit)
			kgd_kernel.build_kernel(build)
		results.mark_built(build.name)
		if build.static_checks and not extra_binary:
			with kgd_stage.Stage(name, f'W=1 and sparse on {build.name}'):
				checked, new = kgd_static.check(build, results.baseline_repo)
			if new:
				results.add(f'{build.name}-static-checks', 'fail',
					    f'{len(new)} new W=1/sparse diagnostic(s) in files the '
					    'series touches\n' + '\n'.join(new))
			else:
				results.add(f'{build.name}-static-checks', 'pass',
					    f'W=1 and sparse add no diagnostic in the {checked} '
					    'objects the series touches')
	if not target.emulator:
		results.add(name, 'pass', f'{build.make_target} builds (compile-only target)')
		return None
	if target.our_qemu:
		ensure_our_qemu(results)
	if target.emulator == 'bochs':
		kgd_bochs.ensure(target.bochs_suite)
	session, files, kernel = None, [], None
	if target.debian_kernel_modules:
		kernel, files = debian_kernel(target, results)
	if target.kut_arch and any(kgd_kut.is_kut(t) for t in target.tests):
		target, kut_files = _with_kut(target, results)
		files += kut_files
	with kgd_stage.Stage(name, 'selftests and /init'):
		binaries = [] if demo else kgd_selftests.build(target, extra_binary, extra_args)
	if target.gdb and not extra_binary:
		kgd_deps.ensure(kgd_gdb.PACKAGES)
		with kgd_stage.Stage(name, 'kvm-gdbstub and its guest program'):
			stub, rsp, guest = kgd_gdb.build(target)
		if target.gdb.stub:
			if not demo:
				binaries.append((kgd_gdb.rsp_test(), rsp))
			binaries.append((kgd_gdb.stub_test(target, demo), stub))
		files.append((kgd_gdb.GUEST_INSIDE, guest))
		if target.gdb.debian_qemu and not demo:
			binaries.append(_qemu_under_gdb(target, files))
		session = kgd_gdb.Session(target, guest, interactive=demo)
	with kgd_stage.Stage(name, 'initramfs'):
		initrd = kgd_selftests.initramfs(target, binaries, files)
	if background:
		return background.submit(boot_and_collect, target, results, initrd, binaries,
					 session, demo, extra_binary, kernel)
	return boot_and_collect(target, results, initrd, binaries, session, demo, extra_binary,
				kernel)


# Our modules for Debian's kernel, built once per run: (release, the
# unpacked packages' root, {module: file}), or the error of the first try.
_DEBIAN_MODULES = {}


def debian_modules(results):
	"""Builds our modules for Debian's kernel of the baseline's version and
	checks them against its image, once per run, with one result."""
	if 'done' not in _DEBIAN_MODULES:
		try:
			kgd_deps.ensure(kgd_modules.PACKAGES)
			rel, root = kgd_debian_kernel.ensure()
			kdir = kgd_debian_kernel.kdir(rel, root)
			_, built, report = kgd_modules.build_checked(kdir)
			results.add('modules-debian-6.12', 'pass',
				    f'make modules builds {", ".join(m + ".ko" for m in built)} for '
				    f'Debian\'s {rel}; {report}')
			_DEBIAN_MODULES['done'] = (rel, root, built)
		except kgd_stage.StageError as err:
			results.add('modules-debian-6.12', 'fail', str(err))
			_DEBIAN_MODULES['done'] = err
	if isinstance(_DEBIAN_MODULES['done'], kgd_stage.StageError):
		raise kgd_stage.StageError('our modules for Debian\'s kernel did not build; '
					   'see modules-debian-6.12')
	return _DEBIAN_MODULES['done']


def debian_kernel(target, results):
	"""Debian's kernel image, and the initramfs files that have /init load
	our modules into it, as modprobe would load Debian's own: with the
	image's modules that they need and the series does not touch
	(irqbypass.ko; ccp.ko for kvm-amd's SEV), ours in place of Debian's."""
	rel, root, built = debian_modules(results)
	with kgd_stage.Stage(target.name, f'Debian\'s {rel} kernel and our modules for the VM'):
		kgd_deps.ensure(kgd_debian_kernel.PACKAGES)
		folder = os.path.join(kgd_paths.OUT, 'modules', rel)
		loads = []
		for wanted in target.debian_kernel_modules:
			for path in kgd_debian_kernel.load_order(rel, root, wanted):
				name = kgd_debian_kernel.module_name(path)
				if name in (n for n, _ in loads):
					continue
				if name not in built and path.endswith('.xz'):
					plain = os.path.join(folder, name + '.ko')
					with open(plain, 'wb') as f:
						subprocess.run(['xz', '-dc', path], stdout=f, check=True)
					path = plain
				loads.append((name, built.get(name, path)))
		kgd_stage.note(f'{target.name}: /init loads ' + ', '.join(
			n + ('.ko (ours)' if n in built else '.ko (Debian\'s)') for n, _ in loads))
		listing = os.path.join(folder, f'load-{target.name}')
		with open(listing, 'w', encoding='utf-8') as f:
			f.write(''.join(f'/lib/modules/kgd/{name}.ko\n' for name, _ in loads))
		files = [(f'/lib/modules/kgd/{name}.ko', path) for name, path in loads]
		files.append(('/kgd/modules', listing))
	return kgd_debian_kernel.image(rel, root), files


def _qemu_under_gdb(target, files):
	"""(Test, binary) of gdb-qemu-end-to-end's VM side; adds Debian's QEMU
	to files unless kvm-unit-tests put it there."""
	with kgd_stage.Stage(target.name, 'Debian\'s QEMU under gdb'):
		test = kgd_gdb_qemu.test(target.gdb, kgd_gdb.GUEST_INSIDE, kgd_gdb.GDB_TIMEOUT + 60)
		binary = kgd_selftests.build(dataclasses.replace(target, tests=(test,)))[0][1]
		inside = {f[0] for f in files}
		files += [f for f in kgd_debian_qemu.files(target.kut_arch) if f[0] not in inside]
	return test, binary


def _with_kut(target, results):
	"""The target and the VM's files for kvm-unit-tests under Debian's
	QEMU; without the pinned tarball, the target less that test, which is
	a SKIP with its reason."""
	if not kgd_kut.tarball():
		for test in target.tests:
			if kgd_kut.is_kut(test):
				results.add(f'{target.name}: {test.name}', 'skip',
					    'no kvm-unit-tests tarball in ../shared/vendor/'
					    'kvm-unit-tests (nor $KGD_VENDOR/kvm-unit-tests)')
		tests = tuple(t for t in target.tests if not kgd_kut.is_kut(t))
		return dataclasses.replace(target, tests=tests), []
	with kgd_stage.Stage(target.name, 'kvm-unit-tests and Debian\'s QEMU for the VM'):
		return target, kgd_debian_qemu.files(target.kut_arch) + kgd_kut.files(target.kut_arch)


def boot_and_collect(target, results, initrd, binaries, session, demo, extra_binary,
		     kernel=None):
	name = target.name
	timeout = kgd_gdb.DEMO_TIMEOUT if demo else target.vm_timeout
	with kgd_stage.Stage(name, f'boot and test ({target.emulator}, '
			     f'hard timeout {timeout}s)'):
		try:
			console = kgd_vm.boot(target, initrd, kernel=kernel, link=session,
					      timeout=timeout)
		finally:
			for test, status, detail, output in session.results if session else ():
				results.add_measured(name, test, status, detail, output)
	if demo:
		kgd_stage.note(f'demo: the VM\'s console log is {kgd_paths.log(name + "-console")}')
		return
	kgd_results.collect(target, console, [t.name for t, _ in binaries], results)
	if extra_binary:
		for line in console:
			if line.startswith('# kgd-exit-status: '):
				status = line.split()[-1]
				kgd_stage.note(f'vm-run: {extra_binary} exited with status {status} '
					       f'on {name}')


def all_targets():
	"""The targets of targets/, and their -debug and -baseline twins."""
	base = kgd_target.load_all()
	targets = dict(base)
	targets.update(kgd_debug.twins(base))
	targets.update(kgd_peer_baseline.twins(base))
	return targets


def cmd_run(args, names, targets=None):
	targets = targets or all_targets()
	unknown = [n for n in names if n not in targets]
	if unknown:
		kgd_stage.die(f'unknown target(s) {", ".join(unknown)}; known: '
			      + ', '.join(targets))
	results = kgd_results.Results()
	results.header()
	if args.cmd == 'check':
		summary, error = kgd_disk.preflight()
		kgd_stage.note(summary)
		if error:
			results.add('disk', 'fail', error)
			return results.finish()
		check_harness(results)
	try:
		kgd_deps.ensure(())
		# vm-run is for trying things out: checkpatch is check's business.
		prepare_tree(results, style=args.cmd != 'vm-run')
		if args.cmd == 'check':
			check_docs(results)
			check_mainline_postings(results)
	except kgd_stage.StageError as err:
		kgd_stage.note(f'error: {err}')
		results.finish()
		return 1
	# Bochs uses one core and is the slowest by far: with more than one
	# target to run, its targets boot first, alongside the others' builds
	# and boots, and the run waits for them at the end.
	background = None
	if len(names) > 1 and any(targets[n].emulator == 'bochs' for n in names):
		background = concurrent.futures.ThreadPoolExecutor(max_workers=1)
		names = sorted(names, key=lambda n: targets[n].emulator != 'bochs')
	waiting = {}
	for name in names:
		if getattr(args, 'vm_timeout', None):
			targets[name] = dataclasses.replace(targets[name], vm_timeout=args.vm_timeout)
		if targets[name].known_bugs_of:
			results.share_known_bugs(targets[name].known_bugs_of, name)
		bochs = targets[name].emulator == 'bochs'
		try:
			done = run_target(targets[name], results, args.binary,
					  extra_args=args.binary_args,
					  background=background if bochs else None)
			if done:
				waiting[name] = done
		except kgd_stage.StageError as err:
			results.add(name, 'fail', str(err))
	for name, done in waiting.items():
		if not done.done():
			kgd_stage.note(f'{name}: waiting for its run in the background')
		try:
			done.result()
		except kgd_stage.StageError as err:
			results.add(name, 'fail', str(err))
	if background:
		background.shutdown()
	return results.finish()


def cmd_demo(name):
	targets = kgd_target.load_all()
	if name not in targets or not targets[name].gdb:
		kgd_stage.die(f'no demo on {name}; targets with one: '
			      + ', '.join(n for n, t in targets.items() if t.gdb))
	results = kgd_results.Results()
	try:
		kgd_deps.ensure(())
		prepare_tree(results)
		kgd_stage.note('demo: once the VM is up, gdb-multiarch attaches to the guest '
			       'program; try "break tick", "continue", "watch counter"; '
			       '"detach" lets it finish, "kill" ends it')
		# ^C belongs to gdb (it stops the guest), not to the harness.
		signal.signal(signal.SIGINT, lambda *_: None)
		run_target(targets[name], results, demo=True)
	except kgd_stage.StageError as err:
		kgd_stage.die(err)
	return 0


def cmd_bench(name, scale):
	targets = kgd_target.load_all()
	if name not in targets:
		kgd_stage.die(f'unknown target {name}; known: ' + ', '.join(targets))
	target = targets[name]
	results = kgd_results.Results()
	results.header()
	try:
		kgd_deps.ensure(target.build.packages)
		prepare_tree(results)
		if target.our_qemu:
			ensure_our_qemu(results)
		if target.emulator == 'bochs':
			kgd_bochs.ensure(target.bochs_suite)
		slower = kgd_bench.run(target, results, scale)
	except kgd_stage.StageError as err:
		results.add(f'bench-{name}', 'fail', str(err))
		return results.finish()
	results.add(f'bench-{name}', 'pass',
		    'ours alone: ' + kgd_bench.NO_BASELINE[name] if name in kgd_bench.NO_BASELINE
		    else 'no row is slower than the baseline beyond the spread of its rounds'
		    if not slower else
		    'slower than the baseline in every round on: ' + ', '.join(slower))
	return results.finish()


def cmd_bisect():
	results = kgd_results.Results()
	results.header()
	try:
		kgd_deps.ensure(tuple(need for build in kgd_bisect.KERNELS
				      for need in build.packages
				      if not need[1].startswith(('qemu', 'bochs'))))
		prepare_tree(results)
		kgd_bisect.run(results, results.am_commit)
	except kgd_stage.StageError as err:
		kgd_stage.note(f'error: {err}')
	return results.finish()


def cmd_modules(kdir, install):
	"""make modules: our x86 KVM for KDIR's kernel, checked against it."""
	results = kgd_results.Results()
	results.header()
	try:
		kgd_deps.ensure(kgd_modules.PACKAGES)
		if kdir == 'debian':
			rel, root = kgd_debian_kernel.ensure()
			kdir = kgd_debian_kernel.kdir(rel, root)
		kdir = os.path.abspath(kdir)
		# Before the series' tree is made: a missing or wrong KDIR says so at once.
		kgd_modules.check_version(kdir, kgd_modules.kdir_release(kdir))
		prepare_tree(results, style=False)
		rel, built, report = kgd_modules.build_checked(kdir)
	except kgd_stage.StageError as err:
		results.add('modules', 'fail', str(err))
		return results.finish()
	results.add('modules', 'pass', f'{", ".join(m + ".ko" for m in built)} for {rel}; '
		    + report)
	folder = os.path.dirname(built['kvm'])
	kgd_stage.note(f'modules: in {folder}; to use them in place of the running kernel\'s '
		       '(as root, with no VM running):')
	kgd_stage.note('  modprobe -r kvm_intel kvm; modprobe irqbypass    # AMD: kvm_amd')
	kgd_stage.note(f'  insmod {built["kvm"]}')
	kgd_stage.note(f'  insmod {built["kvm-intel"]}                  # Intel')
	kgd_stage.note(f'  modprobe ccp; insmod {built["kvm-amd"]}    # AMD')
	kgd_stage.note('  or make modules_install, which puts them where modprobe prefers them')
	if install:
		try:
			kgd_modules.install(kdir, rel)
		except kgd_stage.StageError as err:
			results.add('modules-install', 'fail', str(err))
	return results.finish()


def main():
	parser = argparse.ArgumentParser(description=__doc__,
					 formatter_class=argparse.RawDescriptionHelpFormatter)
	sub = parser.add_subparsers(dest='cmd', required=True)
	sub.add_parser('check', help='every target')
	sub.add_parser('check-debug', help='the guest-debug suites on checked kernels')
	sub.add_parser('check-baseline', help='the peer suites on the pristine baseline')
	run = sub.add_parser('run', help='some targets')
	run.add_argument('targets', nargs='*', default=list(DEFAULT_TARGETS))
	series = sub.add_parser('series', help='write out/series')
	series.add_argument('--base', choices=('6.12', 'mainline'), default='6.12',
			    help='mainline: the fixes, one posting per maintainer tree, '
			    'for Debian\'s linux-source-7.3 (out/series-mainline/)')
	sub.add_parser('series-bisect', help='build every commit of the series')
	bench = sub.add_parser('bench', help='benchmark baseline against ours')
	bench.add_argument('target')
	bench.add_argument('scale', nargs='?', type=int, default=1)
	demo = sub.add_parser('demo', help='gdb on a guest program in a VM')
	demo.add_argument('target', nargs='?', default=DEFAULT_TARGETS[0])
	vmrun = sub.add_parser('vm-run', help="run a static binary in a target's VM")
	vmrun.add_argument('--timeout', dest='vm_timeout', type=int, default=0,
			   help="the VM's hard wall-clock limit in seconds (default: the target's)")
	vmrun.add_argument('target')
	vmrun.add_argument('binary')
	vmrun.add_argument('binary_args', nargs=argparse.REMAINDER,
			   help='arguments for the binary')
	modules = sub.add_parser('modules', help='our x86 KVM as modules for a 6.12 kernel')
	modules.add_argument('--kdir', default=kgd_modules.default_kdir(),
			     help='the kernel build directory (default: the running kernel\'s); '
			     '"debian" for Debian\'s kernel of the baseline\'s version, fetched '
			     'into the cache')
	modules.add_argument('--install', action='store_true',
			     help='then make modules_install into /lib/modules/<release>/updates')
	sub.add_parser('list', help='list the targets')
	args = parser.parse_args()
	args.binary = getattr(args, 'binary', None)
	args.binary_args = tuple(getattr(args, 'binary_args', None) or ())

	if args.cmd == 'list':
		for target in all_targets().values():
			print(f'{target.name:20} {target.description}')
		return 0
	if args.cmd == 'series':
		try:
			kgd_deps.ensure(())
			if args.base == 'mainline':
				written = kgd_mainline_series.write(kgd_series.signer())
				series = [p for files in written.values() for p in files]
			else:
				_, _, series = prepare_series(kgd_series.signer())
		except kgd_stage.StageError as err:
			kgd_stage.die(err)
		for path in series:
			print(os.path.relpath(path))
		return 0
	if args.cmd == 'check':
		return cmd_run(args, list(kgd_target.load_all()))
	if args.cmd == 'check-debug':
		twins = kgd_debug.twins(kgd_target.load_all())
		return cmd_run(args, list(twins), twins)
	if args.cmd == 'check-baseline':
		twins = kgd_peer_baseline.twins(kgd_target.load_all())
		return cmd_run(args, list(twins), twins)
	if args.cmd == 'modules':
		return cmd_modules(args.kdir, args.install)
	if args.cmd == 'series-bisect':
		return cmd_bisect()
	if args.cmd == 'bench':
		return cmd_bench(args.target, args.scale)
	if args.cmd == 'demo':
		return cmd_demo(args.target)
	if args.cmd == 'vm-run':
		if not os.path.isfile(args.binary):
			kgd_stage.die(f'{args.binary}: no such file; pass a static binary '
				      f'built for {args.target}')
		args.binary = os.path.abspath(args.binary)
		return cmd_run(args, [args.target])
	return cmd_run(args, args.targets)


if __name__ == '__main__':
	sys.exit(main())
