// SPDX-License-Identifier: GPL-2.0
/*
 * SCM_RIGHTS: passing file descriptors over stream, seqpacket and
 * datagram sockets.  Reference: Linux 6.12 (same code in Debian 6.1):
 *
 *   send     __scm_send() and scm_fp_copy() (net/core/scm.c): every cmsg
 *            must pass CMSG_OK() whatever its level; other levels are then
 *            skipped; SOL_SOCKET types other than SCM_RIGHTS and
 *            SCM_CREDENTIALS give EINVAL; at most SCM_MAX_FD (253) fds per
 *            message, counted over all SCM_RIGHTS cmsgs (EINVAL beyond);
 *            a bad fd gives EBADF.  unix_attach_fds(): ETOOMANYREFS when
 *            the sending user's in-flight count is already above the
 *            sender's RLIMIT_NOFILE (too_many_unix_fds(); the count goes
 *            up by every fd of a message when it is queued, down when
 *            the fds are detached or the message freed).  A stream send
 *            of zero bytes queues nothing and drops the fds.
 *   receive  scm_detach_fds(): as many fds as fit in
 *            (msg_controllen - sizeof(struct cmsghdr)) / sizeof(int),
 *            the rest closed and MSG_CTRUNC; NULL control: MSG_CTRUNC;
 *            MSG_CMSG_CLOEXEC; every MSG_PEEK installs new duplicates
 *            (scm_fp_dup()).  unix_stream_read_generic(): a read ends
 *            right after the skb whose fds it took (data before it is
 *            glued in, data after it never), fds go with the first byte
 *            read of their skb, a failed copy takes nothing.
 *            __unix_dgram_recvmsg() dequeues the message before copying,
 *            so a copy fault drops it together with its fds.
 *
 * Most tests run on five channels (CHAN_TEST): stream, seqpacket and
 * datagram socketpairs, and a datagram sender using sendto() to a
 * path-bound and to an abstract-bound receiver.
 *
 * Open files are followed by the pipe trick: the read end of a pipe,
 * O_NONBLOCK, reads EAGAIN while some copy of the write end is open
 * anywhere (also in flight) and 0 (EOF) once the last one is closed.
 */
#include "msg_util.h"

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>

PUNIX_FIXTURE(scm);

#ifndef SCM_SECURITY
#define SCM_SECURITY	0x03	/* include/linux/socket.h */
#endif

#define SCM_MAX_FD	253

/* Control space for a full message, and then some. */
#define CTL_BIG		CMSG_SPACE(sizeof(int) * (SCM_MAX_FD + 8))
/* recv_rights(): msg_control NULL, msg_controllen 0. */
#define NO_CTL		((size_t)-1)

union ctlbuf {
	struct cmsghdr align;
	char buf[4096];
};

/* Send @data with the control buffer @ctl (NULL: none), to @dst if set. */
static ssize_t send_ctl(int sock, const struct sockaddr_un *dst,
			socklen_t dlen, const void *ctl, size_t ctllen,
			const void *data, size_t len, int flags)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)dst,
		.msg_namelen = dst ? dlen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = (void *)ctl,
		.msg_controllen = ctl ? ctllen : 0,
	};

	return sendmsg(sock, &msg, flags);
}

/*
 * Fill @c with one SCM_RIGHTS cmsg per entry of @counts (@ncmsg of them),
 * taking the fds in order from @fds; returns the control length.
 */
static size_t put_rights(union ctlbuf *c, const int *fds, const int *counts,
			 int ncmsg)
{
	size_t off = 0;
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ncmsg; i++) {
		struct cmsghdr *cm = (struct cmsghdr *)(c->buf + off);
		size_t n = counts[i] * sizeof(int);

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n);
		memcpy(CMSG_DATA(cm), fds, n);
		fds += counts[i];
		off += CMSG_SPACE(n);
	}
	return off;
}

/* One SCM_RIGHTS cmsg with the @n fds @fds (n == 0: an empty one). */
static ssize_t send_fds_to(int sock, const struct sockaddr_un *dst,
			   socklen_t dlen, const int *fds, int n,
			   const void *data, size_t len)
{
	union ctlbuf c;
	size_t ctllen = put_rights(&c, fds, &n, 1);

	return send_ctl(sock, dst, dlen, &c, ctllen, data, len, 0);
}

static ssize_t send_fds(int sock, const int *fds, int n,
			const void *data, size_t len)
{
	return send_fds_to(sock, NULL, 0, fds, n, data, len);
}

/* What one recvmsg() returned. */
struct rmsg {
	ssize_t ret;
	int err;
	int flags;		/* msg_flags */
	size_t ctllen;		/* msg_controllen after the call */
	int ncmsg;		/* cmsgs in the control data */
	int level, type;	/* of the first one */
	size_t cmsg_len;
	int nfds;		/* fds in it if it is SCM_RIGHTS */
	int fds[SCM_MAX_FD + 8];
	char data[256];
};

/*
 * recvmsg(@sock, MSG_DONTWAIT | @flags) of up to @len bytes with
 * @ctlspace bytes of control space (NO_CTL: msg_control NULL).
 */
static void recv_rights(int sock, size_t len, size_t ctlspace, int flags,
			struct rmsg *r)
{
	union ctlbuf c;
	struct iovec iov = { .iov_base = r->data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctlspace == NO_CTL ? NULL : c.buf,
		.msg_controllen = ctlspace == NO_CTL ? 0 : ctlspace,
		.msg_flags = 0x5a5a0000,
	};
	struct cmsghdr *cm;

	memset(&c, 0xa5, sizeof(c));
	memset(r->data, 0, sizeof(r->data));
	if (len > sizeof(r->data))
		iov.iov_len = sizeof(r->data);
	errno = 0;
	r->ret = recvmsg(sock, &msg, MSG_DONTWAIT | flags);
	r->err = errno;
	r->flags = msg.msg_flags;
	r->ctllen = msg.msg_controllen;
	r->ncmsg = 0;
	r->level = r->type = -1;
	r->cmsg_len = 0;
	r->nfds = 0;
	if (r->ret < 0 || !msg.msg_control)
		return;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (r->ncmsg++)
			continue;
		r->level = cm->cmsg_level;
		r->type = cm->cmsg_type;
		r->cmsg_len = cm->cmsg_len;
		if (r->level == SOL_SOCKET && r->type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(0) &&
		    cm->cmsg_len <= CMSG_LEN(sizeof(r->fds))) {
			r->nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(r->fds, CMSG_DATA(cm), r->nfds * sizeof(int));
		}
	}
}

/*
 * Assert that @r is a successful receive of the @len bytes @data with
 * msg_flags @mflags and @nfds fds in exactly one SCM_RIGHTS cmsg (none
 * at all for 0), received with @ctlspace bytes of control space.
 */
