// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options on SOCK_STREAM sockets.  All SOL_SOCKET options are the
 * generic sk_getsockopt()/sock_setsockopt() ones; what the family has to get
 * right is the state they report (SO_ACCEPTCONN, SO_ERROR, SO_PEERCRED ...)
 * and that any other level is EOPNOTSUPP (af_unix has no ->setsockopt).
 */
#include "punix_test.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

PUNIX_FIXTURE(opts);

static long read_sysctl(const char *path)
{
	char buf[32] = "";
	long val = -1;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		val = strtol(buf, NULL, 10);
	close(fd);
	return val;
}

static int get_cred(int fd, struct ucred *uc)
{
	socklen_t len = sizeof(*uc);

	memset(uc, 0x5a, sizeof(*uc));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len))
		return -1;
	return len == sizeof(*uc) ? 0 : -1;
}

/* SO_TYPE, SO_DOMAIN (the variant's family) and SO_PROTOCOL (0) everywhere. */
TEST_F(opts, type_domain_protocol)
{
	char path[96];
	int fds[4];

	TPATH(path, "l");
	fds[0] = new_listener(self->family, path, 1);
	fds[1] = new_client(self->family, path);
	fds[2] = accept_ok(fds[0]);
	fds[3] = new_socket(self->family);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(SOCK_STREAM, get_int_opt(fds[i], SOL_SOCKET, SO_TYPE));
		ASSERT_EQ(self->family, get_int_opt(fds[i], SOL_SOCKET, SO_DOMAIN));
		ASSERT_EQ(0, get_int_opt(fds[i], SOL_SOCKET, SO_PROTOCOL));
		close(fds[i]);
	}
}

/*
 * SO_ACCEPTCONN is 1 only on a listening socket: not when fresh or merely
 * bound, not on either end of a connection.  It is read-only.
 */
TEST_F(opts, acceptconn)
{
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	l = new_socket(self->family);
	ASSERT_EQ(0, get_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_RET(0, bind_path(l, self->family, path));
	ASSERT_EQ(0, get_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_RET(0, listen(l, 1));
	ASSERT_EQ(1, get_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN));
	c = new_client(self->family, path);
	s = accept_ok(l);
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_ERRNO(ENOPROTOOPT, set_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN, 0));
	close(s);
	close(c);
	close(l);
}

/* SO_ERROR is 0 on healthy sockets and cannot be set. */
TEST_F(opts, so_error)
{
	int c, s, fd = new_socket(self->family);

	ASSERT_EQ(0, get_int_opt(fd, SOL_SOCKET, SO_ERROR));
	new_pair(&c, &s);
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_ERROR));
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_ERROR));
	ASSERT_ERRNO(ENOPROTOOPT, set_int_opt(fd, SOL_SOCKET, SO_ERROR, 1));
	close(fd);
	close(c);
	close(s);
}

/*
 * Buffer sizes start at net.core.wmem_default / rmem_default (also on the
 * accepted socket, made by the family itself).
 */
TEST_F(opts, buffer_defaults)
{
	long wdef = read_sysctl("/proc/sys/net/core/wmem_default");
	long rdef = read_sysctl("/proc/sys/net/core/rmem_default");
	int fd = new_socket(self->family);
	int c, s;

	ASSERT_LT(0, wdef);
	ASSERT_LT(0, rdef);
	new_pair(&c, &s);
	ASSERT_EQ(wdef, get_int_opt(fd, SOL_SOCKET, SO_SNDBUF));
	ASSERT_EQ(rdef, get_int_opt(fd, SOL_SOCKET, SO_RCVBUF));
	ASSERT_EQ(wdef, get_int_opt(s, SOL_SOCKET, SO_SNDBUF));
	ASSERT_EQ(rdef, get_int_opt(s, SOL_SOCKET, SO_RCVBUF));
	ASSERT_EQ(wdef, get_int_opt(c, SOL_SOCKET, SO_SNDBUF));
	close(fd);
	close(c);
	close(s);
}

