// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_SEQPACKET sockets: connection set-up as for stream sockets
 * (unix_stream_connect(), unix_accept()), data transfer as for datagrams
 * (unix_seqpacket_sendmsg()/unix_seqpacket_recvmsg() wrapping the
 * datagram paths), poll through unix_dgram_poll().  Reference: Linux 6.12.
 *
 * No SIGPIPE is ever raised by a seqpacket send: EPIPE comes from the
 * buffer allocation (own SEND_SHUTDOWN) or the peer's RCV_SHUTDOWN.
 */
#include "msg_util.h"

#include <linux/filter.h>

PUNIX_FIXTURE(seqpacket);

static char big[256 * 1024];

/*
 * A connected pair through a listener at <dir>/<name> (closed again):
 * *c the connecting end, *s the accepted one.
 */
static void __seq_pair(struct __test_metadata *_metadata, int family,
		       const char *dir, const char *name, int *c, int *s)
{
	char path[96];
	int l;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	l = __new_typed_listener(_metadata, family, SOCK_SEQPACKET, path, 4);
	*c = __new_typed_client(_metadata, family, SOCK_SEQPACKET, path);
	*s = __accept_ok(_metadata, l);
	close(l);
	unlink(path);
}
#define seq_pair(c, s) \
	__seq_pair(_metadata, self->family, self->dir, "pair", (c), (s))

/*
 * socketpair(SOCK_SEQPACKET): both ends connected, unnamed, SO_TYPE,
 * message boundaries both ways, SO_PEERCRED the creator's.
 */
TEST_F(seqpacket, socketpair)
{
	struct ucred uc;
	char buf[16];
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_SEQPACKET, 0, sv));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(SOCK_SEQPACKET,
			  get_int_opt(sv[i], SOL_SOCKET, SO_TYPE));
		ASSERT_EQ(self->family, get_int_opt(sv[i], SOL_SOCKET, SO_DOMAIN));
		ASSERT_EQ(0, get_int_opt(sv[i], SOL_SOCKET, SO_PROTOCOL));
		ASSERT_EQ(0, get_int_opt(sv[i], SOL_SOCKET, SO_ACCEPTCONN));
		ASSERT_SOCKNAME(sv[i], NULL);
		ASSERT_PEERNAME(sv[i], NULL);
		ASSERT_EQ(0, get_peercred(sv[i], &uc));
		ASSERT_EQ(getpid(), uc.pid);
		ASSERT_EQ(geteuid(), uc.uid);
		ASSERT_EQ(getegid(), uc.gid);
		ASSERT_EQ(POLL_WR, poll_now(sv[i]));
	}
	ASSERT_RET(3, send(sv[0], "abc", 3, 0));
	ASSERT_RET(2, write(sv[0], "de", 2));
	ASSERT_RET(4, send(sv[1], "back", 4, 0));
	ASSERT_RET(3, recv(sv[1], buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_RET(2, read(sv[1], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "de", 2));
	ASSERT_RET(4, recv(sv[0], buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "back", 4));
	ASSERT_EQ(0, socketpair(self->family, SOCK_SEQPACKET, PF_UNIX, sv));
	ASSERT_ERRNO(EPROTONOSUPPORT,
		     socketpair(self->family, SOCK_SEQPACKET, 2, sv));
	close(sv[0]);
	close(sv[1]);
}

/*
 * listen/connect/accept: SO_ACCEPTCONN, a listener is readable with a
 * pending connection, the accepted socket is a connected seqpacket socket
 * named like the listener.
 */
TEST_F(seqpacket, listen_connect_accept)
{
	struct sockaddr_un sun;
	socklen_t len;
	char lp[96], buf[8];
	int l, c, s;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 4);
	ASSERT_EQ(1, get_int_opt(l, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_EQ(0, poll_now(l));
	/* accept4()'s SOCK_NONBLOCK is for the new file: use O_NONBLOCK. */
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	ASSERT_EQ(0, fcntl(l, F_SETFL, 0));
	c = new_typed_client(SOCK_SEQPACKET, lp);
	ASSERT_EQ(POLL_RD, poll_now(l));
	memset(&sun, 0xa5, sizeof(sun));
	len = sizeof(sun);
	s = accept(l, (struct sockaddr *)&sun, &len);
	ASSERT_LE(0, s);
	/* The peer (the client) is unbound. */
	ASSERT_ADDR(self->family, NULL, sun, len);
	ASSERT_EQ(0, poll_now(l));
	ASSERT_EQ(SOCK_SEQPACKET, get_int_opt(s, SOL_SOCKET, SO_TYPE));
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_RET(2, send(c, "hi", 2, 0));
	ASSERT_RET(2, recv(s, buf, sizeof(buf), 0));
	ASSERT_RET(3, send(s, "yes", 3, 0));
	ASSERT_RET(3, recv(c, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "yes", 3));
	close(s);
	close(c);
	close(l);
}

/* Data sent before accept() waits in the new connection. */
TEST_F(seqpacket, send_before_accept)
{
	char lp[96], buf[8];
	int l, c, s;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 4);
	c = new_typed_client(SOCK_SEQPACKET, lp);
	ASSERT_RET(5, send(c, "early", 5, 0));
	ASSERT_RET(4, send(c, "more", 4, 0));
	ASSERT_EQ(POLL_WR, poll_now(c));
	s = accept_ok(l);
	ASSERT_EQ(9, sock_inq(s));
	ASSERT_EQ(POLL_RD | POLL_WR, poll_now(s));
	ASSERT_RET(5, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "early", 5));
	ASSERT_RET(4, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "more", 4));
	close(s);
	close(c);
	close(l);
}

/*
 * Message boundaries: each send/write/writev is one record, each recv
 * returns one record, also with MSG_WAITALL.
 */
