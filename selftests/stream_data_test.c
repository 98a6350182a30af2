// SPDX-License-Identifier: GPL-2.0
/*
 * Data transfer on connected SOCK_STREAM sockets: every read/write flavour,
 * MSG_* flags, addressing errors, flow control by SO_SNDBUF and a large
 * checksummed transfer (unix_stream_sendmsg(), unix_stream_read_generic()).
 */
#include "punix_test.h"
#include "stress_util.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO	55
#endif

PUNIX_FIXTURE(data);

/* read()/write() in both directions, byte exact. */
TEST_F(data, read_write)
{
	char buf[64];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(11, write(c, "client->srv", 11));
	ASSERT_EQ(11, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "client->srv", 11));
	ASSERT_EQ(11, write(s, "srv->client", 11));
	ASSERT_EQ(11, read(c, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "srv->client", 11));
	close(c);
	close(s);
}

/*
 * A stream has no message boundaries: two sends are read by one recv, and
 * a short buffer splits a send across reads.
 */
TEST_F(data, stream_semantics)
{
	char buf[64];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(3, send(c, "abc", 3, 0));
	ASSERT_EQ(4, send(c, "defg", 4, 0));
	ASSERT_EQ(7, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "abcdefg", 7));
	ASSERT_EQ(6, send(c, "123456", 6, 0));
	ASSERT_EQ(2, recv(s, buf, 2, 0));
	ASSERT_EQ(0, memcmp(buf, "12", 2));
	ASSERT_EQ(4, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "3456", 4));
	close(c);
	close(s);
}

/*
 * recvfrom()'s address is the *sending socket's* name (unix_copy_addr(msg,
 * skb->sk)): data from the unbound client carries no address (length 0),
 * data from the accepted socket carries the listener's path.
 */
