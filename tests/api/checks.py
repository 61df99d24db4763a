"""What the command-line test scripts share: named checks printed as they
run ("ok   NAME" or "FAIL NAME" with the detail indented), a subprocess
result shown for a failure, and the exit status from the count."""
import sys

failures = []
checked = []


def check(name, cond, detail=''):
    checked.append(name)
    print(('ok   ' if cond else 'FAIL ') + name)
    if not cond:
        failures.append(name)
        print('     ' + detail.replace('\n', '\n     '))


def show(r, tail=6000):
    """A finished subprocess.run: status, stdout, the end of stderr."""
    return 'status %d\nstdout: %r\nstderr:\n%s' % (r.returncode, r.stdout, r.stderr[-tail:])


def finish():
    print('%d passed, %d failed' % (len(checked) - len(failures), len(failures)))
    sys.exit(1 if failures else 0)
