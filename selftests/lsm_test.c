// SPDX-License-Identifier: GPL-2.0
/*
 * The calls every security module sees on a UNIX-domain socket, made the
 * same way on both families (README "Security modules"):
 *
 *   - stream and seqpacket connect(), which af_unix and punix check with
 *     security_unix_stream_connect(), then data both ways;
 *   - datagram connect() and sendto() to an unconnected peer, checked with
 *     security_unix_may_send(), then data;
 *   - socketpair(), bind(), listen(), getsockopt(), shutdown(): the generic
 *     socket hooks only;
 *   - SO_PASSSEC on datagram and seqpacket pairs: the SCM_SECURITY context
 *     security_socket_getpeersec_dgram() gives AF_UNIX (punix: see
 *     punix_scm_send()).
 *
 * Whatever module runs (AppArmor unconfined on Debian's default boot,
 * SELinux in the bench's SELinux boot, driven by selinux_test.sh), the
 * outcome must be the one AF_UNIX gets.  The expected error of the
 * may_send check comes from the policy the caller loaded: LSM_SENDTO_ERRNO
 * (default 0, "allowed"); the same value holds for both variants.
 */
#include "msg_util.h"

PUNIX_FIXTURE(lsm);

/* errno the policy in force gives security_unix_may_send(), 0 if allowed. */
static int sendto_errno(void)
{
	const char *s = getenv("LSM_SENDTO_ERRNO");

	return s ? atoi(s) : 0;
}

/* One byte each way over the connected @a and @b. */
#define exchange(a, b) do {						\
	char __c = 0;							\
	ASSERT_RET(1, send((a), "a", 1, 0));				\
	ASSERT_RET(1, recv((b), &__c, 1, 0));				\
	ASSERT_EQ('a', __c);						\
	ASSERT_RET(1, send((b), "b", 1, 0));				\
	ASSERT_RET(1, recv((a), &__c, 1, 0));				\
	ASSERT_EQ('b', __c);						\
} while (0)

/* connect(), accept() and data on a listener of @type. */
#define connect_accept(type) do {					\
	char path[96];							\
	struct sockaddr_un sun;						\
	socklen_t len = sizeof(sun);					\
	int l, c, s;							\
									\
	TPATH(path, "l");						\
	l = new_typed_listener((type), path, 4);			\
	c = new_typed((type));						\
	ASSERT_RET(0, connect_path(c, self->family, path));		\
	s = accept_ok(l);						\
	ASSERT_RET(0, getpeername(c, (struct sockaddr *)&sun, &len));	\
	ASSERT_EQ(self->family, sun.sun_family);			\
	ASSERT_STREQ(path, sun.sun_path);				\
	exchange(c, s);							\
	ASSERT_RET(0, shutdown(c, SHUT_WR));				\
	ASSERT_RET(0, recv(s, path, 1, 0));				\
	close(s);							\
	close(c);							\
	close(l);							\
} while (0)

TEST_F(lsm, stream_connect)
{
	connect_accept(SOCK_STREAM);
}

TEST_F(lsm, seqpacket_connect)
{
	connect_accept(SOCK_SEQPACKET);
}

/*
 * "x" from a new datagram socket to one bound to a path, through connect()
 * and send() if @conn, else sendto() the path: fails with sendto_errno()
 * if that is set (nothing connected then), else the datagram arrives.
 */
static void dgram_to_path(struct __test_metadata *_metadata,
			  FIXTURE_DATA(lsm) *self, bool conn)
{
	int err = sendto_errno();
	char path[96], c = 0;
	int r, s;

	r = new_bound_at(SOCK_DGRAM, path, "r");
	s = new_typed(SOCK_DGRAM);
	if (err && conn) {
		ASSERT_ERRNO(err, connect_path(s, self->family, path));
		/* Nothing was connected: a plain send has no peer. */
		ASSERT_ERRNO(ENOTCONN, send(s, "x", 1, 0));
	} else if (err) {
		ASSERT_ERRNO(err, sendto_path(s, self->family, path, "x", 1, 0));
	} else {
		if (conn) {
			ASSERT_RET(0, connect_path(s, self->family, path));
			ASSERT_RET(1, send(s, "x", 1, 0));
		} else {
			ASSERT_RET(1, sendto_path(s, self->family, path, "x", 1,
						  0));
		}
		ASSERT_RET(1, recv(r, &c, 1, 0));
		ASSERT_EQ('x', c);
	}
	ASSERT_RET(-1, recv(r, &c, 1, MSG_DONTWAIT));
	close(s);
	close(r);
}

