#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# punix-ss against ss(8), differentially (busybox sh, TAP).
#
# In a private network namespace, two python3.11 processes make the same set
# of sockets, one over AF_UNIX and one over punix: a path listener with an
# accepted and a not yet accepted connection, data pending both ways, a shut
# down stream pair, unbound stream and seqpacket sockets, an abstract
# datagram socket with a connected sender and queued datagrams, an abstract
# seqpacket listener with a connection, a datagram pair, a path-bound
# datagram socket. Then, for each option set:
#
#   exact/...  punix-ss -F 1 OPTS prints byte for byte what ss -x OPTS
#              prints (the same AF_UNIX sockets, the same kernel answers);
#   twin/...   punix-ss OPTS on the punix sockets prints what ss -x OPTS
#              prints on the AF_UNIX twins, once socket inodes are replaced
#              by their rank, path inodes and pids by a letter, the family's
#              tag in names ("ss-u" / "ss-p") by "ss-X", runs of blanks by
#              one, and the rows sorted (the kernel lists its hash table in
#              an order of its own).

if [ -z "$SS_TEST_IN_NETNS" ]; then
	SS_TEST_IN_NETNS=1 exec unshare -n -m /bin/sh "$0" "$@"
	echo "not ok 1 unshare -n"
	exit 1
fi

echo "TAP version 13"
work=$(mktemp -d /tmp/ss_test.XXXXXX) || exit 1
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
bail() { echo "1..$((n + 1))"; notok "$1"; exit 1; }

# ss needs AF_UNIX's sock_diag handler, unix_diag (check-init.sh loads the
# module); without it ss would read /proc/net/unix and print other columns.
punix-ss -F 1 -a >/dev/null 2>"$work/err" || { sed 's/^/# /' "$work/err"; bail "unix_diag answers"; }
family=$(cat /sys/module/punix/parameters/family) || bail "punix is loaded"

cat >"$work/twins.py" <<'EOF'
# twins.py FAMILY TAG DIR: make the sockets, say "ready", wait for EOF.
import ctypes, os, socket, sys

fam, tag, d = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# One CPU: socket inodes come from per-CPU batches, increasing on each CPU,
# so both twins get their inodes in the same order.
os.sched_setaffinity(0, {0})
libc = ctypes.CDLL(None, use_errno=True)

def addr(name):
    b = name.encode()
    raw = fam.to_bytes(2, sys.byteorder) + b
    return ctypes.create_string_buffer(raw, len(raw)), len(raw)

def call(fn, s, name):
    buf, n = addr(name)
    if fn(s.fileno(), buf, n) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s %r: %s" % (fn.__name__, name, os.strerror(e)))

def sock(t):
    return socket.socket(fam, t)

def accept(s):  # python's accept() knows no family but its own: an fd
    fd = libc.accept(s.fileno(), None, None)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "accept")
    return fd

keep = []
ST, DG, SQ = socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET
lis = sock(ST); call(libc.bind, lis, d + "/stream.sock"); lis.listen(8)
c1 = sock(ST); call(libc.connect, c1, d + "/stream.sock")
s1 = accept(lis)
c1.send(b"c" * 100); os.write(s1, b"s" * 7)
c2 = sock(ST); call(libc.connect, c2, d + "/stream.sock")  # never accepted
c2.send(b"p" * 3)
p1, p2 = socket.socketpair(fam, ST)
p2.send(b"q" * 5); p1.shutdown(socket.SHUT_WR)
unb = sock(ST)
rx = sock(DG); call(libc.bind, rx, "\0ss-%s-dgram" % tag)
tx = sock(DG); call(libc.connect, tx, "\0ss-%s-dgram" % tag)
tx.send(b"d" * 10); tx.send(b"e" * 20)
sql = sock(SQ); call(libc.bind, sql, "\0ss-%s-seq" % tag); sql.listen(4)
sqc = sock(SQ); call(libc.connect, sqc, "\0ss-%s-seq" % tag)
sqs = accept(sql)
sqc.send(b"r" * 9)
squ = sock(SQ)
d1, d2 = socket.socketpair(fam, DG)
d1.send(b"x" * 4)
pathdg = sock(DG); call(libc.bind, pathdg, d + "/dgram.sock")
keep += [lis, c1, s1, c2, p1, p2, unb, rx, tx, sql, sqc, sqs, squ, d1, d2, pathdg]
print("ready", flush=True)
sys.stdin.read()
EOF

# start_twins NAME FAMILY TAG: run twins.py in the background, wait for it.
start_twins() {
	mkdir -p "/tmp/ss-$3"
	mkfifo "$work/$1.in" "$work/$1.out"
	python3.11 "$work/twins.py" "$2" "$3" "/tmp/ss-$3" \
		<"$work/$1.in" >"$work/$1.out" 2>"$work/$1.err" 7>&- 8>&- &
	eval "exec $4>\"$work/$1.in\""
	read -r line <"$work/$1.out"
	[ "$line" = ready ] || { cat "$work/$1.err"; bail "python makes the $1 sockets"; }
}
start_twins native 1 u 7
start_twins punix "$family" p 8

# The rank of every socket inode (the Port column of "-a" output), per family.
ranks() { # "ss -x" or "punix-ss": prints "INODE RANK" lines
	$1 -a -H | awk '{ print $6 }' | sort -n | awk '{ print $1, NR }'
}
ranks "ss -x" >"$work/native.ranks"
ranks punix-ss >"$work/punix.ranks"

