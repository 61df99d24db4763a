#!/usr/bin/env python3
"""The umbra command as a user meets it: usage, exit statuses, messages,
PATH search, environment, --trace and --report-unimplemented."""
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

UMBRA, GUEST = sys.argv[1], sys.argv[2]


# Options that show the test trees when the default view hides them.
TREES = os.environ.get('UMBRA_TEST_RUN_ARGS', '').split()


def umbra(*args, env=None):
    if args and args[0] == 'run':
        args = ('run', *TREES, *args[1:])
    return subprocess.run([UMBRA, *args], capture_output=True, text=True, env=env,
                          timeout=60)


def expect(name, r, status, out=None, err_has=None):
    detail = 'status %d\nstdout: %r\nstderr: %r' % (r.returncode, r.stdout, r.stderr)
    ok = r.returncode == status
    if out is not None:
        ok = ok and r.stdout == out
    if err_has is not None:
        ok = ok and err_has in r.stderr
    check(name, ok, detail)


expect('--version', umbra('--version'), 0, err_has='')
check('--version names umbra', umbra('--version').stdout.startswith('umbra '))
expect('--help', umbra('--help'), 0)
check('--help shows usage', 'Usage: umbra run' in umbra('--help').stdout)
expect('no command', umbra(), 2, err_has='Usage')
expect('run without a program', umbra('run'), 2, err_has='no program given')
expect('unknown option', umbra('run', '--bogus', '--', GUEST), 2)
expect('exit status is the guest\'s', umbra('run', '--', GUEST, 'hello'), 7, out='hello\n')
expect('killed by a signal: 128+N', umbra('run', '--', GUEST, 'segv'), 128 + 11,
       err_has='SIGSEGV')
expect('command not found', umbra('run', '--', 'umbra-no-such-command'), 127,
       err_has='umbra-no-such-command: command not found')
expect('missing path', umbra('run', '--', '/nonexistent/x'), 127,
       err_has='No such file or directory')
expect('a directory', umbra('run', '--', '/'), 126, err_has='Permission denied')

# Not under the host's /tmp: the guest has a /tmp of its own.
with tempfile.TemporaryDirectory(dir='/var/tmp') as d:
    plain = os.path.join(d, 'plain')
    with open(plain, 'w') as f:
        f.write('just text\n')
    expect('no execute permission', umbra('run', '--', plain), 126, err_has='Permission denied')
    os.chmod(plain, 0o755)
    expect('not an ELF file', umbra('run', '--', plain), 126, err_has='Exec format error')

    shutil.copy(GUEST, os.path.join(d, 'umbra-test-guest'))
    env = dict(os.environ, PATH=d + ':/usr/bin:/bin', UMBRA_TEST_VAR='passed through')
    expect('PATH search', umbra('run', '--', 'umbra-test-guest', 'args', 'x y', env=env), 0,
           out='argv[0]=umbra-test-guest\nargv[1]=args\nargv[2]=x y\n')
    expect('environment passed through', umbra('run', '--', 'umbra-test-guest', 'env', env=env),
           0, out='UMBRA_TEST_VAR=passed through\n')

r = umbra('run', '--trace', '--', GUEST, 'hello')
expect('--trace keeps the output', r, 7, out='hello\n')
check('--trace prints write', 'write(1, "hello\\n", 6) = 6\n' in r.stderr, r.stderr)
check('--trace prints exit_group', 'exit_group(7) = ?\n' in r.stderr, r.stderr)

r = umbra('run', '--report-unimplemented', '--', GUEST, 'enosys')
expect('--report-unimplemented', r, 0, out='syscall(1000) = -1\n', err_has='syscall_1000: 1 call')

finish()
