# SPDX-License-Identifier: GPL-2.0
"""gdb on the host, the gdb stub in the VM: the end-to-end check and the demo.

The stub (tools/kvm/kvm-gdbstub) runs under the VM's /init like a test and
serves RSP on a serial line that the emulator puts on a loopback TCP
port.  The harness connects to that port as soon as the emulator starts
(Bochs waits for the connection before it boots) and, once the stub says
it waits for gdb, first feeds it bad input, then relays the line to
Debian's gdb-multiarch, which runs a script; gdb's own output is checked
against what the script must show.
"""

import os
import re
import socket
import subprocess
import threading
import time

import kgd_gdb_qemu
import kgd_gdb_script
import kgd_kernel
import kgd_paths
import kgd_stage
from kgd_target import Test

GDB = 'gdb-multiarch'
PACKAGES = ((GDB, 'gdb-multiarch'),)
STUB_DIR = 'tools/kvm/kvm-gdbstub'
READY = 'kvm-gdbstub: waiting for gdb on '
GUEST_INSIDE = '/tests/kvm-gdbstub-guest.elf'
GDB_TIMEOUT = 600
# make demo: an interactive session, still under a hard limit.
DEMO_TIMEOUT = 3600
CONNECT_TIMEOUT = 60
GUEST_CFLAGS = ('-O0', '-g', '-ffreestanding', '-nostdlib', '-static', '-fno-pic',
		'-no-pie', '-Wall', '-Wextra', '-Werror', '-Wl,--build-id=none',
		'-Wl,--no-warn-rwx-segments', '-Wl,-z,noexecstack')

# Errors the stub answers with, as errno values.
EINVAL, EFAULT, ENOSPC = 0x16, 0x0e, 0x1c


def stub_test(target, demo=False):
	verbose = () if demo else ('--verbose',)
	return Test('kvm-gdbstub', args=verbose + ('--serial', target.gdb.device, GUEST_INSIDE),
		    timeout=(DEMO_TIMEOUT if demo else GDB_TIMEOUT) + 60)


def build(target):
	"""Builds the stub and the guest program; returns (stub, guest)."""
	bld = target.selftests_from or target.build
	out = os.path.join(kgd_paths.build_dir(bld.name), 'kvm-gdbstub')
	os.makedirs(out, exist_ok=True)
	log = kgd_paths.log(f'{bld.name}-kvm-gdbstub')
	src = os.path.join(kgd_paths.TREE, STUB_DIR)
	cc = f'{bld.cross_compile}gcc'
	headers = kgd_kernel.headers(bld)
	kgd_stage.run(['make', '-s', '-B', '-C', src, f'O={out}', f'CC=ccache {cc}',
		       f'CROSS_COMPILE={bld.cross_compile}',
		       f'KHDR_INCLUDES=-isystem {headers}'], log, env=kgd_kernel.ccache_env())
	guest = os.path.join(out, 'demo.elf')
	link = target.gdb
	kgd_stage.run(['ccache', cc] + list(GUEST_CFLAGS) + list(link.guest_cflags)
		      + [f'-I{os.path.join(kgd_paths.TREE, "tools", "include")}',
			 f'-Wl,-T,{os.path.join(src, "guest", "guest.lds")}',
			 f'-Wl,--defsym=GUEST_BASE={link.guest_base:#x}', '-o', guest,
			 os.path.join(src, 'guest', link.guest_start),
			 os.path.join(src, 'guest', 'demo.c')], log, env=kgd_kernel.ccache_env())
	return os.path.join(out, 'kvm-gdbstub'), guest


def _free_port():
	with socket.socket() as s:
		s.bind(('127.0.0.1', 0))
		return s.getsockname()[1]


