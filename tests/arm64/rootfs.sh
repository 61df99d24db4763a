#!/bin/sh
# Builds the arm64 Debian 12 userland that the arm64 suite's real-program
# cases (tests/api/test_shell.py) and the command's Python tests run in: dash, bash, coreutils, make, gcc,
# python3, git and their dependencies, from Debian's archive through the
# host's apt lists (arm64 is a foreign dpkg architecture here: setup.sh).
#
# No emulation and no root mounts: apt resolves and downloads the arm64
# closure with a private, empty dpkg status; dpkg-deb unpacks each package
# into a merged-/usr tree; the few things maintainer scripts would do that
# matter are done here; mke2fs -d makes an ext4 image of the tree.
#
# The image and the .debs are cached outside the source tree, keyed by a hash
# of the package list and of this script, so a second run downloads nothing.
#
# Prints the image path as its last line.
# Exit status: 0 ready, 77 cannot be built here.
set -eu

# What test_shell.py runs: the shell and its programs, make with gcc and the
# C library's headers, python3, git; strace for test_tracers.py; base-files
# for /etc/os-release and busybox-static for the documentation the scripts
# read.
PACKAGES="base-files dash bash coreutils sed grep findutils diffutils mawk \
bsdextrautils bc busybox-static make gcc libc6-dev python3 git strace"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/arm64/cache.sh
. "$here/cache.sh"
CACHE_DIR=${UMBRA_ARM64_ROOTFS_CACHE:-$(umbra_cache_dir arm64-rootfs)}

say() { echo "rootfs.sh: $*" >&2; }
skip() { say "$*"; exit 77; }

key=$( { echo "$PACKAGES"; cat "$here/rootfs.sh"; } | sha256sum | cut -c1-16)
image=$CACHE_DIR/$key/rootfs.img
if [ -r "$image" ]; then
	say "image cached: $image"
	echo "$image"
	exit 0
fi

for tool in apt-get dpkg-deb tar mke2fs sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done
dpkg --print-foreign-architectures | grep -qx arm64 ||
	skip "arm64 is not a dpkg architecture here (tests/arm64/setup.sh adds it)"

mkdir -p "$CACHE_DIR/debs/partial" "$CACHE_DIR/apt" || skip "cannot create $CACHE_DIR"
tmp=$(mktemp -d "$CACHE_DIR/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/status"

# apt with nothing installed and arm64 as the only architecture: it resolves
# the whole closure, essential packages included when something needs them.
apt_arm64() {
	apt-get -q -y --no-install-recommends \
		-o Dir::State::status="$tmp/status" \
		-o Dir::Cache="$CACHE_DIR/apt" -o Dir::Cache::archives="$CACHE_DIR/debs" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o APT::Architecture=arm64 -o APT::Architectures::=arm64 \
		-o APT::Sandbox::User=root \
		"$@"
}

# The closure as "name version arch", from a simulated installation.
resolve() {
	# shellcheck disable=SC2086
	apt_arm64 install -s $PACKAGES 2>&1 | tee "$tmp/resolve.log" |
		sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*\[\([a-z0-9]*\)\])\( \[.*\]\)\{0,1\}$/\1 \2 \3/p'
}

download() {
	# shellcheck disable=SC2086
	apt_arm64 install --download-only $PACKAGES > "$tmp/download.log" 2>&1
}

resolve > "$tmp/closure" || true
if [ ! -s "$tmp/closure" ] || ! download; then
	# Stale lists name versions the mirror no longer has.
	[ "$(id -u)" = 0 ] || { cat "$tmp/resolve.log" "$tmp/download.log" >&2 2>/dev/null;
				skip "cannot download the arm64 packages (run as root to apt-get update)"; }
	say "apt-get update and retry"
	apt-get update -qq >&2 || skip "apt-get update failed"
	resolve > "$tmp/closure" || true
	[ -s "$tmp/closure" ] || { cat "$tmp/resolve.log" >&2; skip "cannot resolve $PACKAGES for arm64"; }
	download || { cat "$tmp/download.log" >&2; skip "cannot download the arm64 packages"; }
fi
say "$(wc -l < "$tmp/closure") packages"

# Unpacked over the merged-/usr links Debian 12 installs with: packages still
# ship files in /bin and /lib, which must land in /usr.
root=$tmp/root
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib"
for d in bin sbin lib; do
	ln -s "usr/$d" "$root/$d"
done
while read -r name version arch; do
	deb=$CACHE_DIR/debs/${name}_$(echo "$version" | sed 's/:/%3a/')_$arch.deb
	[ -r "$deb" ] || skip "downloaded package missing: $deb"
	echo "$deb" >> "$tmp/used"
	dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root" ||
		skip "cannot unpack $deb"
done < "$tmp/closure"

# What the maintainer scripts and base-passwd would have made.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
	> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
echo umbra-arm64 > "$root/etc/hostname"
ln -sf mawk "$root/usr/bin/awk"
ln -sf gcc "$root/usr/bin/cc"
for p in bin/sh usr/bin/gcc usr/bin/python3 usr/bin/git usr/bin/make; do
	[ -x "$root/$p" ] || skip "the unpacked tree lacks /$p"
done

# Documentation nobody reads in the VM, but for what the scripts list.
rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/locale"
find "$root/usr/share/doc" -mindepth 1 -maxdepth 1 ! -name busybox-static -exec rm -rf {} +

# Python's bytecode, which python3's postinst compiles: bytecode is the same
# on every architecture, so the host's python3 of the same version compiles
# it (TCG would otherwise compile the standard library on each start).
pyver=
for d in "$root"/usr/lib/python3.*; do
	if [ -x "$root/usr/bin/${d##*/}" ]; then pyver=${d##*/python}; fi
done
if [ -n "$pyver" ] && command -v "python$pyver" >/dev/null 2>&1; then
	"python$pyver" -m compileall -q -j 0 -s "$root" -p / "$root/usr/lib/python$pyver" \
		> /dev/null 2>&1 || say "warning: compileall reported errors"
else
	say "no host python$pyver: python3 compiles its modules in the VM"
fi

# Room for the snapshot's writes (git, make) and an inode per file with margin.
# Built by a user, the files belong to that user: the VM's root minds not.
mb=$(du -sm "$root" | cut -f1)
files=$(find "$root" | wc -l)
mke2fs -q -F -t ext4 -L umbra-rootfs -E root_owner=0:0 -N $((files * 2 + 4096)) \
	-d "$root" "$tmp/rootfs.img" "$((mb + mb / 4 + 128))M" >&2 || skip "mke2fs failed"

mkdir -p "$CACHE_DIR/$key"
mv "$tmp/rootfs.img" "$image"
# Older images and packages no build uses any more.
for d in "$CACHE_DIR"/*/; do
	[ "$d" = "$CACHE_DIR/$key/" ] || [ "$d" = "$CACHE_DIR/debs/" ] ||
		[ "$d" = "$CACHE_DIR/apt/" ] || rm -rf "$d"
done
find "$CACHE_DIR/debs" -maxdepth 1 -name '*.deb' | sort > "$tmp/all"
sort "$tmp/used" | comm -23 "$tmp/all" - | xargs -r rm -f
say "image $image: $mb MB in $files files"
echo "$image"
