// SPDX-License-Identifier: GPL-2.0
/*
 * shutdown() and close() on SOCK_STREAM sockets: EOF, EPIPE and SIGPIPE,
 * ECONNRESET after closing with unread data, and the reset of unaccepted
 * connections when their listener goes away (unix_shutdown(),
 * unix_release_sock()).
 */
#include "punix_test.h"

PUNIX_FIXTURE(shutdown);

/*
 * Fork a child that reads one byte from @fd and exits 0 on EOF, 97
 * otherwise.  Returns once the child sleeps in read().
 */
static pid_t __fork_eof_reader(struct __test_metadata *_metadata, int fd)
{
	pid_t pid = fork_child();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char ch;

		_exit(read(fd, &ch, 1) == 0 ? 0 : 97);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_read));
	return pid;
}
#define fork_eof_reader(fd) __fork_eof_reader(_metadata, (fd))

/* unix_shutdown(): how outside SHUT_RD..SHUT_RDWR is EINVAL. */
TEST_F(shutdown, bad_how_einval)
{
	int fd = new_socket(self->family);
	int c, s;

	ASSERT_ERRNO(EINVAL, shutdown(fd, -1));
	ASSERT_ERRNO(EINVAL, shutdown(fd, 3));
	new_pair(&c, &s);
	ASSERT_ERRNO(EINVAL, shutdown(c, 3));
	ASSERT_ERRNO(EINVAL, shutdown(c, 100));
	/* Nothing happened to the connection. */
	ASSERT_EQ(1, write(c, "k", 1));
	ASSERT_EQ(1, read(s, &fd, 1));
	close(fd);
	close(c);
	close(s);
}

/*
 * unix_shutdown() never returns ENOTCONN: it succeeds on a fresh, a bound
 * and a listening socket, and can be repeated.
 */
TEST_F(shutdown, unconnected_never_enotconn)
{
	char path[96];
	int fd, b, l;

	fd = new_socket(self->family);
	ASSERT_RET(0, shutdown(fd, SHUT_RD));
	ASSERT_RET(0, shutdown(fd, SHUT_WR));
	ASSERT_RET(0, shutdown(fd, SHUT_RDWR));
	ASSERT_RET(0, shutdown(fd, SHUT_RDWR));
	b = new_socket(self->family);
	TPATH(path, "b");
	ASSERT_RET(0, bind_path(b, self->family, path));
	ASSERT_RET(0, shutdown(b, SHUT_RDWR));
	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_RET(0, shutdown(l, SHUT_WR));
	close(fd);
	close(b);
	close(l);
}

/*
 * SHUT_WR: our writes fail with EPIPE (and SIGPIPE); the peer reads what
 * was queued and then EOF; the other direction still works.
 */
TEST_F(shutdown, shut_wr)
{
	char buf[16];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	new_pair(&c, &s);
	ASSERT_EQ(4, write(c, "last", 4));
	ASSERT_RET(0, shutdown(c, SHUT_WR));
	ASSERT_ERRNO(EPIPE, write(c, "x", 1));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_EQ(4, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "last", 4));
	ASSERT_EQ(0, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, read(s, buf, sizeof(buf)));
	ASSERT_EQ(5, write(s, "reply", 5));
	ASSERT_EQ(5, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "reply", 5));
	ASSERT_EQ(0, take_sigpipe());
	close(c);
	close(s);
}

/*
 * SHUT_RD: data already queued is still read, then EOF; the peer's writes
 * fail with EPIPE; our own writes still work.
 */
TEST_F(shutdown, shut_rd)
{
	char buf[16];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	new_pair(&c, &s);
	ASSERT_EQ(3, write(s, "abc", 3));
	ASSERT_RET(0, shutdown(c, SHUT_RD));
	ASSERT_EQ(3, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, read(c, buf, sizeof(buf)));
	ASSERT_ERRNO(EPIPE, write(s, "x", 1));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_EQ(2, write(c, "ok", 2));
	ASSERT_EQ(2, read(s, buf, sizeof(buf)));
	close(c);
	close(s);
}

