#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Debian's 6.12 kernel in a VM, load punix, and run the echo
# example (examples/echo.c) over punix and over AF_UNIX side by side.
# Exits non-zero if any step failed. Logs stay in build/demo/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$PUNIX_ROOT"

say "dependencies"
scripts/deps.sh

read -r _ bz kdir < <(punix_kernel 6.12)
out=$PUNIX_BUILD/demo
mkdir -p "$out"

say "building punix.ko for ${bz#/boot/vmlinuz-}"
punix_build_module demo "$kdir" || die "the module does not build"

say "building examples/echo.c"
cc -static -O2 -Wall -Wextra -Werror -I include/uapi -o "$out/echo" examples/echo.c

say "booting the VM (software emulation, about 10 s)"
punix_mkinitramfs "$out/initramfs.cpio.gz" scripts/guest/demo-init.sh \
	"$out/mod/punix.ko:/punix.ko" "$out/echo:/examples/echo"
punix_boot "$out" punix_qemu "$bz" "$out/initramfs.cpio.gz" "$out"

grep -v '^@@punix ' "$out/results.log" 2>/dev/null | sed 's/^/  /' || true
echo

ok=1
if ((qrc)); then
	bad "QEMU exited with status $qrc (124: timed out)"
	ok=0
fi
if ! grep -qx '@@punix demo ok' "$out/results.log" 2>/dev/null; then
	bad "the demo did not finish cleanly"
	ok=0
fi
punix_kernel_problems "$out/console.log" "$out/dmesg.log" >"$out/problems.txt"
if [[ -s $out/problems.txt ]]; then
	bad "the kernel complained:"
	grep -F -m 1 -B 2 -A 40 -- "$(head -n 1 "$out/problems.txt")" \
		"$out/console.log" "$out/dmesg.log" | sed 's/^/  /' || true
	ok=0
fi
if ((!ok)); then
	echo "  --- console (ttyS0), last 20 lines ---"
	tail -n 20 "$out/console.log" 2>/dev/null | sed 's/^/  /'
	die "demo failed (logs: build/demo/)"
fi
good "demo ok: the same echo program ran over punix and over AF_UNIX"