class RspClient:
	"""Just enough of gdb's side of RSP to feed the stub bad input."""

	def __init__(self, sock):
		self.sock = sock
		self.buf = b''

	def _byte(self, deadline):
		while not self.buf:
			self.sock.settimeout(max(0.1, deadline - time.monotonic()))
			data = self.sock.recv(4096)
			if not data:
				raise kgd_stage.StageError('the stub closed the line')
			self.buf += data
		c, self.buf = self.buf[:1], self.buf[1:]
		return c

	def send_raw(self, data):
		self.sock.sendall(data)

	@staticmethod
	def frame(payload, checksum=None):
		if checksum is None:
			checksum = sum(payload.encode()) & 0xff
		return f'${payload}#{checksum:02x}'.encode()

	def ack(self, timeout=30):
		"""The stub's '+' or '-' for the packet just sent."""
		deadline = time.monotonic() + timeout
		while True:
			c = self._byte(deadline)
			if c in (b'+', b'-'):
				return c.decode()

	def reply(self, timeout=30):
		deadline = time.monotonic() + timeout
		while self._byte(deadline) != b'$':
			pass
		data = b''
		while True:
			c = self._byte(deadline)
			if c == b'#':
				break
			data += c
		self._byte(deadline)
		self._byte(deadline)
		self.send_raw(b'+')
		return data.decode('latin-1')

	def packet(self, payload):
		self.send_raw(self.frame(payload))
		if self.ack() != '+':
			raise kgd_stage.StageError(f'the stub refused the good packet "{payload}"')
		return self.reply()


def bad_input_checks(client, link, entry):
	"""Feeds the stub bad RSP; returns [(what, ok, detail)]."""
	checks = []

	def expect(what, payload, want):
		got = client.packet(payload)
		checks.append((what, got == want, f'"{payload[:40]}" answered "{got[:40]}", '
			       f'want "{want}"'))

	def expect_nak(what, raw):
		client.send_raw(raw)
		got = client.ack()
		checks.append((what, got == '-', f'answered "{got}", want "-"'))

	expect_nak('bad checksum: NAK', client.frame('g', 0x00))
	expect_nak('overlong packet: NAK', client.frame('m' * 5000))
	expect('malformed m: error', 'm1234', f'E{EINVAL:02x}')
	expect('malformed M: error', f'M{entry:x},4:zz', f'E{EINVAL:02x}')
	expect('malformed Z: error', 'Z9,10,4', f'E{EINVAL:02x}')
	expect('malformed p: error', 'pxyz', f'E{EINVAL:02x}')
	expect('malformed vCont: error', 'vCont;x', f'E{EINVAL:02x}')
	expect('unknown packet: empty', 'jUnknownPacket', '')
	expect('unknown v packet: empty', 'vFooBar', '')
	expect('unknown query: empty', 'qFooBar', '')
	expect('bad address m: error', f'm{link.bad_addr:x},4', f'E{EFAULT:02x}')
	expect('bad address M: error', f'M{link.bad_addr:x},1:00', f'E{EFAULT:02x}')
	expect('bad address Z0: error', f'Z0,{link.bad_addr:x},{link.bp_kind:x}',
	       f'E{EFAULT:02x}')
	# Too many breakpoints: every slot, one more, then all removed.
	step = max(link.bp_kind, 4)
	for kind, limit in ((1, 16), (0, 64)):
		replies = [client.packet(f'Z{kind},{entry + i * step:x},{link.bp_kind:x}')
			   for i in range(limit + 1)]
		full = [i for i, r in enumerate(replies) if r != 'OK']
		ok = bool(full) and replies[full[0]] == f'E{ENOSPC:02x}' and \
			all(r == replies[full[0]] for r in replies[full[0]:])
		checks.append((f'too many Z{kind}: error', ok,
			       f'replies {sorted(set(replies))}, want OK then E{ENOSPC:02x}'))
		removed = [client.packet(f'z{kind},{entry + i * step:x},{link.bp_kind:x}')
			   for i in range(full[0] if full else limit + 1)]
		checks.append((f'Z{kind} removal after the error', set(removed) == {'OK'},
			       f'replies {sorted(set(removed))}'))
	# gdb reads as much memory in one m as PacketSize allows.
	got = client.packet(f'm{entry:x},800')
	checks.append(('m of 2048 bytes, a whole packet: data', len(got) == 4096 and
		       all(c in '0123456789abcdef' for c in got),
		       f'answered {len(got)} characters "{got[:12]}...", want 4096 hex digits'))
	for what, payload, want in link.reg_checks:
		expect(what, payload, want)
	expect('T1, as gdb spells thread 1: OK', 'T1', 'OK')
	expect('T01: OK', 'T01', 'OK')
	expect('T2, no such thread: error', 'T2', 'E01')
	if not link.read_watch:
		expect('Z3 on an arch without read watchpoints: empty, so gdb falls back',
		       f'Z3,{entry:x},4', '')
	if link.kvm_bad_hw_addr:
		expect('Z1 that KVM refuses: error, the session goes on',
		       f'Z1,{link.kvm_bad_hw_addr:x},{link.bp_kind:x}', f'E{EINVAL:02x}')
	if link.page_table:
		# The breakpoint unmaps its own page: removal must still restore it.
		before = client.packet(f'm{link.page_table:x},8')
		got = (client.packet(f'Z0,{link.page_table:x},{link.bp_kind:x}'),
		       client.packet(f'z0,{link.page_table:x},{link.bp_kind:x}'))
		after = client.packet(f'm{link.page_table:x},8')
		checks.append(('Z0 into the page table, then z0: restored', got == ('OK', 'OK') and
			       after == before,
			       f'Z0/z0 answered {got}, memory {before} then {after}'))
	got = client.packet('?')
	checks.append(('still serving after all of it', got.startswith('T05'),
		       f'"?" answered "{got}"'))
	return checks


