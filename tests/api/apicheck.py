"""Checks for the Python tests of tests/api: one line per check, ok or FAIL
with the detail, and the exit status at the end."""
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
    """A finished subprocess.run, for a check's detail: status, stdout, the
    end of stderr."""
    return 'status %d\nstdout: %r\nstderr: %r' % (r.returncode, r.stdout, r.stderr[-tail:])


def finish():
    print('%d passed, %d failed' % (len(checked) - len(failures), len(failures)))
    sys.exit(1 if failures else 0)