TEST_F(data, recvfrom_sender_address)
{
	struct sockaddr_un sun;
	char path[96], buf[16];
	socklen_t len;
	int l, c, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	c = new_client(self->family, path);
	s = accept_ok(l);

	ASSERT_EQ(2, sendto(c, "hi", 2, 0, NULL, 0));
	memset(&sun, 0xa5, sizeof(sun));
	len = sizeof(sun);
	ASSERT_EQ(2, recvfrom(s, buf, sizeof(buf), 0,
			      (struct sockaddr *)&sun, &len));
	ASSERT_EQ(0, (int)len);
	ASSERT_EQ(0xa5a5, (unsigned short)sun.sun_family);

	ASSERT_EQ(2, sendto(s, "yo", 2, 0, NULL, 0));
	memset(&sun, 0xa5, sizeof(sun));
	len = sizeof(sun);
	ASSERT_EQ(2, recvfrom(c, buf, sizeof(buf), 0,
			      (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, path, sun, len);
	ASSERT_EQ(0, memcmp(buf, "yo", 2));
	close(c);
	close(s);
	close(l);
}

/* A client that bound its own path is reported by recvfrom() on the server. */
TEST_F(data, recvfrom_bound_client)
{
	struct sockaddr_un sun;
	char path[96], cpath[96], buf[16];
	socklen_t len;
	int l, c, s;

	TPATH(path, "l");
	TPATH(cpath, "client");
	l = new_listener(self->family, path, 1);
	c = new_socket(self->family);
	ASSERT_RET(0, bind_path(c, self->family, cpath));
	ASSERT_RET(0, connect_path(c, self->family, path));
	s = accept_ok(l);
	ASSERT_EQ(3, write(c, "abc", 3));
	len = sizeof(sun);
	ASSERT_EQ(3, recvfrom(s, buf, sizeof(buf), 0,
			      (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, cpath, sun, len);
	close(c);
	close(s);
	close(l);
}

/*
 * sendmsg()/recvmsg() with scatter/gather iovecs: the data is the
 * concatenation, msg_flags is 0 and msg_namelen reports the sender.
 */
TEST_F(data, sendmsg_recvmsg_iovec)
{
	char a[] = "one-", b[] = "two-", d[] = "three";
	char r1[5], r2[4], r3[32];
	struct iovec siov[3] = {
		{ a, 4 }, { b, 4 }, { d, 5 },
	};
	struct iovec riov[3] = {
		{ r1, sizeof(r1) }, { r2, sizeof(r2) }, { r3, sizeof(r3) },
	};
	struct sockaddr_un sun;
	struct msghdr msg = { 0 };
	int c, s;

	new_pair(&c, &s);
	msg.msg_iov = siov;
	msg.msg_iovlen = 3;
	ASSERT_EQ(13, sendmsg(c, &msg, 0));

	memset(&msg, 0, sizeof(msg));
	memset(&sun, 0xa5, sizeof(sun));
	msg.msg_name = &sun;
	msg.msg_namelen = sizeof(sun);
	msg.msg_iov = riov;
	msg.msg_iovlen = 3;
	msg.msg_flags = -1;
	ASSERT_EQ(13, recvmsg(s, &msg, 0));
	ASSERT_EQ(0, msg.msg_flags);
	ASSERT_EQ(0, (int)msg.msg_namelen);
	ASSERT_EQ(0, memcmp(r1, "one-t", 5));
	ASSERT_EQ(0, memcmp(r2, "wo-t", 4));
	ASSERT_EQ(0, memcmp(r3, "hree", 4));
	close(c);
	close(s);
}

/* writev()/readv(), including zero-length iovec elements. */
TEST_F(data, readv_writev)
{
	char x[] = "xyz", y[] = "", z[] = "12345";
	char r1[2], r2[10];
	struct iovec w[3] = { { x, 3 }, { y, 0 }, { z, 5 } };
	struct iovec r[3] = { { r1, 2 }, { NULL, 0 }, { r2, sizeof(r2) } };
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(8, writev(c, w, 3));
	ASSERT_EQ(8, readv(s, r, 3));
	ASSERT_EQ(0, memcmp(r1, "xy", 2));
	ASSERT_EQ(0, memcmp(r2, "z12345", 6));
	close(c);
	close(s);
}

/* Empty queue: MSG_DONTWAIT and O_NONBLOCK reads fail with EAGAIN. */
TEST_F(data, dontwait_eagain)
{
	char buf[8];
	int c, s;

	new_pair(&c, &s);
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT | MSG_PEEK));
	ASSERT_EQ(0, set_nonblock(c));
	ASSERT_ERRNO(EAGAIN, read(c, buf, sizeof(buf)));
	ASSERT_EQ(1, send(c, "q", 1, MSG_DONTWAIT));
	ASSERT_EQ(1, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(c);
	close(s);
}

/*
 * MSG_PEEK copies without consuming, and (with room) peeks across several
 * queued sends; the next normal read returns the same bytes.
 */
TEST_F(data, peek)
{
	char buf[32];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(5, write(c, "hello", 5));
	ASSERT_EQ(6, write(c, " world", 6));
	ASSERT_EQ(3, recv(s, buf, 3, MSG_PEEK));
	ASSERT_EQ(0, memcmp(buf, "hel", 3));
	ASSERT_EQ(11, recv(s, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ(0, memcmp(buf, "hello world", 11));
	ASSERT_EQ(4, recv(s, buf, 4, 0));
	ASSERT_EQ(0, memcmp(buf, "hell", 4));
	ASSERT_EQ(7, recv(s, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ(0, memcmp(buf, "o world", 7));
	ASSERT_EQ(7, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "o world", 7));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(c);
	close(s);
}

/*
 * MSG_WAITALL waits until the whole buffer is filled by several later
 * writes (a writer child sends three pieces with pauses).
 */
TEST_F(data, waitall_collects_pieces)
{
	char buf[300];
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char piece[100];

		close(s);
		for (int i = 0; i < 3; i++) {
			memset(piece, 'a' + i, sizeof(piece));
			if (!wait_blocked_in(getppid(), SYS_recvfrom))
				_exit(96);
			if (write(c, piece, sizeof(piece)) != sizeof(piece))
				_exit(97);
		}
		_exit(0);
	}
	close(c);
	ASSERT_EQ(300, recv(s, buf, sizeof(buf), MSG_WAITALL));
	for (int i = 0; i < 300; i++)
		ASSERT_EQ('a' + i / 100, buf[i]);
	ASSERT_EQ(0, wait_child(pid));
	close(s);
}

/* MSG_WAITALL returns what it has when the writer shuts down. */
TEST_F(data, waitall_stops_at_eof)
{
	char buf[100];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(10, write(c, "0123456789", 10));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	ASSERT_EQ(10, recv(s, buf, sizeof(buf), MSG_WAITALL));
	ASSERT_EQ(0, recv(s, buf, sizeof(buf), MSG_WAITALL));
	close(c);
	close(s);
}

/*
 * MSG_WAITALL with SO_RCVTIMEO returns the partial data at the timeout, and
 * with MSG_DONTWAIT it returns what is queued at once.
 */
TEST_F(data, waitall_partial_on_timeout)
{
	char buf[100];
	long t0, dt;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(10, write(c, "0123456789", 10));
	ASSERT_EQ(4, recv(s, buf, 4, MSG_WAITALL | MSG_DONTWAIT));
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, 100));
	t0 = now_ms();
	ASSERT_EQ(6, recv(s, buf, sizeof(buf), MSG_WAITALL));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_EQ(0, memcmp(buf, "456789", 6));
	close(c);
	close(s);
}

/*
 * unix_stream_sendmsg(): msg_name on a connected stream socket is EISCONN,
 * whatever the address.
 */
TEST_F(data, sendto_connected_eisconn)
{
	struct sockaddr_un sun;
	struct msghdr msg = { 0 };
	struct iovec iov = { "x", 1 };
	char path[96];
	socklen_t len;
	int c, s;

	new_pair(&c, &s);
	TPATH(path, "nowhere");
	len = fill_addr(&sun, self->family, path);
	ASSERT_ERRNO(EISCONN, sendto(c, "x", 1, 0, (struct sockaddr *)&sun, len));
	ASSERT_ERRNO(EISCONN, sendto(s, "x", 1, 0, (struct sockaddr *)&sun, len));
	msg.msg_name = &sun;
	msg.msg_namelen = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	ASSERT_ERRNO(EISCONN, sendmsg(c, &msg, 0));
	ASSERT_ERRNO(EAGAIN, recv(s, path, 1, MSG_DONTWAIT));
	close(c);
	close(s);
}

/*
 * Unconnected stream socket: with an address EOPNOTSUPP (the address is not
 * even looked up), without one ENOTCONN; neither raises SIGPIPE.  Same on a
 * listener.
 */
TEST_F(data, send_unconnected)
{
	struct sockaddr_un sun;
	char path[96];
	socklen_t len;
	sigset_t set;
	int fd, l;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	fd = new_socket(self->family);
	len = fill_addr(&sun, self->family, path);
	ASSERT_ERRNO(EOPNOTSUPP, sendto(fd, "x", 1, 0, (struct sockaddr *)&sun, len));
	ASSERT_ERRNO(ENOTCONN, send(fd, "x", 1, 0));
	ASSERT_ERRNO(ENOTCONN, write(fd, "x", 1));
	ASSERT_ERRNO(ENOTCONN, send(fd, "", 0, 0));
	ASSERT_ERRNO(EOPNOTSUPP, sendto(l, "x", 1, 0, (struct sockaddr *)&sun, len));
	ASSERT_ERRNO(ENOTCONN, send(l, "x", 1, 0));
	ASSERT_EQ(0, sigpending(&set));
	ASSERT_EQ(0, sigismember(&set, SIGPIPE));
	close(fd);
	close(l);
}

/*
 * unix_stream_read_generic(): reading a socket that is not established
 * (fresh, bound, or listening) is EINVAL, not ENOTCONN.
 */
TEST_F(data, recv_unconnected_einval)
{
	char path[96], buf[4];
	int fd, l;

	fd = new_socket(self->family);
	ASSERT_ERRNO(EINVAL, recv(fd, buf, sizeof(buf), 0));
	ASSERT_ERRNO(EINVAL, read(fd, buf, sizeof(buf)));
	ASSERT_ERRNO(EINVAL, recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT));
	TPATH(path, "l");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	ASSERT_ERRNO(EINVAL, recv(fd, buf, sizeof(buf), 0));
	ASSERT_RET(0, listen(fd, 1));
	ASSERT_ERRNO(EINVAL, recv(fd, buf, sizeof(buf), 0));
	l = fd;
	close(l);
}

/*
 * Zero-length transfers: a zero-length send returns 0 and queues nothing; a
 * zero-length recv returns 0 with data pending and consumes nothing, but
 * with an empty queue it is EAGAIN (the read target is at least one byte).
 */
TEST_F(data, zero_length)
{
	char buf[8];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, send(c, "", 0, 0));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, 0, MSG_DONTWAIT));
	ASSERT_EQ(2, send(c, "ab", 2, 0));
	ASSERT_EQ(0, recv(s, buf, 0, 0));
	ASSERT_EQ(0, recv(s, buf, 0, MSG_PEEK));
	ASSERT_EQ(2, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "ab", 2));
	close(c);
	close(s);
}

