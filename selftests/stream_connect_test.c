// SPDX-License-Identifier: GPL-2.0
/*
 * listen(), connect(), accept()/accept4(), getsockname()/getpeername() for
 * SOCK_STREAM sockets on filesystem paths (unix_listen(),
 * unix_stream_connect(), unix_find_bsd(), unix_accept(), unix_getname()).
 */
#include "punix_test.h"

#include <sched.h>

PUNIX_FIXTURE(connect);

/*
 * Fork a child that connects a new stream socket to @path, and return once
 * it sleeps in connect() (on a full backlog).  The child first closes
 * @close_fd unless it is -1.  It exits 0 when connect() fails with
 * @want_err or, for @want_err 0, succeeds and then writes the byte @msg
 * (unless @msg is 0).
 */
static pid_t __fork_connector(struct __test_metadata *_metadata, int family,
			      const char *path, int close_fd, int want_err,
			      char msg)
{
	pid_t pid = fork_child();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(family, SOCK_STREAM, 0);
		long r;

		if (close_fd >= 0)
			close(close_fd);
		if (fd < 0)
			_exit(98);
		r = connect_path(fd, family, path);
		if (want_err)
			_exit(child_errno_code(r, errno, want_err));
		if (r)
			_exit(100 + errno);
		_exit(!msg || write(fd, &msg, 1) == 1 ? 0 : 97);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_connect));
	return pid;
}
#define fork_connector(path, close_fd, want_err, msg) \
	__fork_connector(_metadata, self->family, (path), (close_fd), \
			 (want_err), (msg))

/* unix_listen(): a socket with no address cannot listen: EINVAL. */
TEST_F(connect, listen_unbound_einval)
{
	int fd = new_socket(self->family);

	ASSERT_ERRNO(EINVAL, listen(fd, 1));
	ASSERT_EQ(0, get_int_opt(fd, SOL_SOCKET, SO_ACCEPTCONN));
	close(fd);
}

/*
 * unix_listen(): calling listen() again is allowed and replaces the backlog.
 * The queue admits backlog + 1 connections (unix_recvq_full() is "qlen >
 * backlog"), a further non-blocking connect gets EAGAIN.
 */
TEST_F(connect, relisten_changes_backlog)
{
	char path[96];
	int l, c[4];

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	for (int i = 0; i < 4; i++) {
		c[i] = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, c[i]);
	}
	ASSERT_RET(0, connect_path(c[0], self->family, path));
	ASSERT_ERRNO(EAGAIN, connect_path(c[1], self->family, path));
	ASSERT_RET(0, listen(l, 2));
	ASSERT_RET(0, connect_path(c[1], self->family, path));
	ASSERT_RET(0, connect_path(c[2], self->family, path));
	ASSERT_ERRNO(EAGAIN, connect_path(c[3], self->family, path));
	ASSERT_EQ(1, get_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN));
	for (int i = 0; i < 4; i++)
		close(c[i]);
	close(l);
}

/*
 * A negative backlog is clamped to net.core.somaxconn by the socket layer,
 * so it admits many connections.
 */
TEST_F(connect, listen_negative_backlog)
{
	char path[96];
	int l, c[16];

	TPATH(path, "l");
	l = new_listener(self->family, path, -1);
	for (int i = 0; i < 16; i++) {
		c[i] = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, c[i]);
		ASSERT_RET(0, connect_path(c[i], self->family, path));
	}
	for (int i = 0; i < 16; i++)
		close(c[i]);
	close(l);
}

/*
 * net.core.somaxconn clamps the backlog in the socket layer
 * (__sys_listen_socket()), before either family sees it, and the queue
 * holds backlog + 1: with somaxconn 3, a backlog of 1000 or -1 admits 4
 * connections, the fifth non-blocking one gets EAGAIN.  The sysctl is per
 * network namespace: the test process sets it in a namespace of its own.
 */
TEST_F(connect, listen_somaxconn_clamp)
{
	static const int backlogs[] = { 1000, -1 };
	char path[96];
	int l, fd, c[4];

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	fd = open("/proc/sys/net/core/somaxconn", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "3", 1));
	close(fd);
	for (int b = 0; b < 2; b++) {
		char name[8];

		snprintf(name, sizeof(name), "l%d", b);
		TPATH(path, name);
		l = new_listener(self->family, path, backlogs[b]);
		for (int i = 0; i < 4; i++) {
			c[i] = socket(self->family,
				      SOCK_STREAM | SOCK_NONBLOCK, 0);
			ASSERT_LE(0, c[i]);
			ASSERT_RET(0, connect_path(c[i], self->family, path));
		}
		fd = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, fd);
		ASSERT_ERRNO(EAGAIN, connect_path(fd, self->family, path));
		close(fd);
		for (int i = 0; i < 4; i++)
			close(c[i]);
		close(l);
	}
}