static void __expect_msg(struct __test_metadata *_metadata,
			 const struct rmsg *r, const char *data, size_t len,
			 int nfds, int mflags, size_t ctlspace)
{
	size_t want_ctl = CMSG_SPACE(nfds * sizeof(int));

	ASSERT_EQ((ssize_t)len, r->ret) {
		TH_LOG("recvmsg: %s", r->ret < 0 ? strerror(r->err) : "short");
	}
	ASSERT_EQ(0, memcmp(r->data, data, len));
	ASSERT_EQ(mflags, r->flags);
	if (!nfds) {
		ASSERT_EQ(0, r->ncmsg);
		ASSERT_EQ((size_t)0, r->ctllen);
		return;
	}
	if (ctlspace < want_ctl)
		want_ctl = ctlspace;
	ASSERT_EQ(want_ctl, r->ctllen);
	ASSERT_EQ(1, r->ncmsg);
	ASSERT_EQ(SOL_SOCKET, r->level);
	ASSERT_EQ(SCM_RIGHTS, r->type);
	ASSERT_EQ(CMSG_LEN(nfds * sizeof(int)), r->cmsg_len);
	ASSERT_EQ(nfds, r->nfds);
}
#define expect_msg(r, data, len, nfds, mflags, ctlspace) \
	__expect_msg(_metadata, (r), (data), (len), (nfds), (mflags), (ctlspace))

static void close_fds(const struct rmsg *r)
{
	for (int i = 0; i < r->nfds; i++)
		close(r->fds[i]);
}

/*
 * The @n fd numbers the next @n allocations will get, in order (the
 * lowest free ones): opened and closed again.  out[@n] is one more.
 */
static void next_fds(int n, int *out)
{
	int i;

	for (i = 0; i <= n; i++)
		out[i] = open("/", O_PATH | O_CLOEXEC);
	for (i = 0; i <= n; i++)
		close(out[i]);
}

static int lowest_fd(void)
{
	int fd = open("/", O_PATH | O_CLOEXEC);

	close(fd);
	return fd;
}

/* Same open file: same inode and the same (shared) file status flags. */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) || fstat(b, &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
	       fcntl(a, F_GETFL) == fcntl(b, F_GETFL);
}

static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) || fstat(b, &sb))
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The pipe trick (read end O_NONBLOCK): EOF, or a writer still open. */
#define ASSERT_PIPE_EOF(rd) do {					\
	char __c;							\
	ASSERT_RET(0, read((rd), &__c, 1));				\
} while (0)
#define ASSERT_PIPE_OPEN(rd) do {					\
	char __c;							\
	ASSERT_ERRNO(EAGAIN, read((rd), &__c, 1));			\
} while (0)

/* Nothing (more) queued on @fd. */
#define ASSERT_EMPTY(fd) do {						\
	char __b[16];							\
	ASSERT_ERRNO(EAGAIN, recv((fd), __b, sizeof(__b), MSG_DONTWAIT)); \
} while (0)

/* A regular file <dir>/<name>, created empty, O_RDWR. */
static int __new_file(struct __test_metadata *_metadata, const char *dir,
		      const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	return fd;
}

/*
 * Channels.  tx sends (to dst when dlen is set), rx receives.
 */
enum { CH_STREAM, CH_SEQPACKET, CH_DGRAM, CH_DGRAM_PATH, CH_DGRAM_ABS };

struct chan {
	int family;
	const char *dir;
	int type;
	int tx, rx;
	struct sockaddr_un dst;
	socklen_t dlen;
};

static void open_chan(struct __test_metadata *_metadata, int family,
		      const char *dir, int kind, struct chan *c)
{
	char path[128], name[64];
	int sv[2], n;

	memset(c, 0, sizeof(*c));
	c->family = family;
	c->dir = dir;
	c->tx = c->rx = -1;
	switch (kind) {
	case CH_STREAM:
	case CH_SEQPACKET:
	case CH_DGRAM:
		c->type = kind == CH_STREAM ? SOCK_STREAM :
			  kind == CH_SEQPACKET ? SOCK_SEQPACKET : SOCK_DGRAM;
		ASSERT_RET(0, socketpair(family, c->type, 0, sv));
		c->tx = sv[0];
		c->rx = sv[1];
		break;
	case CH_DGRAM_PATH:
		c->type = SOCK_DGRAM;
		snprintf(path, sizeof(path), "%s/rx", dir);
		c->rx = __new_bound(_metadata, family, SOCK_DGRAM, path);
		c->dlen = fill_addr(&c->dst, family, path);
		c->tx = __new_socket(_metadata, family, SOCK_DGRAM);
		break;
	case CH_DGRAM_ABS:
		c->type = SOCK_DGRAM;
		name[0] = '\0';
		n = 1 + snprintf(name + 1, sizeof(name) - 1, "punix-%d-scmrx",
				 (int)getpid());
		c->rx = __new_socket(_metadata, family, SOCK_DGRAM);
		ASSERT_RET(0, bind_abs(c->rx, family, name, n));
		c->dlen = fill_abs(&c->dst, family, name, n);
		c->tx = __new_socket(_metadata, family, SOCK_DGRAM);
		break;
	}
}

static ssize_t chan_send(const struct chan *c, const int *fds, int n,
			 const void *data, size_t len)
{
	return send_fds_to(c->tx, c->dlen ? &c->dst : NULL, c->dlen,
			   fds, n, data, len);
}

static ssize_t chan_send_ctl(const struct chan *c, const void *ctl,
			     size_t ctllen, const void *data, size_t len)
{
	return send_ctl(c->tx, c->dlen ? &c->dst : NULL, c->dlen,
			ctl, ctllen, data, len, 0);
}

typedef void (*chan_body)(struct __test_metadata *_metadata, struct chan *c);

static void run_chan(struct __test_metadata *_metadata, int family,
		     const char *dir, int kind, chan_body body)
{
	struct chan c;

	open_chan(_metadata, family, dir, kind, &c);
	body(_metadata, &c);
	if (c.tx >= 0)
		close(c.tx);
	if (c.rx >= 0)
		close(c.rx);
}

