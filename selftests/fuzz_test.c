// SPDX-License-Identifier: GPL-2.0
/*
 * A lockstep differential fuzzer: AF_UNIX against punix.
 *
 * A seed becomes a random sequence of socket operations over NSLOT socket
 * "slots". The sequence runs in two worlds, each a table of fds: world A
 * over AF_UNIX, world B over the punix family. Every operation is applied
 * to A, then to B, and each world's outcome is written as a normalised
 * line of text (return value, errno, byte counts, a hash and length of the
 * data received, the address returned, msg_flags, control messages, poll
 * masks, ioctl and getsockopt values...); the two lines must be equal.
 *
 * Nothing may block, so that the results are deterministic: every socket
 * is made with SOCK_NONBLOCK (accepted ones with accept4(SOCK_NONBLOCK),
 * received ones are the very files that were sent), and send/recv always
 * carry MSG_DONTWAIT. SIGPIPE is ignored (EPIPE is compared instead).
 *
 * Normalised, because they legitimately differ by family:
 *   - the family in returned addresses and SO_DOMAIN ("FAM" when it is the
 *     world's own family);
 *   - paths: each world binds in its own directory (".../a", ".../b", the
 *     same length), printed as "DIR/name";
 *   - autobind names ("\0" + 5 random hex digits): only the length and the
 *     form are compared ("@AUTO");
 *   - descriptors: received fds are described by fstat() type (and, for
 *     sockets, SO_TYPE, family and FD_CLOEXEC), never by number or inode.
 * Buffer accounting is compared exactly (SIOCOUTQ, partial sends): the
 * README's only accounting difference is sendfile()/splice() into a stream,
 * which the fuzzer does not use.
 *
 * The one asynchronous thing is the garbage collector of each family (a
 * workqueue): after a release in a run that has passed sockets in
 * SCM_RIGHTS, both worlds wait until /proc/net/protocols' socket counts
 * settle (settle_gc()). A divergence is replayed before it is believed.
 *
 * On a divergence the sequence is shrunk (delta debugging: operations are
 * dropped while the divergence persists) and printed, as TAP comments, as
 * a TEST_F body to paste into a selftest (e.g. misc_test.c); the case fails.
 *
 *   fuzz_test                     the fixed seeds make check runs
 *   fuzz_test --seeds 1-500       seeds 1 to 500 (or a single seed "--seeds 7")
 *   fuzz_test --ops 300           operations per seed
 *   fuzz_test -v                  print every operation and its outcome
 * The environment variables FUZZ_SEEDS and FUZZ_OPS do the same (make fuzz
 * passes them to the guest through bench.conf).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <linux/sockios.h>

#include <linux/punix.h>

/* The fixed set make check runs, measured under emulation: 15 to 17 s on
 * Debian's 6.1 and 6.12, 45 s on the debug kernel. */
#define DEF_SEED_FIRST	1
#define DEF_SEED_LAST	20
#define DEF_OPS		100

#define NSLOT		6
#define NPATH		3
#define NABS		3
#define MAXOPS		4096
#define BUFSZ		(256 * 1024)
#define LINESZ		2048
#define SUN_HDR		offsetof(struct sockaddr_un, sun_path)

enum {
	OP_SOCKET, OP_PAIR, OP_BIND, OP_LISTEN, OP_CONNECT, OP_ACCEPT,
	OP_SEND, OP_RECV, OP_SETOPT, OP_GETOPT, OP_SHUTDOWN, OP_CLOSE,
	OP_DUP, OP_POLL, OP_IOCTL, OP_UNLINK, OP_NAME, OP_NR
};

static const char *const op_names[OP_NR] = {
	"socket", "socketpair", "bind", "listen", "connect", "accept",
	"send", "recv", "setsockopt", "getsockopt", "shutdown", "close",
	"dup", "poll", "ioctl", "unlink", "getname",
};

/* Address selectors: paths, abstract names, autobind, AF_UNSPEC, none. */
enum { A_PATH0 = 0, A_ABS0 = NPATH, A_AUTO = NPATH + NABS, A_UNSPEC, A_NONE, A_NR };

/* send/recv variants */
enum { S_SEND, S_SENDTO, S_SENDMSG, S_WRITE, S_NR };
enum { R_RECV, R_RECVFROM, R_RECVMSG, R_READ, R_NR };

struct op {
	int kind;
	int a, b, c;		/* slots (-1: none) */
	int type;		/* socket type, variant, option index, how... */
	int addr;		/* address selector */
	int size;		/* bytes, backlog, option value index */
	int flags;		/* MSG_* */
	int extra;		/* control: fds to pass / creds / ctrl buffer size */
};

struct world {
	const char *tag;
	int family;
	char dir[64];
	int fd[NSLOT];
	bool released;		/* a file was closed by the last operation */
	char abs_tag;		/* last character of its abstract names */
};

static struct world worlds[2];
static char base_dir[64];
static int devnull = -1;
static unsigned long run_no;
static bool sockets_passed;	/* this run has sent a socket in SCM_RIGHTS */
static bool verbose;
static unsigned char *sendbuf, *recvbuf;

/* ---- random numbers: xorshift64*, one stream per seed ---- */

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static int rn(int n) { return n > 0 ? (int)(rnd() % (unsigned)n) : 0; }

static int pick_size(void)
{
	int p = rn(100);

	if (p < 8)
		return 0;
	if (p < 40)
		return 1 + rn(16);
	if (p < 70)
		return 17 + rn(600);
	if (p < 85)
		return 600 + rn(5000);
	if (p < 96)
		return 5000 + rn(70000);
	return 150000 + rn(100000);
}

/* ---- the text of an outcome ---- */

struct line {
	char s[LINESZ];
	size_t n;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->n += (size_t)r;
	if (l->n > sizeof(l->s) - 1)
		l->n = sizeof(l->s) - 1;
}

static void put_ret(struct line *l, long r, int err)
{
	if (r < 0)
		put(l, "-1 %s", strerrorname_np(err) ?: "?");
	else
		put(l, "%ld", r);
}

/* A call that returns a new fd: its number differs between worlds. */
static void put_fdret(struct line *l, long r, int err)
{
	if (r < 0)
		put_ret(l, r, err);
	else
		put(l, "fd");
}

