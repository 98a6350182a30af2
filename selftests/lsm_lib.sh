# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for apparmor_test.sh and selinux_test.sh (busybox sh in the check
# VM): TAP output, the kernel log since a mark (where the audit records
# are), running lsm_test with its output kept, setting up and restoring.

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check() { if [ "$1" -eq 0 ]; then ok "$2"; else notok "$2"; fi; }
bail() { echo "1..$((n + 1))"; notok "$1"; exit 1; }

mounted() { grep -q "^[^ ]* $1 " /proc/mounts; }

# The audit records are read from the kernel log, where kauditd prints them
# through printk_ratelimit() (10 in 5 s): no rate limit while a test runs.
RL=/proc/sys/kernel/printk_ratelimit

# lsm_begin CASES NAME: the TAP header, no printk rate limit, a fresh
# directory $work (/tmp/NAME.XXXXXX), securityfs mounted; prints the LSMs.
lsm_begin() {
	echo "TAP version 13"
	echo "1..$1"
	rl=$(cat $RL)
	echo 0 >$RL
	work=$(mktemp -d "/tmp/$2.XXXXXX") || bail "mktemp"
	mounted /sys/kernel/security ||
		mount -t securityfs securityfs /sys/kernel/security
	echo "# LSMs: $(cat /sys/kernel/security/lsm)"
}

# lsm_end: the rate limit back, $work removed; fails if a case failed.
lsm_end() {
	echo "$rl" >$RL
	rm -rf "$work"
	[ $failed -eq 0 ]
}

# The kernel log lines from now on: mark where they start.
mark() { dmesg | wc -l >"$work/mark"; }
since() { dmesg | tail -n +$(($(cat "$work/mark") + 1)); }

# lsm_run OUT PROG ARGS...: PROG ARGS, its output kept in OUT and shown as
# comments if it fails; its exit status.
lsm_run() {
	lr_out=$1
	shift
	"$@" >"$lr_out" 2>&1
	lr_rc=$?
	[ $lr_rc -eq 0 ] || sed 's/^/# /' "$lr_out"
	return $lr_rc
}