/* MSG_TRUNC has no meaning for stream reads: data is copied, no flag set. */
TEST_F(data, msg_trunc_ignored)
{
	struct msghdr msg = { 0 };
	struct iovec iov;
	char buf[8];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(6, write(c, "abcdef", 6));
	iov.iov_base = buf;
	iov.iov_len = 4;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4, recvmsg(s, &msg, MSG_TRUNC));
	ASSERT_EQ(0, msg.msg_flags);
	ASSERT_EQ(0, memcmp(buf, "abcd", 4));
	ASSERT_EQ(2, recv(s, buf, sizeof(buf), MSG_TRUNC));
	ASSERT_EQ(0, memcmp(buf, "ef", 2));
	close(c);
	close(s);
}

/* Flags without meaning for unix streams are accepted and ignored. */
TEST_F(data, ignored_send_flags)
{
	char buf[16];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(3, send(c, "abc", 3, MSG_MORE));
	ASSERT_EQ(3, send(c, "def", 3, MSG_EOR));
	ASSERT_EQ(3, send(c, "ghi", 3, MSG_DONTROUTE));
	ASSERT_EQ(9, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "abcdefghi", 9));
	close(c);
	close(s);
}

/*
 * SIOCINQ (FIONREAD) counts unread bytes across queued sends; on a
 * listener it is EINVAL (unix_inq_len()).
 */
TEST_F(data, siocinq)
{
	char path[96], buf[8];
	int c, s, n = -1, l;

	new_pair(&c, &s);
	ASSERT_EQ(0, ioctl(s, SIOCINQ, &n));
	ASSERT_EQ(0, n);
	ASSERT_EQ(3, write(c, "abc", 3));
	ASSERT_EQ(4, write(c, "defg", 4));
	ASSERT_EQ(0, ioctl(s, FIONREAD, &n));
	ASSERT_EQ(7, n);
	ASSERT_EQ(2, read(s, buf, 2));
	ASSERT_EQ(0, ioctl(s, SIOCINQ, &n));
	ASSERT_EQ(5, n);
	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_ERRNO(EINVAL, ioctl(l, SIOCINQ, &n));
	close(l);
	close(c);
	close(s);
}

