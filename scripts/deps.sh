#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the bench needs on Debian 12, then pull the few files it uses
# out of the 6.12 source tarball. Idempotent: when everything is present it
# only runs dpkg-query and a few tests.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

packages=(
	qemu-system-x86		# the VM (software emulation, no KVM needed)
	busybox-static		# the VM's userland
	cpio gzip		# packing the initramfs
	build-essential		# gcc, make
	libc6-dev		# static libc for the test programs
	gcc-multilib		# -m32: the i386 test programs (libc6-dev-i386)
	kmod			# modinfo
	binutils		# readelf (static-binary check)
	perl			# checkpatch.pl
	sparse			# make C=1 on the module
	linux-image-amd64 linux-headers-amd64			# Debian 6.1
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64	# Debian 6.12
	linux-source-6.12	# kselftest_harness.h, checkpatch.pl
	# Host programs the guest runs (scripts/guest/host-files)
	iproute2		# ss, compared with punix-ss
	libmnl-dev pkg-config	# punix-ss is built on libmnl
	python3.11 socat curl redis-server redis-tools nginx-light	# punix-run's examples
	dkms openssl		# make dkms-install, make sign
	secilc			# the SELinux policies of selftests/selinux_test.sh
	apparmor		# apparmor_parser, for selftests/apparmor_test.sh
	gnuplot-nox		# bench/plot.gp: the bench's ratios as a PNG
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || status=
	[[ $status == installed ]] || missing+=("$p")
done

if ((${#missing[@]})); then
	say "installing: ${missing[*]}"
	((EUID == 0)) || die "installing packages needs root (try: sudo $0)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# Installing redis-server and nginx must not start them on this
	# machine: the guest runs them. policy-rc.d refuses every start.
	policy=/usr/sbin/policy-rc.d
	if [[ -e $policy ]]; then
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	else
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 0755 "$policy"
		trap 'rm -f "$policy"' EXIT
		apt-get install -y -q --no-install-recommends "${missing[@]}"
		rm -f "$policy"
		trap - EXIT
	fi
fi

# Files from the 6.12 source tarball: the kselftest harness the selftests
# are written against, and checkpatch with the data files it reads.
members=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)
need=()
for m in "${members[@]}"; do
	[[ -f $PUNIX_KSRC/$m ]] || need+=("linux-source-6.12/$m")
done
if ((${#need[@]})); then
	tarball=/usr/src/linux-source-6.12.tar.xz
	[[ -r $tarball ]] || die "$tarball is missing (package linux-source-6.12)"
	say "extracting ${#need[@]} files from $tarball (about 25 s)"
	mkdir -p "$PUNIX_BUILD"
	# Into a scratch directory first, so an interrupted run leaves no
	# half-written file behind that a later run would take as present.
	tmp=$(mktemp -d "$PUNIX_BUILD/extract.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$tarball" -C "$tmp" "${need[@]}"
	(cd "$tmp" && find . -type f) | while read -r f; do
		mkdir -p "$PUNIX_BUILD/$(dirname "$f")"
		mv "$tmp/$f" "$PUNIX_BUILD/$f"
	done
fi