static uint32_t fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* A returned address, normalised (see the header). */
static void put_addr(struct line *l, struct world *w,
		     const struct sockaddr_un *sa, socklen_t len, socklen_t cap)
{
	const char *p = sa->sun_path;
	size_t plen, dlen = strlen(w->dir);
	socklen_t i;

	put(l, " addr(len=%u", (unsigned)len);
	if (len < sizeof(sa_family_t) || len > sizeof(*sa) || cap < sizeof(sa_family_t)) {
		put(l, ")");
		return;
	}
	if (len > cap) {
		/* Truncated to @cap bytes: the family, and the start of a name
		 * that differs by world (directory, autobind digits). */
		put(l, " %s trunc)", sa->sun_family == w->family ? "FAM" : "other");
		return;
	}
	if (sa->sun_family == w->family)
		put(l, " FAM");
	else
		put(l, " fam=%u", sa->sun_family);
	plen = len - SUN_HDR;
	if (!plen) {
		put(l, ")");
		return;
	}
	if (p[0] == '\0' && plen == 6) {
		bool hex = true;

		for (i = 1; i < 6; i++)
			hex &= (p[i] >= '0' && p[i] <= '9') ||
			       (p[i] >= 'a' && p[i] <= 'f');
		if (hex) {
			put(l, " @AUTO)");
			return;
		}
	}
	if (p[0] != '\0' && plen >= dlen && !memcmp(p, w->dir, dlen)) {
		put(l, " DIR");
		p += dlen;
		plen -= dlen;
	}
	put(l, " \"");
	for (i = 0; i < plen; i++) {
		/* FUZZ_FAMILY's self-check: the worlds' abstract names differ
		 * in their last character */
		if (p[0] == '\0' && i == plen - 1 && p[i] == w->abs_tag && p[i] != 'x')
			put(l, "x");
		else if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			put(l, "%c", p[i]);
		else
			put(l, "\\%03o", (unsigned char)p[i]);
	}
	put(l, "\")");
}

/* The kind of a received or dup'ed fd, without its number or inode. */
static void put_fdkind(struct line *l, struct world *w, int fd)
{
	struct stat st;
	int v, fl;
	socklen_t sl = sizeof(v);

	if (fstat(fd, &st)) {
		put(l, " fstat-%s", strerrorname_np(errno) ?: "?");
		return;
	}
	fl = fcntl(fd, F_GETFD);
	put(l, " %s%s", S_ISSOCK(st.st_mode) ? "sock" :
	    S_ISCHR(st.st_mode) ? "chr" : "other", fl & FD_CLOEXEC ? "/cloexec" : "");
	if (!S_ISSOCK(st.st_mode))
		return;
	if (!getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &sl))
		put(l, "/%s", v == w->family ? "FAM" : "other");
	sl = sizeof(v);
	if (!getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &sl))
		put(l, "/type%d", v);
}

/* ---- addresses each world uses for the "same" name ---- */

static socklen_t make_addr(struct world *w, int sel, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = w->family;
	if (sel >= A_PATH0 && sel < A_PATH0 + NPATH) {
		snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/p%d", w->dir, sel - A_PATH0);
		return SUN_HDR + strlen(sa->sun_path) + 1;
	}
	if (sel >= A_ABS0 && sel < A_ABS0 + NABS) {
		/* Each family has its own abstract namespace: the same name in
		 * both worlds; the run number keeps runs apart (a socket of an
		 * earlier run may still be in flight, holding its name). */
		int n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
				 "fz%06d.%08lu.%d%c", (int)getpid() % 1000000, run_no,
				 sel - A_ABS0, w->abs_tag);
		return SUN_HDR + 1 + n;
	}
	if (sel == A_AUTO)
		return sizeof(sa_family_t);
	sa->sun_family = AF_UNSPEC;	/* A_UNSPEC */
	return sizeof(sa_family_t);
}

/* ---- running one operation in one world ---- */

static int slotfd(struct world *w, int s) { return s < 0 ? -1 : w->fd[s]; }

static void set_slot(struct world *w, int s, int fd)
{
	if (w->fd[s] >= 0) {
		close(w->fd[s]);
		w->released = true;
	}
	w->fd[s] = fd;
}

static const int sock_types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
static const char *const type_names[3] = { "SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET" };

struct optdesc {
	int opt;
	const char *name;
	int nvals;
	int vals[6];
};

static const struct optdesc opts[] = {
	{ SO_SNDBUF, "SO_SNDBUF", 6, { 0, 1, 2048, 4608, 65536, 300000 } },
	{ SO_RCVBUF, "SO_RCVBUF", 6, { 0, 1, 2048, 4608, 65536, 300000 } },
	{ SO_PASSCRED, "SO_PASSCRED", 2, { 0, 1 } },
	{ SO_RCVLOWAT, "SO_RCVLOWAT", 5, { 0, 1, 10, 1000, 100000 } },
	{ SO_PEEK_OFF, "SO_PEEK_OFF", 6, { -1, 0, 1, 5, 100, 3000 } },
	{ SO_SNDTIMEO, "SO_SNDTIMEO", 2, { 0, 1000 } },	/* µs, small */
	{ SO_OOBINLINE, "SO_OOBINLINE", 2, { 0, 1 } },
	/* read only */
	{ SO_TYPE, "SO_TYPE", 0, { 0 } },
	{ SO_ERROR, "SO_ERROR", 0, { 0 } },
	{ SO_ACCEPTCONN, "SO_ACCEPTCONN", 0, { 0 } },
	{ SO_DOMAIN, "SO_DOMAIN", 0, { 0 } },
	{ SO_PROTOCOL, "SO_PROTOCOL", 0, { 0 } },
	{ SO_PEERCRED, "SO_PEERCRED", 0, { 0 } },
};
#define NOPTS_SET	7
#define NOPTS		((int)(sizeof(opts) / sizeof(opts[0])))

static const int ioctls[3] = { SIOCINQ, SIOCOUTQ, SIOCATMARK };
static const char *const ioctl_names[3] = { "SIOCINQ", "SIOCOUTQ", "SIOCATMARK" };

/* Control-buffer sizes a recvmsg offers: none, one fd (truncates two), big. */
static const int ctl_sizes[4] = { 0, CMSG_SPACE(sizeof(int)), CMSG_SPACE(sizeof(struct ucred)), 512 };

static void fill_sendbuf(int opidx)
{
	/* Data depends on the op's index only: the same in both worlds. */
	for (int i = 0; i < BUFSZ; i++)
		sendbuf[i] = (unsigned char)(i * 31 + opidx * 7 + (i >> 8));
}

