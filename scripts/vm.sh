#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests on one kernel in a VM.
#
#   scripts/vm.sh [--tests DIR [--full]] NAME [BZIMAGE KDIR]
#
# NAME is one of the kernels scripts/lib.sh knows (6.1, 6.12), or any name
# when BZIMAGE and KDIR are given. Steps: build punix.ko against KDIR (W=1 C=1,
# warnings fail), pack an initramfs with busybox, punix.ko and the test
# programs (built from selftests/ unless --tests DIR names ready ones), boot
# it under QEMU, and count what the guest reports on its results channel.
#
# The count is held to the kernel's expected list, selftests/expected/
# NAME.txt (make expected): an expected case not reported fails, and so
# does one reported that the list lacks. Without --tests (or with --full:
# DIR is the whole suite, as make check gives it) an expected program
# missing from the run fails too; a --tests DIR run checks only the programs
# in DIR. The programs of selftests/unprivileged.txt run a second time as
# nobody (PROG@nobody), except on the debug kernel.
#
# Prints a summary, writes "<passed> <failed>" to build/NAME/counts and
# exits non-zero if anything failed. Logs stay in build/NAME/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { die "usage: $0 [--tests DIR [--full]] NAME [BZIMAGE KDIR]"; }

tests='' full=''
while (($#)); do
	case $1 in
	--tests) tests=$(realpath "${2:?}") full=${full:-0}; shift 2 ;;
	--full) full=1; shift ;;
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
# Debian's: it gets 2.5 times the limit per program, and 3.5 times the
# VM's (it runs most of the suite, about 25 minutes).
if [[ $name == *-debug ]]; then
	PUNIX_VM_TIMEOUT=$((PUNIX_VM_TIMEOUT * 7 / 2))
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

# 1. The module, against this kernel's headers. (check.sh's SELinux boot
# passes PUNIX_MODULE: the punix.ko its kernel's run has just built from the
# same sources, so no second build.)
t0=$(now)
if [[ -f ${PUNIX_MODULE:-} ]] && mkdir -p "$out/mod" && cp "$PUNIX_MODULE" "$out/mod/punix.ko"; then
	printf '  %-32s ok\n' "punix.ko of ${PUNIX_MODULE#"$PUNIX_BUILD"/}"
	passed=$((passed + 1))
elif punix_build_module "$name" "$kdir"; then
	printf '  %-32s ok (%ds)\n' "build punix.ko W=1 C=1" $(($(now) - t0))
	passed=$((passed + 1))
else
	printf '  %-32s FAILED\n' "build punix.ko W=1 C=1"
	failed=$((failed + 1))
	summary
	exit 1
fi

# 2. The test programs: the same static binaries for every kernel.
full=${full:-1}
if [[ -z $tests ]]; then
	[[ -f $PUNIX_KSFT_INC/kselftest_harness.h ]] || "$PUNIX_ROOT/scripts/deps.sh"
	tests=$PUNIX_BUILD/selftests
	punix_build_selftests "$tests" || { failed=$((failed + 1)); summary; exit 1; }
fi
# ---- bench: the plan (punix_plan in lib.sh) and the expected list ----
# What this kernel runs as root (progs), again as nobody (nobody), and what
# it leaves out on purpose, which is said. The expected list
# (selftests/expected/NAME.txt, make expected) is what must be reported:
# in a full run every program in it, in a --tests run those present.
progs=() nobody=() nobody_lines=()
while read -r what p why; do
	case $what in
	run) progs+=("$p") ;;
	nobody) nobody+=("$p") nobody_lines+=("$p${why:+ $why}") ;;
	skip) printf '  %-32s left out: %s\n' "$p" "$why" ;;
	esac
done < <(punix_plan "$name" "$tests" "$kdir")
expected=$(punix_expected_file "$name") || true
if [[ -z $expected ]]; then
	if ((full)); then
		bad "  no expected list for kernel $name (selftests/expected/$name.txt; make expected)"
		failed=$((failed + 1))
	else
		echo "  no expected list for kernel $name: case names not checked"
	fi
elif ((!full)); then
	echo "  --tests run: only the programs in ${tests#"$PUNIX_ROOT"/} are checked against ${expected#"$PUNIX_ROOT"/}"
fi
# ---- end of the plan ----
# lsm_test is a dependency of selinux_test.sh in the SELinux boot
# (scripts/check.sh: NAME-selinux): packed, not listed.
deps=()
[[ $name == *-selinux && -x $tests/lsm_test ]] && deps=(lsm_test)
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
for p in "${progs[@]}" "${deps[@]}"; do
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
# ---- bench: the unprivileged pass: programs run again as nobody ----
printf '%s\n' "${nobody_lines[@]}" | sed '/^$/d' >"$out/LIST.nobody"
files+=("$out/LIST.nobody:/tests/LIST.nobody")
# It adds about 2 minutes to the VM run: 3 more before the VM counts as hung.
((${#nobody[@]})) && PUNIX_VM_TIMEOUT=$((PUNIX_VM_TIMEOUT + 180))
# ---- end of the unprivileged pass ----
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
# (Not the SELinux boot's: its tests use none.)
if [[ $name != *-debug && $name != *-selinux ]]; then
	export PUNIX_HOST_CPIO=$PUNIX_BUILD/host-files.cpio
	punix_host_cpio "$PUNIX_HOST_CPIO" "$PUNIX_ROOT/scripts/guest/host-files" ||
		{ failed=$((failed + 1)); summary; exit 1; }
fi
punix_mkinitramfs "$out/initramfs.cpio.gz" "$PUNIX_ROOT/scripts/guest/check-init.sh" "${files[@]}"

# 3. Boot. The guest powers off by itself; a timeout means it hung. One
# that dies before its /init began boots once more (punix_boot). A progress
# line a minute while the guest runs (the debug kernel's run takes about
# ten).
t0=$(now)
punix_boot "$out" punix_with_ticker "kernel $name" punix_vm_progress "$out" \
	"$((${#progs[@]} + ${#nobody[@]}))" -- \
	punix_qemu "$bz" "$out/initramfs.cpio.gz" "$out" "${PUNIX_CMDLINE:-}"
vm_secs=$(($(now) - t0))
if ((qrc == 124 || qrc == 137)); then
	bad "  VM timed out after ${PUNIX_VM_TIMEOUT}s"
elif ((qrc)); then
	bad "  QEMU exited with status $qrc:"
	sed 's/^/    /' "$out/qemu.log"
fi

# 4. Count.
awk -v tests="${progs[*]} ${nobody[*]/%/@nobody}" -v expected="$expected" -v full="$full" \
	-f "$PUNIX_ROOT/scripts/results.awk" "$out/results.log" >"$out/summary.txt" 2>&1 || true
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