/* TEST_F()s of @name on each of the five channels. */
#define CHAN_TEST(name)							\
static void name(struct __test_metadata *_metadata, struct chan *c);	\
TEST_F(scm, name##_stream)						\
{									\
	run_chan(_metadata, self->family, self->dir, CH_STREAM, name);	\
}									\
TEST_F(scm, name##_seqpacket)						\
{									\
	run_chan(_metadata, self->family, self->dir, CH_SEQPACKET, name); \
}									\
TEST_F(scm, name##_dgram)						\
{									\
	run_chan(_metadata, self->family, self->dir, CH_DGRAM, name);	\
}									\
TEST_F(scm, name##_dgram_path)						\
{									\
	run_chan(_metadata, self->family, self->dir, CH_DGRAM_PATH, name); \
}									\
TEST_F(scm, name##_dgram_abstract)					\
{									\
	run_chan(_metadata, self->family, self->dir, CH_DGRAM_ABS, name); \
}									\
static void name(struct __test_metadata *_metadata, struct chan *c)

/*
 * One fd: it arrives as the lowest free fd number, in one SCM_RIGHTS cmsg
 * of CMSG_LEN(sizeof(int)), and is the same open file (the pipe's write
 * end: writes through it reach the reader).  In flight it keeps the file
 * open; closing the received copy is the last close.
 */
CHAN_TEST(one_fd)
{
	struct rmsg r;
	char buf[8];
	int p[2], L[2];

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(2, chan_send(c, &p[1], 1, "x1", 2));
	close(p[1]);
	ASSERT_PIPE_OPEN(p[0]);
	next_fds(1, L);
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "x1", 2, 1, 0, CTL_BIG);
	ASSERT_EQ(L[0], r.fds[0]);
	ASSERT_EQ(L[1], lowest_fd());
	ASSERT_TRUE(same_inode(p[0], r.fds[0]));
	ASSERT_EQ(O_WRONLY | O_NONBLOCK, fcntl(r.fds[0], F_GETFL) &
		  (O_ACCMODE | O_NONBLOCK));
	ASSERT_EQ(0, fcntl(r.fds[0], F_GETFD));
	ASSERT_RET(3, write(r.fds[0], "via", 3));
	ASSERT_RET(3, read(p[0], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "via", 3));
	ASSERT_EMPTY(c->rx);
	ASSERT_PIPE_OPEN(p[0]);
	close(r.fds[0]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
}

/*
 * SCM_MAX_FD (253) fds in one message arrive in order, as 253 new fds;
 * 254 is EINVAL and queues nothing (and keeps no reference).
 */
CHAN_TEST(max_fds)
{
	int p[2], f, src[3], fds[SCM_MAX_FD + 1], L[SCM_MAX_FD + 1];
	struct rmsg r;
	int i;

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	f = __new_file(_metadata, c->dir, "f");
	src[0] = p[0];
	src[1] = p[1];
	src[2] = f;
	for (i = 0; i <= SCM_MAX_FD; i++)
		fds[i] = src[i % 3];
	ASSERT_ERRNO(EINVAL, chan_send(c, fds, SCM_MAX_FD + 1, "m", 1));
	ASSERT_EMPTY(c->rx);
	ASSERT_RET(1, chan_send(c, fds, SCM_MAX_FD, "m", 1));
	next_fds(SCM_MAX_FD, L);
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "m", 1, SCM_MAX_FD, 0, CTL_BIG);
	for (i = 0; i < SCM_MAX_FD; i++) {
		ASSERT_EQ(L[i], r.fds[i]);
		ASSERT_TRUE(same_file(src[i % 3], r.fds[i])) {
			TH_LOG("fd %d of the message", i);
		}
	}
	ASSERT_EQ(L[SCM_MAX_FD], lowest_fd());
	ASSERT_EMPTY(c->rx);
	close_fds(&r);
	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
	close(f);
}

/*
 * Several SCM_RIGHTS cmsgs in one message: their fds arrive concatenated
 * in order in a single cmsg; an empty one in between adds nothing.  The
 * SCM_MAX_FD limit is on the total: 200 + 53 passes, 200 + 54 and
 * 253 + 1 are EINVAL.
 */
CHAN_TEST(multi_cmsg)
{
	int p[2], f, src[3], fds[SCM_MAX_FD + 1];
	static const int c23[] = { 2, 3 }, c102[] = { 1, 0, 2 };
	static const int c200_53[] = { 200, 53 }, c200_54[] = { 200, 54 };
	static const int c253_1[] = { 253, 1 };
	union ctlbuf ctl;
	struct rmsg r;
	size_t len;
	int i;

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	f = __new_file(_metadata, c->dir, "f");
	src[0] = p[0];
	src[1] = p[1];
	src[2] = f;
	for (i = 0; i <= SCM_MAX_FD; i++)
		fds[i] = src[i % 3];

	len = put_rights(&ctl, fds, c23, 2);
	ASSERT_RET(2, chan_send_ctl(c, &ctl, len, "m1", 2));
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "m1", 2, 5, 0, CTL_BIG);
	for (i = 0; i < 5; i++)
		ASSERT_TRUE(same_file(src[i % 3], r.fds[i]));
	close_fds(&r);

	len = put_rights(&ctl, fds, c102, 3);
	ASSERT_RET(2, chan_send_ctl(c, &ctl, len, "m2", 2));
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "m2", 2, 3, 0, CTL_BIG);
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(same_file(src[i % 3], r.fds[i]));
	close_fds(&r);

	len = put_rights(&ctl, fds, c200_53, 2);
	ASSERT_RET(2, chan_send_ctl(c, &ctl, len, "m3", 2));
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "m3", 2, SCM_MAX_FD, 0, CTL_BIG);
	for (i = 0; i < SCM_MAX_FD; i++)
		ASSERT_TRUE(same_file(src[i % 3], r.fds[i]));
	close_fds(&r);

	len = put_rights(&ctl, fds, c200_54, 2);
	ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "m4", 2));
	ASSERT_EMPTY(c->rx);
	len = put_rights(&ctl, fds, c253_1, 2);
	ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "m5", 2));
	ASSERT_EMPTY(c->rx);

	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
	close(f);
}

/* A control buffer of one cmsg header with @len data bytes of @data. */
static size_t put_cmsg_raw(union ctlbuf *c, size_t off, int level, int type,
			   size_t cmsg_len, const void *data, size_t len)
{
	struct cmsghdr *cm = (struct cmsghdr *)(c->buf + off);

	if (!off)
		memset(c, 0, sizeof(*c));
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = cmsg_len;
	memcpy(CMSG_DATA(cm), data, len);
	return off + CMSG_SPACE(len);
}

/*
 * Bad control data fails the whole send and queues nothing: cmsg_len
 * below the header or beyond msg_controllen (EINVAL, also at another
 * level), a closed or negative fd (EBADF), an unknown SOL_SOCKET type
 * (EINVAL, also after a good SCM_RIGHTS).  A cmsg at another level, even
 * of type SCM_RIGHTS, is ignored.  No failed send keeps a reference.
 */