/* Datagram connect(): security_unix_may_send() on the receiver. */
TEST_F(lsm, dgram_connect) { dgram_to_path(_metadata, self, true); }

/* Datagram sendto() an unconnected receiver: the same check, every send. */
TEST_F(lsm, dgram_sendto) { dgram_to_path(_metadata, self, false); }

/* socketpair() of each type: no unix hook, the generic ones only. */
TEST_F(lsm, socketpair)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	unsigned int i;
	int sv[2];

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ASSERT_RET(0, socketpair(self->family, types[i], 0, sv));
		exchange(sv[0], sv[1]);
		ASSERT_EQ(types[i], get_int_opt(sv[0], SOL_SOCKET, SO_TYPE));
		ASSERT_RET(0, shutdown(sv[0], SHUT_RDWR));
		close(sv[0]);
		close(sv[1]);
	}
}

#ifndef SO_PASSSEC
#define SO_PASSSEC	34
#endif
#ifndef SCM_SECURITY
#define SCM_SECURITY	0x03
#endif

/* What a receiver with SO_PASSSEC gets: flags and the SCM_SECURITY text. */
struct passsec {
	ssize_t n;
	int flags;
	int found;
	char ctx[256];
};

static struct passsec passsec_recv(int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(256)];
	} cbuf;
	struct passsec p = { 0 };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	struct iovec iov;
	char data[4];

	iov.iov_base = data;
	iov.iov_len = sizeof(data);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	p.n = recvmsg(fd, &mh, MSG_DONTWAIT);
	p.flags = mh.msg_flags;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_SECURITY &&
		    c->cmsg_len - CMSG_LEN(0) < sizeof(p.ctx)) {
			p.found++;
			memcpy(p.ctx, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
		}
	}
	return p;
}

/*
 * SO_PASSSEC on message sockets: the sender's security context as the
 * running LSMs give it for AF_UNIX (with SELinux the sending socket's
 * context; with AppArmor none), asked of an AF_UNIX pair in the same test.
 */
#define passsec_same(type) do {						\
	struct passsec pa, pb;						\
	int u[2], v[2];							\
									\
	ASSERT_RET(0, socketpair(AF_UNIX, (type), 0, u));		\
	ASSERT_RET(0, socketpair(self->family, (type), 0, v));		\
	ASSERT_RET(0, set_int_opt(u[1], SOL_SOCKET, SO_PASSSEC, 1));	\
	ASSERT_RET(0, set_int_opt(v[1], SOL_SOCKET, SO_PASSSEC, 1));	\
	ASSERT_RET(1, send(u[0], "s", 1, 0));				\
	ASSERT_RET(1, send(v[0], "s", 1, 0));				\
	pa = passsec_recv(u[1]);					\
	pb = passsec_recv(v[1]);					\
	ASSERT_EQ(1, pa.n);						\
	ASSERT_EQ(pa.n, pb.n);						\
	ASSERT_EQ(pa.flags, pb.flags);					\
	ASSERT_EQ(pa.found, pb.found);					\
	ASSERT_STREQ(pa.ctx, pb.ctx);					\
	if (pa.found)							\
		TH_LOG("SCM_SECURITY \"%s\"", pb.ctx);			\
	close(u[0]);							\
	close(u[1]);							\
	close(v[0]);							\
	close(v[1]);							\
} while (0)

TEST_F(lsm, passsec_dgram)
{
	passsec_same(SOCK_DGRAM);
}

TEST_F(lsm, passsec_seqpacket)
{
	passsec_same(SOCK_SEQPACKET);
}

TEST_HARNESS_MAIN
