#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests on one kernel in a VM.
#
#   scripts/vm.sh [--tests DIR] NAME [BZIMAGE KDIR]
#
# NAME is one of the kernels scripts/lib.sh knows (6.1, 6.12), or any name
# when BZIMAGE and KDIR are given. Steps: build punix.ko against KDIR (W=1 C=1,
# warnings fail), pack an initramfs with busybox, punix.ko and the test
# programs (built from selftests/ unless --tests DIR names ready ones), boot
# it under QEMU, and count what the guest reports on its results channel.
#
# Prints a summary, writes "<passed> <failed>" to build/NAME/counts and
# exits non-zero if anything failed. Logs stay in build/NAME/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 [--tests DIR] NAME [BZIMAGE KDIR]"; }

tests=
while (($#)); do
	case $1 in
	--tests) tests=$(realpath "${2:?}"); shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
case $# in
1) read -r name bz kdir < <(punix_kernel "$1") ;;
3) name=$1 bz=$2 kdir=$3 ;;
*) usage ;;
esac
[[ -n ${name:-} ]] || exit 1
[[ -r $bz ]] || die "kernel $name: cannot read the kernel image '$bz'"
[[ -f $kdir/Makefile ]] || die "kernel $name: '$kdir' is no kernel build tree"

# The sanitizing debug kernel runs the suite about five times slower than
# Debian's: it gets 2.5 times the limits.
if [[ $name == *-debug ]]; then
	PUNIX_VM_TIMEOUT=$((PUNIX_VM_TIMEOUT * 5 / 2))
	PUNIX_TEST_TIMEOUT=$((PUNIX_TEST_TIMEOUT * 5 / 2))
fi

out=$PUNIX_BUILD/$name
mkdir -p "$out"
rm -f "$out/counts"
passed=0 failed=0

summary() {
	echo "$passed $failed" >"$out/counts"
	if ((failed)); then
		bad "kernel $name: $passed passed, $failed failed   (logs: ${out#"$PUNIX_ROOT"/}/)"
	else
		good "kernel $name: $passed passed, $failed failed"
	fi
}

case $bz in
*/vmlinuz-*) say "kernel $name (${bz##*/vmlinuz-})" ;;
*) say "kernel $name ($bz)" ;;
esac

# 1. The module, against this kernel's headers.
t0=$(now)
if punix_build_module "$name" "$kdir"; then
	printf '  %-32s ok (%ds)\n' "build punix.ko W=1 C=1" $(($(now) - t0))
	passed=$((passed + 1))
else
	printf '  %-32s FAILED\n' "build punix.ko W=1 C=1"
	failed=$((failed + 1))
	summary
	exit 1
fi

# 2. The test programs: the same static binaries for every kernel.
if [[ -z $tests ]]; then
	[[ -f $PUNIX_KSFT_INC/kselftest_harness.h ]] || "$PUNIX_ROOT/scripts/deps.sh"
	tests=$PUNIX_BUILD/selftests
	punix_build_selftests "$tests" || { failed=$((failed + 1)); summary; exit 1; }
fi
mapfile -t progs < <(punix_list_tests "$tests")
# fault_* programs inject allocation failures through debugfs (failslab,
# fail_page_alloc): only the debug kernel has that, so only it runs them.
if [[ $name != *-debug ]]; then
	mapfile -t progs < <(printf '%s\n' "${progs[@]}" | grep -v '^fault_')
else
	# The script tests drive host programs (scripts/guest/host-files):
	# tens of MB that the KASAN kernel takes close to its 30 s hung-task
	# limit to unpack under emulation. They test the tools and the
	# programs over punix, which the Debian kernels run; the module paths
	# they reach have C tests that the debug kernel runs.
	mapfile -t progs < <(printf '%s\n' "${progs[@]}" | grep -v '\.sh$')
	# memcg_* programs need memory cgroups, which the debug kernel
	# (tinyconfig) is built without; bounds_test runs their fills there.
	mapfile -t progs < <(printf '%s\n' "${progs[@]}" | grep -v '^memcg_')