/* SHUT_RDWR on both ends does not flush data already queued. */
TEST_F(shutdown, shut_rdwr_keeps_queued_data)
{
	char buf[16];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(3, write(c, "c2s", 3));
	ASSERT_EQ(3, write(s, "s2c", 3));
	ASSERT_RET(0, shutdown(c, SHUT_RDWR));
	ASSERT_RET(0, shutdown(s, SHUT_RDWR));
	ASSERT_EQ(3, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "c2s", 3));
	ASSERT_EQ(3, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "s2c", 3));
	ASSERT_EQ(0, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, read(c, buf, sizeof(buf)));
	close(c);
	close(s);
}

/*
 * The peer's shutdown(SHUT_WR) wakes a reader blocked in read() (here in a
 * child sharing the socket), which returns 0.
 */
TEST_F(shutdown, peer_shut_wr_wakes_reader)
{
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	pid = fork_eof_reader(s);
	ASSERT_RET(0, shutdown(c, SHUT_WR));
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/* Our own shutdown(SHUT_RD) also wakes a reader blocked on the socket. */
TEST_F(shutdown, own_shut_rd_wakes_reader)
{
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	pid = fork_eof_reader(s);
	ASSERT_RET(0, shutdown(s, SHUT_RD));
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/*
 * Peer closed with nothing left unread: reads give EOF, SO_ERROR is 0,
 * writes give EPIPE with SIGPIPE, and with MSG_NOSIGNAL without it.
 */
TEST_F(shutdown, peer_close_eof_epipe)
{
	char buf[4];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	new_pair(&c, &s);
	close(s);
	ASSERT_EQ(0, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_ERROR));
	ASSERT_ERRNO(EPIPE, write(c, "x", 1));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, 0));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, MSG_NOSIGNAL));
	ASSERT_EQ(0, take_sigpipe());
	/* Even a zero-length send reports the broken pipe. */
	ASSERT_ERRNO(EPIPE, send(c, "", 0, MSG_NOSIGNAL));
	close(c);
}

/* SIGPIPE with the default action kills the writer. */
TEST_F(shutdown, sigpipe_kills_by_default)
{
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	close(s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (write(c, "x", 1) < 0)
			_exit(100 + errno);
		_exit(97);
	}
	ASSERT_EQ(128 + SIGPIPE, wait_child(pid));
	close(c);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* A SIGPIPE handler runs once per failing send, and send returns EPIPE. */
TEST_F(shutdown, sigpipe_handler)
{
	struct sigaction sa = { 0 };
	int c, s;

	sa.sa_handler = on_sigpipe;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	new_pair(&c, &s);
	ASSERT_RET(0, shutdown(s, SHUT_RD));
	ASSERT_ERRNO(EPIPE, write(c, "x", 1));
	ASSERT_EQ(1, sigpipes);
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, MSG_NOSIGNAL));
	ASSERT_EQ(1, sigpipes);
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, MSG_DONTWAIT));
	ASSERT_EQ(2, sigpipes);
	close(c);
	close(s);
}

/*
 * A writer blocked on a full buffer when the peer closes (with our data
 * unread) wakes up in sock_alloc_send_pskb(), which reports the pending
 * sock_error() first: ECONNRESET, and no SIGPIPE.  The next write then
 * finds the shutdown: EPIPE.
 */
TEST_F(shutdown, peer_close_resets_blocked_writer)
{
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_LT(0, fill_sndbuf(c, 4096));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long r;

		close(s);
		signal(SIGPIPE, SIG_DFL);
		r = write(c, "x", 1);
		if (child_errno_code(r, errno, ECONNRESET))
			_exit(child_errno_code(r, errno, ECONNRESET));
		r = send(c, "x", 1, MSG_NOSIGNAL);
		_exit(child_errno_code(r, errno, EPIPE) ? 50 : 0);
	}
	/* Closed before the write sleeps, it would get EPIPE and SIGPIPE. */
	ASSERT_TRUE(wait_blocked_in(pid, SYS_write));
	close(s);
	ASSERT_EQ(0, wait_child(pid));
	close(c);
}

/*
 * Data written and then the writer closed: the reader gets all the data,
 * then EOF; no reset, since the closer had nothing unread.
 */
TEST_F(shutdown, data_survives_writer_close)
{
	char buf[16];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(7, write(c, "goodbye", 7));
	close(c);
	ASSERT_EQ(7, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "goodbye", 7));
	ASSERT_EQ(0, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_ERROR));
}

/*
 * unix_release_sock(): closing with unread data sets ECONNRESET on the
 * peer.  The peer's next read returns ECONNRESET once, then EOF; writes
 * give EPIPE.
 */
