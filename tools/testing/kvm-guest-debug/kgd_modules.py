# SPDX-License-Identifier: GPL-2.0
"""The series' x86 KVM as modules for a kernel built without the series
(make modules): kvm.ko, kvm-intel.ko and kvm-amd.ko, built with the
top-level Kbuild against that kernel's build directory (KDIR).

KDIR's kernel is not the tested tree, so three things are checked before
anything is loaded:

- KDIR exists, and is a 6.12 kernel's: the series is for 6.12, and its
  KVM is 6.12.N's (N the baseline's sublevel) wherever it does not change
  it.  Another 6.12 point release gets a warning: modversions then refuse
  the modules if an exported interface they use changed, and the layout
  check below covers what the kernel image shares with them, but KVM's
  own fixes of that release are not in them.
- Only KVM's directories are built (arch/x86/kvm, virt/kvm), from the
  series' tree as make check tests it, linked, not copied, into
  out/modules/<release>/; KVM's own headers and the headers the series
  changes come from the series, the rest from KDIR.
- What the kernel image shares with the modules keeps its layout.  Code
  built into the image reaches into KVM's structures in one place:
  kernel/entry/kvm.c (xfer_to_guest_mode_handle_work()) writes
  vcpu->run->exit_reason and increments vcpu->stat.signal_exits through
  the inline kvm_handle_signal_exit().  After the build, pahole compares
  those offsets in the modules' debug info with the image's BTF (KDIR's
  vmlinux, which Debian's headers carry, or /sys/kernel/btf/vmlinux of the
  running kernel), and the modules are refused if one differs.  Nothing
  of the series is under arch/x86/kernel, and its trace events are
  defined in kvm.ko itself.
"""

import glob
import os
import platform
import re
import shutil
import subprocess

import kgd_baseline
import kgd_kernel
import kgd_paths
import kgd_stage

MODULES = ('kvm', 'kvm-intel', 'kvm-amd')
PACKAGES = (('pahole', 'dwarves'), ('depmod', 'kmod'))

# (struct, member, whether its size matters too) for what the kernel
# image uses: vcpu->stat only as the way to stat.signal_exits, so the
# counters the series adds at the end of struct kvm_vcpu_stat are fine.
SHARED = (
	('kvm_vcpu', 'run', True),
	('kvm_vcpu', 'stat', False),
	('kvm_vcpu_stat', 'signal_exits', True),
	('kvm_run', 'exit_reason', True),
)


def default_kdir():
	return f'/lib/modules/{platform.release()}/build'


def kdir_release(kdir):
	"""The kernel release that KDIR builds for, or a StageError that says
	what to install."""
	if not os.path.isfile(os.path.join(kdir, 'Makefile')):
		running = platform.release()
		hint = (f'install the headers of the running kernel ({running}): on Debian, '
			f'apt install linux-headers-{running}'
			if kdir == default_kdir() else 'pass the build directory of the kernel '
			'to build for, e.g. KDIR=/usr/src/linux-headers-<release>')
		raise kgd_stage.StageError(
			f'no kernel build directory at {kdir}; {hint}.  To build for Debian\'s '
			'6.12 kernel of the baseline\'s version without installing anything, '
			'use KDIR=debian')
	release = os.path.join(kdir, 'include', 'config', 'kernel.release')
	if os.path.exists(release):
		with open(release, encoding='utf-8') as f:
			return f.read().strip()
	return kgd_stage.capture(['make', '-s', '-C', kdir, 'kernelrelease']).strip()


