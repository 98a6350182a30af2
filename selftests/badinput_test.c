// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input, errno for errno.
 *
 * Tables of malformed calls, one TEST_F per group.  Every case is run twice
 * in the same test: once on AF_UNIX (the reference) and once on the
 * variant's family, each time on fresh sockets in a fresh directory, and
 * the two results (return value, errno, and an "aux" observation of what
 * the call left behind: a returned length, bytes still queued, files
 * received, the poll mask, an option's value) must be equal.  Where the
 * answer is fixed (generic socket code, or af_unix code that is the same
 * on 6.1 and 6.12) the case also names it and AF_UNIX must give it: the
 * native variant then proves the table right.  AFU marks the answers that
 * depend on the kernel: those are only compared with AF_UNIX's.
 *
 * sun_family: punix takes AF_UNIX or its own number in every address
 * (include/uapi/linux/punix.h), AF_UNIX only AF_UNIX.  A case giving the
 * other family's number therefore expects what that rule says: accepted
 * (as if it were AF_UNIX) in the punix variant, EINVAL in the native one.
 *
 * Each group runs in a new network namespace (run as root), so abstract
 * names cannot collide with anyone's and the family's socket count in
 * /proc/net/protocols is the group's own: after the group it must be back
 * where it started, and so must the number of open fds.  A failing case
 * is named in a TH_LOG; each group logs how many cases it ran, and
 * badin.count logs the total (at least 150 per family).
 */
#include "msg_util.h"

#include <dirent.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/sockios.h>

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD	76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD	0x04
#endif
#ifndef SO_RESERVE_MEM
#define SO_RESERVE_MEM	73
#endif
#ifndef SO_TXREHASH
#define SO_TXREHASH	74
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET	70
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL	69
#endif
#ifndef SCM_SECURITY
#define SCM_SECURITY	0x03
#endif
#ifndef MSG_PROBE
#define MSG_PROBE	0x10
#endif
#ifndef MSG_CMSG_COMPAT
#define MSG_CMSG_COMPAT	0x80000000
#endif
#ifndef UIO_MAXIOV
#define UIO_MAXIOV	1024
#endif

PUNIX_FIXTURE(badin);

/* ------------------------------------------------------------------------
 * Results, expectations, the per-group state.
 */

/* want.ret: a value, or one of these. */
#define WANT_AFU	LONG_MIN		/* whatever AF_UNIX answers */
#define WANT_OK	(LONG_MIN + 1)		/* success (>= 0), AF_UNIX's value */

struct want {
	long ret;
	int err;
};

#define AFU	{ WANT_AFU, 0 }
#define OK	{ WANT_OK, 0 }
#define E(e)	{ -1, (e) }
#define R(n)	{ (n), 0 }

struct res {
	long ret;
	int err;
	long aux;
};

#define CALL(r, expr) do {						\
	errno = 0;							\
	(r).ret = (long)(expr);						\
	(r).err = (r).ret == -1 ? errno : 0;				\
} while (0)

#define MAXFDS	64

struct grp {
	struct __test_metadata *md;
	const char *name;
	int family;		/* the variant's */
	int other;		/* the other family, or -errno */
	char base[64];		/* the test's directory */
	int run;		/* runs so far */
	int ncases;
	int fds0;
	long socks0[2];
	int fds[MAXFDS];	/* fds of the current run */
	int nfds;
	int seq;		/* cases seen, this test's or not */
	int slice, nslices;	/* this test runs case seq % nslices == slice */
};

static long page;
static char *mem_none;		/* one PROT_NONE page */
static char *mem_ro;		/* one read-only page, contents set per use */
static char *mem_rw;		/* a writable page followed by mem_edge */
static char *mem_edge;		/* a PROT_NONE page right after mem_rw */

/* Put @len bytes of @src at the start of the read-only page. */
static void *ro_copy(const void *src, size_t len)
{
	mprotect(mem_ro, page, PROT_READ | PROT_WRITE);
	memset(mem_ro, 0, page);
	memcpy(mem_ro, src, len);
	mprotect(mem_ro, page, PROT_READ);
	return mem_ro;
}

/* Put @len bytes of @src so that the first @keep are the last of mem_rw. */
static void *edge_copy(const void *src, size_t keep)
{
	memcpy(mem_edge - keep, src, keep);
	return mem_edge - keep;
}

static void grp_begin(struct __test_metadata *_metadata, struct grp *g,
		      const char *name, int family, const char *dir)
{
	int slice = g->slice, nslices = g->nslices;

	memset(g, 0, sizeof(*g));
	g->slice = slice;
	g->nslices = nslices;
	g->md = _metadata;
	g->name = name;
	g->family = family;
	g->other = family == AF_UNIX ? punix_family() : AF_UNIX;
	snprintf(g->base, sizeof(g->base), "%s", dir);
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s (run as root)",
		       strerror(errno));
	}
	ASSERT_EQ(0, chdir(g->base));
	ASSERT_EQ(0, mkdir("run", 0755));
	ASSERT_EQ(0, chdir("run"));
	page = sysconf(_SC_PAGESIZE);
	mem_none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, mem_none);
	mem_ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	ASSERT_NE(MAP_FAILED, mem_ro);
	mem_rw = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem_rw);
	mem_edge = mem_rw + page;
	ASSERT_EQ(0, mprotect(mem_edge, page, PROT_NONE));
	g->fds0 = count_fds();
	g->socks0[0] = proto_sockets(false);
	/* The native variant makes no punix socket: AF_UNIX's count only. */
	g->socks0[1] = family == AF_UNIX ? 0 : proto_sockets(true);
	ASSERT_LE(0, g->fds0);
	ASSERT_LE(0, g->socks0[0]);
	ASSERT_LE(0, g->socks0[1]) {
		TH_LOG("no PUNIX lines in /proc/net/protocols: module loaded?");
	}
}

/* Socket counts back to the start (polled: a close may free later). */
static void grp_end(struct grp *g)
{
	struct __test_metadata *_metadata = g->md;
	long t0 = now_ms(), s0, s1;

	for (;;) {
		s0 = proto_sockets(false);
		s1 = g->family == AF_UNIX ? 0 : proto_sockets(true);
		if ((s0 == g->socks0[0] && s1 == g->socks0[1]) ||
		    now_ms() - t0 > 3000)
			break;
		sleep_ms(5);
	}
	EXPECT_EQ(g->socks0[0], s0) {
		TH_LOG("%s: AF_UNIX sockets leaked", g->name);
	}
	EXPECT_EQ(g->socks0[1], s1) {
		TH_LOG("%s: punix sockets leaked", g->name);
	}
	EXPECT_EQ(g->fds0, count_fds()) {
		TH_LOG("%s: fds leaked", g->name);
	}
	TH_LOG("%s (slice %d of %d): %d cases", g->name, g->slice + 1,
	       g->nslices, g->ncases);
	munmap(mem_none, page);
	munmap(mem_ro, page);
	munmap(mem_rw, 2 * page);
}

/*
 * The debug kernel under emulation is slow: a table is cut into slices,
 * one TEST_F each (SLICES()), so that each stays inside its watchdog.
 */
static bool mine(struct grp *g)
{
	return g->seq++ % g->nslices == g->slice;
}

/*
 * A run: starts with no fd and an empty current directory (<dir>/run);
 * at its end its fds are closed and the nodes it made removed.
 */
static void run_begin(struct grp *g)
{
	g->run++;
	g->nfds = 0;
}

static void run_end(struct grp *g)
{
	struct dirent *de;
	DIR *d;
	int i;

	for (i = 0; i < g->nfds; i++)
		close(g->fds[i]);
	g->nfds = 0;
	d = opendir(".");
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

/* Remember @fd for run_end(); returns it. */
static int T(struct grp *g, int fd)
{
	if (fd >= 0 && g->nfds >= 0 && g->nfds < MAXFDS)
		g->fds[g->nfds++] = fd;
	return fd;
}

static int sock(struct grp *g, int family, int type)
{
	return T(g, socket(family, type | SOCK_CLOEXEC, 0));
}

static int spair(struct grp *g, int family, int type, int *a, int *b)
{
	int sv[2] = { -1, -1 };

	if (socketpair(family, type | SOCK_CLOEXEC, 0, sv))
		return -1;
	*a = T(g, sv[0]);
	*b = T(g, sv[1]);
	return 0;
}

static socklen_t mk_sun(struct sockaddr_un *sun, int family,
			const char *name, size_t len)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = family;
	memcpy(sun->sun_path, name, len);
	return SUN_HDR + len;
}

/* The targets: a path "L" and an abstract "\0Lbad". */
#define ABS_NAME	"\0Lbad"
#define ABS_LEN		5

static int bound(struct grp *g, int family, int type, bool abstract)
{
	struct sockaddr_un sun;
	socklen_t len;
	int fd = sock(g, family, type);

	if (abstract)
		len = mk_sun(&sun, family, ABS_NAME, ABS_LEN);
	else
		len = mk_sun(&sun, family, "L", 2);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len))
		return -1;
	if (type != SOCK_DGRAM && listen(fd, 8))
		return -1;
	return fd;
}

static long inq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCINQ, &n))
		return -errno;
	return n;
}

/*
 * Compare the variant's result @got with AF_UNIX's @ref, and AF_UNIX's
 * with the expectation @w.
 */
static void check(struct grp *g, const char *what, const char *name,
		  struct want w, struct res ref, struct res got)
{
	struct __test_metadata *_metadata = g->md;
	bool same = ref.ret == got.ret && ref.err == got.err &&
		    ref.aux == got.aux;
	bool want = true;

	if (w.ret == WANT_OK)
		want = ref.ret >= 0;
	else if (w.ret != WANT_AFU)
		want = ref.ret == w.ret && ref.err == (w.ret == -1 ? w.err : 0);
	g->ncases++;
	EXPECT_TRUE(same) {
		TH_LOG("%s %s/%s: family %d gave %ld (%s) aux %ld, AF_UNIX %ld (%s) aux %ld",
		       g->name, what, name, g->family, got.ret,
		       strerror(got.err), got.aux, ref.ret, strerror(ref.err),
		       ref.aux);
	}
	EXPECT_TRUE(want) {
		TH_LOG("%s %s/%s: AF_UNIX gave %ld (%s) aux %ld, table says %s %ld (%s)",
		       g->name, what, name, ref.ret, strerror(ref.err),
		       ref.aux, w.ret == WANT_OK ? "success" : "",
		       w.ret == WANT_OK ? 0 : w.ret, strerror(w.err));
	}
}

/* ------------------------------------------------------------------------
 * Addresses given to bind, connect (stream and dgram), sendto, sendmsg.
 */

enum { FM_OWN, FM_UNIX, FM_OTHER, FM_INET, FM_UNSPEC, FM_MAXP1, FM_FFFF };
enum { PT_OK, PT_NULL, PT_NONE, PT_RO, PT_EDGE, PT_EDGE_FITS };
enum { AOP_BIND, AOP_CONNECT, AOP_DCONNECT, AOP_SENDTO, AOP_SENDMSG, AOP_N };

static const char *const aop_name[AOP_N] = {
	"bind", "connect_stream", "connect_dgram", "sendto_dgram",
	"sendmsg_dgram",
};

#define LEN_NAME	(-12345)	/* SUN_HDR + plen */
#define A108 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define Z108 "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" \
	     "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" \
	     "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" \
	     "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"

struct addr_case {
	const char *name;
	int fam;
	const char *path;
	int plen;
	long len;
	int ptr;
	struct want w[AOP_N];	/* bind, connect, dconnect, sendto, sendmsg */
};

#define ALL(x)		{ x, x, x, x, x }
#define ALLOK		{ OK, OK, OK, R(1), R(1) }
#define BINDONLY(e)	{ OK, E(e), E(e), E(e), E(e) }

