# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the punix test bench. Sourced, never run:
#
#   . "$(dirname "$0")/lib.sh"
#
# Everything the bench writes goes under $PUNIX_BUILD (default build/).

PUNIX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PUNIX_BUILD=${PUNIX_BUILD:-$PUNIX_ROOT/build}
PUNIX_KSRC=$PUNIX_BUILD/linux-source-6.12
PUNIX_KSFT_INC=$PUNIX_KSRC/tools/testing/selftests

# Wall-clock limit for one VM boot, and for one test binary inside it.
PUNIX_VM_TIMEOUT=${PUNIX_VM_TIMEOUT:-600}
PUNIX_TEST_TIMEOUT=${PUNIX_TEST_TIMEOUT:-300}

export LC_ALL=C

if [[ -t 1 ]]; then
	_c_bold=$'\e[1m' _c_red=$'\e[31m' _c_green=$'\e[32m' _c_off=$'\e[0m'
else
	_c_bold='' _c_red='' _c_green='' _c_off=''
fi

say()  { printf '%s==>%s %s\n' "$_c_bold" "$_c_off" "$*"; }
good() { printf '%s%s%s\n' "$_c_green" "$*" "$_c_off"; }
bad()  { printf '%s%s%s\n' "$_c_red" "$*" "$_c_off"; }
die()  { bad "error: $*" >&2; exit 1; }

# now: seconds since the epoch, for timing steps.
now() { date +%s; }