/* unix_listen(): a connected socket (either end) cannot listen: EINVAL. */
TEST_F(connect, listen_connected_einval)
{
	int c, s;

	new_pair(&c, &s);
	ASSERT_ERRNO(EINVAL, listen(c, 1));
	/* The accepted end is bound (listener's name) but established. */
	ASSERT_ERRNO(EINVAL, listen(s, 1));
	close(c);
	close(s);
}

/* unix_find_bsd(): no such path: ENOENT. */
TEST_F(connect, missing_path_enoent)
{
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "missing");
	ASSERT_ERRNO(ENOENT, connect_path(fd, self->family, path));
	TPATH(path, "missing/deeper");
	ASSERT_ERRNO(ENOENT, connect_path(fd, self->family, path));
	close(fd);
}

/* unix_stream_connect(): a bound socket that is not listening: ECONNREFUSED. */
TEST_F(connect, bound_not_listening_econnrefused)
{
	char path[96];
	int b = new_socket(self->family);
	int fd = new_socket(self->family);

	TPATH(path, "b");
	ASSERT_RET(0, bind_path(b, self->family, path));
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, path));
	/* The failed connect leaves fd usable. */
	ASSERT_RET(0, listen(b, 1));
	ASSERT_RET(0, connect_path(fd, self->family, path));
	close(fd);
	close(b);
}

/* unix_find_bsd(): a node that is not S_ISSOCK (a regular file): ECONNREFUSED. */
TEST_F(connect, regular_file_econnrefused)
{
	char path[96];
	int fd = new_socket(self->family);
	int f;

	TPATH(path, "file");
	f = open(path, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, f);
	close(f);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, path));
	/* A directory is not a socket either. */
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, self->dir));
	close(fd);
}

/* A socket node made by mknod(S_IFSOCK) has no socket behind it: ECONNREFUSED. */
TEST_F(connect, mknod_node_econnrefused)
{
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "node");
	ASSERT_EQ(0, mknod(path, S_IFSOCK | 0777, 0));
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, path));
	close(fd);
}

/* The listener was closed but its node stays: ECONNREFUSED. */
TEST_F(connect, closed_listener_econnrefused)
{
	char path[96];
	int l, fd;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	close(l);
	fd = new_socket(self->family);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, path));
	close(fd);
}

/*
 * Connect to a node owned by the other family.  punix-specific: the
 * bsd-socket lookup by inode is per family, so a node bound by a native
 * AF_UNIX listener is, for a punix socket, a socket node with nobody behind
 * it: ECONNREFUSED.  Symmetrically, a native socket connecting to a node
 * bound by a punix listener must also see ECONNREFUSED.  (Both variants
 * need the punix module.)
 */
TEST_F(connect, other_family_node_econnrefused)
{
	int other = OTHER_FAMILY(self->family);
	char path[96];
	int o, fd;

	TPATH(path, "other");
	o = socket(other, SOCK_STREAM, 0);
	ASSERT_LE(0, o);
	ASSERT_RET(0, bind_path(o, other, path));
	ASSERT_RET(0, listen(o, 4));
	fd = new_socket(self->family);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, path));
	/* Nothing was queued on the other family's listener. */
	ASSERT_EQ(0, set_nonblock(o));
	ASSERT_ERRNO(EAGAIN, accept(o, NULL, NULL));
	close(fd);
	close(o);
}

/*
 * unix_find_bsd(): path_permission(MAY_WRITE) on the socket node.  nobody
 * cannot write a root-owned 0755 node: EACCES.
 */
TEST_F(connect, node_not_writable_eacces)
{
	char path[96];
	pid_t pid;
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	ASSERT_EQ(0, chmod(path, 0755));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(self->family, SOCK_STREAM, 0);
		long r;

		if (fd < 0 || drop_to_nobody())
			_exit(98);
		r = connect_path(fd, self->family, path);
		_exit(child_errno_code(r, errno, EACCES));
	}
	ASSERT_EQ(0, wait_child(pid));
	/* With write permission for others, nobody gets in. */
	ASSERT_EQ(0, chmod(path, 0757));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(self->family, SOCK_STREAM, 0);

		if (fd < 0 || drop_to_nobody())
			_exit(98);
		_exit(connect_path(fd, self->family, path) ? 100 + errno : 0);
	}
	ASSERT_EQ(0, wait_child(pid));
	close(l);
}

