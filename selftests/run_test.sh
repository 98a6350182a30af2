#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# punix-run with real Debian programs (run in the check VM, busybox sh).
#
# Each program runs twice in the same boot: as it is (native: AF_UNIX) and
# under punix-run (punix), with the same checks: the data that crossed the
# socket, the programs' exit statuses and outputs. While its server runs,
# each case also proves the family: the server's sockets are listed in
# /proc/net/unix and punix's module refcount does not rise (native), or
# none of them is in /proc/net/unix, none in another family's table, and
# the refcount rose (punix). Then: PUNIX_RUN_PATHS leaves a path or an
# abstract name it does not select on AF_UNIX; a Python program sees every
# name, SO_DOMAIN, dup'd and received sockets as AF_UNIX ones, and sockets
# moved back keep their flags and options; the wrapper and the library
# refuse to run without the module (rmmod, then insmod again).
#
# Needs: /usr/local/bin/punix-run and its library (scripts/vm.sh puts them
# there), socat, curl, nginx, redis-*, python3.11 (scripts/guest/host-files).

# shellcheck source=selftests/run_lib.sh
. "$(dirname "$0")/run_lib.sh"

MODES="native punix"

echo "TAP version 13"
echo "1..23"

D=$(mktemp -d /tmp/punix-run.XXXXXX) || exit 1
trap 'rm -rf "$D"' EXIT
head -c 1048576 /dev/urandom >"$D/in"
head -c 60000 /dev/urandom >"$D/din"

# socat_case MODE KIND: KIND stream (a file through UNIX-LISTEN /
# UNIX-CONNECT), dgram (one datagram through UNIX-RECVFROM / UNIX-SENDTO),
# abstract (a file through ABSTRACT-LISTEN / ABSTRACT-CONNECT).
socat_case() {
	m=$1 kind=$2 r=$(runner "$1")
	s=$D/$m-$kind.sock out=$D/$m-$kind.out in=$D/in
	case $kind in
	stream) srv=UNIX-LISTEN:$s cli=UNIX-CONNECT:$s,retry=200,interval=0.05 ;;
	dgram) srv=UNIX-RECVFROM:$s cli=UNIX-SENDTO:$s in=$D/din ;;
	abstract)
		srv=ABSTRACT-LISTEN:punix-run-$$-$m
		cli=ABSTRACT-CONNECT:punix-run-$$-$m,retry=200,interval=0.05
		;;
	esac
	base=$(punix_refs)
	$r socat -u -b 65536 "$srv" "CREATE:$out" 2>"$D/$m-$kind.err" &
	pid=$!
	# Ready once bound: the path exists (the abstract listener has a socket).
	if [ "$kind" = abstract ]; then
		wait_for 20 has_socket "$pid"
	else
		wait_for 20 test -S "$s"
	fi
	proof=$(check_server "$m" "$pid" "$base")
	pst=$?
	$r socat -u -b 65536 "OPEN:$in" "$cli" 2>>"$D/$m-$kind.err"
	cst=$?
	wait "$pid"
	sst=$?
	cmp -s "$in" "$out"
	dst=$?
	[ $pst -eq 0 ] && [ $cst -eq 0 ] && [ $sst -eq 0 ] && [ $dst -eq 0 ]
	ok $? "socat $kind $m: $(wc -c <"$in") bytes through, same bytes out" \
		"$proof (proof status $pst)" "client $cst, server $sst, cmp $dst" \
		"$(cat "$D/$m-$kind.err")"
}

cat >"$D/aio.py" <<'EOF'
# An asyncio unix server and its client, in one process. Once the server
# listens, the shell proof (check_server) runs on this process.
import asyncio, hashlib, os, subprocess, sys

lib, mode, base, path = sys.argv[1:5]