/*
 * A bad user buffer: send gives EFAULT and queues nothing; recv gives
 * EFAULT and consumes nothing, so the data is still there.
 */
TEST_F(data, efault)
{
	char buf[8];
	int c, s;

	new_pair(&c, &s);
	ASSERT_ERRNO(EFAULT, send(c, (void *)8, 4, 0));
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(4, write(c, "abcd", 4));
	ASSERT_ERRNO(EFAULT, recv(s, (void *)8, 4, 0));
	ASSERT_EQ(4, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "abcd", 4));
	close(c);
	close(s);
}

/*
 * Flow control: the sender may have at most about SO_SNDBUF bytes (skb
 * truesize) unread by the peer.  Non-blocking sends succeed until EAGAIN;
 * what was queued is bounded by the buffer and is read back exactly.
 */
TEST_F(data, sndbuf_limits_nonblocking_writer)
{
	long queued, drained;
	int c, s, sndbuf;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	sndbuf = get_int_opt(c, SOL_SOCKET, SO_SNDBUF);
	ASSERT_EQ(32768, sndbuf);
	queued = fill_sndbuf(c, 1024);
	ASSERT_LT(0, queued);
	ASSERT_GE(2L * sndbuf, queued);
	ASSERT_ERRNO(EAGAIN, send(c, "x", 1, MSG_DONTWAIT));
	drained = drain(s);
	ASSERT_EQ(queued, drained);
	/* Space again once the reader drained. */
	ASSERT_EQ(1, send(c, "x", 1, MSG_DONTWAIT));
	close(c);
	close(s);
}

/*
 * One non-blocking send() of @len bytes on a new stream socketpair of
 * @family whose writer has SO_SNDBUF @sndbuf (0: the default): the bytes
 * it took (or -errno), then SIOCOUTQ of the writer and SIOCINQ of the
 * reader.
 */
struct send_acct {
	long	taken;
	int	outq;
	int	inq;
};

static struct send_acct send_acct(int family, int sndbuf, size_t len)
{
	static char junk[1 << 18];
	struct send_acct a = { -EINVAL, -1, -1 };
	int sv[2];
	ssize_t n;

	if (len > sizeof(junk) || socketpair(family, SOCK_STREAM, 0, sv))
		return a;
	if (!sndbuf ||
	    !set_int_opt(sv[0], SOL_SOCKET, SO_SNDBUF, sndbuf)) {
		n = send(sv[0], junk, len, MSG_DONTWAIT);
		a.taken = n < 0 ? -errno : n;
		if (ioctl(sv[0], SIOCOUTQ, &a.outq))
			a.outq = -errno;
		if (ioctl(sv[1], SIOCINQ, &a.inq))
			a.inq = -errno;
	}
	close(sv[0]);
	close(sv[1]);
	return a;
}

/*
 * How a writer cuts its data into skbs and lays each out (linear head,
 * page-aligned frags) decides their truesize, so what a non-blocking
 * send() takes before SO_SNDBUF is reached and what SIOCOUTQ reports,
 * compared with what AF_UNIX gives for the same sends, asked in this test
 * (the numbers depend on the kernel's skb overheads). punix may append a
 * write to the tail skb (issue 9): it must take at least as much and hold
 * no more memory per byte taken.
 */
TEST_F(data, send_sizes_match_af_unix)
{
	/* Few enough for the debug kernel's watchdog. */
	static const int sndbufs[] = { 0, 2048, 4096, 6000, 65536 };
	static const size_t lens[] = {
		1, 1000, 3700, 3800, 4032, 4096, 5000, 11157, 16259, 40000,
	};
	struct send_acct want, got;

	for (size_t i = 0; i < sizeof(sndbufs) / sizeof(sndbufs[0]); i++) {
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			want = send_acct(AF_UNIX, sndbufs[i], lens[j]);
			got = send_acct(self->family, sndbufs[i], lens[j]);
			ASSERT_LT(0, want.taken);
			/*
			 * The bound, not AF_UNIX's exact count: punix may
			 * append an skb's worth to the one before (issue 9)
			 * and then takes at least as much with no more
			 * memory per byte.
			 */
			ASSERT_LE(want.taken, got.taken) {
				TH_LOG("SO_SNDBUF %d, send(%zu)",
				       sndbufs[i], lens[j]);
			}
			ASSERT_LE((long long)got.outq * want.taken,
				  (long long)want.outq * got.taken) {
				TH_LOG("SO_SNDBUF %d, send(%zu): SIOCOUTQ %d for %ld bytes, AF_UNIX %d for %ld",
				       sndbufs[i], lens[j], got.outq, got.taken,
				       want.outq, want.taken);
			}
			ASSERT_LE(got.taken, got.outq);
			ASSERT_EQ(got.taken, got.inq);
		}
	}
}

/*
 * The same over several skbs: non-blocking sends of one size until
 * EAGAIN take what AF_UNIX's take, and leave the same SIOCOUTQ.
 */
