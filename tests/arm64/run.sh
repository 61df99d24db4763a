#!/bin/sh
# The arm64 suite on an x86_64 host: cross-builds umbra and the guest tests,
# packs them into an initramfs with tests/arm64/init.c as /init, boots Debian's
# arm64 kernel under qemu-system-aarch64 and reports each case natively and
# under umbra as init prints it. tests/api/test_shell.py's real programs (sh,
# make with gcc, python3, git) run in an arm64 Debian userland on a disk of
# their own (rootfs.sh), one case per script; so do the other Python tests of
# the umbra command (tests/api: cli, view, escapes, vcpu, tracers).
#
# usage: run.sh [--source DIR] [--build DIR | --arm64-build DIR] [--kernel FILE]
#               [--filter NAME,PREFIX...] [--timeout SECONDS] [--verbose]
#               [--no-rootfs]
#
#   --build DIR        the host build; the arm64 one is DIR-arm64 beside it
#   --arm64-build DIR  the arm64 build directory itself
#   --kernel FILE      an arm64 Image/vmlinuz (default: fetched by setup.sh)
#   --filter LIST      only cases whose names start with one of LIST
#   --timeout SECONDS  limit per case inside the VM (default 300)
#   --verbose          show the output of passing cases too
#   --no-rootfs        leave out the cases of the Debian userland
#
# Exit status: 0 every case passed or skipped, 77 toolchain or kernel missing
# and not installable, 1 otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=
abuild=
kernel=${UMBRA_ARM64_KERNEL:-}
filter=
case_timeout=300
verbose=0
use_rootfs=1

while [ $# -gt 0 ]; do
	case $1 in
	--source) src=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--arm64-build) abuild=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--filter) filter=$2; shift 2 ;;
	--timeout) case_timeout=$2; shift 2 ;;
	--verbose) verbose=1; shift ;;
	--no-rootfs) use_rootfs=0; shift ;;
	-h|--help) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -z "$abuild" ]; then
	if [ -n "$build" ]; then
		abuild=${build%/}-arm64
	else
		abuild=$src/build-arm64
	fi
fi
abuild=$(mkdir -p "$abuild" && cd "$abuild" && pwd)

say() { echo "run.sh: $*" >&2; }
skip() { say "$*"; exit 77; }
die() { say "$*"; exit 1; }

CROSS=aarch64-linux-gnu
MESON=${MESON:-meson}
command -v "$MESON" >/dev/null 2>&1 || die "meson not found"

# Toolchain, libraries, qemu and the kernel; setup.sh installs what it can and
# exits 77 when something is missing that it cannot install.
rc=0
[ -n "$kernel" ] && export UMBRA_ARM64_KERNEL="$kernel"
setup_out=$("$here/setup.sh") || rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 77 ] && skip "setup.sh: arm64 toolchain or kernel unavailable"; die "setup.sh failed ($rc)"; }
[ -n "$kernel" ] || kernel=$(printf '%s\n' "$setup_out" | tail -n 1)
[ -r "$kernel" ] || skip "no arm64 kernel at '$kernel'"
for tool in qemu-system-aarch64 $CROSS-gcc $CROSS-readelf python3; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done

# The Debian userland; without it (no network, say) its cases are left out.
image=
if [ "$use_rootfs" = 1 ]; then
	rc=0
	rootfs_out=$("$here/rootfs.sh") || rc=$?
	if [ "$rc" = 0 ]; then
		image=$(printf '%s\n' "$rootfs_out" | tail -n 1)
	else
		say "warning: no arm64 rootfs (rootfs.sh status $rc): its cases are left out"
	fi
fi

# The cross build: everything static, so the initramfs needs no loader.
if [ ! -f "$abuild/build.ninja" ]; then
	say "configuring $abuild"
	"$MESON" setup "$abuild" "$src" \
		--cross-file "$here/cross-arm64.ini" \
		-Dstatic_deps=true -Ddefault_library=static \
		-Darm64_tests=disabled -Dguest_tests=true >&2 ||
		die "meson setup of the arm64 build failed"
