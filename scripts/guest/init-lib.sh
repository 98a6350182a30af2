# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by the /init of the check, DKMS and bench VMs (check-init.sh,
# dkms-init.sh, bench-init.sh; punix_mkinitramfs in scripts/lib.sh packs it
# as /init-lib.sh next to /init). They report to the host on ttyS1, one
# "@@punix ..." line at a time, and send the kernel log to ttyS2 at the end.

# report WORDS...: one line to the host.
report() { echo "@@punix $*" >&3; }

# case_result NAME STATUS DETAIL...: a bench-level check, ok if STATUS is 0.
case_result() {
	name=$1 status=$2
	shift 2
	if [ "$status" -eq 0 ]; then report case "$name" ok "$@"; else report case "$name" fail "$@"; fi
}

# guest_start: the file systems, the console, the settings the host wrote
# to /bench.conf, the two serial ports; then "@@punix begin <release>".
guest_start() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	# Tests and path names live here (the bench binds its names here).
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	exec </dev/null >/dev/console 2>&1

	# shellcheck source=/dev/null # written by the script that boots the VM
	. /bench.conf

	stty -F /dev/ttyS1 raw -echo 115200
	stty -F /dev/ttyS2 raw -echo 115200
	exec 3>/dev/ttyS1
	report begin "$(uname -r)"
}

# finish: the kernel log, the end marker (without it the host believes
# nothing), power off.
finish() {
	sync
	dmesg >/dev/ttyS2
	report end
	sync
	reboot -f
	sleep 60	# reboot -f does not return; if it did, QEMU's timeout ends it
}
