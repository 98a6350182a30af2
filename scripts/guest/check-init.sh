#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the check VM (busybox sh, PID 1). It loads punix, runs every test
# program and unloads punix, and reports on its own serial port, ttyS1:
#
#   @@punix begin <kernel release>
#   @@punix case <name> ok|fail [detail]     one bench-level check
#   @@punix test-begin <program>
#   ...the program's TAP output...
#   @@punix test-end <program> <exit status> <seconds>
#   @@punix end
#
# The host believes nothing without the end marker: if the kernel oopses or
# hangs, the marker never comes. The full kernel log goes to ttyS2 at the end.

# busybox first; then the host programs packed from scripts/guest/host-files;
# then the tools built from this tree (punix-run).
export PATH=/bin:/usr/bin:/usr/sbin:/usr/local/bin HOME=/ TERM=dumb

# shellcheck source=scripts/guest/init-lib.sh
. /init-lib.sh
guest_start
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# Taint bits that mean the kernel got hurt: B bad page (5), D died (7),
# W warning (9), L soft lockup (14). Out-of-tree (O) and unsigned (E) are
# expected for punix.ko.
BAD_TAINT=$(( (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14) ))

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK

# AF_UNIX's sock_diag handler, when the kernel has it as a module (vm.sh
# puts it in the initramfs then).
if [ -f /unix_diag.ko ]; then
	out=$(insmod /unix_diag.ko 2>&1)
	case_result insmod-unix_diag $? "$out"
fi

# punix refuses a family number that is already registered: AF_UNIX is.
if insmod /punix.ko family=1 2>/dev/null; then
	rmmod punix
	case_result refuses-taken-family 1 "insmod family=1 succeeded"
else
	case_result refuses-taken-family 0
fi

# shellcheck disable=SC2086 # PUNIX_PARAMS is a list of parameters
out=$(insmod /punix.ko $PUNIX_PARAMS 2>&1)
rc=$?
case_result insmod $rc "$out"
if [ $rc -ne 0 ]; then
	finish
fi

while read -r t; do
	report test-begin "$t"
	t0=$(date +%s)
	(cd /tmp && exec timeout -k 10 "$TEST_TIMEOUT" "/tests/$t") </dev/null >&3 2>&1
	rc=$?
	report test-end "$t" $rc $(($(date +%s) - t0))
done </tests/LIST

# ---- bench: the unprivileged pass (selftests/unprivileged.txt) ----
# The programs in /tests/LIST.nobody ("program [harness options]") run a
# second time as nobody (uid and gid 65534, no supplementary group, no
# capability) from a directory that user owns, reported as
# "<program>@nobody". busybox su, as root, asks no password.
if [ -s /tests/LIST.nobody ]; then
	mkdir -p /tmp/nobody && chown 65534:65534 /tmp/nobody
	while read -r t args; do
		report test-begin "$t@nobody"
		t0=$(date +%s)
		(cd /tmp/nobody && exec timeout -k 10 "$TEST_TIMEOUT" \
			su -s /bin/sh nobody -c "exec /tests/$t $args") </dev/null >&3 2>&1
		rc=$?
		report test-end "$t@nobody" $rc $(($(date +%s) - t0))
	done </tests/LIST.nobody
fi
# ---- end of the unprivileged pass ----

out=$(rmmod punix 2>&1)
rc=$?
case_result rmmod $rc "$out"

if [ -w $KMEMLEAK ]; then
	# kmemleak reports an object only once it is 5 s old and a second
	# scan finds it unchanged and still unreferenced.
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
	[ "$leaks" -eq 0 ]
	case_result kmemleak $? "$leaks unreferenced objects"
	sed 's/^/# kmemleak: /' $KMEMLEAK >&3
fi

taint=$(cat /proc/sys/kernel/tainted)
[ $(( taint & BAD_TAINT )) -eq 0 ]
case_result kernel-not-tainted $? "tainted=$taint"

finish