TEST_F(data, fill_sizes_match_af_unix)
{
	static const size_t chunks[] = { 100, 1000, 4000, 11157, 16259, 65536 };
	int fams[2] = { AF_UNIX, self->family };
	long taken[2];
	int outq[2];

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		for (int f = 0; f < 2; f++) {
			int sv[2];

			ASSERT_EQ(0, socketpair(fams[f], SOCK_STREAM, 0, sv));
			ASSERT_EQ(0, set_int_opt(sv[0], SOL_SOCKET, SO_SNDBUF,
						 32768));
			taken[f] = fill_sndbuf(sv[0], chunks[i]);
			ASSERT_EQ(0, ioctl(sv[0], SIOCOUTQ, &outq[f]));
			ASSERT_EQ(taken[f], drain(sv[1]));
			close(sv[0]);
			close(sv[1]);
		}
		ASSERT_LT(0, taken[0]);
		/*
		 * The bound (issue 9): punix appends small writes to the
		 * tail skb, so it takes at least as much before EAGAIN and
		 * holds no more memory per byte than AF_UNIX.
		 */
		ASSERT_LE(taken[0], taken[1]) {
			TH_LOG("sends of %zu", chunks[i]);
		}
		ASSERT_LE((long long)outq[1] * taken[0],
			  (long long)outq[0] * taken[1]) {
			TH_LOG("sends of %zu: SIOCOUTQ %d for %ld bytes, AF_UNIX %d for %ld",
			       chunks[i], outq[1], taken[1], outq[0], taken[0]);
		}
	}
}

/* The writer's SIOCOUTQ and SO_MEMINFO wmem_alloc, -1 on an error. */
static void wmem_of(int fd, int out[2])
{
	__u32 mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	if (ioctl(fd, SIOCOUTQ, &out[0]))
		out[0] = -1;
	out[1] = getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) ||
		 len != sizeof(mi) ? -1 : (int)mi[SK_MEMINFO_WMEM_ALLOC];
}

/*
 * The memory bound of issue 9, exactly: after every write of a sequence
 * nobody reads, the writer is charged (SIOCOUTQ, SO_MEMINFO wmem_alloc)
 * no more than an AF_UNIX writer of the same writes, and a single write
 * (the first of each burst) exactly as much. punix may append a small
 * write to the tail skb and then give the writer a larger head, but the
 * charge is what it pins and never more than AF_UNIX's. Bursts of 1, 2,
 * 3, 7 and 20 writes, each drained before the next (then both charges are
 * 0), and one long burst, each until AF_UNIX's send buffer is full at most
 * (punix must take each write AF_UNIX took).
 */
TEST_F(data, burst_charge_bounded_by_af_unix)
{
	/* Few enough for the debug kernel's watchdog. */
	static const size_t lens[] = { 1, 64, 1000, 4096, 5000 };
	static const int sndbufs[] = { 65536, 8192 };
	static const int bursts[] = { 1, 2, 3, 7, 20, 100000 };
	static char junk[5000];
	int ref[2], sv[2], want[2], got[2];

	for (size_t b = 0; b < ARRAY_SIZE(sndbufs); b++) {
		for (size_t j = 0; j < ARRAY_SIZE(lens); j++) {
			size_t len = lens[j];

			ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, ref));
			ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0,
						sv));
			ASSERT_EQ(0, set_int_opt(ref[0], SOL_SOCKET,
						 SO_SNDBUF, sndbufs[b]));
			ASSERT_EQ(0, set_int_opt(sv[0], SOL_SOCKET,
						 SO_SNDBUF, sndbufs[b]));
			/* The last burst: until the send buffer is full. */
			for (size_t n = 0; n < ARRAY_SIZE(bursts); n++) {
				int writes = bursts[n];

				for (int i = 0; i < writes; i++) {
					ssize_t r = send(ref[0], junk, len,
							 MSG_DONTWAIT);

					/* AF_UNIX's send buffer is full. */
					if (r < 0 && errno == EAGAIN && i > 0)
						break;
					ASSERT_EQ((ssize_t)len, r) {
						TH_LOG("AF_UNIX: SO_SNDBUF %d, write %d of %zu",
						       sndbufs[b], i, len);
					}
					ASSERT_EQ((ssize_t)len,
						  send(sv[0], junk, len,
						       MSG_DONTWAIT)) {
						TH_LOG("SO_SNDBUF %d, write %d of %zu",
						       sndbufs[b], i, len);
					}
					wmem_of(ref[0], want);
					wmem_of(sv[0], got);
					ASSERT_LT(0, want[0]);
					ASSERT_EQ(want[0], want[1]);
					ASSERT_EQ(got[0], got[1]);
					ASSERT_LT(0, got[0]);
					if (i == 0) {
						ASSERT_EQ(want[0], got[0]);
					}
					ASSERT_LE(got[0], want[0]) {
						TH_LOG("SO_SNDBUF %d, write %d of %zu: %d, AF_UNIX %d",
						       sndbufs[b], i, len,
						       got[0], want[0]);
					}
				}
				ASSERT_EQ(drain(ref[1]), drain(sv[1]));
				wmem_of(ref[0], want);
				wmem_of(sv[0], got);
				ASSERT_EQ(0, want[0]);
				ASSERT_EQ(0, got[0]);
			}
			close(ref[0]);
			close(ref[1]);
			close(sv[0]);
			close(sv[1]);
		}
	}
}

