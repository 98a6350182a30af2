// SPDX-License-Identifier: GPL-2.0
/*
 * In-flight file descriptors and the family's garbage collector,
 * differential: the same assertions against AF_UNIX (native) and punix.
 *
 * A socket whose fd is in flight (sent with SCM_RIGHTS and not yet
 * received) is kept alive by the message carrying it.  When the only
 * references left to a group of sockets are such messages in the group's
 * own queues (a cycle), nothing can ever receive them: the family's
 * collector must find and free them.  Everything a user still holds, or
 * can still reach by receiving, must stay.
 *
 * The measure is the "sockets" column of /proc/net/protocols ("UNIX" and
 * "UNIX-STREAM" for AF_UNIX, "PUNIX" and "PUNIX-STREAM" for punix), which
 * counts a sock from its allocation to its destruction, per network
 * namespace.  Every test runs in a fresh network namespace, so the counts
 * start at 0 and are the test's own.
 *
 * When the collector runs (AF_UNIX, net/unix/af_unix.c and garbage.c):
 * unix_release_sock() queues the collector's work item whenever some unix
 * socket is in flight, i.e. on the release of any unix socket (a close of
 * an fd that was the last reference to its file); a sendmsg() also runs it
 * when very many sockets are in flight.  Closing the last user fd of a
 * socket that is itself in flight releases nothing (the message still
 * holds the file), so every test here ends a cycle by closing, last, a
 * socket that is not in flight: its release starts the collector.  The
 * collector then runs asynchronously, so the counts are polled (every
 * 5 ms, for at most GC_WAIT_MS) until they are back at their expected
 * value; both variants use the same helper and the same bound.  A socket
 * freed without the collector (its last reference dropped by a close) is
 * gone when close() returns, and that is asserted at once.
 *
 * To show that the collector did run while a reachable structure stayed,
 * a "sentinel" (an unreachable cycle of two socks) is dropped next to it:
 * the counts settle at exactly the reachable structure once the sentinel
 * is collected, and the structure's messages and fds are then received and
 * used.
 *
 * Tests that mix families (OTHER_FAMILY: punix for the native variant,
 * AF_UNIX for the punix variant) need the module in both variants.
 *
 * The stress tests (about GC_STRESS_SECONDS each) repeat the races behind
 * the af_unix collector bugs of recent years and check that every call
 * fails only with its expected errno, that data and fds arrive exactly,
 * and that every sock is freed in the end.  They use stress_util.h (shared
 * failure record, errno sets, the punix delete_module() thread).
 */
#include "stress_util.h"
#include "msg_util.h"

#include <sys/resource.h>

PUNIX_FIXTURE(gc);

/* How long the counts may take to settle after a collector run starts. */
#define GC_WAIT_MS		5000

/* The socket type of the pass running, for failure messages. */
static const char *gc_type_name = "";

/* Wall time of one stress test, PUNIX_GC_SECONDS (default 3). */
static inline int gc_stress_seconds(void)
{
	const char *s = getenv("PUNIX_GC_SECONDS");
	long v = s ? strtol(s, NULL, 10) : 3;

	return v < 1 ? 1 : v > 60 ? 60 : (int)v;
}

#define GC_MAX_FDS		8

/* ------------------------------------------------------------------------
 * SCM_RIGHTS, without assertions (the stress workers use these too).
 */

/* sendmsg() of @len bytes of @buf with @nfds fds; MSG_NOSIGNAL added. */
static ssize_t send_fds(int via, const int *fds, int nfds, const void *buf,
			size_t len, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(via, &msg, flags | MSG_NOSIGNAL);
}

/*
 * One recvmsg() (never blocking) of up to @len bytes: the fds received
 * land in @fds (at most @max, the others are closed), their number in
 * *@nfds, the output msg_flags in *@mflags.
 */
static ssize_t recv_fds(int fd, void *buf, size_t len, int flags, int *fds,
			int max, int *nfds, int *mflags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * GC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int i, k;

	*nfds = 0;
	*mflags = 0;
	n = recvmsg(fd, &msg, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	*mflags = msg.msg_flags;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int got;

			memcpy(&got, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(got));
			if (*nfds < max)
				fds[(*nfds)++] = got;
			else
				close(got);
		}
	}
	return n;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* Socket count of @family in this network namespace (-1: not listed). */
static long socks_of(int family)
{
	return proto_sockets(family != AF_UNIX);
}

/* Poll the count of @family until it is @want, for at most @ms. */
static long wait_socks(int family, long want, long ms)
{
	long end = now_ms() + ms;
	long n;

	for (;;) {
		n = socks_of(family);
		if (n == want || now_ms() >= end)
			return n;
		sleep_ms(5);
	}
}

/* ------------------------------------------------------------------------
 * Assertion helpers for the test process.
 */

/* The count of @fam is @want now (no collector involved). */
#define ASSERT_SOCKS_OF(fam, want) do {					\
	long __w = (want), __n = socks_of(fam);				\
	ASSERT_EQ(__w, __n) {						\
		TH_LOG("[%s] %s socks: %ld, wanted %ld", gc_type_name,	\
		       (fam) == AF_UNIX ? "unix" : "punix", __n, __w);	\
	}								\
} while (0)
#define ASSERT_SOCKS(want) ASSERT_SOCKS_OF(self->family, (want))

/*
 * The count of @fam reaches @want within @ms (GC_WAIT_MS): the collector
 * runs in a work item, and the files it drops are released by the
 * kernel's delayed fput work after it.
 */
#define ASSERT_SOCKS_SETTLE_WITHIN(fam, want, ms) do {			\
	long __w = (want), __n = wait_socks((fam), __w, (ms));		\
	ASSERT_EQ(__w, __n) {						\
		TH_LOG("[%s] %s socks: %ld after %d ms, wanted %ld (%s)", \
		       gc_type_name,					\
		       (fam) == AF_UNIX ? "unix" : "punix", __n,	\
		       (int)(ms), __w, __n > __w ?			\
		       "garbage not collected" :			\
		       "reachable socks freed");			\
	}								\
} while (0)
#define ASSERT_SOCKS_SETTLE_OF(fam, want) \
	ASSERT_SOCKS_SETTLE_WITHIN((fam), (want), GC_WAIT_MS)
#define ASSERT_SOCKS_SETTLE(want) ASSERT_SOCKS_SETTLE_OF(self->family, (want))

/* A fresh network namespace: the counts below are this test's alone. */
static void __gc_begin(struct __test_metadata *_metadata, int family)
{
	long n;

	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s (run as root)",
		       strerror(errno));
	}
	n = socks_of(family);
	ASSERT_EQ(0, n) {
		TH_LOG("%ld socks in a fresh network namespace (-1: no row in /proc/net/protocols)",
		       n);
	}
}
#define gc_begin() __gc_begin(_metadata, self->family)

static void __pair(struct __test_metadata *_metadata, int family, int type,
		   int *a, int *b)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(family, type, 0, sv)) {
		TH_LOG("socketpair(%d, %d): %s", family, type,
		       strerror(errno));
	}
	*a = sv[0];
	*b = sv[1];
}
#define pair_of(fam, type, a, b) __pair(_metadata, (fam), (type), (a), (b))
#define pair(type, a, b) pair_of(self->family, (type), (a), (b))

