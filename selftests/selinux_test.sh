#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# punix under SELinux (busybox sh, TAP). Runs only in the bench's SELinux
# boot (scripts/check.sh: kernel NAME-selinux, lsm=...,selinux,...), which
# packs lsm_test and the policies selinux_{allow,nosendto,permissive}.pol
# (compiled from selftests/selinux_*.cil) into /tests.
#
# SELinux gives AF_UNIX sockets the classes unix_stream_socket and
# unix_dgram_socket, and every family it does not know, punix's included,
# the generic class "socket" (socket_type_to_security_class()). Both hooks
# punix calls check a permission of the receiving socket's class:
#
#   security_unix_may_send()       "sendto", which "socket" has: a policy
#                                   decides it for punix as for AF_UNIX,
#                                   in its own class;
#   security_unix_stream_connect() unix_stream_socket's "connectto", bit
#                                   0x200000, which "socket" lacks: no
#                                   policy can grant it, so it is audited
#                                   as "{ 0x200000 } tclass=socket" and,
#                                   enforcing, refused (README "Security
#                                   modules": why punix still calls it).
#
# Cases: permissive with a policy allowing everything (lsm_test passes on
# both families; the only denials are punix's stream connects, as the
# unknown bit of "socket"); enforcing with it (AF_UNIX passes everything,
# punix everything but stream and seqpacket connect, which get EACCES);
# enforcing without "sendto" (datagram connect and sendto get EACCES on
# both families, the denials naming each family's class); enforcing with
# the allow-all policy's type made permissive, the policy-side workaround
# (everything passes; punix's connects are logged, not refused).

# shellcheck source=selftests/lsm_lib.sh
. "$(dirname "$0")/lsm_lib.sh"

T=/tests/lsm_test
SEL=/sys/fs/selinux
lsm_begin 10 selinux_test

# The AVC denials since the mark, one "perms tclass=... permissive=..."
# per line.
denials() {
	since | grep 'avc:  denied' |
		sed -n 's/.*avc:  denied  \({[^}]*}\).* \(tclass=[a-z_]*\) \(permissive=[01]\).*/\1 \2 \3/p'
}
# run NAME ARGS...: lsm_test ARGS, its output kept in $work/NAME.
run() {
	name=$1
	shift
	lsm_run "$work/$name" "$T" "$@"
}

mounted $SEL || mount -t selinuxfs selinuxfs $SEL || bail "mount selinuxfs"
grep -qw selinux /sys/kernel/security/lsm || bail "SELinux is running"
[ "$(cat $SEL/enforce)" = 0 ] || bail "SELinux starts permissive"

# 1-3: permissive, everything allowed.
cat /tests/selinux_allow.pol >$SEL/load
check $? "load the allow-all policy"
mark
run permissive
check $? "permissive, allow-all: lsm_test passes on both families"
denials >"$work/d1"
sed 's/^/# denial: /' "$work/d1"
grep -q . "$work/d1" && ! grep -v '^{ 0x200000 } tclass=socket permissive=1$' "$work/d1" | grep -q .
check $? "permissive: the only denials are punix's connects, as socket { 0x200000 }"

# 4-6: enforcing, the same policy.
echo 1 >$SEL/enforce
mark
run enf-native -v native
check $? "enforcing, allow-all: lsm_test passes on AF_UNIX"
run enf-punix -V native -T stream_connect -T seqpacket_connect
check $? "enforcing, allow-all: punix datagrams and socketpairs pass"
! run enf-stream -r lsm.punix.stream_connect >/dev/null &&
	grep -q 'connect_path(c, self->family, path): errno 13 ' "$work/enf-stream" &&
	! run enf-seq -r lsm.punix.seqpacket_connect >/dev/null &&
	grep -q 'connect_path(c, self->family, path): errno 13 ' "$work/enf-seq" &&
	[ "$(denials | sort -u)" = "{ 0x200000 } tclass=socket permissive=0" ]
check $? "enforcing: punix stream and seqpacket connect get EACCES from socket { 0x200000 }"

# 7-8: enforcing, no "sendto" on either family's datagram class.
cat /tests/selinux_nosendto.pol >$SEL/load
check $? "load the policy without sendto"
mark
LSM_SENDTO_ERRNO=13 run nosendto -t dgram_connect -t dgram_sendto
rc=$?
denials | sort -u >"$work/d2"
sed 's/^/# denial: /' "$work/d2"
[ $rc -eq 0 ] && [ "$(cat "$work/d2")" = "{ sendto } tclass=socket permissive=0
{ sendto } tclass=unix_dgram_socket permissive=0" ]
check $? "enforcing, no sendto: datagram connect and sendto get EACCES on both, each in its class"

# 9-10: enforcing, the allow-all policy with its type permissive.
cat /tests/selinux_permissive.pol >$SEL/load
check $? "load the allow-all policy with a permissive type"
mark
run permtype
rc=$?
denials | sort -u >"$work/d3"
sed 's/^/# denial: /' "$work/d3"
[ $rc -eq 0 ] && [ "$(cat "$work/d3")" = "{ 0x200000 } tclass=socket permissive=1" ]
check $? "enforcing, permissive type: lsm_test passes on both, punix's connect logged"

# Leave the machine as it came: permissive, everything allowed.
echo 0 >$SEL/enforce
cat /tests/selinux_allow.pol >$SEL/load
lsm_end