CHAN_TEST(bad_cmsg)
{
	static const int bad_types[] = { SCM_SECURITY, SCM_TIMESTAMP, 12345 };
	int p[2], two[2], closed;
	union ctlbuf ctl;
	struct rmsg r;
	size_t len;
	unsigned int i;

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	closed = lowest_fd();

	/* cmsg_len shorter than the header, zero, past the buffer. */
	len = put_cmsg_raw(&ctl, 0, SOL_SOCKET, SCM_RIGHTS,
			   sizeof(struct cmsghdr) - 1, &p[1], sizeof(int));
	ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "b", 1));
	ASSERT_EMPTY(c->rx);
	len = put_cmsg_raw(&ctl, 0, SOL_SOCKET, SCM_RIGHTS, 0,
			   &p[1], sizeof(int));
	ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "b", 1));
	ASSERT_EMPTY(c->rx);
	len = put_cmsg_raw(&ctl, 0, SOL_SOCKET, SCM_RIGHTS,
			   CMSG_SPACE(sizeof(int)) + 1, &p[1], sizeof(int));
	ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "b", 1));
	ASSERT_EMPTY(c->rx);
	/* CMSG_OK() is checked before the level. */
	len = put_cmsg_raw(&ctl, 0, SOL_IP, IP_TTL,
			   sizeof(struct cmsghdr) - 1, &p[1], sizeof(int));
	ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "b", 1));
	ASSERT_EMPTY(c->rx);

	/* A closed or negative fd, also after a good one. */
	two[0] = p[1];
	two[1] = closed;
	ASSERT_ERRNO(EBADF, chan_send(c, two, 2, "b", 1));
	ASSERT_EMPTY(c->rx);
	two[1] = -1;
	ASSERT_ERRNO(EBADF, chan_send(c, two, 2, "b", 1));
	ASSERT_EMPTY(c->rx);
	ASSERT_ERRNO(EBADF, chan_send(c, &two[1], 1, "b", 1));
	ASSERT_EMPTY(c->rx);

	/* Unknown SOL_SOCKET types, alone or after SCM_RIGHTS. */
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		len = put_cmsg_raw(&ctl, 0, SOL_SOCKET, bad_types[i],
				   CMSG_LEN(sizeof(int)), &p[1], sizeof(int));
		ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "b", 1));
		ASSERT_EMPTY(c->rx);
		len = put_cmsg_raw(&ctl, 0, SOL_SOCKET, SCM_RIGHTS,
				   CMSG_LEN(sizeof(int)), &p[1], sizeof(int));
		len = put_cmsg_raw(&ctl, len, SOL_SOCKET, bad_types[i],
				   CMSG_LEN(sizeof(int)), &p[1], sizeof(int));
		ASSERT_ERRNO(EINVAL, chan_send_ctl(c, &ctl, len, "b", 1));
		ASSERT_EMPTY(c->rx);
	}

	/* Other levels are skipped, whatever their type. */
	len = put_cmsg_raw(&ctl, 0, SOL_IP, SCM_RIGHTS,
			   CMSG_LEN(sizeof(int)), &p[1], sizeof(int));
	ASSERT_RET(2, chan_send_ctl(c, &ctl, len, "o1", 2));
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "o1", 2, 0, 0, CTL_BIG);
	len = put_cmsg_raw(&ctl, 0, 0x7777, 0x7777,
			   CMSG_LEN(sizeof(int)), &p[1], sizeof(int));
	len = put_cmsg_raw(&ctl, len, SOL_SOCKET, SCM_RIGHTS,
			   CMSG_LEN(sizeof(int)), &p[0], sizeof(int));
	ASSERT_RET(2, chan_send_ctl(c, &ctl, len, "o2", 2));
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "o2", 2, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[0], r.fds[0]));
	close_fds(&r);
	ASSERT_EMPTY(c->rx);

	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
}

/*
 * recvmsg() that fails with EFAULT installs no fd.  A bad msg_iov fails
 * before the socket is reached.  A bad iov_base: the stream read takes
 * nothing (data and fds stay queued); the datagram/seqpacket receive has
 * already dequeued the message, which is dropped with its fds.  An
 * unwritable control buffer loses the fds (scm_detach_fds() cannot store
 * them) but not the call.
 */
CHAN_TEST(recv_efault)
{
	union ctlbuf ctl;
	struct msghdr msg;
	struct iovec iov;
	struct rmsg r;
	int p[2], L;
	void *bad;

	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(2, chan_send(c, &p[1], 1, "ab", 2));
	close(p[1]);
	L = lowest_fd();

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = bad;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = CTL_BIG;
	ASSERT_ERRNO(EFAULT, recvmsg(c->rx, &msg, MSG_DONTWAIT));
	ASSERT_EQ(L, lowest_fd());

	iov.iov_base = bad;
	iov.iov_len = 16;
	msg.msg_iov = &iov;
	msg.msg_controllen = CTL_BIG;
	ASSERT_ERRNO(EFAULT, recvmsg(c->rx, &msg, MSG_DONTWAIT));
	ASSERT_EQ(L, lowest_fd());

	if (c->type == SOCK_STREAM) {
		ASSERT_PIPE_OPEN(p[0]);
		recv_rights(c->rx, 64, CTL_BIG, 0, &r);
		expect_msg(&r, "ab", 2, 1, 0, CTL_BIG);
		ASSERT_EQ(L, r.fds[0]);
		close_fds(&r);
	}
	ASSERT_EMPTY(c->rx);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);

	/*
	 * An unwritable control buffer: the data is received, the fds
	 * cannot be stored, so none is installed and MSG_CTRUNC is set.
	 */
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(2, chan_send(c, &p[1], 1, "cd", 2));
	close(p[1]);
	iov.iov_base = ctl.buf;
	iov.iov_len = sizeof(ctl.buf);
	msg.msg_control = bad;
	msg.msg_controllen = CTL_BIG;
	msg.msg_flags = 0;
	ASSERT_RET(2, recvmsg(c->rx, &msg, MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(ctl.buf, "cd", 2));
	ASSERT_EQ(MSG_CTRUNC, msg.msg_flags);
	ASSERT_EQ((size_t)0, msg.msg_controllen);
	ASSERT_EQ(L, lowest_fd());
	ASSERT_EMPTY(c->rx);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
	munmap(bad, 4096);
}

/*
 * Too little control space: the fds that fit are installed (lowest free
 * numbers, in order), the others closed, MSG_CTRUNC; the data is whole.
 * Room is (msg_controllen - header) / sizeof(int), so CMSG_SPACE(4)
 * takes two on x86_64 (4 bytes of padding) and one in the i386 build;
 * msg_controllen comes back as min(CMSG_SPACE(n), given).
 * NULL control: MSG_CTRUNC, nothing installed.
 */
#define CTL_FDS(space)	((space) < CMSG_LEN(0) ? 0 : \
			 (int)(((space) - CMSG_LEN(0)) / sizeof(int)))
CHAN_TEST(ctrunc)
{
	static const struct { size_t space; int nfds; } cases[] = {
		{ CMSG_SPACE(3 * sizeof(int)), 3 },
		{ CMSG_SPACE(sizeof(int)), CTL_FDS(CMSG_SPACE(sizeof(int))) },
		{ CMSG_LEN(sizeof(int)), 1 },
		{ CMSG_SPACE(sizeof(int)) - 1, CTL_FDS(CMSG_SPACE(sizeof(int)) - 1) },
		{ CMSG_LEN(0), 0 },
		{ 8, 0 },
		{ NO_CTL, 0 },
	};
	static const int acc[3] = { O_RDWR, O_RDONLY, O_WRONLY };
	unsigned int k;
	int f;

	f = __new_file(_metadata, c->dir, "f");
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int n = cases[k].nfds, p[2], fds[3], L[4], i;
		struct rmsg r;

		ASSERT_RET(0, pipe2(p, O_NONBLOCK));
		fds[0] = f;
		fds[1] = p[0];
		fds[2] = p[1];
		ASSERT_RET(2, chan_send(c, fds, 3, "tr", 2));
		close(p[1]);
		next_fds(3, L);
		recv_rights(c->rx, 64, cases[k].space, 0, &r);
		expect_msg(&r, "tr", 2, n, n < 3 ? MSG_CTRUNC : 0,
			   cases[k].space);
		for (i = 0; i < n; i++) {
			ASSERT_EQ(L[i], r.fds[i]);
			ASSERT_TRUE(same_inode(fds[i < 2 ? i : 1], r.fds[i]));
			ASSERT_EQ(acc[i], fcntl(r.fds[i], F_GETFL) & O_ACCMODE);
		}
		ASSERT_EQ(L[n], lowest_fd()) {
			TH_LOG("case %u", k);
		}
		if (n == 3) {
			ASSERT_PIPE_OPEN(p[0]);
		} else {
			ASSERT_PIPE_EOF(p[0]);
		}
		close_fds(&r);
		ASSERT_PIPE_EOF(p[0]);
		close(p[0]);
		ASSERT_EMPTY(c->rx);
	}
	close(f);
}