TEST_F(seqpacket, message_boundaries)
{
	struct iovec iov[3] = {
		{ .iov_base = "ab", .iov_len = 2 },
		{ .iov_base = "", .iov_len = 0 },
		{ .iov_base = "cde", .iov_len = 3 },
	};
	char buf[64];
	int c, s;

	seq_pair(&c, &s);
	ASSERT_RET(1, send(c, "1", 1, 0));
	ASSERT_RET(2, send(c, "22", 2, 0));
	ASSERT_RET(5, writev(c, iov, 3));
	ASSERT_RET(3, write(c, "333", 3));
	ASSERT_RET(1, recv(s, buf, sizeof(buf), MSG_WAITALL));
	ASSERT_EQ('1', buf[0]);
	ASSERT_RET(2, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "22", 2));
	ASSERT_RET(5, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "abcde", 5));
	ASSERT_RET(3, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "333", 3));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(c);
	close(s);
}

/*
 * Truncation: a short buffer gets the head of the record, MSG_TRUNC in
 * msg_flags, and the rest is discarded; the MSG_TRUNC input flag returns
 * the record's full length.
 */
TEST_F(seqpacket, msg_trunc)
{
	struct sockaddr_un sun;
	socklen_t len;
	char buf[16];
	int mflags, c, s;

	seq_pair(&c, &s);
	ASSERT_RET(10, send(c, "0123456789", 10, 0));
	ASSERT_RET(8, send(c, "abcdefgh", 8, 0));
	ASSERT_RET(3, send(c, "end", 3, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_RET(4, recv_msg(s, buf, 4, 0, &sun, &len, &mflags));
	ASSERT_EQ(MSG_TRUNC, mflags);
	ASSERT_EQ(0, memcmp(buf, "0123\0", 5));
	ASSERT_RET(8, recv_msg(s, buf, 2, MSG_TRUNC, &sun, &len, &mflags));
	ASSERT_EQ(MSG_TRUNC, mflags);
	ASSERT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_RET(3, recv(s, NULL, 0, MSG_TRUNC | MSG_PEEK));
	ASSERT_RET(3, recv_msg(s, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_EQ(0, mflags);
	ASSERT_EQ(0, memcmp(buf, "end", 3));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(c);
	close(s);
}

/* MSG_PEEK: the head record stays queued; a short peek sets MSG_TRUNC. */
TEST_F(seqpacket, msg_peek)
{
	struct sockaddr_un sun;
	socklen_t len;
	char buf[16];
	int mflags, c, s;

	seq_pair(&c, &s);
	ASSERT_RET(5, send(c, "first", 5, 0));
	ASSERT_RET(6, send(c, "second", 6, 0));
	ASSERT_RET(5, recv(s, buf, sizeof(buf), MSG_PEEK));
	ASSERT_RET(5, recv(s, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "first", 5));
	ASSERT_RET(2, recv_msg(s, buf, 2, MSG_PEEK, &sun, &len, &mflags));
	ASSERT_EQ(MSG_TRUNC, mflags);
	ASSERT_EQ(11, sock_inq(s));
	ASSERT_RET(5, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "first", 5));
	ASSERT_RET(6, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "second", 6));
	close(c);
	close(s);
}

/*
 * Zero-length records are delivered (recv returns 0 for them, which is
 * not EOF); SIOCINQ is the sum over all queued records (unlike dgram).
 */
TEST_F(seqpacket, zero_length_and_siocinq)
{
	char buf[8];
	int c, s;

	seq_pair(&c, &s);
	ASSERT_EQ(0, sock_inq(s));
	ASSERT_RET(0, send(c, "", 0, 0));
	ASSERT_EQ(POLL_RD | POLL_WR, poll_now(s));
	ASSERT_RET(3, send(c, "abc", 3, 0));
	ASSERT_RET(5, send(c, "defgh", 5, 0));
	ASSERT_EQ(8, sock_inq(s));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(8, sock_inq(s));
	ASSERT_RET(3, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(5, sock_inq(s));
	ASSERT_RET(5, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, sock_inq(s));
	ASSERT_EQ(POLL_WR, poll_now(s));
	close(c);
	close(s);
}

/* SIOCINQ on a listener: EINVAL.  SIOCOUTQ counts unread records. */
TEST_F(seqpacket, ioctl_listener_and_outq)
{
	char lp[96], buf[8];
	int l, c, s;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 1);
	ASSERT_EQ(-EINVAL, sock_inq(l));
	close(l);
	seq_pair(&c, &s);
	ASSERT_EQ(0, sock_outq(c));
	ASSERT_RET(4, send(c, "data", 4, 0));
	ASSERT_LT(4, sock_outq(c));
	ASSERT_RET(4, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, sock_outq(c));
	close(c);
	close(s);
}

/* Peer closed: queued records are still read, then read returns 0 (EOF). */
TEST_F(seqpacket, eof_after_peer_close)
{
	char buf[8];
	int c, s;

	seq_pair(&c, &s);
	ASSERT_RET(4, send(c, "last", 4, 0));
	close(c);
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	ASSERT_RET(4, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "last", 4));
	ASSERT_RET(0, read(s, buf, sizeof(buf)));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), 0));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_ERROR));
	close(s);
}

/* A blocked reader is woken by the peer's close and returns 0. */
TEST_F(seqpacket, blocked_recv_woken_by_close)
{
	pid_t pid;
	int c, s;

	seq_pair(&c, &s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char ch;

		close(c);
		_exit(recv(s, &ch, 1, 0) == 0 ? 0 : 97);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_recvfrom));
	close(c);
	ASSERT_EQ(0, wait_child(pid));
	close(s);
}

/*
 * Unconnected (fresh, bound, or listening): send and recv give ENOTCONN,
 * also with a valid address for sendto (no implicit connect), and before
 * any size check.
 */