/*
 * SO_SNDBUF/SO_RCVBUF store twice the value, clamped below by the generic
 * minimum and above by wmem_max/rmem_max (compared with an AF_UNIX socket
 * on the same kernel for the minimum, which depends on sizeof(sk_buff)).
 */
TEST_F(opts, buffer_doubling)
{
	long wmax = read_sysctl("/proc/sys/net/core/wmem_max");
	long rmax = read_sysctl("/proc/sys/net/core/rmem_max");
	int fd = new_socket(self->family);
	int ref = socket(AF_UNIX, SOCK_STREAM, 0);

	ASSERT_LE(0, ref);
	ASSERT_LT(16384, wmax);
	ASSERT_LT(16384, rmax);
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, 8192));
	ASSERT_EQ(16384, get_int_opt(fd, SOL_SOCKET, SO_SNDBUF));
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, 8192));
	ASSERT_EQ(16384, get_int_opt(fd, SOL_SOCKET, SO_RCVBUF));

	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, 0));
	ASSERT_EQ(0, set_int_opt(ref, SOL_SOCKET, SO_SNDBUF, 0));
	ASSERT_EQ(get_int_opt(ref, SOL_SOCKET, SO_SNDBUF),
		  get_int_opt(fd, SOL_SOCKET, SO_SNDBUF));
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, 1));
	ASSERT_EQ(0, set_int_opt(ref, SOL_SOCKET, SO_RCVBUF, 1));
	ASSERT_EQ(get_int_opt(ref, SOL_SOCKET, SO_RCVBUF),
		  get_int_opt(fd, SOL_SOCKET, SO_RCVBUF));

	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, INT_MAX));
	ASSERT_EQ(2 * wmax, get_int_opt(fd, SOL_SOCKET, SO_SNDBUF));
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, INT_MAX));
	ASSERT_EQ(2 * rmax, get_int_opt(fd, SOL_SOCKET, SO_RCVBUF));
	close(ref);
	close(fd);
}

/* SO_PEERCRED on a socketpair: both ends see the creator. */
TEST_F(opts, peercred_socketpair)
{
	struct ucred uc;
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, get_cred(sv[i], &uc));
		ASSERT_EQ(getpid(), uc.pid);
		ASSERT_EQ(geteuid(), uc.uid);
		ASSERT_EQ(getegid(), uc.gid);
	}
	close(sv[0]);
	close(sv[1]);
}

/*
 * No peer credentials before listen()/connect(): pid 0, uid and gid -1
 * (cred_to_ucred() with no pid and no cred).
 */
TEST_F(opts, peercred_unset)
{
	struct ucred uc;
	char path[96];
	int fd = new_socket(self->family);

	ASSERT_EQ(0, get_cred(fd, &uc));
	ASSERT_EQ(0, uc.pid);
	ASSERT_EQ((uid_t)-1, uc.uid);
	ASSERT_EQ((gid_t)-1, uc.gid);
	TPATH(path, "b");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	ASSERT_EQ(0, get_cred(fd, &uc));
	ASSERT_EQ(0, uc.pid);
	ASSERT_EQ((uid_t)-1, uc.uid);
	close(fd);
}

/* listen() records the listener's own credentials (update_peercred()). */
TEST_F(opts, peercred_listener)
{
	struct ucred uc;
	char path[96];
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, get_cred(l, &uc));
	ASSERT_EQ(getpid(), uc.pid);
	ASSERT_EQ(geteuid(), uc.uid);
	ASSERT_EQ(getegid(), uc.gid);
	close(l);
}

/*
 * Across processes: the client sees the listener's credentials (from
 * listen() time), the accepted socket sees the client's (from connect()
 * time, effective ids).  The client is a child that switched its effective
 * uid/gid to nobody before connecting.
 */
