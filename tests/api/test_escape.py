#!/usr/bin/env python3
"""Nothing leaves umbra's view: the guest escape_fds tries fd passing, "..",
/proc links, openat2 scopes and symlinks against a marker file that lies
just outside the view (beside --root's directory, or under the host's /tmp,
which the guest's private /tmp hides), and tries to write above its
writable directory. Every run must pass, leave the host unchanged outside
the writable binds and the marker intact. A native run of the same program,
whose view is the host, must fail on each kind of probe: that proves the
probes look.

    test_escape.py UMBRA ESCAPE_FDS
"""
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid

from apicheck import check, finish, show

UMBRA, ESCAPE = sys.argv[1:3]
TIMEOUT = 120


def run(argv, cwd=None):
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          cwd=cwd, timeout=TIMEOUT)


class Layout:
    """TMP/root (a --root, read-only, with the program, a FIFO and a device
    node), TMP/inner (a read-write bind, with the program) and the marker
    TMP/escape-marker-UUID beside them."""

    def __init__(self, tmp):
        self.tmp = os.path.realpath(tmp)
        self.root = os.path.join(self.tmp, 'root')
        self.inner = os.path.join(self.tmp, 'inner')
        self.marker = 'escape-marker-' + uuid.uuid4().hex
        self.host_path = os.path.join(self.tmp, self.marker)
        self.content = 'outside the view ' + uuid.uuid4().hex + '\n'
        for d in (self.root, self.inner):
            os.mkdir(d)
            shutil.copy(ESCAPE, os.path.join(d, 'escape_fds'))
        with open(self.host_path, 'w') as f:
            f.write(self.content)
        os.mkfifo(os.path.join(self.root, 'fifo'))
        self.nodes = ['fifo']
        try:  # /dev/null's numbers: harmless if it ever opened
            os.mknod(os.path.join(self.root, 'null'), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            self.nodes.append('null')
        except OSError as e:
            print('note: no device node in the root (%s)' % e)

    def snapshot(self, writable):
        """Everything under TMP but the writable directories: name -> what
        it is (type, mode, size, content digest)."""
        seen = {}
        for top, dirs, files in os.walk(self.tmp):
            dirs[:] = [d for d in dirs if os.path.join(top, d) not in writable]
            for name in dirs + files:
                p = os.path.join(top, name)
                st = os.lstat(p)
                digest = ''
                if stat.S_ISREG(st.st_mode):
                    with open(p, 'rb') as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                seen[p] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_size,
                           digest)
        return seen


def escape_case(name, lay, opts, prog, rwdir, node_dir, writable):
    """One umbra run of escape_fds in the view opts make."""
    before = lay.snapshot(writable)
    nodes = [node_dir + '/' + n for n in lay.nodes]
    r = run([UMBRA, 'run', *opts, '--', prog, lay.marker, lay.host_path, rwdir, *nodes])
    check(name + ': nothing leaves the view', r.returncode == 0 and 'FAIL' not in r.stderr,
          show(r))
    after = lay.snapshot(writable)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    check(name + ': the host is unchanged outside the writable binds', not changed,
          '\n'.join(changed))
    with open(lay.host_path) as f:
        check(name + ': the marker is intact', f.read() == lay.content)


def sandbox_cases():
    # Under the host's /tmp, which the guest's private /tmp hides: in the
    # default view, the marker's host path is out of sight too.
    with tempfile.TemporaryDirectory(prefix='umbra-escape-', dir='/tmp') as tmp:
        lay = Layout(tmp)
        escape_case('--root, /tmp writable', lay, ['--root', lay.root, '--cwd', '/'],
                    '/escape_fds', '/tmp', '', set())
        escape_case('--root and a read-write --bind', lay,
                    ['--root', lay.root, '--bind', lay.inner + ':/w:rw', '--cwd', '/w'],
                    '/escape_fds', '/w', '', {lay.inner})
        escape_case('a read-write --bind in the host\'s view', lay,
                    ['--bind', lay.inner + ':/w:rw', '--bind', lay.root + ':/r:ro',
                     '--cwd', '/w'],
                    '/w/escape_fds', '/w', '/r', {lay.inner})
        escape_case('--root and a --tmpfs', lay,
                    ['--root', lay.root, '--tmpfs', '/scratch', '--cwd', '/scratch'],
                    '/escape_fds', '/scratch', '', set())


# What a native run must fail on, one line for each kind of probe.
NATIVE_FINDS = [
    ('an fd\'s ancestors hold the marker', 'fd of RWDIR, 1 times ..: {m}: expected ENOENT got'),
    ('a passed fd\'s ancestors', 'passed fd of RWDIR, 1 times ..: {m}: expected ENOENT got'),
    ('../MARKER from an fd', 'fd of RWDIR: ../{m}: expected ENOENT got'),
    ('fchdir and chdir ..', 'fd of RWDIR: fchdir, 1 times chdir ..: {m}: expected ENOENT'),
    ('/proc/self/fd/N/..', 'fd of RWDIR: /proc/self/fd/'),
    ('/proc/PID/cwd/..', '/proc/PID/cwd: /proc/'),
    ('/proc/PID/root and the host path', '/proc/PID/root and the host path: /proc/'),
    ('openat2 RESOLVE_IN_ROOT from /', 'fd of /: openat2 {h} (resolve 0x10): expected ENOENT'),
    ('a symlink to the host path', '{h}: escape-link-'),
    ('open(O_CREAT) through ..', 'open(O_CREAT) ../escape-new: expected EROFS got success'),
    ('rename into the parent', 'rename to ../escape-file: expected EXDEV got success'),
    ('link into the parent', 'link to ../escape-link: expected EXDEV got success'),
    ('a FIFO outside /dev', 'NODE: open {r}/fifo: expected EACCES got an open file'),
    ('a passed O_PATH fd of a FIFO', 'a passed O_PATH fd of NODE: open /proc/self/fd/'),
]


def native_case():
    """Natively the host is the view: escape_fds must find the marker."""
    with tempfile.TemporaryDirectory(prefix='umbra-escape-native-') as tmp:
        lay = Layout(tmp)
        nodes = [os.path.join(lay.root, n) for n in lay.nodes]
        r = run([os.path.join(lay.inner, 'escape_fds'), lay.marker, lay.host_path, lay.inner,
                 *nodes], cwd=lay.inner)
        check('natively the probes find the marker: exit 1', r.returncode == 1, show(r))
        for what, line in NATIVE_FINDS:
            line = line.format(m=lay.marker, h=lay.host_path, r=lay.root)
            check('natively: ' + what, line in r.stderr, 'no line with %r\n%s' % (line, show(r)))


native_case()
sandbox_cases()
finish()
