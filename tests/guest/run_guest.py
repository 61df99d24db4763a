#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run one guest test program natively or under umbra and judge the result.

    run_guest.py --mode native|sandbox [--umbra PATH] [--expect-status N]
                 [--allow-signal SIGSEGV]... [--compare-stdout]
                 [--scratch] [--scratch-ro] [--timeout SECONDS]
                 -- PROGRAM [ARGS...]

Passes (exit 0) when the program exits with the expected status or dies by
an allowed signal. A program exiting 77 when 77 was not expected is a skip,
passed on as 77 for meson. With --compare-stdout the sandbox run's stdout must
equal a native run's byte for byte; in native mode the program runs twice and
the two outputs must agree, which proves the test deterministic.

Every run gets its own process group, killed whole on timeout.

--scratch gives every run a fresh empty directory (mkdtemp), appended to the
program's arguments and bound read-write at the same path under umbra, and
removes it afterwards: the only place a test may write. --scratch-ro appends
a second one, which umbra binds read-only.
"""

import argparse
import difflib
import os
import shutil
import signal
import subprocess
import sys
import tempfile

EXIT_SKIP = 77
# Enough of a failing run's output to see why, not enough to drown the log.
SHOW_LIMIT = 8192


class Result:
    def __init__(self, cmd, returncode, stdout, stderr, timed_out):
        self.cmd = cmd
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out

    def describe(self):
        if self.timed_out:
            return "timed out"
        if self.returncode < 0:
            return "killed by " + signal_name(-self.returncode)
        return "exit status %d" % self.returncode


def signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return "signal %d" % num


def parse_signal(name):
    name = name.upper()
    if name.isdigit():
        return int(name)
    if not name.startswith("SIG"):
        name = "SIG" + name
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise argparse.ArgumentTypeError("unknown signal " + name)


# The group of the run in progress, for the termination handler.
current_group = None


def on_terminate(signum, frame):
    # meson ends a test that ran out of time with SIGTERM to the runner's
    # group; the program's own group must not outlive it.
    if current_group is not None:
        kill_group(current_group)
    sys.exit(128 + signum)


def run(cmd, timeout):
    global current_group
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    current_group = proc.pid
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc.pid)
        out, err = proc.communicate()
    # Anything the program left behind in its group goes too.
    kill_group(proc.pid)
    current_group = None
    return Result(cmd, proc.returncode, out, err, timed_out)


def run_in_scratch(args, mode, timeout):
    """One run, with the scratch directories --scratch asks for."""
    dirs = []
    try:
        binds, extra = [], []
        for wanted, how in ((args.scratch, "rw"), (args.scratch_ro, "ro")):
            if wanted:
                d = tempfile.mkdtemp(prefix="umbra-scratch-")
                dirs.append(d)
                binds += ["--bind", "%s:%s:%s" % (d, d, how)]
                extra.append(d)
        if mode == "sandbox":
            # Options that show the test trees when the default view hides them.
            trees = os.environ.get("UMBRA_TEST_RUN_ARGS", "").split()
            cmd = [args.umbra, "run"] + trees + binds + ["--"] + args.program + extra
        else:
            cmd = args.program + extra
        return run(cmd, timeout)
    finally:
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def clip(data):
    text = data.decode("utf-8", errors="replace")
    if len(text) <= SHOW_LIMIT:
        return text
    half = SHOW_LIMIT // 2
    return "%s\n[... %d characters left out ...]\n%s" % (
        text[:half], len(text) - SHOW_LIMIT, text[-half:])


def show(res, label):
    print("---- %s: %s" % (label, " ".join(res.cmd)))
    print("---- %s: %s" % (label, res.describe()))
    for name, data in (("stdout", res.stdout), ("stderr", res.stderr)):
        if data:
            print("---- %s %s:" % (label, name))
            print(clip(data), end="" if data.endswith(b"\n") else "\n")


def status_ok(res, args):
    """None when the result is what was expected, else why not."""
    if res.timed_out:
        return "timed out after %g s" % args.timeout
    code = res.returncode
    if code < 0:
        if -code in args.allow_signal:
            return None
        return "expected exit status %d got %s" % (args.expect_status,
                                                    res.describe())
    # umbra may report a guest's fatal signal the way a shell does.
    if (args.mode == "sandbox" and code > 128
            and code - 128 in args.allow_signal):
        return None
    if code != args.expect_status:
        return "expected exit status %d got %d" % (args.expect_status, code)
    return None


def compare(ref, res, ref_label, label):
    """None when both stdouts agree, else a unified diff."""
    if ref.stdout == res.stdout:
        return None
    a = ref.stdout.decode("utf-8", errors="replace").splitlines(True)
    b = res.stdout.decode("utf-8", errors="replace").splitlines(True)
    diff = "".join(difflib.unified_diff(a, b, ref_label, label, n=2))
    if not diff:
        diff = "(the outputs differ in bytes that do not decode as UTF-8)\n"
    return clip(diff.encode())


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("native", "sandbox"), required=True)
    ap.add_argument("--umbra", help="the umbra executable (sandbox mode)")
    ap.add_argument("--expect-status", type=int, default=0)
    ap.add_argument("--allow-signal", type=parse_signal, action="append",
                    default=[], help="a fatal signal that counts as a pass")
    ap.add_argument("--compare-stdout", action="store_true")
    ap.add_argument("--scratch", action="store_true",
                    help="a fresh writable directory as the last argument")
    ap.add_argument("--scratch-ro", action="store_true",
                    help="and one more, read-only under umbra")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("program", nargs=argparse.REMAINDER)
    args = ap.parse_args()

    prog = args.program
    if prog and prog[0] == "--":
        prog = prog[1:]
    if not prog:
        ap.error("no program given")
    if args.mode == "sandbox" and not args.umbra:
        ap.error("--mode sandbox needs --umbra")
    # meson hands a path relative to the build directory; the sandbox gets
    # the same file however it resolves paths.
    if os.sep in prog[0]:
        prog = [os.path.abspath(prog[0])] + prog[1:]
    args.program = prog
    return args


def check_stdout(args, res, label):
    """Second run for --compare-stdout; returns the exit code."""
    if args.mode == "native":
        ref_label, label = "native (first)", "native (second)"
        ref, res = res, run_in_scratch(args, "native", args.timeout)
    else:
        ref_label = "native"
        ref = run_in_scratch(args, "native", args.timeout)
    why = status_ok(ref, args) or status_ok(res, args)
    if why:
        show(ref, ref_label)
        show(res, label)
        print("FAIL: second run for --compare-stdout: " + why)
        return 1
    diff = compare(ref, res, ref_label, label)
    if diff:
        show(ref, ref_label)
        show(res, label)
        print("---- stdout diff (%s -> %s):" % (ref_label, label))
        print(diff, end="")
        print("FAIL: stdout differs between %s and %s" % (ref_label, label))
        return 1
    return 0


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, on_terminate)
    signal.signal(signal.SIGINT, on_terminate)

    label = args.mode
    res = run_in_scratch(args, args.mode, args.timeout)
    if res.returncode == EXIT_SKIP and args.expect_status != EXIT_SKIP:
        show(res, label)
        print("SKIP: %s exited %d" % (label, EXIT_SKIP))
        return EXIT_SKIP

    why = status_ok(res, args)
    if why:
        show(res, label)
        print("FAIL: %s run: %s" % (label, why))
        return 1

    if args.compare_stdout and check_stdout(args, res, label):
        return 1

    if res.stderr:
        print("---- %s stderr:" % label)
        print(clip(res.stderr), end="" if res.stderr.endswith(b"\n") else "\n")
    print("PASS: %s %s" % (label, res.describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