TEST_F(seqpacket, unconnected_enotconn)
{
	char lp[96], bp[96], buf[8];
	int fd = new_typed(SOCK_SEQPACKET);
	int l, b;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 1);
	b = new_bound_at(SOCK_SEQPACKET, bp, "b");
	ASSERT_ERRNO(ENOTCONN, send(fd, "x", 1, 0));
	ASSERT_ERRNO(ENOTCONN, write(fd, "x", 1));
	ASSERT_ERRNO(ENOTCONN, send(fd, big, sizeof(big), 0));
	ASSERT_ERRNO(ENOTCONN, sendto_path(fd, self->family, lp, "x", 1, 0));
	ASSERT_ERRNO(ENOTCONN, recv(fd, buf, sizeof(buf), 0));
	ASSERT_ERRNO(ENOTCONN, recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(ENOTCONN, read(fd, buf, sizeof(buf)));
	ASSERT_ERRNO(ENOTCONN, send(b, "x", 1, 0));
	ASSERT_ERRNO(ENOTCONN, recv(b, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(ENOTCONN, send(l, "x", 1, 0));
	ASSERT_ERRNO(ENOTCONN, recv(l, buf, sizeof(buf), 0));
	/* sendto did not connect anything. */
	ASSERT_EQ(0, poll_now(l));
	close(fd);
	close(l);
	close(b);
}

/*
 * sendto() with an address on a connected socket: the address is ignored
 * (msg_namelen forced to 0), whatever it is -- a missing path, another
 * listener, a one-byte garbage address -- and the record reaches the peer.
 * (Stream sockets give EISCONN here.)
 */
TEST_F(seqpacket, sendto_address_ignored)
{
	char np[96], lp[96], buf[8];
	struct sockaddr_un sun;
	int l, c, s;

	TPATH(lp, "l");
	TPATH(np, "missing");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 2);
	c = new_typed_client(SOCK_SEQPACKET, lp);
	s = accept_ok(l);
	ASSERT_RET(1, sendto_path(c, self->family, np, "1", 1, 0));
	ASSERT_RET(1, sendto_path(c, self->family, lp, "2", 1, 0));
	memset(&sun, 0xff, sizeof(sun));
	ASSERT_RET(1, sendto(c, "3", 1, 0, (struct sockaddr *)&sun, 1));
	sun.sun_family = AF_INET;
	ASSERT_RET(1, sendto(c, "4", 1, 0, (struct sockaddr *)&sun,
			     sizeof(sun)));
	for (char want = '1'; want <= '4'; want++) {
		ASSERT_RET(1, recv(s, buf, sizeof(buf), 0));
		ASSERT_EQ(want, buf[0]);
	}
	/* Nothing reached the listener. */
	ASSERT_EQ(0, poll_now(l));
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	close(c);
	close(s);
	close(l);
}

/*
 * Peer closed with our records unread: one ECONNRESET (from the send,
 * or SO_ERROR/recv), then EPIPE on every send -- without SIGPIPE -- and
 * EOF on recv.
 */
TEST_F(seqpacket, econnreset_once_then_epipe)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	seq_pair(&c, &s);
	ASSERT_RET(6, send(c, "unread", 6, 0));
	close(s);
	ASSERT_EQ(POLLERR | POLLHUP | POLLRDHUP | POLL_RD | POLL_WR,
		  poll_now(c));
	ASSERT_ERRNO(ECONNRESET, send(c, "x", 1, 0));
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, 0));
	ASSERT_ERRNO(EPIPE, write(c, "x", 1));
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, MSG_DONTWAIT));
	ASSERT_EQ(0, take_sigpipe());
	ASSERT_RET(0, recv(c, buf, sizeof(buf), 0));
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_ERROR));
	close(c);
	/* The reset seen by recv first: then EOF, and sends EPIPE. */
	seq_pair(&c, &s);
	ASSERT_RET(6, send(s, "unread", 6, 0));
	close(c);
	ASSERT_ERRNO(ECONNRESET, recv(s, buf, sizeof(buf), 0));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), 0));
	ASSERT_ERRNO(EPIPE, send(s, "x", 1, 0));
	ASSERT_EQ(0, take_sigpipe());
	close(s);
}

/* Peer closed after reading everything: no reset, straight EPIPE. */
TEST_F(seqpacket, peer_close_epipe_no_reset)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	seq_pair(&c, &s);
	ASSERT_RET(4, send(c, "read", 4, 0));
	ASSERT_RET(4, recv(s, buf, sizeof(buf), 0));
	close(s);
	ASSERT_EQ(0, get_int_opt(c, SOL_SOCKET, SO_ERROR));
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, 0));
	ASSERT_ERRNO(EPIPE, send(c, "", 0, 0));
	ASSERT_EQ(0, take_sigpipe());
	ASSERT_RET(0, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	/* Still "connected" as far as the state goes: getpeername works. */
	close(c);
}

/*
 * What one side of a socketpair of @family sees after it sent records of
 * the @n lengths @lens that the other side closed unread: poll, a 235-byte
 * send and a recv (the recv first if @recv_first) with a poll between,
 * and whether SIGPIPE came.  The calls give their length or -errno.
 */
struct reset_seen {
	int	poll1;
	int	poll2;
	long	sent;
	long	got;
	int	sigpipe;
};