/*
 * A blocking writer larger than SO_SNDBUF sleeps until the reader drains,
 * then completes its whole write() (writer in a child).
 */
TEST_F(data, sndbuf_blocks_writer_until_drained)
{
	const size_t total = 1 << 20;
	unsigned char *buf = malloc(total);
	pid_t pid;
	int c, s;

	ASSERT_NE(NULL, buf);
	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 32768));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (size_t i = 0; i < total; i++)
			buf[i] = (unsigned char)(i * 7 + (i >> 10));
		close(s);
		_exit(write(c, buf, total) == (ssize_t)total ? 0 : 97);
	}
	close(c);
	ASSERT_TRUE(wait_blocked_in(pid, SYS_write));
	ASSERT_EQ((ssize_t)total, read_all(s, buf, total));
	for (size_t i = 0; i < total; i++)
		ASSERT_EQ((unsigned char)(i * 7 + (i >> 10)), buf[i]);
	ASSERT_EQ(0, wait_child(pid));
	free(buf);
	close(s);
}

/*
 * 4 MiB through a connection, written in odd-sized chunks by a child and
 * read in other odd sizes, every byte checked, then EOF.
 */
TEST_F(data, large_transfer)
{
	const size_t total = 4 << 20;
	unsigned char *buf = malloc(65536);
	size_t got = 0;
	pid_t pid;
	int c, s;

	ASSERT_NE(NULL, buf);
	new_pair(&c, &s);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t off = 0, chunk = 1;

		close(s);
		while (off < total) {
			size_t n = chunk < total - off ? chunk : total - off;

			for (size_t i = 0; i < n; i++)
				buf[i] = (unsigned char)((off + i) * 131 +
							 ((off + i) >> 12));
			if (write_all(c, buf, n) != (ssize_t)n)
				_exit(97);
			off += n;
			chunk = (chunk * 3 + 17) % 65521 + 1;
		}
		_exit(0);
	}
	close(c);
	for (size_t want = 4093; ; want = (want * 5 + 11) % 65531 + 1) {
		ssize_t n = read(s, buf, want);

		ASSERT_LE(0, n);
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++, got++)
			ASSERT_EQ((unsigned char)(got * 131 + (got >> 12)), buf[i]);
		ASSERT_GE(total, got);
	}
	ASSERT_EQ(total, got);
	ASSERT_EQ(0, wait_child(pid));
	free(buf);
	close(s);
}

/* The byte at offset @i of mixed_write_sizes' stream. */
static unsigned char mixed_byte(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 10) + 3);
}

/*
 * Writes of sizes that punix handles each its own way (issue 9): appended
 * to the tail skb's head (64, 300, 1000, 1024), split between the room
 * left in it and an skb of their own (100, 1024), never appended (appends
 * go only into a linear head): all in page fragments of an skb of their own
 * (4000, 4096, 8000, 8192) or a head plus pages (5000, 20000), in runs and
 * mixed, arrive in order and whole, whatever the reader does between
 * them: reads of odd sizes, peeks, splices into a pipe. The writer (a
 * child) and the reader run at the same time, so the reader is sometimes in
 * the tail skb when a write comes.
 */
TEST_F(data, mixed_write_sizes)
{
	static const size_t sizes[] = {
		64, 64, 64, 1000, 1000, 1000, 1000, 4096, 4096, 4096, 4096,
		4096, 1024, 1024, 1024, 300, 8000, 8192, 8192, 4000, 4000,
		5000, 64, 4096, 20000, 1000, 1000, 100, 100, 100, 100, 100,
	};
	const size_t rounds = 40;
	unsigned char *buf = malloc(65536), *peek = malloc(65536);
	size_t total = 0, got = 0, want = 777;
	int c, s, p[2], k = 0;
	pid_t pid;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, peek);
	for (size_t r = 0; r < rounds; r++)
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
			total += sizes[(i + r) % ARRAY_SIZE(sizes)];
	new_pair(&c, &s);
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t off = 0;

		close(s);
		for (size_t r = 0; r < rounds; r++) {
			for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
				size_t n = sizes[(i + r) % ARRAY_SIZE(sizes)];

				for (size_t j = 0; j < n; j++)
					buf[j] = mixed_byte(off + j);
				if (write_all(c, buf, n) != (ssize_t)n)
					_exit(97);
				off += n;
			}
		}
		_exit(0);
	}
	close(c);
	while (got < total) {
		ssize_t n, m;

		switch (k++ % 4) {
		case 0:	/* a peek, then a read of what it saw */
			n = recv(s, peek, want, MSG_PEEK);
			ASSERT_LT(0, n);
			m = read(s, buf, n);
			ASSERT_EQ(n, m);
			ASSERT_EQ(0, memcmp(peek, buf, n));
			break;
		case 1:	/* through a pipe */
			n = splice(s, NULL, p[1], NULL,
				   want < 60000 ? want : 60000, 0);
			ASSERT_LT(0, n);
			ASSERT_EQ(n, read(p[0], buf, n));
			break;
		default:
			n = read(s, buf, want);
			ASSERT_LT(0, n);
			break;
		}
		for (ssize_t i = 0; i < n; i++, got++)
			ASSERT_EQ(mixed_byte(got), buf[i]);
		want = (want * 5 + 13) % 30011 + 1;
	}
	ASSERT_EQ(total, got);
	ASSERT_EQ(0, read(s, buf, 1));
	ASSERT_EQ(0, wait_child(pid));
	close(p[0]);
	close(p[1]);
	close(s);
	free(buf);
	free(peek);
}

