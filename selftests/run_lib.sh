# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for run_test.sh (busybox sh in the check VM): TAP output, waiting
# for a server, and telling which family a process's sockets are.

FAMILY_FILE=/sys/module/punix/parameters/family

tap_n=0
tap_failed=0

# ok COND_STATUS NAME [DIAG...]: one TAP line; DIAG lines become comments.
ok() {
	st=$1 name=$2
	shift 2
	tap_n=$((tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $tap_n $name"
		[ $# -gt 0 ] && printf '%s\n' "$1" | sed 's/^/#   /'
	else
		echo "not ok $tap_n $name"
		tap_failed=$((tap_failed + 1))
		for d in "$@"; do
			printf '%s\n' "$d" | sed 's/^/#   /'
		done
	fi
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# lap WHAT: a comment with the seconds since the last lap.
lap_t=$(cut -d' ' -f1 /proc/uptime)
lap() {
	lap_n=$(cut -d' ' -f1 /proc/uptime)
	diag "$1: $(awk -v a="$lap_t" -v b="$lap_n" 'BEGIN { printf "%.1f s", b - a }')"
	lap_t=$lap_n
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds (a
# readiness condition, not a delay); fails after SECONDS.
wait_for() {
	wf_left=$(($1 * 20))
	shift
	while ! "$@" 2>/dev/null; do
		wf_left=$((wf_left - 1))
		[ $wf_left -gt 0 ] || return 1
		sleep 0.05
	done
}

# socket_inodes PID: the inode of every socket PID holds, one a line.
socket_inodes() {
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in
		socket:\[*\]) l=${l#socket:[}; echo "${l%]}" ;;
		esac
	done
}

# Inodes of the sockets every other family lists in /proc/net: what is
# left of a process's sockets after these is punix.
_known_inodes() {
	awk 'FNR > 1 { print $7 }' /proc/net/unix
	for t in tcp tcp6 udp udp6 udplite udplite6 raw raw6; do
		[ -r /proc/net/$t ] && awk 'FNR > 1 { print $10 }' /proc/net/$t
	done
	awk 'FNR > 1 { print $9 }' /proc/net/netlink 2>/dev/null
	awk 'FNR > 1 { print $9 }' /proc/net/packet 2>/dev/null
}

# families PID: "unix=U punix=P" counting PID's sockets that /proc/net/unix
# lists (AF_UNIX) and those no /proc/net table of another family lists
# (punix). With /proc/net/punix (when the module has it), a punix socket
# must also be listed there, else it is counted as "other".
families() {
	fa_unix=$(awk 'FNR > 1 { print $7 }' /proc/net/unix)
	fa_known=$(_known_inodes)
	fa_punix=
	[ -r /proc/net/punix ] && fa_punix=$(awk 'FNR > 1 { print $7 }' /proc/net/punix)
	fa_u=0 fa_p=0 fa_o=0
	for i in $(socket_inodes "$1"); do
		if printf '%s\n' "$fa_unix" | grep -qx "$i"; then
			fa_u=$((fa_u + 1))
		elif printf '%s\n' "$fa_known" | grep -qx "$i"; then
			fa_o=$((fa_o + 1))
		elif [ ! -r /proc/net/punix ] || printf '%s\n' "$fa_punix" | grep -qx "$i"; then
			fa_p=$((fa_p + 1))
		else
			fa_o=$((fa_o + 1))
		fi
	done
	echo "unix=$fa_u punix=$fa_p"
}

# has_socket PID: PID holds a socket.
has_socket() { [ -n "$(socket_inodes "$1")" ]; }

# punix_refs: the module's reference count (each punix socket holds one).
punix_refs() { cat /sys/module/punix/refcnt 2>/dev/null || echo none; }

# no_punix_refs: no punix socket is left anywhere.
no_punix_refs() { [ "$(punix_refs)" = 0 ]; }

# check_server MODE PID BASE_REFS: the proof that server PID's sockets are
# on the family MODE says (native: AF_UNIX only, and punix's refcount did
# not move; punix: punix only, and the refcount rose). Prints what it saw
# to stdout for the TAP diagnostics; status 0 if it holds.
check_server() {
	cs_f=$(families "$2")
	cs_r=$(punix_refs)
	echo "pid $2 sockets: $cs_f; punix refcnt $3 -> $cs_r"
	case $1 in
	native)
		case $cs_f in unix=0\ *) return 1 ;; *\ punix=0) ;; *) return 1 ;; esac
		# Not above: a socket of an earlier test may still be going away.
		[ "$cs_r" = none ] || [ "$cs_r" -le "$3" ]
		;;
	punix)
		case $cs_f in unix=0\ punix=0) return 1 ;; unix=0\ *) ;; *) return 1 ;; esac
		[ "$cs_r" != none ] && [ "$cs_r" -gt "$3" ]
		;;
	esac
}

# listed NAME: /proc/net/unix lists a socket bound to NAME (a path, or
# @name): it is on AF_UNIX.
listed() { awk -v n="$1" 'FNR > 1 && $8 == n { f = 1 } END { exit !f }' /proc/net/unix; }

# runner MODE: the command prefix for MODE (native: none).
runner() {
	case $1 in
	native) echo "" ;;
	punix) echo "punix-run" ;;
	esac
}

# stop PID: SIGTERM, then wait for it (it is our child).
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
