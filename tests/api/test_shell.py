#!/usr/bin/env python3
"""Shell scripts run by the host's /bin/sh, natively and under `umbra run`:
redirections, pipelines, subshells, command substitution, here-documents and
exit statuses must come out the same. Each script writes only in a mkdtemp
directory under /tmp, which it removes (under umbra, /tmp is private)."""
import subprocess
import sys

UMBRA = sys.argv[1]
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
}


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=120)


def show(r):
    return 'status %d\nstdout: %r\nstderr: %r' % (r.returncode, r.stdout, r.stderr)


for name, script in SCRIPTS.items():
    native = run(['/bin/sh', '-c', script])
    boxed = run([UMBRA, 'run', '--', '/bin/sh', '-c', script])
    ok = (native.returncode == boxed.returncode and native.stdout == boxed.stdout and
          native.stdout != '')
    print(('ok   ' if ok else 'FAIL ') + name)
    if not ok:
        failures.append(name)
        print('     native:\n' + show(native) + '\n     under umbra:\n' + show(boxed))

print('%d of %d scripts differ' % (len(failures), len(SCRIPTS)))
sys.exit(1 if failures else 0)
