#!/usr/bin/env python3
"""`umbra run --stats` prints the time-slice extension's statistics on stderr
when the guest has ended, in one line:

    umbra: rseq slice: grants N yields N expiries N revocations N aborts N

(Linux's rseq_stats s_granted, s_yielded, s_expired, s_revoked, s_aborted:
an abort is a grant ended by a syscall other than rseq_slice_yield).
`--rseq-slice-ns NS` sets the grant's length within Linux's bounds for
slice_ext_nsec, 5000..50000; any other value is refused with exit 2 and a
message that names the option and the bounds, before a guest runs."""
import os
import re
import subprocess
import sys

from apicheck import check, finish, show

UMBRA, HELLO, SLICE = sys.argv[1], sys.argv[2], sys.argv[3]
TREES = os.environ.get('UMBRA_TEST_RUN_ARGS', '').split()
STATS = re.compile(r'^umbra: rseq slice: grants (\d+) yields (\d+) expiries (\d+) '
                   r'revocations (\d+) aborts (\d+)$', re.M)


def umbra(*argv):
    return subprocess.run([UMBRA, 'run', *TREES, *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=100)


def stats(name, r):
    """The one statistics line of a run, as a dict, or None."""
    lines = STATS.findall(r.stderr)
    check(name + ': one statistics line on stderr', len(lines) == 1, show(r))
    check(name + ': none on stdout', 'rseq slice:' not in r.stdout, show(r))
    if len(lines) != 1:
        return None
    return dict(zip(('grants', 'yields', 'expiries', 'revocations', 'aborts'),
                    map(int, lines[0])))


r = umbra('--stats', '--', HELLO, 'hello')
check('--stats keeps the guest\'s status and output', r.returncode == 7 and r.stdout == 'hello\n',
      show(r))
s = stats('--stats, no rseq', r)
if s:
    check('--stats, no rseq: every count 0', not any(s.values()), str(s))

# rseq_slice gets grants that end each way: a yield, the timer, getppid.
r = umbra('--stats', '--', SLICE)
check('--stats: rseq_slice passes', r.returncode == 0, show(r))
s = stats('--stats, rseq_slice', r)
if s:
    check('rseq_slice: grants >= 4', s['grants'] >= 4, str(s))
    check('rseq_slice: yields >= 1', s['yields'] >= 1, str(s))
    check('rseq_slice: expiries >= 1', s['expiries'] >= 1, str(s))
    check('rseq_slice: aborts or revocations >= 1 (getppid in a grant)',
          s['aborts'] + s['revocations'] >= 1, str(s))
    check('rseq_slice: no more yields, expiries or aborts than grants',
          max(s['yields'], s['expiries'], s['aborts']) <= s['grants'], str(s))

for ns in ('5000', '50000'):
    r = umbra('--rseq-slice-ns', ns, '--', HELLO, 'hello')
    check('--rseq-slice-ns %s accepted' % ns, r.returncode == 7 and r.stdout == 'hello\n',
          show(r))
r = umbra('--rseq-slice-ns', '50000', '--', SLICE)
check('--rseq-slice-ns 50000: rseq_slice passes', r.returncode == 0, show(r))

for bad in ('4999', '50001', '0', '-5000', '5000x', 'abc', '', '18446744073709556616'):
    r = umbra('--rseq-slice-ns', bad, '--', HELLO, 'hello')
    check('--rseq-slice-ns %r: exit 2 before the guest runs' % bad,
          r.returncode == 2 and r.stdout == '', show(r))
    check('--rseq-slice-ns %r: the message names the option and 5000..50000' % bad,
          '--rseq-slice-ns' in r.stderr and '5000' in r.stderr and '50000' in r.stderr,
          show(r))
finish()