# normalise RANKS K: stdin is ss output whose port columns are fields K+4
# and K+6 (K leading Netid/State columns).
normalise() {
	awk -v k="$2" '
		FILENAME == ARGV[1] { rank[$1] = $2; next }
		/^(Netid|State|Recv-Q) / { $1 = $1; hdr = $0; next }
		{
			for (i = 1; i <= NF; i++) {
				if ((i == k + 4 || i == k + 6 || peers) && ($i in rank))
					$i = "I" rank[$i]
				if ($i == "peers:")
					peers = 1
			}
			peers = 0
			gsub(/ino:[0-9]+/, "ino:V")
			gsub(/pid=[0-9]+/, "pid=P")
			gsub(/ss-[up]/, "ss-X")
			$1 = $1
			print
		}
		END { if (hdr != "") print "0 " hdr }
	' "$1" - | sort
}

# ttyrun.py COLUMNS COMMAND...: run COMMAND with its output on a terminal
# COLUMNS wide, print what it wrote (ss fits its columns to a terminal).
cat >"$work/ttyrun.py" <<'EOF'
import fcntl, os, pty, struct, subprocess, sys, termios

master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, int(sys.argv[1]), 0, 0))
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the command closed the terminal
        break
    if not chunk:
        break
    out += chunk
p.wait()
sys.stdout.buffer.write(out)
EOF
# Terminals for ttyrun.py, in this test's own mount namespace.
if [ ! -e /dev/pts/ptmx ]; then
	mkdir -p /dev/pts
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts || bail "mount devpts"
fi

# name|options|leading columns (Netid and State shown: 2)
cases='all|-a|2
default||2
listening|-l|2
numeric|-n -a|2
extended|-a -e|2
memory|-a -m|2
processes|-a -p|2
everything|-a -e -m -p -n|2
no-header|-a -H|2
listening-extended|-l -e|2
state-listening|state listening|1
state-established-memory|-m state established|1
state-two|state unconnected state listening|2
exclude|exclude established|2
all-exclude|-a exclude listening|2
connected|state connected|2
query-seqpacket|-a -A u_seq|1
query-two|-a -A u_str,u_dgr -e|2'

echo "1..$(($(echo "$cases" | wc -l) * 2 + 4))"
echo "$cases" >"$work/cases"
while IFS='|' read -r name opts k; do
	# shellcheck disable=SC2086 # opts is a list of options
	ss -x $opts >"$work/ss.out" 2>&1
	# shellcheck disable=SC2086
	punix-ss -F 1 $opts >"$work/pss1.out" 2>&1
	if cmp -s "$work/ss.out" "$work/pss1.out"; then
		ok "exact/$name: punix-ss -F 1 $opts == ss -x $opts"
	else
		notok "exact/$name: punix-ss -F 1 $opts == ss -x $opts"
		diff -u "$work/ss.out" "$work/pss1.out" | sed 's/^/# /'
	fi

	# shellcheck disable=SC2086
	if ! punix-ss $opts >"$work/pss.out" 2>&1; then
		notok "twin/$name: punix-ss $opts on punix == ss -x $opts on AF_UNIX"
		sed 's/^/# /' "$work/pss.out"
		continue
	fi
	normalise "$work/native.ranks" "$k" <"$work/ss.out" >"$work/ss.norm"
	normalise "$work/punix.ranks" "$k" <"$work/pss.out" >"$work/pss.norm"
	# A comparison of two empty lists would prove nothing.
	if grep -Evq '^(Netid|State|Recv-Q) ' "$work/ss.out"; then
		busy=1
	else
		busy=0
	fi
	if [ "$busy" = 1 ] && cmp -s "$work/ss.norm" "$work/pss.norm"; then
		ok "twin/$name: punix-ss $opts on punix == ss -x $opts on AF_UNIX"
	else
		notok "twin/$name: punix-ss $opts on punix == ss -x $opts on AF_UNIX"
		[ "$busy" = 1 ] || echo "# ss -x $opts listed no socket"
		echo "# ss -x $opts (AF_UNIX):"
		sed 's/^/#   /' "$work/ss.out"
		echo "# punix-ss $opts (punix):"
		sed 's/^/#   /' "$work/pss.out"
		echo "# normalised, - AF_UNIX + punix:"
		diff -u "$work/ss.norm" "$work/pss.norm" | sed 's/^/# /'
	fi
done <"$work/cases"

# On a terminal, ss spreads the spare width over the columns of each line.
for cols in 60 80 132 250; do
	python3.11 "$work/ttyrun.py" "$cols" ss -x -a -e -m -p >"$work/ss.tty" 2>&1
	python3.11 "$work/ttyrun.py" "$cols" punix-ss -F 1 -a -e -m -p >"$work/pss.tty" 2>&1
	if grep -q ' LISTEN ' "$work/ss.tty" && cmp -s "$work/ss.tty" "$work/pss.tty"; then
		ok "exact/terminal-$cols: punix-ss -F 1 -a -e -m -p == ss -x -a -e -m -p on a $cols-column terminal"
	else
		notok "exact/terminal-$cols: punix-ss -F 1 -a -e -m -p == ss -x -a -e -m -p on a $cols-column terminal"
		diff -u "$work/ss.tty" "$work/pss.tty" | sed 's/^/# /'
	fi
done

# What punix-ss shows (for the README).
punix-ss -a -p | sed 's/^/# punix-ss -a -p: /'

exec 7>&- 8>&-
wait
rm -rf "$work" /tmp/ss-u /tmp/ss-p
[ "$failed" -eq 0 ]
