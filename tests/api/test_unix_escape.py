#!/usr/bin/env python3
"""AF_UNIX sockets never lead out of the sandbox: a guest reaches neither a
host service listening on an abstract name nor a host socket file outside
its view (directly, or through a symlink the sentry's walk resolves in the
view), nor a host service's socket the view shows read-only, and a host
process cannot reach a guest's abstract name."""
import os
import socket
import subprocess
import sys
import tempfile

from apicheck import check, finish, show

UMBRA, GUEST = sys.argv[1], sys.argv[2]
# Options that show the test trees when the default view hides them.
TREES = os.environ.get('UMBRA_TEST_RUN_ARGS', '').split()


def umbra(opts, *argv):
    return subprocess.run([UMBRA, 'run', *TREES, *opts, '--', GUEST, *argv], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)


def host_listener(address):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(address)
    s.listen(4)
    s.setblocking(False)
    return s


def nobody_connected(s):
    try:
        s.accept()
        return False
    except BlockingIOError:
        return True


tag = 'umbra-escape-%d' % os.getpid()
abstract = host_listener('\0' + tag)
# Natively the guest would reach both: the checks below can fail.
r = subprocess.run([GUEST, 'unix-connect', '@' + tag], capture_output=True, text=True)
check('natively, the host\'s abstract name is reachable', r.stdout == 'connected\n', show(r))
abstract.accept()[0].close()

r = umbra([], 'unix-connect', '@' + tag)
check('a guest cannot reach a host abstract name', r.stdout == 'ECONNREFUSED\n', show(r))
check('and the host listener saw nobody', nobody_connected(abstract))

# The host's /tmp is outside the default view (the guest's is a private tmpfs).
with tempfile.TemporaryDirectory(prefix='umbra-escape-', dir='/tmp') as hidden, \
        tempfile.TemporaryDirectory(prefix='umbra-escape-', dir='/var/tmp') as scratch:
    path = os.path.join(hidden, 's')
    listener = host_listener(path)
    os.symlink(path, os.path.join(scratch, 'link'))
    r = subprocess.run([GUEST, 'unix-connect', os.path.join(scratch, 'link')],
                       capture_output=True, text=True)
    check('natively, the symlink leads to the host socket', r.stdout == 'connected\n', show(r))
    listener.accept()[0].close()

    r = umbra([], 'unix-connect', path)
    check('a guest cannot reach a host socket outside its view', r.stdout == 'ENOENT\n',
          show(r))
    r = umbra(['--bind', '%s:%s' % (scratch, scratch)], 'unix-connect',
              os.path.join(scratch, 'link'))
    check('nor through a symlink in its view that names it', r.stdout == 'ENOENT\n', show(r))
    check('and the host listener saw nobody', nobody_connected(listener))
    listener.close()

    # A host service's socket that the default view shows read-only (as
    # /run's would be): the guest may read the directory, not talk to it.
    visible = os.path.join(scratch, 'service')
    listener = host_listener(visible)
    r = umbra([], 'unix-connect', visible)
    check('a guest cannot reach a host socket on a read-only mount', r.stdout == 'EACCES\n',
          show(r))
    check('and that listener saw nobody', nobody_connected(listener))
    r = umbra(['--bind', '%s:%s:rw' % (scratch, scratch)], 'unix-connect', visible)
    check('a read-write bind grants it', r.stdout == 'connected\n', show(r))
    listener.close()

# A guest's abstract name is not in the host's namespace.
p = subprocess.Popen([UMBRA, 'run', *TREES, '--', GUEST, 'unix-listen', '@' + tag + '-guest'],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
ready = p.stdout.readline()
check('the guest listens on an abstract name', ready == 'ready\n', repr(ready))
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    c.connect('\0' + tag + '-guest')
    reached = True
except OSError:
    reached = False
check('the host cannot reach a guest\'s abstract name', not reached)
p.stdin.close()
p.wait(timeout=30)
abstract.close()

finish()
