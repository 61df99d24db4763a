#!/bin/sh
# Prepares an x86_64 Debian 12 host for the arm64 suite: the cross toolchain,
# the arm64 libraries umbra links against, qemu-system-aarch64, e2fsprogs for
# the rootfs image (rootfs.sh), and Debian's arm64 kernel image with the few
# modules that mount that image. Idempotent; safe to run again. Run as root to install
# packages; the kernel download alone works as any user.
#
# The kernel package is unpacked into a cache, never installed: installing
# linux-image-*:arm64 on an amd64 host would drag in :arm64 dependencies that
# conflict with the host's own (initramfs-tools, kmod, ...).
#
# Prints the vmlinuz path as its last line on success; the modules are in
# ../../modules from it, their load order in ../../modules/order.
# Exit status: 0 ready, 77 something is missing and cannot be installed here.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/arm64/cache.sh
. "$here/cache.sh"
CACHE_DIR=${UMBRA_ARM64_CACHE:-$(umbra_cache_dir arm64-kernel)}

PACKAGES="gcc-aarch64-linux-gnu qemu-system-arm libc6-dev:arm64 \
libseccomp-dev:arm64 libunwind-dev:arm64 check:arm64 cpio e2fsprogs"

say() { echo "setup.sh: $*" >&2; }
skip() { say "$*"; exit 77; }

is_root() { [ "$(id -u)" = 0 ]; }

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

have_candidate() {
	c=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$c" ] && [ "$c" != "(none)" ]
}

# apt-get update only if a package we need is unknown to the current lists.
APT_UPDATED=
apt_update_for() {
	for p in "$@"; do
		have_candidate "$p" && continue
		[ -n "$APT_UPDATED" ] && return 0
		is_root || skip "package lists lack $p; run as root to apt-get update"
		say "package lists lack $p: apt-get update"
		apt-get update -qq >&2 || skip "apt-get update failed"
		APT_UPDATED=1
		return 0
	done
}

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	skip "not a Debian system (no dpkg/apt-get)"
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	is_root || skip "arm64 is not a dpkg architecture here; run as root"
	say "dpkg --add-architecture arm64"
	dpkg --add-architecture arm64
	apt-get update -qq >&2 || skip "apt-get update failed"
	APT_UPDATED=1
fi

missing=
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	is_root || skip "missing packages:$missing (run tests/arm64/setup.sh as root)"
	# shellcheck disable=SC2086
	apt_update_for $missing
	say "installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >&2 || skip "apt-get install failed:$missing"
else
	say "packages present"
fi

# The kernel: linux-image-arm64 is the metapackage; its dependency names the
# versioned image package of the current ABI.
if [ -n "${UMBRA_ARM64_KERNEL:-}" ]; then
	[ -r "$UMBRA_ARM64_KERNEL" ] || skip "UMBRA_ARM64_KERNEL=$UMBRA_ARM64_KERNEL is not readable"
	say "using UMBRA_ARM64_KERNEL"
	echo "$UMBRA_ARM64_KERNEL"
	exit 0
fi

apt_update_for linux-image-arm64:arm64
img_pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\).*/\1/p' | head -n 1)
img_pkg=${img_pkg%:arm64}
[ -n "$img_pkg" ] || skip "cannot resolve linux-image-arm64:arm64 to an image package"
kver=${img_pkg#linux-image-}

# The modules init.c loads to mount the arm64 rootfs (tests/arm64/rootfs.sh)
# from a virtio disk, dependencies first; ext4 asks for crc32c by alias.
MODULES="virtio_mmio virtio_blk crc32c_generic ext4"

# Copies module $1 of the unpacked tree $2 and, first, those it depends on
# (its .modinfo "depends=") into $3, appending each name to $3/order.
add_module() {
	grep -qx "$1" "$3/order" 2>/dev/null && return 0
	ko=$(find "$2" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -n 1)
	[ -n "$ko" ] || skip "module $1 not in the kernel package"
	for dep in $(tr '\0' '\n' < "$ko" | sed -n 's/^depends=//p' | tr , ' '); do
		add_module "$dep" "$2" "$3"
	done
	ko=$(find "$2" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" | head -n 1)
	cp "$ko" "$3/$1.ko"
	echo "$1" >> "$3/order"
}

# Cached: the image and, beside it, the modules.
cached() {
	[ -r "$1/$kver/boot/vmlinuz-$kver" ] && [ -r "$1/$kver/modules/order" ]
}

vmlinuz=$CACHE_DIR/$kver/boot/vmlinuz-$kver
# A user may share the kernel root already fetched.
shared=/var/cache/umbra/arm64-kernel
if ! cached "$CACHE_DIR" && cached "$shared" && [ -z "${UMBRA_ARM64_CACHE:-}" ]; then
	CACHE_DIR=$shared
	vmlinuz=$CACHE_DIR/$kver/boot/vmlinuz-$kver
fi
if cached "$CACHE_DIR"; then
	say "kernel $kver cached in $CACHE_DIR/$kver"
else
	mkdir -p "$CACHE_DIR" || skip "cannot create $CACHE_DIR"
	tmp=$(mktemp -d "$CACHE_DIR/.dl.XXXXXX")
	# apt-get download drops privileges to _apt when it can write there.
	chmod 755 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	say "downloading $img_pkg:arm64"
	if ! (cd "$tmp" && apt-get download -qq "$img_pkg:arm64" >&2); then
		# Stale lists name a version the mirror no longer has.
		if [ -z "$APT_UPDATED" ] && is_root; then
			say "download failed: apt-get update and retry"
			apt-get update -qq >&2 || skip "apt-get update failed"
			APT_UPDATED=1
			(cd "$tmp" && apt-get download -qq "$img_pkg:arm64" >&2) ||
				skip "apt-get download $img_pkg:arm64 failed"
		else
			skip "apt-get download $img_pkg:arm64 failed"
		fi
	fi
	deb=$(ls "$tmp"/*.deb)
	say "unpacking $(basename "$deb")"
	mkdir -p "$tmp/root"
	# The image and a few modules, not the ~300 MB of all of them.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/root" ./boot ./lib/modules ||
		skip "cannot unpack $deb"
	[ -r "$tmp/root/boot/vmlinuz-$kver" ] || skip "$deb holds no boot/vmlinuz-$kver"
	mkdir -p "$tmp/root/modules"
	for m in $MODULES; do
		add_module "$m" "$tmp/root/lib/modules" "$tmp/root/modules"
	done
	rm -rf "$tmp/root/lib"
	rm -rf "${CACHE_DIR:?}/$kver"
	mv "$tmp/root" "$CACHE_DIR/$kver"
	ln -sfn "$kver/boot/vmlinuz-$kver" "$CACHE_DIR/vmlinuz"
	say "kernel $kver unpacked into $CACHE_DIR/$kver"
fi
echo "$vmlinuz"
