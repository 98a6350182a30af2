/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory bounds, shared by bounds_test.c (every kernel: the counts and the
 * exact accounting) and memcg_test.c (kernels with memory cgroups: the
 * memory each fill pins, and a fill under a small memory.max).
 *
 * A fill runs as nobody in a child and tries to exceed one bound (send
 * buffers, max_dgram_qlen, RLIMIT_NOFILE for fds in flight, the backlog,
 * the file table for bound names): it reports how much it got in before
 * the refusal, and the sum of SO_MEMINFO's rmem_alloc and wmem_alloc over
 * the sockets it holds. It runs over AF_UNIX and then over the variant's
 * family, and:
 *
 *   - the counts (bytes, messages, fds, connections, names) are equal, and
 *     so are the SO_MEMINFO sums (the buffers charged);
 *   - the socks made are as many (/proc/net/protocols), and all are gone
 *     once the child exits;
 *   - with BOUNDS_MEMCG, the child is alone in a fresh memory cgroup
 *     (cgroup v2, mounted on a temporary directory if it is not mounted),
 *     whose memory.current the root parent reads before and after the
 *     fill: the family's growth is at most AF_UNIX's plus mem_slack()
 *     (below), and AF_UNIX's covers the data queued (the measure sees the
 *     buffers).
 *
 * The including file defines BOUNDS_MEMCG (0 or 1) and its fixture.
 */
#ifndef _PUNIX_BOUNDS_UTIL_H
#define _PUNIX_BOUNDS_UTIL_H

#include "msg_util.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/sock_diag.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO	55
#endif

#define CG_MNT	"/tmp/punix-cgroup2"

/* The mount point of cgroup v2 (mounted here if it is nowhere), or NULL. */
static inline const char *cg_root(void)
{
	static char root[256];
	char line[1024], dev[256], mnt[256], type[64];
	FILE *f;

	if (root[0])
		return root;
	f = fopen("/proc/mounts", "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %255s %63s", dev, mnt, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			strcpy(root, mnt);
			break;
		}
	}
	fclose(f);
	if (!root[0]) {
		mkdir(CG_MNT, 0755);
		if (mount("none", CG_MNT, "cgroup2", 0, NULL))
			return NULL;
		strcpy(root, CG_MNT);
	}
	/* Children get the memory controller (root is exempt of "no internal
	 * processes"). */
	snprintf(line, sizeof(line), "%s/cgroup.subtree_control", root);
	if (write_text(line, "+memory")) {
		root[0] = '\0';
		return NULL;
	}
	return root;
}

static inline int cg_write(const char *cg, const char *file, const char *val)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_text(path, val);
}

/* The value of @key in a "key value" file (memory.events), or the first
 * number of the file when @key is NULL (memory.current); -1 if none. */
static inline long cg_read(const char *cg, const char *file, const char *key)
{
	char path[640], buf[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!key)
		return strtol(buf, NULL, 10);
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t k = strlen(key);

		if (!strncmp(p, key, k) && p[k] == ' ')
			return strtol(p + k + 1, NULL, 10);
	}
	return -1;
}

/* A fresh cgroup under the v2 root: its path in @cg. */
static inline int cg_make(char *cg, size_t size)
{
	static int seq;
	const char *root = cg_root();

	if (!root)
		return -1;
	snprintf(cg, size, "%s/punix-bounds-%d-%d", root, (int)getpid(), seq++);
	return mkdir(cg, 0755);
}

/* Remove @cg once its last task is reaped (the removal can lag a little). */
static inline int cg_remove(const char *cg)
{
	for (int i = 0; i < 500; i++) {
		if (!rmdir(cg))
			return 0;
		if (errno != EBUSY)
			return -1;
		sleep_ms(10);
	}
	return -1;
}

/*
 * Memory cgroups charge kernel memory in batches of MEMCG_CHARGE_BATCH (64)
 * pages kept in a per-cpu stock: memory.current may be ahead of what is
 * used by up to 64 pages per cpu, at each of the two readings. The sock of
 * the family is no larger than AF_UNIX's (issue 9's memory target: a
 * static_assert in src/punix.h), so a fill that makes N socks may grow by
 * SOCK_SIZE_DIFF * N = 0 more. Nothing else is allowed.
 */