TEST_F(opts, peercred_across_processes)
{
	int sync[2];
	struct ucred uc;
	char path[96];
	pid_t pid;
	int l, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	/* nobody must be allowed to connect; never wait forever on accept. */
	ASSERT_EQ(0, chmod(path, 0777));
	ASSERT_EQ(0, set_timeo(l, SO_RCVTIMEO, LONG_TIMEO_MS));
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t parent = getppid();
		struct ucred pc;
		int fd;
		char ch;

		close(sync[1]);
		if (setegid(NOBODY_ID) || seteuid(NOBODY_ID))
			_exit(98);
		fd = socket(self->family, SOCK_STREAM, 0);
		if (fd < 0 || connect_path(fd, self->family, path))
			_exit(96);
		if (get_cred(fd, &pc))
			_exit(95);
		if (pc.pid != parent || pc.uid != 0 || pc.gid != 0)
			_exit(94);
		/* Stay alive until the parent has looked at us. */
		_exit(read(sync[0], &ch, 1) == 0 ? 0 : 93);
	}
	close(sync[0]);
	s = accept(l, NULL, NULL);
	if (s < 0) {
		close(sync[1]);
		ASSERT_EQ(0, wait_child(pid));
	}
	ASSERT_LE(0, s);
	ASSERT_EQ(0, get_cred(s, &uc));
	ASSERT_EQ(pid, uc.pid);
	ASSERT_EQ((uid_t)NOBODY_ID, uc.uid);
	ASSERT_EQ((gid_t)NOBODY_ID, uc.gid);
	close(sync[1]);
	ASSERT_EQ(0, wait_child(pid));
	close(s);
	close(l);
}

/* SO_PASSCRED is stored and read back. */
TEST_F(opts, passcred_roundtrip)
{
	int fd = new_socket(self->family);

	ASSERT_EQ(0, get_int_opt(fd, SOL_SOCKET, SO_PASSCRED));
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_EQ(1, get_int_opt(fd, SOL_SOCKET, SO_PASSCRED));
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_PASSCRED, 0));
	ASSERT_EQ(0, get_int_opt(fd, SOL_SOCKET, SO_PASSCRED));
	close(fd);
}

/* unix_sock_inherit_flags(): accept() copies SO_PASSCRED from the listener. */
TEST_F(opts, passcred_inherited_by_accept)
{
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	ASSERT_EQ(0, set_int_opt(l, SOL_SOCKET, SO_PASSCRED, 1));
	c = new_client(self->family, path);
	s = accept_ok(l);
	ASSERT_EQ(1, get_int_opt(s, SOL_SOCKET, SO_PASSCRED));
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_PASSCRED));
	close(s);
	close(c);
	ASSERT_EQ(0, set_int_opt(l, SOL_SOCKET, SO_PASSCRED, 0));
	c = new_client(self->family, path);
	s = accept_ok(l);
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_PASSCRED));
	close(s);
	close(c);
	close(l);
}

/*
 * unix_stream_connect(): an unbound client with SO_PASSCRED is autobound
 * before connecting, to an abstract name "\0" + 5 hex digits (length
 * offsetof(sun_path) + 6), which the server then sees as its peer.
 */
TEST_F(opts, passcred_autobinds_client)
{
	struct sockaddr_un sun, peer;
	socklen_t len, plen;
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	c = new_socket(self->family);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(0, connect_path(c, self->family, path));
	memset(&sun, 0xa5, sizeof(sun));
	len = sizeof(sun);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&sun, &len));
	ASSERT_EQ(self->family, sun.sun_family);
	ASSERT_EQ(SUN_HDR + 6, len);
	ASSERT_EQ(0, sun.sun_path[0]);
	for (int i = 1; i < 6; i++)
		ASSERT_NE(NULL, strchr("0123456789abcdef", sun.sun_path[i]));
	s = accept_ok(l);
	plen = sizeof(peer);
	ASSERT_EQ(0, getpeername(s, (struct sockaddr *)&peer, &plen));
	ASSERT_EQ(len, plen);
	ASSERT_EQ(0, memcmp(&sun, &peer, len));
	close(s);
	close(c);
	close(l);
}