/* A file of @len pattern bytes in the test's directory, opened for read. */
static int __pattern_file(struct __test_metadata *_metadata, const char *dir,
			  unsigned char *data, size_t len)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "%s/file", dir);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 13 + (i >> 8));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, write_all(fd, data, len));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	return fd;
}
#define pattern_file(data, len) \
	__pattern_file(_metadata, self->dir, (data), (len))

/*
 * sendfile() into a stream socket (the splice path: sendpage on 6.1,
 * MSG_SPLICE_PAGES on 6.12) delivers the file's bytes exactly, in order,
 * and advances the offset; the file end gives 0.
 */
TEST_F(data, sendfile_into_stream)
{
	const size_t len = 20000;
	unsigned char *data = malloc(len), *buf = malloc(len);
	off_t off = 0;
	int c, s, f;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, buf);
	f = pattern_file(data, len);
	new_pair(&c, &s);
	ASSERT_EQ((ssize_t)len, sendfile(c, f, &off, len));
	ASSERT_EQ((off_t)len, off);
	ASSERT_EQ(0, sendfile(c, f, &off, len));
	ASSERT_EQ((ssize_t)len, read_all(s, buf, len));
	ASSERT_EQ(0, memcmp(data, buf, len));
	set_nonblock(s);
	ASSERT_ERRNO(EAGAIN, read(s, buf, 1));
	close(f);
	close(c);
	close(s);
	free(data);
	free(buf);
}

/*
 * splice() from a stream socket into a pipe takes what is queued (up to
 * the length asked), in order; with nothing queued and SPLICE_F_NONBLOCK
 * it fails with EAGAIN, and after the peer's close it returns 0.
 */
TEST_F(data, splice_out_of_stream)
{
	char buf[64];
	int c, s, p[2];

	new_pair(&c, &s);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(10, write(c, "0123456789", 10));
	ASSERT_EQ(4, splice(s, NULL, p[1], NULL, 4, 0));
	ASSERT_EQ(6, splice(s, NULL, p[1], NULL, 64, 0));
	ASSERT_EQ(10, read(p[0], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "0123456789", 10));
	ASSERT_ERRNO(EAGAIN, splice(s, NULL, p[1], NULL, 64,
				    SPLICE_F_NONBLOCK));
	ASSERT_EQ(0, set_nonblock(s));
	ASSERT_ERRNO(EAGAIN, splice(s, NULL, p[1], NULL, 64, 0));
	close(c);
	ASSERT_EQ(0, splice(s, NULL, p[1], NULL, 64, 0));
	close(p[0]);
	close(p[1]);
	close(s);
}

/*
 * A blocking splice() out of an empty stream socket sleeps until data
 * comes (child writes once it sleeps), and then moves it.
 */
TEST_F(data, splice_blocks_until_data)
{
	char buf[16];
	pid_t pid;
	int c, s, p[2];

	new_pair(&c, &s);
	ASSERT_EQ(0, pipe(p));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!wait_blocked_in(getppid(), SYS_splice))
			_exit(95);
		_exit(write(c, "late", 4) == 4 ? 0 : 97);
	}
	ASSERT_EQ(4, splice(s, NULL, p[1], NULL, sizeof(buf), 0));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(4, read(p[0], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "late", 4));
	close(p[0]);
	close(p[1]);
	close(c);
	close(s);
}

TEST_HARNESS_MAIN

/*
 * Writes whose bytes go to pages (3777 bytes and more; punix takes the
 * pages from the writing task's page frag and fills a page again once
 * every write in it was read), with the reader lagging 0 to 5 writes
 * behind, over many pages: every write reads back whole and exact, so no
 * page is filled again while a piece of it is unread.
 */