#define SOCK_SIZE_DIFF	0
static inline long mem_slack(long socks)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return 2 * 64 * sysconf(_SC_PAGESIZE) * (cpus > 0 ? cpus : 1) +
	       SOCK_SIZE_DIFF * socks;
}

struct fill {
	int family;
	long nofile;		/* RLIMIT_NOFILE of the child, 0: unchanged */
	long arg;
};

/* What a fill reports: its count, and the data bytes it queued. */
struct fill_res {
	long count;
	long bytes;
	long meminfo;	/* SO_MEMINFO rmem_alloc + wmem_alloc, summed */
};

struct meas {
	struct fill_res res;
	long mem;		/* memory.current growth over the fill */
	long socks;		/* socks of the family made by the fill */
	long socks_left;	/* socks of the family alive after, minus before */
	int status;		/* the child's exit code */
};

#define FILL_FAILED(n)	((struct fill_res){ .count = (n) })

typedef struct fill_res (*fill_fn)(const struct fill *f);

/* SO_MEMINFO's rmem_alloc + wmem_alloc, summed over every socket open. */
static long meminfo_sum(void)
{
	__u32 mi[SK_MEMINFO_VARS];
	long sum = 0, max = sysconf(_SC_OPEN_MAX);
	socklen_t len;

	for (int fd = 0; fd < max; fd++) {
		len = sizeof(mi);
		if (!getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len))
			sum += mi[SK_MEMINFO_RMEM_ALLOC] +
			       mi[SK_MEMINFO_WMEM_ALLOC];
	}
	return sum;
}

/*
 * Run @fn as nobody in a child alone in a fresh memory cgroup, and
 * measure. The child waits on @go before and after dropping its
 * privileges, so that the baseline is read with its stack and buffers
 * already touched; it keeps everything it made open until the parent has
 * read memory.current.
 */