/*
 * SO_RCVTIMEO/SO_SNDTIMEO: default 0, whole seconds round-trip exactly,
 * tv_usec outside [0, 1000000) is EDOM, a short optlen EINVAL.
 */
TEST_F(opts, timeo_roundtrip)
{
	static const int opt[2] = { SO_RCVTIMEO, SO_SNDTIMEO };
	struct timeval tv;
	socklen_t len;
	int fd = new_socket(self->family);

	for (int i = 0; i < 2; i++) {
		len = sizeof(tv);
		memset(&tv, 0x5a, sizeof(tv));
		ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, opt[i], &tv, &len));
		ASSERT_EQ(sizeof(tv), len);
		ASSERT_EQ(0, tv.tv_sec);
		ASSERT_EQ(0, tv.tv_usec);

		tv.tv_sec = 3;
		tv.tv_usec = 0;
		ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, opt[i], &tv, sizeof(tv)));
		len = sizeof(tv);
		memset(&tv, 0x5a, sizeof(tv));
		ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, opt[i], &tv, &len));
		ASSERT_EQ(3, tv.tv_sec);
		ASSERT_EQ(0, tv.tv_usec);

		tv.tv_sec = 0;
		tv.tv_usec = 1000000;
		ASSERT_ERRNO(EDOM, setsockopt(fd, SOL_SOCKET, opt[i], &tv, sizeof(tv)));
		tv.tv_usec = -1;
		ASSERT_ERRNO(EDOM, setsockopt(fd, SOL_SOCKET, opt[i], &tv, sizeof(tv)));
		ASSERT_ERRNO(EINVAL, setsockopt(fd, SOL_SOCKET, opt[i], &tv, 4));
	}
	close(fd);
}

/* An unknown SOL_SOCKET option: ENOPROTOOPT for get and set. */
TEST_F(opts, unknown_option_enoprotoopt)
{
	int fd = new_socket(self->family);
	int val = 1;
	socklen_t len = sizeof(val);

	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(fd, SOL_SOCKET, 9999, &val, &len));
	ASSERT_ERRNO(ENOPROTOOPT, setsockopt(fd, SOL_SOCKET, 9999, &val, sizeof(val)));
	close(fd);
}

/*
 * Any level other than SOL_SOCKET reaches the family's ->getsockopt /
 * ->setsockopt, which af_unix does not have: EOPNOTSUPP.
 */
TEST_F(opts, other_level_eopnotsupp)
{
	static const int levels[] = { SOL_TCP, SOL_IP, SOL_IPV6, 263 /* SOL_PACKET */ };
	int fd = new_socket(self->family);
	int val = 1;
	socklen_t len;

	for (unsigned int i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		len = sizeof(val);
		ASSERT_ERRNO(EOPNOTSUPP, getsockopt(fd, levels[i], 1, &val, &len));
		ASSERT_ERRNO(EOPNOTSUPP, setsockopt(fd, levels[i], 1, &val, sizeof(val)));
	}
	close(fd);
}

/*
 * SO_PEEK_OFF (->set_peek_off): default -1; with an offset set, MSG_PEEK
 * reads from it and advances it, and normal reads pull it back.
 */
