# SPDX-License-Identifier: GPL-2.0
"""Turns the baseline, patches/ and our own files into commits, a
git-am-able series, and the build tree.

patches/series is in quilt layout: one patch to baseline files per line.
A comment line "#+ ours/NAME.commit" (quilt skips it) places a commit that
adds our own files; patches/ours/NAME.commit holds its message, then a
"---" line, then the repo paths (globs) it adds.  Every file under the
overlay folders must belong to exactly one such commit.

The commits are made with plumbing on a scratch index.  The series is then
applied with "git am" to a pristine checkout, and the build tree is checked
out at what git am produced: what we build and test is, by construction,
exactly what the series gives.
"""

import email
import fnmatch
import json
import os
import shutil
import subprocess
import tempfile

import kgd_baseline
import kgd_paths
import kgd_stage

COVER = os.path.join(kgd_paths.PATCHES, 'cover-letter')
# The identity of the repository's own patches and commits.  A posting
# carries the identity of whoever sends it instead.
PROJECT_IDENTITY = 'kvm-guest-debug maintainers <kvm-guest-debug@invalid>'
# Who signs the postings that make check and make run write: a throwaway
# identity, which get_maintainer's answer drops as it drops the project's.
CHECK_SIGNER = ('kvm-guest-debug check', 'kgd-check@invalid')


def _git(args, cwd=kgd_paths.TREE, env=None, stdin=None):
	full_env = dict(os.environ, **kgd_baseline.GIT_ENV)
	if env:
		full_env.update(env)
	proc = subprocess.run(['git'] + args, cwd=cwd, env=full_env, input=stdin,
			      capture_output=True, text=True, check=False)
	if proc.returncode != 0:
		raise kgd_stage.StageError(f'git {" ".join(args[:3])} failed: '
					   f'{(proc.stderr or proc.stdout).strip()}')
	return proc.stdout


def read_series():
	"""Returns the series as a list of ('patch' | 'ours', path) entries."""
	entries = []
	with open(os.path.join(kgd_paths.PATCHES, 'series'), encoding='utf-8') as f:
		for line in f:
			line = line.strip()
			if line.startswith('#+'):
				entries.append(('ours', os.path.join(kgd_paths.PATCHES, line[2:].strip())))
			elif line and not line.startswith('#'):
				entries.append(('patch', os.path.join(kgd_paths.PATCHES, line.split()[0])))
	for _, path in entries:
		if not os.path.isfile(path):
			raise kgd_stage.StageError(f'patches/series names {path}, which does not exist')
	return entries


def first_patch():
	"""The series' first patch to a baseline file: a kernel built from the
	tree before it is the pristine baseline."""
	patches = [os.path.basename(path) for kind, path in read_series() if kind == 'patch']
	if not patches:
		raise kgd_stage.StageError('patches/series lists no patch')
	return patches[0]


def overlay_files():
	"""Repo-relative paths of our own files, as git tracks them."""
	out = _git(['ls-files', '--cached', '--others', '--exclude-standard', '--']
		   + list(kgd_paths.OVERLAY_DIRS), cwd=kgd_paths.REPO)
	return sorted(p for p in out.splitlines()
		      if os.path.isfile(os.path.join(kgd_paths.REPO, p)))


def _split_commit_file(path):
	with open(path, encoding='utf-8') as f:
		text = f.read()
	head, sep, globs = text.partition('\n---\n')
	if not sep:
		raise kgd_stage.StageError(f'{path}: no "---" line before the file globs')
	return head, [g.strip() for g in globs.splitlines() if g.strip()]


def _claim_overlay(entries):
	"""Maps each ours-commit to its files; every file goes to exactly one."""
	files = overlay_files()
	owner = {}
	claims = {}
	for kind, path in entries:
		if kind != 'ours':
			continue
		_, globs = _split_commit_file(path)
		claims[path] = []
		take = [g for g in globs if not g.startswith('!')]
		skip = [g[1:] for g in globs if g.startswith('!')]
		for f in files:
			if any(fnmatch.fnmatchcase(f, g) for g in take) and \
			   not any(fnmatch.fnmatchcase(f, g) for g in skip):
				if f in owner:
					raise kgd_stage.StageError(
						f'{f} is claimed by both {owner[f]} and {path}')
				owner[f] = path
				claims[path].append(f)
	unclaimed = [f for f in files if f not in owner]
	if unclaimed:
		raise kgd_stage.StageError(
			'these files belong to no patches/ours/*.commit, so they would be '
			'missing from the series; add them to one:\n  ' + '\n  '.join(unclaimed))
	return claims