fi
say "building $abuild"
"$MESON" compile -C "$abuild" >&2 || die "arm64 build failed"

root=$abuild/arm64-initramfs
initrd=$abuild/arm64-initramfs.cpio.gz
rm -rf "$root"
mkdir -p "$root/tests" "$root/lib"

$CROSS-gcc -static -O2 -Wall -Wextra -Werror -o "$root/init" "$here/init.c" \
	"$here/init_rootfs.c" || die "cannot build init"
# The modules that mount the rootfs disk, which setup.sh keeps beside the
# kernel; a kernel of one's own may have them built in.
modules=$(dirname "$kernel")/../modules
if [ -n "$image" ] && [ -r "$modules/order" ]; then
	mkdir -p "$root/modules"
	while read -r m; do
		cp "$modules/$m.ko" "$root/modules/" || die "cannot copy module $m"
	done < "$modules/order"
	cp "$modules/order" "$root/modules/"
fi

# The manifest (see init.c) from meson's own test list, so the VM runs the
# same commands, arguments and expectations as the host's registrations.
"$MESON" introspect --tests "$abuild" > "$abuild/arm64-tests.json" ||
	die "meson introspect failed"
python3 - "$abuild/arm64-tests.json" "$abuild" "$src" "$root" "$image" <<'EOF' || die "cannot write the manifest"
import argparse, json, os, shutil, signal, subprocess, sys

tests_json, build, src, root, image = sys.argv[1:6]
tests = json.load(open(tests_json))
build = os.path.realpath(build)
src = os.path.realpath(src)
files = {}


def guest_path(arg):
    """Where a file of the build or source tree lives inside the VM."""
    if not arg or arg.startswith('-'):
        return arg
    # meson names built files relative to the build directory, where it runs
    # the tests.
    real = os.path.realpath(os.path.join(build, arg))
    if not os.path.isfile(real):
        return arg
    if os.path.basename(real) == 'umbra' and real.startswith(build + '/'):
        dest = '/umbra'
    elif real.startswith(build + '/'):
        dest = '/b/' + os.path.relpath(real, build)
    elif real.startswith(src + '/'):
        dest = '/s/' + os.path.relpath(real, src)
    else:
        return arg
    files[dest] = real
    return dest


def is_elf(path):
    with open(path, 'rb') as f:
        return f.read(4) == b'\x7fELF'


def signum(name):
    name = name.upper()
    if name.isdigit():
        return int(name)
    # arm64 numbers its signals as x86_64 does (asm-generic/signal.h).
    return int(signal.Signals[name if name.startswith('SIG') else 'SIG' + name])


# The options of tests/guest/run_guest.py, whose verdicts init.c reproduces.
runner = argparse.ArgumentParser(add_help=False)
runner.add_argument('--mode', choices=('native', 'sandbox'), required=True)
runner.add_argument('--umbra')
runner.add_argument('--expect-status', type=int, default=0)
runner.add_argument('--allow-signal', action='append', default=[])
runner.add_argument('--compare-stdout', action='store_true')
runner.add_argument('--scratch', action='store_true')
runner.add_argument('--scratch-ro', action='store_true')
runner.add_argument('--timeout', type=float, default=60.0)
runner.add_argument('program', nargs=argparse.REMAINDER)


def field(s):
    if not s or '\t' in s or '\n' in s:
        raise SystemExit('run.sh: unsupported test argument %r' % s)
    return s


def shell_cases(t, at):
    """test_shell.py's scripts, one case each, run by the Debian userland's
    python3 in the rootfs; TCG needs more than the script's usual bound."""
    script = t['cmd'][at]
    names = subprocess.run([sys.executable, script, '--list'], check=True,
                           capture_output=True, text=True).stdout.split()
    env = dict(t.get('env', {}), UMBRA_TEST_SHELL_TIMEOUT='600')
    env = '\x1f'.join(k + '=' + v for k, v in sorted(env.items()) if not k.startswith('MESON_'))
    prog = ['/usr/bin/python3', guest_path(script), guest_path(t['cmd'][at + 1])]
    return ['\t'.join([field(t['name'] + ':' + n), 'plain', '-', '0', '-', 'rootfs',
                       str(int(t.get('timeout') or 0)), field(env)] + prog + ['--only', n])
            for n in names]