TEST_F(shutdown, close_with_unread_data_econnreset)
{
	char buf[4];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(4, write(c, "lost", 4));
	close(s);
	ASSERT_ERRNO(ECONNRESET, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, read(c, buf, sizeof(buf)));
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, MSG_NOSIGNAL));
	close(c);
}

/* The same reset is reported once through SO_ERROR, after which reads see EOF. */
TEST_F(shutdown, close_with_unread_data_so_error)
{
	char buf[4];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(4, write(c, "lost", 4));
	close(s);
	ASSERT_EQ(ECONNRESET, get_int_opt(c, SOL_SOCKET, SO_ERROR));
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_ERROR));
	ASSERT_EQ(0, read(c, buf, sizeof(buf)));
	close(c);
}

/*
 * Queued data is read before the pending reset is reported: the survivor
 * first gets its own unread bytes, then ECONNRESET, then EOF.
 */
TEST_F(shutdown, reset_after_queued_data)
{
	char buf[8];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(3, write(s, "fin", 3));
	ASSERT_EQ(4, write(c, "lost", 4));
	close(s);
	ASSERT_EQ(3, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "fin", 3));
	ASSERT_ERRNO(ECONNRESET, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, read(c, buf, sizeof(buf)));
	close(c);
}

/*
 * A listener closed with unaccepted connections releases the embryos: each
 * client sees ECONNRESET on its first read, then EOF, and EPIPE on write.
 */
TEST_F(shutdown, listener_close_resets_pending)
{
	char path[96], buf[4];
	int l, a, b;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	a = new_client(self->family, path);
	b = new_client(self->family, path);
	ASSERT_EQ(2, write(b, "hi", 2));
	close(l);
	ASSERT_ERRNO(ECONNRESET, read(a, buf, sizeof(buf)));
	ASSERT_EQ(0, read(a, buf, sizeof(buf)));
	ASSERT_ERRNO(EPIPE, send(a, "x", 1, MSG_NOSIGNAL));
	ASSERT_ERRNO(ECONNRESET, recv(b, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, recv(b, buf, sizeof(buf), MSG_DONTWAIT));
	close(a);
	close(b);
}

/* ... and through SO_ERROR: ECONNRESET once, then 0. */
TEST_F(shutdown, listener_close_so_error)
{
	char path[96];
	int l, a;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	a = new_client(self->family, path);
	ASSERT_EQ(0, get_int_opt(a, SOL_SOCKET, SO_ERROR));
	close(l);
	ASSERT_EQ(ECONNRESET, get_int_opt(a, SOL_SOCKET, SO_ERROR));
	ASSERT_EQ(0, get_int_opt(a, SOL_SOCKET, SO_ERROR));
	close(a);
}

/*
 * The listener's shutdown(SHUT_RDWR) does not reset the pending
 * connections: they can still be accepted and used.
 */
TEST_F(shutdown, listener_shutdown_keeps_pending)
{
	char path[96], buf[4];
	int l, a, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	a = new_client(self->family, path);
	ASSERT_RET(0, shutdown(l, SHUT_RDWR));
	s = accept_ok(l);
	ASSERT_EQ(2, write(a, "ok", 2));
	ASSERT_EQ(2, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, get_int_opt(a, SOL_SOCKET, SO_ERROR));
	close(s);
	close(a);
	close(l);
}

/*
 * unix_accept() on a listener with RCV_SHUTDOWN and nothing queued: the
 * datagram wait reports "shut down" without an error, which unix_accept()
 * turns into EINVAL; a non-blocking accept still says EAGAIN.
 */
TEST_F(shutdown, accept_on_shut_rd_listener)
{
	char path[96];
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	ASSERT_RET(0, shutdown(l, SHUT_RD));
	ASSERT_ERRNO(EINVAL, accept(l, NULL, NULL));
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	close(l);
}

/* shutdown(SHUT_RD) of a listener wakes a blocked accept() with EINVAL. */
TEST_F(shutdown, listener_shut_rd_wakes_accept)
{
	char path[96];
	pid_t pid;
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 4);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long r = accept(l, NULL, NULL);

		_exit(child_errno_code(r, errno, EINVAL));
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_accept));
	ASSERT_RET(0, shutdown(l, SHUT_RD));
	ASSERT_EQ(0, wait_child(pid));
	close(l);
}

TEST_HARNESS_MAIN