/* root (CAP_DAC_OVERRIDE) connects even to a mode 0000 node. */
TEST_F(connect, root_ignores_node_mode)
{
	char path[96];
	int l, fd;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, chmod(path, 0));
	fd = new_client(self->family, path);
	close(fd);
	close(l);
}

/* The path is resolved with LOOKUP_FOLLOW: a symlink to the node works. */
TEST_F(connect, through_symlink)
{
	char path[96], link[96];
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int l, fd;

	TPATH(path, "l");
	TPATH(link, "link");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, symlink(path, link));
	fd = new_client(self->family, link);
	/* The peer name is the listener's own path, not the link. */
	ASSERT_EQ(0, getpeername(fd, (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, path, sun, len);
	close(fd);
	close(l);
}

/*
 * unix_find_bsd(): the socket type must match: SOCK_DGRAM and
 * SOCK_SEQPACKET sockets connecting to a stream listener get EPROTOTYPE.
 * (If punix does not implement SOCK_DGRAM/SOCK_SEQPACKET yet, socket()
 * fails and so does this test, honestly.)
 */
TEST_F(connect, type_mismatch_eprototype)
{
	char path[96];
	int l, d, q;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	d = __new_socket(_metadata, self->family, SOCK_DGRAM);
	ASSERT_ERRNO(EPROTOTYPE, connect_path(d, self->family, path));
	q = __new_socket(_metadata, self->family, SOCK_SEQPACKET);
	ASSERT_ERRNO(EPROTOTYPE, connect_path(q, self->family, path));
	close(d);
	close(q);
	close(l);
}

/*
 * Backlog 0 admits one connection; then a non-blocking connect gets EAGAIN
 * (never EINPROGRESS), and accepting frees the slot again.
 */
TEST_F(connect, backlog_full_nonblock_eagain)
{
	char path[96];
	int l, a, b, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	a = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	b = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_RET(0, connect_path(a, self->family, path));
	ASSERT_ERRNO(EAGAIN, connect_path(b, self->family, path));
	ASSERT_ERRNO(EAGAIN, connect_path(b, self->family, path));
	s = accept_ok(l);
	ASSERT_RET(0, connect_path(b, self->family, path));
	close(s);
	close(a);
	close(b);
	close(l);
}

/*
 * A blocking connect to a full backlog waits for at most SO_SNDTIMEO
 * (sock_sndtimeo()) and then fails with EAGAIN.
 */
TEST_F(connect, backlog_full_sndtimeo_eagain)
{
	char path[96];
	long t0, dt;
	int l, a, b;

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	a = new_client(self->family, path);
	b = new_socket(self->family);
	ASSERT_EQ(0, set_timeo(b, SO_SNDTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, connect_path(b, self->family, path));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	close(a);
	close(b);
	close(l);
}

/*
 * A blocking connect to a full backlog sleeps (unix_wait_for_peer()) until
 * accept() frees a slot, then completes.
 */
TEST_F(connect, backlog_full_blocks_until_accept)
{
	char path[96];
	int l, a, s;
	pid_t pid;

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	a = new_client(self->family, path);
	pid = fork_connector(path, -1, 0, 'x');
	s = accept(l, NULL, NULL);		/* a's connection */
	ASSERT_LE(0, s);
	close(s);
	ASSERT_EQ(0, wait_child(pid));
	s = accept(l, NULL, NULL);		/* the child's */
	ASSERT_LE(0, s);
	ASSERT_EQ(1, read(s, path, 1));
	ASSERT_EQ('x', path[0]);
	close(s);
	close(a);
	close(l);
}

/* unix_stream_connect(): connecting an established socket again: EISCONN. */
TEST_F(connect, second_connect_eisconn)
{
	char path[96];
	int l, c;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	c = new_client(self->family, path);
	ASSERT_ERRNO(EISCONN, connect_path(c, self->family, path));
	close(c);
	close(l);
}

/* unix_stream_connect(): a listening socket cannot connect: EINVAL. */
TEST_F(connect, listener_connect_einval)
{
	char p1[96], p2[96];
	int l1, l2;

	TPATH(p1, "l1");
	TPATH(p2, "l2");
	l1 = new_listener(self->family, p1, 4);
	l2 = new_listener(self->family, p2, 4);
	ASSERT_ERRNO(EINVAL, connect_path(l1, self->family, p2));
	ASSERT_ERRNO(EINVAL, connect_path(l1, self->family, p1));
	close(l1);
	close(l2);
}

/*
 * unix_validate_addr() runs first: a bad family or length is EINVAL even on
 * an already connected socket.
 */
TEST_F(connect, bad_address_einval)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	char path[96];
	socklen_t len;
	int l, fd, c;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	fd = new_socket(self->family);
	memset(&ss, 0, sizeof(ss));
	len = fill_addr(sun, AF_INET, path);
	ASSERT_ERRNO(EINVAL, connect(fd, (struct sockaddr *)sun, len));
	len = fill_addr(sun, self->family, path);
	ASSERT_ERRNO(EINVAL, connect(fd, (struct sockaddr *)sun, 1));
	ASSERT_ERRNO(EINVAL, connect(fd, (struct sockaddr *)sun, SUN_HDR));
	ASSERT_ERRNO(EINVAL, connect(fd, (struct sockaddr *)sun,
				     sizeof(*sun) + 1));
	c = new_client(self->family, path);
	sun->sun_family = AF_INET;
	ASSERT_ERRNO(EINVAL, connect(c, (struct sockaddr *)sun, len));
	close(c);
	close(fd);
	close(l);
}

/* A listener that did shutdown(SHUT_RD) refuses connections: ECONNREFUSED. */
TEST_F(connect, listener_shut_rd_econnrefused)
{
	char path[96];
	int l, fd;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	ASSERT_RET(0, shutdown(l, SHUT_RD));
	fd = new_socket(self->family);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, path));
	close(fd);
	close(l);
}