static long sent_or_errno(int fd)
{
	static const char buf[235];
	ssize_t n = send(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n < 0 ? -errno : n;
}

static long got_or_errno(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	return n < 0 ? -errno : n;
}

static struct reset_seen reset_seen(int family, const size_t *lens, int n,
				    bool recv_first)
{
	struct reset_seen r = { -1, -1, -EINVAL, -EINVAL, -1 };
	int sv[2];

	if (socketpair(family, SOCK_SEQPACKET, 0, sv))
		return r;
	for (int i = 0; i < n; i++) {
		if (send(sv[1], big, lens[i], 0) != (ssize_t)lens[i]) {
			close(sv[0]);
			close(sv[1]);
			return r;
		}
	}
	close(sv[0]);
	r.poll1 = poll_now(sv[1]);
	if (recv_first) {
		r.got = got_or_errno(sv[1]);
		r.poll2 = poll_now(sv[1]);
		r.sent = sent_or_errno(sv[1]);
	} else {
		r.sent = sent_or_errno(sv[1]);
		r.poll2 = poll_now(sv[1]);
		r.got = got_or_errno(sv[1]);
	}
	r.sigpipe = take_sigpipe();
	close(sv[1]);
	return r;
}

/*
 * The peer closed with only empty records of ours unread.  Both kernels
 * carry "af_unix: Don't set -ECONNRESET for consumed OOB skb": a leading
 * empty record does not count as unread, so no reset (no POLLERR),
 * straight EPIPE and EOF; a record behind it, empty or not, is unread
 * data: ECONNRESET.  Kernels without that fix reset for any record, so
 * every case is compared with AF_UNIX's answer in this test.
 */
TEST_F(seqpacket, empty_record_unread_at_close)
{
	static const size_t l0[] = { 0 }, l00[] = { 0, 0 }, l05[] = { 0, 5 };
	static const size_t l50[] = { 5, 0 }, l5[] = { 5 };
	static const struct {
		const size_t	*lens;
		int		n;
	} cases[] = {
		{ NULL, 0 }, { l0, 1 }, { l00, 2 }, { l05, 2 }, { l50, 2 },
		{ l5, 1 },
	};
	struct reset_seen want, got;

	ASSERT_EQ(0, block_sigpipe());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int rf = 0; rf < 2; rf++) {
			want = reset_seen(AF_UNIX, cases[i].lens, cases[i].n,
					  rf);
			got = reset_seen(self->family, cases[i].lens,
					 cases[i].n, rf);
			/* On any kernel: a reset or EPIPE, never SIGPIPE. */
			ASSERT_TRUE(want.sent == -EPIPE ||
				    want.sent == -ECONNRESET);
			ASSERT_TRUE(want.got == 0 || want.got == -ECONNRESET);
			ASSERT_EQ(0, want.sigpipe);
			ASSERT_EQ(want.poll1, got.poll1) {
				TH_LOG("case %zu (%s first): first poll",
				       i, rf ? "recv" : "send");
			}
			ASSERT_EQ(want.sent, got.sent) {
				TH_LOG("case %zu (%s first): send",
				       i, rf ? "recv" : "send");
			}
			ASSERT_EQ(want.poll2, got.poll2) {
				TH_LOG("case %zu (%s first): second poll",
				       i, rf ? "recv" : "send");
			}
			ASSERT_EQ(want.got, got.got) {
				TH_LOG("case %zu (%s first): recv",
				       i, rf ? "recv" : "send");
			}
			ASSERT_EQ(0, got.sigpipe);
		}
	}
}

/*
 * Own shutdown(SHUT_RD): queued records are still returned, then recv
 * returns 0 at once -- also non-blocking (seqpacket-only EOF), and the
 * peer's sends fail with EPIPE (mirrored SEND_SHUTDOWN).
 */
TEST_F(seqpacket, shut_rd_nonblocking_recv_eof)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	seq_pair(&c, &s);
	ASSERT_RET(2, send(c, "q1", 2, 0));
	ASSERT_RET(0, shutdown(s, SHUT_RD));
	ASSERT_EQ(POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	ASSERT_RET(2, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, set_nonblock(s));
	ASSERT_RET(0, read(s, buf, sizeof(buf)));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), 0));
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, 0));
	ASSERT_EQ(0, take_sigpipe());
	/* The other direction still works. */
	ASSERT_RET(2, send(s, "ok", 2, 0));
	ASSERT_RET(2, recv(c, buf, sizeof(buf), 0));
	ASSERT_EQ(POLL_WR, poll_now(c));
	close(c);
	close(s);
}

/*
 * Own shutdown(SHUT_WR): our sends fail with EPIPE (no SIGPIPE); the
 * peer reads what was sent, then EOF (0, non-blocking too) and gets
 * POLLRDHUP.
 */
TEST_F(seqpacket, shut_wr_epipe_peer_eof)
{
	char buf[8];
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	seq_pair(&c, &s);
	ASSERT_RET(3, send(c, "bye", 3, 0));
	ASSERT_RET(0, shutdown(c, SHUT_WR));
	ASSERT_ERRNO(EPIPE, send(c, "x", 1, 0));
	ASSERT_ERRNO(EPIPE, write(c, "x", 1));
	ASSERT_EQ(0, take_sigpipe());
	ASSERT_EQ(POLL_WR, poll_now(c));
	ASSERT_EQ(POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	ASSERT_RET(3, recv(s, buf, sizeof(buf), 0));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), 0));
	ASSERT_RET(0, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_RET(4, send(s, "more", 4, 0));
	ASSERT_RET(4, recv(c, buf, sizeof(buf), 0));
	/* Both halves shut: POLLHUP on both ends. */
	ASSERT_RET(0, shutdown(s, SHUT_WR));
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(c));
	ASSERT_EQ(POLLHUP | POLLRDHUP | POLL_RD | POLL_WR, poll_now(s));
	close(c);
	close(s);
}

/*
 * unix_dgram_poll() for seqpacket: an unconnected socket (TCP_CLOSE) is
 * POLLOUT|POLLHUP, bound too; a listener is 0, POLLIN with a pending
 * connection; connected ends are POLLOUT, plus POLLIN with data.
 */
