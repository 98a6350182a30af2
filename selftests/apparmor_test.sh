#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# punix under AppArmor (busybox sh, TAP), the major LSM of Debian's
# kernels' default boot. It loads profiles with apparmor_parser (a host
# program: scripts/guest/host-files), each attached to its own copy of
# lsm_test, and runs that copy confined (README "Security modules"):
#
#   network unix,     Debian's 6.1 and 6.12 advertise AppArmor's network
#                     mediation as "network_v8", which Debian 12's
#                     apparmor_parser (3.0.8) does not know: it compiles no
#                     network rule, so no family is mediated. Both families
#                     pass everything, with no denial.
#   deny the bind directories' contents "w"
#                     security_path_mknod(): a path bind() gets EACCES on
#                     both families, each denial an AppArmor "mknod" of
#                     the socket node.
#
# Every profile allows all other file, capability, signal and ptrace access.

# shellcheck source=selftests/lsm_lib.sh
. "$(dirname "$0")/lsm_lib.sh"

AA=/sys/kernel/security/apparmor
lsm_begin 5 apparmor_test

# AppArmor's denials since the mark: "operation profile requested_mask" a
# line.
denials() {
	since | grep 'apparmor="DENIED"' |
		sed -n 's/.* operation="\([a-z_]*\)".* profile="\([^"]*\)".* requested_mask="\([a-z]*\)".*/\1 \2 \3/p'
}
# load NAME RULES: a profile NAME attached to $work/NAME/lsm_test, with
# RULES besides the common ones.
load() {
	mkdir -p "$work/$1"
	cp /tests/lsm_test "$work/$1/lsm_test"
	cat >"$work/$1.profile" <<-EOF
	profile punix_$1 $work/$1/lsm_test {
	  file,
	  capability,
	  signal,
	  ptrace,
	  $2
	}
	EOF
	apparmor_parser -r -K "$work/$1.profile" >"$work/$1.parser" 2>&1 ||
		{ sed 's/^/# /' "$work/$1.parser"; return 1; }
}
# run NAME ARGS...: the confined copy of lsm_test, its output in $work/NAME.out.
run() {
	name=$1
	shift
	lsm_run "$work/$name.out" "$work/$name/lsm_test" "$@"
}

[ -d $AA ] || bail "AppArmor is running"

# 1-2: network rules for AF_UNIX only.
load unix "network unix,"
check $? "load a profile with network unix"
mark
run unix
rc=$?
denials | sed 's/^/# denial: /'
[ $rc -eq 0 ] && ! denials | grep -q .
check $? "network unix: lsm_test passes on both families, confined, no denial"

# 3-5: no creating anything in the tests' directories (lsm_test binds in
# /tmp/punix-XXXXXX).
load nobind "audit deny /tmp/punix-*/** w,"
check $? "load a profile denying writes under /tmp/punix-*"
mark
! run nobind -r lsm.native.stream_connect >/dev/null &&
	grep -q 'bind_path(fd, family, path): errno 13 ' "$work/nobind.out"
check $? "no writes: AF_UNIX path bind() gets EACCES"
! run nobind -r lsm.punix.stream_connect >/dev/null &&
	grep -q 'bind_path(fd, family, path): errno 13 ' "$work/nobind.out" &&
	[ "$(denials | sort -u)" = "mknod punix_nobind c" ]
check $? "no writes: punix path bind() gets EACCES, both denied as mknod"

lsm_end