static void do_send(struct world *w, const struct op *o, int idx, struct line *l)
{
	int fd = slotfd(w, o->a);
	int flags = o->flags | MSG_DONTWAIT;
	struct sockaddr_un sa;
	socklen_t sl = 0;
	long r;
	int e;

	fill_sendbuf(idx);
	if (o->addr != A_NONE)
		sl = make_addr(w, o->addr, &sa);
	errno = 0;
	switch (o->type) {
	case S_SEND:
		r = send(fd, sendbuf, o->size, flags);
		break;
	case S_SENDTO:
		r = sendto(fd, sendbuf, o->size, flags,
			   o->addr != A_NONE ? (struct sockaddr *)&sa : NULL, sl);
		break;
	case S_WRITE:
		r = write(fd, sendbuf, o->size);
		break;
	default: {
		union {
			char buf[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
			struct cmsghdr align;
		} u;
		struct iovec iov[2] = {
			{ sendbuf, o->size / 2 },
			{ sendbuf + o->size / 2, o->size - o->size / 2 },
		};
		struct msghdr m = {
			.msg_name = o->addr != A_NONE ? &sa : NULL,
			.msg_namelen = o->addr != A_NONE ? sl : 0,
			.msg_iov = iov, .msg_iovlen = 2,
		};
		struct cmsghdr *c;
		int nfds = o->extra & 3;	/* 0..2 fds: slot c, then /dev/null */
		size_t clen = 0;

		memset(&u, 0, sizeof(u));
		if (nfds == 3)
			nfds = 1;
		if (nfds) {
			int fds[2] = { o->c >= 0 ? slotfd(w, o->c) : devnull, devnull };

			c = (struct cmsghdr *)(u.buf + clen);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
			clen += CMSG_SPACE(nfds * sizeof(int));
		}
		if (o->extra & 4) {
			struct ucred uc = { getpid(), getuid(), getgid() };

			c = (struct cmsghdr *)(u.buf + clen);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_CREDENTIALS;
			c->cmsg_len = CMSG_LEN(sizeof(uc));
			memcpy(CMSG_DATA(c), &uc, sizeof(uc));
			clen += CMSG_SPACE(sizeof(uc));
		}
		if (clen) {
			m.msg_control = u.buf;
			m.msg_controllen = clen;
		}
		r = sendmsg(fd, &m, flags);
		e = errno;
		if (r >= 0 && nfds && o->c >= 0 && slotfd(w, o->c) >= 0) {
			struct stat st;

			if (!fstat(slotfd(w, o->c), &st) && S_ISSOCK(st.st_mode))
				sockets_passed = true;
		}
		errno = e;
		break;
	}
	}
	put_ret(l, r, errno);
}

static void do_recv(struct world *w, const struct op *o, struct line *l)
{
	int fd = slotfd(w, o->a);
	int flags = o->flags | MSG_DONTWAIT;
	struct sockaddr_un sa;
	socklen_t sl = o->size & 1 ? 5 : sizeof(sa);	/* a short one truncates */
	int size = o->size >> 1;
	bool want_addr = o->type == R_RECVFROM || o->type == R_RECVMSG;
	union {
		char buf[512];
		struct cmsghdr align;
	} u;
	struct msghdr m = { 0 };
	long r;
	int e;

	memset(&sa, 0x5a, sizeof(sa));
	memset(recvbuf, 0, size < BUFSZ ? size : BUFSZ);
	errno = 0;
	switch (o->type) {
	case R_RECV:
		r = recv(fd, recvbuf, size, flags);
		break;
	case R_RECVFROM:
		r = recvfrom(fd, recvbuf, size, flags, (struct sockaddr *)&sa, &sl);
		break;
	case R_READ:
		r = read(fd, recvbuf, size);
		break;
	default: {
		struct iovec iov[2] = {
			{ recvbuf, size / 3 },
			{ recvbuf + size / 3, size - size / 3 },
		};

		m.msg_name = &sa;
		m.msg_namelen = sl;
		m.msg_iov = iov;
		m.msg_iovlen = 2;
		m.msg_control = o->extra ? u.buf : NULL;
		m.msg_controllen = o->extra;
		r = recvmsg(fd, &m, flags);
		sl = m.msg_namelen;
		break;
	}
	}
	e = errno;
	put_ret(l, r, e);
	if (r >= 0) {
		long got = r < size ? r : size;	/* MSG_TRUNC gives the real length */

		put(l, " data=%08x", fnv(recvbuf, got));
		if (want_addr)
			put_addr(l, w, &sa, sl, o->size & 1 ? 5 : sizeof(sa));
	}
	if (o->type == R_RECVMSG && r >= 0) {
		struct cmsghdr *c;
		int kept = 0;

		put(l, " msg_flags=%#x ctl=%zu", m.msg_flags, (size_t)m.msg_controllen);
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			put(l, " [%d/%d len=%zu", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				int *fds = (int *)CMSG_DATA(c);

				put(l, " %d fds:", n);
				for (int i = 0; i < n; i++) {
					put_fdkind(l, w, fds[i]);
					/* The first one goes to slot b, when asked. */
					if (!kept && o->b >= 0) {
						set_slot(w, o->b, fds[i]);
						kept = 1;
					} else {
						close(fds[i]);
						w->released = true;
					}
				}
			} else if (c->cmsg_level == SOL_SOCKET &&
				   c->cmsg_type == SCM_CREDENTIALS &&
				   c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
				struct ucred uc;

				memcpy(&uc, CMSG_DATA(c), sizeof(uc));
				put(l, " pid=%s uid=%d gid=%d",
				    uc.pid == getpid() ? "self" : uc.pid ? "other" : "0",
				    (int)uc.uid, (int)uc.gid);
			}
			put(l, "]");
		}
	}
}

/* The socket counts of both families (/proc/net/protocols), for settling. */
static long proto_sockets(void)
{
	char line[256];
	long sum = 0, n;
	FILE *f = fopen("/proc/net/protocols", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[64];

		if (sscanf(line, "%63s %*s %ld", name, &n) == 2 &&
		    (!strcmp(name, "UNIX") || !strcmp(name, "UNIX-STREAM") ||
		     !strcmp(name, "PUNIX") || !strcmp(name, "PUNIX-STREAM")))
			sum += n;
	}
	fclose(f);
	return sum;
}

/*
 * Both families collect garbage cycles on a workqueue after a release, and
 * the files they drop are closed by the delayed fput work (one jiffy
 * later): wait until the socket counts have not moved for 25 ms (more than
 * two jiffies at HZ=100), at most 300 ms. A divergence is replayed before
 * it is believed.
 */
static void settle_gc(void)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	long prev = proto_sockets(), cur;
	int still = 0;

	for (int i = 0; i < 60 && still < 5; i++) {
		nanosleep(&ts, NULL);
		cur = proto_sockets();
		still = cur == prev ? still + 1 : 0;
		prev = cur;
	}
}

