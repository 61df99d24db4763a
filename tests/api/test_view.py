#!/usr/bin/env python3
"""umbra run's default view of the file system, through the real command and
the host's own programs: the host's files read-only and unchanged, a private
/tmp, no /proc or /sys yet, a /dev with only harmless devices."""
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

UMBRA = sys.argv[1]
DEV_ALLOWED = {'null', 'zero', 'full', 'random', 'urandom', 'tty', 'fd', 'stdin', 'stdout',
               'stderr'}


def run(argv, stdin=subprocess.DEVNULL):
    return subprocess.run(argv, capture_output=True, text=True, stdin=stdin, timeout=60)


def umbra(*argv):
    return run([UMBRA, 'run', '--', *argv])


def show(r):
    return 'status %d\nstdout: %r\nstderr: %r' % (r.returncode, r.stdout, r.stderr)


def same_as_native(name, *argv):
    """The program prints the same and exits the same in the sandbox."""
    native, boxed = run(list(argv)), umbra(*argv)
    check(name, native.returncode == 0 and boxed.returncode == 0 and
          boxed.stdout == native.stdout and boxed.stdout != '',
          'native:\n' + show(native) + '\nunder umbra:\n' + show(boxed))


def fails_with(name, r, message):
    check(name, r.returncode != 0 and message in r.stderr, show(r))


same_as_native('echo', '/bin/echo', 'a', 'b')
same_as_native('cat through a relative link', 'cat', '/etc/os-release')
same_as_native('sha256sum', 'sha256sum', '/etc/hostname')
same_as_native('ls -a (sorted)', 'ls', '-a', '/usr/share/doc/busybox-static')
# / lists the host's root, less the mount points umbra hides (sys).
native_root = set(run(['ls', '/']).stdout.split()) - {'sys'}
boxed_root = umbra('ls', '/')
check('ls / shows the host\'s root without hidden mounts',
      boxed_root.returncode == 0 and set(boxed_root.stdout.split()) == native_root,
      show(boxed_root))
r = umbra('ls', '-l', '/')
check('ls -l / stats every entry it lists', r.returncode == 0 and '?' not in r.stdout, show(r))

# The host's / is mounted read-only: creating fails with EROFS and leaves
# nothing on the host. (Not under the host's /tmp, which the guest does not
# see.)
HOST_SCRATCH = '/var/tmp'
with tempfile.TemporaryDirectory(prefix='umbra-view-', dir=HOST_SCRATCH) as d:
    made = os.path.join(d, 'new')
    for what, argv in [('touch', ['busybox', 'touch', made]),
                       ('tee', ['busybox', 'tee', made]),
                       ('cp', ['busybox', 'cp', '/etc/hostname', made])]:
        r = umbra(*argv)
        fails_with('%s cannot create: EROFS' % what, r, 'Read-only file system')
        check('%s left nothing on the host' % what, not os.path.lexists(made),
              '%s exists' % made)
        if os.path.lexists(made):
            os.unlink(made)

    # Opening an existing host file for writing must not truncate it.
    kept = os.path.join(d, 'kept')
    with open(kept, 'w') as f:
        f.write('unchanged\n')
    r = umbra('busybox', 'tee', kept)
    fails_with('tee cannot truncate: EROFS', r, 'Read-only file system')
    with open(kept) as f:
        check('the host file is unchanged', f.read() == 'unchanged\n', show(r))

# /proc is umbra's: the guest is pid 1 and alone, its links lead to its own
# files, and /dev/std* reach them through it.
r = umbra('ls', '/proc')
check('/proc lists the guest alone', r.returncode == 0 and
      [n for n in r.stdout.split() if n.isdigit()] == ['1'], show(r))
r = umbra('readlink', '/proc/self', '/proc/self/exe', '/proc/self/root')
check('/proc/self and its links', r.stdout == '1\n/usr/bin/readlink\n/\n', show(r))
r = run([UMBRA, 'run', '--', 'cat', '/dev/stdin', '/proc/self/fd/0'], stdin=open('/etc/hostname'))
check('/dev/stdin and /proc/self/fd/0 reach the given stdin (each from the start)',
      r.returncode == 0 and r.stdout == open('/etc/hostname').read() * 2, show(r))
r = umbra('busybox', 'sh', '-c', 'echo out > /dev/stdout; echo err > /dev/stderr')
check('/dev/stdout and /dev/stderr open the given files',
      r.returncode == 0 and r.stdout == 'out\n' and r.stderr == 'err\n', show(r))
r = run([UMBRA, 'run', '--', 'busybox', 'sh', '-c', 'echo x > /dev/stdin'],
        stdin=open('/etc/hostname'))
fails_with('a file given read-only cannot be reopened for writing', r, 'Permission denied')
r = umbra('cat', '/proc/1/../1/fd/../../self/root/etc/hostname')
check('.. and links inside /proc', r.stdout == open('/etc/hostname').read(), show(r))
r = umbra('ls', '/proc/2')
fails_with('no other process', r, 'No such file')
r = umbra('ls', '/sys/kernel')
fails_with('no host /sys', r, 'No such file')