static const struct addr_case addr_cases[] = {
	{ "path", FM_OWN, "L", 2, LEN_NAME, PT_OK, ALLOK },
	{ "path_family_af_unix", FM_UNIX, "L", 2, LEN_NAME, PT_OK, ALLOK },
	{ "path_family_other", FM_OTHER, "L", 2, LEN_NAME, PT_OK, ALLOK },
	{ "family_af_inet", FM_INET, "L", 2, LEN_NAME, PT_OK, ALL(E(EINVAL)) },
	{ "family_unspec", FM_UNSPEC, "L", 2, LEN_NAME, PT_OK,
	  { E(EINVAL), E(EINVAL), OK, E(EINVAL), E(EINVAL) } },
	{ "family_af_max_plus_1", FM_MAXP1, "L", 2, LEN_NAME, PT_OK,
	  ALL(E(EINVAL)) },
	{ "family_0xffff", FM_FFFF, "L", 2, LEN_NAME, PT_OK, ALL(E(EINVAL)) },
	{ "len_0", FM_OWN, "L", 2, 0, PT_OK,
	  { E(EINVAL), E(EINVAL), E(EINVAL), E(ENOTCONN), E(ENOTCONN) } },
	{ "len_1", FM_OWN, "L", 2, 1, PT_OK, ALL(E(EINVAL)) },
	{ "len_family_only", FM_OWN, "L", 2, sizeof(sa_family_t), PT_OK,
	  { OK, E(EINVAL), E(EINVAL), E(EINVAL), E(EINVAL) } },
	{ "len_family_only_unspec", FM_UNSPEC, "L", 2, sizeof(sa_family_t),
	  PT_OK, { E(EINVAL), E(EINVAL), OK, E(EINVAL), E(EINVAL) } },
	{ "len_family_only_inet", FM_INET, "L", 2, sizeof(sa_family_t), PT_OK,
	  ALL(E(EINVAL)) },
	{ "len_family_only_other", FM_OTHER, "L", 2, sizeof(sa_family_t),
	  PT_OK, { OK, E(EINVAL), E(EINVAL), E(EINVAL), E(EINVAL) } },
	{ "abstract_empty", FM_OWN, "", 1, LEN_NAME, PT_OK,
	  BINDONLY(ECONNREFUSED) },
	{ "path_unterminated", FM_OWN, "L", 1, LEN_NAME, PT_OK, ALLOK },
	{ "path_nul_then_junk", FM_OWN, "L\0junk", 6, LEN_NAME, PT_OK, ALLOK },
	{ "path_len_sockaddr_un", FM_OWN, "L", 2, sizeof(struct sockaddr_un),
	  PT_OK, ALLOK },
	{ "path_108_unterminated", FM_OWN, A108, 108, LEN_NAME, PT_OK,
	  BINDONLY(ENOENT) },
	{ "path_107_terminated", FM_OWN, A108, 107, sizeof(struct sockaddr_un),
	  PT_OK, BINDONLY(ENOENT) },
	{ "path_all_nul", FM_OWN, Z108, 108, LEN_NAME, PT_OK,
	  BINDONLY(ECONNREFUSED) },
	{ "abstract", FM_OWN, ABS_NAME, ABS_LEN, LEN_NAME, PT_OK, ALLOK },
	{ "abstract_family_other", FM_OTHER, ABS_NAME, ABS_LEN, LEN_NAME,
	  PT_OK, ALLOK },
	{ "abstract_trailing_nul", FM_OWN, ABS_NAME "\0", ABS_LEN + 1,
	  LEN_NAME, PT_OK, BINDONLY(ECONNREFUSED) },
	{ "abstract_embedded_nul", FM_OWN, "\0L\0ad", 5, LEN_NAME, PT_OK,
	  BINDONLY(ECONNREFUSED) },
	{ "abstract_prefix", FM_OWN, ABS_NAME, ABS_LEN - 1, LEN_NAME, PT_OK,
	  BINDONLY(ECONNREFUSED) },
	{ "abstract_len_sockaddr_un", FM_OWN, ABS_NAME, ABS_LEN,
	  sizeof(struct sockaddr_un), PT_OK, BINDONLY(ECONNREFUSED) },
	{ "len_sockaddr_un_plus_1", FM_OWN, "L", 2,
	  sizeof(struct sockaddr_un) + 1, PT_OK, ALL(E(EINVAL)) },
	{ "len_sockaddr_storage", FM_OWN, "L", 2,
	  sizeof(struct sockaddr_storage), PT_OK, ALL(E(EINVAL)) },
	{ "len_sockaddr_storage_plus_1", FM_OWN, "L", 2,
	  sizeof(struct sockaddr_storage) + 1, PT_OK, ALL(E(EINVAL)) },
	{ "len_4096", FM_OWN, "L", 2, 4096, PT_OK, ALL(E(EINVAL)) },
	{ "len_negative", FM_OWN, "L", 2, -1, PT_OK, ALL(E(EINVAL)) },
	{ "len_int_min", FM_OWN, "L", 2, INT_MIN, PT_OK, ALL(E(EINVAL)) },
	{ "ptr_null", FM_OWN, "L", 2, sizeof(struct sockaddr_un), PT_NULL,
	  { E(EFAULT), E(EFAULT), E(EFAULT), E(ENOTCONN), E(ENOTCONN) } },
	{ "ptr_null_len_0", FM_OWN, "L", 2, 0, PT_NULL,
	  { E(EINVAL), E(EINVAL), E(EINVAL), E(ENOTCONN), E(ENOTCONN) } },
	{ "ptr_unmapped", FM_OWN, "L", 2, sizeof(struct sockaddr_un), PT_NONE,
	  ALL(E(EFAULT)) },
	{ "ptr_unmapped_len_0", FM_OWN, "L", 2, 0, PT_NONE,
	  { E(EINVAL), E(EINVAL), E(EINVAL), E(ENOTCONN), E(ENOTCONN) } },
	{ "ptr_read_only", FM_OWN, "L", 2, LEN_NAME, PT_RO, ALLOK },
	{ "ptr_straddles_unmapped", FM_OWN, "L", 2,
	  sizeof(struct sockaddr_un), PT_EDGE, ALL(E(EFAULT)) },
	{ "ptr_ends_at_unmapped", FM_OWN, "L", 2, LEN_NAME, PT_EDGE_FITS,
	  ALLOK },
};

/* The family number a case's sun_family stands for, for a socket of @sfam. */
static int addr_family(struct grp *g, int fm, int sfam, bool ref)
{
	switch (fm) {
	case FM_OWN:
		return sfam;
	case FM_UNIX:
		return AF_UNIX;
	case FM_OTHER:
		/*
		 * The rule: the variant takes the other family's number if
		 * it is AF_UNIX (punix variant) and refuses it if not
		 * (native variant, where it is punix's).  AF_UNIX is asked
		 * the same question: AF_UNIX, or a family it refuses.
		 */
		if (!ref)
			return g->other;
		return g->other == AF_UNIX ? AF_UNIX : AF_INET;
	case FM_INET:
		return AF_INET;
	case FM_UNSPEC:
		return AF_UNSPEC;
	case FM_MAXP1:
		return AF_MAX + 1;
	default:
		return 0xffff;
	}
}

static struct res addr_run(struct grp *g, const struct addr_case *c,
			   int op, int fam, bool ref)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct res r = { -2, 0, 0 };
	int s = -1, lp = -1, la = -1, type;
	socklen_t nlen;
	struct msghdr mh;
	struct iovec iov;
	long len;
	void *p;

	run_begin(g);
	type = op == AOP_BIND || op == AOP_CONNECT ? SOCK_STREAM : SOCK_DGRAM;
	if (op != AOP_BIND) {
		lp = bound(g, fam, type, false);
		la = bound(g, fam, type, true);
	}
	s = sock(g, fam, type);
	if (s < 0 || (op != AOP_BIND && (lp < 0 || la < 0))) {
		r.aux = -1000 - errno;
		goto out;
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = addr_family(g, c->fam, fam, ref);
	memcpy(sun->sun_path, c->path, c->plen);
	len = c->len == LEN_NAME ? (long)SUN_HDR + c->plen : c->len;
	switch (c->ptr) {
	case PT_NULL:
		p = NULL;
		break;
	case PT_NONE:
		p = mem_none;
		break;
	case PT_RO:
		p = ro_copy(&ss, sizeof(ss));
		break;
	case PT_EDGE:
		p = edge_copy(&ss, 60);
		break;
	case PT_EDGE_FITS:
		p = edge_copy(&ss, len);
		break;
	default:
		p = &ss;
	}
	switch (op) {
	case AOP_BIND:
		CALL(r, bind(s, p, (socklen_t)len));
		break;
	case AOP_CONNECT:
	case AOP_DCONNECT:
		CALL(r, connect(s, p, (socklen_t)len));
		break;
	case AOP_SENDTO:
		CALL(r, sendto(s, "x", 1, MSG_DONTWAIT, p, (socklen_t)len));
		break;
	default:
		iov.iov_base = "x";
		iov.iov_len = 1;
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = p;
		mh.msg_namelen = (socklen_t)len;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		CALL(r, sendmsg(s, &mh, MSG_DONTWAIT));
	}
	/* What the call left: our name, our peer, where the byte went. */
	memset(&ss, 0, sizeof(ss));
	nlen = sizeof(ss);
	switch (op) {
	case AOP_BIND:
		r.aux = getsockname(s, (struct sockaddr *)&ss, &nlen) ?
			-errno : (long)nlen;
		break;
	case AOP_CONNECT:
	case AOP_DCONNECT:
		r.aux = getpeername(s, (struct sockaddr *)&ss, &nlen) ?
			-errno : (long)nlen;
		break;
	default:
		r.aux = 100 * inq(lp) + inq(la);
	}
out:
	run_end(g);
	return r;
}