TEST_F(opts, peek_off)
{
	char buf[8];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(-1, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_EQ(8, write(c, "abcdefgh", 8));
	ASSERT_EQ(0, set_int_opt(s, SOL_SOCKET, SO_PEEK_OFF, 2));
	ASSERT_EQ(2, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_EQ(3, recv(s, buf, 3, MSG_PEEK));
	ASSERT_EQ(0, memcmp(buf, "cde", 3));
	ASSERT_EQ(5, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_EQ(2, recv(s, buf, 2, MSG_PEEK));
	ASSERT_EQ(0, memcmp(buf, "fg", 2));
	ASSERT_EQ(4, recv(s, buf, 4, 0));
	ASSERT_EQ(0, memcmp(buf, "abcd", 4));
	ASSERT_EQ(3, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_EQ(1, recv(s, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ('h', buf[0]);
	close(c);
	close(s);
}

/*
 * SO_RCVLOWAT applies to stream reads: with fewer bytes queued than the low
 * water mark a read waits (here until SO_RCVTIMEO) and then returns what
 * there is; MSG_DONTWAIT returns it at once.
 */
TEST_F(opts, rcvlowat)
{
	char buf[16];
	long t0;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(s, SOL_SOCKET, SO_RCVLOWAT, 5));
	ASSERT_EQ(5, get_int_opt(s, SOL_SOCKET, SO_RCVLOWAT));
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, 100));
	ASSERT_EQ(3, write(c, "abc", 3));
	t0 = now_ms();
	ASSERT_EQ(3, recv(s, buf, sizeof(buf), 0));
	ASSERT_LE(80, now_ms() - t0);
	ASSERT_EQ(3, write(c, "def", 3));
	ASSERT_EQ(2, recv(s, buf, 2, MSG_DONTWAIT));
	ASSERT_EQ(6, write(c, "ghijkl", 6));
	/* Enough queued now: no wait for the (long) timeout. */
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, LONG_TIMEO_MS));
	t0 = now_ms();
	ASSERT_EQ(7, recv(s, buf, sizeof(buf), 0));
	ASSERT_GT(TIMEO_SLACK_MS, now_ms() - t0);
	ASSERT_EQ(0, memcmp(buf, "fghijkl", 7));
	close(c);
	close(s);
}

/*
 * SO_PEERNAME reports the peer's address through ->getname(peer): the
 * buffer may not be larger than the address (EINVAL, a generic quirk), a
 * shorter one is filled as far as it goes and optlen stays as given.  No
 * peer: ENOTCONN.
 */
TEST_F(opts, peername)
{
	struct sockaddr_un sun;
	char path[96];
	socklen_t len, full;
	int l, c, fd;

	TPATH(path, "l");
	full = SUN_HDR + strlen(path) + 1;
	l = new_listener(self->family, path, 1);
	c = new_client(self->family, path);
	len = sizeof(sun);
	ASSERT_ERRNO(EINVAL, getsockopt(c, SOL_SOCKET, SO_PEERNAME, &sun, &len));
	len = full;
	memset(&sun, 0xa5, sizeof(sun));
	ASSERT_EQ(0, getsockopt(c, SOL_SOCKET, SO_PEERNAME, &sun, &len));
	ASSERT_ADDR(self->family, path, sun, len);
	len = 4;
	memset(&sun, 0xa5, sizeof(sun));
	ASSERT_EQ(0, getsockopt(c, SOL_SOCKET, SO_PEERNAME, &sun, &len));
	ASSERT_EQ(4U, len);
	ASSERT_EQ(self->family, sun.sun_family);
	ASSERT_EQ(path[0], sun.sun_path[0]);
	ASSERT_EQ(path[1], sun.sun_path[1]);
	ASSERT_EQ((char)0xa5, sun.sun_path[2]);
	fd = new_socket(self->family);
	len = sizeof(sun);
	ASSERT_ERRNO(ENOTCONN, getsockopt(fd, SOL_SOCKET, SO_PEERNAME, &sun, &len));
	close(fd);
	close(c);
	close(l);
}

/* Generic options without effect on unix sockets still round-trip. */
TEST_F(opts, generic_options_roundtrip)
{
	struct linger lg = { 1, 5 }, out;
	socklen_t len = sizeof(out);
	int fd = new_socket(self->family);

	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(1, get_int_opt(fd, SOL_SOCKET, SO_KEEPALIVE));
	ASSERT_EQ(0, set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(1, get_int_opt(fd, SOL_SOCKET, SO_REUSEADDR));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_LINGER, &out, &len));
	ASSERT_EQ(1, out.l_onoff);
	ASSERT_EQ(5, out.l_linger);
	close(fd);
}

TEST_HARNESS_MAIN