/* A non-blocking connect to a listener with room completes at once: 0. */
TEST_F(connect, nonblocking_completes)
{
	char path[96], c;
	int l, fd, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	fd = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, fd);
	ASSERT_RET(0, connect_path(fd, self->family, path));
	ASSERT_EQ(0, get_int_opt(fd, SOL_SOCKET, SO_ERROR));
	s = accept_ok(l);
	ASSERT_EQ(1, write(fd, "z", 1));
	ASSERT_EQ(1, read(s, &c, 1));
	ASSERT_EQ('z', c);
	close(s);
	close(fd);
	close(l);
}

/*
 * The new file from accept() gets its flags from accept4() only; the
 * listener's O_NONBLOCK is not inherited (do_accept()).
 */
TEST_F(connect, accept_flags_not_inherited)
{
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	ASSERT_EQ(0, set_nonblock(l));
	c = new_client(self->family, path);
	s = accept_ok(l);
	ASSERT_EQ(0, fcntl(s, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, fcntl(s, F_GETFD));
	close(s);
	close(c);
	close(l);
}

/* accept4(SOCK_NONBLOCK | SOCK_CLOEXEC) sets both on the new file. */
TEST_F(connect, accept4_flags)
{
	char path[96], ch;
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	c = new_client(self->family, path);
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, s);
	ASSERT_EQ(O_NONBLOCK, fcntl(s, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(FD_CLOEXEC, fcntl(s, F_GETFD));
	ASSERT_ERRNO(EAGAIN, read(s, &ch, 1));
	close(s);
	close(c);
	c = new_client(self->family, path);
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, fcntl(s, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(FD_CLOEXEC, fcntl(s, F_GETFD));
	close(s);
	close(c);
	close(l);
}

/* accept4() with any other flag bit: EINVAL. */
TEST_F(connect, accept4_bad_flags_einval)
{
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	c = new_client(self->family, path);
	ASSERT_ERRNO(EINVAL, accept4(l, NULL, NULL, 1));
	ASSERT_ERRNO(EINVAL, accept4(l, NULL, NULL, O_APPEND));
	/* The pending connection is still there. */
	s = accept_ok(l);
	close(s);
	close(c);
	close(l);
}

/* Non-blocking accept with nothing queued: EAGAIN. */
TEST_F(connect, accept_nonblock_eagain)
{
	char path[96];
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	ASSERT_ERRNO(EAGAIN, accept4(l, NULL, NULL, SOCK_CLOEXEC));
	close(l);
}

/* unix_accept(): a socket that is not listening: EINVAL. */
TEST_F(connect, accept_not_listening_einval)
{
	char path[96];
	int fd, b, c, s;

	fd = new_socket(self->family);
	ASSERT_ERRNO(EINVAL, accept(fd, NULL, NULL));
	TPATH(path, "b");
	b = new_socket(self->family);
	ASSERT_RET(0, bind_path(b, self->family, path));
	ASSERT_ERRNO(EINVAL, accept(b, NULL, NULL));
	new_pair(&c, &s);
	ASSERT_ERRNO(EINVAL, accept(c, NULL, NULL));
	ASSERT_ERRNO(EINVAL, accept(s, NULL, NULL));
	close(c);
	close(s);
	close(b);
	close(fd);
}

/*
 * accept()'s address is the peer's (getname(newsock, peer)): an unbound
 * client shows up as the bare family, a bound one with its path.
 */
TEST_F(connect, accept_address_is_client)
{
	struct sockaddr_un sun;
	char path[96], cpath[96];
	socklen_t len;
	int l, c, s;

	TPATH(path, "l");
	TPATH(cpath, "client");
	l = new_listener(self->family, path, 4);
	c = new_client(self->family, path);
	memset(&sun, 0xa5, sizeof(sun));
	len = sizeof(sun);
	s = accept(l, (struct sockaddr *)&sun, &len);
	ASSERT_LE(0, s);
	ASSERT_ADDR(self->family, NULL, sun, len);
	close(s);
	close(c);

	c = new_socket(self->family);
	ASSERT_RET(0, bind_path(c, self->family, cpath));
	ASSERT_RET(0, connect_path(c, self->family, path));
	memset(&sun, 0xa5, sizeof(sun));
	len = sizeof(sun);
	s = accept(l, (struct sockaddr *)&sun, &len);
	ASSERT_LE(0, s);
	ASSERT_ADDR(self->family, cpath, sun, len);
	close(s);
	close(c);
	close(l);
}

/* Connections are accepted in the order they were made. */
TEST_F(connect, accept_fifo_order)
{
	char path[96], ch;
	int l, c[3], s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	for (int i = 0; i < 3; i++) {
		c[i] = new_client(self->family, path);
		ch = 'a' + i;
		ASSERT_EQ(1, write(c[i], &ch, 1));
	}
	for (int i = 0; i < 3; i++) {
		s = accept_ok(l);
		ASSERT_EQ(1, read(s, &ch, 1));
		ASSERT_EQ('a' + i, ch);
		close(s);
	}
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(l);
}

/*
 * A client may write and close before its connection is accepted: the
 * accepted socket still gets the data, then EOF.
 */
TEST_F(connect, accept_after_client_closed)
{
	char path[96], buf[16];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	c = new_client(self->family, path);
	ASSERT_EQ(4, write(c, "data", 4));
	close(c);
	s = accept_ok(l);
	ASSERT_EQ(4, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "data", 4));
	ASSERT_EQ(0, read(s, buf, sizeof(buf)));
	close(s);
	close(l);
}

/* unix_getname(): an unbound socket has the bare family, length 2. */
TEST_F(connect, getsockname_unbound)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int fd = new_socket(self->family);

	memset(&sun, 0xa5, sizeof(sun));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, NULL, sun, len);
	close(fd);
}

