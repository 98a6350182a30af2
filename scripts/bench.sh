#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: AF_UNIX and punix measured side by side (bench/punix-bench.c)
# in a VM on each Debian kernel (6.1, 6.12), one kernel at a time.
#
#   scripts/bench.sh [NAME...]
#
# NAME: the kernels to run (names scripts/lib.sh knows; default every
# Debian kernel, never the debug one: its sanitizers would be measured).
# BENCH_ARGS overrides punix-bench's options (default below).
#
# For each kernel: build punix.ko (W=1 C=1, as make check does) and boot
# it with scripts/guest/bench-init.sh as /init, which loads punix and runs
# punix-bench, reporting on the results channel (ttyS1). Then write
#   build/bench/NAME.txt   the table, as punix-bench printed it
#   build/bench/NAME.tsv   the same as TSV (punix-bench --tsv)
#   build/bench/NAME.png   the ratios per row with their spread (bench/plot.gp)
#   build/bench/table.md   every kernel run, as one Markdown table (bench/table.awk)
# and print the table. The last lines are one per kernel:
#   bench: min ratio R.RR (row) on RELEASE
# Logs stay in build/bench/NAME/ (results.log, console.log, dmesg.log).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$PUNIX_ROOT"

# 7 rounds (at least 5), interleaved, of 0.25 s per family and row,
# 10,000 other names for the connect rows, 10,000 idle pairs for the memory
# rows: measured on a 2-core host loaded with other VMs (load average 10),
# punix-bench took 232 s on 6.1 and 211 s on 6.12, each kernel about 5
# minutes with the module build and the boot, make bench 10 minutes.
BENCH_ARGS=${BENCH_ARGS:--r 7 -t 0.25 -n 10000 -P 10000}
# The guest's limit: the boot, and the bench's setup under emulation.
export PUNIX_VM_TIMEOUT=${PUNIX_VM_TIMEOUT:-900}
# Two families' 10,000 names, 10,000 pairs and 8 network namespaces.
export PUNIX_QEMU_MEM=${PUNIX_QEMU_MEM:-2G}
# One CPU: with two emulated CPUs on a shared 2-core host, every wake-up
# of a thread on the other CPU waits for the host to run that CPU's thread,
# and the round trips measured 46 to 460 per second from round to round
# (4,200 to 5,200 on one CPU); ratios of 0.3 to 7 became 0.8 to 1.3.
# PUNIX_QEMU_SMP=2 measures two CPUs (the concurrent rows then contend).
export PUNIX_QEMU_SMP=${PUNIX_QEMU_SMP:-1}

t_all=$(now)
say "dependencies"
scripts/deps.sh

out=$PUNIX_BUILD/bench
mkdir -p "$out"

say "building punix-bench (static)"
punix_build_bench "$out/bin" || die "punix-bench does not build"

# The kernels: the Debian ones only (not the sanitizing debug kernel).
mapfile -t kernels < <(PUNIX_DEBUG_KERNEL=0 punix_kernels)
want=("$@")

# bench_progress DIR: how many rows a running bench VM has printed.
bench_progress() {
	local n
	n=$(grep -cE '^[a-z0-9-]+ +(MB/s|msg/s|rtt/s|conn/s|fd/s|pairs/s|B/pair) ' "$1/results.log" 2>/dev/null) || true
	echo "${n:-0} of $rows_total rows done"
}
rows_total=$("$out/bin/punix-bench" -l 2>/dev/null | wc -l)