static void run_op(struct world *w, const struct op *o, int idx, struct line *l)
{
	struct sockaddr_un sa;
	socklen_t sl;
	int fd = slotfd(w, o->a), r, v, sv[2];
	struct pollfd pfd;

	l->n = 0;
	l->s[0] = '\0';
	errno = 0;
	switch (o->kind) {
	case OP_SOCKET:
		r = socket(w->family, sock_types[o->type] | SOCK_NONBLOCK, 0);
		put_fdret(l, r, errno);
		if (r >= 0)
			set_slot(w, o->a, r);
		break;
	case OP_PAIR:
		r = socketpair(w->family, sock_types[o->type] | SOCK_NONBLOCK, 0, sv);
		put_ret(l, r, errno);
		if (!r) {
			set_slot(w, o->a, sv[0]);
			set_slot(w, o->b, sv[1]);
		}
		break;
	case OP_BIND:
		sl = make_addr(w, o->addr, &sa);
		r = bind(fd, (struct sockaddr *)&sa, sl);
		put_ret(l, r, errno);
		break;
	case OP_LISTEN:
		r = listen(fd, o->size);
		put_ret(l, r, errno);
		break;
	case OP_CONNECT:
		sl = make_addr(w, o->addr, &sa);
		r = connect(fd, (struct sockaddr *)&sa, sl);
		put_ret(l, r, errno);
		break;
	case OP_ACCEPT:
		sl = sizeof(sa);
		memset(&sa, 0x5a, sizeof(sa));
		r = accept4(fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK);
		put_fdret(l, r, errno);
		if (r >= 0) {
			put_addr(l, w, &sa, sl, sizeof(sa));
			set_slot(w, o->b, r);
		}
		break;
	case OP_SEND:
		do_send(w, o, idx, l);
		break;
	case OP_RECV:
		do_recv(w, o, l);
		break;
	case OP_SETOPT:
		v = opts[o->type].vals[o->size];
		if (opts[o->type].opt == SO_SNDTIMEO) {
			struct timeval tv = { 0, v };

			r = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		} else {
			r = setsockopt(fd, SOL_SOCKET, opts[o->type].opt, &v, sizeof(v));
		}
		put_ret(l, r, errno);
		break;
	case OP_GETOPT: {
		union { int i; struct ucred uc; struct timeval tv; } u;

		memset(&u, 0, sizeof(u));
		sl = sizeof(u);
		r = getsockopt(fd, SOL_SOCKET, opts[o->type].opt, &u, &sl);
		put_ret(l, r, errno);
		if (r)
			break;
		put(l, " len=%u", (unsigned)sl);
		switch (opts[o->type].opt) {
		case SO_DOMAIN:
			put(l, " %s", u.i == w->family ? "FAM" : "other");
			break;
		case SO_PEERCRED:
			put(l, " pid=%s uid=%d gid=%d",
			    u.uc.pid == getpid() ? "self" : u.uc.pid ? "other" : "0",
			    (int)u.uc.uid, (int)u.uc.gid);
			break;
		case SO_SNDTIMEO:
			put(l, " %ld.%06ld", (long)u.tv.tv_sec, (long)u.tv.tv_usec);
			break;
		default:
			put(l, " %d", u.i);
		}
		break;
	}
	case OP_SHUTDOWN:
		r = shutdown(fd, o->type);
		put_ret(l, r, errno);
		break;
	case OP_CLOSE:
		r = close(fd);
		put_ret(l, r, errno);
		if (fd >= 0) {
			w->fd[o->a] = -1;
			w->released = true;
		}
		break;
	case OP_DUP:
		r = dup(fd);
		put_fdret(l, r, errno);
		if (r >= 0) {
			put_fdkind(l, w, r);
			set_slot(w, o->b, r);
		}
		break;
	case OP_POLL:
		pfd.fd = fd;
		pfd.events = POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM |
			     POLLRDBAND | POLLWRNORM | POLLWRBAND;
		pfd.revents = 0;
		r = poll(&pfd, 1, 0);
		put_ret(l, r, errno);
		put(l, " revents=%#x", pfd.revents);
		break;
	case OP_IOCTL:
		v = -12345;
		r = ioctl(fd, ioctls[o->type], &v);
		put_ret(l, r, errno);
		if (!r)
			put(l, " val=%d", v);
		break;
	case OP_UNLINK:
		make_addr(w, o->addr, &sa);
		r = unlink(sa.sun_path);
		put_ret(l, r, errno);
		break;
	case OP_NAME:
		sl = o->size ? sizeof(sa) : 4;	/* a short buffer: truncation */
		memset(&sa, 0x5a, sizeof(sa));
		if (o->type)
			r = getpeername(fd, (struct sockaddr *)&sa, &sl);
		else
			r = getsockname(fd, (struct sockaddr *)&sa, &sl);
		put_ret(l, r, errno);
		if (!r) {
			put_addr(l, w, &sa, sl, o->size ? sizeof(sa) : 4);
		}
		break;
	}
}

/* ---- generating a sequence ---- */

static int rslot(void) { return rn(NSLOT); }

static void gen_op(struct op *o, int kind)
{
	static const int weights[OP_NR] = {
		[OP_SOCKET] = 8, [OP_PAIR] = 6, [OP_BIND] = 7, [OP_LISTEN] = 4,
		[OP_CONNECT] = 8, [OP_ACCEPT] = 5, [OP_SEND] = 18, [OP_RECV] = 18,
		[OP_SETOPT] = 4, [OP_GETOPT] = 4, [OP_SHUTDOWN] = 3, [OP_CLOSE] = 4,
		[OP_DUP] = 2, [OP_POLL] = 5, [OP_IOCTL] = 3, [OP_UNLINK] = 2,
		[OP_NAME] = 3,
	};
	int total = 0, p;

	for (int k = 0; k < OP_NR; k++)
		total += weights[k];
	p = rn(total);
	for (o->kind = 0; p >= weights[o->kind]; o->kind++)
		p -= weights[o->kind];
	if (kind >= 0)
		o->kind = kind;
	o->a = rslot();
	o->b = rslot();
	o->c = -1;
	o->type = o->addr = o->size = o->flags = o->extra = 0;
	o->addr = A_NONE;
	switch (o->kind) {
	case OP_SOCKET:
		o->type = rn(3);
		break;
	case OP_PAIR:
		o->type = rn(3);
		if (o->b == o->a)
			o->b = (o->a + 1) % NSLOT;
		break;
	case OP_BIND:
		o->addr = rn(A_AUTO + 1);
		break;
	case OP_LISTEN:
		o->size = rn(4);
		break;
	case OP_CONNECT:
		o->addr = rn(10) ? rn(A_AUTO) : A_UNSPEC;
		break;
	case OP_SEND:
		o->type = rn(S_NR);
		o->size = pick_size();
		if (!rn(10))
			o->flags |= MSG_OOB;
		if (rn(2))
			o->flags |= MSG_NOSIGNAL;
		if (!rn(20))
			o->flags |= MSG_EOR;
		if ((o->type == S_SENDTO || o->type == S_SENDMSG) && rn(5) < 2)
			o->addr = rn(A_AUTO);
		if (o->type == S_SENDMSG) {
			if (rn(10) < 3) {
				o->extra = 1 + rn(2);
				o->c = rn(4) ? rslot() : -1;	/* -1: /dev/null */
			}
			if (!rn(6))
				o->extra |= 4;
		}
		break;
	case OP_RECV:
		o->type = rn(R_NR);
		o->size = pick_size() * 2 + !rn(10);
		if (!rn(4))
			o->flags |= MSG_PEEK;
		if (rn(100) < 15)
			o->flags |= MSG_TRUNC;
		if (rn(100) < 15)
			o->flags |= MSG_WAITALL;
		if (rn(100) < 8)
			o->flags |= MSG_OOB;
		if (rn(100) < 20)
			o->flags |= MSG_CMSG_CLOEXEC;
		if (o->type == R_RECVMSG)
			o->extra = ctl_sizes[rn(4)];
		if (rn(2))
			o->b = -1;
		break;
	case OP_SETOPT:
		o->type = rn(NOPTS_SET);
		o->size = rn(opts[o->type].nvals);
		break;
	case OP_GETOPT:
		o->type = rn(NOPTS);
		break;
	case OP_SHUTDOWN:
		o->type = rn(3);
		break;
	case OP_IOCTL:
		o->type = rn(3);
		break;
	case OP_UNLINK:
		o->addr = rn(NPATH);
		break;
	case OP_NAME:
		o->type = rn(2);
		o->size = rn(8) != 0;
		break;
	}
}