fi
((${#progs[@]})) || { bad "no test programs in $tests"; failed=$((failed + 1)); summary; exit 1; }
files=("$out/mod/punix.ko:/punix.ko")
# The kernel's own unix_diag, when it is a module (Debian's kernels; the
# debug kernel has it built in): AF_UNIX's side of the diag tests needs
# it, and the initramfs has no /lib/modules. check-init.sh loads it.
kmod=$(dirname "$kdir")/kernel/net/unix/unix_diag.ko
rm -f "$out/unix_diag.ko"
if [[ -f $kmod ]]; then
	cp "$kmod" "$out/unix_diag.ko"
elif [[ -f $kmod.xz ]]; then
	xz -dc "$kmod.xz" >"$out/unix_diag.ko"
fi
if [[ -f $out/unix_diag.ko ]]; then
	files+=("$out/unix_diag.ko:/unix_diag.ko")
fi
for p in "${progs[@]}"; do
	punix_check_static "$tests/$p" || { failed=$((failed + 1)); summary; exit 1; }
	files+=("$tests/$p:/tests/$p")
done
# Shell helpers the script tests source (non-executable files).
while IFS= read -r -d '' f; do
	files+=("$f:/tests/${f##*/}")
done < <(find "$tests" -maxdepth 1 -type f ! -perm -u+x -print0)
# punix-ss, the sock_diag lister (ss_test.sh), at /usr/bin/punix-ss.
punix_build_ss "$out/punix-ss" || { failed=$((failed + 1)); summary; exit 1; }
files+=("$out/punix-ss/punix-ss:/usr/bin/punix-ss")
# punix-run: the preload library and its wrapper, at their installed paths
# (/usr/local/lib/punix-run/, /usr/local/bin/punix-run) for run_test.sh.
punix_build_run "$out/punix-run" || { failed=$((failed + 1)); summary; exit 1; }
files+=("$out/punix-run/usr/local/lib/punix-run/libpunix-run.so:/usr/local/lib/punix-run/libpunix-run.so"
	"$out/punix-run/usr/local/bin/punix-run:/usr/local/bin/punix-run")
printf '%s\n' "${progs[@]}" >"$out/LIST"
cat >"$out/bench.conf" <<-EOF
	PUNIX_PARAMS="${PUNIX_PARAMS:-}"
	TEST_TIMEOUT=$PUNIX_TEST_TIMEOUT
EOF
# make fuzz (scripts/fuzz.sh): the seeds and length fuzz_test runs.
if [[ -n ${FUZZ_SEEDS:-} ]]; then
	echo "export FUZZ_SEEDS=${FUZZ_SEEDS} FUZZ_OPS=${FUZZ_OPS:-}" >>"$out/bench.conf"
fi
files+=("$out/LIST:/tests/LIST" "$out/bench.conf:/bench.conf")
# The host programs some tests run (ss, python, redis...), shared by every
# kernel's initramfs.
if [[ $name != *-debug ]]; then
	export PUNIX_HOST_CPIO=$PUNIX_BUILD/host-files.cpio
	punix_host_cpio "$PUNIX_HOST_CPIO" "$PUNIX_ROOT/scripts/guest/host-files" ||
		{ failed=$((failed + 1)); summary; exit 1; }
fi
punix_mkinitramfs "$out/initramfs.cpio.gz" "$PUNIX_ROOT/scripts/guest/check-init.sh" "${files[@]}"

# 3. Boot. The guest powers off by itself; a timeout means it hung.
# A guest that dies before its /init reports "begin" never ran punix (the
# module is loaded later): that is the emulated machine, not the code under
# test, so boot once more; anything after "begin" counts as it is.
t0=$(now)
for attempt in 1 2; do
	qrc=0
	# A progress line a minute while the guest runs (the debug kernel's
	# run takes about ten).
	punix_with_ticker "kernel $name" punix_vm_progress "$out" "${#progs[@]}" -- \
		punix_qemu "$bz" "$out/initramfs.cpio.gz" "$out" "${PUNIX_CMDLINE:-}" || qrc=$?
	grep -q '^@@punix begin' "$out/results.log" 2>/dev/null && break
	((attempt == 2)) && break
	bad "  the guest died before its /init started; booting again:"
	tail -n 20 "$out/console.log" 2>/dev/null | sed 's/^/    /'
	cp "$out/console.log" "$out/console-boot$attempt.log" 2>/dev/null || true
done
vm_secs=$(($(now) - t0))
if ((qrc == 124 || qrc == 137)); then
	bad "  VM timed out after ${PUNIX_VM_TIMEOUT}s"
elif ((qrc)); then
	bad "  QEMU exited with status $qrc:"
	sed 's/^/    /' "$out/qemu.log"
fi

# 4. Count.
awk -v tests="${progs[*]}" -f "$PUNIX_ROOT/scripts/results.awk" \
	"$out/results.log" >"$out/summary.txt" 2>&1 || true
grep -v '^@@counts ' "$out/summary.txt" || true
read -r _ p f < <(grep '^@@counts ' "$out/summary.txt" || echo "@@counts 0 1")
passed=$((passed + p)) failed=$((failed + f))

punix_kernel_problems "$out/console.log" "$out/dmesg.log" >"$out/problems.txt"
if [[ -s $out/problems.txt ]]; then
	printf '  %-32s FAILED\n' "kernel log clean"
	failed=$((failed + 1))
else
	printf '  %-32s ok\n' "kernel log clean"
	passed=$((passed + 1))
fi
printf '  (VM: %ds)\n' "$vm_secs"

# 5. On failure, show what is needed to start debugging.
if ((failed)); then
	echo "  --- results channel (ttyS1): what failed ---"
	awk -f "$PUNIX_ROOT/scripts/failures.awk" "$out/results.log" 2>/dev/null | head -n 400 || true
	if [[ -s $out/problems.txt ]]; then
		echo "  --- kernel log: first problem and what follows ---"
		first=$(head -n 1 "$out/problems.txt")
		log=$out/console.log
		grep -qF -- "$first" "$log" || log=$out/dmesg.log
		grep -F -m 1 -B 2 -A 60 -- "$first" "$log" | sed 's/^/    /' || true
	elif ! grep -q '^@@punix end$' "$out/results.log" 2>/dev/null; then
		echo "  --- console (ttyS0), last 40 lines ---"
		tail -n 40 "$out/console.log" 2>/dev/null | sed 's/^/    /'
	fi
fi

summary
((failed == 0))