def script_case(t, at):
    """A Python test of the umbra command (cli, view, escapes, vcpu, tracers
    with Debian's strace; the rootfs has no gdb, which it skips) run by the
    rootfs's python3, every file it names copied in."""
    # Not the host's UMBRA_TEST_RUN_ARGS: its binds name host paths.
    env = dict(t.get('env', {}), PYTHONDONTWRITEBYTECODE='1')
    env = '\x1f'.join(k + '=' + v for k, v in sorted(env.items())
                      if not k.startswith('MESON_') and k != 'UMBRA_TEST_RUN_ARGS')
    prog = ['/usr/bin/python3'] + [guest_path(a) for a in t['cmd'][at:]]
    guest_path(os.path.join(os.path.dirname(t['cmd'][at]), 'apicheck.py'))  # its import
    return '\t'.join([field(t['name']), 'plain', '-', '0', '-', 'rootfs',
                      str(int(t.get('timeout') or 0)), field(env)] + [field(a) for a in prog])


def script_at(cmd):
    """Where a tests/api Python script is in a test's command, or None."""
    at = [i for i, a in enumerate(cmd)
          if a.endswith('.py') and os.path.basename(os.path.dirname(a)) == 'api']
    return at[0] if at else None


lines = []
for t in tests:
    # Every suite but this one: the unit and platform suites too, built for
    # arm64 here.
    if 'arm64' in [s.split(':')[-1] for s in t.get('suite', [])]:
        continue
    cmd = t['cmd']
    at = [i for i, a in enumerate(cmd) if os.path.basename(a) == 'test_shell.py']
    if at and image:
        lines += shell_cases(t, at[0])
        continue
    at = script_at(cmd)
    if at is not None and image:
        lines.append(script_case(t, at))
        continue
    flags = ['should_fail'] if t.get('should_fail') else []
    timeout = int(t.get('timeout') or 0)
    at = [i for i, a in enumerate(cmd) if os.path.basename(a) == 'run_guest.py']
    if at:
        o = runner.parse_args(cmd[at[0] + 1:])
        prog = o.program[1:] if o.program[:1] == ['--'] else o.program
        mode, umbra = o.mode, guest_path(o.umbra) if o.umbra else '-'
        expect = o.expect_status
        signals = ','.join(str(signum(x)) for x in o.allow_signal) or '-'
        if o.compare_stdout:
            flags.append('compare')
        if o.scratch:
            flags.append('scratch')
        if o.scratch_ro:
            flags.append('scratch-ro')
        timeout = max(timeout, int(o.timeout))
    else:
        prog, mode, umbra, expect, signals = cmd, 'plain', '-', 0, '-'
    prog = [guest_path(a) for a in prog]
    exe = files.get(prog[0]) if prog else None
    if not exe or not is_elf(exe) or (mode == 'sandbox' and umbra != '/umbra'):
        print('run.sh: %s: cannot run %s in the VM; left out'
              % (t['name'], ' '.join(cmd)), file=sys.stderr)
        continue
    env = [k + '=' + v for k, v in sorted(t.get('env', {}).items())
           if not k.startswith('MESON_')]
    lines.append('\t'.join([field(t['name']), mode, umbra, str(expect), signals,
                            ','.join(flags) or '-', str(timeout),
                            field('\x1f'.join(env)) if env else '-']
                           + [field(a) for a in prog]))

for dest, real in files.items():
    out = root + dest
    os.makedirs(os.path.dirname(out), exist_ok=True)
    shutil.copy2(real, out)
with open(os.path.join(root, 'tests', 'manifest'), 'w') as f:
    f.write('# generated by tests/arm64/run.sh from meson introspect --tests\n')
    f.write(''.join(l + '\n' for l in lines))