static struct meas __measure(struct __test_metadata *_metadata, fill_fn fn,
			     const struct fill *f)
{
	int go[2], rep[2];
	struct meas m = { 0 };
	char cg[512], pidstr[32];
	long base, socks0;
	pid_t pid;
	char c;

	if (BOUNDS_MEMCG) {
		ASSERT_EQ(0, cg_make(cg, sizeof(cg))) {
			TH_LOG("no memory cgroup: %s", strerror(errno));
		}
	}
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(rep));
	socks0 = proto_sockets(f->family != AF_UNIX);
	ASSERT_LE(0, socks0);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { f->nofile, f->nofile };
		struct fill_res r;

		close(go[1]);
		close(rep[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (f->nofile && setrlimit(RLIMIT_NOFILE, &rl))
			_exit(3);
		if (drop_to_nobody())
			_exit(4);
		/* Touch the stack the fill will use. */
		memset(alloca(256 * 1024), 0, 256 * 1024);
		if (write(rep[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(5);
		r = fn(f);
		r.meminfo = meminfo_sum();
		if (write(rep[1], &r, sizeof(r)) != sizeof(r))
			_exit(6);
		/* Hold it all until the parent closes its end. */
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	close(rep[1]);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	if (BOUNDS_MEMCG)
		ASSERT_EQ(0, cg_write(cg, "cgroup.procs", pidstr));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(rep[0], &c, 1));
	base = BOUNDS_MEMCG ? cg_read(cg, "memory.current", NULL) : 0;
	ASSERT_LE(0, base);
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(m.res), read(rep[0], &m.res, sizeof(m.res)));
	if (BOUNDS_MEMCG)
		m.mem = cg_read(cg, "memory.current", NULL) - base;
	m.socks = proto_sockets(f->family != AF_UNIX) - socks0;
	close(go[1]);
	close(rep[0]);
	m.status = wait_child(pid);
	/* Socks go when their last reference does, which may come from a
	 * work item: give them a few seconds. */
	for (int i = 0; i < 500; i++) {
		m.socks_left = proto_sockets(f->family != AF_UNIX) - socks0;
		if (!m.socks_left)
			break;
		sleep_ms(10);
	}
	if (BOUNDS_MEMCG)
		ASSERT_EQ(0, cg_remove(cg));
	return m;
}

/*
 * Fill over AF_UNIX and over the variant's family and compare as the
 * header says. @what names the count in the messages.
 */
static void __compare(struct __test_metadata *_metadata, fill_fn fn,
		      int family, long nofile, long arg, const char *what)
{
	struct fill f = { AF_UNIX, nofile, arg };
	struct meas want, got;
	long t0 = now_ms();

	want = __measure(_metadata, fn, &f);
	f.family = family;
	got = __measure(_metadata, fn, &f);
	TH_LOG("%s: %ld ms", what, now_ms() - t0);
	TH_LOG("%s: AF_UNIX %ld (%ld bytes, meminfo %ld, %ld socks, %ld kB), family %d %ld (%ld bytes, meminfo %ld, %ld socks, %ld kB)",
	       what, want.res.count, want.res.bytes, want.res.meminfo,
	       want.socks, want.mem / 1024, family, got.res.count,
	       got.res.bytes, got.res.meminfo, got.socks, got.mem / 1024);
	ASSERT_EQ(0, want.status);
	ASSERT_EQ(0, got.status);
	ASSERT_LT(0, want.res.count);
	ASSERT_EQ(want.res.count, got.res.count);
	ASSERT_EQ(want.res.bytes, got.res.bytes);
	ASSERT_EQ(want.res.meminfo, got.res.meminfo);
	ASSERT_EQ(want.socks, got.socks);
	ASSERT_EQ(0, want.socks_left);
	ASSERT_EQ(0, got.socks_left);
	if (!BOUNDS_MEMCG)
		return;
	/* The measure sees what was queued. */
	ASSERT_LE(want.res.bytes, want.mem + mem_slack(0));
	ASSERT_LE(got.mem, want.mem + mem_slack(got.socks)) {
		TH_LOG("%s: the family pins %ld kB, AF_UNIX %ld kB", what,
		       got.mem / 1024, want.mem / 1024);
	}
}
#define compare(fn, nofile, arg, what) \
	__compare(_metadata, (fn), self->family, (nofile), (arg), (what))

/*
 * Non-blocking sends of @len bytes of @buf on @fd (to @dst of @dlen if
 * not NULL) until one fails: the bytes taken, or -1 if it failed with
 * another error than EAGAIN (left in errno).  *@sends, if not NULL,
 * counts the sends.
 */
static inline long fill_until_eagain(int fd, const void *buf, size_t len,
				     const struct sockaddr_un *dst,
				     socklen_t dlen, long *sends)
{
	long total = 0;
	ssize_t n;

	for (;;) {
		n = sendto(fd, buf, len, MSG_DONTWAIT,
			   (const struct sockaddr *)dst, dlen);
		if (n < 0)
			return errno == EAGAIN ? total : -1;
		total += n;
		if (sends)
			(*sends)++;
	}
}

/* Ask for far more than an unprivileged user may (net.core.wmem_max). */
#define HUGE_BUF	(64 << 20)

/*
 * The sizes of the fills: enough for memory.current to see (memcg_test);
 * where only counts are compared, small enough for the debug kernel's
 * watchdog (bounds_test).
 */
#define NPAIRS	(BOUNDS_MEMCG ? 16 : 2)

/*
 * Stream: unread data is bounded by the sender's SO_SNDBUF, which nobody
 * cannot raise beyond net.core.wmem_max. NPAIRS pairs, both ends writing
 * 64 KiB sends until EAGAIN; nothing is read.
 */
static struct fill_res fill_stream(const struct fill *f)
{
	static char buf[65536];
	struct fill_res r = { 0 };
	int sv[2];
	long n;

	for (int i = 0; i < NPAIRS; i++) {
		if (socketpair(f->family, f->arg, 0, sv))
			return FILL_FAILED(-1);
		for (int e = 0; e < 2; e++) {
			setsockopt(sv[e], SOL_SOCKET, SO_SNDBUF, &(int){ HUGE_BUF },
				   sizeof(int));
			setsockopt(sv[e], SOL_SOCKET, SO_RCVBUF, &(int){ HUGE_BUF },
				   sizeof(int));
			n = fill_until_eagain(sv[e], buf, f->arg == SOCK_STREAM
					      ? 65536 : 30000, NULL, 0, NULL);
			if (n < 0)
				return FILL_FAILED(-2);
			r.bytes += n;
		}
	}
	r.count = r.bytes;
	return r;
}

/* An abstract address unique to this process and @i. */
static inline socklen_t abs_addr(struct sockaddr_un *sun, int family, int i)
{
	int len;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = family;
	len = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
		       "punix-%d-bounds-%d", (int)getpid(), i);
	return SUN_HDR + 1 + len;
}

/*
 * Datagrams to bound receivers: each receiver's queue holds at most
 * net.unix.max_dgram_qlen + 1 datagrams from senders that are not its
 * peer, whatever their send buffers; several senders (each with the
 * largest SO_SNDBUF nobody gets) share it. Datagrams of @arg bytes.
 */
static struct fill_res fill_dgram_qlen(const struct fill *f)
{
	struct fill_res r = { 0 };
	struct sockaddr_un sun;
	static char buf[65536];
	socklen_t len;
	int rcv, snd;
	long n;

	for (int i = 0; i < NPAIRS; i++) {
		rcv = socket(f->family, SOCK_DGRAM, 0);
		len = abs_addr(&sun, f->family, i);
		if (rcv < 0 || bind(rcv, (struct sockaddr *)&sun, len))
			return FILL_FAILED(-1);
		for (int s = 0; s < 4; s++) {
			snd = socket(f->family, SOCK_DGRAM, 0);
			if (snd < 0)
				return FILL_FAILED(-1);
			setsockopt(snd, SOL_SOCKET, SO_SNDBUF, &(int){ HUGE_BUF },
				   sizeof(int));
			if (s == 0 &&
			    connect(snd, (struct sockaddr *)&sun, len))
				return FILL_FAILED(-3);
			n = fill_until_eagain(snd, buf, f->arg, s ? &sun : NULL,
					      s ? len : 0, &r.count);
			if (n < 0)
				return FILL_FAILED(-2);
			r.bytes += n;
		}
	}
	return r;
}

/*
 * A datagram socketpair skips the queue length check (the receiver's
 * peer is the sender): only the sender's SO_SNDBUF bounds it. Where only
 * counts are compared, one pair with a smaller SO_SNDBUF (200000): 1-byte
 * datagrams are slow on the debug kernel.
 */
static struct fill_res fill_dgram_pair(const struct fill *f)
{
	struct fill_res r = { 0 };
	static char buf[65536];
	int sv[2];
	long n;

	for (int i = 0; i < (BOUNDS_MEMCG ? NPAIRS : 1); i++) {
		if (socketpair(f->family, SOCK_DGRAM, 0, sv))
			return FILL_FAILED(-1);
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF,
			   &(int){ BOUNDS_MEMCG ? HUGE_BUF : 100000 },
			   sizeof(int));
		n = fill_until_eagain(sv[0], buf, f->arg, NULL, 0, &r.count);
		if (n < 0)
			return FILL_FAILED(-2);
		r.bytes += n;
	}
	return r;
}