static struct op mk(int kind, int a, int b, int type, int addr, int size)
{
	struct op o = { .kind = kind, .a = a, .b = b, .c = -1, .type = type,
			.addr = addr, .size = size };
	return o;
}

/*
 * A sequence: single random operations, and (a third of the time) short
 * scenarios that make useful states likely: a listener and a connected,
 * accepted client; bound datagram sockets, connected or not.
 */
static void gen_seq(struct op *ops, int nops)
{
	int i = 0;

	while (i < nops) {
		int a = rslot(), b = rslot(), c = rslot(), ad = rn(A_AUTO);
		int t = rn(3), m = rn(16);
		struct op tmp[8];
		int k = 0;

		if (m == 0 && t != 1) {		/* listener, client, accept */
			tmp[k++] = mk(OP_SOCKET, a, -1, t, A_NONE, 0);
			tmp[k++] = mk(OP_BIND, a, -1, 0, rn(4) ? ad : A_AUTO, 0);
			tmp[k++] = mk(OP_LISTEN, a, -1, 0, A_NONE, rn(4));
			tmp[k++] = mk(OP_SOCKET, b, -1, rn(4) ? t : rn(3), A_NONE, 0);
			tmp[k++] = mk(OP_CONNECT, b, -1, 0, ad, 0);
			tmp[k++] = mk(OP_ACCEPT, a, c, 0, A_NONE, 0);
		} else if (m == 1) {		/* client of whatever is there */
			tmp[k++] = mk(OP_SOCKET, b, -1, t, A_NONE, 0);
			if (rn(2))
				tmp[k++] = mk(OP_BIND, b, -1, 0, rn(A_AUTO + 1), 0);
			tmp[k++] = mk(OP_CONNECT, b, -1, 0, ad, 0);
			tmp[k++] = mk(OP_ACCEPT, a, c, 0, A_NONE, 0);
		} else if (m == 2) {		/* bound datagram sockets */
			tmp[k++] = mk(OP_SOCKET, a, -1, 1, A_NONE, 0);
			tmp[k++] = mk(OP_BIND, a, -1, 0, ad, 0);
			tmp[k++] = mk(OP_SOCKET, b, -1, 1, A_NONE, 0);
			if (rn(2))
				tmp[k++] = mk(OP_BIND, b, -1, 0, rn(A_AUTO + 1), 0);
			if (rn(2))
				tmp[k++] = mk(OP_CONNECT, b, -1, 0, ad, 0);
		} else if (m <= 4) {		/* traffic over a pair */
			int n = 2 + rn(4);

			if (a == b)
				b = (a + 1) % NSLOT;
			if (m == 3)
				tmp[k++] = mk(OP_PAIR, a, b, t, A_NONE, 0);
			while (k < n) {
				bool snd = rn(2);

				gen_op(&tmp[k], snd ? OP_SEND : OP_RECV);
				tmp[k++].a = snd ? a : b;
			}
		} else if (m == 5) {		/* passing fds and credentials */
			if (a == b)
				b = (a + 1) % NSLOT;
			if (rn(2))
				tmp[k++] = mk(OP_PAIR, a, b, t, A_NONE, 0);
			if (!rn(4))
				tmp[k++] = mk(OP_SETOPT, b, -1, 2, A_NONE, 1);	/* SO_PASSCRED */
			gen_op(&tmp[k], OP_SEND);
			tmp[k].a = a;
			tmp[k].type = S_SENDMSG;
			tmp[k].extra = 1 + rn(3) + (rn(4) ? 0 : 4);
			tmp[k++].c = rn(5) ? rslot() : -1;
			if (rn(2))
				gen_op(&tmp[k++], -1);
			gen_op(&tmp[k], OP_RECV);
			tmp[k].a = b;
			tmp[k].type = R_RECVMSG;
			tmp[k++].extra = rn(4) ? 512 : ctl_sizes[rn(4)];
		} else {
			gen_op(&tmp[k++], -1);
		}
		for (int j = 0; j < k && i < nops; j++)
			ops[i++] = tmp[j];
	}
}

/* ---- describing an operation (verbose output and the C test) ---- */

static const char *flag_names(int f)
{
	static char buf[160];

	buf[0] = '\0';
	strcat(buf, "MSG_DONTWAIT");
#define F(x) do { if (f & x) strcat(buf, " | " #x); } while (0)
	F(MSG_OOB); F(MSG_NOSIGNAL); F(MSG_EOR); F(MSG_PEEK); F(MSG_TRUNC);
	F(MSG_WAITALL); F(MSG_CMSG_CLOEXEC);
#undef F
	return buf;
}

/* C that sets sa/sl to the address @sel, as make_addr() does. */
static void emit_addr(FILE *f, int sel)
{
	fprintf(f, "#\tmemset(&sa, 0, sizeof(sa));\n");
	if (sel == A_UNSPEC) {
		fprintf(f, "#\tsa.sun_family = AF_UNSPEC;\n#\tsl = sizeof(sa_family_t);\n");
		return;
	}
	fprintf(f, "#\tsa.sun_family = self->family;\n");
	if (sel < A_ABS0)
		fprintf(f, "#\tsnprintf(sa.sun_path, sizeof(sa.sun_path), \"%%s/p%d\", self->dir);\n"
			"#\tsl = SUN_HDR + strlen(sa.sun_path) + 1;\n", sel - A_PATH0);
	else if (sel < A_AUTO)
		fprintf(f, "#\tsl = SUN_HDR + 1 + snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,\n"
			"#\t\t\t\t\"punix-%%d-fz%d\", (int)getpid());\n", sel - A_ABS0);
	else
		fprintf(f, "#\tsl = sizeof(sa_family_t);\n");
}