/* unix_getname(): a bound socket: length offsetof(sun_path) + strlen + 1. */
TEST_F(connect, getsockname_bound)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "bound");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	memset(&sun, 0xa5, sizeof(sun));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, path, sun, len);
	ASSERT_RET(0, listen(fd, 1));
	ASSERT_SOCKNAME(fd, path);
	close(fd);
}

/*
 * move_addr_to_user(): a short buffer gets only what fits, the bytes after
 * it are untouched, and the returned length is the full one.
 */
TEST_F(connect, getsockname_truncated)
{
	unsigned char buf[sizeof(struct sockaddr_un)];
	struct sockaddr_un *sun = (struct sockaddr_un *)buf;
	socklen_t full, len;
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "truncated");
	full = SUN_HDR + strlen(path) + 1;
	ASSERT_RET(0, bind_path(fd, self->family, path));

	memset(buf, 0xa5, sizeof(buf));
	len = 6;
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)buf, &len));
	ASSERT_EQ(full, len);
	ASSERT_EQ(self->family, sun->sun_family);
	ASSERT_EQ(0, memcmp(sun->sun_path, path, 4));
	for (size_t i = 6; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);

	memset(buf, 0xa5, sizeof(buf));
	len = 0;
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)buf, &len));
	ASSERT_EQ(full, len);
	for (size_t i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);

	/* Unbound: length 2 even into a 1-byte buffer. */
	close(fd);
	fd = new_socket(self->family);
	memset(buf, 0xa5, sizeof(buf));
	len = 1;
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)buf, &len));
	ASSERT_EQ(SUN_HDR, len);
	ASSERT_EQ(0xa5, buf[1]);
	close(fd);
}