def message_and_author(path, scratch):
	"""Parses a mail-style file with git mailinfo; returns (msgfile, env)."""
	msg = os.path.join(scratch, 'msg')
	rest = os.path.join(scratch, 'rest')
	with open(path, 'rb') as f:
		info = subprocess.run(['git', 'mailinfo', msg, rest], stdin=f,
				      capture_output=True, text=True, check=True).stdout
	fields = dict(line.split(': ', 1) for line in info.splitlines() if ': ' in line)
	if not fields.get('Subject'):
		raise kgd_stage.StageError(f'{path} has no Subject: header')
	with open(msg, encoding='utf-8') as f:
		body = f.read()
	with open(msg, 'w', encoding='utf-8') as f:
		f.write(fields['Subject'] + '\n\n' + body)
	env = {}
	if fields.get('Author'):
		env['GIT_AUTHOR_NAME'] = fields['Author']
		env['GIT_AUTHOR_EMAIL'] = fields.get('Email', '')
	return msg, env


def make_commits():
	"""Builds the series commits in the tree's repo; returns the tip."""
	entries = read_series()
	claims = _claim_overlay(entries)
	with tempfile.TemporaryDirectory(prefix='kgd-series-') as scratch:
		index = {'GIT_INDEX_FILE': os.path.join(scratch, 'index')}
		_git(['read-tree', 'baseline'], env=index)
		parent = _git(['rev-parse', 'baseline']).strip()
		for kind, path in entries:
			name = os.path.relpath(path, kgd_paths.PATCHES)
			if kind == 'patch':
				proc = subprocess.run(
					['git', 'apply', '--cached', '--verbose', path],
					cwd=kgd_paths.TREE, env=dict(os.environ, **index),
					capture_output=True, text=True, check=False)
				if proc.returncode != 0:
					raise kgd_stage.StageError(
						f'patch {name} does not apply to the baseline '
						f'(did Debian move the point release?):\n'
						+ (proc.stderr + proc.stdout).strip())
			else:
				files = claims[path]
				paths = '\n'.join(os.path.join(kgd_paths.REPO, f) for f in files)
				shas = _git(['hash-object', '-w', '--stdin-paths'], stdin=paths).split()
				info = ''.join(
					f'{_mode(f)} {sha}\t{f}\n' for f, sha in zip(files, shas))
				_git(['update-index', '--add', '--index-info'], env=index, stdin=info)
			tree = _git(['write-tree'], env=index).strip()
			msg, author = message_and_author(path, scratch)
			parent = _git(['commit-tree', tree, '-p', parent, '-F', msg],
				      env=author).strip()
			notes = below_the_line(path) if kind == 'patch' else ''
			if notes:
				_git(['notes', 'add', '-f', '-m', notes, parent])
	return parent


def below_the_line(path):
	"""A patch's note to its reader: the text between its "---" line and
	the diffstat, which git am drops.  The posting carries it there too."""
	with open(path, encoding='utf-8') as f:
		_, sep, rest = f.read().partition('\n---\n')
	notes = []
	for line in rest.splitlines() if sep else ():
		if line.startswith((' ', 'diff ')):
			break
		notes.append(line)
	return '\n'.join(notes).strip()


def _mode(path):
	full = os.path.join(kgd_paths.REPO, path)
	return '100755' if os.access(full, os.X_OK) else '100644'


def signer():
	"""(name, email) from git's user.name and user.email: make series signs
	the postings off as the person who runs it, who is the one to send them."""
	def get(key):
		return subprocess.run(['git', 'config', key], cwd=kgd_paths.REPO,
				      capture_output=True, text=True, check=False).stdout.strip()
	name, email = get('user.name'), get('user.email')
	if not name or not email:
		raise kgd_stage.StageError(
			'make series signs the postings off as you, who send them, but git has no '
			'identity here; set yours with git config --global user.name "Your Name" '
			'and git config --global user.email you@example.org')
	return name, email


def signed_message(msg, who):
	"""A commit message with who's Signed-off-by in place of the project's."""
	msg = msg.rstrip('\n') + '\n'
	msg = msg.replace(f'Signed-off-by: {PROJECT_IDENTITY}\n', '')
	return msg.rstrip('\n') + f'\nSigned-off-by: {who[0]} <{who[1]}>\n'


def _signed(tip, who):
	"""baseline..tip made again with who as author, committer and signer in
	place of the project's identity; every tree stays the same."""
	name, email = who
	ident = {'GIT_AUTHOR_NAME': name, 'GIT_AUTHOR_EMAIL': email,
		 'GIT_COMMITTER_NAME': name, 'GIT_COMMITTER_EMAIL': email}
	parent = _git(['rev-parse', 'baseline']).strip()
	for commit in _git(['rev-list', '--reverse', f'baseline..{tip}']).split():
		msg = signed_message(_git(['log', '-1', '--format=%B', commit]), who)
		parent = _git(['commit-tree', f'{commit}^{{tree}}', '-p', parent], env=ident,
			      stdin=msg).strip()
		notes = subprocess.run(['git', 'notes', 'show', commit], cwd=kgd_paths.TREE,
				       capture_output=True, text=True, check=False).stdout
		if notes.strip():
			_git(['notes', 'add', '-f', '-m', notes.strip(), parent])
	return parent