TEST_F(seqpacket, poll_masks)
{
	char lp[96], bp[96];
	int fd = new_typed(SOCK_SEQPACKET);
	int l, b, c, s;

	ASSERT_EQ(POLL_WR | POLLHUP, poll_now(fd));
	ASSERT_EQ(POLLHUP, poll_ev(fd, 0));
	b = new_bound_at(SOCK_SEQPACKET, bp, "b");
	ASSERT_EQ(POLL_WR | POLLHUP, poll_now(b));
	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 2);
	ASSERT_EQ(0, poll_now(l));
	c = new_typed_client(SOCK_SEQPACKET, lp);
	ASSERT_EQ(POLL_WR, poll_now(c));
	ASSERT_EQ(POLL_RD, poll_now(l));
	s = accept_ok(l);
	ASSERT_EQ(0, poll_now(l));
	ASSERT_EQ(POLL_WR, poll_now(s));
	ASSERT_RET(1, send(s, "x", 1, 0));
	ASSERT_EQ(POLL_RD | POLL_WR, poll_now(c));
	/* A listener's own SHUT_RD: RDHUP|IN, still not writable. */
	ASSERT_RET(0, shutdown(l, SHUT_RD));
	ASSERT_EQ(POLLRDHUP | POLL_RD, poll_now(l));
	close(fd);
	close(b);
	close(l);
	close(c);
	close(s);
}

/* A poll() blocked for POLLIN (in a child) is woken by a record. */
TEST_F(seqpacket, poll_woken_by_record)
{
	pid_t pid;
	int c, s;

	seq_pair(&c, &s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };

		if (poll(&pfd, 1, LONG_TIMEO_MS) != 1)
			_exit(90);
		_exit(pfd.revents == POLLIN ? 0 : 98);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_poll));
	ASSERT_RET(1, send(c, "w", 1, 0));
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/* Stream <-> seqpacket: connect() to the other type's path is EPROTOTYPE. */
TEST_F(seqpacket, eprototype_stream_seqpacket)
{
	char sp[96], qp[96], dp[96];
	int ls, lq, d, fs, fq;

	TPATH(sp, "stream");
	TPATH(qp, "seqpacket");
	ls = new_listener(self->family, sp, 1);
	lq = new_typed_listener(SOCK_SEQPACKET, qp, 1);
	d = new_bound_at(SOCK_DGRAM, dp, "dgram");
	fs = new_typed(SOCK_STREAM);
	fq = new_typed(SOCK_SEQPACKET);
	ASSERT_ERRNO(EPROTOTYPE, connect_path(fs, self->family, qp));
	ASSERT_ERRNO(EPROTOTYPE, connect_path(fq, self->family, sp));
	ASSERT_ERRNO(EPROTOTYPE, connect_path(fq, self->family, dp));
	/* Nothing got queued on either listener. */
	ASSERT_EQ(0, poll_now(ls));
	ASSERT_EQ(0, poll_now(lq));
	/* The sockets are still usable with the right type. */
	ASSERT_RET(0, connect_path(fq, self->family, qp));
	ASSERT_RET(0, connect_path(fs, self->family, sp));
	close(ls);
	close(lq);
	close(d);
	close(fs);
	close(fq);
}

/*
 * connect() errors: no listener at a bound seqpacket socket, a listener
 * shut for reading, no socket at all (ENOENT, ECONNREFUSED); EISCONN when
 * connected; EINVAL on a listener.  listen() errors: unbound or connected
 * EINVAL.
 */
TEST_F(seqpacket, connect_listen_errors)
{
	char bp[96], lp[96], l2p[96], l3p[96], np[96];
	int b, l, l2, l3, fd, s;

	TPATH(l3p, "l3");
	l3 = new_typed_listener(SOCK_SEQPACKET, l3p, 2);
	TPATH(lp, "l");
	TPATH(l2p, "l2");
	TPATH(np, "none");
	b = new_bound_at(SOCK_SEQPACKET, bp, "b");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 2);
	l2 = new_typed_listener(SOCK_SEQPACKET, l2p, 2);
	ASSERT_RET(0, shutdown(l2, SHUT_RD));
	fd = new_typed(SOCK_SEQPACKET);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, bp));
	ASSERT_ERRNO(ECONNREFUSED, connect_path(fd, self->family, l2p));
	ASSERT_ERRNO(ENOENT, connect_path(fd, self->family, np));
	ASSERT_ERRNO(EINVAL, listen(fd, 1));
	/* A listener connecting, to another listener or to itself. */
	ASSERT_ERRNO(EINVAL, connect_path(l, self->family, l3p));
	ASSERT_ERRNO(EINVAL, connect_path(l, self->family, lp));
	ASSERT_EQ(0, poll_now(l));
	ASSERT_EQ(0, poll_now(l3));
	ASSERT_RET(0, connect_path(fd, self->family, lp));
	ASSERT_ERRNO(EISCONN, connect_path(fd, self->family, lp));
	ASSERT_ERRNO(EINVAL, listen(fd, 1));
	s = accept_ok(l);
	ASSERT_ERRNO(EINVAL, listen(s, 1));
	/* accept() on a non-listening seqpacket socket: EINVAL. */
	ASSERT_ERRNO(EINVAL, accept(b, NULL, NULL));
	ASSERT_ERRNO(EINVAL, accept(s, NULL, NULL));
	close(fd);
	close(s);
	close(b);
	close(l);
	close(l2);
	close(l3);
}

/*
 * Closing a listener resets its pending (unaccepted) connections: the
 * client sees POLLERR|POLLHUP, one ECONNRESET, then EOF; sends EPIPE.
 */