def check_version(kdir, release):
	"""Refuses a kernel that is not 6.12; returns a warning, or '', for
	another 6.12 point release than the baseline's."""
	base = tuple(int(x) for x in kgd_baseline.version().split('-')[0].split('.')[:3])
	match = re.match(r'^(\d+)\.(\d+)(?:\.(\d+))?', release)
	if not match:
		raise kgd_stage.StageError(f'{kdir}: cannot read a version in "{release}"')
	ver, patch, sub = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
	want = f'{base[0]}.{base[1]}'
	if (ver, patch) != base[:2]:
		raise kgd_stage.StageError(
			f'{kdir} is for Linux {release}, but this series is for Linux {want} '
			f'(its baseline is {want}.{base[2]}): use the headers of a {want} kernel, '
			f'such as Debian 12 backports\' or Debian 13\'s linux-image-{want}.*. '
			'Other versions need the series rebased onto them')
	if sub != base[2]:
		return (f'{release} is Linux {want}.{sub}; the modules carry {want}.{base[2]}\'s '
			f'KVM with the series.  modversions refuse them if an interface they '
			'use changed in between, but the KVM fixes of the kernel you run are not '
			f'in them; {want}.{base[2]} is the release they are tested on')
	return ''


def _link_tree(dest, tree):
	"""out/modules/<release>/: the series' KVM directories and headers as
	symbolic links into the tested tree, and the top-level Kbuild as the
	kvm directory's."""
	shutil.rmtree(dest, ignore_errors=True)
	for sub in ('arch/x86/kvm', 'virt/kvm'):
		os.makedirs(os.path.dirname(os.path.join(dest, sub)), exist_ok=True)
		subprocess.run(['cp', '-rs', os.path.join(tree, sub), os.path.join(dest, sub)],
			       check=True)
	os.symlink(os.path.join(kgd_paths.REPO, 'Kbuild'),
		   os.path.join(dest, 'arch', 'x86', 'kvm', 'Kbuild'))
	headers = _series_headers(tree)
	for rel in headers:
		for inside in _include_paths(tree, rel):
			link = os.path.join(dest, 'series-include', inside)
			os.makedirs(os.path.dirname(link), exist_ok=True)
			if not os.path.lexists(link):
				os.symlink(os.path.join(tree, rel), link)
	return len(headers)


def _series_headers(tree):
	"""KVM's own headers, and the headers the series changes or adds, as
	paths in the tree."""
	changed = kgd_stage.capture(['git', '-C', tree, 'diff', '--name-only', 'baseline',
				     'HEAD', '--', 'include', 'arch/x86/include']).split()
	own = []
	for top in ('include', 'arch/x86/include'):
		for path in glob.glob(os.path.join(tree, top, '**', '*.h'), recursive=True):
			rel = os.path.relpath(path, tree)
			if os.path.basename(rel).startswith('kvm') or rel.startswith('include/kvm/'):
				own.append(rel)
	return sorted(set(own) | {p for p in changed if p.endswith('.h')})


def _include_paths(tree, rel):
	"""Where the include path finds rel: its own place, and, for a uapi
	header that has no kernel header of its name, also that name (as
	<linux/kvm.h> finds include/uapi/linux/kvm.h)."""
	paths = [rel]
	if '/uapi/' in rel:
		plain = rel.replace('/uapi/', '/', 1)
		if not os.path.exists(os.path.join(tree, plain)):
			paths.append(plain)
	return paths


def build(kdir):
	"""Builds the three modules for KDIR; returns (release, {name: path})."""
	kdir = os.path.abspath(kdir)
	release = kdir_release(kdir)
	warning = check_version(kdir, release)
	if warning:
		kgd_stage.note(f'modules: warning: {warning}')
	dest = os.path.join(kgd_paths.OUT, 'modules', release)
	count = _link_tree(dest, kgd_paths.TREE)
	kgd_stage.note(f'modules: {dest} links the series\' arch/x86/kvm and virt/kvm, '
		       f'and {count} headers')
	log = kgd_paths.log(f'modules-{release}')
	if os.path.exists(log):
		os.unlink(log)
	env = dict(kgd_kernel.ccache_env())
	if shutil.which('ccache'):
		# Debian's headers put ccache in front of gcc-12 on request.
		env['DEBIAN_KERNEL_USE_CCACHE'] = '1'
	mdir = os.path.join(dest, 'arch', 'x86', 'kvm')
	with kgd_stage.Stage('modules', f'build {", ".join(m + ".ko" for m in MODULES)} '
			     f'for {release} (log: {log})'):
		kgd_stage.run(['make', '-C', kdir, f'M={mdir}', f'-j{kgd_kernel.JOBS}',
			       'modules'], log, env=env, timeout=3600)
	built = {}
	for name in MODULES:
		path = os.path.join(mdir, name + '.ko')
		if not os.path.exists(path):
			raise kgd_stage.StageError(f'the build left no {name}.ko; see {log}')
		built[name] = path
	return release, built


