#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz SEEDS=a-b [OPS=n]: run selftests/fuzz_test (the lockstep
# differential fuzzer, AF_UNIX against punix) over seeds a to b in a VM
# on each kernel.
#
#   scripts/fuzz.sh A-B [OPS]
#
# FUZZ_KERNELS="6.1 6.12" picks the kernels (names scripts/lib.sh knows).
# The seeds reach the guest through bench.conf (FUZZ_SEEDS, FUZZ_OPS; see
# scripts/vm.sh); the time limits grow with the number of seeds. A
# divergence is printed shrunk, as a selftest body (build/<kernel>/results.log).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$PUNIX_ROOT"

seeds=${1:-}
[[ $seeds =~ ^[0-9]+(-[0-9]+)?$ ]] || die "usage: make fuzz SEEDS=A-B [OPS=N]  (e.g. SEEDS=1-1000)"
export FUZZ_SEEDS=$seeds FUZZ_OPS=${2:-}
first=${seeds%-*} last=${seeds#*-}
((last >= first)) || die "SEEDS=$seeds: the range is empty"
count=$((last - first + 1))

[[ -f $PUNIX_KSFT_INC/kselftest_harness.h ]] || scripts/deps.sh
dir=$PUNIX_BUILD/fuzz
rm -rf "$dir"
mkdir -p "$dir"
make -C selftests OUT="$dir" KSFT_INC="$PUNIX_KSFT_INC" "$dir/fuzz_test" >/dev/null

# About half a second a seed of 120 operations under emulation (plus the
# shrinking of a divergence): four times that, and the boot.
ops=${FUZZ_OPS:-120}
export PUNIX_TEST_TIMEOUT=$((120 + count * ops / 30))
export PUNIX_VM_TIMEOUT=$((PUNIX_TEST_TIMEOUT + 300))

# The seeds are the caller's, not the ones the expected lists name.
export PUNIX_EXPECTED=none
rc=0
for k in ${FUZZ_KERNELS:-6.1 6.12}; do
	scripts/vm.sh --tests "$dir" "$k" || rc=1
done
exit $rc
