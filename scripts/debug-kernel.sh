#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the sanitizing debug kernel the test bench boots: Debian's
# linux-source-6.12 + `make tinyconfig` + scripts/debug-kernel.config
# (KASAN, lockdep, kmemleak, UBSAN, fault injection, ...).
#
# Usage: scripts/debug-kernel.sh [--print]
#
# The result is cached outside the repository in
#   ${PUNIX_CACHE:-/var/cache/punix}/debug-kernel-<key>/
# where <key> hashes the config fragment, the linux-source-6.12 package
# version and this script, so it is rebuilt only when one of them changes.
# A build happens in a temporary directory renamed into place on success,
# so an interrupted build is never taken for a cached one.
#
# On success it prints, on stdout, two lines for the bench to parse:
#   BZIMAGE=<cachedir>/bzImage
#   KDIR=<cachedir>/linux-source-6.12     (make -C $KDIR M=<moddir> modules)
# and exits 0.  Progress goes to stderr; the build log is printed only on
# failure (the full log stays in the cache).
#
# --print   only print those lines if the kernel is already built; exit 1
#           if it is not (never installs or builds anything).
#
# Environment: PUNIX_CACHE (cache root), PUNIX_JOBS (make -j, default nproc).

set -euo pipefail

SRC_PKG=linux-source-6.12
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
TREE=linux-source-6.12
BUILD_DEPS=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
fragment="$here/debug-kernel.config"
cache=${PUNIX_CACHE:-/var/cache/punix}
jobs=${PUNIX_JOBS:-$(nproc)}

say() { echo "debug-kernel: $*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
	sed -n '3,/^$/s/^# \{0,1\}//p' "$self" >&2
	exit "${1:-2}"
}

mode=build
case "${1:-}" in
"") ;;
--print) mode=print ;;
-h | --help) usage 0 ;;
*) usage ;;
esac

pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

src_version() {
	dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null
}

# key = hash(fragment, source package version, this script)
compute_key() {
	{
		echo "fragment"; cat "$fragment"
		echo "version $(src_version)"
		echo "script"; cat "$self"
	} | sha256sum | cut -c1-16
}

print_result() {
	echo "BZIMAGE=$1/bzImage"
	echo "KDIR=$1/$TREE"
}

install_missing() {
	local missing=() p
	for p in "$SRC_PKG" "${BUILD_DEPS[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (need root to install): ${missing[*]}"
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# Every assignment in the fragment must hold in the final .config.  An
# "is not set" line also holds when the symbol is absent (not visible).
verify_config() {
	local config=$1 line sym bad=()
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			grep -qxF -- "$line" "$config" || bad+=("$line")
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]}
			! grep -qE "^$sym=" "$config" || bad+=("$line")
		fi
	done <"$fragment"
	if [ ${#bad[@]} -ne 0 ]; then
		say "these options of $(basename "$fragment") did not survive olddefconfig:"
		for line in "${bad[@]}"; do
			[[ $line =~ (CONFIG_[A-Za-z0-9_]+) ]]
			sym=${BASH_REMATCH[1]}
			printf '  wanted %-45s got %s\n' "$line" \
				"$(grep -E "^$sym=|^# $sym is not set" "$config" || echo '(absent)')" >&2
		done
		return 1
	fi
}

# A throwaway module proves that out-of-tree builds link (Module.symvers).
check_extmod() {
	local kdir=$1 dir=$2
	mkdir -p "$dir"
	cat >"$dir/probe.c" <<'EOF'
#include <linux/module.h>
#include <linux/slab.h>
static int __init probe_init(void) { kfree(kmalloc(8, GFP_KERNEL)); return 0; }
static void __exit probe_exit(void) { }
module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := probe.o' >"$dir/Kbuild"
	make -C "$kdir" M="$dir" modules && [ -f "$dir/probe.ko" ]
}

key=$(compute_key)
final="$cache/debug-kernel-$key"

if [ "$mode" = print ]; then
	pkg_installed "$SRC_PKG" && [ -f "$final/bzImage" ] || exit 1
	print_result "$final"
	exit 0
fi

install_missing
# The package version may have just become known: recompute.
key=$(compute_key)
final="$cache/debug-kernel-$key"

mkdir -p "$cache"
exec 9>"$cache/debug-kernel.lock"
if ! flock -n 9; then
	say "another build holds $cache/debug-kernel.lock; waiting"
	flock 9
fi

if [ -f "$final/bzImage" ]; then
	print_result "$final"
	exit 0
fi

# We hold the lock, so leftovers of interrupted builds are dead: remove them.
rm -rf "$cache"/.debug-kernel-*.tmp.*

[ -f "$SRC_TARBALL" ] || die "$SRC_TARBALL not found (is $SRC_PKG installed?)"
tmp=$(mktemp -d "$cache/.debug-kernel-$key.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log="$tmp/build.log"
kdir="$tmp/$TREE"
start=$(date +%s)

# fail WHAT [quiet]: keep the log beside the cache, show its tail unless
# quiet (the caller already printed what went wrong), and exit.
fail() {
	local saved="$cache/debug-kernel-$key.failed.log"
	cp "$log" "$saved" 2>/dev/null || true
	if [ -z "${2:-}" ]; then
		say "FAILED: $1; last lines of the build log:"
		tail -n 60 "$log" >&2 || true
	else
		say "FAILED: $1"
	fi
	say "full log: $saved"
	exit 1
}

step() {
	local what=$1
	shift
	echo "=== $what: $*" >>"$log"
	"$@" >>"$log" 2>&1 || fail "$what"
}

say "building $SRC_PKG $(src_version) with $(basename "$fragment") into $final"
say "this takes 15 to 25 minutes on 2 cores; log: $log"

step extract tar -xf "$SRC_TARBALL" -C "$tmp"
[ -d "$kdir" ] || fail "extract (no $TREE/ in $SRC_TARBALL)"
cd "$kdir"
step tinyconfig make tinyconfig
step merge scripts/kconfig/merge_config.sh -m .config "$fragment"
step olddefconfig make olddefconfig
if ! report=$(verify_config .config 2>&1); then
	printf '%s\n' "$report" | tee -a "$log" >&2
	fail "config check" quiet
fi
step bzImage nice -n 10 make -j"$jobs" bzImage
step modules nice -n 10 make -j"$jobs" modules
step extmod-check check_extmod "$kdir" "$tmp/extmod-check"
rm -rf "$tmp/extmod-check"

cp arch/x86/boot/bzImage "$tmp/bzImage"
cp .config "$tmp/config"
secs=$(($(date +%s) - start))
{
	echo "key=$key"
	echo "source=$SRC_PKG $(src_version)"
	echo "kernelrelease=$(make -s kernelrelease)"
	echo "build_seconds=$secs"
	echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$tmp/build-info"
cd /

# Publish atomically: the rename is what makes the build "cached".
chmod 0755 "$tmp"
mv -T "$tmp" "$final"
trap - EXIT
touch "$final"
rm -f "$cache/debug-kernel-$key.failed.log"
say "built in $((secs / 60))m$((secs % 60))s"

# Keep the newest two builds (switching between two branches stays cheap).
# shellcheck disable=SC2012 # names are debug-kernel-<hex key>
ls -1dt "$cache"/debug-kernel-*/ 2>/dev/null | tail -n +3 | while IFS= read -r old; do
	say "removing old build ${old%/}"
	rm -rf "${old%/}"
done

print_result "$final"