rc=0
summary=() ran=()
for line in "${kernels[@]}"; do
	read -r name bz kdir <<<"$line"
	if ((${#want[@]})) && [[ " ${want[*]} " != *" $name "* ]]; then
		continue
	fi
	k0=$(now)
	dir=$out/$name
	mkdir -p "$dir"
	say "kernel $name (${bz##*/vmlinuz-})"

	t0=$(now)
	if ! punix_build_module "bench/$name" "$kdir"; then
		bad "  punix.ko does not build for $name"
		rc=1
		continue
	fi
	printf '  %-32s ok (%ds)\n' "build punix.ko W=1 C=1" $(($(now) - t0))

	echo "BENCH_ARGS=\"$BENCH_ARGS\"" >"$dir/bench.conf"
	punix_mkinitramfs "$dir/initramfs.cpio.gz" scripts/guest/bench-init.sh \
		"$dir/mod/punix.ko:/punix.ko" "$out/bin/punix-bench:/bin/punix-bench" \
		"$dir/bench.conf:/bench.conf"

	t0=$(now)
	punix_boot "$dir" punix_with_ticker "kernel $name" bench_progress "$dir" -- \
		punix_qemu "$bz" "$dir/initramfs.cpio.gz" "$dir"
	vm_secs=$(($(now) - t0))

	results=$dir/results.log
	sed -n '/^@@punix table-begin/,/^@@punix table-end/{/^@@punix /d;p}' \
		"$results" 2>/dev/null >"$out/$name.txt" || true
	sed -n '/^@@punix tsv-begin/,/^@@punix tsv-end/{/^@@punix /d;p}' \
		"$results" 2>/dev/null >"$out/$name.tsv" || true
	brc=$(sed -n 's/^@@punix table-end \([0-9]*\) .*/\1/p' "$results" 2>/dev/null)
	ok=1
	if ((qrc)); then
		bad "  QEMU exited with status $qrc (124: timed out after ${PUNIX_VM_TIMEOUT}s)"
		ok=0
	fi
	if ! grep -q '^@@punix insmod 0' "$results" 2>/dev/null; then
		bad "  insmod punix.ko failed: $(grep '^@@punix insmod' "$results" 2>/dev/null)"
		ok=0
	fi
	if [[ $brc != 0 ]]; then
		bad "  punix-bench exited with status ${brc:-(none: it did not finish)}"
		ok=0
	fi
	punix_kernel_problems "$dir/console.log" "$dir/dmesg.log" >"$dir/problems.txt"
	if [[ -s $dir/problems.txt ]]; then
		bad "  the kernel complained (first lines of ${dir#"$PUNIX_ROOT"/}/problems.txt):"
		head -n 5 "$dir/problems.txt" | sed 's/^/    /'
		ok=0
	fi
	if ! grep -q '^@@punix end$' "$results" 2>/dev/null; then
		bad "  the guest did not finish (no end marker)"
		ok=0
	fi

	echo
	cat "$out/$name.txt"
	echo

	if grep -q '	ratio	' "$out/$name.tsv" 2>/dev/null; then
		rel=${bz##*/vmlinuz-}
		gnuplot -e "tsv='$out/$name.tsv'; out='$out/$name.png'; title='punix / AF_UNIX on $rel ($(date -u +%F)): median and min..max of the rounds'" \
			bench/plot.gp 2>"$dir/gnuplot.log" ||
			{ bad "  gnuplot failed:"; sed 's/^/    /' "$dir/gnuplot.log"; ok=0; }
	else
		bad "  no ratios in ${out#"$PUNIX_ROOT"/}/$name.tsv"
		ok=0
	fi

	[[ -s $out/$name.tsv ]] && ran+=("$name")
	last=$(grep '^bench: ' "$out/$name.txt" | tail -n 1) || true
	summary+=("${last:-bench: no result on $name}")
	printf '  (VM: %ds; kernel %s in all: %ds)\n' "$vm_secs" "$name" $(($(now) - k0))
	if ((ok)); then
		good "kernel $name: ${out#"$PUNIX_ROOT"/}/$name.{txt,tsv,png}"
	else
		bad "kernel $name: FAILED (logs: ${dir#"$PUNIX_ROOT"/}/)"
		tail -n 20 "$dir/console.log" 2>/dev/null | sed 's/^/    /'
		rc=1
	fi
done

# The kernels of this run side by side, for the READMEs.
md=()
for line in "${kernels[@]}"; do
	read -r name _ <<<"$line"
	if [[ " ${ran[*]} " == *" $name "* ]]; then
		md+=("k=$name" "$out/$name.tsv")
	fi
done
((${#md[@]})) && awk -f bench/table.awk "${md[@]}" >"$out/table.md"

((${#summary[@]})) || die "no kernel named ${want[*]} (known: $(PUNIX_DEBUG_KERNEL=0 punix_kernels | awk '{print $1}' | xargs))"
t=$(($(now) - t_all))
echo
echo "make bench: $((t / 60))m$((t % 60))s"
printf '%s\n' "${summary[@]}"
exit $rc