async def handle(reader, writer):
    while line := await reader.readline():
        writer.write(line.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()

async def client():
    reader, writer = await asyncio.open_unix_connection(path)
    sock = writer.get_extra_info("socket")
    print("client", sock.family.name, writer.get_extra_info("peername") == path)
    for i in range(500):
        writer.write(b"line %d over a unix socket\n" % i)
    await writer.drain()
    writer.write_eof()
    h = hashlib.sha256()
    n = 0
    while line := await reader.readline():
        h.update(line)
        n += 1
    print(n, h.hexdigest())
    writer.close()
    await writer.wait_closed()

async def main():
    srv = await asyncio.start_unix_server(handle, path)
    sock = srv.sockets[0]
    # A name returned with another family would not decode to the path.
    print("server", sock.family.name, sock.getsockname() == path)
    proof = await asyncio.create_subprocess_exec(
        "sh", "-c", '. "$0"; check_server "$@"', lib, mode,
        str(os.getpid()), base, stdout=subprocess.PIPE)
    out, _ = await proof.communicate()
    print(out.decode().strip(), file=sys.stderr)
    await client()
    srv.close()
    await srv.wait_closed()
    return proof.returncode

sys.exit(asyncio.run(main()))
EOF

aio_case() {
	m=$1 r=$(runner "$1") s=$D/$1-aio.sock
	base=$(punix_refs)
	$r python3.11 -S "$D/aio.py" "$(dirname "$0")/run_lib.sh" "$m" "$base" "$s" \
		>"$D/$m-aio.out" 2>"$D/$m-aio.err"
	st=$?
	# sha256 of the 500 lines upper-cased ("LINE 0 OVER A UNIX SOCKET\n"...)
	want="server AF_UNIX True
client AF_UNIX True
500 f73473fe17a8536a0ff44f9dd207102a53642a6984f4961c5948827de4e36693"
	[ $st -eq 0 ] && [ "$(cat "$D/$m-aio.out")" = "$want" ]
	ok $? "python asyncio unix server and client $m" \
		"server $(cat "$D/$m-aio.err")" "exit $st (1: the proof failed)" \
		"$(cat "$D/$m-aio.out")"
	cp "$D/$m-aio.out" "$D/$m-aio.result"
}

redis_ping() { $(runner "$1") redis-cli -s "$2" ping 2>/dev/null | grep -qx PONG; }

redis_case() {
	m=$1 r=$(runner "$1") s=$D/$1-redis.sock
	base=$(punix_refs)
	$r redis-server --port 0 --unixsocket "$s" --unixsocketperm 700 \
		--save '' --appendonly no --dir "$D" --daemonize no \
		--logfile "$D/$m-redis.log" &
	pid=$!
	wait_for 60 redis_ping "$m" "$s"
	proof=$(check_server "$m" "$pid" "$base")
	pst=$?
	lap "redis $m: server ready"
	$r redis-benchmark -s "$s" -n 2000 -c 10 -q -t set,get >"$D/$m-bench" 2>&1
	bst=$?
	rps=$(tr '\r' '\n' <"$D/$m-bench" | grep 'requests per second' | sed 's/,.*//')
	diag "$rps"
	bench=$(printf '%s\n' "$rps" | sed 's/:.*//' | xargs)
	lap "redis $m: benchmark"
	set=$($r redis-cli -s "$s" set punix-key "value over $m" 2>&1)
	get=$($r redis-cli -s "$s" get punix-key 2>&1)
	$r redis-cli -s "$s" shutdown nosave >/dev/null 2>&1
	wait "$pid"
	sst=$?
	[ $pst -eq 0 ] && [ $bst -eq 0 ] && [ "$bench" = "SET GET" ] &&
		[ "$set" = OK ] && [ "$get" = "value over $m" ] && [ $sst -eq 0 ]
	ok $? "redis-server -s, redis-benchmark -n 2000 and redis-cli $m" \
		"$proof (proof status $pst)" "benchmark: '$bench'" "set: $set, get: $get" \
		"server exit $sst" "$(tail -n 5 "$D/$m-redis.log")"
}

nginx_case() {
	m=$1 r=$(runner "$1") s=$D/$1-nginx.sock p=$D/$1-nginx
	mkdir -p "$p/www"
	cp "$D/in" "$p/www/file"
	cat >"$p/nginx.conf" <<-EOF
		daemon off;
		master_process on;
		user root;
		worker_processes 1;
		pid $p/nginx.pid;
		error_log $p/error.log;
		events { worker_connections 64; }
		http {
			access_log off;
			default_type application/octet-stream;
			client_body_temp_path $p/client_body;
			proxy_temp_path $p/proxy;
			fastcgi_temp_path $p/fastcgi;
			uwsgi_temp_path $p/uwsgi;
			scgi_temp_path $p/scgi;
			server {
				listen unix:$s;
				root $p/www;
			}
		}
	EOF
	base=$(punix_refs)
	$r nginx -p "$p/" -e "$p/error.log" -c "$p/nginx.conf" &
	pid=$!
	wait_for 60 test -S "$s"
	proof=$(check_server "$m" "$pid" "$base")
	pst=$?
	code=$($r curl -sS --unix-socket "$s" -o "$p/out" -w '%{http_code}' \
		--retry 20 --retry-delay 1 --retry-connrefused http://localhost/file 2>&1)
	cst=$?
	miss=$($r curl -sS --unix-socket "$s" -o /dev/null -w '%{http_code}' \
		http://localhost/nothing 2>&1)
	stop "$pid"
	cmp -s "$D/in" "$p/out"
	dst=$?
	[ $pst -eq 0 ] && [ $cst -eq 0 ] && [ "$code" = 200 ] && [ $dst -eq 0 ] &&
		[ "$miss" = 404 ]
	ok $? "curl --unix-socket against nginx $m: 1 MiB file, and a 404" \
		"$proof (proof status $pst)" "curl $cst: $code, $miss; cmp $dst" \
		"$(tail -n 5 "$p/error.log")"
}

cat >"$D/fds.py" <<'EOF'
# Descriptors over AF_UNIX: multiprocessing's forkserver gets the child's
# fds (here a Pipe end) with SCM_RIGHTS over its unix listener; then
# socket.send_fds / recv_fds between this process and a forked one.
import multiprocessing as mp, os, socket, subprocess, sys
from multiprocessing import forkserver

def child(conn):
    for x in iter(conn.recv, None):
        conn.send(x * x)
    conn.close()

if __name__ == "__main__":
    lib, mode, base = sys.argv[1:4]
    ctx = mp.get_context("forkserver")
    a, b = ctx.Pipe()
    p = ctx.Process(target=child, args=(b,))
    p.start()
    b.close()
    total = 0
    for i in range(100):
        a.send(i)
        total += a.recv()
    # The forkserver's listener: which family is it on?
    fpid = forkserver._forkserver._forkserver_pid
    proof = subprocess.run(["sh", "-c", '. "$0"; check_server "$@"', lib,
                            mode, str(fpid), base],
                           capture_output=True, text=True)
    a.send(None)
    p.join()
    print("forkserver:", total, p.exitcode)

    # send_fds: a pipe's read end to a forked process over a unix socket.
    path = os.path.join(os.path.dirname(sys.argv[0]), mode + "-fds.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        c = socket.socket(socket.AF_UNIX)
        c.connect(path)
        msg, fds, flags, addr = socket.recv_fds(c, 100, 1)
        data = os.read(fds[0], 100)
        os._exit(0 if (msg, data, c.getpeername()) ==
                 (b"fd", b"through the fd", path) else 1)
    conn, _ = srv.accept()
    socket.send_fds(conn, [b"fd"], [r])
    os.write(w, b"through the fd")
    _, st = os.waitpid(pid, 0)
    print("send_fds:", os.waitstatus_to_exitcode(st), srv.family.name)
    print(proof.stdout.strip(), file=sys.stderr)
    sys.exit(proof.returncode)
EOF

fds_case() {
	m=$1 r=$(runner "$1")
	base=$(punix_refs)
	$r python3.11 -S "$D/fds.py" "$(dirname "$0")/run_lib.sh" "$m" "$base" \
		>"$D/$m-fds.out" 2>"$D/$m-fds.err"
	st=$?
	[ $st -eq 0 ] &&
		[ "$(cat "$D/$m-fds.out")" = "$(printf 'forkserver: 328350 0\nsend_fds: 0 AF_UNIX')" ]
	ok $? "fd passing $m: multiprocessing forkserver and socket.send_fds" \
		"forkserver $(cat "$D/$m-fds.err")" "exit $st (1: the proof failed)" \
		"$(cat "$D/$m-fds.out")"
	cp "$D/$m-fds.out" "$D/$m-fds.result"
}

cat >"$D/lib.py" <<'EOF'
# The library's wrappers as a Python program sees them: every name, the
# family everywhere, dup'd and received sockets, autobind, and a socket
# moved back to AF_UNIX by PUNIX_RUN_PATHS keeping its flags and options.
import fcntl, os, socket, sys

base, d = sys.argv[1:3]
U = socket.AF_UNIX
res = []

def out(*a):
    res.append(" ".join(str(x) for x in a))

srv = socket.socket(U, socket.SOCK_DGRAM)
srv.bind(d + "/dg-srv")
cli = socket.socket(U, socket.SOCK_DGRAM)
cli.bind(d + "/dg-cli")
out("dgram names", srv.getsockname() == d + "/dg-srv",
    srv.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == U)
cli.sendto(b"one", d + "/dg-srv")
data, addr = srv.recvfrom(100)
out("recvfrom", data, addr == d + "/dg-cli")
cli.sendmsg([b"two"], [], 0, d + "/dg-srv")
data, anc, flags, addr = srv.recvmsg(100)
out("recvmsg", data, addr == d + "/dg-cli")
auto = socket.socket(U, socket.SOCK_DGRAM)
auto.bind("")
name = auto.getsockname()
auto.sendto(b"three", d + "/dg-srv")
data, addr = srv.recvfrom(100)
out("autobind", len(name), name[:1] == b"\0", data, addr == name)
dup = socket.socket(fileno=os.dup(srv.fileno()))
out("dup", dup.family == U, dup.getsockname() == d + "/dg-srv")
a, b = socket.socketpair()
a.send(b"pair")
out("socketpair", a.family == U, b.recv(10), a.getsockname() == "")

lst = socket.socket(U, socket.SOCK_STREAM)
lst.bind(d + "/st-lst")
lst.listen()
c = socket.socket(U, socket.SOCK_STREAM)
c.connect(d + "/st-lst")
conn, addr = lst.accept()
out("accept", addr == "", conn.getsockname() == d + "/st-lst",
    c.getpeername() == d + "/st-lst")
# SCM_RIGHTS: a socket received over a socket keeps its family.
socket.send_fds(c, [b"fd"], [srv.fileno()])
msg, fds, _, _ = socket.recv_fds(conn, 10, 1)
got = socket.socket(fileno=fds[0])
out("received", msg, got.family == U, got.getsockname() == d + "/dg-srv")

# Not selected by PUNIX_RUN_PATHS under punix-run: these move back to
# AF_UNIX at bind and connect, with their flags and options.
plst = socket.socket(U, socket.SOCK_STREAM)
plst.bind(d + "/plain-lst")
plst.listen()
pc = socket.socket(U, socket.SOCK_STREAM)
pc.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
pc.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
sndbuf = pc.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
pc.setblocking(False)
fd = pc.fileno()
pc.connect(d + "/plain-lst")
pconn, _ = plst.accept()
out("moved", pc.fileno() == fd,
    bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK),
    bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC),
    pc.getsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED),
    pc.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) == sndbuf,
    pc.getpeername() == d + "/plain-lst")