host_dev = set(os.listdir('/dev'))
r = umbra('ls', '/dev')
listed = set(r.stdout.split())
check('ls /dev: only the harmless devices',
      r.returncode == 0 and listed == DEV_ALLOWED & host_dev and listed, show(r))
for name in ['pts', 'shm', 'mem']:
    if name in host_dev:
        r = umbra('ls', '-d', '/dev/' + name)
        fails_with('/dev/%s is hidden' % name, r, 'No such file')
r = umbra('head', '-c', '8', '/dev/zero')
check('/dev/zero reads zeros', r.returncode == 0 and r.stdout == '\0' * 8, show(r))

# Bind mounts: a read-only mount inside a writable one stays read-only, even
# when the guest renames the directory above it; a host mount of the
# kernel's own file systems inside a bound tree is never crossed; creating
# through a dangling link makes its target, as Linux does.
def umbra_opts(opts, *argv):
    return run([UMBRA, 'run', *opts, '--', *argv])


with tempfile.TemporaryDirectory(prefix='umbra-bind-') as d:
    secrets = os.path.join(d, 'proj', 'secrets')
    os.makedirs(secrets)
    os.makedirs(os.path.join(d, 'chroot', 'proc'))
    with open(os.path.join(secrets, 'f'), 'w') as f:
        f.write('secret\n')
    binds = ['--bind', d + ':/w:rw', '--bind', secrets + ':/w/proj/secrets:ro']
    fails_with('a nested read-only bind cannot be written',
               umbra_opts(binds, 'busybox', 'sh', '-c', 'echo x > /w/proj/secrets/f'),
               'Read-only file system')
    fails_with('the directory above a mount cannot be renamed',
               umbra_opts(binds, 'busybox', 'mv', '/w/proj', '/w/moved'),
               'busy')
    check('the nested read-only file is intact',
          open(os.path.join(secrets, 'f')).read() == 'secret\n' and
          os.path.isdir(os.path.join(d, 'proj')))
    os.symlink('target', os.path.join(d, 'dangling'))
    r = umbra_opts(['--bind', d + ':/w:rw'], 'busybox', 'sh', '-c', 'echo made > /w/dangling')
    check('creating through a dangling link makes the target',
          r.returncode == 0 and os.path.exists(os.path.join(d, 'target')), show(r))
    if os.geteuid() == 0 and shutil.which('unshare'):
        chroot = os.path.join(d, 'chroot')
        script = ('mount -t proc proc %s/proc && exec %s run --bind %s:/w:rw -- '
                  'busybox cat /w/proc/self/status' % (chroot, UMBRA, chroot))
        fails_with('a host proc mounted inside a bind is not crossed',
                   run(['unshare', '-m', 'sh', '-c', script]), 'No such file')


# /tmp is a private tmpfs: writable, empty at start, mode 1777, unseen by the
# host and by other sandboxes. busybox sh's builtins do the I/O.
def sh(opts, script):
    return umbra_opts(opts, 'busybox', 'sh', '-c', script)


with tempfile.NamedTemporaryFile(prefix='umbra-host-', dir='/tmp') as host_file:
    name = os.path.basename(host_file.name)
    r = sh([], 'echo guest > /tmp/%s && read x < /tmp/%s && echo "$x"' % (name, name))
    check('/tmp is writable', r.returncode == 0 and r.stdout == 'guest\n', show(r))
    check('the host\'s /tmp is untouched', open(host_file.name).read() == '', '')
r = umbra('ls', '-a', '/tmp')
check('/tmp starts empty in every sandbox',
      r.returncode == 0 and r.stdout.split() == ['.', '..'], show(r))
r = umbra('stat', '-c', '%a %F', '/tmp')
check('/tmp is a sticky world-writable directory',
      r.returncode == 0 and r.stdout == '1777 directory\n', show(r))
fails_with('--tmpfs with a size: ENOSPC past it',
           umbra_opts(['--tmpfs', '/data:64k'], 'busybox', 'dd', 'if=/dev/zero',
                      'of=/data/f', 'bs=1k', 'count=100'),
           'No space left on device')
r = sh(['--tmpfs', '/etc'], 'echo x > /etc/passwd && read y < /etc/passwd && echo "$y"')
check('--tmpfs over a host directory hides it, privately',
      r.returncode == 0 and r.stdout == 'x\n' and 'root' in open('/etc/passwd').read(),
      show(r))
fails_with('--tmpfs with a bad size', umbra_opts(['--tmpfs', '/data:lots'], 'true'),
           'umbra: --tmpfs /data:lots: Invalid argument')
fails_with('--tmpfs wants an absolute path', umbra_opts(['--tmpfs', 'data'], 'true'),
           'umbra: --tmpfs wants /PATH[:SIZE]')
if os.geteuid() == 0 and shutil.which('setpriv'):
    # Without privilege the tmpfs comes from a user namespace of the caller's.
    r = run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
             UMBRA, 'run', '--', 'busybox', 'sh', '-c',
             'echo n > /tmp/f && read z < /tmp/f && echo "$z"'])
    check('an unprivileged caller gets a private /tmp too',
          r.returncode == 0 and r.stdout == 'n\n', show(r))

finish()
