// SPDX-License-Identifier: GPL-2.0
/*
 * poll()/select()/epoll readiness of SOCK_STREAM sockets, compared as full
 * revents masks (unix_poll()):
 *   EPOLLERR  if sk_err;
 *   EPOLLHUP  if fully shut down, or if the socket is in TCP_CLOSE
 *             (so a never-connected stream socket reports POLLHUP);
 *   EPOLLRDHUP|EPOLLIN|EPOLLRDNORM on RCV_SHUTDOWN;
 *   EPOLLIN|EPOLLRDNORM with data (or, for a listener, pending connections);
 *   EPOLLOUT|EPOLLWRNORM|EPOLLWRBAND while unix_writable(): never for a
 *             listener, otherwise while wmem_alloc * 4 <= sndbuf, even
 *             after the peer shut down.
 */
#include "punix_test.h"

#include <sys/epoll.h>
#include <sys/select.h>

PUNIX_FIXTURE(poll);

#define EP_ALL	(EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDHUP | EPOLLRDNORM | \
		 EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND)
#define EP_RD	(EPOLLIN | EPOLLRDNORM)
#define EP_WR	(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)

/* A fresh (TCP_CLOSE) stream socket: writable and hung up. */
TEST_F(poll, fresh_socket)
{
	int fd = new_socket(self->family);

	ASSERT_EQ(POLL_WR | POLLHUP, poll_now(fd));
	close(fd);
}

/* Binding does not change the state: still POLLOUT|POLLHUP. */
TEST_F(poll, bound_socket)
{
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "b");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	ASSERT_EQ(POLL_WR | POLLHUP, poll_now(fd));
	close(fd);
}

/*
 * A listener is never writable; it is readable exactly while connections
 * are pending.
 */
TEST_F(poll, listener)
{
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	ASSERT_EQ(0, poll_now(l));
	c = new_client(self->family, path);
	ASSERT_EQ(POLL_RD, poll_now(l));
	s = accept_ok(l);
	ASSERT_EQ(0, poll_now(l));
	close(s);
	close(c);
	close(l);
}

/* shutdown(SHUT_RD) on a listener: RDHUP|IN, still no HUP and no OUT. */
TEST_F(poll, listener_shut_rd)
{
	char path[96];
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	ASSERT_RET(0, shutdown(l, SHUT_RD));
	ASSERT_EQ(POLLRDHUP | POLL_RD, poll_now(l));
	close(l);
}

/*
 * Connected: both ends (client already before accept) are writable only;
 * queued data adds POLLIN|POLLRDNORM on the reader, until it is read.
 */
TEST_F(poll, connected)
{
	char path[96], buf[8];
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	c = new_client(self->family, path);
	ASSERT_EQ(POLL_WR, poll_now(c));
	s = accept_ok(l);
	ASSERT_EQ(POLL_WR, poll_now(s));
	ASSERT_EQ(3, write(c, "abc", 3));
	ASSERT_EQ(POLL_RD | POLL_WR, poll_now(s));
	ASSERT_EQ(POLL_WR, poll_now(c));
	ASSERT_EQ(3, read(s, buf, sizeof(buf)));
	ASSERT_EQ(POLL_WR, poll_now(s));
	close(s);
	close(c);
	close(l);
}

/* A socketpair end behaves like a connected socket. */
TEST_F(poll, socketpair)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_EQ(POLL_WR, poll_now(sv[0]));
	ASSERT_EQ(1, write(sv[0], "x", 1));
	ASSERT_EQ(POLL_RD | POLL_WR, poll_now(sv[1]));
	close(sv[0]);
	close(sv[1]);
}

/*
 * Peer shutdown(SHUT_WR): the reader gets POLLIN|POLLRDHUP (EOF is
 * readable) and stays writable; the side that shut down its writing is
 * unchanged (SEND_SHUTDOWN alone has no poll bit).
 */