/*
 * FD_CLOEXEC is never carried: clear on receipt even if the sender's fd
 * had it; MSG_CMSG_CLOEXEC sets it on every received fd.
 */
CHAN_TEST(cloexec)
{
	struct rmsg r;
	int p[2];

	ASSERT_RET(0, pipe2(p, O_NONBLOCK | O_CLOEXEC));
	ASSERT_EQ(FD_CLOEXEC, fcntl(p[1], F_GETFD));
	ASSERT_RET(2, chan_send(c, p, 2, "c1", 2));
	ASSERT_RET(2, chan_send(c, p, 2, "c2", 2));
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "c1", 2, 2, 0, CTL_BIG);
	ASSERT_EQ(0, fcntl(r.fds[0], F_GETFD));
	ASSERT_EQ(0, fcntl(r.fds[1], F_GETFD));
	close_fds(&r);
	/* The flag comes back in msg_flags (____sys_recvmsg()). */
	recv_rights(c->rx, 64, CTL_BIG, MSG_CMSG_CLOEXEC, &r);
	expect_msg(&r, "c2", 2, 2, MSG_CMSG_CLOEXEC, CTL_BIG);
	ASSERT_EQ(FD_CLOEXEC, fcntl(r.fds[0], F_GETFD));
	ASSERT_EQ(FD_CLOEXEC, fcntl(r.fds[1], F_GETFD));
	ASSERT_TRUE(same_file(p[0], r.fds[0]));
	ASSERT_TRUE(same_file(p[1], r.fds[1]));
	close_fds(&r);
	ASSERT_EMPTY(c->rx);
	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
}

/*
 * MSG_PEEK installs fresh duplicates on every peek, and the real receive
 * installs the fds once more; every copy is the same open file.
 */
CHAN_TEST(peek)
{
	int p[2], L[4], i;
	struct rmsg r[3];
	char buf[8];

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(2, chan_send(c, &p[1], 1, "pk", 2));
	close(p[1]);
	next_fds(3, L);
	recv_rights(c->rx, 64, CTL_BIG, MSG_PEEK, &r[0]);
	expect_msg(&r[0], "pk", 2, 1, 0, CTL_BIG);
	recv_rights(c->rx, 64, CTL_BIG, MSG_PEEK, &r[1]);
	expect_msg(&r[1], "pk", 2, 1, 0, CTL_BIG);
	recv_rights(c->rx, 64, CTL_BIG, 0, &r[2]);
	expect_msg(&r[2], "pk", 2, 1, 0, CTL_BIG);
	ASSERT_EMPTY(c->rx);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(L[i], r[i].fds[0]);
		ASSERT_RET(1, write(r[i].fds[0], "z", 1));
	}
	ASSERT_EQ(L[3], lowest_fd());
	ASSERT_RET(3, read(p[0], buf, sizeof(buf)));
	for (i = 0; i < 3; i++) {
		ASSERT_PIPE_OPEN(p[0]);
		close(r[i].fds[0]);
	}
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
}

/*
 * Zero lengths.  A stream send of no bytes returns 0 and queues nothing
 * (its fds are dropped); a zero-length stream recv takes the fds of the
 * next byte without the byte.  A zero-length datagram/record carries its
 * fds; a zero-length receive of a datagram takes its fds, drops the data
 * (MSG_TRUNC).
 */
CHAN_TEST(zero_len)
{
	struct rmsg r;
	int p[2];

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	if (c->type == SOCK_STREAM) {
		ASSERT_RET(0, chan_send(c, &p[1], 1, NULL, 0));
		ASSERT_EMPTY(c->rx);
	} else {
		ASSERT_RET(0, chan_send(c, &p[1], 1, NULL, 0));
		recv_rights(c->rx, 64, CTL_BIG, 0, &r);
		expect_msg(&r, "", 0, 1, 0, CTL_BIG);
		ASSERT_TRUE(same_file(p[1], r.fds[0]));
		close_fds(&r);
		ASSERT_EMPTY(c->rx);
	}
	ASSERT_RET(2, chan_send(c, &p[1], 1, "zz", 2));
	close(p[1]);
	recv_rights(c->rx, 0, CTL_BIG, 0, &r);
	expect_msg(&r, "", 0, 1, c->type == SOCK_STREAM ? 0 : MSG_TRUNC,
		   CTL_BIG);
	ASSERT_TRUE(same_inode(p[0], r.fds[0]));
	if (c->type == SOCK_STREAM) {
		struct rmsg r2;

		recv_rights(c->rx, 64, CTL_BIG, 0, &r2);
		expect_msg(&r2, "zz", 2, 0, 0, CTL_BIG);
	}
	ASSERT_EMPTY(c->rx);
	ASSERT_PIPE_OPEN(p[0]);
	close_fds(&r);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
}

/*
 * fds in a message never read are released when the receiver closes:
 * a pipe write end and a stream socket of the family (its peer sees EOF).
 */
CHAN_TEST(unread_released)
{
	int p[2], sp[2], fds[2];
	char b;

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(0, socketpair(c->family, SOCK_STREAM, 0, sp));
	fds[0] = p[1];
	fds[1] = sp[0];
	ASSERT_RET(1, chan_send(c, fds, 2, "u", 1));
	close(p[1]);
	close(sp[0]);
	ASSERT_PIPE_OPEN(p[0]);
	ASSERT_ERRNO(EAGAIN, recv(sp[1], &b, 1, MSG_DONTWAIT));
	close(c->rx);
	c->rx = -1;
	ASSERT_PIPE_EOF(p[0]);
	ASSERT_RET(0, recv(sp[1], &b, 1, MSG_DONTWAIT));
	close(p[0]);
	close(sp[1]);
}

/*
 * Files of every kind travel and work on the receiving side: pipe ends,
 * an eventfd, a regular file (shared offset), an O_PATH fd, a stream
 * socket of the family under test and one of the other family (AF_UNIX
 * inside punix, punix inside AF_UNIX), a listener of the family.  Each is released when its last
 * copy closes: the sender's copies are closed first, then the received.
 */