/* Send @fd with the bytes of @tag over @via; must succeed whole. */
static void __sendfd(struct __test_metadata *_metadata, int via, int fd,
		     const char *tag)
{
	size_t len = strlen(tag);
	ssize_t n = send_fds(via, &fd, 1, tag, len, 0);

	ASSERT_EQ((ssize_t)len, n) {
		TH_LOG("[%s] sendmsg(\"%s\" + SCM_RIGHTS): %s", gc_type_name, tag,
		       n < 0 ? strerror(errno) : "short");
	}
}
#define sendfd(via, fd, tag) __sendfd(_metadata, (via), (fd), (tag))

/*
 * Receive exactly the message @tag with exactly one fd (MSG_PEEK in
 * @flags peeks: the fd is then a new dup); returns the fd.
 */
static int __recvfd(struct __test_metadata *_metadata, int fd,
		    const char *tag, int flags)
{
	size_t len = strlen(tag);
	int fds[GC_MAX_FDS], nfds, mflags;
	char buf[64];
	ssize_t n;

	memset(buf, 0, sizeof(buf));
	n = recv_fds(fd, buf, len, flags, fds, GC_MAX_FDS, &nfds, &mflags);
	ASSERT_EQ((ssize_t)len, n) {
		TH_LOG("[%s] recvmsg(\"%s\"%s): %s", gc_type_name, tag,
		       flags & MSG_PEEK ? ", MSG_PEEK" : "",
		       n < 0 ? strerror(errno) : "short or empty");
	}
	ASSERT_EQ(0, memcmp(buf, tag, len)) {
		TH_LOG("received \"%.*s\", wanted \"%s\"", (int)len, buf, tag);
	}
	ASSERT_EQ(0, mflags & (MSG_CTRUNC | MSG_TRUNC));
	ASSERT_EQ(1, nfds);
	ASSERT_LE(0, fds[0]);
	return fds[0];
}
#define recvfd(fd, tag) __recvfd(_metadata, (fd), (tag), 0)
#define peekfd(fd, tag) __recvfd(_metadata, (fd), (tag), MSG_PEEK)

/* Bytes of @msg from @from arrive at @to, exactly. */
static void __ping(struct __test_metadata *_metadata, int from, int to,
		   const char *msg)
{
	size_t len = strlen(msg);
	char buf[64];

	ASSERT_RET(len, send(from, msg, len, MSG_NOSIGNAL));
	memset(buf, 0, sizeof(buf));
	ASSERT_RET(len, recv(to, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, msg, len));
}
#define ping(from, to, msg) __ping(_metadata, (from), (to), (msg))

#define ASSERT_SAME_SOCK(a, b) do {					\
	ino_t __ia = fd_ino(a), __ib = fd_ino(b);			\
	ASSERT_NE((ino_t)0, __ia);						\
	ASSERT_EQ(__ia, __ib);						\
} while (0)

/*
 * A sentinel: an unreachable cycle of two socks of @family (a socket in
 * its own receive queue, and its peer).  Closing the peer, last, starts
 * the collector; once the count has dropped by these two, a collector run
 * has seen everything else that was in flight.
 */
static void __sentinel(struct __test_metadata *_metadata, int family)
{
	int g0, g1;

	pair_of(family, SOCK_DGRAM, &g0, &g1);
	sendfd(g1, g0, "g");
	ASSERT_EQ(0, close(g0));
	ASSERT_EQ(0, close(g1));
}
#define sentinel() __sentinel(_metadata, self->family)

/*
 * One TEST_F() per shape, run for each of the @ntypes first socket types
 * of stress_types[] (stream, seqpacket, dgram) in turn, in one network
 * namespace: each body ends with every sock freed.  A failure names the
 * type (gc_type_name, in the count and message logs).  The program
 * runs in the 300 s of the bench also on the debug kernel: a test (fork,
 * network namespace) costs about 1.5 s there under emulation.
 */
#define __GC_TEST_TYPES(name, ntypes)					\
static void name(struct __test_metadata *_metadata,			\
		 FIXTURE_DATA(gc) *self, int type);			\
TEST_F(gc, name)							\
{									\
	int __i;							\
									\
	gc_begin();							\
	for (__i = 0; __i < (ntypes); __i++) {				\
		gc_type_name = type_name(stress_types[__i]);		\
		name(_metadata, self, stress_types[__i]);		\
	}								\
}									\
static void name(struct __test_metadata *_metadata,			\
		 FIXTURE_DATA(gc) *self, int type)
#define GC_TEST_TYPES(name)	 __GC_TEST_TYPES(name, 3)
#define GC_TEST_CONN_TYPES(name) __GC_TEST_TYPES(name, 2)

/* "<self->dir>/<name>-<type>": each type's pass its own names. */
#define TTPATH(buf, name) \
	snprintf((buf), sizeof(buf), "%s/%s-%d", self->dir, (name), type)

/* ------------------------------------------------------------------------
 * Cycle shapes.
 */

/*
 * A socket sent over itself: a's fd travels from b into a's own receive
 * queue.  After close(a) only that message holds a; close(b) releases b,
 * which starts the collector: both socks go (b was kept by a's peer
 * reference and by the message it sent).
 */
GC_TEST_TYPES(self_cycle)
{
	int a, b;

	pair(type, &a, &b);
	sendfd(b, a, "A");
	ASSERT_SOCKS(2);
	ASSERT_EQ(0, close(a));
	ASSERT_EQ(0, close(b));
	ASSERT_SOCKS_SETTLE(0);
}

/*
 * Two sockets sent over each other: x0 in y0's queue, y0 in x0's.  The
 * peers x1 and y1 reach nothing.  Closing x1 (released) collects x0 and
 * y0 (and x1, which x0 kept); y1 stays, held by the user, and so does
 * y0's sock (released, but y1's peer reference keeps it) until y1 is
 * closed.  The count can read 2 while y0's release is still pending (the
 * collector's files are released by the delayed fput work, x0's and
 * y0's in either order), so the last step waits too.
 */
GC_TEST_TYPES(pair_cycle)
{
	int x0, x1, y0, y1;

	pair(type, &x0, &x1);
	pair(type, &y0, &y1);
	sendfd(y1, x0, "x");
	sendfd(x1, y0, "y");
	ASSERT_SOCKS(4);
	ASSERT_EQ(0, close(x0));
	ASSERT_EQ(0, close(y0));
	ASSERT_EQ(0, close(x1));
	ASSERT_SOCKS_SETTLE(2);
	ASSERT_EQ(0, close(y1));
	/* y0's release (delayed fput) may still hold y1. */
	ASSERT_SOCKS_SETTLE(0);
}

/*
 * A listener's unaccepted connection carrying the listener: the client
 * sends the listener's fd, which lands in the embryo's queue (in the
 * listener's own backlog).  First with the client closed last (its release
 * starts the collector); then with the client kept: a close elsewhere
 * starts the collector, the listener and the embryo go, and the client
 * sees the connection reset (ECONNRESET once, then EOF).
 */