TEST_F(seqpacket, listener_close_resets_pending)
{
	char lp[96], buf[8];
	int l, c1, c2;

	ASSERT_EQ(0, block_sigpipe());
	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 4);
	c1 = new_typed(SOCK_SEQPACKET);
	c2 = new_typed(SOCK_SEQPACKET);
	ASSERT_RET(0, connect_path(c1, self->family, lp));
	ASSERT_RET(0, connect_path(c2, self->family, lp));
	ASSERT_RET(3, send(c2, "lost", 3, 0));
	close(l);
	for (int i = 0; i < 2; i++) {
		int c = i ? c2 : c1;

		ASSERT_EQ(POLLERR | POLLHUP | POLLRDHUP | POLL_RD | POLL_WR,
			  poll_now(c));
		ASSERT_ERRNO(ECONNRESET, recv(c, buf, sizeof(buf), 0));
		ASSERT_RET(0, recv(c, buf, sizeof(buf), 0));
		ASSERT_ERRNO(EPIPE, send(c, "x", 1, 0));
	}
	ASSERT_EQ(0, take_sigpipe());
	/* The node is left behind, and refuses. */
	close(c1);
	c1 = new_typed(SOCK_SEQPACKET);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(c1, self->family, lp));
	close(c1);
	close(c2);
}

/* accept4(): SOCK_NONBLOCK and SOCK_CLOEXEC land on the new file. */
TEST_F(seqpacket, accept4_flags)
{
	char lp[96], buf[4];
	int l, c1, c2, s1, s2;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 4);
	c1 = new_typed(SOCK_SEQPACKET);
	c2 = new_typed(SOCK_SEQPACKET);
	ASSERT_RET(0, connect_path(c1, self->family, lp));
	ASSERT_RET(0, connect_path(c2, self->family, lp));
	ASSERT_ERRNO(EINVAL, accept4(l, NULL, NULL, 0x1));
	s1 = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, s1);
	ASSERT_EQ(O_NONBLOCK, fcntl(s1, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(FD_CLOEXEC, fcntl(s1, F_GETFD));
	ASSERT_ERRNO(EAGAIN, recv(s1, buf, sizeof(buf), 0));
	s2 = accept4(l, NULL, NULL, 0);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, fcntl(s2, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, fcntl(s2, F_GETFD));
	/* Empty queue: a non-blocking listener's accept is EAGAIN. */
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_ERRNO(EAGAIN, accept4(l, NULL, NULL, SOCK_NONBLOCK));
	close(s1);
	close(s2);
	close(c1);
	close(c2);
	close(l);
}

/*
 * Names: the accepted socket carries the listener's name; the client's
 * peer is the listener's name; the server's peer is the client's own
 * name (or unnamed).  recvfrom() on a connected socket reports the
 * sending socket's name: the listener's path for records from the
 * accepted end.
 */
TEST_F(seqpacket, getpeername_getsockname)
{
	char lp[96], cp[96], buf[8];
	struct sockaddr_un sun;
	socklen_t len;
	int l, c, u, s, su, mflags;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 4);
	c = new_bound_at(SOCK_SEQPACKET, cp, "c");
	u = new_typed(SOCK_SEQPACKET);
	len = sizeof(sun);
	ASSERT_ERRNO(ENOTCONN, getpeername(u, (struct sockaddr *)&sun, &len));
	ASSERT_ERRNO(ENOTCONN, getpeername(l, (struct sockaddr *)&sun, &len));
	ASSERT_RET(0, connect_path(c, self->family, lp));
	ASSERT_RET(0, connect_path(u, self->family, lp));
	s = accept_ok(l);
	su = accept_ok(l);
	ASSERT_SOCKNAME(s, lp);
	ASSERT_PEERNAME(s, cp);
	ASSERT_PEERNAME(su, NULL);
	ASSERT_PEERNAME(c, lp);
	ASSERT_SOCKNAME(u, NULL);
	ASSERT_PEERNAME(u, lp);
	/* recvfrom: the sender's name. */
	ASSERT_RET(2, send(s, "s1", 2, 0));
	ASSERT_RET(2, recv_msg(c, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_ADDR(self->family, lp, sun, len);
	ASSERT_RET(2, send(c, "c1", 2, 0));
	ASSERT_RET(2, recv_msg(s, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_ADDR(self->family, cp, sun, len);
	ASSERT_RET(2, send(u, "u1", 2, 0));
	ASSERT_RET(2, recv_msg(su, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_EQ(0U, len);
	close(l);
	close(c);
	close(u);
	close(s);
	close(su);
}

/*
 * Backlog: listen(l, N) admits N + 1 pending connections; then a
 * non-blocking connect is EAGAIN (not EINPROGRESS), a blocking one with
 * SO_SNDTIMEO EAGAIN at the timeout.  An accept makes room again.
 */
TEST_F(seqpacket, backlog_full_eagain)
{
	char lp[96];
	long t0, dt;
	int l, c[4], s;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 1);
	for (int i = 0; i < 4; i++)
		c[i] = new_typed(SOCK_SEQPACKET | SOCK_NONBLOCK);
	ASSERT_RET(0, connect_path(c[0], self->family, lp));
	ASSERT_RET(0, connect_path(c[1], self->family, lp));
	ASSERT_ERRNO(EAGAIN, connect_path(c[2], self->family, lp));
	ASSERT_EQ(0, fcntl(c[3], F_SETFL, 0));
	ASSERT_EQ(0, set_timeo(c[3], SO_SNDTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, connect_path(c[3], self->family, lp));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	s = accept_ok(l);
	ASSERT_RET(0, connect_path(c[2], self->family, lp));
	ASSERT_ERRNO(EAGAIN, connect_path(c[3], self->family, lp));
	close(s);
	/* listen(0) still admits one. */
	close(l);
	unlink(lp);
	l = new_typed_listener(SOCK_SEQPACKET, lp, 0);
	for (int i = 0; i < 4; i++) {
		close(c[i]);
		c[i] = new_typed(SOCK_SEQPACKET | SOCK_NONBLOCK);
	}
	ASSERT_RET(0, connect_path(c[0], self->family, lp));
	ASSERT_ERRNO(EAGAIN, connect_path(c[1], self->family, lp));
	for (int i = 0; i < 4; i++)
		close(c[i]);
	close(l);
}

/* A connect blocked on a full backlog is woken by accept(). */
TEST_F(seqpacket, blocked_connect_woken_by_accept)
{
	char lp[96];
	pid_t pid;
	int l, c0, c1, s;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 0);
	c0 = new_typed_client(SOCK_SEQPACKET, lp);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		c1 = socket(self->family, SOCK_SEQPACKET, 0);
		if (c1 < 0)
			_exit(96);
		_exit(connect_path(c1, self->family, lp) == 0 ? 0 :
		      100 + errno);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_connect));
	s = accept_ok(l);
	ASSERT_EQ(0, wait_child(pid));
	close(s);
	close(c0);
	close(l);
}

/*
 * SO_PEERCRED: an unconnected socket has none ({0, -1, -1}); a listener
 * has its own (set by listen()); the client sees the listener's, the
 * accepted socket the client's, which survive the client's exit.
 */
TEST_F(seqpacket, so_peercred)
{
	struct ucred uc;
	char lp[96];
	pid_t pid;
	int l, s, fd;

	fd = new_typed(SOCK_SEQPACKET);
	ASSERT_EQ(0, get_peercred(fd, &uc));
	ASSERT_EQ(0, uc.pid);
	ASSERT_EQ((uid_t)-1, uc.uid);
	ASSERT_EQ((gid_t)-1, uc.gid);
	close(fd);
	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 2);
	ASSERT_EQ(0, get_peercred(l, &uc));
	ASSERT_EQ(getpid(), uc.pid);
	ASSERT_EQ(geteuid(), uc.uid);
	ASSERT_EQ(getegid(), uc.gid);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ucred cu;
		int c = socket(self->family, SOCK_SEQPACKET, 0);

		if (c < 0 || connect_path(c, self->family, lp))
			_exit(96);
		if (get_peercred(c, &cu))
			_exit(97);
		if (cu.pid != getppid() || cu.uid != geteuid() ||
		    cu.gid != getegid())
			_exit(98);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	s = accept_ok(l);
	ASSERT_EQ(0, get_peercred(s, &uc));
	ASSERT_EQ(pid, uc.pid);
	ASSERT_EQ(geteuid(), uc.uid);
	ASSERT_EQ(getegid(), uc.gid);
	close(s);
	close(l);
}

/*
 * EMSGSIZE above sk_sndbuf - 32; no receive-queue-length limit between
 * connected seqpacket sockets (more than max_dgram_qlen records queue),
 * only SO_SNDBUF: EAGAIN when the unread memory reaches it.
 */
TEST_F(seqpacket, emsgsize_and_flow_control)
{
	int c, s, n, err, sb;

	seq_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 4096));
	sb = get_int_opt(c, SOL_SOCKET, SO_SNDBUF);
	ASSERT_EQ(8192, sb);
	ASSERT_ERRNO(EMSGSIZE, send(c, big, sb - 31, 0));
	ASSERT_RET(sb - 32, send(c, big, sb - 32, MSG_DONTWAIT));
	ASSERT_ERRNO(EAGAIN, send(c, big, 1, MSG_DONTWAIT));
	ASSERT_EQ(0, poll_now(c));
	ASSERT_RET(sb - 32, recv(s, big, sizeof(big), 0));
	ASSERT_EQ(POLL_WR, poll_now(c));
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 1 << 20));
	for (int i = 0; i < 30; i++)
		ASSERT_RET(1, send(c, "m", 1, MSG_DONTWAIT));
	ASSERT_EQ(30, drain_msgs(s));
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 4096));
	n = fill_msgs(c, NULL, 0, 3000, &err);
	ASSERT_EQ(EAGAIN, err);
	ASSERT_LE(1, n);
	ASSERT_LE(sb, sock_outq(c));
	ASSERT_EQ(n, drain_msgs(s));
	ASSERT_EQ(0, sock_outq(c));
	close(c);
	close(s);
}