TEST_F(poll, peer_shut_wr)
{
	int c, s;

	new_pair(&c, &s);
	ASSERT_RET(0, shutdown(c, SHUT_WR));
	ASSERT_EQ(POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	ASSERT_EQ(POLL_WR, poll_now(c));
	close(c);
	close(s);
}

/* Own shutdown(SHUT_RD): POLLIN|POLLRDHUP on us; the peer is unchanged. */
TEST_F(poll, own_shut_rd)
{
	int c, s;

	new_pair(&c, &s);
	ASSERT_RET(0, shutdown(s, SHUT_RD));
	ASSERT_EQ(POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	ASSERT_EQ(POLL_WR, poll_now(c));
	close(c);
	close(s);
}

/* shutdown(SHUT_RDWR) shuts both directions on both ends: POLLHUP too. */
TEST_F(poll, shut_rdwr)
{
	int c, s;

	new_pair(&c, &s);
	ASSERT_RET(0, shutdown(c, SHUT_RDWR));
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	close(c);
	close(s);
}

/* Peer closed cleanly: POLLIN|POLLRDHUP|POLLHUP, still POLLOUT. */
TEST_F(poll, peer_close)
{
	int c, s;

	new_pair(&c, &s);
	close(s);
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	close(c);
}

/*
 * Peer closed with our data unread: POLLERR as well, until the error has
 * been reported once.
 */
TEST_F(poll, peer_close_reset)
{
	char buf[4];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(4, write(c, "lost", 4));
	close(s);
	ASSERT_EQ(POLLERR | POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	ASSERT_ERRNO(ECONNRESET, read(c, buf, sizeof(buf)));
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	close(c);
}

/* A client whose unaccepted connection died with its listener. */
TEST_F(poll, listener_close_resets_client)
{
	char path[96];
	int l, c;

	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	c = new_client(self->family, path);
	close(l);
	ASSERT_EQ(POLLERR | POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	close(c);
}

/*
 * A full send buffer clears POLLOUT; it comes back once the reader has
 * drained everything.
 */
TEST_F(poll, full_sndbuf_clears_pollout)
{
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_LT(0, fill_sndbuf(c, 1024));
	ASSERT_EQ(0, poll_now(c));
	ASSERT_EQ(POLL_RD | POLL_WR, poll_now(s));
	ASSERT_LT(0, drain(s));
	ASSERT_EQ(POLL_WR, poll_now(c));
	close(c);
	close(s);
}

/*
 * select() maps the same masks: POLLHUP counts as readable, so a fresh
 * socket is "readable" and writable; a listener is never writable.
 */
TEST_F(poll, select_sets)
{
	struct timeval tv = { 0, 0 };
	fd_set rd, wr, ex;
	char path[96];
	int fd, l, c, s, n;

	fd = new_socket(self->family);
	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	c = new_client(self->family, path);
	s = accept_ok(l);
	ASSERT_EQ(2, write(c, "hi", 2));

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(fd, &rd); FD_SET(fd, &wr); FD_SET(fd, &ex);
	FD_SET(l, &rd); FD_SET(l, &wr); FD_SET(l, &ex);
	FD_SET(c, &rd); FD_SET(c, &wr); FD_SET(c, &ex);
	FD_SET(s, &rd); FD_SET(s, &wr); FD_SET(s, &ex);
	n = select(FD_SETSIZE, &rd, &wr, &ex, &tv);
	/* fd: rd+wr, l: nothing, c: wr, s: rd+wr */
	ASSERT_EQ(5, n);
	ASSERT_TRUE(FD_ISSET(fd, &rd));
	ASSERT_TRUE(FD_ISSET(fd, &wr));
	ASSERT_FALSE(FD_ISSET(l, &rd));
	ASSERT_FALSE(FD_ISSET(l, &wr));
	ASSERT_FALSE(FD_ISSET(c, &rd));
	ASSERT_TRUE(FD_ISSET(c, &wr));
	ASSERT_TRUE(FD_ISSET(s, &rd));
	ASSERT_TRUE(FD_ISSET(s, &wr));
	ASSERT_FALSE(FD_ISSET(fd, &ex) || FD_ISSET(l, &ex) ||
		     FD_ISSET(c, &ex) || FD_ISSET(s, &ex));
	close(fd);
	close(s);
	close(c);
	close(l);
}

/* epoll reports the same masks as poll() (level triggered). */
TEST_F(poll, epoll_masks)
{
	struct epoll_event ev = { .events = EP_ALL }, out[4];
	int ep, fd, c, s;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	fd = new_socket(self->family);
	new_pair(&c, &s);
	ASSERT_EQ(1, write(c, "x", 1));
	ev.data.fd = fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ev.data.fd = s;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	ASSERT_EQ(2, epoll_wait(ep, out, 4, 0));
	for (int i = 0; i < 2; i++) {
		if (out[i].data.fd == fd) {
			ASSERT_EQ((unsigned int)(EP_WR | EPOLLHUP), out[i].events);
		} else {
			ASSERT_EQ(s, out[i].data.fd);
			ASSERT_EQ((unsigned int)(EP_RD | EP_WR), out[i].events);
		}
	}
	close(ep);
	close(fd);
	close(c);
	close(s);
}

/* A blocked epoll_wait() is woken when data arrives (written by a child). */
TEST_F(poll, epoll_wakes_on_data)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP }, out;
	pid_t pid;
	int ep, c, s;

	new_pair(&c, &s);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ev.data.fd = s;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!wait_blocked_in(getppid(), SYS_epoll_wait))
			_exit(95);
		_exit(write(c, "wake", 4) == 4 ? 0 : 97);
	}
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, LONG_TIMEO_MS));
	ASSERT_EQ((unsigned int)EPOLLIN, out.events);
	ASSERT_EQ(s, out.data.fd);
	ASSERT_EQ(0, wait_child(pid));
	close(ep);
	close(c);
	close(s);
}

