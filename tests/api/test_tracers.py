#!/usr/bin/env python3
"""Debian's strace and gdb as guests: tracers inside umbra, tracing another
guest through umbra's ptrace, must see what they see natively.

- `strace -f -ff` of tracer_target (a fork, a write in each process, a
  wait): each process's syscalls, addresses, pids and random bytes masked,
  equal to the native run's.
- `gdb -batch -ex run -ex bt` of tracer_target crashing: the signal, and the
  backtrace's functions (inner, outer, main), equal to the native run's.

Each tool is skipped (and said so) where the host has none; the test
fails if neither ran."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from apicheck import check, finish, show

UMBRA, TARGET = sys.argv[1], sys.argv[2]
TREES = os.environ.get('UMBRA_TEST_RUN_ARGS', '').split()
ran = []


def run(argv, sandbox, binds=()):
    if sandbox:
        extra = [a for b in binds for a in ('--bind', b)]
        argv = [UMBRA, 'run', *TREES, *extra, '--', *argv]
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=120)


MASKS = [
    (re.compile(r'0x[0-9a-f]+'), 'ADDR'),
    (re.compile(r'/\* \d+ vars \*/'), '/* N vars */'),
    (re.compile(r'getrandom\("[^"]*"'), 'getrandom("RANDOM"'),
    # CPU times, and the seconds strace adds to one that is not 0
    (re.compile(r'(si_pid|si_uid|si_utime|si_stime)=\d+( /\* [\d.]+ s \*/)?'), r'\1=N'),
    (re.compile(r'^(clone|fork|vfork|wait4|getpid|gettid|set_tid_address)\((.*)\) = \d+$'),
     r'\1(\2) = PID'),
    (re.compile(r'wait4\(\d+'), 'wait4(PID'),
]


def mask(line):
    line = re.sub(r'\s+', ' ', line)  # strace pads results to a column
    for pattern, repl in MASKS:
        line = pattern.sub(repl, line)
    return line


def strace_runs(tmp, sandbox):
    """The per-process traces of one run, in pid order, masked."""
    out = os.path.join(tmp, 'sandbox' if sandbox else 'native')
    os.mkdir(out)
    prefix = '/out/t' if sandbox else os.path.join(out, 't')
    r = run(['strace', '-f', '-ff', '-qq', '-o', prefix, TARGET, 'fork'], sandbox,
            binds=[out + ':/out:rw'])
    files = sorted(os.listdir(out), key=lambda n: int(n.split('.')[-1]))
    traces = []
    for name in files:
        with open(os.path.join(out, name)) as f:
            traces.append([mask(line.rstrip('\n')) for line in f])
    return r, traces


def strace_case(tmp):
    if not shutil.which('strace'):
        print('skip: no strace on this host')
        return
    native_r, native = strace_runs(tmp, False)
    umbra_r, umbra = strace_runs(tmp, True)
    check('strace -f: native run', native_r.returncode == 0 and len(native) == 2,
          show(native_r))
    check('strace -f: under umbra exits as natively', umbra_r.returncode == native_r.returncode,
          show(umbra_r))
    check('strace -f: the program\'s output', umbra_r.stdout == native_r.stdout,
          'native %r, umbra %r' % (native_r.stdout, umbra_r.stdout))
    check('strace -f: one trace per process', len(umbra) == len(native),
          '%d traces natively, %d under umbra' % (len(native), len(umbra)))
    for i, (n, u) in enumerate(zip(native, umbra)):
        # A signal comes where the process happens to be when it is sent:
        # the child's SIGCHLD before or after the parent's wait4 began.
        # The syscalls are compared in order, the signals as a set.
        calls_n = [line for line in n if not line.startswith('--- ')]
        calls_u = [line for line in u if not line.startswith('--- ')]
        diff = [f'{a!r} != {b!r}' for a, b in zip(calls_n, calls_u) if a != b][:3]
        check(f'strace -f: process {i}\'s syscalls', calls_n == calls_u,
              f'{len(calls_n)} natively, {len(calls_u)} under umbra; ' + '; '.join(diff))
        check(f'strace -f: process {i}\'s signals',
              sorted(set(n) - set(calls_n)) == sorted(set(u) - set(calls_u)),
              'native %s, umbra %s' % (sorted(set(n) - set(calls_n)),
                                       sorted(set(u) - set(calls_u))))
    ran.append('strace')


BT = re.compile(r'^#(\d+) .*?\b(\w+) \(', re.M)


def gdb_case():
    if not shutil.which('gdb'):
        print('skip: no gdb on this host')
        return
    argv = ['gdb', '-nx', '-batch', '-ex', 'run', '-ex', 'bt', '--args', TARGET, 'crash']
    native = run(argv, False)
    umbra = run(argv, True)
    frames_native = [f for _, f in BT.findall(native.stdout)]
    frames_umbra = [f for _, f in BT.findall(umbra.stdout)]
    check('gdb: native backtrace', frames_native[:3] == ['inner', 'outer', 'main'],
          show(native))
    check('gdb: SIGSEGV seen under umbra', 'SIGSEGV' in umbra.stdout, show(umbra))
    check('gdb: the backtrace under umbra', frames_umbra == frames_native,
          'native %s, umbra %s\n%s' % (frames_native, frames_umbra, show(umbra)))
    ran.append('gdb')


with tempfile.TemporaryDirectory(dir='/var/tmp') as tmp:
    os.chmod(tmp, 0o755)
    strace_case(tmp)
gdb_case()
check('at least one tracer ran', bool(ran), 'neither strace nor gdb is installed')
finish()