/*
 * Files in flight: a user may have at most RLIMIT_NOFILE fds in flight
 * (ETOOMANYREFS, too_many_unix_fds()), however many sockets carry them.
 * Messages of @arg fds (copies of a pipe end) over datagram pairs, each
 * pair until its send buffer is full, until ETOOMANYREFS. The scm_fp_list
 * of each message is not in the skb's truesize: this bound is what keeps
 * them few.
 */
#define NOFILE_INFLIGHT	(BOUNDS_MEMCG ? 2048 : 128)
static struct fill_res fill_inflight(const struct fill *f)
{
	struct fill_res r = { 0 };
	int fds[16], p[2], sv[2];
	char cbuf[CMSG_SPACE(sizeof(fds))];
	struct iovec iov = { "x", 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		.msg_controllen = CMSG_SPACE(f->arg * sizeof(int)),
	};
	struct cmsghdr *cm = (struct cmsghdr *)cbuf;

	if (pipe(p))
		return FILL_FAILED(-1);
	for (int i = 0; i < f->arg; i++)
		fds[i] = p[1];
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(f->arg * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, f->arg * sizeof(int));
	for (int i = 0; i < 64; i++) {
		if (socketpair(f->family, SOCK_DGRAM, 0, sv))
			return FILL_FAILED(-1);
		for (;;) {
			if (sendmsg(sv[0], &msg, MSG_DONTWAIT) == 1) {
				r.count += f->arg;
				r.bytes++;
				continue;
			}
			if (errno == ETOOMANYREFS)
				return r;
			if (errno != EAGAIN)
				return FILL_FAILED(-2);
			break;
		}
	}
	return FILL_FAILED(-3);
}