static void grp_addresses(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int op;

	grp_begin(_metadata, &g, "addresses", family, dir);
	for (i = 0; i < ARRAY_SIZE(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];

		for (op = 0; op < AOP_N; op++) {
			struct want w = c->w[op];
			struct res ref, got;

			if (c->fam == FM_OTHER && g.other != AF_UNIX)
				w = (struct want)E(EINVAL);
			if (!mine(&g))
				continue;
			ref = addr_run(&g, c, op, AF_UNIX, true);
			got = addr_run(&g, c, op, family, false);
			check(&g, aop_name[op], c->name, w, ref, got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * Names the kernel writes back: getsockname, getpeername, accept,
 * recvfrom, recvmsg; bad buffers and lengths.
 */

enum { NOP_SOCKNAME, NOP_PEERNAME, NOP_ACCEPT, NOP_RECVFROM, NOP_RECVMSG,
       NOP_STREAM_RECVFROM, NOP_N };
static const char *const nop_name[NOP_N] = {
	"getsockname", "getpeername", "accept", "recvfrom", "recvmsg",
	"stream_recvfrom",
};

#define ALL6(x)	{ x, x, x, x, x, x }

/* Where the name goes, and where its length is. */
enum { NB_OK, NB_NULL, NB_NONE, NB_RO, NB_EDGE };
enum { NL_OK, NL_NULL, NL_NONE, NL_RO };

struct name_case {
	const char *name;
	int buf;
	long len;
	int lenp;
	struct want w[NOP_N];
};

static const struct name_case name_cases[] = {
	{ "len_storage", NB_OK, sizeof(struct sockaddr_storage), NL_OK,
	  ALL6(OK) },
	{ "len_0", NB_OK, 0, NL_OK, ALL6(OK) },
	{ "len_1", NB_OK, 1, NL_OK, ALL6(OK) },
	{ "len_3", NB_OK, 3, NL_OK, ALL6(OK) },
	{ "len_int_max", NB_OK, INT_MAX, NL_OK, ALL6(OK) },
	{ "len_negative", NB_OK, -1, NL_OK, ALL6(E(EINVAL)) },
	{ "buf_null", NB_NULL, sizeof(struct sockaddr_storage), NL_OK,
	  { E(EFAULT), E(EFAULT), OK, OK, OK, OK } },
	{ "buf_unmapped", NB_NONE, sizeof(struct sockaddr_storage), NL_OK,
	  ALL6(E(EFAULT)) },
	{ "buf_read_only", NB_RO, sizeof(struct sockaddr_storage), NL_OK,
	  ALL6(E(EFAULT)) },
	{ "buf_straddles_unmapped", NB_EDGE, sizeof(struct sockaddr_storage),
	  NL_OK, ALL6(E(EFAULT)) },
	{ "lenptr_null", NB_OK, 0, NL_NULL, ALL6(E(EFAULT)) },
	{ "lenptr_unmapped", NB_OK, 0, NL_NONE, ALL6(E(EFAULT)) },
	{ "lenptr_read_only", NB_OK, sizeof(struct sockaddr_storage), NL_RO,
	  ALL6(E(EFAULT)) },
};

static struct res name_run(struct grp *g, const struct name_case *c,
			   int op, int fam)
{
	struct sockaddr_storage ss;
	struct res r = { -2, 0, 0 };
	int s = -1, l, x;
	socklen_t len = (socklen_t)c->len, *lp = &len;
	struct msghdr mh, *mhp = &mh;
	struct iovec iov;
	char buf[16];
	void *p;

	run_begin(g);
	if (op == NOP_STREAM_RECVFROM) {
		/* An accepted socket reading from a client bound at "S". */
		struct sockaddr_un sun;
		socklen_t sl = mk_sun(&sun, fam, "S", 2);

		l = bound(g, fam, SOCK_STREAM, false);
		x = sock(g, fam, SOCK_STREAM);
		if (l < 0 || x < 0 || bind(x, (struct sockaddr *)&sun, sl) ||
		    connect_path(x, fam, "L") || send(x, "abc", 3, 0) != 3)
			goto broken;
		s = T(g, accept4(l, NULL, NULL, SOCK_CLOEXEC));
		if (s < 0)
			goto broken;
	} else if (op == NOP_RECVFROM || op == NOP_RECVMSG) {
		struct sockaddr_un sun;
		socklen_t sl = mk_sun(&sun, fam, "S", 2);

		s = bound(g, fam, SOCK_DGRAM, false);
		x = sock(g, fam, SOCK_DGRAM);
		if (s < 0 || x < 0 || bind(x, (struct sockaddr *)&sun, sl) ||
		    connect_path(x, fam, "L") || send(x, "abc", 3, 0) != 3)
			goto broken;
	} else {
		l = bound(g, fam, SOCK_STREAM, false);
		x = sock(g, fam, SOCK_STREAM);
		if (l < 0 || x < 0 || connect_path(x, fam, "L"))
			goto broken;
		s = op == NOP_SOCKNAME ? l : op == NOP_PEERNAME ? x : l;
	}
	memset(&ss, 0, sizeof(ss));
	switch (c->buf) {
	case NB_NULL:
		p = NULL;
		break;
	case NB_NONE:
		p = mem_none;
		break;
	case NB_RO:
		p = mem_ro;
		break;
	case NB_EDGE:
		p = mem_edge - 1;
		break;
	default:
		p = &ss;
	}
	switch (c->lenp) {
	case NL_NULL:
		lp = NULL;
		mhp = NULL;
		break;
	case NL_NONE:
		lp = (socklen_t *)mem_none;
		mhp = (struct msghdr *)mem_none;
		break;
	case NL_RO:
		lp = ro_copy(&len, sizeof(len));
		break;
	}
	switch (op) {
	case NOP_SOCKNAME:
		CALL(r, getsockname(s, p, lp));
		break;
	case NOP_PEERNAME:
		CALL(r, getpeername(s, p, lp));
		break;
	case NOP_ACCEPT:
		CALL(r, accept4(s, p, lp, SOCK_CLOEXEC));
		if (r.ret >= 0) {
			close(r.ret);
			r.ret = 0;
		}
		break;
	case NOP_RECVFROM:
	case NOP_STREAM_RECVFROM:
		CALL(r, recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT, p, lp));
		break;
	default:
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = p;
		mh.msg_namelen = len;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (c->lenp == NL_RO)
			mhp = ro_copy(&mh, sizeof(mh));
		CALL(r, recvmsg(s, mhp, MSG_DONTWAIT));
		len = mh.msg_namelen;
	}
	/* The length written back; whether the datagram/connection is left. */
	r.aux = 1000L * (long)len;
	if (op == NOP_RECVFROM || op == NOP_RECVMSG ||
	    op == NOP_STREAM_RECVFROM) {
		r.aux += inq(s);
	} else if (op == NOP_ACCEPT) {
		x = set_nonblock(s) ? -1 :
		    accept4(s, NULL, NULL, SOCK_CLOEXEC);
		r.aux += x >= 0 ? 1 : -errno;
		if (x >= 0)
			close(x);
	}
	if (c->buf == NB_OK && r.ret >= 0)
		r.aux += 10 * (ss.ss_family == fam ? 1 : 2);
	goto out;
broken:
	r.aux = -1000 - errno;
out:
	run_end(g);
	return r;
}

static void grp_names(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int op;

	grp_begin(_metadata, &g, "names", family, dir);
	for (i = 0; i < ARRAY_SIZE(name_cases); i++) {
		for (op = 0; op < NOP_N; op++) {
			const struct name_case *c = &name_cases[i];
			struct res ref, got;

			if (!mine(&g))
				continue;
			ref = name_run(&g, c, op, AF_UNIX);
			got = name_run(&g, c, op, family);
			check(&g, nop_name[op], c->name, c->w[op], ref, got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * Data buffers, iovecs and lengths, on stream, seqpacket and dgram pairs.
 */

static const int types[3] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
static const char *const type_name[3] = { "stream", "seqpacket", "dgram" };

enum {
	B_SEND_NULL, B_SEND_NULL_0, B_SEND_NONE, B_SEND_RO, B_SEND_EDGE,
	B_SEND_HUGE, B_WRITEV_NEGLEN, B_WRITEV_MAXIOV_1, B_WRITEV_MAXIOV,
	B_SENDMSG_MAXIOV_1, B_SENDMSG_IOVLEN_HUGE, B_WRITEV_NEGCNT,
	B_SENDMSG_IOV_NULL, B_SENDMSG_IOV_NONE, B_SENDMSG_IOV_RO,
	B_SENDMSG_NULL_BASE_0, B_SENDMSG_IOV2_NONE, B_SENDMSG_IOV_1G_X3,
	B_SENDMSG_MSGHDR_NULL, B_SENDMSG_MSGHDR_NONE,
	B_RECV_NULL, B_RECV_NONE, B_RECV_RO, B_RECV_EDGE, B_RECV_LEN0,
	B_RECV_HUGE, B_RECV_NULL_EMPTY, B_READV_MAXIOV_1, B_RECVMSG_MAXIOV_1,
	B_RECVMSG_IOV_NONE, B_RECVMSG_IOV_RO, B_RECV_TRUNC_NULL,
	B_RECV_PEEK_NULL, B_RECVMSG_IOV2_NONE,
};

struct buf_case {
	const char *name;
	int id;
	struct want w[3];	/* stream, seqpacket, dgram */
};

#define SAME(x)	{ x, x, x }

static const struct buf_case buf_cases[] = {
	{ "send_null", B_SEND_NULL, SAME(E(EFAULT)) },
	{ "send_null_len_0", B_SEND_NULL_0, SAME(R(0)) },
	{ "send_unmapped", B_SEND_NONE, SAME(E(EFAULT)) },
	{ "send_read_only", B_SEND_RO, SAME(R(10)) },
	{ "send_straddles_unmapped", B_SEND_EDGE, SAME(E(EFAULT)) },
	{ "send_len_size_max", B_SEND_HUGE,
	  { E(EFAULT), E(EMSGSIZE), E(EMSGSIZE) } },
	{ "writev_len_negative", B_WRITEV_NEGLEN, SAME(E(EINVAL)) },
	{ "writev_uio_maxiov_plus_1", B_WRITEV_MAXIOV_1, SAME(E(EINVAL)) },
	{ "writev_uio_maxiov", B_WRITEV_MAXIOV, SAME(R(UIO_MAXIOV)) },
	{ "sendmsg_uio_maxiov_plus_1", B_SENDMSG_MAXIOV_1, SAME(E(EMSGSIZE)) },
	{ "sendmsg_iovlen_size_max", B_SENDMSG_IOVLEN_HUGE,
	  SAME(E(EMSGSIZE)) },
	{ "writev_iovcnt_negative", B_WRITEV_NEGCNT, SAME(E(EINVAL)) },
	{ "sendmsg_iov_null", B_SENDMSG_IOV_NULL, SAME(E(EFAULT)) },
	{ "sendmsg_iov_unmapped", B_SENDMSG_IOV_NONE, SAME(E(EFAULT)) },
	{ "sendmsg_iov_read_only", B_SENDMSG_IOV_RO, SAME(R(3)) },
	{ "sendmsg_null_base_len_0", B_SENDMSG_NULL_BASE_0, SAME(R(0)) },
	{ "sendmsg_second_iov_unmapped", B_SENDMSG_IOV2_NONE, SAME(AFU) },
	{ "sendmsg_3x1g_overflows_int", B_SENDMSG_IOV_1G_X3,
	  { E(EFAULT), E(EMSGSIZE), E(EMSGSIZE) } },
	{ "sendmsg_msghdr_null", B_SENDMSG_MSGHDR_NULL, SAME(E(EFAULT)) },
	{ "sendmsg_msghdr_unmapped", B_SENDMSG_MSGHDR_NONE, SAME(E(EFAULT)) },
	{ "recv_null", B_RECV_NULL, SAME(E(EFAULT)) },
	{ "recv_unmapped", B_RECV_NONE, SAME(E(EFAULT)) },
	{ "recv_read_only", B_RECV_RO, SAME(E(EFAULT)) },
	{ "recv_straddles_unmapped", B_RECV_EDGE, SAME(AFU) },
	{ "recv_len_0", B_RECV_LEN0, SAME(R(0)) },
	{ "recv_len_size_max", B_RECV_HUGE, SAME(R(3)) },
	{ "recv_null_empty", B_RECV_NULL_EMPTY, SAME(E(EAGAIN)) },
	{ "readv_uio_maxiov_plus_1", B_READV_MAXIOV_1, SAME(E(EINVAL)) },
	{ "recvmsg_uio_maxiov_plus_1", B_RECVMSG_MAXIOV_1, SAME(E(EMSGSIZE)) },
	{ "recvmsg_iov_unmapped", B_RECVMSG_IOV_NONE, SAME(E(EFAULT)) },
	{ "recvmsg_iov_read_only", B_RECVMSG_IOV_RO, SAME(R(3)) },
	{ "recv_trunc_null_len_0", B_RECV_TRUNC_NULL, SAME(AFU) },
	{ "recv_peek_null", B_RECV_PEEK_NULL, SAME(E(EFAULT)) },
	{ "recvmsg_second_iov_unmapped", B_RECVMSG_IOV2_NONE, SAME(AFU) },
};

static struct iovec big_iov[UIO_MAXIOV + 1];
static volatile int neg_one = -1;

static struct res buf_run(struct grp *g, int id, int type, int fam)
{
	struct res r = { -2, 0, 0 };
	struct iovec iov[3];
	struct msghdr mh;
	char buf[16] = "0123456789abcde";
	int a, b, i, fl = MSG_DONTWAIT | MSG_NOSIGNAL;

	run_begin(g);
	if (spair(g, fam, type, &a, &b)) {
		r.aux = -1000 - errno;
		goto out;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	for (i = 0; i <= UIO_MAXIOV; i++) {
		big_iov[i].iov_base = buf + (i & 7);
		big_iov[i].iov_len = 1;
	}
	if (id >= B_RECV_NULL && id != B_RECV_NULL_EMPTY &&
	    send(a, "abc", 3, 0) != 3) {
		r.aux = -2000 - errno;
		goto out;
	}
	switch (id) {
	case B_SEND_NULL:
		CALL(r, send(a, NULL, 1, fl));
		break;
	case B_SEND_NULL_0:
		CALL(r, send(a, NULL, 0, fl));
		break;
	case B_SEND_NONE:
		CALL(r, send(a, mem_none, 10, fl));
		break;
	case B_SEND_RO:
		CALL(r, send(a, ro_copy("0123456789", 10), 10, fl));
		break;
	case B_SEND_EDGE:
		CALL(r, send(a, edge_copy("01234", 5), 10, fl));
		break;
	case B_SEND_HUGE:
		CALL(r, send(a, mem_rw, SIZE_MAX, fl));
		break;
	case B_WRITEV_NEGLEN:
		iov[0].iov_len = (size_t)-1;
		CALL(r, writev(a, iov, 1));
		break;
	case B_WRITEV_MAXIOV_1:
		CALL(r, writev(a, big_iov, UIO_MAXIOV + 1));
		break;
	case B_WRITEV_MAXIOV:
		CALL(r, writev(a, big_iov, UIO_MAXIOV));
		break;
	case B_SENDMSG_MAXIOV_1:
		mh.msg_iov = big_iov;
		mh.msg_iovlen = UIO_MAXIOV + 1;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_IOVLEN_HUGE:
		mh.msg_iovlen = SIZE_MAX;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_WRITEV_NEGCNT:
		/* Through a variable: the compiler refuses a literal -1. */
		CALL(r, writev(a, iov, neg_one));
		break;
	case B_SENDMSG_IOV_NULL:
		mh.msg_iov = NULL;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_IOV_NONE:
		mh.msg_iov = (struct iovec *)mem_none;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_IOV_RO:
		mh.msg_iov = ro_copy(iov, sizeof(iov[0]));
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_NULL_BASE_0:
		iov[0].iov_base = NULL;
		iov[0].iov_len = 0;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_IOV2_NONE:
		iov[1].iov_base = mem_none;
		iov[1].iov_len = 3;
		mh.msg_iovlen = 2;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_IOV_1G_X3:
		for (i = 0; i < 3; i++) {
			iov[i].iov_base = mem_rw;
			iov[i].iov_len = 1UL << 30;
		}
		mh.msg_iovlen = 3;
		CALL(r, sendmsg(a, &mh, fl));
		break;
	case B_SENDMSG_MSGHDR_NULL:
		CALL(r, sendmsg(a, NULL, fl));
		break;
	case B_SENDMSG_MSGHDR_NONE:
		CALL(r, sendmsg(a, (struct msghdr *)mem_none, fl));
		break;
	case B_RECV_NULL:
		CALL(r, recv(b, NULL, 10, fl));
		break;
	case B_RECV_NONE:
		CALL(r, recv(b, mem_none, 10, fl));
		break;
	case B_RECV_RO:
		CALL(r, recv(b, mem_ro, 10, fl));
		break;
	case B_RECV_EDGE:
		CALL(r, recv(b, mem_edge - 2, 10, fl));
		break;
	case B_RECV_LEN0:
		CALL(r, recv(b, buf, 0, fl));
		break;
	case B_RECV_HUGE:
		CALL(r, recv(b, buf, SIZE_MAX, fl));
		break;
	case B_RECV_NULL_EMPTY:
		CALL(r, recv(b, NULL, 10, fl));
		break;
	case B_READV_MAXIOV_1:
		CALL(r, readv(b, big_iov, UIO_MAXIOV + 1));
		break;
	case B_RECVMSG_MAXIOV_1:
		mh.msg_iov = big_iov;
		mh.msg_iovlen = UIO_MAXIOV + 1;
		CALL(r, recvmsg(b, &mh, fl));
		break;
	case B_RECVMSG_IOV_NONE:
		mh.msg_iov = (struct iovec *)mem_none;
		CALL(r, recvmsg(b, &mh, fl));
		break;
	case B_RECVMSG_IOV_RO:
		iov[0].iov_len = sizeof(buf);
		mh.msg_iov = ro_copy(iov, sizeof(iov[0]));
		CALL(r, recvmsg(b, &mh, fl));
		break;
	case B_RECV_TRUNC_NULL:
		CALL(r, recv(b, NULL, 0, fl | MSG_TRUNC));
		break;
	case B_RECV_PEEK_NULL:
		CALL(r, recv(b, NULL, 10, fl | MSG_PEEK));
		break;
	case B_RECVMSG_IOV2_NONE:
		iov[0].iov_len = 1;
		iov[1].iov_base = mem_none;
		iov[1].iov_len = 10;
		mh.msg_iovlen = 2;
		CALL(r, recvmsg(b, &mh, fl));
		break;
	}
	/* What is left queued at the receiving end. */
	r.aux = inq(b);
out:
	run_end(g);
	return r;
}

static void grp_buffers(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int t;

	grp_begin(_metadata, &g, "buffers", family, dir);
	for (i = 0; i < ARRAY_SIZE(buf_cases); i++) {
		for (t = 0; t < 3; t++) {
			const struct buf_case *c = &buf_cases[i];
			struct res ref, got;

			if (!mine(&g))
				continue;
			ref = buf_run(&g, c->id, types[t], AF_UNIX);
			got = buf_run(&g, c->id, types[t], family);
			check(&g, type_name[t], c->name, c->w[t], ref, got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * Control messages on a sendmsg() of one byte; the receiver then counts
 * the bytes and files that arrived (closing the files).
 */

enum {
	C_NULL_16, C_NONE_16, C_NONE_0, C_RO_RIGHTS, C_LEN_8, C_LEN_15,
	C_LEN_HUGE, C_LEN_1M, C_RIGHTS_HDR_PLUS_3, C_RIGHTS_PLUS_2,
	C_THEN_TRUNC_HDR, C_THEN_ZERO_LEN, C_THEN_OVERLONG, C_LEVEL_NEG,
	C_TYPE_SECURITY, C_TYPE_PIDFD, C_TYPE_MARK, C_TYPE_NEG, C_TYPE_TIMESTAMP,
	C_FD_EPOLL, C_FD_IO_URING, C_FD_SELF, C_FD_RECEIVER, C_FD_OPATH_DIR,
	C_FD_OPATH_SOCKET, C_FD_PIDFD, C_FD_TWICE, C_CREDS_RIGHTS,
	C_CREDS_TWICE, C_FLAG_CMSG_COMPAT, C_EDGE, C_RIGHTS_EXTRA_PAD,
};

struct cmsg_case {
	const char *name;
	int id;
	struct want w;
};

/*
 * The i386 build's sendmsg() goes through the compat conversion of the
 * control buffer (cmsghdr_from_user_compat_to_kern()), which refuses with
 * EINVAL a buffer that has no complete cmsghdr or ends in a partial one,
 * where the native path ignores the rest: those entries are AF_UNIX's
 * answer there (the family's must still be the same).
 */
#ifdef __i386__
#define NATIVE(w)	AFU
#else
#define NATIVE(w)	w
#endif

static const struct cmsg_case cmsg_cases[] = {
	{ "control_null", C_NULL_16, NATIVE(E(EFAULT)) },
	{ "control_unmapped", C_NONE_16, E(EFAULT) },
	{ "control_unmapped_len_0", C_NONE_0, R(1) },
	{ "control_read_only", C_RO_RIGHTS, R(1) },
	{ "controllen_8", C_LEN_8, NATIVE(R(1)) },
	{ "controllen_15", C_LEN_15, NATIVE(R(1)) },
	{ "controllen_above_int_max", C_LEN_HUGE, E(ENOBUFS) },
	{ "controllen_1mib", C_LEN_1M, AFU },
	{ "rights_len_header_plus_3", C_RIGHTS_HDR_PLUS_3, R(1) },
	{ "rights_len_one_fd_plus_2", C_RIGHTS_PLUS_2, NATIVE(R(1)) },
	{ "rights_then_truncated_header", C_THEN_TRUNC_HDR, NATIVE(R(1)) },
	{ "rights_then_zero_len_cmsg", C_THEN_ZERO_LEN, E(EINVAL) },
	{ "rights_then_overlong_cmsg", C_THEN_OVERLONG, E(EINVAL) },
	{ "level_minus_1", C_LEVEL_NEG, R(1) },
	{ "type_scm_security", C_TYPE_SECURITY, E(EINVAL) },
	{ "type_scm_pidfd", C_TYPE_PIDFD, E(EINVAL) },
	{ "type_so_mark", C_TYPE_MARK, E(EINVAL) },
	{ "type_minus_1", C_TYPE_NEG, E(EINVAL) },
	{ "type_scm_timestamp", C_TYPE_TIMESTAMP, E(EINVAL) },
	{ "fd_epoll", C_FD_EPOLL, R(1) },
	{ "fd_io_uring", C_FD_IO_URING, AFU },
	{ "fd_sender_itself", C_FD_SELF, R(1) },
	{ "fd_receiver_itself", C_FD_RECEIVER, R(1) },
	{ "fd_o_path_dir", C_FD_OPATH_DIR, R(1) },
	{ "fd_o_path_socket_node", C_FD_OPATH_SOCKET, R(1) },
	{ "fd_pidfd", C_FD_PIDFD, R(1) },
	{ "fd_same_twice", C_FD_TWICE, R(1) },
	{ "creds_and_rights", C_CREDS_RIGHTS, R(1) },
	{ "creds_twice", C_CREDS_TWICE, AFU },
	/* EINVAL with CONFIG_COMPAT; ignored without (the debug kernel). */
	{ "flag_msg_cmsg_compat", C_FLAG_CMSG_COMPAT, AFU },
	{ "control_straddles_unmapped", C_EDGE, E(EFAULT) },
	{ "rights_len_past_padding", C_RIGHTS_EXTRA_PAD, AFU },
};

/* Received: bytes * 100 + files (closed), or -errno. */
static long drain_files(int fd)
{
	char buf[64], cbuf[CMSG_SPACE(sizeof(int) * 16) * 4];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	long n, files = 0;
	int i, *fds;

	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)CMSG_DATA(cm);
		for (i = 0; i < (int)((cm->cmsg_len - CMSG_LEN(0)) / 4); i++) {
			close(fds[i]);
			files++;
		}
	}
	return n * 100 + files + (mh.msg_flags & MSG_CTRUNC ? 10000 : 0);
}

static int io_uring_fd(void)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	return syscall(__NR_io_uring_setup, 2, &p);
}

static struct res cmsg_run(struct grp *g, int id, int type, int fam)
{
	union {
		char buf[4096];
		struct cmsghdr align;
	} u;
	struct cmsghdr *cm = &u.align, *cm2;
	struct res r = { -2, 0, 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int a, b, fd = -1, flags = MSG_DONTWAIT | MSG_NOSIGNAL;
	struct ucred uc = { getpid(), getuid(), getgid() };

	run_begin(g);
	memset(&u, 0, sizeof(u));
	if (spair(g, fam, type, &a, &b)) {
		r.aux = -1000 - errno;
		goto out;
	}
	switch (id) {
	case C_FD_EPOLL:
		fd = T(g, epoll_create1(EPOLL_CLOEXEC));
		break;
	case C_FD_IO_URING:
		/* Without io_uring, fd -1: EBADF in both families. */
		fd = T(g, io_uring_fd());
		break;
	case C_FD_SELF:
		fd = a;
		break;
	case C_FD_RECEIVER:
		fd = b;
		break;
	case C_FD_OPATH_DIR:
		fd = T(g, open(".", O_PATH | O_CLOEXEC));
		break;
	case C_FD_OPATH_SOCKET:
		if (bound(g, fam, SOCK_STREAM, false) >= 0)
			fd = T(g, open("L", O_PATH | O_CLOEXEC));
		break;
	case C_FD_PIDFD:
		fd = T(g, syscall(__NR_pidfd_open, getpid(), 0));
		break;
	default:
		fd = T(g, open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	}
	/* One SCM_RIGHTS cmsg with @fd, the default control. */
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	mh.msg_control = cm;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm2 = (struct cmsghdr *)(u.buf + CMSG_SPACE(sizeof(int)));
	switch (id) {
	case C_NULL_16:
		mh.msg_control = NULL;
		mh.msg_controllen = sizeof(struct cmsghdr);
		break;
	case C_NONE_16:
		mh.msg_control = mem_none;
		mh.msg_controllen = sizeof(struct cmsghdr);
		break;
	case C_NONE_0:
		mh.msg_control = mem_none;
		mh.msg_controllen = 0;
		break;
	case C_RO_RIGHTS:
		mh.msg_control = ro_copy(cm, CMSG_SPACE(sizeof(int)));
		break;
	case C_LEN_8:
		mh.msg_controllen = 8;
		break;
	case C_LEN_15:
		mh.msg_controllen = 15;
		break;
	case C_LEN_HUGE:
		mh.msg_controllen = (size_t)INT_MAX + 1;
		break;
	case C_LEN_1M:
		mh.msg_controllen = 1 << 20;
		break;
	case C_RIGHTS_HDR_PLUS_3:
		cm->cmsg_len = CMSG_LEN(0) + 3;
		break;
	case C_RIGHTS_PLUS_2:
		cm->cmsg_len = CMSG_LEN(sizeof(int)) + 2;
		break;
	case C_RIGHTS_EXTRA_PAD:
		/* Past the aligned space but inside msg_controllen. */
		cm->cmsg_len = CMSG_SPACE(sizeof(int)) + 4;
		mh.msg_controllen = CMSG_SPACE(sizeof(int)) + 8;
		break;
	case C_THEN_TRUNC_HDR:
		mh.msg_controllen += 8;
		cm2->cmsg_len = 100;
		break;
	case C_THEN_ZERO_LEN:
		mh.msg_controllen += CMSG_SPACE(sizeof(int));
		cm2->cmsg_len = 0;
		cm2->cmsg_level = SOL_SOCKET;
		cm2->cmsg_type = SCM_RIGHTS;
		break;
	case C_THEN_OVERLONG:
		mh.msg_controllen += CMSG_SPACE(sizeof(int));
		cm2->cmsg_len = 1000;
		cm2->cmsg_level = SOL_SOCKET;
		cm2->cmsg_type = SCM_RIGHTS;
		break;
	case C_LEVEL_NEG:
		cm->cmsg_level = -1;
		break;
	case C_TYPE_SECURITY:
		cm->cmsg_type = SCM_SECURITY;
		break;
	case C_TYPE_PIDFD:
		cm->cmsg_type = SCM_PIDFD;
		break;
	case C_TYPE_MARK:
		cm->cmsg_type = SO_MARK;
		break;
	case C_TYPE_NEG:
		cm->cmsg_type = -1;
		break;
	case C_TYPE_TIMESTAMP:
		cm->cmsg_type = SCM_TIMESTAMP;
		break;
	case C_FD_TWICE:
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm) + sizeof(int), &fd, sizeof(int));
		mh.msg_controllen = CMSG_SPACE(2 * sizeof(int));
		break;
	case C_CREDS_TWICE:
		/* Two SCM_CREDENTIALS, no SCM_RIGHTS. */
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
		cm2 = (struct cmsghdr *)(u.buf + CMSG_SPACE(sizeof(uc)));
		mh.msg_controllen = CMSG_SPACE(sizeof(uc));
		/* fall through */
	case C_CREDS_RIGHTS:
		cm2->cmsg_level = SOL_SOCKET;
		cm2->cmsg_type = SCM_CREDENTIALS;
		cm2->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm2), &uc, sizeof(uc));
		mh.msg_controllen += CMSG_SPACE(sizeof(uc));
		break;
	case C_FLAG_CMSG_COMPAT:
		flags |= MSG_CMSG_COMPAT;
		break;
	case C_EDGE:
		mh.msg_control = edge_copy(cm, 8);
		break;
	}
	CALL(r, sendmsg(a, &mh, flags));
	r.aux = drain_files(b);
out:
	run_end(g);
	return r;
}

static void grp_control(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int t;

	grp_begin(_metadata, &g, "control", family, dir);
	for (i = 0; i < ARRAY_SIZE(cmsg_cases); i++) {
		for (t = 0; t < 3; t++) {
			const struct cmsg_case *c = &cmsg_cases[i];
			struct res ref, got;

			if (!mine(&g))
				continue;
			ref = cmsg_run(&g, c->id, types[t], AF_UNIX);
			got = cmsg_run(&g, c->id, types[t], family);
			check(&g, type_name[t], c->name, c->w, ref, got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * MSG_ flags, known to other families or unknown, on send and on recv.
 */

struct flag_case {
	const char *name;
	unsigned int flag;
	struct want send, recv;
};

static const struct flag_case flag_cases[] = {
	{ "peek", MSG_PEEK, R(3), R(3) },
	{ "dontroute", MSG_DONTROUTE, R(3), R(3) },
	{ "ctrunc", MSG_CTRUNC, R(3), R(3) },
	{ "probe", MSG_PROBE, AFU, AFU },
	{ "trunc", MSG_TRUNC, R(3), AFU },
	{ "eor", MSG_EOR, AFU, AFU },
	{ "waitall", MSG_WAITALL, R(3), R(3) },
	{ "fin", MSG_FIN, AFU, AFU },
	{ "syn", MSG_SYN, AFU, AFU },
	{ "confirm", MSG_CONFIRM, AFU, AFU },
	{ "rst", MSG_RST, AFU, AFU },
	{ "errqueue", MSG_ERRQUEUE, AFU, AFU },
	{ "more", MSG_MORE, AFU, AFU },
	{ "waitforone", MSG_WAITFORONE, AFU, AFU },
	{ "batch", MSG_BATCH, AFU, AFU },
	{ "bit_0x20000", 0x20000, AFU, AFU },
	{ "bit_0x80000", 0x80000, AFU, AFU },
	{ "bit_0x100000", 0x100000, AFU, AFU },
	{ "bit_0x200000", 0x200000, AFU, AFU },
	{ "bit_0x400000", 0x400000, AFU, AFU },
	{ "bit_0x800000", 0x800000, AFU, AFU },
	{ "bit_0x1000000", 0x1000000, AFU, AFU },
	{ "bit_0x2000000", 0x2000000, AFU, AFU },
	{ "zerocopy", MSG_ZEROCOPY, AFU, AFU },
	{ "splice_pages_bit", 0x8000000, AFU, AFU },
	{ "bit_0x10000000", 0x10000000, AFU, AFU },
	{ "fastopen", MSG_FASTOPEN, AFU, AFU },
	{ "cmsg_cloexec", MSG_CMSG_CLOEXEC, AFU, R(3) },
	{ "cmsg_compat", MSG_CMSG_COMPAT, AFU, AFU },
	{ "all_bits", ~0u & ~(MSG_OOB | MSG_CMSG_COMPAT), AFU, AFU },
};

static struct res flag_run(struct grp *g, unsigned int flag, bool rcv,
			   int type, int fam)
{
	struct res r = { -2, 0, 0 };
	char buf[16];
	int a, b;

	run_begin(g);
	if (spair(g, fam, type, &a, &b)) {
		r.aux = -1000 - errno;
		goto out;
	}
	if (rcv) {
		if (send(a, "abc", 3, 0) != 3) {
			r.aux = -2000 - errno;
			goto out;
		}
		CALL(r, recv(b, buf, sizeof(buf), flag | MSG_DONTWAIT));
	} else {
		CALL(r, send(a, "abc", 3, flag | MSG_DONTWAIT | MSG_NOSIGNAL));
	}
	r.aux = inq(b) * 1000 + poll_now(a);
out:
	run_end(g);
	return r;
}

static void grp_msg_flags(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int t;

	grp_begin(_metadata, &g, "msg_flags", family, dir);
	for (i = 0; i < ARRAY_SIZE(flag_cases) * 2; i++) {
		for (t = 0; t < 3; t++) {
			const struct flag_case *c = &flag_cases[i / 2];
			bool rcv = i % 2;
			char what[32];
			struct res ref, got;

			snprintf(what, sizeof(what), "%s_%s",
				 rcv ? "recv" : "send", type_name[t]);
			if (!mine(&g))
				continue;
			ref = flag_run(&g, c->flag, rcv, types[t], AF_UNIX);
			got = flag_run(&g, c->flag, rcv, types[t], family);
			check(&g, what, c->name, rcv ? c->recv : c->send, ref,
			      got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * Socket options: every SOL_SOCKET option with short, zero, negative,
 * natural and long lengths and bad pointers; other levels.
 */

#define O_SET	1
#define O_GET	2
#define O_FAMV	4	/* the value is the family (or holds it) */
#define O_VARV	8	/* the value differs per socket: not compared */

struct opt {
	const char *name;
	int level, opt, flags;
	int size;	/* natural length */
};

#define SO(n, f, sz)	{ #n, SOL_SOCKET, n, f, sz }
#define OSG		(O_SET | O_GET)

static const struct opt opts[] = {
	SO(SO_DEBUG, OSG, 4),
	SO(SO_REUSEADDR, OSG, 4),
	SO(SO_REUSEPORT, OSG, 4),
	SO(SO_KEEPALIVE, OSG, 4),
	SO(SO_DONTROUTE, OSG, 4),
	SO(SO_BROADCAST, OSG, 4),
	SO(SO_SNDBUF, OSG, 4),
	SO(SO_RCVBUF, OSG, 4),
	SO(SO_SNDBUFFORCE, O_SET, 4),
	SO(SO_RCVBUFFORCE, O_SET, 4),
	SO(SO_OOBINLINE, OSG, 4),
	SO(SO_NO_CHECK, OSG, 4),
	SO(SO_PRIORITY, OSG, 4),
	SO(SO_LINGER, OSG, 8),
	SO(SO_PASSCRED, OSG, 4),
	SO(SO_PASSSEC, OSG, 4),
	SO(SO_PASSPIDFD, OSG, 4),
	SO(SO_PEEK_OFF, OSG, 4),
	SO(SO_RCVLOWAT, OSG, 4),
	SO(SO_SNDLOWAT, OSG, 4),
	SO(SO_RCVTIMEO, OSG, 16),
	SO(SO_SNDTIMEO, OSG, 16),
	SO(SO_MARK, OSG, 4),
	SO(SO_BINDTODEVICE, OSG, 16),
	SO(SO_BINDTOIFINDEX, OSG, 4),
	SO(SO_ATTACH_FILTER, O_SET, 16),
	SO(SO_DETACH_FILTER, O_SET, 4),
	SO(SO_LOCK_FILTER, OSG, 4),
	SO(SO_ZEROCOPY, OSG, 4),
	SO(SO_INCOMING_CPU, OSG, 4),
	SO(SO_TXTIME, OSG, 8),
	SO(SO_BUSY_POLL, OSG, 4),
	SO(SO_PREFER_BUSY_POLL, OSG, 4),
	SO(SO_BUSY_POLL_BUDGET, OSG, 4),
	SO(SO_MAX_PACING_RATE, OSG, 8),
	SO(SO_WIFI_STATUS, OSG, 4),
	SO(SO_NOFCS, OSG, 4),
	SO(SO_SELECT_ERR_QUEUE, OSG, 4),
	SO(SO_RCVMARK, OSG, 4),
	SO(SO_BUF_LOCK, OSG, 4),
	SO(SO_RESERVE_MEM, OSG, 4),
	SO(SO_TXREHASH, OSG, 4),
	SO(SO_TYPE, O_SET | O_GET, 4),
	SO(SO_DOMAIN, O_SET | O_GET | O_FAMV, 4),
	SO(SO_PROTOCOL, O_GET, 4),
	SO(SO_ERROR, O_SET | O_GET, 4),
	SO(SO_ACCEPTCONN, O_GET, 4),
	SO(SO_PEERCRED, O_SET | O_GET, 12),
	SO(SO_PEERGROUPS, O_GET, 64),
	SO(SO_PEERSEC, O_GET, 64),
	SO(SO_PEERNAME, O_GET | O_FAMV, 128),
	SO(SO_COOKIE, O_GET | O_VARV, 8),
	SO(SO_MEMINFO, O_GET | O_VARV, 36),
	SO(SO_NETNS_COOKIE, O_GET, 8),
	SO(SO_INCOMING_NAPI_ID, O_GET, 4),
	SO(SO_TIMESTAMP_OLD, O_GET, 4),
	SO(SO_TIMESTAMPNS_OLD, O_GET, 4),
	SO(SO_TIMESTAMPING_OLD, O_GET, 4),
	SO(SO_RXQ_OVFL, OSG, 4),
	{ "optname_minus_1", SOL_SOCKET, -1, OSG, 4 },
	{ "optname_1000", SOL_SOCKET, 1000, OSG, 4 },
	{ "level_ip", 0 /* SOL_IP */, 1, OSG, 4 },
	{ "level_tcp", 6 /* SOL_TCP */, 1, OSG, 4 },
	{ "level_packet", SOL_PACKET, 1, OSG, 4 },
	{ "level_287", 287, 1, OSG, 4 },
	{ "level_minus_1", -1, 1, OSG, 4 },
	{ "level_0xffff", 0xffff, 1, OSG, 4 },
};

enum { OV_LEN0, OV_LEN1, OV_NATURAL, OV_LONG, OV_NEG, OV_NULL, OV_NONE,
       OV_LENPTR_NULL, OV_LENPTR_NONE, OV_LENPTR_RO, OV_N };
static const char *const ov_name[OV_N] = {
	"len_0", "len_1", "len_natural", "len_long", "len_negative",
	"val_null", "val_unmapped", "lenptr_null", "lenptr_unmapped",
	"lenptr_read_only",
};

/* The socket an option is asked of (its state decides some answers). */
enum { OT_PAIR, OT_LISTENER, OT_UNCONNECTED, OT_DGRAM, OT_SEQPACKET, OT_N };
static const char *const ot_name[OT_N] = {
	"", "listener_", "unconnected_", "dgram_", "seqpacket_",
};

static int opt_target;

static struct res opt_run(struct grp *g, const struct opt *o, bool set,
			  int v, int fam)
{
	struct res r = { -2, 0, 0 };
	union {
		int i[32];
		long l[16];
		char c[128];
	} val;
	socklen_t len, *lp = &len;
	void *p = &val;
	int a, b, i;

	run_begin(g);
	switch (opt_target) {
	case OT_LISTENER:
		a = bound(g, fam, SOCK_STREAM, false);
		break;
	case OT_UNCONNECTED:
		a = sock(g, fam, SOCK_STREAM);
		break;
	case OT_DGRAM:
		a = bound(g, fam, SOCK_DGRAM, false);
		break;
	default:
		if (spair(g, fam, opt_target == OT_SEQPACKET ?
			  SOCK_SEQPACKET : SOCK_STREAM, &a, &b))
			a = -1;
	}
	if (a < 0) {
		r.aux = -1000 - errno;
		goto out;
	}
	memset(&val, 0, sizeof(val));
	if (set) {
		/* 1 (on, or a small value), "lo" for names, 1 s timeouts. */
		val.i[0] = 1;
		if (o->opt == SO_BINDTODEVICE && o->level == SOL_SOCKET)
			strcpy(val.c, "lo");
		if ((o->opt == SO_RCVTIMEO || o->opt == SO_SNDTIMEO) &&
		    o->level == SOL_SOCKET)
			val.l[0] = 1;
	} else {
		memset(&val, 0x5a, sizeof(val));
	}
	switch (v) {
	case OV_LEN0:
		len = 0;
		break;
	case OV_LEN1:
		len = 1;
		break;
	case OV_LONG:
		len = sizeof(val);
		break;
	case OV_NEG:
		len = (socklen_t)-1;
		break;
	case OV_NULL:
		p = NULL;
		len = o->size;
		break;
	case OV_NONE:
		p = mem_none;
		len = o->size;
		break;
	case OV_LENPTR_NULL:
		lp = NULL;
		len = o->size;
		break;
	case OV_LENPTR_NONE:
		lp = (socklen_t *)mem_none;
		len = o->size;
		break;
	case OV_LENPTR_RO:
		len = o->size;
		lp = ro_copy(&len, sizeof(len));
		break;
	default:
		len = o->size;
	}
	if (set) {
		CALL(r, setsockopt(a, o->level, o->opt, p, len));
		/* The value now, read back with a full length. */
		len = sizeof(val);
		memset(&val, 0, sizeof(val));
		if (getsockopt(a, o->level, o->opt, &val, &len))
			r.aux = -errno;
		else
			r.aux = 1000L * len + (o->flags & O_VARV ? 0 :
					       val.i[0] & 0xffff);
	} else {
		CALL(r, getsockopt(a, o->level, o->opt, p, lp));
		r.aux = 1000L * (lp == &len ? (long)len : 0);
		if (r.ret == 0 && p == &val && !(o->flags & O_VARV)) {
			/* Sum of the bytes written (0x5a where none was). */
			long sum = 0;

			/* The family (first byte): each its own number. */
			if ((o->flags & O_FAMV) && val.c[0] == (char)fam)
				val.c[0] = 'F';
			for (i = 0; i < (int)sizeof(val); i++)
				sum += (unsigned char)val.c[i] * (i % 7 + 1);
			r.aux += sum % 997;
		}
	}
	if (set && (o->flags & O_FAMV)) {
		/* SO_DOMAIN read back: normalise the family. */
		if (r.aux % 1000 == fam)
			r.aux -= fam;
	}
out:
	run_end(g);
	return r;
}

/* set (@set) or get with every length and pointer, on a stream pair. */
static void sockopts_pair(struct __test_metadata *_metadata, int family,
			  const char *dir, bool set, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int v;

	grp_begin(_metadata, &g, set ? "sockopts_set" : "sockopts_get",
		  family, dir);
	opt_target = OT_PAIR;
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		const struct opt *o = &opts[i];

		for (v = 0; v < OV_N; v++) {
			struct want w = AFU;
			struct res ref, got;
			char what[48];

			/*
			 * A negative optlen: setsockopt() refuses it first,
			 * getsockopt() in SOL_SOCKET code only (other levels
			 * go to the family: EOPNOTSUPP, it has no handler).
			 */
			if (v == OV_NEG)
				w = (struct want)E(EINVAL);
			if (set && (o->flags & O_SET) && v <= OV_NONE) {
				snprintf(what, sizeof(what), "set_%s", ov_name[v]);
				if (!mine(&g))
					continue;
				ref = opt_run(&g, o, true, v, AF_UNIX);
				got = opt_run(&g, o, true, v, family);
				check(&g, what, o->name, w, ref, got);
			}
			if (!set && (o->flags & O_GET)) {
				snprintf(what, sizeof(what), "get_%s", ov_name[v]);
				if (v == OV_LENPTR_NULL || v == OV_LENPTR_NONE ||
				    v == OV_LENPTR_RO)
					w = (struct want)AFU;
				if (v == OV_NEG && o->level != SOL_SOCKET)
					w = (struct want)E(EOPNOTSUPP);
				if (!mine(&g))
					continue;
				ref = opt_run(&g, o, false, v, AF_UNIX);
				got = opt_run(&g, o, false, v, family);
				check(&g, what, o->name, w, ref, got);
			}
		}
	}
	grp_end(&g);
}

static void grp_sockopts_set(struct __test_metadata *_metadata, int family,
			     const char *dir, int slice, int nslices)
{
	sockopts_pair(_metadata, family, dir, true, slice, nslices);
}

static void grp_sockopts_get(struct __test_metadata *_metadata, int family,
			     const char *dir, int slice, int nslices)
{
	sockopts_pair(_metadata, family, dir, false, slice, nslices);
}

/* Every getter once more on the other kinds of socket. */
static void grp_sockopts_other_sockets(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int v;

	grp_begin(_metadata, &g, "sockopts_other_sockets", family,
		  dir);
	for (opt_target = OT_LISTENER; opt_target < OT_N; opt_target++) {
		for (i = 0; i < ARRAY_SIZE(opts); i++) {
			const struct opt *o = &opts[i];

			for (v = OV_NATURAL; v <= OV_LONG; v++) {
				struct want w = AFU;
				struct res ref, got;
				char what[48];

				if (!(o->flags & O_GET))
					continue;
				snprintf(what, sizeof(what), "get_%s%s",
					 ot_name[opt_target], ov_name[v]);
				if (!mine(&g))
					continue;
				ref = opt_run(&g, o, false, v, AF_UNIX);
				got = opt_run(&g, o, false, v, family);
				check(&g, what, o->name, w, ref, got);
			}
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * shutdown() with every how, good and bad, on sockets in every state.
 */

enum { SH_STREAM_PAIR, SH_STREAM_UNCONN, SH_LISTENER, SH_DGRAM_UNCONN,
       SH_DGRAM_PAIR, SH_SEQPACKET_PAIR, SH_N };
static const char *const sh_name[SH_N] = {
	"stream_pair", "stream_unconnected", "listener", "dgram_unconnected",
	"dgram_pair", "seqpacket_pair",
};

static const struct {
	const char *name;
	int how;
	struct want w;
} hows[] = {
	{ "shut_rd", SHUT_RD, R(0) },
	{ "shut_wr", SHUT_WR, R(0) },
	{ "shut_rdwr", SHUT_RDWR, R(0) },
	{ "how_3", 3, E(EINVAL) },
	{ "how_4", 4, E(EINVAL) },
	{ "how_255", 255, E(EINVAL) },
	{ "how_minus_1", -1, E(EINVAL) },
	{ "how_int_max", INT_MAX, E(EINVAL) },
	{ "how_int_min", INT_MIN, E(EINVAL) },
};

static struct res shut_run(struct grp *g, int st, int how, int fam)
{
	struct res r = { -2, 0, 0 };
	int a = -1, b = -1, t;

	run_begin(g);
	switch (st) {
	case SH_STREAM_PAIR:
	case SH_DGRAM_PAIR:
	case SH_SEQPACKET_PAIR:
		t = st == SH_STREAM_PAIR ? SOCK_STREAM :
		    st == SH_DGRAM_PAIR ? SOCK_DGRAM : SOCK_SEQPACKET;
		if (spair(g, fam, t, &a, &b))
			a = -1;
		break;
	case SH_STREAM_UNCONN:
		a = sock(g, fam, SOCK_STREAM);
		break;
	case SH_LISTENER:
		a = bound(g, fam, SOCK_STREAM, false);
		break;
	default:
		a = sock(g, fam, SOCK_DGRAM);
	}
	if (a < 0) {
		r.aux = -1000 - errno;
		goto out;
	}
	CALL(r, shutdown(a, how));
	r.aux = poll_now(a) * 1000L + (b >= 0 ? poll_now(b) : 0);
out:
	run_end(g);
	return r;
}

static void grp_shutdown_how(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int st;

	grp_begin(_metadata, &g, "shutdown_how", family, dir);
	for (i = 0; i < ARRAY_SIZE(hows); i++) {
		for (st = 0; st < SH_N; st++) {
			struct res ref, got;

			if (!mine(&g))
				continue;
			ref = shut_run(&g, st, hows[i].how, AF_UNIX);
			got = shut_run(&g, st, hows[i].how, family);
			check(&g, sh_name[st], hows[i].name, hows[i].w, ref,
			      got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * Calls made in socket states where they do not belong.
 */

enum {
	S_LISTEN_CONNECTED, S_LISTEN_ACCEPTED, S_LISTEN_UNBOUND,
	S_LISTEN_DGRAM, S_LISTEN_TWICE, S_LISTEN_NEG_BACKLOG,
	S_LISTEN_SEQPACKET_UNBOUND, S_LISTEN_AFTER_SHUTDOWN,
	S_LISTEN_DGRAM_PAIR, S_CONNECT_LISTENER, S_CONNECT_CONNECTED,
	S_CONNECT_BOUND_NOT_LISTENING, S_CONNECT_AFTER_SHUTDOWN,
	S_CONNECT_DGRAM_SELF, S_CONNECT_SEQPACKET_CONNECTED,
	S_CONNECT_SHUT_LISTENER, S_ACCEPT_UNBOUND, S_ACCEPT_BOUND,
	S_ACCEPT_CONNECTED, S_ACCEPT_DGRAM, S_ACCEPT_EMPTY,
	S_ACCEPT4_BAD_FLAGS, S_ACCEPT_SHUT_LISTENER, S_BIND_TWICE,
	S_BIND_PAIR, S_BIND_LISTENER, S_BIND_AFTER_AUTOBIND,
	S_BIND_ACCEPTED, S_SEND_UNCONNECTED, S_SENDTO_UNCONNECTED_ADDR,
	S_SENDTO_CONNECTED_ADDR, S_SEND_LISTENER, S_RECV_LISTENER,
	S_RECV_UNCONNECTED, S_RECV_SEQPACKET_UNCONNECTED,
	S_SEND_SEQPACKET_UNCONNECTED, S_SENDTO_SEQPACKET_UNCONNECTED_ADDR,
	S_GETPEERNAME_UNCONNECTED, S_GETPEERNAME_LISTENER,
	S_GETPEERNAME_DGRAM, S_RECV_DGRAM_EMPTY, S_SEND_DGRAM_UNCONNECTED,
	S_SIOCINQ_LISTENER, S_SIOCOUTQ_LISTENER, S_SIOCINQ_NULL,
	S_SIOCOUTQ_NONE, S_SEND_DGRAM_SELF, S_SENDTO_SEQPACKET_CONNECTED_ADDR,
	S_RECVMSG_LISTENER_PEEK, S_SEND_AFTER_PEER_SHUT_RD,
};

static const struct {
	const char *name;
	int id;
	struct want w;
} states[] = {
	{ "listen_connected", S_LISTEN_CONNECTED, E(EINVAL) },
	{ "listen_accepted", S_LISTEN_ACCEPTED, E(EINVAL) },
	{ "listen_unbound", S_LISTEN_UNBOUND, E(EINVAL) },
	{ "listen_dgram", S_LISTEN_DGRAM, E(EOPNOTSUPP) },
	{ "listen_twice", S_LISTEN_TWICE, R(0) },
	{ "listen_negative_backlog", S_LISTEN_NEG_BACKLOG, R(0) },
	{ "listen_seqpacket_unbound", S_LISTEN_SEQPACKET_UNBOUND, E(EINVAL) },
	{ "listen_after_shutdown", S_LISTEN_AFTER_SHUTDOWN, AFU },
	{ "listen_dgram_pair", S_LISTEN_DGRAM_PAIR, E(EOPNOTSUPP) },
	{ "connect_listener", S_CONNECT_LISTENER, E(EINVAL) },
	{ "connect_connected", S_CONNECT_CONNECTED, E(EISCONN) },
	{ "connect_bound_not_listening", S_CONNECT_BOUND_NOT_LISTENING,
	  E(ECONNREFUSED) },
	{ "connect_after_shutdown", S_CONNECT_AFTER_SHUTDOWN, AFU },
	{ "connect_dgram_self", S_CONNECT_DGRAM_SELF, R(0) },
	{ "connect_seqpacket_connected", S_CONNECT_SEQPACKET_CONNECTED,
	  E(EISCONN) },
	{ "connect_shut_down_listener", S_CONNECT_SHUT_LISTENER, AFU },
	{ "accept_unbound", S_ACCEPT_UNBOUND, E(EINVAL) },
	{ "accept_bound_not_listening", S_ACCEPT_BOUND, E(EINVAL) },
	{ "accept_connected", S_ACCEPT_CONNECTED, E(EINVAL) },
	{ "accept_dgram", S_ACCEPT_DGRAM, E(EOPNOTSUPP) },
	{ "accept_empty_nonblocking", S_ACCEPT_EMPTY, E(EAGAIN) },
	{ "accept4_bad_flags", S_ACCEPT4_BAD_FLAGS, E(EINVAL) },
	{ "accept_shut_down_listener", S_ACCEPT_SHUT_LISTENER, AFU },
	{ "bind_twice", S_BIND_TWICE, E(EINVAL) },
	{ "bind_socketpair_end", S_BIND_PAIR, R(0) },
	{ "bind_listener", S_BIND_LISTENER, E(EINVAL) },
	{ "bind_after_autobind", S_BIND_AFTER_AUTOBIND, E(EINVAL) },
	{ "bind_accepted", S_BIND_ACCEPTED, AFU },
	{ "send_unconnected_stream", S_SEND_UNCONNECTED, E(ENOTCONN) },
	{ "sendto_unconnected_stream", S_SENDTO_UNCONNECTED_ADDR,
	  E(EOPNOTSUPP) },
	{ "sendto_connected_stream", S_SENDTO_CONNECTED_ADDR, E(EISCONN) },
	{ "send_listener", S_SEND_LISTENER, AFU },
	{ "recv_listener", S_RECV_LISTENER, E(EINVAL) },
	{ "recv_unconnected_stream", S_RECV_UNCONNECTED, AFU },
	{ "recv_unconnected_seqpacket", S_RECV_SEQPACKET_UNCONNECTED, AFU },
	{ "send_unconnected_seqpacket", S_SEND_SEQPACKET_UNCONNECTED,
	  E(ENOTCONN) },
	{ "sendto_unconnected_seqpacket", S_SENDTO_SEQPACKET_UNCONNECTED_ADDR,
	  AFU },
	{ "getpeername_unconnected", S_GETPEERNAME_UNCONNECTED, E(ENOTCONN) },
	{ "getpeername_listener", S_GETPEERNAME_LISTENER, E(ENOTCONN) },
	{ "getpeername_dgram_unconnected", S_GETPEERNAME_DGRAM, E(ENOTCONN) },
	{ "recv_dgram_empty", S_RECV_DGRAM_EMPTY, E(EAGAIN) },
	{ "send_dgram_unconnected", S_SEND_DGRAM_UNCONNECTED, E(ENOTCONN) },
	{ "siocinq_listener", S_SIOCINQ_LISTENER, E(EINVAL) },
	{ "siocoutq_listener", S_SIOCOUTQ_LISTENER, AFU },
	{ "siocinq_null", S_SIOCINQ_NULL, E(EFAULT) },
	{ "siocoutq_unmapped", S_SIOCOUTQ_NONE, E(EFAULT) },
	{ "send_dgram_to_self", S_SEND_DGRAM_SELF, R(1) },
	{ "sendto_connected_seqpacket", S_SENDTO_SEQPACKET_CONNECTED_ADDR,
	  AFU },
	{ "recvmsg_peek_listener", S_RECVMSG_LISTENER_PEEK, E(EINVAL) },
	{ "send_after_peer_shut_rd", S_SEND_AFTER_PEER_SHUT_RD, E(EPIPE) },
};

/* accept() that cannot block: on a non-blocking @fd. */
static int nb_accept(int fd)
{
	if (fd < 0 || set_nonblock(fd))
		return -1;
	return accept4(fd, NULL, NULL, SOCK_CLOEXEC);
}

/* An accept: its fd (if any) is closed with the run, success is 0. */
#define ACC(r, expr) do {						\
	CALL(r, expr);							\
	if ((r).ret >= 0) {						\
		T(g, (r).ret);						\
		(r).ret = 0;						\
	}								\
} while (0)

static struct res state_run(struct grp *g, int id, int fam)
{
	struct res r = { -2, 0, 0 };
	struct sockaddr_un sun;
	socklen_t sl = mk_sun(&sun, fam, "L", 2);
	int a = -1, b = -1, l = -1, n, fl = MSG_DONTWAIT | MSG_NOSIGNAL;
	char buf[16];

	run_begin(g);
	/* Most cases want a stream listener at "L" and/or a pair. */
	switch (id) {
	case S_CONNECT_CONNECTED:
	case S_SENDTO_CONNECTED_ADDR:
		l = bound(g, fam, SOCK_STREAM, false);
		if (l < 0)
			goto broken;
		/* fall through */
	case S_LISTEN_CONNECTED:
	case S_ACCEPT_CONNECTED:
	case S_BIND_PAIR:
	case S_SIOCINQ_NULL:
	case S_SIOCOUTQ_NONE:
	case S_SEND_AFTER_PEER_SHUT_RD:
		if (spair(g, fam, SOCK_STREAM, &a, &b))
			goto broken;
		break;
	case S_LISTEN_DGRAM_PAIR:
		if (spair(g, fam, SOCK_DGRAM, &a, &b))
			goto broken;
		break;
	case S_CONNECT_SEQPACKET_CONNECTED:
	case S_SENDTO_SEQPACKET_CONNECTED_ADDR:
		if (spair(g, fam, SOCK_SEQPACKET, &a, &b))
			goto broken;
		/* Something to connect to, of the same type. */
		l = sock(g, fam, SOCK_SEQPACKET);
		if (l < 0 || bind(l, (struct sockaddr *)&sun, sl) ||
		    listen(l, 4))
			goto broken;
		break;
	case S_LISTEN_ACCEPTED:
	case S_CONNECT_LISTENER:
	case S_LISTEN_TWICE:
	case S_LISTEN_NEG_BACKLOG:
	case S_ACCEPT_EMPTY:
	case S_ACCEPT4_BAD_FLAGS:
	case S_BIND_LISTENER:
	case S_SEND_LISTENER:
	case S_RECV_LISTENER:
	case S_GETPEERNAME_LISTENER:
	case S_SIOCINQ_LISTENER:
	case S_SIOCOUTQ_LISTENER:
	case S_RECVMSG_LISTENER_PEEK:
	case S_ACCEPT_SHUT_LISTENER:
	case S_CONNECT_SHUT_LISTENER:
	case S_CONNECT_AFTER_SHUTDOWN:
	case S_BIND_ACCEPTED:
		l = bound(g, fam, SOCK_STREAM, false);
		if (l < 0)
			goto broken;
		break;
	}
	switch (id) {
	case S_LISTEN_CONNECTED:
		CALL(r, listen(a, 4));
		break;
	case S_LISTEN_ACCEPTED:
	case S_BIND_ACCEPTED:
		b = sock(g, fam, SOCK_STREAM);
		if (b < 0 || connect(b, (struct sockaddr *)&sun, sl))
			goto broken;
		a = T(g, accept4(l, NULL, NULL, SOCK_CLOEXEC));
		if (a < 0)
			goto broken;
		sl = mk_sun(&sun, fam, "M", 2);
		if (id == S_LISTEN_ACCEPTED)
			CALL(r, listen(a, 4));
		else
			CALL(r, bind(a, (struct sockaddr *)&sun, sl));
		break;
	case S_LISTEN_UNBOUND:
		a = sock(g, fam, SOCK_STREAM);
		CALL(r, listen(a, 4));
		break;
	case S_LISTEN_DGRAM:
		a = sock(g, fam, SOCK_DGRAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl))
			goto broken;
		CALL(r, listen(a, 4));
		break;
	case S_LISTEN_TWICE:
		CALL(r, listen(l, 16));
		break;
	case S_LISTEN_NEG_BACKLOG:
		CALL(r, listen(l, -1));
		break;
	case S_LISTEN_SEQPACKET_UNBOUND:
		a = sock(g, fam, SOCK_SEQPACKET);
		CALL(r, listen(a, 4));
		break;
	case S_LISTEN_AFTER_SHUTDOWN:
		a = sock(g, fam, SOCK_STREAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl) ||
		    shutdown(a, SHUT_RDWR))
			goto broken;
		CALL(r, listen(a, 4));
		break;
	case S_LISTEN_DGRAM_PAIR:
		CALL(r, listen(a, 4));
		break;
	case S_CONNECT_LISTENER:
		sl = mk_sun(&sun, fam, "M", 2);
		a = sock(g, fam, SOCK_STREAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl) ||
		    listen(a, 4))
			goto broken;
		sl = mk_sun(&sun, fam, "L", 2);
		CALL(r, connect(a, (struct sockaddr *)&sun, sl));
		break;
	case S_CONNECT_CONNECTED:
	case S_CONNECT_SEQPACKET_CONNECTED:
		CALL(r, connect(a, (struct sockaddr *)&sun, sl));
		break;
	case S_CONNECT_BOUND_NOT_LISTENING:
		a = sock(g, fam, SOCK_STREAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl))
			goto broken;
		b = sock(g, fam, SOCK_STREAM);
		CALL(r, connect(b, (struct sockaddr *)&sun, sl));
		break;
	case S_CONNECT_AFTER_SHUTDOWN:
		a = sock(g, fam, SOCK_STREAM);
		if (a < 0 || shutdown(a, SHUT_RDWR))
			goto broken;
		CALL(r, connect(a, (struct sockaddr *)&sun, sl));
		break;
	case S_CONNECT_DGRAM_SELF:
	case S_SEND_DGRAM_SELF:
		a = sock(g, fam, SOCK_DGRAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl))
			goto broken;
		CALL(r, connect(a, (struct sockaddr *)&sun, sl));
		if (id == S_SEND_DGRAM_SELF && r.ret == 0)
			CALL(r, send(a, "x", 1, fl));
		break;
	case S_CONNECT_SHUT_LISTENER:
	case S_ACCEPT_SHUT_LISTENER:
		if (shutdown(l, SHUT_RDWR))
			goto broken;
		a = sock(g, fam, SOCK_STREAM);
		if (set_nonblock(a))
			goto broken;
		if (id == S_CONNECT_SHUT_LISTENER) {
			CALL(r, connect(a, (struct sockaddr *)&sun, sl));
		} else {
			n = connect(a, (struct sockaddr *)&sun, sl);
			ACC(r, nb_accept(l));
			r.aux = n;
		}
		break;
	case S_ACCEPT_UNBOUND:
		a = sock(g, fam, SOCK_STREAM);
		ACC(r, nb_accept(a));
		break;
	case S_ACCEPT_BOUND:
		a = sock(g, fam, SOCK_STREAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl))
			goto broken;
		ACC(r, nb_accept(a));
		break;
	case S_ACCEPT_CONNECTED:
		ACC(r, nb_accept(a));
		break;
	case S_ACCEPT_DGRAM:
		a = sock(g, fam, SOCK_DGRAM);
		ACC(r, nb_accept(a));
		break;
	case S_ACCEPT_EMPTY:
		ACC(r, nb_accept(l));
		break;
	case S_ACCEPT4_BAD_FLAGS:
		if (set_nonblock(l))
			goto broken;
		ACC(r, accept4(l, NULL, NULL, 0x1234));
		break;
	case S_BIND_TWICE:
		a = sock(g, fam, SOCK_STREAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun, sl))
			goto broken;
		sl = mk_sun(&sun, fam, "M", 2);
		CALL(r, bind(a, (struct sockaddr *)&sun, sl));
		break;
	case S_BIND_PAIR:
		CALL(r, bind(a, (struct sockaddr *)&sun, sl));
		break;
	case S_BIND_LISTENER:
		sl = mk_sun(&sun, fam, "M", 2);
		CALL(r, bind(l, (struct sockaddr *)&sun, sl));
		break;
	case S_BIND_AFTER_AUTOBIND:
		a = sock(g, fam, SOCK_DGRAM);
		if (a < 0 || bind(a, (struct sockaddr *)&sun,
				  sizeof(sa_family_t)))
			goto broken;
		CALL(r, bind(a, (struct sockaddr *)&sun, sl));
		break;
	case S_SEND_UNCONNECTED:
		a = sock(g, fam, SOCK_STREAM);
		CALL(r, send(a, "x", 1, fl));
		break;
	case S_SENDTO_UNCONNECTED_ADDR:
		a = sock(g, fam, SOCK_STREAM);
		CALL(r, sendto(a, "x", 1, fl, (struct sockaddr *)&sun, sl));
		break;
	case S_SENDTO_CONNECTED_ADDR:
	case S_SENDTO_SEQPACKET_CONNECTED_ADDR:
		CALL(r, sendto(a, "x", 1, fl, (struct sockaddr *)&sun, sl));
		break;
	case S_SEND_LISTENER:
		CALL(r, send(l, "x", 1, fl));
		break;
	case S_RECV_LISTENER:
		CALL(r, recv(l, buf, sizeof(buf), fl));
		break;
	case S_RECVMSG_LISTENER_PEEK:
		CALL(r, recv(l, buf, sizeof(buf), fl | MSG_PEEK));
		break;
	case S_RECV_UNCONNECTED:
		a = sock(g, fam, SOCK_STREAM);
		CALL(r, recv(a, buf, sizeof(buf), fl));
		break;
	case S_RECV_SEQPACKET_UNCONNECTED:
		a = sock(g, fam, SOCK_SEQPACKET);
		CALL(r, recv(a, buf, sizeof(buf), fl));
		break;
	case S_SEND_SEQPACKET_UNCONNECTED:
		a = sock(g, fam, SOCK_SEQPACKET);
		CALL(r, send(a, "x", 1, fl));
		break;
	case S_SENDTO_SEQPACKET_UNCONNECTED_ADDR:
		a = sock(g, fam, SOCK_SEQPACKET);
		CALL(r, sendto(a, "x", 1, fl, (struct sockaddr *)&sun, sl));
		break;
	case S_GETPEERNAME_UNCONNECTED:
	case S_GETPEERNAME_DGRAM:
	case S_GETPEERNAME_LISTENER: {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		a = id == S_GETPEERNAME_LISTENER ? l :
		    sock(g, fam, id == S_GETPEERNAME_DGRAM ? SOCK_DGRAM :
			 SOCK_STREAM);
		CALL(r, getpeername(a, (struct sockaddr *)&ss, &len));
		break;
	}
	case S_RECV_DGRAM_EMPTY:
		a = sock(g, fam, SOCK_DGRAM);
		CALL(r, recv(a, buf, sizeof(buf), fl));
		break;
	case S_SEND_DGRAM_UNCONNECTED:
		a = sock(g, fam, SOCK_DGRAM);
		CALL(r, send(a, "x", 1, fl));
		break;
	case S_SIOCINQ_LISTENER:
		CALL(r, ioctl(l, SIOCINQ, &n));
		break;
	case S_SIOCOUTQ_LISTENER:
		CALL(r, ioctl(l, SIOCOUTQ, &n));
		break;
	case S_SIOCINQ_NULL:
		CALL(r, ioctl(a, SIOCINQ, NULL));
		break;
	case S_SIOCOUTQ_NONE:
		CALL(r, ioctl(a, SIOCOUTQ, mem_none));
		break;
	case S_SEND_AFTER_PEER_SHUT_RD:
		if (shutdown(b, SHUT_RD))
			goto broken;
		CALL(r, send(a, "x", 1, fl));
		break;
	}
	r.aux = r.aux * 1000 + (a >= 0 ? poll_now(a) : 0);
	goto out;
broken:
	r.aux = -1000 - errno;
out:
	run_end(g);
	return r;
}

static void grp_states(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;

	grp_begin(_metadata, &g, "states", family, dir);
	for (i = 0; i < ARRAY_SIZE(states); i++) {
		struct res ref, got;

		if (!mine(&g))
			continue;
		ref = state_run(&g, states[i].id, AF_UNIX);
		got = state_run(&g, states[i].id, family);
		check(&g, "state", states[i].name, states[i].w, ref, got);
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * ioctl(): the family's commands and others, with bad argument pointers,
 * on sockets of each kind.
 */

static const struct {
	const char *name;
	unsigned long cmd;
} ioc_cmds[] = {
	{ "siocinq", SIOCINQ },
	{ "siocoutq", SIOCOUTQ },
	{ "siocoutqnsd", SIOCOUTQNSD },
	{ "siocatmark", SIOCATMARK },
	{ "siocunixfile", SIOCPROTOPRIVATE },
	{ "siocprotoprivate_1", SIOCPROTOPRIVATE + 1 },
	{ "siocprotoprivate_15", SIOCPROTOPRIVATE + 15 },
	{ "siocdevprivate", SIOCDEVPRIVATE },
	{ "fionbio", FIONBIO },
	{ "fioasync", FIOASYNC },
	{ "fioclex", FIOCLEX },
	{ "cmd_0x89ff", 0x89ff },
	{ "cmd_0xdeadbeef", 0xdeadbeef },
};

enum { IA_OK, IA_NULL, IA_NONE, IA_RO, IA_N };
static const char *const ia_name[IA_N] = {
	"arg_ok", "arg_null", "arg_unmapped", "arg_read_only",
};

enum { IS_STREAM, IS_LISTENER, IS_UNCONNECTED, IS_DGRAM, IS_SEQPACKET,
       IS_N };
static const char *const is_name[IS_N] = {
	"stream", "listener", "unconnected", "dgram", "seqpacket",
};

static struct res ioctl_run(struct grp *g, unsigned long cmd, int arg,
			    int st, int fam)
{
	struct res r = { -2, 0, 0 };
	/*
	 * As big as a struct ifreq, naming "lo": commands the family does
	 * not know go on to dev_ioctl(), which would ask for a module for an
	 * unknown interface name (slow: a usermode helper per call).
	 */
	union {
		int val;
		char name[40];
	} u = { .name = "lo" };
	int a = -1, b = -1;
	void *p = &u;

	run_begin(g);
	switch (st) {
	case IS_LISTENER:
		b = bound(g, fam, SOCK_STREAM, false);
		break;
	case IS_UNCONNECTED:
		b = sock(g, fam, SOCK_STREAM);
		break;
	case IS_DGRAM:
		b = bound(g, fam, SOCK_DGRAM, false);
		a = sock(g, fam, SOCK_DGRAM);
		if (a < 0 || connect_path(a, fam, "L"))
			b = -1;
		break;
	default:
		if (spair(g, fam, st == IS_STREAM ? SOCK_STREAM :
			  SOCK_SEQPACKET, &a, &b))
			b = -1;
	}
	/* Data queued where there is a sender. */
	if (b < 0 || (a >= 0 && send(a, "abc", 3, 0) != 3)) {
		r.aux = -1000 - errno;
		goto out;
	}
	switch (arg) {
	case IA_NULL:
		p = NULL;
		break;
	case IA_NONE:
		p = mem_none;
		break;
	case IA_RO:
		p = ro_copy(&u, sizeof(u));
		break;
	}
	CALL(r, ioctl(b, cmd, p));
	if (r.ret > 0) {
		/* SIOCUNIXFILE: an O_PATH fd of the node. */
		T(g, r.ret);
		r.ret = 0;
	}
	r.aux = (arg == IA_OK ? u.val : 0) * 1000L + poll_now(b);
out:
	run_end(g);
	return r;
}

static void grp_ioctls(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	size_t i;
	int arg, st;

	grp_begin(_metadata, &g, "ioctls", family, dir);
	for (i = 0; i < ARRAY_SIZE(ioc_cmds); i++) {
		for (arg = 0; arg < IA_N; arg++) {
			for (st = 0; st < IS_N; st++) {
				struct res ref, got;
				char what[64];

				snprintf(what, sizeof(what), "%s_%s",
					 is_name[st], ia_name[arg]);
				if (!mine(&g))
					continue;
				ref = ioctl_run(&g, ioc_cmds[i].cmd, arg, st,
						AF_UNIX);
				got = ioctl_run(&g, ioc_cmds[i].cmd, arg, st,
						family);
				check(&g, what, ioc_cmds[i].name,
				      (struct want)AFU, ref, got);
			}
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * splice() out of sockets of each kind and state with odd lengths, flags
 * and offsets (everything non-blocking).
 */

enum { SP_LEN0, SP_LEN1, SP_LEN3, SP_LEN_HUGE, SP_BAD_FLAGS, SP_OFF_IN,
       SP_TO_SOCKET, SP_PEEK_EMPTY, SP_N };
static const char *const sp_name[SP_N] = {
	"len_0", "len_1", "len_3", "len_size_max", "unknown_flags",
	"off_in", "socket_to_socket", "empty_queue",
};

static struct res splice_run(struct grp *g, int v, int st, int fam)
{
	struct res r = { -2, 0, 0 };
	int a = -1, b = -1, p[2], n = 0;
	loff_t off = 0;

	run_begin(g);
	switch (st) {
	case IS_LISTENER:
		b = bound(g, fam, SOCK_STREAM, false);
		break;
	case IS_UNCONNECTED:
		b = sock(g, fam, SOCK_STREAM);
		break;
	case IS_DGRAM:
		if (spair(g, fam, SOCK_DGRAM, &a, &b))
			b = -1;
		break;
	default:
		if (spair(g, fam, st == IS_STREAM ? SOCK_STREAM :
			  SOCK_SEQPACKET, &a, &b))
			b = -1;
	}
	if (b < 0 || pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
		r.aux = -1000 - errno;
		goto out;
	}
	T(g, p[0]);
	T(g, p[1]);
	if (set_nonblock(b) ||
	    (a >= 0 && v != SP_PEEK_EMPTY && send(a, "abc", 3, 0) != 3)) {
		r.aux = -2000 - errno;
		goto out;
	}
	switch (v) {
	case SP_LEN0:
		CALL(r, splice(b, NULL, p[1], NULL, 0, SPLICE_F_NONBLOCK));
		break;
	case SP_LEN1:
		CALL(r, splice(b, NULL, p[1], NULL, 1, SPLICE_F_NONBLOCK));
		break;
	case SP_LEN3:
	case SP_PEEK_EMPTY:
		CALL(r, splice(b, NULL, p[1], NULL, 3, SPLICE_F_NONBLOCK));
		break;
	case SP_LEN_HUGE:
		CALL(r, splice(b, NULL, p[1], NULL, SIZE_MAX,
			       SPLICE_F_NONBLOCK));
		break;
	case SP_BAD_FLAGS:
		CALL(r, splice(b, NULL, p[1], NULL, 3,
			       SPLICE_F_NONBLOCK | 0x100));
		break;
	case SP_OFF_IN:
		CALL(r, splice(b, &off, p[1], NULL, 3, SPLICE_F_NONBLOCK));
		break;
	case SP_TO_SOCKET:
		CALL(r, splice(b, NULL, a >= 0 ? a : b, NULL, 3,
			       SPLICE_F_NONBLOCK));
		break;
	}
	if (ioctl(p[0], FIONREAD, &n))
		n = -errno;
	r.aux = n * 1000L + inq(b);
out:
	run_end(g);
	return r;
}

static void grp_splice(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	int v, st;

	grp_begin(_metadata, &g, "splice", family, dir);
	for (v = 0; v < SP_N; v++) {
		for (st = 0; st < IS_N; st++) {
			struct res ref, got;

			if (!mine(&g))
				continue;
			ref = splice_run(&g, v, st, AF_UNIX);
			got = splice_run(&g, v, st, family);
			check(&g, is_name[st], sp_name[v], (struct want)AFU,
			      ref, got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * socketpair() with a bad result pointer: nothing may stay behind.
 */

enum { SPV_NULL, SPV_NONE, SPV_RO, SPV_EDGE, SPV_N };
static const char *const spv_name[SPV_N] = {
	"sv_null", "sv_unmapped", "sv_read_only", "sv_straddles_unmapped",
};

static struct res spv_run(struct grp *g, int v, int type, int fam)
{
	struct res r = { -2, 0, 0 };
	int fds0 = count_fds(), zero[2] = { 0, 0 };
	void *p = NULL;

	run_begin(g);
	switch (v) {
	case SPV_NONE:
		p = mem_none;
		break;
	case SPV_RO:
		p = ro_copy(zero, sizeof(zero));
		break;
	case SPV_EDGE:
		p = edge_copy(zero, sizeof(int));
		break;
	}
	CALL(r, socketpair(fam, type | SOCK_CLOEXEC, 0, p));
	/* Open fds afterwards, beyond those before. */
	r.aux = count_fds() - fds0;
	run_end(g);
	return r;
}

static void grp_socketpair_ptrs(struct __test_metadata *_metadata, int family,
		const char *dir, int slice, int nslices)
{
	struct grp g = { .slice = slice, .nslices = nslices };
	int v, t;

	grp_begin(_metadata, &g, "socketpair_ptrs", family, dir);
	for (v = 0; v < SPV_N; v++) {
		for (t = 0; t < 3; t++) {
			struct res ref, got;

			if (!mine(&g))
				continue;
			ref = spv_run(&g, v, types[t], AF_UNIX);
			got = spv_run(&g, v, types[t], family);
			check(&g, type_name[t], spv_name[v],
			      (struct want)E(EFAULT), ref, got);
		}
	}
	grp_end(&g);
}

/* ------------------------------------------------------------------------
 * The tests: each group's table in slices.
 */
#define SLICE(group, k, n)						\
TEST_F(badin, group##_##k##_of_##n)					\
{									\
	grp_##group(_metadata, self->family, self->dir, (k) - 1, (n));	\
}

SLICE(addresses, 1, 4)
SLICE(addresses, 2, 4)
SLICE(addresses, 3, 4)
SLICE(addresses, 4, 4)
SLICE(names, 1, 2)
SLICE(names, 2, 2)
SLICE(buffers, 1, 2)
SLICE(buffers, 2, 2)
SLICE(control, 1, 2)
SLICE(control, 2, 2)
SLICE(msg_flags, 1, 2)
SLICE(msg_flags, 2, 2)
SLICE(sockopts_set, 1, 5)
SLICE(sockopts_set, 2, 5)
SLICE(sockopts_set, 3, 5)
SLICE(sockopts_set, 4, 5)
SLICE(sockopts_set, 5, 5)
SLICE(sockopts_get, 1, 7)
SLICE(sockopts_get, 2, 7)
SLICE(sockopts_get, 3, 7)
SLICE(sockopts_get, 4, 7)
SLICE(sockopts_get, 5, 7)
SLICE(sockopts_get, 6, 7)
SLICE(sockopts_get, 7, 7)
SLICE(sockopts_other_sockets, 1, 6)
SLICE(sockopts_other_sockets, 2, 6)
SLICE(sockopts_other_sockets, 3, 6)
SLICE(sockopts_other_sockets, 4, 6)
SLICE(sockopts_other_sockets, 5, 6)
SLICE(sockopts_other_sockets, 6, 6)
SLICE(shutdown_how, 1, 1)
SLICE(states, 1, 1)
SLICE(ioctls, 1, 5)
SLICE(ioctls, 2, 5)
SLICE(ioctls, 3, 5)
SLICE(ioctls, 4, 5)
SLICE(ioctls, 5, 5)
SLICE(splice, 1, 1)
SLICE(socketpair_ptrs, 1, 1)

/* ------------------------------------------------------------------------
 * The size of the table (what the groups above run, per family).
 */
TEST_F(badin, count)
{
	size_t n = 0, i;
	int v;

	n += ARRAY_SIZE(addr_cases) * AOP_N;
	n += ARRAY_SIZE(name_cases) * NOP_N;
	n += ARRAY_SIZE(buf_cases) * 3;
	n += ARRAY_SIZE(cmsg_cases) * 3;
	n += ARRAY_SIZE(flag_cases) * 3 * 2;
	for (i = 0; i < ARRAY_SIZE(opts); i++)
		for (v = 0; v < OV_N; v++)
			n += ((opts[i].flags & O_SET) && v <= OV_NONE) +
			     !!(opts[i].flags & O_GET);
	for (i = 0; i < ARRAY_SIZE(opts); i++)
		n += !!(opts[i].flags & O_GET) * (OT_N - 1) * 2;
	n += ARRAY_SIZE(hows) * SH_N;
	n += ARRAY_SIZE(states);
	n += ARRAY_SIZE(ioc_cmds) * IA_N * IS_N;
	n += SP_N * IS_N;
	n += SPV_N * 3;
	TH_LOG("bad-input cases: %zu per family (family %d)", n,
	       self->family);
	ASSERT_LE(150, (long)n);
}

TEST_HARNESS_MAIN
