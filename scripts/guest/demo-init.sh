#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the demo VM (busybox sh, PID 1): load punix, run the echo example
# over punix and over AF_UNIX, unload punix, power off. Everything the user
# should see goes to ttyS1; the last line there is "@@punix demo ok|fail".
# The kernel log goes to ttyS2 at the end.

export PATH=/bin HOME=/ TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
stty -F /dev/ttyS1 raw -echo 115200
exec </dev/null >/dev/ttyS1 2>&1

failed=0
step() { [ -n "${stepped:-}" ] && echo; stepped=1; echo "--- $*"; }
run() { # show a command, then run it
	echo "# $*"
	"$@" || { echo "!!! failed: $*"; failed=1; return 1; }
}

# echo_over FAMILY PATH TEXT: one server, one client, one line echoed.
echo_over() {
	/examples/echo server "$1" "$2" &
	server=$!
	/examples/echo client "$1" "$2" "$3" || failed=1
	wait $server || failed=1
}

step "kernel $(uname -r), $(nproc) CPUs"

step "loading punix"
if run insmod /punix.ko; then
	echo "punix registered family $(cat /sys/module/punix/parameters/family)" \
		"(AF_UNIX is 1); both families now live side by side"
	dmesg | grep 'punix:' | grep -v taint | sed 's/^/  dmesg: /'

	step "echo over punix"
	echo_over punix /tmp/punix.sock "hello over punix"

	step "the same program over AF_UNIX"
	echo_over unix /tmp/unix.sock "hello over AF_UNIX"

	step "both servers left a socket file behind"
	run ls -l /tmp/punix.sock /tmp/unix.sock

	step "unloading punix"
	if run rmmod punix; then
		if [ -e /sys/module/punix ]; then
			echo "!!! punix is still loaded"
			failed=1
		else
			echo "punix unloaded; AF_UNIX carries on as before"
		fi
	fi
else
	failed=1
fi

stty -F /dev/ttyS2 raw -echo 115200
dmesg >/dev/ttyS2
if [ $failed -eq 0 ]; then echo "@@punix demo ok"; else echo "@@punix demo fail"; fi
sync
reboot -f
sleep 60