pc.send(b"plain")
out("plain data", pconn.recv(10))

with open("/proc/net/unix") as f:
    listed = {l.split()[7] for l in f.readlines()[1:] if len(l.split()) > 7}
out("listed", sorted(os.path.basename(p) for p in listed if p.startswith(d)))
try:
    with open("/sys/module/punix/refcnt") as f:
        out("punix refs rose", int(f.read()) > int(base))
except OSError:
    out("punix refs rose", False)
print("\n".join(res))
EOF

# lib_case MODE: lib.py, under punix-run with everything selected but
# plain-*: the same lines in both modes but which sockets /proc/net/unix
# lists and whether punix's refcount rose.
lib_case() {
	m=$1 r=$(runner "$1") dir=$D/$1-lib
	mkdir -p "$dir"
	base=$(punix_refs)
	PUNIX_RUN_PATHS="!$dir/plain-*:*:@*" $r python3.11 -S "$D/lib.py" "$base" "$dir" \
		>"$D/$m-lib.out" 2>&1
	st=$?
	if [ "$m" = native ]; then
		listed="['dg-cli', 'dg-srv', 'plain-lst', 'st-lst']" rose=False
	else
		listed="['plain-lst']" rose=True
	fi
	want="dgram names True True
recvfrom b'one' True
recvmsg b'two' True
autobind 6 True b'three' True
dup True True
socketpair True b'pair' True
accept True True True
received b'fd' True True
moved True True True 1 True True
plain data b'plain'
listed $listed
punix refs rose $rose"
	[ $st -eq 0 ] && [ "$(cat "$D/$m-lib.out")" = "$want" ]
	ok $? "python socket calls through the library $m: names, SO_DOMAIN, dup, autobind, SCM_RIGHTS, moved back" \
		"$(grep -E '^(listed|punix)' "$D/$m-lib.out" | xargs)" "exit $st" \
		"$(cat "$D/$m-lib.out")" "want: $want"
}