/* getpeername() with no peer: ENOTCONN (fresh, bound, listening). */
TEST_F(connect, getpeername_enotconn)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char path[96];
	int fd = new_socket(self->family);

	ASSERT_ERRNO(ENOTCONN, getpeername(fd, (struct sockaddr *)&sun, &len));
	TPATH(path, "l");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	ASSERT_ERRNO(ENOTCONN, getpeername(fd, (struct sockaddr *)&sun, &len));
	ASSERT_RET(0, listen(fd, 1));
	ASSERT_ERRNO(ENOTCONN, getpeername(fd, (struct sockaddr *)&sun, &len));
	close(fd);
}

/*
 * The client's peer is the embryo, which carries the listener's address:
 * getpeername() on the client is the listener's path.
 */
TEST_F(connect, client_peer_is_listener_path)
{
	char path[96];
	int l, c;

	TPATH(path, "listener");
	l = new_listener(self->family, path, 1);
	c = new_client(self->family, path);
	ASSERT_PEERNAME(c, path);
	/* Even before accept, and the client itself stays unnamed. */
	ASSERT_SOCKNAME(c, NULL);
	close(c);
	close(l);
}

/*
 * The accepted socket has the listener's address as its own name, and the
 * (unbound) client as its peer.
 */
TEST_F(connect, accepted_names)
{
	char path[96];
	int l, c, s;

	TPATH(path, "listener");
	l = new_listener(self->family, path, 1);
	c = new_client(self->family, path);
	s = accept_ok(l);
	ASSERT_SOCKNAME(s, path);
	ASSERT_PEERNAME(s, NULL);
	close(s);
	close(c);
	close(l);
}

/*
 * The peer name is read live from the peer: a client that binds after
 * connecting shows its new path to the server's getpeername().
 */
TEST_F(connect, peer_binds_after_connect)
{
	char cpath[96];
	int c, s;

	new_pair(&c, &s);
	TPATH(cpath, "late");
	ASSERT_RET(0, bind_path(c, self->family, cpath));
	ASSERT_PEERNAME(s, cpath);
	ASSERT_SOCKNAME(c, cpath);
	close(c);
	close(s);
}

/*
 * unix_release_sock() does not clear the survivor's peer pointer: after the
 * peer closes, getpeername() still reports the peer's address.
 */
TEST_F(connect, getpeername_after_peer_close)
{
	char path[96];
	int l, c, s;

	TPATH(path, "listener");
	l = new_listener(self->family, path, 1);
	c = new_client(self->family, path);
	s = accept_ok(l);
	close(s);
	close(l);
	ASSERT_PEERNAME(c, path);
	close(c);
}

/* A connect that failed leaves the socket unconnected and reusable. */
TEST_F(connect, retry_after_failure)
{
	char path[96], missing[96];
	int l, fd;

	TPATH(path, "l");
	TPATH(missing, "missing");
	l = new_listener(self->family, path, 1);
	fd = new_socket(self->family);
	ASSERT_ERRNO(ENOENT, connect_path(fd, self->family, missing));
	ASSERT_RET(0, connect_path(fd, self->family, path));
	close(fd);
	close(l);
}

/*
 * unix_listen(): growing the backlog wakes connectors blocked on the full
 * queue (wake_up_interruptible_all(&peer_wait)), which then complete.
 */
TEST_F(connect, relisten_wakes_blocked_connect)
{
	char path[96];
	pid_t pid;
	int l, a;

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	a = new_client(self->family, path);
	pid = fork_connector(path, -1, 0, 0);
	ASSERT_RET(0, listen(l, 4));
	ASSERT_EQ(0, wait_child(pid));
	close(a);
	close(l);
}

/*
 * A connect blocked on a full backlog is woken when the listener is closed;
 * the retried lookup then finds a node with no socket: ECONNREFUSED.
 */
TEST_F(connect, listener_close_refuses_blocked_connect)
{
	char path[96];
	pid_t pid;
	int l, a;

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	a = new_client(self->family, path);
	/* Only the parent may keep the listener alive. */
	pid = fork_connector(path, l, ECONNREFUSED, 0);
	close(l);
	ASSERT_EQ(0, wait_child(pid));
	close(a);
}

TEST_HARNESS_MAIN