CHAN_TEST(fd_kinds)
{
	int p[2], ev, f, op, us[2], os[2], ls, cl, ac, fds[8], i;
	int other = OTHER_FAMILY(c->family);
	char path[128], buf[8];
	uint64_t v = 5;
	struct rmsg r;

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ev = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, ev);
	f = __new_file(_metadata, c->dir, "reg");
	snprintf(path, sizeof(path), "%s/reg", c->dir);
	op = open(path, O_PATH);
	ASSERT_LE(0, op);
	ASSERT_RET(0, socketpair(c->family, SOCK_STREAM, 0, us));
	ASSERT_RET(0, socketpair(other, SOCK_STREAM, 0, os));
	snprintf(path, sizeof(path), "%s/ls", c->dir);
	ls = __new_listener(_metadata, c->family, path, 4);
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = ev;
	fds[3] = f;
	fds[4] = op;
	fds[5] = us[0];
	fds[6] = os[0];
	fds[7] = ls;
	ASSERT_RET(1, chan_send(c, fds, 8, "k", 1));
	for (i = 1; i < 8; i++)
		if (i != 2 && i != 3)
			close(fds[i]);
	recv_rights(c->rx, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "k", 1, 8, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[0], r.fds[0]));
	ASSERT_TRUE(same_file(ev, r.fds[2]));
	ASSERT_TRUE(same_file(f, r.fds[3]));

	/* Pipe: through both received ends. */
	ASSERT_RET(2, write(r.fds[1], "pw", 2));
	ASSERT_RET(2, read(r.fds[0], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "pw", 2));
	/* eventfd: written through the received copy, read on ours. */
	ASSERT_RET(sizeof(v), write(r.fds[2], &v, sizeof(v)));
	v = 0;
	ASSERT_RET(sizeof(v), read(ev, &v, sizeof(v)));
	ASSERT_EQ((uint64_t)5, v);
	/* Regular file: one open file, one offset. */
	ASSERT_RET(3, write(r.fds[3], "abc", 3));
	ASSERT_EQ(3, lseek(f, 0, SEEK_CUR));
	ASSERT_RET(3, pread(f, buf, 3, 0));
	ASSERT_EQ(0, memcmp(buf, "abc", 3));
	/* O_PATH: stays O_PATH, same inode, no I/O. */
	ASSERT_EQ(O_PATH, fcntl(r.fds[4], F_GETFL) & O_PATH);
	ASSERT_TRUE(same_inode(f, r.fds[4]));
	ASSERT_ERRNO(EBADF, read(r.fds[4], buf, 1));
	/* Sockets: the received ends talk to the peers we kept. */
	ASSERT_EQ(c->family, get_int_opt(r.fds[5], SOL_SOCKET, SO_DOMAIN));
	ASSERT_EQ(other, get_int_opt(r.fds[6], SOL_SOCKET, SO_DOMAIN));
	ASSERT_RET(2, send(r.fds[5], "us", 2, 0));
	ASSERT_RET(2, recv(us[1], buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "us", 2));
	ASSERT_RET(2, send(r.fds[6], "os", 2, 0));
	ASSERT_RET(2, recv(os[1], buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "os", 2));
	/* A listener: accepts through the received copy. */
	ASSERT_EQ(1, get_int_opt(r.fds[7], SOL_SOCKET, SO_ACCEPTCONN));
	cl = __new_typed_client(_metadata, c->family, SOCK_STREAM, path);
	ac = accept(r.fds[7], NULL, NULL);
	ASSERT_LE(0, ac);
	ASSERT_RET(2, send(ac, "ls", 2, 0));
	ASSERT_RET(2, recv(cl, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "ls", 2));
	close(ac);
	close(cl);

	/* Released only when the received copies close. */
	ASSERT_PIPE_OPEN(p[0]);
	ASSERT_ERRNO(EAGAIN, recv(us[1], buf, 1, MSG_DONTWAIT));
	ASSERT_ERRNO(EAGAIN, recv(os[1], buf, 1, MSG_DONTWAIT));
	close_fds(&r);
	ASSERT_PIPE_EOF(p[0]);
	ASSERT_RET(0, recv(us[1], buf, 1, MSG_DONTWAIT));
	ASSERT_RET(0, recv(os[1], buf, 1, MSG_DONTWAIT));
	/* The listener went with its last copy. */
	cl = __new_socket(_metadata, c->family, SOCK_STREAM);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(cl, c->family, path));
	close(cl);
	close(p[0]);
	close(ev);
	close(f);
	close(us[1]);
	close(os[1]);
}

/*
 * fds sent on a connection not accepted yet wait on the embryo: the
 * server accepts later and receives them; if the listener closes
 * instead, they are released with the embryo.
 */
static void unaccepted(struct __test_metadata *_metadata, int family,
		       const char *dir, int type)
{
	int l, cl, cl2, s, p[2], q[2];
	char path[128];
	struct rmsg r;

	snprintf(path, sizeof(path), "%s/l", dir);
	l = __new_typed_listener(_metadata, family, type, path, 4);
	cl = __new_typed_client(_metadata, family, type, path);
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(5, send_fds(cl, &p[1], 1, "hello", 5));
	close(p[1]);
	ASSERT_PIPE_OPEN(p[0]);
	s = __accept_ok(_metadata, l);
	recv_rights(s, 64, CTL_BIG, 0, &r);
	expect_msg(&r, "hello", 5, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_inode(p[0], r.fds[0]));
	ASSERT_PIPE_OPEN(p[0]);
	close_fds(&r);
	ASSERT_PIPE_EOF(p[0]);

	cl2 = __new_typed_client(_metadata, family, type, path);
	ASSERT_RET(0, pipe2(q, O_NONBLOCK));
	ASSERT_RET(3, send_fds(cl2, &q[1], 1, "bye", 3));
	close(q[1]);
	ASSERT_PIPE_OPEN(q[0]);
	close(l);
	ASSERT_PIPE_EOF(q[0]);
	close(cl);
	close(cl2);
	close(s);
	close(p[0]);
	close(q[0]);
}

TEST_F(scm, unaccepted_stream)
{
	unaccepted(_metadata, self->family, self->dir, SOCK_STREAM);
}

TEST_F(scm, unaccepted_seqpacket)
{
	unaccepted(_metadata, self->family, self->dir, SOCK_SEQPACKET);
}

/*
 * A stream read never glues data across the fds: "aa" (no fds), "bb"
 * (fd), "cc" (no fds) read with room for all gives "aabb" with the fd,
 * then "cc".  The read stops right after the skb whose fds it took;
 * data queued before that skb is read with it (unix_stream_read_generic(),
 * same in 6.1 and 6.12).  Two messages with fds are never glued.  An
 * empty SCM_RIGHTS cmsg carries nothing, so that data is glued.  MSG_PEEK
 * stops at the same place, and so does MSG_WAITALL (a short read).
 */