/*
 * Pending connections: a listener holds at most backlog + 1 of them
 * (each an embryo sock and its skb); non-blocking connects beyond get
 * EAGAIN. Listeners of backlog @arg, as many as the fds allow, each
 * filled until EAGAIN (stream and seqpacket alternately).
 */
#define NOFILE_CONNECT	(BOUNDS_MEMCG ? 256 : 48)
static struct fill_res fill_backlog(const struct fill *f)
{
	struct fill_res r = { 0 };
	struct sockaddr_un sun;
	socklen_t len;
	int l, c, i;

	for (i = 0; ; i++) {
		int type = i % 2 ? SOCK_SEQPACKET : SOCK_STREAM;

		l = socket(f->family, type, 0);
		if (l < 0)
			return errno == EMFILE ? r : FILL_FAILED(-1);
		len = abs_addr(&sun, f->family, i);
		if (bind(l, (struct sockaddr *)&sun, len) ||
		    listen(l, f->arg))
			return FILL_FAILED(-2);
		for (;;) {
			c = socket(f->family, type | SOCK_NONBLOCK, 0);
			if (c < 0)
				return errno == EMFILE ? r :
							 FILL_FAILED(-3);
			if (connect(c, (struct sockaddr *)&sun, len)) {
				close(c);
				if (errno != EAGAIN)
					return FILL_FAILED(-4);
				break;
			}
			r.count++;
		}
	}
}

/*
 * Bound names: a name lives as long as the socket holding it, so their
 * number is bounded by the fds (RLIMIT_NOFILE, the file table); a closed
 * socket's name is free at once. Abstract names, and paths in a directory
 * nobody may write (@arg 1: a fresh one under /tmp).
 */
#define NOFILE_NAMES	(BOUNDS_MEMCG ? 256 : 48)
static struct fill_res fill_names(const struct fill *f)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	struct fill_res r = { 0 };
	struct sockaddr_un sun;
	char dir[64];
	socklen_t len = 0;
	int fd, first = -1;

	strcpy(dir, "/tmp/punix-names-XXXXXX");
	if (f->arg && !mkdtemp(dir))
		return FILL_FAILED(-1);
	for (int i = 0; ; i++) {
		fd = socket(f->family, types[i % 3], 0);
		if (fd < 0) {
			if (errno != EMFILE)
				return FILL_FAILED(-2);
			break;
		}
		if (first < 0)
			first = fd;
		if (f->arg) {
			memset(&sun, 0, sizeof(sun));
			sun.sun_family = f->family;
			snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%d",
				 dir, i);
			len = sizeof(sun);
		} else {
			len = abs_addr(&sun, f->family, i);
		}
		if (bind(fd, (struct sockaddr *)&sun, len))
			return FILL_FAILED(-3);
		r.count++;
	}
	/* The first name is free again once its socket is closed (path:
	 * after the node is removed). */
	close(first);
	fd = socket(f->family, SOCK_STREAM, 0);
	if (f->arg) {
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/0", dir);
		unlink(sun.sun_path);
	} else {
		len = abs_addr(&sun, f->family, 0);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len))
		return FILL_FAILED(-4);
	return r;
}