/* A send blocked on SO_SNDBUF is woken by the reader; SO_SNDTIMEO bounds it. */
TEST_F(seqpacket, blocking_send_timeo_and_wakeup)
{
	char buf[4096];
	long t0, dt;
	pid_t pid;
	int c, s, n, i, err;

	seq_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 4096));
	n = fill_msgs(c, NULL, 0, 3000, &err);
	ASSERT_LE(1, n);
	ASSERT_EQ(EAGAIN, err);
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, send(c, "x", 1, 0));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, LONG_TIMEO_MS));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ssize_t r;

		close(s);
		r = send(c, "y", 1, 0);
		_exit(r == 1 ? 0 : child_errno_code(r, errno, 0));
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_sendto));
	/*
	 * The first recv already wakes the child, whose "y" may land while
	 * we read: take exactly the n queued records, then the child's.
	 */
	for (i = 0; i < n; i++)
		ASSERT_RET(3000, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_RET(1, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('y', buf[0]);
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(c);
	close(s);
}

/* SO_RCVTIMEO: an empty blocking recv fails with EAGAIN at the timeout. */
TEST_F(seqpacket, rcvtimeo_eagain)
{
	char buf[4];
	long t0, dt;
	int c, s;

	seq_pair(&c, &s);
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), 0));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, read(s, buf, sizeof(buf)));
	ASSERT_LE(80, now_ms() - t0);
	close(c);
	close(s);
}

