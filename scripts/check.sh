#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the whole test bench.
#
#   1. install what is missing (scripts/deps.sh)
#   2. build the selftests once (static, the same binaries for every kernel)
#   3. checkpatch --strict on the module's sources and UAPI header
#   4. DKMS (scripts/dkms-check.sh): install for Debian's kernels on this
#      machine, boot each with it (autoload, family=N, modprobe.d), remove
#   5. for every kernel in punix_kernels (scripts/lib.sh): build punix.ko
#      against its headers and run the selftests in a VM (scripts/vm.sh)
#
# Ends with the line "N passed, N failed" and exits non-zero if anything
# failed. Environment: PUNIX_KERNELS="6.1 6.12" picks kernels,
# PUNIX_DEBUG_KERNEL=0 leaves out the debug kernel (see punix_kernels).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$PUNIX_ROOT"

t_start=$(now)
passed=0 failed=0
results=()

# Whatever happens, the last line is the count: if the bench itself breaks
# (no network for apt, say), that is one more failure.
summarized=0
on_exit() { ((summarized)) || echo "$passed passed, $((failed + 1)) failed"; }
trap on_exit EXIT

# record NAME PASSED FAILED SECONDS
record() {
	passed=$((passed + $2)) failed=$((failed + $3))
	results+=("$(printf '%-18s %4d passed, %d failed  (%ds)' "$1" "$2" "$3" "$4")")
}

say "dependencies"
scripts/deps.sh

# The sanitizing debug kernel is part of every check; PUNIX_DEBUG_KERNEL=0
# leaves it out (its first build takes 15 to 25 minutes; it is cached).
export PUNIX_DEBUG_KERNEL=${PUNIX_DEBUG_KERNEL:-1}
say "kernels"
kernel_list=$(punix_kernels) || exit 1
if [[ -n ${PUNIX_KERNELS:-} ]]; then
	all_kernels=$kernel_list
	kernel_list=$(awk -v want=" $PUNIX_KERNELS " 'index(want, " " $1 " ")' <<<"$kernel_list")
	[[ -n $kernel_list ]] || die "PUNIX_KERNELS='$PUNIX_KERNELS' matches no kernel"
	# ---- bench: say what a subset leaves out ----
	awk -v want=" $PUNIX_KERNELS " '!index(want, " " $1 " ") { print "  left out: kernel " $1 " (PUNIX_KERNELS)" }' <<<"$all_kernels"
fi
if [[ $PUNIX_DEBUG_KERNEL != 1 ]]; then
	echo "  left out: kernel 6.12-debug (PUNIX_DEBUG_KERNEL=$PUNIX_DEBUG_KERNEL)"
fi

# One snapshot of the module's sources for every kernel and for checkpatch,
# so an edit made while the bench runs cannot give the kernels different code.
export PUNIX_SRC=$PUNIX_BUILD/snapshot
rm -rf "$PUNIX_SRC"
mkdir -p "$PUNIX_SRC"
cp -a Kbuild src include "$PUNIX_SRC/"

# The selftests: if they do not build, every kernel still gets its module
# built and then fails for having nothing to run.
say "selftests"
t0=$(now)
tests=$PUNIX_BUILD/selftests
if punix_build_selftests "$tests"; then
	mapfile -t progs < <(punix_list_tests "$tests")
	echo "  ${#progs[@]} programs: ${progs[*]}"
	record selftests 1 0 $(($(now) - t0))
else
	record selftests 0 1 $(($(now) - t0))
fi

say "checkpatch --strict"
t0=$(now)
mapfile -t sources < <(cd "$PUNIX_SRC" && ls src/*.[ch] include/uapi/linux/*.h 2>/dev/null)
if ((${#sources[@]} == 0)); then
	bad "  no sources to check"
	record checkpatch 0 1 0
elif (cd "$PUNIX_SRC" && perl "$PUNIX_KSRC/scripts/checkpatch.pl" --strict --no-tree \
	--quiet --show-types --no-summary -f "${sources[@]}") >"$PUNIX_BUILD/checkpatch.log" 2>&1; then
	echo "  ${#sources[@]} files clean"
	record checkpatch 1 0 $(($(now) - t0))
else
	bad "  checkpatch found problems:"
	sed 's/^/    /' "$PUNIX_BUILD/checkpatch.log"
	record checkpatch 0 1 $(($(now) - t0))
fi

# DKMS on this machine for the Debian kernels: dkms add/build/install, each
# kernel booted with what DKMS installed (autoload, family=N, the modprobe.d
# off switch), make sign/install/uninstall, dkms remove leaves nothing.
mapfile -t dkms_kernels < <(awk '$2 ~ /^\/boot\/vmlinuz-/ { print $1 }' <<<"$kernel_list")
if ((${#dkms_kernels[@]})); then
	t0=$(now)
	scripts/dkms-check.sh "${dkms_kernels[@]}" </dev/null || true
	p=0 f=1
	[[ -f $PUNIX_BUILD/dkms/counts ]] && read -r p f <"$PUNIX_BUILD/dkms/counts"
	record "dkms + autoload" "$p" "$f" $(($(now) - t0))
fi

while read -r name bz kdir; do
	t0=$(now)
	# --full: build/selftests is the whole suite, so every program in the
	# kernel's expected list (selftests/expected/) must be in it.
	scripts/vm.sh --full --tests "$tests" "$name" "$bz" "$kdir" </dev/null || true
	p=0 f=1
	[[ -f $PUNIX_BUILD/$name/counts ]] && read -r p f <"$PUNIX_BUILD/$name/counts"
	record "kernel $name" "$p" "$f" $(($(now) - t0))
done <<<"$kernel_list"

# The SELinux boot: each Debian kernel once more with SELinux instead of
# AppArmor as the major LSM (the kernels build both in; no policy is loaded
# at boot), running only selinux_test.sh, which loads its own policies and
# runs lsm_test (vm.sh: a kernel named NAME-selinux), with the punix.ko built
# above. 37 s (6.12) and 67 s (6.1) measured at load 11. README "Security
# modules".
for name in "${dkms_kernels[@]}"; do
	read -r _ bz kdir < <(awk -v n="$name" '$1 == n' <<<"$kernel_list")
	t0=$(now)
	PUNIX_CMDLINE="lsm=landlock,lockdown,yama,selinux,bpf" \
		PUNIX_MODULE=$PUNIX_BUILD/$name/mod/punix.ko \
		scripts/vm.sh --full --tests "$tests" "$name-selinux" "$bz" "$kdir" </dev/null || true
	p=0 f=1
	[[ -f $PUNIX_BUILD/$name-selinux/counts ]] && read -r p f <"$PUNIX_BUILD/$name-selinux/counts"
	record "kernel $name-selinux" "$p" "$f" $(($(now) - t0))
done

say "summary ($(($(now) - t_start))s)"
printf '  %s\n' "${results[@]}"
# The last line, plain (no colour) so CI can read it.
summarized=1
echo "$passed passed, $failed failed"
((failed == 0))