def build_checked(kdir):
	"""build(), then check_layout() on kvm.ko; returns (release, {name:
	path}, the check's report)."""
	release, built = build(kdir)
	return release, built, check_layout(kdir, release, built['kvm'])


def image_btf(kdir, release):
	"""The kernel image's BTF: KDIR's vmlinux (Debian's headers carry it
	for module BTF), or the running kernel's if KDIR is for it."""
	vmlinux = os.path.join(kdir, 'vmlinux')
	if os.path.exists(vmlinux):
		return vmlinux
	if release == platform.release() and os.path.exists('/sys/kernel/btf/vmlinux'):
		return '/sys/kernel/btf/vmlinux'
	raise kgd_stage.StageError(
		f'cannot check what the kernel image shares with the modules: {kdir} has '
		'no vmlinux and it is not the running kernel\'s (/sys/kernel/btf/vmlinux); '
		'the modules are not safe to load until it is checked')


def _offsets(path, fmt, struct):
	"""{member: (offset, size)} of struct's top-level members, by pahole."""
	out = kgd_stage.capture(['pahole', '-F', fmt, '-C', struct, path])
	members = {}
	for line in out.splitlines():
		match = re.match(r'^\t(?!\t).*?(\w+)(?:\[[^\]]*\])*(?::\d+)?;\s*/\*\s*(\d+)\s+(\d+)\s*\*/',
				 line)
		if match:
			members[match.group(1)] = (int(match.group(2)), int(match.group(3)))
	if not members:
		raise kgd_stage.StageError(f'pahole found no struct {struct} in {path}')
	return members


def check_layout(kdir, release, kvm_ko):
	"""Compares SHARED in the image and in kvm.ko; returns a report line,
	or raises StageError naming each member that moved."""
	vmlinux = image_btf(kdir, release)
	structs = {struct for struct, _, _ in SHARED}
	layouts = {(side, struct): _offsets(path, fmt, struct) for struct in structs
		   for side, path, fmt in (('image', vmlinux, 'btf'), ('ours', kvm_ko, 'dwarf'))}
	moved = []
	seen = []
	for struct, member, sized in SHARED:
		image = layouts['image', struct].get(member)
		ours = layouts['ours', struct].get(member)
		if image is None or ours is None:
			raise kgd_stage.StageError(
				f'struct {struct} has no {member} in '
				f'{"the kernel image" if image is None else "kvm.ko"}; '
				'kgd_modules.SHARED is out of date')
		seen.append(f'{struct}.{member} at {ours[0]}')
		if image[0] != ours[0] or (sized and image[1] != ours[1]):
			moved.append(f'struct {struct}.{member}: offset {image[0]} size {image[1]} '
				     f'in the kernel image, offset {ours[0]} size {ours[1]} in kvm.ko')
	if moved:
		raise kgd_stage.StageError(
			'the modules disagree with the kernel image about a layout it uses, so '
			'they must not be loaded into it:\n  ' + '\n  '.join(moved))
	return 'the layout the kernel image shares with kvm.ko matches (' + ', '.join(seen) + ')'


def install(kdir, release):
	"""make modules_install into /lib/modules/<release>/updates, which
	depmod ranks above the distribution's own kvm modules, then depmod."""
	dest = os.path.join(kgd_paths.OUT, 'modules', release, 'arch', 'x86', 'kvm')
	log = kgd_paths.log(f'modules-{release}')
	with kgd_stage.Stage('modules', f'install into /lib/modules/{release}/updates'):
		kgd_stage.run(['make', '-C', kdir, f'M={dest}', 'INSTALL_MOD_DIR=updates',
			       'modules_install'], log)
		# INSTALL_MOD_PATH, from the environment, installs below another root.
		base = os.environ.get('INSTALL_MOD_PATH')
		kgd_stage.run(['depmod'] + (['-b', base] if base else []) + [release], log)