/* MSG_OOB is not supported on seqpacket sockets, either direction. */
TEST_F(seqpacket, msg_oob_eopnotsupp)
{
	char buf[4];
	int c, s;

	seq_pair(&c, &s);
	ASSERT_ERRNO(EOPNOTSUPP, send(c, "x", 1, MSG_OOB));
	ASSERT_RET(1, send(c, "y", 1, 0));
	ASSERT_ERRNO(EOPNOTSUPP, recv(s, buf, sizeof(buf), MSG_OOB));
	ASSERT_RET(1, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ('y', buf[0]);
	close(c);
	close(s);
}

/* accept() copies SO_PASSCRED from the listener to the new socket. */
TEST_F(seqpacket, accept_inherits_passcred)
{
	char lp[96];
	int l, c1, c2, s1, s2;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 4);
	c1 = new_typed_client(SOCK_SEQPACKET, lp);
	s1 = accept_ok(l);
	ASSERT_EQ(0, get_int_opt(s1, SOL_SOCKET, SO_PASSCRED));
	ASSERT_EQ(0, set_int_opt(l, SOL_SOCKET, SO_PASSCRED, 1));
	c2 = new_typed_client(SOCK_SEQPACKET, lp);
	s2 = accept_ok(l);
	ASSERT_EQ(1, get_int_opt(s2, SOL_SOCKET, SO_PASSCRED));
	/* Not the connecting side's, and not retroactively. */
	ASSERT_EQ(0, get_int_opt(c2, SOL_SOCKET, SO_PASSCRED));
	ASSERT_EQ(0, get_int_opt(s1, SOL_SOCKET, SO_PASSCRED));
	close(l);
	close(c1);
	close(c2);
	close(s1);
	close(s2);
}

/*
 * Order of the send checks: a pending socket error first (even before
 * the size check), then the size (EMSGSIZE, even to a dead peer), then
 * the shutdown state (EPIPE).
 */
TEST_F(seqpacket, send_error_order)
{
	int c, s;

	ASSERT_EQ(0, block_sigpipe());
	seq_pair(&c, &s);
	ASSERT_RET(1, send(c, "u", 1, 0));
	close(s);
	ASSERT_ERRNO(ECONNRESET, send(c, big, sizeof(big), 0));
	ASSERT_ERRNO(EMSGSIZE, send(c, big, sizeof(big), 0));
	ASSERT_ERRNO(EPIPE, send(c, big, 1, 0));
	ASSERT_EQ(0, take_sigpipe());
	close(c);
}

/*
 * The receiving socket's filter applies to seqpacket records as to
 * datagrams: 0 drops the record silently, n trims it to n bytes.
 */
TEST_F(seqpacket, socket_filter)
{
	struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter trim[] = { BPF_STMT(BPF_RET | BPF_K, 3) };
	struct sock_fprog pd = { .len = 1, .filter = drop };
	struct sock_fprog pt = { .len = 1, .filter = trim };
	char buf[16];
	int c, s;

	seq_pair(&c, &s);
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &pd,
				sizeof(pd)));
	ASSERT_RET(6, send(c, "record", 6, 0));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &pt,
				sizeof(pt)));
	ASSERT_RET(6, send(c, "record", 6, 0));
	ASSERT_RET(3, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "rec", 3));
	/* The other direction is not filtered. */
	ASSERT_RET(6, send(s, "answer", 6, 0));
	ASSERT_RET(6, recv(c, buf, sizeof(buf), 0));
	close(c);
	close(s);
}

/*
 * SO_PEEK_OFF on seqpacket: peeks walk forward through the records, a
 * normal recv reads the head record and moves the offset back.
 */
TEST_F(seqpacket, so_peek_off)
{
	char buf[16];
	int c, s;

	seq_pair(&c, &s);
	ASSERT_RET(2, send(c, "ab", 2, 0));
	ASSERT_RET(3, send(c, "cde", 3, 0));
	ASSERT_EQ(0, set_int_opt(s, SOL_SOCKET, SO_PEEK_OFF, 1));
	ASSERT_RET(1, recv(s, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ('b', buf[0]);
	ASSERT_RET(3, recv(s, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ(0, memcmp(buf, "cde", 3));
	ASSERT_EQ(5, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_RET(2, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_EQ(3, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_RET(3, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, get_int_opt(s, SOL_SOCKET, SO_PEEK_OFF));
	close(c);
	close(s);
}

/*
 * A connect() blocked on a full backlog (in a child) fails with
 * ECONNREFUSED when the listener is closed.
 */
TEST_F(seqpacket, blocked_connect_listener_close)
{
	char lp[96];
	pid_t pid;
	int l, c0;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 0);
	c0 = new_typed_client(SOCK_SEQPACKET, lp);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int c1 = socket(self->family, SOCK_SEQPACKET, 0);
		long r;

		close(l);
		if (c1 < 0)
			_exit(96);
		r = connect_path(c1, self->family, lp);
		_exit(child_errno_code(r, errno, ECONNREFUSED));
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_connect));
	close(l);
	ASSERT_EQ(0, wait_child(pid));
	close(c0);
}

/*
 * Records outlive the sending end: after the client closes, the server
 * still reads them with the client's address, then EOF.
 */
TEST_F(seqpacket, records_outlive_sender)
{
	char lp[96], cp[96], buf[8];
	struct sockaddr_un sun;
	socklen_t len;
	int l, c, s, mflags;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_SEQPACKET, lp, 1);
	c = new_bound_at(SOCK_SEQPACKET, cp, "c");
	ASSERT_RET(0, connect_path(c, self->family, lp));
	s = accept_ok(l);
	ASSERT_RET(2, send(c, "r1", 2, 0));
	ASSERT_RET(2, send(c, "r2", 2, 0));
	close(c);
	ASSERT_RET(2, recv_msg(s, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_ADDR(self->family, cp, sun, len);
	ASSERT_RET(2, recv_msg(s, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_EQ(0, memcmp(buf, "r2", 2));
	ASSERT_ADDR(self->family, cp, sun, len);
	ASSERT_RET(0, recv(s, buf, sizeof(buf), 0));
	close(s);
	close(l);
}

TEST_HARNESS_MAIN