/* One operation as C (TAP comment lines); r and errno hold its result. */
static void emit_op(FILE *f, const struct op *o)
{
	switch (o->kind) {
	case OP_SOCKET:
		fprintf(f, "#\tclose(fd[%d]);\n#\tr = fd[%d] = socket(self->family, %s | SOCK_NONBLOCK, 0);\n",
			o->a, o->a, type_names[o->type]);
		break;
	case OP_PAIR:
		fprintf(f, "#\tr = socketpair(self->family, %s | SOCK_NONBLOCK, 0, sv);\n"
			"#\tif (!r) {\n#\t\tclose(fd[%d]);\n#\t\tclose(fd[%d]);\n"
			"#\t\tfd[%d] = sv[0];\n#\t\tfd[%d] = sv[1];\n#\t}\n",
			type_names[o->type], o->a, o->b, o->a, o->b);
		break;
	case OP_BIND:
		emit_addr(f, o->addr);
		fprintf(f, "#\tr = bind(fd[%d], (struct sockaddr *)&sa, sl);\n", o->a);
		break;
	case OP_LISTEN:
		fprintf(f, "#\tr = listen(fd[%d], %d);\n", o->a, o->size);
		break;
	case OP_CONNECT:
		emit_addr(f, o->addr);
		fprintf(f, "#\tr = connect(fd[%d], (struct sockaddr *)&sa, sl);\n", o->a);
		break;
	case OP_ACCEPT:
		fprintf(f, "#\tsl = sizeof(sa);\n#\tr = accept4(fd[%d], (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK);\n"
			"#\tif (r >= 0) {\n#\t\tclose(fd[%d]);\n#\t\tfd[%d] = r;\n#\t}\n", o->a, o->b, o->b);
		break;
	case OP_SEND:
		fprintf(f, "#\tmemset(buf, 'a', %d);\n", o->size);
		if (o->addr != A_NONE)
			emit_addr(f, o->addr);
		switch (o->type) {
		case S_SEND:
			fprintf(f, "#\tr = send(fd[%d], buf, %d, %s);\n", o->a, o->size, flag_names(o->flags));
			break;
		case S_WRITE:
			fprintf(f, "#\tr = write(fd[%d], buf, %d);\n", o->a, o->size);
			break;
		case S_SENDTO:
			fprintf(f, "#\tr = sendto(fd[%d], buf, %d, %s, %s);\n", o->a, o->size,
				flag_names(o->flags), o->addr != A_NONE ? "(struct sockaddr *)&sa, sl" : "NULL, 0");
			break;
		default: {
			int nfds = (o->extra & 3) == 3 ? 1 : o->extra & 3;

			fprintf(f, "#\t{\n#\t\tstruct iovec iov = { buf, %d };\n"
				"#\t\tstruct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };\n"
				"#\t\tunion { char b[64]; struct cmsghdr a; } u;\n"
				"#\t\tstruct cmsghdr *c = (struct cmsghdr *)u.b;\n"
				"#\t\tsize_t cl = 0;\n\n#\t\tmemset(&u, 0, sizeof(u));\n", o->size);
			if (o->addr != A_NONE)
				fprintf(f, "#\t\tm.msg_name = &sa;\n#\t\tm.msg_namelen = sl;\n");
			if (nfds) {
				fprintf(f, "#\t\tint fds[2] = { %s, devnull };\n\n"
					"#\t\tc->cmsg_level = SOL_SOCKET;\n#\t\tc->cmsg_type = SCM_RIGHTS;\n"
					"#\t\tc->cmsg_len = CMSG_LEN(%d * sizeof(int));\n"
					"#\t\tmemcpy(CMSG_DATA(c), fds, %d * sizeof(int));\n"
					"#\t\tcl += CMSG_SPACE(%d * sizeof(int));\n",
					o->c >= 0 ? "-1" : "devnull", nfds, nfds, nfds);
				if (o->c >= 0)
					fprintf(f, "#\t\t/* fds[0] is fd[%d] */\n#\t\tfds[0] = fd[%d];\n",
						o->c, o->c);
			}
			if (o->extra & 4)
				fprintf(f, "#\t\tstruct ucred uc = { getpid(), getuid(), getgid() };\n\n"
					"#\t\tc = (struct cmsghdr *)(u.b + cl);\n"
					"#\t\tc->cmsg_level = SOL_SOCKET;\n#\t\tc->cmsg_type = SCM_CREDENTIALS;\n"
					"#\t\tc->cmsg_len = CMSG_LEN(sizeof(uc));\n"
					"#\t\tmemcpy(CMSG_DATA(c), &uc, sizeof(uc));\n"
					"#\t\tcl += CMSG_SPACE(sizeof(uc));\n");
			fprintf(f, "#\t\tif (cl) {\n#\t\t\tm.msg_control = u.b;\n#\t\t\tm.msg_controllen = cl;\n#\t\t}\n"
				"#\t\tr = sendmsg(fd[%d], &m, %s);\n#\t}\n", o->a, flag_names(o->flags));
		}
		}
		break;
	case OP_RECV: {
		int size = o->size >> 1;

		switch (o->type) {
		case R_RECV:
			fprintf(f, "#\tr = recv(fd[%d], buf, %d, %s);\n", o->a, size, flag_names(o->flags));
			break;
		case R_READ:
			fprintf(f, "#\tr = read(fd[%d], buf, %d);\n", o->a, size);
			break;
		case R_RECVFROM:
			fprintf(f, "#\tsl = %s;\n#\tr = recvfrom(fd[%d], buf, %d, %s, (struct sockaddr *)&sa, &sl);\n",
				o->size & 1 ? "5" : "sizeof(sa)", o->a, size, flag_names(o->flags));
			break;
		default:
			fprintf(f, "#\t{\n#\t\tstruct iovec iov = { buf, %d };\n"
				"#\t\tunion { char b[512]; struct cmsghdr a; } u;\n"
				"#\t\tstruct msghdr m = { .msg_name = &sa, .msg_namelen = %s,\n"
				"#\t\t\t\t      .msg_iov = &iov, .msg_iovlen = 1,\n"
				"#\t\t\t\t      .msg_control = %s, .msg_controllen = %d };\n\n"
				"#\t\tr = recvmsg(fd[%d], &m, %s);\n"
				"#\t\t/* received fds (SCM_RIGHTS) go to fd[%d] (first) or are closed */\n#\t}\n",
				size, o->size & 1 ? "5" : "sizeof(sa)", o->extra ? "u.b" : "NULL",
				o->extra, o->a, flag_names(o->flags), o->b);
		}
		break;
	}
	case OP_SETOPT:
		if (opts[o->type].opt == SO_SNDTIMEO)
			fprintf(f, "#\t{\n#\t\tstruct timeval tv = { 0, %d };\n\n"
				"#\t\tr = setsockopt(fd[%d], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));\n#\t}\n",
				opts[o->type].vals[o->size], o->a);
		else
			fprintf(f, "#\tv = %d;\n#\tr = setsockopt(fd[%d], SOL_SOCKET, %s, &v, sizeof(v));\n",
				opts[o->type].vals[o->size], o->a, opts[o->type].name);
		break;
	case OP_GETOPT:
		fprintf(f, "#\tsl = sizeof(optval);\n#\tr = getsockopt(fd[%d], SOL_SOCKET, %s, &optval, &sl);\n",
			o->a, opts[o->type].name);
		break;
	case OP_SHUTDOWN:
		fprintf(f, "#\tr = shutdown(fd[%d], %s);\n", o->a,
			o->type == SHUT_RD ? "SHUT_RD" : o->type == SHUT_WR ? "SHUT_WR" : "SHUT_RDWR");
		break;
	case OP_CLOSE:
		fprintf(f, "#\tr = close(fd[%d]);\n#\tfd[%d] = -1;\n", o->a, o->a);
		break;
	case OP_DUP:
		fprintf(f, "#\tr = dup(fd[%d]);\n#\tif (r >= 0) {\n#\t\tclose(fd[%d]);\n#\t\tfd[%d] = r;\n#\t}\n",
			o->a, o->b, o->b);
		break;
	case OP_POLL:
		fprintf(f, "#\tpfd.fd = fd[%d];\n#\tpfd.events = POLL_ALL;\n#\tr = poll(&pfd, 1, 0);\n", o->a);
		break;
	case OP_IOCTL:
		fprintf(f, "#\tr = ioctl(fd[%d], %s, &v);\n", o->a, ioctl_names[o->type]);
		break;
	case OP_UNLINK:
		fprintf(f, "#\tsnprintf(sa.sun_path, sizeof(sa.sun_path), \"%%s/p%d\", self->dir);\n"
			"#\tr = unlink(sa.sun_path);\n", o->addr - A_PATH0);
		break;
	case OP_NAME:
		fprintf(f, "#\tsl = %s;\n#\tr = %s(fd[%d], (struct sockaddr *)&sa, &sl);\n",
			o->size ? "sizeof(sa)" : "4", o->type ? "getpeername" : "getsockname", o->a);
		break;
	}
}