print('run.sh: %d cases, %d files' % (len(lines), len(files)), file=sys.stderr)
EOF
[ -x "$root/umbra" ] || say "warning: no umbra binary among the registered tests"

# The guest suite's fixture tree links by absolute path and its tests name it
# by that path: it goes to the same place inside the VM.
if [ -d "$abuild/tests/guest/fixture" ]; then
	mkdir -p "$root$abuild/tests/guest"
	cp -a "$abuild/tests/guest/fixture" "$root$abuild/tests/guest/" ||
		die "cannot copy the guest fixture"
fi

# Shared libraries of anything not linked statically, with the loader, so a
# dynamic binary still runs (static_deps should make this a no-op).
copy_libs() {
	find "$root" -type f -perm -u+x | while read -r f; do
		$CROSS-readelf -d "$f" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'
		$CROSS-readelf -l "$f" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)\]/\1/p'
	done | sort -u
}
for _ in 1 2 3; do
	new=0
	for lib in $(copy_libs); do
		name=$(basename "$lib")
		[ -e "$root/lib/$name" ] && continue
		for dir in /usr/$CROSS/lib /usr/lib/$CROSS /lib/$CROSS; do
			if [ -e "$dir/$name" ]; then
				cp -L "$dir/$name" "$root/lib/$name"
				new=1
				break
			fi
		done
		[ -e "$root/lib/$name" ] || say "warning: $name not found for the initramfs"
	done
	[ "$new" = 1 ] || break
done

# Debug info only slows packing and unpacking; symbols stay for backtraces.
find "$root" -type f -perm -u+x -exec $CROSS-strip --strip-debug {} + 2>/dev/null || true
python3 "$here/pack_initramfs.py" "$root" "$initrd" || die "cannot pack the initramfs"
say "initramfs $(du -h "$initrd" | cut -f1), kernel $kernel"

# TCG: pauth-impdef replaces the architected QARMA pointer-auth cipher, which
# qemu emulates very slowly, by a cheap one; the guest sees the same features.
append="console=ttyAMA0 panic=-1 quiet umbra_timeout=$case_timeout umbra_verbose=$verbose"
[ -n "$filter" ] && append="$append umbra_filter=$filter"
# The rootfs as a snapshot: writable in the VM, the cached image untouched.
set --
if [ -n "$image" ]; then
	set -- -drive "file=$image,if=none,id=rootfs,format=raw,snapshot=on" \
		-device virtio-blk-device,drive=rootfs
	append="$append umbra_rootfs=/dev/vda"
fi
log=$abuild/arm64-console.log
say "booting qemu-system-aarch64 (log: $log)"
start=$(date +%s)
{
	rc=0
	timeout -k 10 "${UMBRA_ARM64_VM_TIMEOUT:-1500}" qemu-system-aarch64 \
		-M virt -cpu max,pauth-impdef=on -m 2048 -smp 2 \
		-nographic -no-reboot -nic none \
		-kernel "$kernel" -initrd "$initrd" -append "$append" "$@" \
		< /dev/null 2>&1 || rc=$?
	echo "$rc" > "$log.status"
} | tr -d '\r' | tee "$log"
rc=$(cat "$log.status" 2>/dev/null || echo '?')
say "VM ran $(( $(date +%s) - start ))s, qemu status $rc"

results=$(grep -o 'UMBRA-ARM64 RESULT .*' "$log" || true)
summary=$(grep -o 'UMBRA-ARM64 SUMMARY .*' "$log" || true)
echo
echo "arm64 results:"
[ -n "$results" ] && printf '%s\n' "$results" | sed 's/^UMBRA-ARM64 RESULT /  /'
[ -n "$summary" ] && echo "${summary#UMBRA-ARM64 }"

grep -q 'UMBRA-ARM64 END' "$log" || die "the VM stopped before the end of the suite (qemu status $rc; 124: timed out)"
[ -n "$results" ] || die "no case ran"
if printf '%s\n' "$results" | grep -q '^UMBRA-ARM64 RESULT [^ ]* FAIL '; then
	exit 1
fi
exit 0