def write_series(tip, ver, who):
	"""Writes the format-patch series with its cover letter to out/series,
	signed off by who, (name, email)."""
	shutil.rmtree(kgd_paths.SERIES_OUT, ignore_errors=True)
	_git(['format-patch', '-q', '--cover-letter', '--no-signature', '--notes',
	      '-o', kgd_paths.SERIES_OUT, f'baseline..{_signed(tip, who)}'],
	     env={'GIT_COMMITTER_NAME': who[0], 'GIT_COMMITTER_EMAIL': who[1]})
	patches = sorted(os.path.join(kgd_paths.SERIES_OUT, p)
			 for p in os.listdir(kgd_paths.SERIES_OUT))
	fill_cover(patches[0], COVER, ('@BASELINE@', f'{kgd_baseline.PACKAGE} {ver}'),
		   _recipients(tip, ver, patches[1:]))
	return patches


def fill_cover(posting, template, base, recipients):
	"""Puts the subject and blurb of template, with base[0] replaced by
	base[1], and To/Cc from recipients, (to, cc), into the cover letter
	format-patch wrote at posting."""
	with open(template, encoding='utf-8') as f:
		subject, _, blurb = f.read().partition('\n\n')
	with open(posting, encoding='utf-8') as f:
		text = f.read()
	text = text.replace('*** SUBJECT HERE ***', subject.strip())
	text = text.replace('*** BLURB HERE ***', blurb.replace(*base).strip())
	to, cc = recipients
	text = text.replace('\nSubject: ', f'\nTo: {fold(to)}\nCc: {fold(cc)}\nSubject: ', 1)
	with open(posting, 'w', encoding='utf-8') as f:
		f.write(text)


def unsigned(series, who):
	"""The postings whose From: or Signed-off-by: is anybody's but who's."""
	name, address = who
	bad = []
	for path in series:
		with open(path, encoding='utf-8') as f:
			text = f.read()
		mail = email.message_from_string(text)
		sender = ' '.join(str(mail.get('From', '')).split())
		body = text.partition('\n\n')[2]
		signs = [ln for ln in body.splitlines() if ln.startswith('Signed-off-by: ')]
		cover = path.endswith('0000-cover-letter.patch')
		if (sender != f'{name} <{address}>'
		    or (not cover and signs != [f'Signed-off-by: {name} <{address}>'])):
			bad.append(os.path.basename(path))
	return bad


def fold(addresses):
	return ',\n    '.join(addresses)


def _recipients(tip, ver, patches):
	"""get_maintainer.pl over the series, with the MAINTAINERS of its tip:
	maintainers and supporters go to To, reviewers and lists to Cc.  The
	answer is kept for as long as the series' tree is the same."""
	tree = _git(['rev-parse', f'{tip}^{{tree}}']).strip()
	cache = os.path.join(kgd_paths.OUT, 'series-recipients')
	if os.path.exists(cache):
		with open(cache, encoding='utf-8') as f:
			saved = json.load(f)
		if saved.get('tree') == tree:
			return saved['to'], saved['cc']
	to, cc = _get_maintainer(tip, ver, patches)
	with open(cache, 'w', encoding='utf-8') as f:
		json.dump({'tree': tree, 'to': to, 'cc': cc}, f)
	return to, cc


def maintainer_line(line):
	"""(address, role) of a get_maintainer.pl line: the role starts at the
	first " (" after the address, whose name may hold one in quotes."""
	start = line.index('"', 1) + 1 if line.startswith('"') and '"' in line[1:] else 0
	cut = line.find(' (', start)
	if cut < 0:
		return line.strip(), ''
	return line[:cut].strip(), line[cut + 2:]


def _get_maintainer(tip, ver, patches):
	repo = kgd_baseline.repo_dir(ver)
	with tempfile.NamedTemporaryFile('w', suffix='.MAINTAINERS') as maintainers:
		maintainers.write(_git(['show', f'{tip}:MAINTAINERS']))
		maintainers.flush()
		proc = subprocess.run(['perl', 'scripts/get_maintainer.pl', '--mpath',
				       maintainers.name, '--no-git', '--no-git-fallback'] + patches,
				      cwd=repo, capture_output=True, text=True, check=False)
	return split_recipients(proc)


