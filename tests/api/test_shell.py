#!/usr/bin/env python3
"""Shell scripts run by the host's /bin/sh, natively and under `umbra run`:
redirections, pipelines, subshells, command substitution, here-documents,
traps, background jobs and exit statuses, and real programs (make with gcc,
git, python3 with threads and signals) must come out the same. Each script
writes only in a mkdtemp directory under /tmp, which it removes (under
umbra, /tmp is private).

The arm64 suite runs each script as a case of its own in a Debian arm64
userland (tests/arm64/rootfs.sh): --list names them, --only runs one and
exits 77 when the programs it needs are missing. UMBRA_TEST_SHELL_TIMEOUT
(seconds, default 120) bounds each run, for qemu's slower CPUs."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument('umbra', nargs='?')
parser.add_argument('--list', action='store_true', help='print the case names and exit')
parser.add_argument('--only', metavar='CASE', help='run only this case')
args = parser.parse_args()
if not args.list and not args.umbra:
    parser.error('the umbra executable is required')
UMBRA = args.umbra
TIMEOUT = float(os.environ.get('UMBRA_TEST_SHELL_TIMEOUT') or 120)
failures = []

SCRIPTS = {
    'redirections': r'''
d=$(mktemp -d)
echo one > "$d/a"; echo two >> "$d/a"
cat < "$d/a"; wc -l < "$d/a"
ls "$d/missing" 2> "$d/err"; echo "ls status $?"
test -s "$d/err" && echo "stderr went to the file"
exec 3> "$d/b"; echo three >&3; exec 3>&-; cat "$d/b"
{ echo out; echo err >&2; } > "$d/both" 2>&1; sort "$d/both"
cat <<EOF
here $((2 + 3)) $(echo nested)
EOF
rm -rf "$d"; test -e "$d" || echo removed
''',
    'pipelines and subshells': r'''
echo hello world | tr a-z A-Z | rev
seq 10 | sort -rn | head -3
(cd /usr && pwd); pwd > /dev/null
x=$(echo sub | sed s/sub/SUB/); echo "$x"
false | true; echo "pipeline status $?"
(exit 7); echo "subshell status $?"
sh -c 'exit 3'; echo "child status $?"
/bin/echo external; command -v ls > /dev/null && echo found
for i in 1 2 3; do echo "$i"; done | paste -sd+ | bc 2>/dev/null || echo 6
''',
    'programs in a pipeline': r'''
find /usr/share/doc/busybox-static | sort | head -5
grep -r -l -i copyright /usr/share/doc/busybox-static | sort | head -3
stat -c '%n %F' /usr /etc/hostname
readlink -f /usr/bin/../bin/sh | sed 's/dash/sh/'
cat /etc/os-release | sha256sum
''',
    'traps, background jobs and wait': r'''
trap 'echo caught USR1' USR1
kill -USR1 $$
echo after the trap
/bin/sleep 0.2 & /bin/sleep 0.1 & wait; echo "waited for all: $?"
(exit 5) & wait $!; echo "job status $?"
/bin/sleep 5 & kill $!; wait $! 2>/dev/null; echo "killed job status $?"
trap 'echo exit trap' EXIT
''',
}

# Real programs, each where the host has it: make -j2 building with gcc,
# git, and python3 with threads, a subprocess and an interval timer.
PROGRAMS = {
    'make -j2 with gcc': (['make', 'gcc'], r'''
d=$(mktemp -d); cd "$d"
printf 'all: prog\n\t./prog\nprog: a.o b.o\n\tgcc -o prog a.o b.o\n%%.o: %%.c\n\tgcc -c -O1 $< -o $@\n' > Makefile
echo 'int f(void); int main(void) { return f() - 42; }' > a.c
printf '#include <stdio.h>\nint f(void) { puts("built and ran"); return 42; }\n' > b.c
make -s -j2; echo "make status $?"
cd /; rm -rf "$d"
'''),
    'git init and commit': (['git'], r'''
d=$(mktemp -d); cd "$d"
git init -q && git config user.email u@example.org && git config user.name umbra
echo hello > f && git add f && git commit -q -m first && echo more >> f && git commit -qam second
git log --format=%s; git show --stat HEAD~1 --format= | tail -1
cd /; rm -rf "$d"
'''),
    'nice': (['nice'], r'''
nice -n 5 nice; nice -n 5 nice -n 3 nice; nice -n 100 nice
nice -n 4 cut -d' ' -f18,19 /proc/self/stat
'''),
    'renice and chrt': (['renice', 'chrt'], r'''
renice -n 7 -p $$ > /dev/null; nice; cut -d' ' -f18,19 /proc/self/stat
chrt -m
chrt -b 0 chrt -p 0 | sed 's/pid [0-9]*/pid N/'
'''),
    'python3 os.nice and os.sched_*': (['/usr/bin/python3'], r'''
/usr/bin/python3 - <<'PY'
import os
print(os.nice(0), os.nice(3), os.getpriority(os.PRIO_PROCESS, 0))
print(os.sched_getscheduler(0) == os.SCHED_OTHER, os.sched_getparam(0).sched_priority)
print([(os.sched_get_priority_min(p), os.sched_get_priority_max(p))
       for p in (os.SCHED_OTHER, os.SCHED_FIFO, os.SCHED_RR, os.SCHED_BATCH, os.SCHED_IDLE)])
os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
# A fair task's interval is the kernel's slice: 0 on 6.18, a tick or two on 6.1.
print(os.sched_getscheduler(0) == os.SCHED_BATCH, os.sched_rr_get_interval(0) >= 0)
PY
'''),
    'python3 threads, subprocess, alarm': (['/usr/bin/python3'], r'''
/usr/bin/python3 - <<'PY'
import hashlib, signal, subprocess, threading, time
out = []
threads = [threading.Thread(target=lambda i=i: out.append(hashlib.sha256(b"%d" % i).hexdigest()[:8]))
           for i in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print(sorted(out))
print(subprocess.run(["echo", "from a child"], capture_output=True, text=True).stdout.strip())
print(subprocess.check_output("echo piped | tr a-z A-Z", shell=True, text=True).strip())
fired = []
signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
signal.setitimer(signal.ITIMER_REAL, 0.05)
while not fired:
    time.sleep(0.01)
print("SIGALRM", fired == [signal.SIGALRM])
PY
'''),
}


def run(argv):
    start = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=TIMEOUT)
    r.seconds = time.monotonic() - start
    return r


def case_name(name):
    """A script's name as one word, for the arm64 suite's case names."""
    return re.sub('[^a-z0-9]+', '-', name.lower()).strip('-')


def show(r):
    return 'status %d\nstdout: %r\nstderr: %r' % (r.returncode, r.stdout, r.stderr)


if args.list:
    print('\n'.join(case_name(n) for n in list(SCRIPTS) + list(PROGRAMS)))
    sys.exit(0)
if args.only:
    SCRIPTS = {n: s for n, s in SCRIPTS.items() if case_name(n) == args.only}
    PROGRAMS = {n: p for n, p in PROGRAMS.items() if case_name(n) == args.only}
    if not SCRIPTS and not PROGRAMS:
        parser.error('no case %s' % args.only)

for name, (needs, script) in PROGRAMS.items():
    if all(shutil.which(n) for n in needs):
        SCRIPTS[name] = script
    else:
        print('skip ' + name + ': needs ' + ', '.join(needs))
if not SCRIPTS:
    sys.exit(77)

for name, script in SCRIPTS.items():
    native = run(['/bin/sh', '-c', script])
    boxed = run([UMBRA, 'run', '--', '/bin/sh', '-c', script])
    ok = (native.returncode == boxed.returncode and native.stdout == boxed.stdout and
          native.stdout != '')
    print('%s %s (native %.1fs, umbra %.1fs)'
          % ('ok  ' if ok else 'FAIL', name, native.seconds, boxed.seconds))
    if not ok:
        failures.append(name)
        print('     native:\n' + show(native) + '\n     under umbra:\n' + show(boxed))

print('%d of %d scripts differ' % (len(failures), len(SCRIPTS)))
sys.exit(1 if failures else 0)