TEST_F(data, paged_writes_read_back_exact)
{
	static const size_t sizes[] = { 4096, 3777, 8192, 5000, 12288, 4095 };
	unsigned char *buf = malloc(16384);
	unsigned int wrote = 0, read_ = 0;
	int c, s;

	ASSERT_NE(NULL, buf);
	new_pair(&c, &s);
	for (unsigned int round = 0; round <= 200; round++) {
		/* The last round reads everything. */
		unsigned int lag = round < 200 ? round % 6 : 0;

		/* Write until @lag writes are unread, then one more. */
		while (wrote - read_ <= lag) {
			size_t len = sizes[wrote % 6];

			pattern_fill(buf, len, wrote, 0);
			ASSERT_EQ((ssize_t)len, write(c, buf, len));
			wrote++;
		}
		/* Read all but @lag of them back, each exactly. */
		while (wrote - read_ > lag) {
			size_t len = sizes[read_ % 6];

			memset(buf, 0, len);
			ASSERT_EQ((ssize_t)len, read_all(s, buf, len));
			ASSERT_EQ(-1, pattern_check(buf, len, read_, 0)) {
				TH_LOG("write %u (%zu bytes) read back wrong",
				       read_, len);
			}
			read_++;
		}
	}
	ASSERT_ERRNO(EAGAIN, recv(s, buf, 1, MSG_DONTWAIT));
	free(buf);
	close(c);
	close(s);
}

/*
 * A page that a pipe still holds (spliced out of the socket, not yet read
 * from the pipe) keeps its bytes while the writer goes on writing and the
 * reader reads all that follows; so does one read with MSG_PEEK.
 */
TEST_F(data, spliced_pages_keep_their_bytes)
{
	unsigned char *buf = malloc(4096);
	int c, s, p[2];

	ASSERT_NE(NULL, buf);
	new_pair(&c, &s);
	ASSERT_EQ(0, pipe(p));

	pattern_fill(buf, 4096, 0, 0);
	ASSERT_EQ(4096, write(c, buf, 4096));
	ASSERT_EQ(4096, splice(s, NULL, p[1], NULL, 4096, 0));

	pattern_fill(buf, 4096, 1, 0);
	ASSERT_EQ(4096, write(c, buf, 4096));
	ASSERT_EQ(4096, recv(s, buf, 4096, MSG_PEEK | MSG_WAITALL));
	ASSERT_EQ(-1, pattern_check(buf, 4096, 1, 0));

	/* Twenty more pages' worth, each read back at once. */
	for (unsigned int w = 2; w < 22; w++) {
		ASSERT_EQ(4096, read_all(s, buf, 4096));
		ASSERT_EQ(-1, pattern_check(buf, 4096, w - 1, 0));
		pattern_fill(buf, 4096, w, 0);
		ASSERT_EQ(4096, write(c, buf, 4096));
	}
	ASSERT_EQ(4096, read_all(s, buf, 4096));
	ASSERT_EQ(-1, pattern_check(buf, 4096, 21, 0));

	ASSERT_EQ(4096, read_all(p[0], buf, 4096));
	ASSERT_EQ(-1, pattern_check(buf, 4096, 0, 0)) {
		TH_LOG("the spliced page changed in the pipe");
	}
	free(buf);
	close(p[0]);
	close(p[1]);
	close(c);
	close(s);
}

/*
 * A write whose source faults part-way in its paged part: the same result
 * as AF_UNIX's (EFAULT with nothing queued when the fault is in the first
 * skb, the bytes of the skbs before it otherwise), the same bytes queued,
 * and the stream goes on exact after it.
 */
TEST_F(data, paged_write_fault_matches_af_unix)
{
	static const size_t lens[] = { 8192, 12288, 100000 };
	static const size_t faults[] = { 4096, 8192, 53248 };
	const long pg = sysconf(_SC_PAGESIZE);
	int fams[2] = { AF_UNIX, self->family };
	unsigned char *src, *buf;
	long ret[2], err[2];
	int inq[2];

	ASSERT_EQ(4096, pg);
	buf = malloc(100000);
	ASSERT_NE(NULL, buf);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		/* @faults[i] bytes, then a page unmapped: the copy faults. */
		src = mmap(NULL, faults[i] + pg, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, src);
		pattern_fill(src, faults[i], 7, 0);
		ASSERT_EQ(0, munmap(src + faults[i], pg));

		for (int f = 0; f < 2; f++) {
			int sv[2];

			ASSERT_EQ(0, socketpair(fams[f], SOCK_STREAM, 0, sv));
			errno = 0;
			ret[f] = send(sv[0], src, lens[i], MSG_DONTWAIT);
			err[f] = errno;
			ASSERT_EQ(0, ioctl(sv[1], SIOCINQ, &inq[f]));
			if (inq[f] > 0) {
				ASSERT_EQ(inq[f], read_all(sv[1], buf, inq[f]));
				ASSERT_EQ(-1, pattern_check(buf, inq[f], 7, 0));
			}
			/* The stream goes on. */
			pattern_fill(buf, 4096, 8, 0);
			ASSERT_EQ(4096, write(sv[0], buf, 4096));
			memset(buf, 0, 4096);
			ASSERT_EQ(4096, read_all(sv[1], buf, 4096));
			ASSERT_EQ(-1, pattern_check(buf, 4096, 8, 0));
			close(sv[0]);
			close(sv[1]);
		}
		ASSERT_EQ(ret[0], ret[1]) {
			TH_LOG("send(%zu) faulting at %zu", lens[i], faults[i]);
		}
		ASSERT_EQ(err[0], err[1]);
		ASSERT_EQ(inq[0], inq[1]);
		ASSERT_EQ(0, munmap(src, faults[i]));
	}
	free(buf);
}