# punix_latest_release REGEX
#
# Print the newest kernel release R matching the extended REGEX for which
# both /boot/vmlinuz-R and /lib/modules/R/build exist. Nothing is hard-coded
# beyond the series: Debian bumps the ABI number (6.1.0-56 -> 6.1.0-57).
punix_latest_release() {
	local regex=$1 dir rel
	local -a found=()

	for dir in /lib/modules/*; do
		rel=${dir##*/}
		[[ $rel =~ $regex ]] || continue
		[[ -r /boot/vmlinuz-$rel && -f $dir/build/Makefile ]] || continue
		found+=("$rel")
	done
	((${#found[@]})) || return 1
	printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

# punix_with_ticker LABEL PROGRESS [ARG...] -- CMD [ARG...]
#
# Run CMD (its stdout and status are the caller's) and, while it runs, print
# "  LABEL: <elapsed>, <what PROGRESS ARG... prints>" on stderr every
# PUNIX_TICK seconds (default 50: a line at least every minute). For the
# long steps of make check: the debug kernel's build, a VM run.
punix_with_ticker() {
	local label=$1 tpid rc=0 start
	local -a progress=()
	shift
	while (($#)) && [[ $1 != -- ]]; do
		progress+=("$1")
		shift
	done
	shift
	start=$(now)
	(
		sp=
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		while :; do
			sleep "${PUNIX_TICK:-50}" &
			sp=$!
			wait "$sp"
			# An orphan (the caller was killed) stops.
			kill -0 "$$" 2>/dev/null || exit 0
			s=$(($(now) - start))
			printf '  %s: %dm%02ds%s\n' "$label" $((s / 60)) $((s % 60)) \
				"$("${progress[@]}" 2>/dev/null | sed 's/^/, /')" >&2
		done
	) >/dev/null &
	tpid=$!
	"$@" || rc=$?
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	return "$rc"
}

# punix_debug_kernel_progress: how far the debug kernel's build is (it
# builds in PUNIX_CACHE's .debug-kernel-*.tmp.* directory), against the
# number of objects of the last build ($PUNIX_DEBUG_OBJECTS) if known.
punix_debug_kernel_progress() {
	local n
	n=$(find "${PUNIX_CACHE:-/var/cache/punix}"/.debug-kernel-*.tmp.* -name '*.o' 2>/dev/null | wc -l)
	echo "$n objects built${PUNIX_DEBUG_OBJECTS:+ (the last build had $PUNIX_DEBUG_OBJECTS)}"
}

# punix_vm_progress OUTDIR N: how many of the N test programs a running
# check VM has finished (the test-end lines on its results channel so far).
punix_vm_progress() {
	local n
	n=$(grep -c '^@@punix test-end ' "$1/results.log" 2>/dev/null) || true
	echo "${n:-0} of $2 programs done"
}

# punix_kernels
#
# The kernels the bench runs on, one "NAME BZIMAGE KDIR" line each.
# To add a kernel, print one more line here.
punix_kernels() {
	local rel

	rel=$(punix_latest_release '^6\.1\.0-[0-9]+-amd64$') ||
		die "no Debian 6.1 kernel with headers (run scripts/deps.sh)"
	echo "6.1 /boot/vmlinuz-$rel /lib/modules/$rel/build"

	rel=$(punix_latest_release '^6\.12\.[0-9]+.*-cloud-amd64$') ||
		die "no Debian 6.12 cloud kernel with headers (run scripts/deps.sh)"
	echo "6.12 /boot/vmlinuz-$rel /lib/modules/$rel/build"

	# The sanitizing 6.12 kernel built (and cached) by
	# scripts/debug-kernel.sh, when PUNIX_DEBUG_KERNEL=1 (make check sets
	# it by default). The script prints "BZIMAGE=<path>" and "KDIR=<path>"
	# lines on stdout once the kernel is built.
	if [[ ${PUNIX_DEBUG_KERNEL:-0} == 1 ]]; then
		local out bz kdir
		[[ -x $PUNIX_ROOT/scripts/debug-kernel.sh ]] ||
			die "PUNIX_DEBUG_KERNEL=1 but scripts/debug-kernel.sh is missing"
		# Built already: no waiting. Else the first build (15 to 25
		# minutes, longer on a busy machine) reports as it goes.
		if ! out=$("$PUNIX_ROOT/scripts/debug-kernel.sh" --print 2>/dev/null); then
			local last
			last=$(find "${PUNIX_CACHE:-/var/cache/punix}" -maxdepth 1 -name 'debug-kernel-*' \
				-type d -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -n 1 | cut -d' ' -f2-)
			PUNIX_DEBUG_OBJECTS=
			[[ -n $last ]] && PUNIX_DEBUG_OBJECTS=$(find "$last" -name '*.o' | wc -l)
			say "building the debug kernel (once; 15 to 25 minutes; a line every minute)" >&2
			out=$(punix_with_ticker "debug kernel build" punix_debug_kernel_progress -- \
				"$PUNIX_ROOT/scripts/debug-kernel.sh") ||
				die "scripts/debug-kernel.sh failed"
		fi
		bz=$(sed -n 's/^BZIMAGE=//p' <<<"$out" | tail -n 1)
		kdir=$(sed -n 's/^KDIR=//p' <<<"$out" | tail -n 1)
		[[ -r $bz && -d $kdir ]] ||
			die "scripts/debug-kernel.sh printed no usable BZIMAGE=/KDIR= lines"
		echo "6.12-debug $bz $kdir"
	fi
}

# punix_kernel NAME: print the "NAME BZIMAGE KDIR" line for one kernel.
punix_kernel() {
	local name=$1 line
	line=$(punix_kernels | awk -v n="$name" '$1 == n') || true
	[[ -n $line ]] || die "unknown kernel '$name' (known: $(punix_kernels | awk '{print $1}' | xargs))"
	echo "$line"
}

# punix_build_module NAME KDIR
#
# Build punix.ko against KDIR in $PUNIX_BUILD/NAME/mod, a private copy of
# the sources, so builds for different kernels never share objects. W=1
# and sparse (C=1), and any compiler, sparse or modpost warning fails the
# build. The sources come
# from $PUNIX_SRC if set (a snapshot), else from the work tree.
punix_build_module() {
	local name=$1 kdir=$2
	local dir=$PUNIX_BUILD/$name/mod log=$PUNIX_BUILD/$name/module-build.log

	rm -rf "$dir"
	mkdir -p "$dir"
	# The sources only: objects left by an in-tree "make" were built
	# against some other kernel.
	tar -C "${PUNIX_SRC:-$PUNIX_ROOT}" -cf - --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude='.*.d' --exclude='*.symvers' --exclude='*.order' \
		Kbuild src include | tar -C "$dir" -xf -

	if ! make -C "$kdir" M="$dir" W=1 C=1 -j"$(nproc)" modules >"$log" 2>&1; then
		bad "punix.ko build failed for $name:"
		tail -n 40 "$log"
		return 1
	fi
	if grep -Eq '(warning|WARNING):' "$log"; then
		bad "punix.ko build for $name has warnings (W=1 and sparse must be clean):"
		grep -E -B2 -A4 '(warning|WARNING):' "$log" | head -n 60
		return 1
	fi
	[[ -f $dir/punix.ko ]] || { bad "no punix.ko after building for $name"; return 1; }
}

# punix_build_run OUT
#
# Build punix-run (libpunix-run.so and its wrapper, punix-run/) for the
# guest, installed into the staging root OUT at /usr/local, warnings
# failing. The guest runs it with the host's glibc (scripts/guest/host-files).
punix_build_run() {
	local out=$1 obj=$1.build log=$1.build.log

	rm -rf "$out" "$obj"
	mkdir -p "$obj"
	cp "$PUNIX_ROOT"/punix-run/{Makefile,punix-run.c,punix-run.sh} "$obj/"
	if ! make -C "$obj" PREFIX=/usr/local CFLAGS="-O2 -g -Werror" \
		DESTDIR="$out" install >"$log" 2>&1; then
		bad "punix-run build failed:"
		tail -n 40 "$log"
		return 1
	fi
}

# The selftests that also run as i386 programs, <name>32 beside <name>
# (IA32 emulation: compat_ioctl, the 32-bit cmsghdr and mmsghdr, compat
# option values): those whose calls take a compat path that differs. Their
# cost in the VM, measured on 6.1 and 6.12: about 65 s a Debian kernel. The
# debug kernel runs fewer (scripts/vm.sh).
PUNIX_I386_TESTS=(compat_test scm_rights_test creds_test oob_test misc_test
	stream_opts_test dgram_test abstract_test badinput_test)

# punix_build_selftests OUT
#
# Build every selftest statically into OUT with selftests/Makefile (the
# selftests' own contract: OUT= and KSFT_INC=), and PUNIX_I386_TESTS as
# i386 programs OUT/<name>32.
punix_build_selftests() {
	local out=$1 log=$PUNIX_BUILD/selftests-build.log

	[[ -f $PUNIX_ROOT/selftests/Makefile ]] || {
		bad "selftests/Makefile is missing: nothing to test"
		return 1
	}
	rm -rf "$out"
	mkdir -p "$out"
	if ! make -C "$PUNIX_ROOT/selftests" OUT="$out" KSFT_INC="$PUNIX_KSFT_INC" \
		OUT32="$out" I386="${PUNIX_I386_TESTS[*]}" \
		-j"$(nproc)" all i386 >"$log" 2>&1; then
		bad "selftests build failed:"
		tail -n 40 "$log"
		return 1
	fi
	if [[ -z $(punix_list_tests "$out") ]]; then
		bad "selftests build produced no test programs in $out"
		return 1
	fi
}

# punix_build_ss OUT
#
# Build the punix-ss lister (punix-ss/, libmnl) into OUT/punix-ss, from a
# private copy of its sources, warnings as errors. It is linked dynamically:
# the guest gets libmnl with ss (scripts/guest/host-files).
punix_build_ss() {
	local out=$1 log=$PUNIX_BUILD/punix-ss-build.log

	rm -rf "$out"
	mkdir -p "$out"
	cp "$PUNIX_ROOT"/punix-ss/Makefile "$PUNIX_ROOT"/punix-ss/*.c "$out/"
	if ! make -C "$out" CFLAGS="-O2 -g -Werror" >"$log" 2>&1; then
		bad "punix-ss build failed:"
		tail -n 40 "$log"
		return 1
	fi
	if grep -Eq 'warning:' "$log"; then
		bad "punix-ss build has warnings:"
		grep -E -A4 'warning:' "$log" | head -n 40
		return 1
	fi
}

# punix_build_bench OUT
#
# Build punix-bench (bench/, static: the guest has no libc) into
# OUT/punix-bench from a private copy of its sources, warnings as errors.
punix_build_bench() {
	local out=$1 log=$PUNIX_BUILD/punix-bench-build.log

	rm -rf "$out"
	mkdir -p "$out"
	cp "$PUNIX_ROOT"/bench/Makefile "$PUNIX_ROOT"/bench/punix-bench.c "$out/"
	if ! make -C "$out" CFLAGS="-O2" >"$log" 2>&1; then
		bad "punix-bench build failed:"
		tail -n 40 "$log"
		return 1
	fi
	punix_check_static "$out/punix-bench"
}

# punix_list_tests DIR: the executable files in DIR, sorted, one a line.
punix_list_tests() {
	find "$1" -maxdepth 1 -type f -perm -u+x -printf '%f\n' | sort
}

# punix_check_static FILE: fail unless FILE is a statically linked ELF or a
# "#!/bin/sh" script (the guest's libc comes only with the host programs of
# scripts/guest/host-files; test programs stay static).
punix_check_static() {
	[[ $(head -c 9 "$1" | tr -d '\0') == '#!/bin/sh' ]] && return 0
	if readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		bad "$1 is dynamically linked; the VM has no libc"
		return 1
	fi
}

# punix_is_elf FILE: true if FILE starts with the ELF magic.
punix_is_elf() {
	[[ -f $1 && $(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ') == '177ELF' ]]
}

# punix_host_cpio OUT LIST
#
# Pack the host files named in LIST (see scripts/guest/host-files) into an
# uncompressed newc archive OUT (a KASAN kernel takes too long to inflate
# tens of MB under emulation: its 30 s hung-task panic fires first), each at its own path, with the ELF dependency
# closure of every executable and library among them (as ldd resolves it on
# the host). Libraries land in /usr/lib/<triplet> under their soname, the
# loader in /lib64: the guest's glibc finds them on its default path, with
# no ld.so.cache. The kernel unpacks this archive after the busybox one.
# Rebuilt only when LIST is newer than OUT.
punix_host_cpio() {
	local out=$1 list=$2 root line path lib f
	local -a paths=() excludes=() elves=()

	[[ -s $out && $out -nt $list ]] && return 0
	while read -r line; do
		line=${line%%#*}
		line=${line%"${line##*[![:space:]]}"}
		[[ -n $line ]] || continue
		case $line in
		-/*) excludes+=("--exclude=${line#-/}") ;;
		/*) paths+=("${line#/}") ;;
		*) bad "$list: not an absolute path: $line"; return 1 ;;
		esac
	done <"$list"
	for path in "${paths[@]}"; do
		[[ -e /$path ]] || { bad "$list: /$path is not on this machine (scripts/deps.sh installs it)"; return 1; }
	done

	root=$(mktemp -d "$PUNIX_BUILD/hostroot.XXXXXX")
	chmod 0755 "$root"
	tar -C / -chf - "${excludes[@]}" "${paths[@]}" | tar -C "$root" -xf -
	while IFS= read -r -d '' f; do
		punix_is_elf "$f" && elves+=("/${f#"$root"/}")
	done < <(find "$root" -type f -print0)
	# ldd prints "name => /path (addr)" and "/lib64/ld-linux... (addr)".
	for lib in $( ((${#elves[@]})) && ldd "${elves[@]}" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u); do
		case $lib in
		/lib/*) f=$root/usr$lib ;;	# merged /usr: /lib is usr/lib
		*) f=$root$lib ;;
		esac
		[[ -e $f ]] && continue
		mkdir -p "$(dirname "$f")"
		cp -L "$lib" "$f"
	done
	(cd "$root" && find . -print0 | sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$root"
}

# punix_mkinitramfs OUT INIT [SRC:DEST]...
#
# Pack a gzip'd newc initramfs: busybox-static with one symlink per applet,
# INIT as /init (with init-lib.sh from its folder as /init-lib.sh, when there
# is one), and each SRC copied to DEST. With PUNIX_HOST_CPIO set, that
# archive (punix_host_cpio) is appended: the host programs the tests run.
punix_mkinitramfs() {
	local out=$1 init=$2 root spec src dest applet busybox
	shift 2

	busybox=$(command -v busybox) || { bad "busybox is not installed"; return 1; }
	punix_check_static "$busybox" || return 1

	root=$(mktemp -d "$PUNIX_BUILD/initramfs.XXXXXX")
	# mktemp made it 0700; as the guest's / it must let everyone through
	# (tests drop to uid 65534).
	chmod 0755 "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc}
	# Names for the users the tests switch to (uid 65534), and for the
	# host programs that look users up.
	printf '%s\n' root:x:0:0:root:/:/bin/sh nobody:x:65534:65534:nobody:/nonexistent:/bin/sh \
		>"$root/etc/passwd"
	printf '%s\n' root:x:0: nogroup:x:65534: >"$root/etc/group"
	cp "$busybox" "$root/bin/busybox"
	for applet in $("$busybox" --list); do
		[[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
	done
	ln -s bin "$root/sbin"
	install -m 0755 "$init" "$root/init"
	# The helpers the /init scripts source (scripts/guest/init-lib.sh).
	if [[ -f $(dirname "$init")/init-lib.sh ]]; then
		install -m 0644 "$(dirname "$init")/init-lib.sh" "$root/init-lib.sh"
	fi
	for spec in "$@"; do
		src=${spec%%:*} dest=${spec#*:}
		mkdir -p "$root/$(dirname "$dest")"
		cp -a "$src" "$root/$dest"
	done
	# The kernel opens /dev/console for init before devtmpfs is mounted.
	mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true

	(cd "$root" && find . -print0 | sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
	rm -rf "$root"
	if [[ -n ${PUNIX_HOST_CPIO:-} ]]; then
		# The kernel takes an uncompressed archive after a compressed
		# one only at a 4-byte boundary; the zeros between are skipped.
		truncate -s %512 "$out"
		cat "$PUNIX_HOST_CPIO" >>"$out"
	fi
}

# punix_qemu BZIMAGE INITRD OUTDIR [EXTRA_CMDLINE]
#
# Boot BZIMAGE with INITRD under TCG and wait for it to power off. Serial
# ports, all written to files in OUTDIR:
#   ttyS0 console.log   the kernel console
#   ttyS1 results.log   what the guest reports (the results channel)
#   ttyS2 dmesg.log     the guest's full kernel log, dumped at the end
# No network, no disk. Returns QEMU's status (124: wall-clock timeout).
# PUNIX_QEMU_MEM, PUNIX_QEMU_SMP: the guest's memory and CPUs (default 1G, 2).
punix_qemu() {
	local bz=$1 initrd=$2 out=$3 extra=${4:-} rc=0
	# initramfs_async=0: unpack the initramfs (tens of MB with the host
	# programs) before the initcalls that wait for it, so PID 1 is busy
	# rather than blocked; the debug kernel's 30 s hung-task panic fired
	# while a KASAN kernel waited for the asynchronous unpack.
	local cmdline="console=ttyS0 loglevel=5 panic=-1 oops=panic panic_on_warn=1 initramfs_async=0"
	cmdline+=" softlockup_panic=1 hung_task_panic=1 $extra"

	rm -f "$out"/{console,results,dmesg}.log
	timeout -k 10 "$PUNIX_VM_TIMEOUT" \
		qemu-system-x86_64 -accel tcg -cpu max -m "${PUNIX_QEMU_MEM:-1G}" -smp "${PUNIX_QEMU_SMP:-2}" \
		-nodefaults -nographic -no-reboot -monitor none \
		-kernel "$bz" -initrd "$initrd" -append "$cmdline" \
		-serial "file:$out/console.log" \
		-serial "file:$out/results.log" \
		-serial "file:$out/dmesg.log" \
		</dev/null >"$out/qemu.log" 2>&1 || rc=$?
	# Serial output arrives with CRLF line ends.
	local f
	for f in console results dmesg; do
		[[ -f $out/$f.log ]] && sed -i 's/\r$//' "$out/$f.log"
	done
	return "$rc"
}

# punix_boot OUTDIR CMD...: run CMD, a punix_qemu call writing to OUTDIR,
# and leave its status in qrc. A guest that dies before its /init reports
# "begin" never ran punix (the module is loaded later): that is the
# emulated machine, not the code under test, so boot once more; anything
# after "begin" counts as it is. (Debian's 6.12 once died so under TCG, an
# oops in its int3 text-patching handler with no module loaded.)
# shellcheck disable=SC2034 # qrc is the caller's
punix_boot() {
	local out=$1 attempt
	shift
	for attempt in 1 2; do
		qrc=0
		"$@" || qrc=$?
		grep -q '^@@punix begin' "$out/results.log" 2>/dev/null && return 0
		((attempt == 2)) && return 0
		bad "  the guest died before its /init started; booting again:"
		tail -n 20 "$out/console.log" 2>/dev/null | sed 's/^/    /'
		cp "$out/console.log" "$out/console-boot$attempt.log" 2>/dev/null || true
	done
}

# Kernel log lines that mean the kernel is unhappy, whatever the tests say.
PUNIX_KERNEL_PROBLEMS='Oops|rcu: INFO:|detected stalls? on|BUG:|BUG [a-z0-9_-]+ \(|kernel BUG|WARNING:|Call Trace|Kernel panic|general protection fault|UBSAN:|KASAN:|KFENCE:|kmemleak: [0-9]+ new suspected|list_(add|del) corruption|refcount_t:|soft lockup|hard LOCKUP|blocked for more than|possible (circular|recursive) locking|inconsistent lock state|Unable to handle'

# punix_kernel_problems FILE...: print the kernel log lines that match.
punix_kernel_problems() {
	local f
	for f in "$@"; do
		[[ -f $f ]] || continue
		# memcg_test's memory cgroup fills end in that cgroup's OOM
		# killer, on purpose and over both families: its report (with
		# a stack dump) from "memcg_test invoked oom-killer" to the
		# "Killed process ... (memcg_test)" line is not a problem.
		awk '/ memcg_test invoked oom-killer: /{oom = 1}
		     !oom
		     /Memory cgroup out of memory: Killed process [0-9]+ \(memcg_test\)/{oom = 0}' "$f" |
			grep -E -- "$PUNIX_KERNEL_PROBLEMS" || true
	done
}

# ---- bench: the plan of a run and the expected lists ----
# What each kernel runs is decided here, for scripts/vm.sh (what to run) and
# scripts/expected.sh (make expected: what must run). The expected lists,
# selftests/expected/<kernel>.txt, hold one "PROGRAM CASE" line per test
# case; results.awk fails a case that is expected but not reported and one
# reported but not expected.
PUNIX_EXPECTED_DIR=$PUNIX_ROOT/selftests/expected
# The kernels make expected writes a list for (the names punix_kernels
# gives; the debug kernel need not be built).
# shellcheck disable=SC2034 # used by scripts/expected.sh
PUNIX_EXPECTED_KERNELS="6.1 6.12 6.12-debug 6.1-selinux 6.12-selinux"
# The programs the unprivileged pass runs again as nobody.
PUNIX_UNPRIV_LIST=$PUNIX_ROOT/selftests/unprivileged.txt

# punix_unprivileged: the lines of selftests/unprivileged.txt, "PROG" or
# "PROG -T TEST..." (cases left out of the unprivileged pass).
punix_unprivileged() {
	[[ -f $PUNIX_UNPRIV_LIST ]] || return 0
	sed 's/#.*//' "$PUNIX_UNPRIV_LIST" | awk 'NF { $1 = $1; print }'
}

# punix_plan NAME DIR [KDIR]
#
# What kernel NAME runs of the test programs in DIR, one line each:
#   run PROG            as root, reported as PROG
#   nobody PROG [ARGS]  then again as uid 65534, reported as PROG@nobody,
#                       with the harness ARGS (-T TEST: leave that test out)
#   skip PROG REASON    left out on this kernel, on purpose
punix_plan() {
	local name=$1 dir=$2 kdir=${3:-} p args ia32=1
	local -a progs=()
	local -A have=()

	# The i386 programs (<name>32) need IA32 emulation: the kernel's
	# .config says, or without KDIR (make expected) the debug kernel's
	# config fragment; Debian's kernels have it.
	local config=$kdir/.config
	[[ -f $config || $name != *-debug ]] || config=$PUNIX_ROOT/scripts/debug-kernel.config
	if [[ -f $config ]] && ! grep -q '^CONFIG_IA32_EMULATION=y' "$config"; then
		ia32=0
	fi

	mapfile -t progs < <(punix_list_tests "$dir")
	# The SELinux boot (scripts/check.sh: NAME-selinux, SELinux instead
	# of AppArmor) runs selinux_test.sh only, which runs lsm_test once it
	# has loaded a policy; the other programs ran in the default boot.
	if [[ $name == *-selinux ]]; then
		for p in "${progs[@]}"; do
			[[ $p == selinux_test.sh ]] && echo "run $p"
		done
		return 0
	fi
	for p in "${progs[@]}"; do
		have[$p]=1
		if [[ $p == selinux_* ]]; then
			echo "skip $p it runs in the SELinux boot (NAME-selinux)"
		elif [[ $p == fault_* && $name != *-debug ]]; then
			# They inject allocation failures through debugfs
			# (failslab, fail_page_alloc): only the debug kernel has it.
			echo "skip $p fault injection (failslab) is in the debug kernel only"
		elif [[ $p == *.sh && $name == *-debug ]]; then
			# The host programs they drive are tens of MB that the
			# KASAN kernel takes close to its 30 s hung-task limit to
			# unpack under emulation; the module paths they reach
			# have C tests that the debug kernel runs.
			echo "skip $p script tests do not run on the debug kernel"
		elif [[ $p == memcg_* && $name == *-debug ]]; then
			# Its OOM kills and cgroup churn would cost the debug
			# kernel a minute or two of a run already near its time
			# limit; bounds_test runs the same fills there.
			echo "skip $p the debug kernel runs bounds_test's fills, not the cgroup ones"
		elif [[ $p == *32 ]] && ((!ia32)); then
			echo "skip $p no IA32 emulation in this kernel"
		elif [[ $p == *32 && $name == *-debug &&
			! $p =~ ^(compat|scm_rights|creds|stream_opts)_test32$ ]]; then
			# The debug kernel runs the i386 programs that reach
			# punix's own compat code (compat_ioctl, the cmsgs it
			# reads and writes, the SCM_PIDFD room check) and option
			# values; the others reach the core kernel's compat code
			# only, which the Debian kernels run (all nine: about 65 s
			# there; these four take about 80 s on the debug kernel).
			echo "skip $p i386: the debug kernel runs compat, scm_rights, creds and stream_opts only"
		else
			echo "run $p"
		fi
	done
	# The unprivileged pass: on the Debian kernels only (the debug VM run
	# is already close to its time limit); PUNIX_UNPRIV=0 leaves it out
	# (a full run then fails for the missing PROG@nobody cases).
	while read -r p args; do
		[[ -n ${have[$p]:-} ]] || continue
		if [[ $name == *-debug ]]; then
			echo "skip $p@nobody the unprivileged pass does not run on the debug kernel"
		elif [[ ${PUNIX_UNPRIV:-1} == 0 ]]; then
			echo "skip $p@nobody PUNIX_UNPRIV=0"
		else
			echo "nobody $p${args:+ $args}"
		fi
	done < <(punix_unprivileged)
}

# punix_expected_file NAME: the expected list of kernel NAME, printed if
# it exists. PUNIX_EXPECTED=FILE overrides it; PUNIX_EXPECTED=none runs
# without one (make fuzz: its seeds are not the bench's).
punix_expected_file() {
	local f=${PUNIX_EXPECTED:-$PUNIX_EXPECTED_DIR/$1.txt}
	[[ $f != none && -f $f ]] && echo "$f"
}
# ---- end of the plan and expected lists ----