def gdb_script(link, port):
	"""The commands gdb runs, and the regexes its output must show in order."""
	cmds, want = kgd_gdb_script.opening(port)
	cmds.append('info symbol $pc')
	want.append(r'tick( \+ \d+)? in section \.text')
	for part in (kgd_gdb_script.steps_and_hbreak(),
		     kgd_gdb_script.watches_and_end(3, 0, 1, 'Remote target')):
		cmds += part[0]
		want += part[1]
	return cmds, want


def _relay(a, b, stop):
	"""Copies bytes both ways until either side closes or stop is set."""
	def pump(src, dst):
		try:
			while not stop.is_set():
				src.settimeout(0.2)
				try:
					data = src.recv(65536)
				except socket.timeout:
					continue
				if not data:
					break
				dst.sendall(data)
		except OSError:
			pass
		stop.set()
	threads = [threading.Thread(target=pump, args=(a, b), daemon=True),
		   threading.Thread(target=pump, args=(b, a), daemon=True)]
	for t in threads:
		t.start()
	return threads


class Session:
	"""The host's end of the stub's serial line, for one emulator run."""

	def __init__(self, target, guest, interactive=False):
		self.target = target
		self.link = target.gdb
		self.guest = guest
		self.interactive = interactive
		self.port = _free_port()
		self.emu = None
		self.connected = threading.Event()
		self.worker = None
		self.qemu_worker = None
		self.results = []
		self.gdb_log = kgd_paths.log(f'{target.name}-gdb')
		self.qemu_gdb_log = kgd_paths.log(f'{target.name}-gdb-qemu')

	def qemu_args(self):
		return [a.replace('@PORT@', str(self.port)) for a in self.link.qemu_args]

	def bochs_line(self):
		return f'com2: enabled=1, mode=socket-server, dev=127.0.0.1:{self.port}\n'

	def started(self):
		threading.Thread(target=self._connect, daemon=True).start()

	def _connect(self):
		deadline = time.monotonic() + CONNECT_TIMEOUT
		while time.monotonic() < deadline:
			try:
				self.emu = socket.create_connection(('127.0.0.1', self.port), timeout=2)
				self.connected.set()
				return
			except OSError:
				time.sleep(0.2)

	def line(self, line):
		if READY in line and self.worker is None:
			self.worker = threading.Thread(target=self._work, daemon=True)
			self.worker.start()
		if kgd_gdb_qemu.READY in line and self.qemu_worker is None:
			self.qemu_worker = threading.Thread(target=self._work_qemu, daemon=True)
			self.qemu_worker.start()

	def finish(self):
		if self.worker:
			self.worker.join(timeout=30)
		elif not self.interactive and self.link.stub:
			self.results.append(('gdb-end-to-end', 'fail',
					     'the stub never said it waits for gdb', ''))
		if self.qemu_worker:
			self.qemu_worker.join(timeout=30)
		elif not self.interactive and self.link.debian_qemu:
			self.results.append(('gdb-qemu-end-to-end', 'fail',
					     'QEMU under gdb never said it waits', ''))
		if self.emu:
			self.emu.close()

	def _entry(self):
		out = subprocess.run([GDB, '-nx', '-batch', '-ex', 'print/x &tick', self.guest],
				     capture_output=True, text=True, check=False, timeout=60)
		match = re.search(r'= (0x[0-9a-f]+)', out.stdout)
		return int(match.group(1), 16) & ~7 if match else self.link.guest_base

	def _work(self):
		try:
			if not self.connected.wait(CONNECT_TIMEOUT):
				raise kgd_stage.StageError(
					f'no connection to the emulator\'s port {self.port}')
			if self.interactive:
				self._gdb([], [], 'gdb-end-to-end', self.gdb_log, '')
				return
			client = RspClient(self.emu)
			checks = bad_input_checks(client, self.link, self._entry())
			bad = [c for c in checks if not c[1]]
			detail = (f'{len(bad)} of {len(checks)} bad-input checks failed: '
				  + '; '.join(f'{w}: {d}' for w, _, d in bad) if bad else
				  f'{len(checks)} checks: NAKs, error packets, and the stub '
				  'kept serving')
			self.results.append(('gdb-stub-bad-input', 'fail' if bad else 'pass',
					     detail, detail))
			self.emu.settimeout(None)
			if client.buf:
				raise kgd_stage.StageError(
					f'unexpected bytes from the stub: {client.buf!r}')
			self._gdb(*gdb_script(self.link, 0), 'gdb-end-to-end', self.gdb_log,
				  'gdb-multiarch: break, 5 stepi, hbreak, watch, '
				  + 'rwatch, awatch, detach')
		except (kgd_stage.StageError, OSError, subprocess.SubprocessError) as err:
			self.results.append(('gdb-end-to-end', 'fail', str(err), str(err)))

	def _work_qemu(self):
		"""gdb on QEMU's gdbstub, once our stub's session (if any) is over."""
		name = 'gdb-qemu-end-to-end'
		try:
			if self.worker:
				self.worker.join()
			if not self.connected.wait(CONNECT_TIMEOUT):
				raise kgd_stage.StageError(
					f'no connection to the emulator\'s port {self.port}')
			# What our stub said after gdb left must not reach the next gdb;
			# QEMU, stopped, says nothing until gdb talks.
			self.emu.settimeout(0.5)
			try:
				while self.emu.recv(65536):
					pass
			except socket.timeout:
				pass
			self.emu.settimeout(None)
			self._gdb(*kgd_gdb_qemu.gdb_script(self.link, 0), name, self.qemu_gdb_log,
				  f'gdb-multiarch on Debian\'s QEMU: break, 5 stepi, hbreak, '
				  f'{self.link.hbreaks} hbreaks at once, watch, '
				  + ('rwatch, ' if self.link.read_watch else '')
				  + 'awatch, the guest\'s own breakpoint, detach')
		except (kgd_stage.StageError, OSError, subprocess.SubprocessError) as err:
			self.results.append((name, 'fail', str(err), str(err)))

	def _gdb(self, cmds, want, name, log, summary):
		"""Runs gdb with cmds (or for a person, if interactive) on the
		emulator's line; its output must show want's regexes in order."""
		with socket.socket() as listener:
			listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
			listener.bind(('127.0.0.1', 0))
			listener.listen(1)
			port = listener.getsockname()[1]
			if self.interactive:
				argv = [GDB, '-q', '-nx', '-ex', f'target remote 127.0.0.1:{port}',
					self.guest]
			else:
				cmds = [f'target remote 127.0.0.1:{port}'
					if c.startswith('target remote ') else c for c in cmds]
				argv = [GDB, '-nx', '-batch'] + [a for c in cmds for a in ('-ex', c)] \
					+ [self.guest]
			# pylint: disable=consider-using-with
			proc = subprocess.Popen(argv, stdin=None if self.interactive else
						subprocess.DEVNULL,
						stdout=None if self.interactive else subprocess.PIPE,
						stderr=None if self.interactive else subprocess.STDOUT,
						text=True)
			listener.settimeout(30)
			conn, _ = listener.accept()
		stop = threading.Event()
		_relay(conn, self.emu, stop)
		try:
			out, _ = proc.communicate(timeout=None if self.interactive else GDB_TIMEOUT)
		except subprocess.TimeoutExpired:
			proc.kill()
			out, _ = proc.communicate()
			out += f'\n(gdb killed after {GDB_TIMEOUT}s)'
		stop.set()
		conn.close()
		if self.interactive:
			return
		with open(log, 'w', encoding='utf-8') as f:
			f.write('$ ' + ' '.join(argv) + '\n' + out)
		pos, missing = 0, []
		for regex in want:
			match = re.compile(regex).search(out, pos)
			if match:
				pos = match.end()
			else:
				missing.append(f'/{regex}/')
		if missing:
			detail = (f'gdb\'s output lacks {len(missing)} of {len(want)} expected lines: '
				  + ', '.join(missing))
			self.results.append((name, 'fail', f'{detail}; see {log}\n'
					     + kgd_stage.tail(log, 20), detail))
			return
		self.results.append((name, 'pass', f'{summary}; {len(want)} expected lines seen',
				     out))