/* A blocked epoll_wait() on a listener is woken by a connect(). */
TEST_F(poll, epoll_wakes_listener)
{
	struct epoll_event ev = { .events = EP_ALL }, out;
	char path[96];
	pid_t pid;
	int ep, l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ev.data.fd = l;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(self->family, SOCK_STREAM, 0);

		if (!wait_blocked_in(getppid(), SYS_epoll_wait))
			_exit(95);
		if (fd < 0 || connect_path(fd, self->family, path))
			_exit(96);
		_exit(0);
	}
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, LONG_TIMEO_MS));
	ASSERT_EQ((unsigned int)EP_RD, out.events);
	ASSERT_EQ(0, wait_child(pid));
	close(ep);
	close(l);
}

/* A blocked poll() for POLLRDHUP only is woken by the peer's SHUT_WR. */
TEST_F(poll, poll_wakes_on_peer_shut_wr)
{
	struct pollfd pfd;
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!wait_blocked_in(getppid(), SYS_poll))
			_exit(95);
		_exit(shutdown(c, SHUT_WR) ? 97 : 0);
	}
	pfd.fd = s;
	pfd.events = POLLRDHUP;
	pfd.revents = 0;
	ASSERT_EQ(1, poll(&pfd, 1, LONG_TIMEO_MS));
	ASSERT_EQ(POLLRDHUP, pfd.revents);
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/* A blocked poll() with events = 0 is still woken by a hangup (peer close). */
TEST_F(poll, poll_wakes_on_hangup)
{
	struct pollfd pfd;
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!wait_blocked_in(getppid(), SYS_poll))
			_exit(95);
		close(c);
		_exit(0);
	}
	close(c);
	pfd.fd = s;
	pfd.events = 0;
	pfd.revents = 0;
	ASSERT_EQ(1, poll(&pfd, 1, LONG_TIMEO_MS));
	ASSERT_EQ(POLLHUP, pfd.revents);
	ASSERT_EQ(0, wait_child(pid));
	close(s);
}

/*
 * A writer blocked in poll(POLLOUT) on a full buffer is woken once the
 * reader drains it (unix_write_space()).
 */
TEST_F(poll, poll_wakes_writer)
{
	struct pollfd pfd;
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_LT(0, fill_sndbuf(c, 1024));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!wait_blocked_in(getppid(), SYS_poll))
			_exit(95);
		_exit(drain(s) > 0 ? 0 : 97);
	}
	pfd.fd = c;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	ASSERT_EQ(1, poll(&pfd, 1, LONG_TIMEO_MS));
	ASSERT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/*
 * Edge-triggered epoll: every new write is a new edge, even though the
 * socket stayed readable in between.
 */
TEST_F(poll, epoll_et_rearms_on_each_write)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, out;
	int ep, c, s;

	new_pair(&c, &s);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ev.data.fd = s;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	ASSERT_EQ(1, write(c, "a", 1));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(1, write(c, "b", 1));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ((unsigned int)EPOLLIN, out.events);
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
	close(c);
	close(s);
}

TEST_HARNESS_MAIN