/*
 * The fills bounds_test and memcg_test both run, one TEST_F() of fixture
 * @fx each: the same case names in both programs.
 */
#define FILL_TEST(fx, name, fn, nofile, arg, what)			\
	TEST_F(fx, name)						\
	{								\
		compare(fn, nofile, arg, what);				\
	}

#define FILL_TESTS(fx)							\
	FILL_TEST(fx, stream_unread_bounded_by_sndbuf, fill_stream,	\
		  0, SOCK_STREAM, "stream bytes")			\
	FILL_TEST(fx, seqpacket_unread_bounded_by_sndbuf, fill_stream,	\
		  0, SOCK_SEQPACKET, "seqpacket bytes")			\
	FILL_TEST(fx, dgram_queue_bounded_by_qlen_32k, fill_dgram_qlen,	\
		  0, 32768, "dgram messages, 32 KiB")			\
	FILL_TEST(fx, dgram_queue_bounded_by_qlen_1byte, fill_dgram_qlen, \
		  0, 1, "dgram messages, 1 byte")			\
	FILL_TEST(fx, dgram_pair_bounded_by_sndbuf_16k, fill_dgram_pair, \
		  0, 16384, "dgram pair messages, 16 KiB")		\
	FILL_TEST(fx, dgram_pair_bounded_by_sndbuf_1byte, fill_dgram_pair, \
		  0, 1, "dgram pair messages, 1 byte")			\
	FILL_TEST(fx, inflight_fds_bounded_by_rlimit_1fd, fill_inflight, \
		  NOFILE_INFLIGHT, 1, "fds in flight, 1 a message")	\
	FILL_TEST(fx, inflight_fds_bounded_by_rlimit_7fds, fill_inflight, \
		  NOFILE_INFLIGHT, 7, "fds in flight, 7 a message")	\
	FILL_TEST(fx, pending_connections_bounded_by_backlog_4,		\
		  fill_backlog, NOFILE_CONNECT, 4, "connections, backlog 4") \
	FILL_TEST(fx, pending_connections_bounded_by_backlog_0,		\
		  fill_backlog, NOFILE_CONNECT, 0, "connections, backlog 0") \
	FILL_TEST(fx, bound_names_bounded_by_files_abstract, fill_names, \
		  NOFILE_NAMES, 0, "abstract names")			\
	FILL_TEST(fx, bound_names_bounded_by_files_paths, fill_names,	\
		  NOFILE_NAMES, 1, "path names")

/* ---- accounting, compared exactly ---------------------------------- */

struct acct {
	long taken;	/* bytes taken by non-blocking sends until EAGAIN */
	long sends;	/* successful sends */
	int outq, inq;	/* SIOCOUTQ of the sender, SIOCINQ of the receiver */
	__u32 mi[2][SK_MEMINFO_VARS];	/* SO_MEMINFO of both ends */
	socklen_t milen[2];
};

static inline struct acct __acct(struct __test_metadata *_metadata, int family,
			  int type, int sndbuf, size_t len)
{
	static char buf[65536];
	struct acct a = { 0 };
	int sv[2];

	ASSERT_EQ(0, socketpair(family, type, 0, sv));
	if (sndbuf)
		ASSERT_EQ(0, set_int_opt(sv[0], SOL_SOCKET, SO_SNDBUF, sndbuf));
	a.taken = fill_until_eagain(sv[0], buf, len, NULL, 0, &a.sends);
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ioctl(sv[0], SIOCOUTQ, &a.outq));
	ASSERT_EQ(0, ioctl(sv[1], SIOCINQ, &a.inq));
	for (int e = 0; e < 2; e++) {
		a.milen[e] = sizeof(a.mi[e]);
		ASSERT_EQ(0, getsockopt(sv[e], SOL_SOCKET, SO_MEMINFO,
					a.mi[e], &a.milen[e]));
	}
	close(sv[0]);
	close(sv[1]);
	return a;
}

