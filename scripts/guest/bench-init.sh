#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the bench VM (busybox sh, PID 1), for make bench
# (scripts/bench.sh): load punix, run punix-bench over AF_UNIX and punix
# with the options in /bench.conf, unload punix, power off. It reports on
# its own serial port, ttyS1:
#
#   @@punix begin <kernel release>
#   @@punix insmod <status> [message]
#   @@punix table-begin
#   ...punix-bench's table (stdout and stderr)...
#   @@punix table-end <exit status> <seconds>
#   @@punix tsv-begin
#   ...the TSV (--tsv)...
#   @@punix tsv-end
#   @@punix rmmod <status> [message]
#   @@punix end
#
# The full kernel log goes to ttyS2 at the end.

export PATH=/bin HOME=/ TERM=dumb

# shellcheck source=scripts/guest/init-lib.sh
. /init-lib.sh
# BENCH_ARGS in /bench.conf: punix-bench's options (written by scripts/bench.sh).
guest_start

# 10,000 names and 10,000 pairs per family take about 2 x 10,000 fds at a
# time (punix-bench raises its own RLIMIT_NOFILE as root); the system-wide
# limit must hold both families' and the namespaces' sockets.
echo 1048576 >/proc/sys/fs/file-max
echo 1048576 >/proc/sys/fs/nr_open

out=$(insmod /punix.ko 2>&1)
rc=$?
report insmod $rc "$out"
[ $rc -eq 0 ] || finish

report table-begin
t0=$(date +%s)
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
(cd /tmp && exec /bin/punix-bench $BENCH_ARGS -o /tmp/bench.tsv) >&3 2>&1
rc=$?
report table-end $rc $(($(date +%s) - t0))
report tsv-begin
[ -f /tmp/bench.tsv ] && cat /tmp/bench.tsv >&3
report tsv-end

out=$(rmmod punix 2>&1)
report rmmod $? "$out"

finish