/* ---- running a sequence in both worlds ---- */

static void world_reset(struct world *w)
{
	for (int s = 0; s < NSLOT; s++) {
		if (w->fd[s] >= 0)
			close(w->fd[s]);
		w->fd[s] = -1;
	}
	w->released = false;
}

static int rm_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int world_setup(struct world *w)
{
	nftw(w->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	if (mkdir(w->dir, 0755)) {
		printf("# mkdir %s: %s\n", w->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Run ops[idx[0..n-1]] in both worlds. Returns the position in idx of the
 * first operation whose outcomes differ (its lines in la/lb), or -1.
 */
static int run_seq(const struct op *ops, const int *idx, int n,
		   struct line *la, struct line *lb, bool show)
{
	struct world *A = &worlds[0], *B = &worlds[1];
	int bad = -1;

	run_no++;
	sockets_passed = false;
	if (world_setup(A) || world_setup(B))
		return -2;
	for (int i = 0; i < n; i++) {
		const struct op *o = &ops[idx[i]];

		run_op(A, o, idx[i], la);
		run_op(B, o, idx[i], lb);
		if (show)
			printf("# %3d %-10s a=%d b=%d c=%d t=%d addr=%d size=%d fl=%#x x=%d | %s | %s\n",
			       idx[i], op_names[o->kind], o->a, o->b, o->c, o->type, o->addr,
			       o->size, o->flags, o->extra, la->s, lb->s);
		if (strcmp(la->s, lb->s)) {
			bad = i;
			break;
		}
		if ((A->released || B->released) && sockets_passed)
			settle_gc();
		A->released = B->released = false;
	}
	world_reset(A);
	world_reset(B);
	return bad;
}

/* Does the sequence diverge (anywhere)? Replays up to @tries times. */
static int diverges(const struct op *ops, const int *idx, int n, int tries,
		    struct line *la, struct line *lb)
{
	int r = -1;

	for (int t = 0; t < tries && r < 0; t++)
		r = run_seq(ops, idx, n, la, lb, false);
	return r;
}

/*
 * Delta debugging: drop chunks of operations (halves, quarters, ... single
 * ones) while the sequence still diverges; cut everything after the
 * divergence. Returns the new length of idx.
 */
static int shrink(const struct op *ops, int *idx, int n, struct line *la, struct line *lb)
{
	int tmp[MAXOPS];
	int chunk = n / 2 > 0 ? n / 2 : 1;

	for (;;) {
		bool progress = false;

		for (int start = 0; start < n;) {
			int m = 0, at, end = start + chunk < n ? start + chunk : n;

			for (int i = 0; i < n; i++)
				if (i < start || i >= end)
					tmp[m++] = idx[i];
			at = m ? diverges(ops, tmp, m, 2, la, lb) : -1;
			if (at >= 0) {
				n = at + 1;
				memcpy(idx, tmp, n * sizeof(int));
				progress = true;
			} else {
				start = end;
			}
		}
		if (chunk == 1 && !progress)
			break;
		if (!progress || chunk > 1)
			chunk = chunk / 2 > 0 ? chunk / 2 : 1;
	}
	/* The final lines: of the minimal sequence. */
	diverges(ops, idx, n, 3, la, lb);
	return n;
}

static void emit_test(unsigned long seed, const struct op *ops, const int *idx, int n,
		      const struct line *la, const struct line *lb)
{
	const struct op *last = &ops[idx[n - 1]];
	const char *s = la->s;

	printf("# ---- minimal sequence (%d operations) as a selftest body ----\n", n);
	printf("#/*\n# * fuzz_test seed %lu: AF_UNIX and punix differ at the last call.\n", seed);
	printf("# *   AF_UNIX: %s\n# *   punix:   %s\n# */\n", la->s, lb->s);
	printf("#TEST_F(misc, fuzz_seed_%lu)\n#{\n", seed);
	printf("#\tint fd[%d] = { %s };\n", NSLOT, "-1, -1, -1, -1, -1, -1");
	printf("#\tint devnull = open(\"/dev/null\", O_RDWR | O_CLOEXEC);\n");
	printf("#\tstatic char buf[%d];\n#\tstruct sockaddr_un sa;\n#\tstruct pollfd pfd;\n"
	       "#\tint optval[4], r, v, sv[2];\n#\tsocklen_t sl;\n\n", BUFSZ);
	printf("#\tASSERT_LE(0, devnull);\n#\tsignal(SIGPIPE, SIG_IGN);\n");
	for (int i = 0; i < n; i++) {
		struct line l;

		/* the native outcome of every step, as a comment */
		if (i < n - 1) {
			run_seq(ops, idx, i + 1, &l, (struct line[1]){}, false);
			printf("#\t/* %s: %s */\n", op_names[ops[idx[i]].kind], l.s);
		}
		emit_op(stdout, &ops[idx[i]]);
	}
	if (!strncmp(s, "-1 ", 3)) {
		printf("#\tASSERT_EQ(-1, r);\n#\tEXPECT_EQ(%.*s, errno);\n",
		       (int)strcspn(s + 3, " "), s + 3);
	} else {
		long v = strtol(s, NULL, 10);

		if (last->kind == OP_SOCKET || last->kind == OP_ACCEPT || last->kind == OP_DUP)
			printf("#\tASSERT_LE(0, r);\n");
		else
			printf("#\tASSERT_EQ(%ld, r);\n", v);
		printf("#\t/* then: what differs in the lines above */\n");
	}
	printf("#\tfor (int i = 0; i < %d; i++)\n#\t\tclose(fd[i]);\n#\tclose(devnull);\n#}\n", NSLOT);
	printf("# ---- end ----\n");
}

/* One seed: generate, run, and on a divergence shrink and print. */
static bool fuzz_seed(unsigned long seed, int nops, bool show)
{
	static struct op ops[MAXOPS];
	static int idx[MAXOPS];
	struct line la, lb;
	int at, n;

	rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (!rng)
		rng = 1;
	gen_seq(ops, nops);
	for (int i = 0; i < nops; i++)
		idx[i] = i;
	at = run_seq(ops, idx, nops, &la, &lb, show);
	if (at == -2)
		return false;
	if (at < 0)
		return true;
	printf("# seed %lu: operation %d (%s) differs\n#   AF_UNIX: %s\n#   punix:   %s\n",
	       seed, at, op_names[ops[idx[at]].kind], la.s, lb.s);
	n = at + 1;
	if (diverges(ops, idx, n, 4, &la, &lb) < 0) {
		/* Never again in four replays: a timing accident (the
		 * collectors run on a workqueue), not a behaviour. */
		printf("# seed %lu: the divergence did not replay; not counted\n", seed);
		return true;
	}
	n = shrink(ops, idx, n, &la, &lb);
	emit_test(seed, ops, idx, n, &la, &lb);
	return false;
}

static int parse_range(const char *s, unsigned long *a, unsigned long *b)
{
	char *end;

	*a = strtoul(s, &end, 10);
	if (end == s)
		return -1;
	if (*end == '-') {
		s = end + 1;
		*b = strtoul(s, &end, 10);
		if (end == s)
			return -1;
	} else {
		*b = *a;
	}
	return *end || *b < *a ? -1 : 0;
}

static int read_family(void)
{
	char buf[32] = "";
	int fd = open(PUNIX_FAMILY_SYSFS, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

int main(int argc, char **argv)
{
	unsigned long first = DEF_SEED_FIRST, last = DEF_SEED_LAST, seed;
	int nops = DEF_OPS, fam, failed = 0, num = 0;
	const char *e;
	bool list = false;

	if ((e = getenv("FUZZ_SEEDS")) && *e && parse_range(e, &first, &last)) {
		fprintf(stderr, "bad FUZZ_SEEDS '%s'\n", e);
		return 2;
	}
	if ((e = getenv("FUZZ_OPS")) && *e)
		nops = atoi(e);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
			if (parse_range(argv[++i], &first, &last)) {
				fprintf(stderr, "bad --seeds '%s' (N or A-B)\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			nops = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "-l")) {
			list = true;
		} else {
			fprintf(stderr, "usage: %s [--seeds A-B] [--ops N] [-v] [-l]\n", argv[0]);
			return 2;
		}
	}
	if (nops < 1 || nops > MAXOPS) {
		fprintf(stderr, "--ops: 1 to %d\n", MAXOPS);
		return 2;
	}
	/* -l: the case names, one a line (make expected reads them). */
	if (list) {
		for (seed = first; seed <= last; seed++)
			printf("seed_%lu\n", seed);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%lu\n", last - first + 1);
	printf("# seeds %lu-%lu, %d operations each, %d slots\n", first, last, nops, NSLOT);
	/* FUZZ_FAMILY=1 runs AF_UNIX against itself: a check of the
	 * fuzzer's own determinism, on any machine. */
	e = getenv("FUZZ_FAMILY");
	fam = e && *e ? atoi(e) : read_family();
	if (fam <= 0) {
		for (seed = first; seed <= last; seed++)
			printf("not ok %d seed_%lu # cannot read %s\n", ++num, seed,
			       PUNIX_FAMILY_SYSFS);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	sendbuf = malloc(BUFSZ);
	recvbuf = malloc(BUFSZ);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	strcpy(base_dir, "/tmp/fuzz-XXXXXX");
	if (!sendbuf || !recvbuf || devnull < 0 || !mkdtemp(base_dir)) {
		perror("setup");
		return 1;
	}
	worlds[0].family = AF_UNIX;
	worlds[1].family = fam;
	worlds[0].abs_tag = worlds[1].abs_tag = 'x';
	if (fam == AF_UNIX) {
		worlds[0].abs_tag = 'A';
		worlds[1].abs_tag = 'B';
	}
	/* Same length, so that paths (and their lengths) compare. */
	snprintf(worlds[0].dir, sizeof(worlds[0].dir), "%s/a", base_dir);
	snprintf(worlds[1].dir, sizeof(worlds[1].dir), "%s/b", base_dir);
	for (int w = 0; w < 2; w++)
		for (int s = 0; s < NSLOT; s++)
			worlds[w].fd[s] = -1;
	for (seed = first; seed <= last; seed++) {
		struct timespec t0, t1;
		bool ok;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		ok = fuzz_seed(seed, nops, verbose);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!ok)
			failed++;
		printf("%s %d seed_%lu # %ld ms\n", ok ? "ok" : "not ok", ++num, seed,
		       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	nftw(base_dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	printf("# %d of %d seeds diverged\n", failed, num);
	return failed ? 1 : 0;
}