static inline void __acct_compare(struct __test_metadata *_metadata,
				  int family, int type, int sndbuf)
{
	static const size_t lens[] = { 1, 1000, 4032, 5000, 16259, 40000 };
	struct acct want, got;
	long t0 = now_ms();

	for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
		size_t len = lens[j];

		if (type == SOCK_SEQPACKET && sndbuf && len > (size_t)sndbuf)
			continue;	/* EMSGSIZE: dgram_test's */
		/*
		 * punix appends 1-byte stream writes to one skb: filling the
		 * default buffer takes ~200,000 of them, too many for the
		 * debug kernel's watchdog. 1 byte under the small buffers,
		 * 64 under the big ones.
		 */
		if (type == SOCK_STREAM && len == 1 && (!sndbuf || sndbuf > 6000))
			len = 64;
		want = __acct(_metadata, AF_UNIX, type, sndbuf, len);
		got = __acct(_metadata, family, type, sndbuf, len);
		ASSERT_LT(0, want.taken);
		ASSERT_EQ(want.taken, want.inq);
		ASSERT_EQ(got.taken, got.inq) {
			TH_LOG("SO_SNDBUF %d, send(%zu): SIOCINQ", sndbuf,
			       len);
		}
		if (type == SOCK_STREAM) {
			/*
			 * The bound, not AF_UNIX's exact count: punix appends
			 * small stream writes to the tail skb (issue 9), so it
			 * takes at least as much before EAGAIN and holds no
			 * more memory (SIOCOUTQ, the writer's wmem_alloc) per
			 * byte taken.
			 */
			ASSERT_LE(want.taken, got.taken) {
				TH_LOG("SO_SNDBUF %d, send(%zu)", sndbuf,
				       len);
			}
			ASSERT_LE(want.sends, got.sends);
			ASSERT_LE((long long)got.outq * want.taken,
				  (long long)want.outq * got.taken) {
				TH_LOG("SO_SNDBUF %d, send(%zu): SIOCOUTQ %d for %ld bytes, AF_UNIX %d for %ld",
				       sndbuf, len, got.outq, got.taken,
				       want.outq, want.taken);
			}
			ASSERT_LE((long long)got.mi[0][SK_MEMINFO_WMEM_ALLOC] *
				  want.taken,
				  (long long)want.mi[0][SK_MEMINFO_WMEM_ALLOC] *
				  got.taken);
		} else {
			ASSERT_EQ(want.taken, got.taken) {
				TH_LOG("SO_SNDBUF %d, send(%zu)", sndbuf,
				       len);
			}
			ASSERT_EQ(want.sends, got.sends);
			ASSERT_EQ(want.outq, got.outq) {
				TH_LOG("SO_SNDBUF %d, send(%zu): SIOCOUTQ",
				       sndbuf, len);
			}
		}
		for (int e = 0; e < 2; e++) {
			ASSERT_EQ(want.milen[e], got.milen[e]);
			for (int k = 0; k < SK_MEMINFO_VARS; k++) {
				/* Stream: the writer's, bounded above. */
				if (type == SOCK_STREAM && e == 0 &&
				    k == SK_MEMINFO_WMEM_ALLOC)
					continue;
				ASSERT_EQ(want.mi[e][k], got.mi[e][k]) {
					TH_LOG("SO_SNDBUF %d, send(%zu): SO_MEMINFO[%d] of end %d",
					       sndbuf, len, k, e);
				}
			}
		}
	}
	TH_LOG("SO_SNDBUF %d: %ld ms", sndbuf, now_ms() - t0);
}

/* ---- memcg: a small memory.max ------------------------------------- */

/* What the limited fill got to, in memory shared with the parent. */
struct limited {
	long bytes;		/* data taken by the sends */
	int err;		/* errno of the failed send, 0 if none */
	int socks;		/* socketpairs made */
};

#define LIMIT_OVER_BASE	(8 << 20)

/*
 * In a cgroup whose memory.max is its usage plus LIMIT_OVER_BASE, nobody
 * fills socketpairs of @type with the largest send buffers it gets until
 * a call fails or the cgroup's OOM killer ends it. Returns the exit code
 * (128 + signal when killed), the cgroup's oom_kill count and peak.
 */