TEST_F(scm, stream_no_merge)
{
	int sv[2], p[2], empty = -1;
	struct rmsg r;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));

	ASSERT_RET(2, send(sv[0], "aa", 2, 0));
	ASSERT_RET(2, send_fds(sv[0], &p[1], 1, "bb", 2));
	ASSERT_RET(2, send(sv[0], "cc", 2, 0));
	recv_rights(sv[1], 64, CTL_BIG, MSG_PEEK, &r);
	expect_msg(&r, "aabb", 4, 1, 0, CTL_BIG);
	close_fds(&r);
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "aabb", 4, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[1], r.fds[0]));
	close_fds(&r);
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "cc", 2, 0, 0, CTL_BIG);
	ASSERT_EMPTY(sv[1]);

	/* MSG_WAITALL does not wait past the fds either: a short read. */
	ASSERT_RET(0, set_timeo(sv[1], SO_RCVTIMEO, LONG_TIMEO_MS));
	ASSERT_RET(2, send(sv[0], "aa", 2, 0));
	ASSERT_RET(2, send_fds(sv[0], &p[1], 1, "bb", 2));
	ASSERT_RET(2, send(sv[0], "cc", 2, 0));
	{
		union ctlbuf ctl;
		char buf[8];
		struct iovec iov = { .iov_base = buf, .iov_len = 6 };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctl.buf,
			.msg_controllen = CTL_BIG,
		};
		struct cmsghdr *cm;

		ASSERT_RET(4, recvmsg(sv[1], &msg, MSG_WAITALL));
		ASSERT_EQ(0, memcmp(buf, "aabb", 4));
		ASSERT_EQ(0, msg.msg_flags);
		cm = CMSG_FIRSTHDR(&msg);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(CMSG_LEN(sizeof(int)), cm->cmsg_len);
		ASSERT_EQ(SCM_RIGHTS, cm->cmsg_type);
		close(*(int *)CMSG_DATA(cm));
	}
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "cc", 2, 0, 0, CTL_BIG);
	ASSERT_EMPTY(sv[1]);

	ASSERT_RET(2, send_fds(sv[0], &p[1], 1, "dd", 2));
	ASSERT_RET(2, send_fds(sv[0], &p[0], 1, "ee", 2));
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "dd", 2, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[1], r.fds[0]));
	close_fds(&r);
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "ee", 2, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[0], r.fds[0]));
	close_fds(&r);
	ASSERT_EMPTY(sv[1]);

	ASSERT_RET(2, send_fds(sv[0], &empty, 0, "ff", 2));
	ASSERT_RET(2, send(sv[0], "gg", 2, 0));
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "ffgg", 4, 0, 0, CTL_BIG);
	ASSERT_EMPTY(sv[1]);

	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * SO_PEEK_OFF on a stream: a peek stops after the fds like a read and
 * moves the offset past them, so the next peek starts after that skb
 * and carries no fds; a read starts at the head whatever the offset.
 */
TEST_F(scm, stream_peek_off)
{
	int sv[2], p[2];
	struct rmsg r;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PEEK_OFF, 0));
	ASSERT_RET(2, send(sv[0], "aa", 2, 0));
	ASSERT_RET(2, send_fds(sv[0], &p[1], 1, "bb", 2));
	ASSERT_RET(2, send(sv[0], "cc", 2, 0));
	recv_rights(sv[1], 64, CTL_BIG, MSG_PEEK, &r);
	expect_msg(&r, "aabb", 4, 1, 0, CTL_BIG);
	close_fds(&r);
	ASSERT_EQ(4, get_int_opt(sv[1], SOL_SOCKET, SO_PEEK_OFF));
	recv_rights(sv[1], 64, CTL_BIG, MSG_PEEK, &r);
	expect_msg(&r, "cc", 2, 0, 0, CTL_BIG);
	ASSERT_EQ(6, get_int_opt(sv[1], SOL_SOCKET, SO_PEEK_OFF));
	recv_rights(sv[1], 64, CTL_BIG, MSG_PEEK, &r);
	ASSERT_EQ(-1, r.ret);
	ASSERT_EQ(EAGAIN, r.err);
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "aabb", 4, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[1], r.fds[0]));
	close_fds(&r);
	ASSERT_EQ(2, get_int_opt(sv[1], SOL_SOCKET, SO_PEEK_OFF));
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "cc", 2, 0, 0, CTL_BIG);
	ASSERT_EQ(0, get_int_opt(sv[1], SOL_SOCKET, SO_PEEK_OFF));
	ASSERT_EMPTY(sv[1]);
	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The fds of a stream message read in pieces arrive once, with its first
 * byte: "abcd" read one byte at a time gives the fd with "a" only.  A
 * 3-byte read of "xy" then "abcd"+fd gives "xya" with the fd, then "bcd".
 */
TEST_F(scm, stream_split_read)
{
	static const char *rest[] = { "b", "c", "d" };
	int sv[2], p[2], i;
	struct rmsg r;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));

	ASSERT_RET(4, send_fds(sv[0], &p[1], 1, "abcd", 4));
	recv_rights(sv[1], 1, CTL_BIG, 0, &r);
	expect_msg(&r, "a", 1, 1, 0, CTL_BIG);
	ASSERT_TRUE(same_file(p[1], r.fds[0]));
	close_fds(&r);
	for (i = 0; i < 3; i++) {
		recv_rights(sv[1], 1, CTL_BIG, 0, &r);
		expect_msg(&r, rest[i], 1, 0, 0, CTL_BIG);
	}
	ASSERT_EMPTY(sv[1]);

	ASSERT_RET(2, send(sv[0], "xy", 2, 0));
	ASSERT_RET(4, send_fds(sv[0], &p[1], 1, "abcd", 4));
	recv_rights(sv[1], 3, CTL_BIG, 0, &r);
	expect_msg(&r, "xya", 3, 1, 0, CTL_BIG);
	close_fds(&r);
	recv_rights(sv[1], 64, CTL_BIG, 0, &r);
	expect_msg(&r, "bcd", 3, 0, 0, CTL_BIG);
	ASSERT_EMPTY(sv[1]);

	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * RLIMIT_NOFILE bound on fds in flight (too_many_unix_fds()): a sender
 * without CAP_SYS_RESOURCE/CAP_SYS_ADMIN gets ETOOMANYREFS when its
 * user's in-flight count is already above its RLIMIT_NOFILE.  The count
 * grows by every fd of a queued message (duplicates included) and drops
 * when a receive detaches them.  With the capabilities there is no bound.
 */
#define INFL_RLIMIT	16
/* Messages a child sends at most before it reports. */
#define INFL_MAX	60

struct infl_case {
	int type;
	int first;		/* fds in the first message */
	bool after_recv;	/* count again after reading one message */
	bool nobody;		/* drop to nobody (no capabilities) */
	int want;
};

/*
 * In a child with RLIMIT_NOFILE INFL_RLIMIT (as nobody if asked): send
 * one 1-byte message of type @ic->type carrying @ic->first copies of a
 * pipe write end, then 1-fd messages until a send fails or INFL_MAX
 * messages went.  With @ic->after_recv, then read one message without
 * control space (its fds are dropped) and count the 1-fd messages that
 * go through until the next failure.  Exit code: the count; 200+ when a
 * step fails, 250 when a send fails with another errno than
 * ETOOMANYREFS.
 */