def split_recipients(proc):
	"""(to, cc) from a get_maintainer.pl run: maintainers and supporters to
	To, reviewers and lists to Cc; placeholder addresses left out."""
	if proc.returncode != 0:
		raise kgd_stage.StageError('get_maintainer.pl failed: ' + proc.stderr.strip())
	to, cc = [], []
	for line in proc.stdout.splitlines():
		address, role = maintainer_line(line)
		if '@invalid' in address or not address:
			continue
		is_to = role.startswith(('maintainer:', 'supporter:'))
		(to if is_to else cc).append(address)
	return to, cc


def ensure_tree(baseline_repo):
	"""Makes out/tree, a clone that borrows the cached baseline's objects."""
	if os.path.isdir(os.path.join(kgd_paths.TREE, '.git')):
		return
	with kgd_stage.Stage('tree', 'check out the baseline into out/tree'):
		log = kgd_paths.log('tree')
		shutil.rmtree(kgd_paths.TREE, ignore_errors=True)
		kgd_stage.run(['git', 'clone', '-q', '--shared', '--no-checkout',
			       baseline_repo, kgd_paths.TREE], log)
		_git(['config', 'advice.detachedHead', 'false'])
		_git(['config', 'gc.auto', '0'])
		kgd_stage.run(['git', '-C', kgd_paths.TREE, 'checkout', '-q', '--detach',
			       'baseline'], log)


def am_check(series, expect_tip):
	"""git am the series onto a pristine checkout in the scratch tree;
	returns the am'd commit."""
	am_tree = kgd_paths.AM_TREE
	if not os.path.isdir(am_tree):
		_git(['worktree', 'prune'])
		_git(['worktree', 'add', '-q', '--detach', am_tree, 'baseline'])
	else:
		subprocess.run(['git', 'am', '--abort'], cwd=am_tree,
			       capture_output=True, check=False)
		_git(['checkout', '-q', '-f', '--detach', 'baseline'], cwd=am_tree)
		_git(['clean', '-q', '-fdx'], cwd=am_tree)
	patches = [p for p in series if not p.endswith('0000-cover-letter.patch')]
	proc = subprocess.run(['git', 'am', '-q', '--whitespace=nowarn'] + patches,
			      cwd=am_tree, env=dict(os.environ, **kgd_baseline.GIT_ENV),
			      capture_output=True, text=True, check=False)
	if proc.returncode != 0:
		raise kgd_stage.StageError('git am of out/series onto the pristine baseline '
					   'failed:\n' + (proc.stdout + proc.stderr).strip())
	got = _git(['rev-parse', 'HEAD^{tree}'], cwd=am_tree).strip()
	want = _git(['rev-parse', f'{expect_tip}^{{tree}}']).strip()
	if got != want:
		diff = _git(['diff', '--stat', want, got])
		raise kgd_stage.StageError('git am of the series gives a different tree '
					   f'than the one assembled:\n{diff}')
	return _git(['rev-parse', 'HEAD'], cwd=am_tree).strip()


def checkout_build_tree(commit):
	"""Moves out/tree to commit; git rewrites only files that differ, so
	unchanged sources keep their timestamps and rebuilds stay incremental."""
	status = _git(['status', '--porcelain', '--untracked-files=no'])
	if status.strip():
		raise kgd_stage.StageError(
			'out/tree has local edits; edit the repo instead and remove them with '
			f'"git -C {kgd_paths.TREE} checkout -f baseline":\n{status}')
	_git(['checkout', '-q', '--detach', commit])



def _subject(patch):
	with open(os.path.join(kgd_paths.PATCHES, patch), encoding='utf-8') as f:
		for line in f:
			if line.startswith('Subject: '):
				return line[len('Subject: '):].replace('[PATCH] ', '', 1).strip()
	raise kgd_stage.StageError(f'patches/{patch} has no Subject line')


def checkout_variant(build, am_commit):
	"""Puts the scratch tree at the parent of build.before_patch's commit in
	the am'd series, for a kernel without that fix."""
	subject = _subject(build.before_patch)
	log = _git(['log', '--format=%H %s', f'baseline..{am_commit}'])
	commits = [line.split(' ', 1)[0] for line in log.splitlines()
		   if line.split(' ', 1)[1] == subject]
	if len(commits) != 1:
		raise kgd_stage.StageError(f'{build.name}: patches/{build.before_patch} ("{subject}") '
					   f'matches {len(commits)} commits of the series')
	parent = commits[0] + '^'
	tree = kgd_paths.tree_for(build)
	if not os.path.isdir(tree):
		_git(['worktree', 'prune'])
		_git(['worktree', 'add', '-q', '--detach', tree, parent])
	else:
		_git(['checkout', '-q', '-f', '--detach', parent], cwd=tree)
