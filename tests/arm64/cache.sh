# shellcheck shell=sh
# Sourced by setup.sh and rootfs.sh: where the arm64 suite caches what it
# downloads. /var/cache/umbra/NAME for root, or when a user may write there
# (shared by a machine's users), else the user's own cache.
umbra_cache_dir() {
	if [ "$(id -u)" = 0 ] || [ -w /var/cache/umbra ]; then
		echo "/var/cache/umbra/$1"
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/umbra/$1"
	fi
}