for m in $MODES; do socat_case "$m" stream; done
lap "socat stream"
for m in $MODES; do socat_case "$m" dgram; done
lap "socat dgram"
for m in $MODES; do socat_case "$m" abstract; done
lap "socat abstract"
for m in $MODES; do aio_case "$m"; done
cmp -s "$D/native-aio.result" "$D/punix-aio.result"
ok $? "python asyncio: the same client output over both families"
lap "python asyncio"
for m in $MODES; do redis_case "$m"; done
lap redis
for m in $MODES; do nginx_case "$m"; done
lap "nginx and curl"
for m in $MODES; do fds_case "$m"; done
cmp -s "$D/native-fds.result" "$D/punix-fds.result"
ok $? "fd passing: the same output over both families"
lap "fd passing"

# PUNIX_RUN_PATHS: a path it does not select stays on AF_UNIX (listed in
# /proc/net/unix; a client under punix-run with the same setting gets its
# socket moved back to AF_UNIX at connect and reaches it), one it selects
# moves (not listed; a client outside punix-run cannot reach it, one under
# it can). socat's own socketpair moves in both (PUNIX_RUN_SOCKETPAIR).
pat_case() {
	sel=$1 want=$2 s=$D/pat-$1.sock
	export PUNIX_RUN_PATHS="!$D/pat-no*:$D/pat-*"
	punix-run socat -u UNIX-LISTEN:"$s" CREATE:"$D/pat-$sel.out" 2>"$D/pat-$sel.err" &
	pid=$!
	wait_for 20 test -S "$s"
	listed "$s"
	lst=$?
	seen="listed in /proc/net/unix: $([ $lst -eq 0 ] && echo yes || echo no)"
	if [ "$want" = native ]; then
		echo "plain client" | PUNIX_RUN_DEBUG=1 punix-run \
			socat -u - UNIX-CONNECT:"$s" 2>"$D/pat-cli.err"
		cst=$?
		cat "$D/pat-cli.err" >>"$D/pat-$sel.err"
		grep -q "moved back to AF_UNIX" "$D/pat-cli.err" || cst=1
	else
		echo "plain client" | socat -u - UNIX-CONNECT:"$s" 2>/dev/null
		cst=$?
	fi
	if [ "$want" = punix ]; then
		[ $lst -ne 0 ] && [ $cst -ne 0 ] && echo "plain client" |
			punix-run socat -u - UNIX-CONNECT:"$s" 2>>"$D/pat-$sel.err"
		cst=$?
		lst=$((!lst))
	fi
	wait "$pid"
	sst=$?
	[ $lst -eq 0 ] && [ $cst -eq 0 ] && [ $sst -eq 0 ] &&
		[ "$(cat "$D/pat-$sel.out")" = "plain client" ]
	# The name without $D: the bench's expected list holds it.
	ok $? "PUNIX_RUN_PATHS: pat-$sel.sock on $want" \
		"$s: $seen; client $cst, server $sst" "$(cat "$D/pat-$sel.err")"
	unset PUNIX_RUN_PATHS
}
pat_case no native
pat_case yes punix
lap "PUNIX_RUN_PATHS"
for m in $MODES; do lib_case "$m"; done
lap "library calls"

