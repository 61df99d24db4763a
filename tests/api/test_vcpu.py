#!/usr/bin/env python3
"""umbra's virtual CPUs through the real command: --cpus N is what the guest
sees everywhere (nproc, /proc/cpuinfo, affinity, the vDSO's getcpu), and N
vCPUs run at most N threads at once: spinning threads on one vCPU use at most one CPU's time."""
import os
import re
import subprocess
import sys

from apicheck import check, finish, show

UMBRA, FAIRNESS, AFFINITY, VDSO = sys.argv[1:5]
# Options that show the test trees when the default view hides them.
TREES = os.environ.get('UMBRA_TEST_RUN_ARGS', '').split()


def umbra(*argv):
    return subprocess.run([UMBRA, 'run', *TREES, *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


for n in (1, 3):
    r = umbra('--cpus', str(n), '--', 'nproc')
    check('nproc under --cpus %d' % n, r.returncode == 0 and r.stdout == '%d\n' % n, show(r))
    r = umbra('--cpus', str(n), '--', 'grep', '-c', '^processor', '/proc/cpuinfo')
    check('/proc/cpuinfo under --cpus %d' % n, r.stdout == '%d\n' % n, show(r))
    r = umbra('--cpus', str(n), '--', AFFINITY)
    check('affinity, getcpu and sched_setaffinity within --cpus %d' % n, r.returncode == 0,
          show(r))
    # Bound to vCPU n-1, which the host may not have: the vDSO's getcpu is
    # the vCPU's, not the host CPU's.
    r = umbra('--cpus', str(n), '--', VDSO)
    check('the vDSO within --cpus %d' % n, r.returncode == 0, show(r))

r = umbra('--cpus', '1', '--', FAIRNESS, 'report')
m = re.match(r'cpu/wall ([0-9.]+)\n$', r.stdout)
check('spinning threads on one vCPU share it fairly', r.returncode == 0 and m, show(r))
if m:
    check('and use at most one CPU\'s time (%s of the wall time)' % m.group(1),
          float(m.group(1)) <= 1.15, show(r))
finish()