GC_TEST_CONN_TYPES(listener_cycle)
{
	char path[96], buf[8];
	int l, c, g0, g1;

	TTPATH(path, "l1");
	l = new_typed_listener(type, path, 4);
	c = new_typed_client(type, path);
	sendfd(c, l, "L");
	ASSERT_SOCKS(3);
	ASSERT_EQ(0, close(l));
	ASSERT_EQ(0, close(c));
	ASSERT_SOCKS_SETTLE(0);

	TTPATH(path, "l2");
	l = new_typed_listener(type, path, 4);
	c = new_typed_client(type, path);
	sendfd(c, l, "L");
	ASSERT_EQ(0, close(l));
	/* An unrelated release starts the collector. */
	pair(SOCK_STREAM, &g0, &g1);
	ASSERT_EQ(0, close(g0));
	ASSERT_EQ(0, close(g1));
	ASSERT_SOCKS_SETTLE(2);
	ASSERT_ERRNO(ECONNRESET, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_RET(0, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(ECONNREFUSED, connect_path(g0 = new_typed(type),
						self->family, path));
	ASSERT_EQ(0, close(g0));
	ASSERT_EQ(0, close(c));
	ASSERT_SOCKS(0);
}

/*
 * A ring of @n sockets: x[i] in x[i+1]'s queue, x[n-1] in x[0]'s, all
 * pairs of @type (-1: stream, seqpacket and dgram in turn).  Built one
 * pair at a time; every sock stays until the ring is closed, then y0's
 * release starts the collector.
 */
#define RING_MAX	200

static void __ring(struct __test_metadata *_metadata, int family, int type,
		   int n)
{
	int x0, y0, prev, x, i;
	int ys[RING_MAX];

	ASSERT_GE(RING_MAX, n);
	pair_of(family, type < 0 ? stress_types[0] : type, &x0, &y0);
	prev = x0;
	for (i = 1; i < n; i++) {
		pair_of(family, type < 0 ? stress_types[i % 3] : type, &x,
			&ys[i]);
		sendfd(ys[i], prev, "r");
		if (prev != x0)
			ASSERT_EQ(0, close(prev));
		prev = x;
	}
	/* Each release starts the collector: let those runs coalesce. */
	for (i = 1; i < n; i++)
		ASSERT_EQ(0, close(ys[i]));
	sendfd(y0, prev, "r");
	/* x0 and prev are held: the whole ring is reachable. */
	ASSERT_SOCKS_OF(family, 2 * n);
	ASSERT_EQ(0, close(prev));
	ASSERT_EQ(0, close(x0));
	ASSERT_EQ(0, close(y0));
	ASSERT_SOCKS_SETTLE_OF(family, 0);
}

GC_TEST_TYPES(ring3)
{
	__ring(_metadata, self->family, type, 3);
}

TEST_F(gc, ring200)
{
	gc_begin();
	__ring(_metadata, self->family, -1, RING_MAX);
}

/*
 * A chain 1000 deep: x[i] in x[i+1]'s queue, the top x[999] held, the
 * levels stream, seqpacket and dgram pairs in turn (the depth is what
 * matters here; each type has its own rings above).  All of it is
 * reachable, so the collector runs started by the peers' releases and by
 * the sentinel free none of it, and the top messages can still be peeked;
 * each run walks the chain to its full depth.  Returns the top, *y0 is
 * x[0]'s peer (open).
 */
#define CHAIN_DEPTH	1000

/*
 * The only tests with more than PUNIX_WATCHDOG.  Measured on the debug
 * kernel under emulation with the machine busy: building and checking the
 * chain 8 to 13 s, the releases of chain1000_close's close() 12 s for
 * AF_UNIX and 29 s for punix (0.2 to 0.9 s and 55/256 ms on the Debian
 * kernels).  A hang still ends here.
 */
#define GC_CHAIN_WATCHDOG	60
/* and 2000 socks freed: 20 s for the collector and the releases after it */
#define GC_CHAIN_WAIT_MS	20000

static int __chain(struct __test_metadata *_metadata, int family, int n,
		   int *y0)
{
	struct rlimit rl = { .rlim_cur = 4096, .rlim_max = 4096 };
	int x0, prev, x, d1, d2, i;
	long t0 = now_ms(), t1;
	int ys[CHAIN_DEPTH];

	ASSERT_GE(CHAIN_DEPTH, n);
	/* The peers stay open until the chain is built (see below). */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	pair_of(family, stress_types[0], &x0, y0);
	prev = x0;
	for (i = 1; i < n; i++) {
		pair_of(family, stress_types[i % 3], &x, &ys[i]);
		sendfd(ys[i], prev, "c");
		ASSERT_EQ(0, close(prev));
		prev = x;
	}
	t1 = now_ms();
	/*
	 * Each release starts the collector, which walks the whole chain:
	 * closing the peers in a row lets those runs coalesce.
	 */
	for (i = 1; i < n; i++)
		ASSERT_EQ(0, close(ys[i]));
	ASSERT_SOCKS_OF(family, 2 * n);
	TH_LOG("chain of %d built in %ld ms, peers closed in %ld ms", n,
	       t1 - t0, now_ms() - t1);
	__sentinel(_metadata, family);
	ASSERT_SOCKS_SETTLE_OF(family, 2 * n);
	d1 = peekfd(prev, "c");
	d2 = peekfd(d1, "c");
	ASSERT_EQ(0, close(d2));
	ASSERT_EQ(0, close(d1));
	ASSERT_SOCKS_OF(family, 2 * n);
	TH_LOG("chain of %d checked after %ld ms", n, now_ms() - t0);
	return prev;
}

/*
 * The chain closed into a ring (the top put in x[0]'s queue) and dropped:
 * the collector frees 1000 sockets in one strongly connected component,
 * found by a walk 1000 deep, which must not recurse without bound.
 */
TEST_F_TIMEOUT(gc, chain1000_ring, 90)
{
	int top, y0;

	alarm(GC_CHAIN_WATCHDOG);
	gc_begin();
	top = __chain(_metadata, self->family, CHAIN_DEPTH, &y0);
	sendfd(y0, top, "t");
	ASSERT_EQ(0, close(top));
	ASSERT_EQ(0, close(y0));
	ASSERT_SOCKS_SETTLE_WITHIN(self->family, 0, GC_CHAIN_WAIT_MS);
}

/*
 * The chain dropped by closing its top (no cycle): the top's release
 * drops its queue, that releases x[998], and so on down 1000 levels, all
 * before close() returns (the fput()s of a task run at its return to user
 * space), without recursing 1000 deep.  (Had the collector released the
 * top, each level would wait for the kernel's delayed fput work, a jiffy
 * apiece, seconds in all.)
 */
TEST_F_TIMEOUT(gc, chain1000_close, 90)
{
	int top, y0;
	long t0;

	alarm(GC_CHAIN_WATCHDOG);
	gc_begin();
	top = __chain(_metadata, self->family, CHAIN_DEPTH, &y0);
	ASSERT_EQ(0, close(y0));
	ASSERT_SOCKS(2 * CHAIN_DEPTH);
	t0 = now_ms();
	ASSERT_EQ(0, close(top));
	ASSERT_SOCKS(0);
	TH_LOG("close() of the top freed the chain in %ld ms", now_ms() - t0);
}

/*
 * A cycle whose fd was also peeked: MSG_PEEK installs a new fd (a dup)
 * every time.  With the dups closed the cycle is garbage again.  Then a
 * dup kept: the cycle is reachable, a collector run leaves it, and the
 * message is then received for real, with the same socket in it.
 */
GC_TEST_TYPES(peek_cycle)
{
	int a, b, d1, d2, d3;

	pair(type, &a, &b);
	sendfd(b, a, "A");
	d1 = peekfd(a, "A");
	d2 = peekfd(a, "A");
	ASSERT_SAME_SOCK(a, d1);
	ASSERT_SAME_SOCK(a, d2);
	ASSERT_NE(d1, d2);
	ASSERT_EQ(0, close(d1));
	ASSERT_EQ(0, close(d2));
	ASSERT_EQ(0, close(a));
	ASSERT_EQ(0, close(b));
	ASSERT_SOCKS_SETTLE(0);

	pair(type, &a, &b);
	sendfd(b, a, "A");
	d1 = peekfd(a, "A");
	ASSERT_EQ(0, close(a));
	ASSERT_EQ(0, close(b));
	sentinel();
	ASSERT_SOCKS_SETTLE(2);
	d2 = peekfd(d1, "A");
	ASSERT_EQ(0, close(d2));
	d3 = recvfd(d1, "A");
	ASSERT_SAME_SOCK(d1, d3);
	ASSERT_EQ(0, close(d1));
	ASSERT_SOCKS(2);
	/* Nothing in flight any more: the last close frees both at once. */
	ASSERT_EQ(0, close(d3));
	ASSERT_SOCKS(0);
}

/*
 * A cycle with connections made and closed around it: the listener l is
 * in v0's queue, v0 in the queue of c1's embryo (so, for the collector,
 * behind l); c2 connects while l is still held, c1 is closed before the
 * cycle is.  When the collector frees the cycle it releases the listener
 * and both embryos: c2 sees ECONNRESET, then EOF, EPIPE on send, and the
 * path refuses connections.  c2 and its embryo (kept by c2's peer
 * reference) are what is left.
 */
GC_TEST_CONN_TYPES(connect_cycle)
{
	int l, v0, v1, c1, c2, c3;
	char path[96], buf[8];

	TTPATH(path, "l");
	l = new_typed_listener(type, path, 4);
	pair(type, &v0, &v1);
	sendfd(v1, l, "L");
	c1 = new_typed_client(type, path);
	sendfd(c1, v0, "V");
	c2 = new_typed_client(type, path);
	ASSERT_EQ(0, close(c1));
	/* l, v0, v1, c1 (kept by its embryo), embryo 1, c2, embryo 2 */
	ASSERT_SOCKS(7);
	ASSERT_EQ(0, close(l));
	ASSERT_EQ(0, close(v0));
	ASSERT_EQ(0, close(v1));
	ASSERT_SOCKS_SETTLE(2);
	ASSERT_ERRNO(ECONNRESET, recv(c2, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_RET(0, recv(c2, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_ERRNO(EPIPE, send(c2, "x", 1, MSG_NOSIGNAL));
	c3 = new_typed(type);
	ASSERT_ERRNO(ECONNREFUSED, connect_path(c3, self->family, path));
	ASSERT_EQ(0, close(c3));
	ASSERT_EQ(0, close(c2));
	ASSERT_SOCKS(0);
}

/* ------------------------------------------------------------------------
 * Reachable structures are not freed.
 */

/*
 * s0 is in its own queue (a cycle) and in h0's queue; t0 is in its own
 * queue and in s0's, and a pipe's write end in t0's; h0 is held, so all
 * of it is reachable (t0 through s0, two levels down).  The sentinel's
 * collector run must leave all six socks and every message: s0 is
 * received from h0, s0's own message and t0 from s0, t0's own message and
 * the pipe from t0 (whose reader saw no EOF), and s0 and t0 carry data
 * both ways with their peers.
 */
GC_TEST_TYPES(reachable_inflight)
{
	int h0, h1, s0, s1, t0, t1, r1, r2, r3, r4, p[2], pw;
	char buf[8];

	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	pair(type, &h0, &h1);
	pair(type, &s0, &s1);
	pair(type, &t0, &t1);
	sendfd(t1, t0, "U");
	sendfd(t1, p[1], "W");
	sendfd(s1, s0, "S");
	sendfd(s1, t0, "T");
	sendfd(h1, s0, "H");
	ASSERT_EQ(0, close(p[1]));
	ASSERT_EQ(0, close(s0));
	ASSERT_EQ(0, close(t0));
	ASSERT_EQ(0, close(h1));
	sentinel();
	ASSERT_SOCKS_SETTLE(6);
	ASSERT_ERRNO(EAGAIN, read(p[0], buf, sizeof(buf)));
	r1 = recvfd(h0, "H");
	r2 = recvfd(r1, "S");
	r3 = recvfd(r1, "T");
	r4 = recvfd(r3, "U");
	pw = recvfd(r3, "W");
	ASSERT_SAME_SOCK(r1, r2);
	ASSERT_SAME_SOCK(r3, r4);
	ASSERT_RET(2, write(pw, "ok", 2));
	ASSERT_RET(2, read(p[0], buf, sizeof(buf)));
	ping(s1, r1, "ping");
	ping(r2, s1, "pong");
	ping(t1, r3, "ping");
	ping(r3, t1, "pong");
	ASSERT_EQ(0, close(r1));
	ASSERT_EQ(0, close(r2));
	ASSERT_EQ(0, close(r3));
	ASSERT_EQ(0, close(r4));
	ASSERT_EQ(0, close(pw));
	ASSERT_EQ(0, close(p[0]));
	ASSERT_EQ(0, close(s1));
	ASSERT_EQ(0, close(t1));
	ASSERT_EQ(0, close(h0));
	ASSERT_SOCKS(0);
}

/*
 * The listener l is in v0's queue and v0 in an embryo's queue, l still
 * held: all reachable.  After the sentinel's collector run, accept the
 * embryo, receive v0 from it and l from v0, close the original l and use
 * the received one: a new client connects and is accepted through it.
 */
GC_TEST_CONN_TYPES(reachable_listener)
{
	int l, c, v0, v1, e, rv, rl, c2, a2;
	char path[96];

	TTPATH(path, "l");
	l = new_typed_listener(type, path, 4);
	c = new_typed_client(type, path);
	pair(type, &v0, &v1);
	sendfd(v1, l, "L");
	sendfd(c, v0, "V");
	ASSERT_EQ(0, close(v0));
	ASSERT_EQ(0, close(v1));
	sentinel();
	/* l, c, embryo, v0, v1 */
	ASSERT_SOCKS_SETTLE(5);
	e = accept_ok(l);
	rv = recvfd(e, "V");
	rl = recvfd(rv, "L");
	ASSERT_SAME_SOCK(l, rl);
	ASSERT_EQ(0, close(l));
	c2 = new_typed_client(type, path);
	a2 = accept_ok(rl);
	ping(c2, a2, "hello");
	ping(a2, c2, "back");
	ping(c, e, "old");
	ASSERT_EQ(0, close(a2));
	ASSERT_EQ(0, close(c2));
	ASSERT_EQ(0, close(rl));
	ASSERT_EQ(0, close(rv));
	ASSERT_EQ(0, close(e));
	ASSERT_EQ(0, close(c));
	ASSERT_SOCKS(0);
}

/* ------------------------------------------------------------------------
 * Not a cycle: the fds in unread messages go with the socket's close.
 */

/*
 * A pipe's write end and a stream socket x0 in flight in a's queue: while
 * there, the pipe has a writer and x0's peer no EOF.  close(a) drops the
 * messages at once: the pipe reader sees EOF and x1 sees EOF when close()
 * returns.  Then every sock is freed by its close, none by the collector.
 */
GC_TEST_TYPES(closed_releases_inflight)
{
	int a, b, x0, x1, p[2];
	char buf[8];

	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	pair(type, &a, &b);
	pair(SOCK_STREAM, &x0, &x1);
	sendfd(b, p[1], "P");
	sendfd(b, x0, "X");
	ASSERT_EQ(0, close(p[1]));
	ASSERT_EQ(0, close(x0));
	ASSERT_ERRNO(EAGAIN, read(p[0], buf, sizeof(buf)));
	ASSERT_ERRNO(EAGAIN, recv(x1, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, close(a));
	ASSERT_RET(0, read(p[0], buf, sizeof(buf)));
	ASSERT_RET(0, recv(x1, buf, sizeof(buf), MSG_DONTWAIT));
	/* a (b's peer), b, x0 (x1's peer), x1 */
	ASSERT_SOCKS(4);
	ASSERT_EQ(0, close(x1));
	ASSERT_EQ(0, close(b));
	ASSERT_SOCKS(0);
	ASSERT_EQ(0, close(p[0]));
}

/* The same through a listener: its embryo's queue goes with it. */
GC_TEST_CONN_TYPES(closed_listener_releases_inflight)
{
	int l, c, p[2];
	char path[96], buf[8];

	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	TTPATH(path, "l");
	l = new_typed_listener(type, path, 4);
	c = new_typed_client(type, path);
	sendfd(c, p[1], "P");
	ASSERT_EQ(0, close(p[1]));
	ASSERT_ERRNO(EAGAIN, read(p[0], buf, sizeof(buf)));
	ASSERT_EQ(0, close(l));
	ASSERT_RET(0, read(p[0], buf, sizeof(buf)));
	ASSERT_ERRNO(ECONNRESET, recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, close(c));
	ASSERT_SOCKS(0);
	ASSERT_EQ(0, close(p[0]));
}

/* ------------------------------------------------------------------------
 * Mixed families.  Each family's collector sees only the messages of its
 * own sockets: AF_UNIX's counts an fd as a unix socket only when its
 * proto_ops family is PF_UNIX (unix_get_socket()), and it never looks into
 * a punix queue.
 */

/*
 * Not a cycle: a socket of the other family in flight in a closed socket
 * of this family is released by that close, and the reverse.
 */
TEST_F(gc, mixed_closed_releases_inflight)
{
	int other = OTHER_FAMILY(self->family);
	int a, b, o0, o1, x0, x1;
	char buf[8];

	gc_begin();
	ASSERT_SOCKS_OF(other, 0);
	pair(SOCK_STREAM, &a, &b);
	pair_of(other, SOCK_STREAM, &o0, &o1);
	sendfd(b, o0, "O");
	ASSERT_EQ(0, close(o0));
	ASSERT_ERRNO(EAGAIN, recv(o1, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, close(a));
	ASSERT_RET(0, recv(o1, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, close(b));
	ASSERT_EQ(0, close(o1));
	ASSERT_SOCKS(0);
	ASSERT_SOCKS_OF(other, 0);

	pair_of(other, SOCK_STREAM, &o0, &o1);
	pair(SOCK_STREAM, &x0, &x1);
	sendfd(o1, x0, "X");
	ASSERT_EQ(0, close(x0));
	ASSERT_ERRNO(EAGAIN, recv(x1, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, close(o0));
	ASSERT_RET(0, recv(x1, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, close(o1));
	ASSERT_EQ(0, close(x1));
	ASSERT_SOCKS(0);
	ASSERT_SOCKS_OF(other, 0);
}

/*
 * A reachable loop through both families: o0 (other family) in a's queue
 * and a in o0's queue, a held.  Both collectors run (a sentinel of each
 * family); nothing goes; o0 is received from a, a from o0, and both work.
 */
TEST_F(gc, mixed_reachable)
{
	int other = OTHER_FAMILY(self->family);
	int a, b, o0, o1, ro, ra;

	gc_begin();
	pair(SOCK_STREAM, &a, &b);
	pair_of(other, SOCK_STREAM, &o0, &o1);
	sendfd(b, o0, "O");
	sendfd(o1, a, "A");
	ASSERT_EQ(0, close(o0));
	sentinel();
	__sentinel(_metadata, other);
	ASSERT_SOCKS_SETTLE(2);
	ASSERT_SOCKS_SETTLE_OF(other, 2);
	ro = recvfd(a, "O");
	ra = recvfd(ro, "A");
	ASSERT_SAME_SOCK(a, ra);
	ping(o1, ro, "ping");
	ping(b, ra, "pong");
	ASSERT_EQ(0, close(ro));
	ASSERT_EQ(0, close(o1));
	ASSERT_EQ(0, close(ra));
	ASSERT_EQ(0, close(a));
	ASSERT_EQ(0, close(b));
	ASSERT_SOCKS(0);
	ASSERT_SOCKS_OF(other, 0);
}

/*
 * No test builds an unreachable cycle through both families (x0 of one
 * family in o0's queue, of the other family, and o0 in x0's queue, every
 * fd closed). Neither collector can free it: AF_UNIX's graph has no edge
 * for an fd sent through punix nor for a punix fd (not PF_UNIX), and
 * punix's cannot look into AF_UNIX queues. Tried by hand on 6.1, 6.12 and
 * the debug kernel: the four socks stay until the machine goes down, with
 * nothing in the kernel log, and the leaked punix socks keep the module in
 * use, so a test would fail the bench's rmmod for every later program
 * (the README says so). mixed_reachable above checks that the same shape
 * works while it is reachable, and is freed once it is opened up.
 */

/* ------------------------------------------------------------------------
 * Stress: the races behind the collector bugs of recent years.
 */

#define GC_STRESS_TEST(name) TEST_F_TIMEOUT(gc, name, 60)

struct gcw {
	struct stress *st;
	struct stress_shared *sh;
	int family;
	int id;
	uint64_t seed;
	void *ctx;
};

static int gc_nworkers(void)
{
	return 4;
}

static void gc_stress_begin(struct __test_metadata *_metadata,
			    struct stress *st, FIXTURE_DATA(gc) *self,
			    bool punix, const char *name)
{
	__stress_init(_metadata, st, self->family, punix, self->dir, name,
		      gc_stress_seconds(), true);
	st->sh->deadline = now_ms() + st->seconds * 1000L;
}

/*
 * After the workers: wait for the collector (every socket but the punix
 * anchor is closed), then the common checks of stress_end().
 */
static void __gc_stress_end(struct __test_metadata *_metadata,
			    struct stress *st, const char *const *names)
{
	char stats[256];
	long want, n;
	size_t off = 0;
	int i;

	stress_wait(st);
	stats[0] = '\0';
	for (i = 0; names[i] && off < sizeof(stats); i++)
		off += snprintf(stats + off, sizeof(stats) - off, " %s %ld",
				names[i], atomic_load(&st->sh->cnt[i]));
	TH_LOG("%s:%s", st->name, stats);
	/* The workers' time is over: the usual watchdog for the rest. */
	alarm(PUNIX_WATCHDOG);
	want = st->anchor >= 0 ? 1 : 0;
	n = wait_socks(st->family, want, GC_WAIT_MS);
	ASSERT_EQ(0, atomic_load(&st->sh->failed)) {
		TH_LOG("%s", atomic_load(&st->sh->msg_ready) ?
		       st->sh->msg : "?");
		TH_LOG("replay: PUNIX_STRESS_SEED=%llu", st->seed);
	}
	ASSERT_EQ(want, n) {
		TH_LOG("%ld socks left %d ms after the workers ended, wanted %ld",
		       n, GC_WAIT_MS, want);
	}
	/* Every situation the test is about did happen. */
	for (i = 0; names[i]; i++) {
		ASSERT_LT(0, atomic_load(&st->sh->cnt[i])) {
			TH_LOG("%s: no \"%s\" in %d s", st->name, names[i],
			       st->seconds);
		}
	}
	stress_end(st);
}
#define gc_stress_end(st, ...) \
	__gc_stress_end(_metadata, (st), (const char *const[]){ __VA_ARGS__, NULL })

/* In a worker: one message with one fd; ret as SC() (sfail on short). */
static long ssendfd(struct stress_shared *sh, const int *set,
		    const char *ctx, int via, int fd, const char *tag,
		    int flags)
{
	size_t len = strlen(tag);
	long r = SC(sh, set, ctx, send_fds(via, &fd, 1, tag, len, flags));

	if (r >= 0 && r != (long)len)
		sfail(sh, "%s: sendmsg returned %ld, wanted %zu", ctx, r, len);
	return r;
}

/* In a worker: the message @tag with one fd, exactly; the fd or -1. */
static int srecvfd(struct stress_shared *sh, const char *ctx, int fd,
		   const char *tag, int flags)
{
	size_t len = strlen(tag);
	int fds[GC_MAX_FDS], nfds, mflags, i;
	char buf[64];
	long r;

	memset(buf, 0, sizeof(buf));
	r = SC(sh, E_NONE, ctx,
	       recv_fds(fd, buf, len, flags, fds, GC_MAX_FDS, &nfds, &mflags));
	if (r < 0)
		return -1;
	if (r != (long)len || memcmp(buf, tag, len) || nfds != 1 ||
	    (mflags & (MSG_CTRUNC | MSG_TRUNC))) {
		sfail(sh, "%s: recvmsg got %ld bytes \"%.*s\", %d fds, flags %#x; wanted \"%s\" and 1 fd",
		      ctx, r, (int)(r > 0 ? r : 0), buf, nfds, mflags, tag);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return -1;
	}
	return fds[0];
}

static int spair(struct stress_shared *sh, const char *ctx, int family,
		 int type, int *a, int *b)
{
	int sv[2];

	if (SC(sh, E_NONE, ctx, socketpair(family, type, 0, sv)) < 0)
		return -1;
	*a = sv[0];
	*b = sv[1];
	return 0;
}

static void sclose(struct stress_shared *sh, const char *ctx, int fd)
{
	if (fd >= 0)
		SC(sh, E_NONE, ctx, close(fd));
}

/*
 * Churn: sockets made and closed all the time (every release starts the
 * collector while anything is in flight), half of them left behind as
 * garbage cycles (a socket in its own queue) for the collector to free.
 */
static void *gc_churn(void *arg)
{
	struct gcw *w = arg;
	struct stress_shared *sh = w->sh;
	struct rng r;
	int a, b;

	rng_init(&r, w->seed, 0xc0de + w->id);
	while (stress_running(sh)) {
		int type = stress_types[rng_below(&r, 3)];

		if (spair(sh, "churn", w->family, type, &a, &b))
			break;
		if (rng_one_in(&r, 2))
			ssendfd(sh, E_NONE, "churn: self", b, a, "g", 0);
		sclose(sh, "churn", a);
		sclose(sh, "churn", b);
	}
	return NULL;
}

static void gc_start_churn(struct stress *st, struct gcw *w, int id)
{
	w->st = st;
	w->sh = st->sh;
	w->family = st->family;
	w->id = id;
	w->seed = st->seed;
	stress_thread(st, gc_churn, w);
}

/*
 * CVE-2021-0920 (the collector vs MSG_PEEK): c0 and d0 are in each
 * other's queues and c0 also in r0's; r0 is held, so all of it is
 * reachable.  Each worker peeks down the structure again and again (every
 * peek installs new fds, raising the counts the collector compares) while
 * the churn threads and the other workers keep the collector running;
 * every peek must find exactly its message and fd, i.e. nothing reachable
 * was collected.  Then r0 is closed and the structure becomes garbage.
 */
static void *peek_worker(void *arg)
{
	struct gcw *w = arg;
	struct stress_shared *sh = w->sh;
	int r0, r1, c0, c1, d0, d1, k, n, p1, p2, p3;
	struct rng r;

	rng_init(&r, w->seed, 0x9ee + w->id);
	while (stress_running(sh)) {
		int type = stress_types[rng_below(&r, 3)];

		if (spair(sh, "peek", w->family, SOCK_STREAM, &r0, &r1))
			break;
		if (spair(sh, "peek", w->family, type, &c0, &c1) ||
		    spair(sh, "peek", w->family, type, &d0, &d1))
			break;
		ssendfd(sh, E_NONE, "peek: c0 to d0", d1, c0, "c", 0);
		ssendfd(sh, E_NONE, "peek: d0 to c0", c1, d0, "d", 0);
		ssendfd(sh, E_NONE, "peek: c0 to r0", r1, c0, "r", 0);
		sclose(sh, "peek", c0);
		sclose(sh, "peek", c1);
		sclose(sh, "peek", d0);
		sclose(sh, "peek", d1);
		sclose(sh, "peek", r1);
		n = 1 + rng_below(&r, 8);
		for (k = 0; k < n && !stress_stopped(sh); k++) {
			p1 = srecvfd(sh, "peek r0", r0, "r", MSG_PEEK);
			p2 = p1 < 0 ? -1 :
			     srecvfd(sh, "peek c0", p1, "d", MSG_PEEK);
			p3 = p2 < 0 ? -1 :
			     srecvfd(sh, "peek d0", p2, "c", MSG_PEEK);
			if (p3 >= 0 && fd_ino(p3) != fd_ino(p1))
				sfail(sh, "peek: c0 peeked from d0 is not the c0 peeked from r0");
			if (p3 >= 0)
				atomic_fetch_add(&sh->cnt[0], 1);
			sclose(sh, "peek", p3);
			sclose(sh, "peek", p2);
			sclose(sh, "peek", p1);
		}
		sclose(sh, "peek", r0);
		atomic_fetch_add(&sh->cnt[1], 1);
	}
	return NULL;
}

GC_STRESS_TEST(peek_race)
{
	struct gcw w[8];
	struct stress st;
	int i;

	gc_stress_begin(_metadata, &st, self, variant->punix, "peek_race");
	for (i = 0; i < 2; i++)
		gc_start_churn(&st, &w[i], i);
	for (i = 2; i < 2 + gc_nworkers(); i++) {
		w[i] = w[0];
		w[i].id = i;
		stress_thread(&st, peek_worker, &w[i]);
	}
	gc_stress_end(&st, "structures peeked", "structures dropped");
}

/*
 * CVE-2021-4083 (close() vs the fget() of a sendmsg(SCM_RIGHTS), with the
 * collector in between): in each lane one thread sends the fd number F
 * while the other closes F.  The socket behind F is in its own queue, so
 * once F is closed it is garbage.  Either the send took the file first (1
 * byte sent, and the socket received from the carrier is that very
 * socket) or it failed with EBADF.  F is a high fd number that nothing
 * else in the process uses.
 */
#define CLOSE_LANES	3
#define CLOSE_FD_BASE	900

struct close_lane {
	struct gcw w;
	pthread_barrier_t bar;
	atomic_int go;
	int fd;				/* F */
	ino_t ino;
};

static void *close_leader(void *arg)
{
	struct close_lane *ln = arg;
	struct stress_shared *sh = ln->w.sh;
	int x0, x1, k0, k1, got;
	struct rng r;
	long ret;

	rng_init(&r, ln->w.seed, 0xc105e + ln->w.id);
	for (;;) {
		int go = stress_running(sh);
		int type = stress_types[rng_below(&r, 3)];

		k0 = k1 = -1;
		if (go && (spair(sh, "close", ln->w.family, type, &x0, &x1) ||
			   spair(sh, "close", ln->w.family,
				 stress_types[rng_below(&r, 3)], &k0, &k1)))
			go = 0;
		if (go) {
			ssendfd(sh, E_NONE, "close: self", x1, x0, "x", 0);
			sclose(sh, "close", x1);
			if (SC(sh, E_NONE, "close: dup2",
			       dup2(x0, ln->fd)) < 0)
				go = 0;
			ln->ino = fd_ino(x0);
			sclose(sh, "close", x0);
		}
		atomic_store(&ln->go, go);
		pthread_barrier_wait(&ln->bar);
		if (!go) {
			sclose(sh, "close", k0);
			sclose(sh, "close", k1);
			break;
		}
		ret = ssendfd(sh, E(EBADF), "close: send F vs close(F)", k1,
			      ln->fd, "F", 0);
		pthread_barrier_wait(&ln->bar);
		atomic_fetch_add(&sh->cnt[ret > 0 ? 0 : 1], 1);
		if (ret > 0) {
			got = srecvfd(sh, "close: carrier", k0, "F", 0);
			if (got >= 0 && fd_ino(got) != ln->ino)
				sfail(sh, "close: the socket received is not the one F named");
			sclose(sh, "close", got);
		}
		sclose(sh, "close", k0);
		sclose(sh, "close", k1);
	}
	return NULL;
}

static void *close_follower(void *arg)
{
	struct close_lane *ln = arg;
	struct stress_shared *sh = ln->w.sh;

	for (;;) {
		pthread_barrier_wait(&ln->bar);
		if (!atomic_load(&ln->go))
			break;
		sclose(sh, "close: close(F) vs send", ln->fd);
		pthread_barrier_wait(&ln->bar);
	}
	return NULL;
}

GC_STRESS_TEST(close_race)
{
	struct close_lane lanes[CLOSE_LANES];
	struct gcw w[2];
	struct rlimit rl;
	struct stress st;
	int i;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_LT(CLOSE_FD_BASE + CLOSE_LANES, (long)rl.rlim_cur);
	gc_stress_begin(_metadata, &st, self, variant->punix, "close_race");
	for (i = 0; i < 2; i++)
		gc_start_churn(&st, &w[i], i);
	for (i = 0; i < CLOSE_LANES; i++) {
		lanes[i].w = w[0];
		lanes[i].w.id = 10 + i;
		lanes[i].fd = CLOSE_FD_BASE + i;
		atomic_store(&lanes[i].go, 1);
		pthread_barrier_init(&lanes[i].bar, NULL, 2);
		stress_thread(&st, close_leader, &lanes[i]);
		stress_thread(&st, close_follower, &lanes[i]);
	}
	gc_stress_end(&st, "sends first", "closes first");
	for (i = 0; i < CLOSE_LANES; i++)
		pthread_barrier_destroy(&lanes[i].bar);
}

/*
 * CVE-2023-4622 (splice into a socket vs the collector): two modes.
 *
 * Into: a is in its own queue and closed, so it is garbage although its
 * peer b is held and can still write into a's queue.  A pipe is spliced
 * into b, appending to a's queue, while the collector purges it; once a
 * is collected and released, b's writes fail with EPIPE (or ECONNRESET
 * when the release found data in a's queue).
 *
 * Out of: r0's queue holds records, some of them carrying c0 (which is
 * also in its own queue); r0 is spliced into a pipe (which drops the fds
 * of the records it consumes) while the collector runs: the bytes arrive
 * exactly and in order, and c0 becomes garbage when its last record is
 * consumed.
 */
static void splice_into(struct gcw *w, struct rng *r)
{
	struct stress_shared *sh = w->sh;
	int a, b, p[2], i;
	char buf[16];
	long n;

	memset(buf, 'z', sizeof(buf));
	if (spair(sh, "splice in", w->family, SOCK_STREAM | SOCK_NONBLOCK,
		  &a, &b))
		return;
	ssendfd(sh, E_NONE, "splice in: self", b, a, "A", 0);
	sclose(sh, "splice in", a);
	if (SC(sh, E_NONE, "splice in", pipe2(p, O_NONBLOCK)) < 0) {
		sclose(sh, "splice in", b);
		return;
	}
	for (i = 0; i < 64 && stress_running(sh); i++) {
		SC(sh, E(EAGAIN), "splice in: pipe", write(p[1], buf, 1 +
			rng_below(r, sizeof(buf))));
		n = SC(sh, E(EAGAIN, EPIPE, ECONNRESET),
		       "splice in: pipe to b",
		       splice(p[0], NULL, b, NULL, sizeof(buf),
			      SPLICE_F_NONBLOCK));
		if (n > 0)
			atomic_fetch_add(&sh->cnt[0], n);
		if (n < 0 && errno != EAGAIN) {
			atomic_fetch_add(&sh->cnt[1], 1);
			break;
		}
	}
	sclose(sh, "splice in", p[0]);
	sclose(sh, "splice in", p[1]);
	sclose(sh, "splice in", b);
}

#define SPLICE_RECS	16
#define SPLICE_REC	8

static void splice_out(struct gcw *w, struct rng *r)
{
	char want[SPLICE_RECS * SPLICE_REC + 1], got[sizeof(want)];
	struct stress_shared *sh = w->sh;
	int r0, r1, c0, c1, p[2], i, nrec;
	long n, total, done = 0, m;

	nrec = 1 + rng_below(r, SPLICE_RECS);
	for (i = 0; i < nrec; i++)
		snprintf(want + i * SPLICE_REC, SPLICE_REC + 1, "%08x",
			 (unsigned int)(w->id << 24 | i));
	total = nrec * SPLICE_REC;
	if (spair(sh, "splice out", w->family, SOCK_STREAM, &r0, &r1))
		return;
	if (spair(sh, "splice out", w->family,
		  stress_types[rng_below(r, 3)], &c0, &c1)) {
		sclose(sh, "splice out", r0);
		sclose(sh, "splice out", r1);
		return;
	}
	ssendfd(sh, E_NONE, "splice out: self", c1, c0, "c", 0);
	for (i = 0; i < nrec; i++) {
		char rec[SPLICE_REC + 1];

		memcpy(rec, want + i * SPLICE_REC, SPLICE_REC);
		rec[SPLICE_REC] = '\0';
		if (rng_one_in(r, 2))
			ssendfd(sh, E_NONE, "splice out: record + c0", r1, c0,
				rec, 0);
		else if (SC(sh, E_NONE, "splice out: record",
			    send(r1, rec, SPLICE_REC, 0)) != SPLICE_REC)
			sfail(sh, "splice out: short send");
	}
	sclose(sh, "splice out", c0);
	sclose(sh, "splice out", c1);
	sclose(sh, "splice out", r1);
	if (SC(sh, E_NONE, "splice out", pipe2(p, O_NONBLOCK)) < 0) {
		sclose(sh, "splice out", r0);
		return;
	}
	for (i = 0; done < total && i < 4 * SPLICE_RECS; i++) {
		n = SC(sh, E_NONE, "splice out: r0 to pipe",
		       splice(r0, NULL, p[1], NULL, total - done,
			      SPLICE_F_NONBLOCK));
		if (n <= 0)
			break;
		m = SC(sh, E_NONE, "splice out: read pipe",
		       read(p[0], got + done, n));
		if (m != n) {
			sfail(sh, "splice out: spliced %ld bytes, the pipe gave %ld",
			      n, m);
			break;
		}
		done += n;
		atomic_fetch_add(&sh->cnt[2], n);
	}
	if (!stress_stopped(sh) &&
	    (done != total || memcmp(got, want, total)))
		sfail(sh, "splice out: %ld of %ld bytes, %s", done, total,
		      done == total ? "different bytes" : "short");
	sclose(sh, "splice out", p[0]);
	sclose(sh, "splice out", p[1]);
	sclose(sh, "splice out", r0);
}

static void *splice_worker(void *arg)
{
	struct gcw *w = arg;
	struct rng r;

	rng_init(&r, w->seed, 0x5911 + w->id);
	while (stress_running(w->sh)) {
		if (rng_one_in(&r, 2))
			splice_into(w, &r);
		else
			splice_out(w, &r);
	}
	return NULL;
}

GC_STRESS_TEST(splice_race)
{
	struct gcw w[8];
	struct stress st;
	int i;

	gc_stress_begin(_metadata, &st, self, variant->punix, "splice_race");
	for (i = 0; i < 2; i++)
		gc_start_churn(&st, &w[i], i);
	for (i = 2; i < 2 + gc_nworkers(); i++) {
		w[i] = w[0];
		w[i].id = i;
		stress_thread(&st, splice_worker, &w[i]);
	}
	gc_stress_end(&st, "bytes spliced in", "collected under splice", "bytes spliced out");
}

/*
 * CVE-2024-26923 (the collector vs connect() to an embryo): each round a
 * listener l (abstract name of the round) is put in an unreachable cycle
 * (l in v0's queue, v0 in the queue of an embryo of l) and closed, and at
 * the same time connectors connect to l and send fds into their new
 * embryos (their own socket, or a garbage socket of their own), until l is
 * collected and the name refuses.  connect() succeeds, or fails with
 * ECONNREFUSED (l gone) or EAGAIN (backlog full); the send succeeds or
 * fails with EPIPE/ECONNRESET (embryo released) or EAGAIN.
 */
struct conn_race {
	struct gcw w;
	atomic_int round;
	atomic_int refused;		/* last round seen refusing */
};

static socklen_t conn_name(struct sockaddr_un *sun, int family, int round)
{
	char name[64];
	int n;

	n = snprintf(name, sizeof(name), "%cpunix-gc-%d-%d", 0,
		     (int)getpid(), round);
	return fill_abs(sun, family, name, n);
}

static int conn_type(int round)
{
	return round & 1 ? SOCK_SEQPACKET : SOCK_STREAM;
}

static void *conn_server(void *arg)
{
	struct conn_race *cr = arg;
	struct stress_shared *sh = cr->w.sh;
	int round, l, v0, v1, c;
	struct sockaddr_un sun;
	socklen_t len;
	long t;

	for (round = 1; stress_running(sh); round++) {
		int type = conn_type(round);

		len = conn_name(&sun, cr->w.family, round);
		l = SC(sh, E_NONE, "conn: listener",
		       socket(cr->w.family, type, 0));
		if (l < 0)
			break;
		if (SC(sh, E_NONE, "conn: bind",
		       bind(l, (struct sockaddr *)&sun, len)) < 0 ||
		    SC(sh, E_NONE, "conn: listen", listen(l, 16)) < 0 ||
		    spair(sh, "conn", cr->w.family, type, &v0, &v1)) {
			sclose(sh, "conn", l);
			break;
		}
		ssendfd(sh, E_NONE, "conn: l to v0", v1, l, "L", 0);
		c = SC(sh, E_NONE, "conn: client", socket(cr->w.family, type, 0));
		if (c >= 0 &&
		    SC(sh, E_NONE, "conn: connect",
		       connect(c, (struct sockaddr *)&sun, len)) == 0)
			ssendfd(sh, E_NONE, "conn: v0 to embryo", c, v0, "V",
				0);
		atomic_store(&cr->round, round);
		atomic_fetch_add(&sh->cnt[0], 1);
		sclose(sh, "conn", l);
		sclose(sh, "conn", v0);
		sclose(sh, "conn", v1);
		sclose(sh, "conn", c);
		/*
		 * Next round once the connectors found l gone (collected),
		 * or after 500 ms (the debug kernel's collector is slow).
		 */
		t = now_ms() + 500;
		while (atomic_load(&cr->refused) < round && now_ms() < t &&
		       stress_running(sh))
			sleep_ms(1);
	}
	return NULL;
}

static void *conn_client(void *arg)
{
	struct gcw *w = arg;
	struct conn_race *cr = w->ctx;
	struct stress_shared *sh = w->sh;
	int s, g0, g1, fd, round, type;
	struct sockaddr_un sun;
	struct rng r;
	socklen_t len;
	long ret;

	rng_init(&r, w->seed, 0xc0 + w->id);
	while (stress_running(sh)) {
		round = atomic_load(&cr->round);
		if (!round) {
			sleep_ms(1);
			continue;
		}
		type = conn_type(round);
		len = conn_name(&sun, w->family, round);
		s = SC(sh, E_NONE, "conn: connector",
		       socket(w->family, type | SOCK_NONBLOCK, 0));
		if (s < 0)
			break;
		ret = SC(sh, E(ECONNREFUSED, EAGAIN), "conn: connect to l",
			 connect(s, (struct sockaddr *)&sun, len));
		if (ret < 0) {
			if (errno == ECONNREFUSED &&
			    atomic_load(&cr->refused) < round) {
				atomic_store(&cr->refused, round);
				atomic_fetch_add(&sh->cnt[2], 1);
			}
			sclose(sh, "conn", s);
			continue;
		}
		/* Into the new embryo: s itself, or a garbage socket. */
		g0 = g1 = -1;
		fd = s;
		if (rng_one_in(&r, 2) &&
		    !spair(sh, "conn", w->family, stress_types[rng_below(&r, 3)],
			   &g0, &g1)) {
			ssendfd(sh, E_NONE, "conn: self", g1, g0, "g", 0);
			fd = g0;
		}
		atomic_fetch_add(&sh->cnt[1], 1);
		if (ssendfd(sh, E(EPIPE, ECONNRESET, EAGAIN),
			    "conn: fd to embryo", s, fd, "e", MSG_DONTWAIT) > 0)
			atomic_fetch_add(&sh->cnt[3], 1);
		sclose(sh, "conn", g0);
		sclose(sh, "conn", g1);
		sclose(sh, "conn", s);
	}
	return NULL;
}

GC_STRESS_TEST(connect_race)
{
	struct conn_race cr;
	struct gcw w[8];
	struct stress st;
	int i;

	gc_stress_begin(_metadata, &st, self, variant->punix, "connect_race");
	for (i = 0; i < 2; i++)
		gc_start_churn(&st, &w[i], i);
	cr.w = w[0];
	cr.w.id = 20;
	atomic_store(&cr.round, 0);
	atomic_store(&cr.refused, 0);
	stress_thread(&st, conn_server, &cr);
	for (i = 2; i < 2 + gc_nworkers(); i++) {
		w[i] = w[0];
		w[i].id = i;
		w[i].ctx = &cr;
		stress_thread(&st, conn_client, &w[i]);
	}
	gc_stress_end(&st, "rounds", "connected", "rounds refused", "fds into embryos");
}

TEST_HARNESS_MAIN