# An abstract name PUNIX_RUN_PATHS does not select stays on AF_UNIX.
PUNIX_RUN_PATHS="@punix-run-other-*" punix-run \
	socat -u ABSTRACT-LISTEN:punix-run-pat-$$ CREATE:"$D/pat-abs.out" &
pid=$!
wait_for 20 listed "@punix-run-pat-$$"
lst=$?
echo "abstract" | socat -u - ABSTRACT-CONNECT:punix-run-pat-$$
cst=$?
wait "$pid"
sst=$?
[ $lst -eq 0 ] && [ $cst -eq 0 ] && [ $sst -eq 0 ] && [ "$(cat "$D/pat-abs.out")" = abstract ]
ok $? "PUNIX_RUN_PATHS: an abstract name it does not select stays on AF_UNIX" \
	"listed in /proc/net/unix $lst, plain client $cst, server $sst"

# Without the module: the wrapper refuses (and says why), and so does the
# library on its own; nothing runs over AF_UNIX instead.
. /bench.conf 2>/dev/null
# Every punix socket of the cases above is gone once their processes are
# (the forkserver exits on its own after its parent).
wait_for 30 no_punix_refs
if rmmod punix 2>"$D/rmmod.err"; then
	msg=$(punix-run socat -u - UNIX-LISTEN:"$D/unloaded.sock" 2>&1 </dev/null)
	wst=$?
	lmsg=$(LD_PRELOAD=/usr/local/lib/punix-run/libpunix-run.so \
		socat -u - UNIX-LISTEN:"$D/unloaded.sock" 2>&1 </dev/null)
	lst=$?
	# shellcheck disable=SC2086 # a list of parameters
	insmod /punix.ko $PUNIX_PARAMS
	ist=$?
	[ $wst -ne 0 ] && [ $lst -ne 0 ] && [ ! -e "$D/unloaded.sock" ] &&
		printf '%s\n' "$msg" | grep -q "punix is not loaded" &&
		printf '%s\n' "$lmsg" | grep -q "punix is not loaded"
	ok $? "without the module punix-run refuses, and so does the library" \
		"wrapper $wst: $msg" "library $lst: $lmsg"
	[ $ist -eq 0 ] && [ -r $FAMILY_FILE ]
	ok $? "punix loaded again" "insmod /punix.ko $PUNIX_PARAMS: $ist"
else
	ok 1 "without the module punix-run refuses, and so does the library" \
		"rmmod failed: $(cat "$D/rmmod.err")" "refcnt $(punix_refs)"
	ok 1 "punix loaded again"
fi

lap "module unloaded"
[ $tap_n -eq 23 ] || diag "planned 23, ran $tap_n"
exit $((tap_failed != 0))
