#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the DKMS check VM (busybox sh, PID 1), built by scripts/dkms-check.sh.
# The initramfs carries what `dkms install` left in /lib/modules/<release>
# on the host: punix.ko at its installed path and depmod's modules.* files.
# Nothing loads punix here but kmod's modprobe, called by the kernel or by
# this script. Reports on ttyS1 like check-init.sh:
#
#   @@punix begin <kernel release>
#   @@punix case <name> ok|fail [detail]
#   @@punix end
#
# /bench.conf sets RELEASE, VERSION, MODPATH (the installed module) and
# ALT_FAMILY (a free family number other than 25).

export PATH=/usr/sbin:/bin:/usr/bin HOME=/ TERM=dumb

# shellcheck source=scripts/guest/init-lib.sh
. /init-lib.sh
guest_start

# kmod (a host program, scripts/guest/host-files) under the names it answers
# to, and as the kernel's modprobe. busybox's sh runs its own applets for
# bare command names whatever PATH says, so these are called by full path.
mkdir -p /usr/sbin /etc/modprobe.d
for t in modprobe depmod modinfo lsmod rmmod insmod; do
	ln -sf /usr/bin/kmod /usr/sbin/$t
done
modprobe() { /usr/sbin/modprobe "$@"; }
modinfo() { /usr/sbin/modinfo "$@"; }
rmmod() { /usr/sbin/rmmod "$@"; }
echo /usr/sbin/modprobe >/proc/sys/kernel/modprobe
out=$(modprobe -V 2>&1)
rc=$?
case $out in kmod*) ;; *) rc=1 ;; esac
[ "$(cat /proc/sys/kernel/modprobe)" = /usr/sbin/modprobe ] || rc=1
[ "$(uname -r)" = "$RELEASE" ] || { rc=1; out="booted $(uname -r), expected $RELEASE"; }
case_result kmod-is-modprobe $rc "$out"

# socket_as_nobody FAMILY: socket(FAMILY, SOCK_STREAM, 0) as uid/gid 65534;
# prints "ok" or "errno N".
socket_as_nobody() {
	python3.11 -c '
import os, socket, sys
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
try:
    socket.socket(int(sys.argv[1]), socket.SOCK_STREAM).close()
    print("ok uid", os.getuid())
except OSError as e:
    print("errno", e.errno)
' "$1" 2>&1
}

loaded() { grep -q '^punix ' /proc/modules; }
family() { cat /sys/module/punix/parameters/family 2>/dev/null; }
unload() { loaded && rmmod punix; ! loaded; }
EAFNOSUPPORT=97

# depmod's index finds the module DKMS installed, with its alias.
file=$(modinfo -F filename punix 2>&1)
ver=$(modinfo -F version punix 2>&1)
alias=$(modinfo -F alias punix 2>&1)
[ "$file" = "$MODPATH" ] && [ "$ver" = "$VERSION" ] && [ "$alias" = net-pf-25 ]
case_result modinfo-finds-dkms-module $? "filename=$file version=$ver alias=$alias"

! loaded
case_result not-loaded-at-boot $?

# (a) The first socket(25, ...) of an unprivileged user loads punix: the
# kernel asks modprobe for net-pf-25, the alias punix.ko carries.
out=$(socket_as_nobody 25)
[ "$out" = "ok uid 65534" ] && loaded && [ "$(family)" = 25 ]
case_result autoload-by-unprivileged-socket $? "socket: $out; loaded: $(loaded && echo yes || echo no); family: $(family)"
unload
case_result rmmod-after-autoload $?

# A sock_diag request for family 25 (what punix-ss sends) does not load
# punix: the kernel requests a family's diag handler only once the family is
# registered (sock_load_diag_module()), so the answer is ENOENT. Once punix
# is loaded, the same request gets its empty dump (NLMSG_DONE).
diag_as_nobody() {
	python3.11 -c '
import os, socket, struct
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)  # NETLINK_SOCK_DIAG
req = struct.pack("=BBHIIIII", 25, 0, 0, 0xffffffff, 0, 0, 0xffffffff, 0xffffffff)
# SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP
s.send(struct.pack("=IHHII", 16 + len(req), 20, 0x301, 1, 0) + req)
msg = s.recv(65536)
ln, typ = struct.unpack_from("=IH", msg)
if typ == 2:  # NLMSG_ERROR
    print("errno", -struct.unpack_from("=i", msg, 16)[0])
else:
    print("done" if typ == 3 else "type %d" % typ)
' 2>&1
}
out=$(diag_as_nobody)
[ "$out" = "errno 2" ] && ! loaded
case_result diag-request-does-not-autoload $? "reply: $out; loaded: $(loaded && echo yes || echo no)"
out=$(modprobe punix 2>&1) && [ "$(diag_as_nobody)" = "done" ]
case_result diag-request-answered-once-loaded $? "$out"
unload
case_result rmmod-after-diag $?

# (b) Another family number for when 25 is taken: modprobe punix family=N.
out=$(modprobe punix family="$ALT_FAMILY" 2>&1)
rc=$?
s_alt=$(socket_as_nobody "$ALT_FAMILY")
s_25=$(socket_as_nobody 25)
[ $rc -eq 0 ] && [ "$(family)" = "$ALT_FAMILY" ] && [ "$s_alt" = "ok uid 65534" ] &&
	[ "$s_25" = "errno $EAFNOSUPPORT" ]
case_result modprobe-family-param $? "modprobe: rc $rc $out; family: $(family); socket($ALT_FAMILY): $s_alt; socket(25): $s_25"
unload
case_result rmmod-after-modprobe $?

# ...and the modprobe.d lines that make family N the one that autoloads.
printf 'options punix family=%s\nalias net-pf-%s punix\n' "$ALT_FAMILY" "$ALT_FAMILY" \
	>/etc/modprobe.d/punix.conf
out=$(socket_as_nobody "$ALT_FAMILY")
[ "$out" = "ok uid 65534" ] && [ "$(family)" = "$ALT_FAMILY" ]
case_result modprobe.d-options-family-autoload $? "socket($ALT_FAMILY): $out; family: $(family)"
unload
rm -f /etc/modprobe.d/punix.conf

# (c) The administrator's off switch: "blacklist punix" ignores the module's
# own aliases, so socket(25, ...) fails as if punix were not installed...
echo 'blacklist punix' >/etc/modprobe.d/punix.conf
out=$(socket_as_nobody 25)
[ "$out" = "errno $EAFNOSUPPORT" ] && ! loaded
case_result blacklist-stops-autoload $? "socket(25): $out; loaded: $(loaded && echo yes || echo no)"

# ...while root can still load it by name.
out=$(modprobe punix 2>&1)
rc=$?
[ $rc -eq 0 ] && loaded && [ "$(family)" = 25 ]
case_result blacklist-allows-modprobe-by-name $? "rc $rc $out; family: $(family)"
unload
rm -f /etc/modprobe.d/punix.conf

# Taint bits that mean the kernel got hurt (see check-init.sh). Unsigned or
# signed by an unknown key (E) and out-of-tree (O) are expected: DKMS signed
# punix.ko with the host's own key, which this kernel does not trust.
taint=$(cat /proc/sys/kernel/tainted)
[ $(( taint & ((1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)) )) -eq 0 ]
case_result kernel-not-tainted $? "tainted=$taint"

finish