static pid_t fork_inflight_counter(int family, const struct infl_case *ic)
{
	struct rlimit rl = { INFL_RLIMIT, INFL_RLIMIT };
	int sv[2], p[2], fds[64], i, n;
	pid_t pid;
	char b;

	pid = fork_child();
	if (pid)
		return pid;
	if (socketpair(family, ic->type, 0, sv) || pipe(p))
		_exit(201);
	for (i = 0; i < ic->first; i++)
		fds[i] = p[1];
	if (setrlimit(RLIMIT_NOFILE, &rl))
		_exit(202);
	if (ic->nobody && drop_to_nobody())
		_exit(203);
	if (send_fds(sv[0], fds, ic->first, "i", 1) != 1)
		_exit(204);
	for (n = 1; n < INFL_MAX; n++)
		if (send_fds(sv[0], fds, 1, "i", 1) != 1)
			break;
	if (n < INFL_MAX && errno != ETOOMANYREFS)
		_exit(250);
	if (!ic->after_recv)
		_exit(n);
	if (recv(sv[1], &b, 1, MSG_DONTWAIT) != 1)
		_exit(206);
	for (n = 0; n < INFL_MAX; n++)
		if (send_fds(sv[0], fds, 1, "i", 1) != 1)
			break;
	if (n < INFL_MAX && errno != ETOOMANYREFS)
		_exit(250);
	_exit(n);
}

static int __inflight_count(struct __test_metadata *_metadata, int family,
			    const struct infl_case *ic)
{
	pid_t pid = fork_inflight_counter(family, ic);

	ASSERT_LT(0, pid);
	return wait_child(pid);
}
#define inflight_count(family, ic) __inflight_count(_metadata, (family), (ic))

/*
 * The counts are measured on AF_UNIX in the same test: they must follow
 * the rule above, and the family under test must give the same.
 */
static void __check_inflight_cases(struct __test_metadata *_metadata,
				   int family, const struct infl_case *cases,
				   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		int native = inflight_count(AF_UNIX, &cases[i]);
		int mine = inflight_count(family, &cases[i]);

		ASSERT_EQ(cases[i].want, native) {
			TH_LOG("case %u: AF_UNIX", i);
		}
		ASSERT_EQ(native, mine) {
			TH_LOG("case %u: family %d", i, family);
		}
	}
}
#define check_inflight_cases(cases) \
	__check_inflight_cases(_metadata, self->family, (cases), \
			       sizeof(cases) / sizeof((cases)[0]))

/* Split in three so that each part fits the watchdog on the debug kernel. */
TEST_F(scm, rlimit_inflight)
{
	static const struct infl_case cases[] = {
		/* 1 fd each: refused once INFL_RLIMIT + 1 are in flight. */
		{ SOCK_STREAM, 1, false, true, INFL_RLIMIT + 1 },
		{ SOCK_SEQPACKET, 1, false, true, INFL_RLIMIT + 1 },
		{ SOCK_DGRAM, 1, false, true, INFL_RLIMIT + 1 },
		/* Reading one message back makes room for exactly one. */
		{ SOCK_STREAM, 1, true, true, 1 },
		{ SOCK_DGRAM, 1, true, true, 1 },
	};

	check_inflight_cases(cases);
}

TEST_F(scm, rlimit_inflight_big_message)
{
	static const struct infl_case cases[] = {
		/* A big message first: checked before it is counted. */
		{ SOCK_STREAM, INFL_RLIMIT, false, true, 2 },
		{ SOCK_STREAM, INFL_RLIMIT + 4, false, true, 1 },
		{ SOCK_DGRAM, INFL_RLIMIT + 4, false, true, 1 },
		/* Its receipt frees all of it. */
		{ SOCK_STREAM, INFL_RLIMIT + 4, true, true, INFL_RLIMIT + 1 },
	};

	check_inflight_cases(cases);
}

TEST_F(scm, rlimit_inflight_root)
{
	static const struct infl_case cases[] = {
		/* root keeps CAP_SYS_RESOURCE: no bound. */
		{ SOCK_STREAM, 1, false, false, INFL_MAX },
		{ SOCK_DGRAM, INFL_RLIMIT + 4, false, false, INFL_MAX },
	};

	check_inflight_cases(cases);
}

/* The "scm_fds:" value of /proc/self/fdinfo/<fd>, or -1. */
static int scm_fds(int fd)
{
	return (int)fdinfo_value(fd, "scm_fds:");
}

/*
 * /proc/<pid>/fdinfo of a socket shows "scm_fds: N", the fds queued on
 * it (unix_show_fdinfo()): every fd of every message not yet received,
 * unchanged by MSG_PEEK, down when a receive takes them.  A listener
 * shows the fds queued on its connections not accepted yet.
 */
TEST_F(scm, fdinfo_scm_fds)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int sv[2], l, c1, c2, s1, s2, p[2], two[2], three[3];
	char path[128];
	struct rmsg r;
	unsigned int i;

	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	two[0] = three[0] = three[2] = p[0];
	two[1] = three[1] = p[1];
	for (i = 0; i < 3; i++) {
		ASSERT_RET(0, socketpair(self->family, types[i], 0, sv));
		ASSERT_EQ(0, scm_fds(sv[1]));
		ASSERT_RET(1, send_fds(sv[0], two, 2, "a", 1));
		ASSERT_RET(1, send_fds(sv[0], three, 3, "b", 1));
		ASSERT_RET(1, send(sv[0], "c", 1, 0));
		ASSERT_EQ(5, scm_fds(sv[1]));
		ASSERT_EQ(0, scm_fds(sv[0]));
		recv_rights(sv[1], 64, CTL_BIG, MSG_PEEK, &r);
		expect_msg(&r, "a", 1, 2, 0, CTL_BIG);
		close_fds(&r);
		ASSERT_EQ(5, scm_fds(sv[1]));
		recv_rights(sv[1], 64, CTL_BIG, 0, &r);
		expect_msg(&r, "a", 1, 2, 0, CTL_BIG);
		close_fds(&r);
		ASSERT_EQ(3, scm_fds(sv[1]));
		/* Taken, then truncated away: gone from the count too. */
		recv_rights(sv[1], 64, NO_CTL, 0, &r);
		expect_msg(&r, "b", 1, 0, MSG_CTRUNC, NO_CTL);
		ASSERT_EQ(0, scm_fds(sv[1]));
		close(sv[0]);
		close(sv[1]);
	}

	for (i = 0; i < 2; i++) {
		TPATH(path, "l");
		l = __new_typed_listener(_metadata, self->family, types[i],
					 path, 4);
		ASSERT_EQ(0, scm_fds(l));
		c1 = __new_typed_client(_metadata, self->family, types[i],
					path);
		ASSERT_RET(1, send_fds(c1, two, 2, "a", 1));
		c2 = __new_typed_client(_metadata, self->family, types[i],
					path);
		ASSERT_RET(1, send_fds(c2, three, 3, "b", 1));
		ASSERT_RET(1, send_fds(c2, two, 2, "c", 1));
		ASSERT_EQ(7, scm_fds(l)) {
			TH_LOG("type %d", types[i]);
		}
		s1 = accept_ok(l);
		ASSERT_EQ(2, scm_fds(s1));
		ASSERT_EQ(5, scm_fds(l));
		s2 = accept_ok(l);
		ASSERT_EQ(5, scm_fds(s2));
		ASSERT_EQ(0, scm_fds(l));
		close(c1);
		close(c2);
		close(s1);
		close(s2);
		close(l);
		unlink(path);
	}
	close(p[1]);
	ASSERT_PIPE_EOF(p[0]);
	close(p[0]);
}

TEST_HARNESS_MAIN