struct limited_res {
	int status;
	long oom_kill, max_events;
	long peak;
	struct limited l;
};

static inline struct limited_res __limited(struct __test_metadata *_metadata,
				    int family, int type)
{
	struct limited_res res = { 0 };
	struct limited *sh;
	char cg[512], val[64];
	int go[2];
	pid_t pid;
	long base;
	char c;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));	/* faulted (charged) here */
	ASSERT_EQ(0, cg_make(cg, sizeof(cg)));
	ASSERT_EQ(0, pipe(go));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char buf[65536];
		int sv[2];

		close(go[1]);
		if (read(go[0], &c, 1) != 1 || drop_to_nobody())
			_exit(2);
		memset(buf, 1, sizeof(buf));
		for (int i = 0; i < 256; i++) {
			if (socketpair(family, type, 0, sv)) {
				sh->err = errno;
				_exit(0);
			}
			sh->socks++;
			setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ HUGE_BUF },
				   sizeof(int));
			for (;;) {
				ssize_t n = send(sv[0], buf,
						 type == SOCK_STREAM ? 65536 : 30000,
						 MSG_DONTWAIT);
				if (n < 0)
					break;
				sh->bytes += n;
			}
			if (errno != EAGAIN) {
				sh->err = errno;
				_exit(0);
			}
		}
		_exit(1);	/* 256 full pairs and no failure */
	}
	close(go[0]);
	snprintf(val, sizeof(val), "%d", (int)pid);
	ASSERT_EQ(0, cg_write(cg, "cgroup.procs", val));
	base = cg_read(cg, "memory.current", NULL);
	ASSERT_LE(0, base);
	snprintf(val, sizeof(val), "%ld", base + LIMIT_OVER_BASE);
	ASSERT_EQ(0, cg_write(cg, "memory.max", val));
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	res.status = wait_child(pid);
	res.oom_kill = cg_read(cg, "memory.events", "oom_kill");
	res.max_events = cg_read(cg, "memory.events", "max");
	res.peak = cg_read(cg, "memory.peak", NULL) - base;
	res.l = *sh;
	munmap(sh, sizeof(*sh));
	ASSERT_EQ(0, cg_remove(cg));
	return res;
}

/*
 * Both families' sockets and buffers are charged to the sender's memory
 * cgroup (sk_alloc's SLAB_ACCOUNT cache, GFP_KERNEL_ACCOUNT skbs and fd
 * lists): the same failure (the same errno, or the same signal: the
 * cgroup's OOM killer), with memory.max reached, after about as much data
 * (within a factor of two: the point of failure depends on reclaim and
 * on the per-cpu charge stocks).
 */
static inline void __limited_compare(struct __test_metadata *_metadata, int family,
			      int type)
{
	struct limited_res want, got;

	want = __limited(_metadata, AF_UNIX, type);
	got = __limited(_metadata, family, type);
	TH_LOG("AF_UNIX: status %d errno %d, %ld kB in %d pairs, oom_kill %ld, peak %ld kB; family %d: status %d errno %d, %ld kB in %d pairs, oom_kill %ld, peak %ld kB",
	       want.status, want.l.err, want.l.bytes / 1024, want.l.socks,
	       want.oom_kill, want.peak / 1024, family, got.status,
	       got.l.err, got.l.bytes / 1024, got.l.socks, got.oom_kill,
	       got.peak / 1024);
	/* The limit was hit, and the fill stopped because of it. */
	ASSERT_LT(0, want.max_events);
	ASSERT_NE(1, want.status);
	ASSERT_LT(0, want.l.bytes);
	ASSERT_EQ(want.status, got.status);
	ASSERT_EQ(want.l.err, got.l.err);
	ASSERT_EQ(want.oom_kill > 0, got.oom_kill > 0);
	ASSERT_LT(0, got.max_events);
	ASSERT_LE(got.l.bytes, 2 * want.l.bytes);
	ASSERT_LE(want.l.bytes, 2 * got.l.bytes);
	ASSERT_LE(got.peak, LIMIT_OVER_BASE + mem_slack(0));
}

#endif /* _PUNIX_BOUNDS_UTIL_H */
