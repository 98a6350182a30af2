// SPDX-License-Identifier: GPL-2.0
/*
 * punix-bench: AF_UNIX and punix measured side by side in one boot.
 *
 * Every row is a short, time-bounded measurement run on one socket family.
 * With --family both, each round measures AF_UNIX and punix back to back,
 * alternating which goes first, and the ratio punix/AF_UNIX of each round is
 * kept: the table shows the median and the spread (min..max) of each family
 * and of the per-round ratio. Ratios are oriented so that above 1.0 means
 * punix does better: rates are punix/AF_UNIX, the memory rows (lower is
 * better) AF_UNIX/punix.
 *
 * See bench/README.md for what each row measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/membarrier.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS	99
#define NS_COUNT	8	/* network namespaces the "-8ns" rows spread over */
#define HB_SENDERS	10	/* hackbench-style load: senders ... */
#define HB_RECEIVERS	10	/* ... each writing to every receiver */
#define HB_MSG		100	/* bytes per hackbench message */
#define PAIRS_WRITE	4096	/* write size of the concurrent-pairs rows */
#define COPY_CHUNK	65536	/* memcpy row: chunk size ... */
#define COPY_AREA	(4 << 20)	/* ... cycling over this many bytes */
#define RTT_STOP	2	/* round trips: a 2-byte message ends the run */
#define MSG_STOP	1	/* message rows: a 1-byte message ends the run */
#define PIPE_SIZE	(256 << 10)	/* the pipe reference's buffer (below) */
#define ROT_PAGES	256	/* a flow's buffer moves over this many pages */
#define BUF_PAGE	4096

/* ---------------------------------------------------------------- setup */

struct fam {
	int idx;		/* 0 or 1: column of the table */
	int family;		/* the number passed to socket() */
	const char *label;	/* "AF_UNIX", "punix" */
	const char *proto;	/* name in /proc/net/protocols */
};

static struct {
	double secs;		/* length of one measurement */
	int rounds;
	int names;		/* other bound sockets of the connect rows */
	int pairs;		/* idle pairs of the memory rows */
	int nfam;
	struct fam fam[2];
	int both;
	int self;
	const char *tsv;
	const char *rows;
	char dir[256];		/* temporary directory for path names */
	int made_dir;
	int ns_warned;
} cfg = {
	.secs = 0.3,
	.rounds = 5,
	.names = 10000,
	.pairs = 10000,
};

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fflush(stdout);
	fprintf(stderr, "punix-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e && fmt[strlen(fmt) - 1] != '\n')
		fprintf(stderr, ": %s\n", strerror(e));
	else if (fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	memset(p, 0x5a, n);
	return p;
}

/*
 * A buffer that moves. QEMU's software TLB (TCG) is direct-mapped: in the
 * bench VM a memcpy() between two pages whose virtual page numbers are
 * equal modulo 128 ran 14 times slower than between any other two pages.
 * A writer or reader whose buffer sits at one address for a whole round
 * meets the kernel's pages (skb heads, frag pages, reused as they are
 * freed) at one placement, and that draw made whole rounds of a stream row
 * 2 to 4 times slower than the others, in either family and in AF_UNIX
 * against itself (-S). So every call takes the next of ROT_PAGES page
 * offsets (a step of @step pages, odd: all of them in turn), and a round
 * averages the placements instead of drawing one.
 */
struct rotbuf {
	char *base;
	unsigned int k, step;
};

static void rot_init(struct rotbuf *rb, size_t len, unsigned int step)
{
	size_t n = (size_t)ROT_PAGES * BUF_PAGE + len;

	if (posix_memalign((void **)&rb->base, BUF_PAGE, n))
		die("out of memory");
	memset(rb->base, 0x5a, n);
	rb->k = 0;
	rb->step = step;
}

static char *rot_next(struct rotbuf *rb)
{
	rb->k = (rb->k + rb->step) % ROT_PAGES;
	return rb->base + (size_t)rb->k * BUF_PAGE;
}

static int xsocket(const struct fam *f, int type)
{
	int fd = socket(f->family, type, 0);

	if (fd < 0)
		die("socket(%d, %d) (%s)", f->family, type, f->label);
	return fd;
}

static void xsocketpair(const struct fam *f, int type, int sv[2])
{
	if (socketpair(f->family, type, 0, sv))
		die("socketpair(%d, %d) (%s)", f->family, type, f->label);
}

static void xpthread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(t, NULL, fn, arg);

	if (e) {
		errno = e;
		die("pthread_create");
	}
}

/*
 * send() the whole buffer (a blocking stream send may stop early on a
 * signal); write() it when @is_pipe (the pipe reference of the stream rows).
 */
static void send_all(int fd, const char *buf, size_t len, int is_pipe)
{
	while (len) {
		ssize_t n = is_pipe ? write(fd, buf, len) : send(fd, buf, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		buf += n;
		len -= n;
	}
}

/*
 * Socket addresses. Path names live in cfg.dir, abstract names carry the
 * pid; the column index keeps the two families apart (in --self-compare
 * both columns are family 1).
 */
static socklen_t make_addr(struct sockaddr_un *sun, int abstract,
			   int idx, const char *what, int n)
{
	int len;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;	/* punix takes the same sockaddr_un */
	if (abstract)
		len = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
			       "punix-bench.%d.%d.%s%d", (int)getpid(), idx,
			       what, n) + 1;
	else {
		char tmp[512];

		len = snprintf(tmp, sizeof(tmp), "%s/%d.%s%d", cfg.dir, idx,
			       what, n);
		if (len < 0 || (size_t)len >= sizeof(sun->sun_path))
			die("path name too long: %s (use a shorter --dir)\n",
			    tmp);
		memcpy(sun->sun_path, tmp, len);
	}
	return offsetof(struct sockaddr_un, sun_path) + len;
}

static void unlink_addr(const struct sockaddr_un *sun)
{
	if (sun->sun_path[0])
		unlink(sun->sun_path);
}

/* ----------------------------------------------- one writer, one reader */

/*
 * A flow: writer threads send buffers of one size for cfg.secs, then end the
 * stream (shutdown) or send a MSG_STOP-byte message; reader threads count
 * what they receive until then. Used by the stream, message and
 * concurrent-pairs rows.
 */
struct flow {
	int wfd, rfd, type;
	int pipe;		/* a pipe: write() and read(), EOF by close() */
	size_t size, rbuf;
	pthread_barrier_t *bar;
	unsigned long long bytes, msgs, writes;
	double tend;
};

static void *flow_writer(void *p)
{
	struct flow *fl = p;
	struct rotbuf rb;
	double deadline;
	char stop = 0;

	rot_init(&rb, fl->size, 97);
	pthread_barrier_wait(fl->bar);
	deadline = now() + cfg.secs;
	while (now() < deadline) {
		send_all(fl->wfd, rot_next(&rb), fl->size, fl->pipe);
		fl->writes++;
	}
	if (fl->pipe) {
		close(fl->wfd);
		fl->wfd = -1;
	} else if (fl->type == SOCK_STREAM) {
		shutdown(fl->wfd, SHUT_WR);
	} else {
		send_all(fl->wfd, &stop, MSG_STOP, 0);
	}
	free(rb.base);
	return NULL;
}

static void *flow_reader(void *p)
{
	struct flow *fl = p;
	struct rotbuf rb;

	rot_init(&rb, fl->rbuf, 61);
	pthread_barrier_wait(fl->bar);
	for (;;) {
		char *buf = rot_next(&rb);
		ssize_t n = fl->pipe ? read(fl->rfd, buf, fl->rbuf) :
				       recv(fl->rfd, buf, fl->rbuf, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		if (n == 0)
			break;
		if (fl->type != SOCK_STREAM && (size_t)n != fl->size)
			break;	/* the stop message */
		fl->bytes += n;
		fl->msgs++;
	}
	fl->tend = now();
	free(rb.base);
	return NULL;
}

/*
 * npairs concurrent flows; returns bytes/s or messages/s in out[0], and in
 * out[1] the writes per read that returned data (how many writes a reader
 * found queued when it ran, on average). With no family (@f NULL), one
 * pipe of PIPE_SIZE bytes instead of a socketpair.
 */
static int run_flows(const struct fam *f, int type, size_t size, int npairs,
		     int count_msgs, double *out)
{
	struct flow *fl = calloc(npairs, sizeof(*fl));
	pthread_t *th = calloc(2 * npairs, sizeof(*th));
	pthread_barrier_t bar;
	unsigned long long total = 0, writes = 0, reads = 0;
	double t0, tend = 0;
	int i;

	if (!fl || !th)
		die("out of memory");
	pthread_barrier_init(&bar, NULL, 2 * npairs + 1);
	for (i = 0; i < npairs; i++) {
		int sv[2];

		if (f) {
			xsocketpair(f, type, sv);
			fl[i].wfd = sv[0];
			fl[i].rfd = sv[1];
		} else {
			if (pipe(sv))
				die("pipe");
			if (fcntl(sv[1], F_SETPIPE_SZ, PIPE_SIZE) < 0)
				die("F_SETPIPE_SZ %d", PIPE_SIZE);
			fl[i].pipe = 1;
			fl[i].wfd = sv[1];
			fl[i].rfd = sv[0];
		}
		fl[i].type = type;
		fl[i].size = size;
		/* stream readers take up to 64 KiB per read (more than one write) */
		fl[i].rbuf = type == SOCK_STREAM && size < 65536 ? 65536 : size;
		fl[i].bar = &bar;
		xpthread_create(&th[2 * i], flow_reader, &fl[i]);
		xpthread_create(&th[2 * i + 1], flow_writer, &fl[i]);
	}
	pthread_barrier_wait(&bar);
	t0 = now();
	for (i = 0; i < 2 * npairs; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < npairs; i++) {
		total += count_msgs ? fl[i].msgs : fl[i].bytes;
		writes += fl[i].writes;
		reads += fl[i].msgs;
		if (fl[i].tend > tend)
			tend = fl[i].tend;
		if (fl[i].wfd >= 0)
			close(fl[i].wfd);
		close(fl[i].rfd);
	}
	pthread_barrier_destroy(&bar);
	free(fl);
	free(th);
	out[0] = total / (tend - t0);
	if (!count_msgs)
		out[0] /= 1e6;	/* MB/s */
	out[1] = reads ? (double)writes / reads : NAN;
	return 0;
}

struct row;
typedef int (*measure_fn)(const struct row *r, const struct fam *f,
			  double *out);

enum fixture { FIX_NONE, FIX_PATH, FIX_ABS, FIX_PATH_NS, FIX_ABS_NS };

struct row {
	char name[40];
	const char *unit;
	measure_fn fn;
	long a, b;		/* parameters of fn */
	int nout;		/* fn fills this row and the nout-1 next ones */
	int lower_better;	/* memory: ratio is AF_UNIX/punix */
	int nofam;		/* measured once per round, not per family */
	int ref;		/* also measure the references (m_ref) */
	enum fixture fix;
	double setup_est;	/* estimated setup seconds per family */
};

static int m_stream(const struct row *r, const struct fam *f, double *out)
{
	return run_flows(f, SOCK_STREAM, r->a, 1, 0, out);
}

/*
 * The references of the stream rows, measured in every round after the
 * families, with the row's write size:
 *  pipe  the kernel's leanest byte stream, with the same writer and reader
 *        threads (write() and read() for send() and recv()): writes merged
 *        into the pages of a PIPE_SIZE buffer (a socket's default send
 *        buffer, net.core.wmem_default 212992, rounded up to a power of two
 *        of pages as the kernel does), no skbs, one lock;
 *  null  the writes alone, to /dev/null: the system call, no copy and no
 *        reader. A byte stream that takes one system call per write cannot
 *        go faster, whatever it does in the kernel.
 * The table shows each as the median ratio to the first family (AF_UNIX)
 * over the rounds: how far above AF_UNIX a stream row could get at all.
 */
enum { REF_PIPE, REF_NULL, NREF };
static const char *const ref_name[NREF] = { "pipe", "null" };

static int m_ref(const struct row *r, int ref, double *out)
{
	unsigned long long bytes = 0;
	double t0, t1, deadline;
	struct rotbuf rb;
	int fd;

	if (ref == REF_PIPE)
		return run_flows(NULL, SOCK_STREAM, r->a, 1, 0, out);
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		die("/dev/null");
	out[1] = NAN;	/* no reader */
	rot_init(&rb, r->a, 97);
	t0 = now();
	deadline = t0 + cfg.secs;
	do {
		send_all(fd, rot_next(&rb), r->a, 1);
		bytes += r->a;
		t1 = now();
	} while (t1 < deadline);
	close(fd);
	free(rb.base);
	*out = bytes / (t1 - t0) / 1e6;
	return 0;
}

static int m_msgs(const struct row *r, const struct fam *f, double *out)
{
	return run_flows(f, r->b, r->a, 1, 1, out);
}

static int m_pairs(const struct row *r, const struct fam *f, double *out)
{
	return run_flows(f, SOCK_STREAM, PAIRS_WRITE, r->a, 0, out);
}

/* ---------------------------------------------------------- round trips */

struct rtt {
	int fd;
	pthread_barrier_t bar;
};

static void *rtt_server(void *p)
{
	struct rtt *rt = p;
	char b[8];

	pthread_barrier_wait(&rt->bar);
	for (;;) {
		ssize_t n = recv(rt->fd, b, sizeof(b), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			break;
		send_all(rt->fd, b, 1, 0);
	}
	return NULL;
}

static int m_rtt(const struct row *r, const struct fam *f, double *out)
{
	struct rtt rt;
	pthread_t th;
	unsigned long count = 0;
	double t0, t1, deadline;
	char b[8] = { 0 };
	int sv[2];

	xsocketpair(f, r->a, sv);
	rt.fd = sv[1];
	pthread_barrier_init(&rt.bar, NULL, 2);
	xpthread_create(&th, rtt_server, &rt);
	pthread_barrier_wait(&rt.bar);
	t0 = now();
	deadline = t0 + cfg.secs;
	do {
		send_all(sv[0], b, 1, 0);
		if (recv(sv[0], b, sizeof(b), 0) != 1)
			die("round trip: short reply");
		count++;
		t1 = now();
	} while (t1 < deadline);
	send_all(sv[0], b, RTT_STOP, 0);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&rt.bar);
	close(sv[0]);
	close(sv[1]);
	*out = count / (t1 - t0);
	return 0;
}

/* ------------------------------------------------- connect+accept+close */

/*
 * The other bound sockets of the connect rows: cfg.names sockets bound to
 * paths (or abstract names), in this network namespace or spread over
 * NS_COUNT children that each unshare(CLONE_NEWNET) and hold their share
 * until the parent closes the control pipe.
 */
struct fixture_state {
	int *fds;
	int n;
	int abstract;
	pid_t kids[NS_COUNT];
	int nkids;
	int ctl;		/* write end: closing it releases the children */
};

static struct fixture_state fixtures[2];

static int bind_names(const struct fam *f, int abstract, int from, int to,
		      int *fds)
{
	struct sockaddr_un sun;
	int i;

	for (i = from; i < to; i++) {
		socklen_t len = make_addr(&sun, abstract, f->idx, "o", i);
		int fd = socket(f->family, SOCK_DGRAM, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len)) {
			fprintf(stderr, "punix-bench: bind %d of %d (%s): %s\n",
				i, to, f->label, strerror(errno));
			if (fd >= 0)
				close(fd);
			return i - from;
		}
		fds[i - from] = fd;
	}
	return to - from;
}

static void close_names(const struct fam *f, int abstract, int from, int n,
			int *fds)
{
	struct sockaddr_un sun;
	int i;

	for (i = 0; i < n; i++) {
		close(fds[i]);
		if (!abstract) {
			make_addr(&sun, 0, f->idx, "o", from + i);
			unlink_addr(&sun);
		}
	}
}

static void fixture_destroy(const struct fam *f)
{
	struct fixture_state *fx = &fixtures[f->idx];
	int i, st;

	if (fx->fds) {
		close_names(f, fx->abstract, 0, fx->n, fx->fds);
		free(fx->fds);
	}
	if (fx->nkids) {
		close(fx->ctl);
		for (i = 0; i < fx->nkids; i++)
			waitpid(fx->kids[i], &st, 0);
	}
	memset(fx, 0, sizeof(*fx));
}

static void ns_child(const struct fam *f, int abstract, int from, int to,
		     int ready, int ctl)
{
	int *fds = xmalloc((to - from) * sizeof(int));
	char c = 'K';
	int n;

	if (unshare(CLONE_NEWNET)) {
		c = 'E';
		if (write(ready, &c, 1) != 1)
			_exit(1);
		_exit(1);
	}
	n = bind_names(f, abstract, from, to, fds);
	if (n != to - from)
		c = 'B';
	if (write(ready, &c, 1) != 1)
		_exit(1);
	while (read(ctl, &c, 1) > 0)
		;
	close_names(f, abstract, from, n, fds);
	_exit(0);
}

static int fixture_create(const struct row *r, const struct fam *f)
{
	struct fixture_state *fx = &fixtures[f->idx];
	int abstract = r->fix == FIX_ABS || r->fix == FIX_ABS_NS;
	int ready[2], ctl[2], i, bad = 0;

	memset(fx, 0, sizeof(*fx));
	fx->abstract = abstract;
	if (r->fix == FIX_PATH || r->fix == FIX_ABS) {
		fx->fds = xmalloc(cfg.names * sizeof(int));
		fx->n = bind_names(f, abstract, 0, cfg.names, fx->fds);
		if (fx->n != cfg.names) {
			fixture_destroy(f);
			return -1;
		}
		return 0;
	}
	if (pipe(ready) || pipe(ctl))
		die("pipe");
	fflush(stdout);
	for (i = 0; i < NS_COUNT; i++) {
		int from = (long)cfg.names * i / NS_COUNT;
		int to = (long)cfg.names * (i + 1) / NS_COUNT;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			int o = !f->idx;

			close(ready[0]);
			close(ctl[1]);
			/* the other family's children wait for EOF on theirs */
			if (fixtures[o].nkids)
				close(fixtures[o].ctl);
			ns_child(f, abstract, from, to, ready[1], ctl[0]);
		}
		fx->kids[fx->nkids++] = pid;
	}
	close(ready[1]);
	close(ctl[0]);
	fx->ctl = ctl[1];
	for (i = 0; i < NS_COUNT; i++) {
		char c = 'E';

		if (read(ready[0], &c, 1) != 1 || c != 'K')
			bad = c;
	}
	close(ready[0]);
	if (bad) {
		if (bad == 'E' && !cfg.ns_warned++)
			fprintf(stderr, "punix-bench: unshare(CLONE_NEWNET) failed (needs root): the -%dns rows are skipped\n",
				NS_COUNT);
		fixture_destroy(f);
		return -1;
	}
	return 0;
}

static int m_connect(const struct row *r, const struct fam *f, double *out)
{
	struct sockaddr_un sun;
	socklen_t len = make_addr(&sun, r->a, f->idx, "listen", 0);
	int l = xsocket(f, SOCK_STREAM);
	unsigned long count = 0;
	double t0, t1, deadline;

	if (bind(l, (struct sockaddr *)&sun, len) || listen(l, 64))
		die("bind/listen %s (%s)", r->a ? "abstract" : sun.sun_path,
		    f->label);
	t0 = now();
	deadline = t0 + cfg.secs;
	do {
		int c = xsocket(f, SOCK_STREAM), a;

		if (connect(c, (struct sockaddr *)&sun, len))
			die("connect (%s)", f->label);
		a = accept(l, NULL, NULL);
		if (a < 0)
			die("accept (%s)", f->label);
		close(c);
		close(a);
		count++;
		t1 = now();
	} while (t1 < deadline);
	close(l);
	unlink_addr(&sun);
	*out = count / (t1 - t0);
	return 0;
}

/* ---------------------------------------------------------- SCM_RIGHTS */

struct scm {
	int fd;
	unsigned long fds;
	double tend;
	pthread_barrier_t bar;
};

static void *scm_receiver(void *p)
{
	struct scm *s = p;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	pthread_barrier_wait(&s->bar);
	for (;;) {
		struct cmsghdr *ch;
		ssize_t n;

		m.msg_control = c.b;
		m.msg_controllen = sizeof(c.b);
		n = recvmsg(s->fd, &m, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recvmsg (SCM_RIGHTS)");
		if (n == 0)
			break;
		for (ch = CMSG_FIRSTHDR(&m); ch; ch = CMSG_NXTHDR(&m, ch)) {
			int fd;

			if (ch->cmsg_level != SOL_SOCKET ||
			    ch->cmsg_type != SCM_RIGHTS)
				continue;
			memcpy(&fd, CMSG_DATA(ch), sizeof(fd));
			close(fd);
			s->fds++;
		}
	}
	s->tend = now();
	return NULL;
}

/* r->a: 0 passes a file (/dev/null), 1 a socket of the family measured */
static int m_scm(const struct row *r, const struct fam *f, double *out)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.b, .msg_controllen = sizeof(c.b),
	};
	struct cmsghdr *ch;
	struct scm s = { 0 };
	pthread_t th;
	double t0, deadline;
	int sv[2], pass;

	pass = r->a ? xsocket(f, SOCK_STREAM) : open("/dev/null", O_RDWR);
	if (pass < 0)
		die("open /dev/null");
	memset(&c, 0, sizeof(c));
	ch = CMSG_FIRSTHDR(&m);
	ch->cmsg_level = SOL_SOCKET;
	ch->cmsg_type = SCM_RIGHTS;
	ch->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(ch), &pass, sizeof(int));

	xsocketpair(f, SOCK_STREAM, sv);
	s.fd = sv[1];
	pthread_barrier_init(&s.bar, NULL, 2);
	xpthread_create(&th, scm_receiver, &s);
	pthread_barrier_wait(&s.bar);
	t0 = now();
	deadline = t0 + cfg.secs;
	while (now() < deadline) {
		if (sendmsg(sv[0], &m, 0) != 1) {
			if (errno == EINTR)
				continue;
			die("sendmsg (SCM_RIGHTS, %s)", f->label);
		}
	}
	shutdown(sv[0], SHUT_WR);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&s.bar);
	close(sv[0]);
	close(sv[1]);
	close(pass);
	*out = s.fds / (s.tend - t0);
	return 0;
}

/* ------------------------------------------------ hackbench-style load */

/*
 * HB_SENDERS threads each write HB_MSG-byte messages to every one of
 * HB_RECEIVERS stream sockets in turn (all senders share each receiver's
 * socket, as hackbench does); each receiver drains its socket.
 */
struct hb {
	int *wfd;
	pthread_barrier_t *bar;
	int rfd;
	unsigned long long bytes;
	double tend;
};

static void *hb_sender(void *p)
{
	struct hb *h = p;
	char buf[HB_MSG];
	double deadline;
	int i;

	memset(buf, 1, sizeof(buf));
	pthread_barrier_wait(h->bar);
	deadline = now() + cfg.secs;
	while (now() < deadline)
		for (i = 0; i < HB_RECEIVERS; i++)
			send_all(h->wfd[i], buf, sizeof(buf), 0);
	return NULL;
}

static void *hb_receiver(void *p)
{
	struct hb *h = p;
	char buf[4096];

	pthread_barrier_wait(h->bar);
	for (;;) {
		ssize_t n = recv(h->rfd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recv (hackbench)");
		if (n == 0)
			break;
		h->bytes += n;
	}
	h->tend = now();
	return NULL;
}

static int m_hackbench(const struct row *r, const struct fam *f, double *out)
{
	struct hb snd[HB_SENDERS], rcv[HB_RECEIVERS];
	pthread_t ts[HB_SENDERS], tr[HB_RECEIVERS];
	int wfd[HB_RECEIVERS], i;
	pthread_barrier_t bar;
	unsigned long long bytes = 0;
	double t0, tend = 0;

	(void)r;
	pthread_barrier_init(&bar, NULL, HB_SENDERS + HB_RECEIVERS + 1);
	for (i = 0; i < HB_RECEIVERS; i++) {
		int sv[2];

		xsocketpair(f, SOCK_STREAM, sv);
		wfd[i] = sv[0];
		rcv[i] = (struct hb){ .bar = &bar, .rfd = sv[1] };
		xpthread_create(&tr[i], hb_receiver, &rcv[i]);
	}
	for (i = 0; i < HB_SENDERS; i++) {
		snd[i] = (struct hb){ .bar = &bar, .wfd = wfd };
		xpthread_create(&ts[i], hb_sender, &snd[i]);
	}
	pthread_barrier_wait(&bar);
	t0 = now();
	for (i = 0; i < HB_SENDERS; i++)
		pthread_join(ts[i], NULL);
	for (i = 0; i < HB_RECEIVERS; i++)
		shutdown(wfd[i], SHUT_WR);
	for (i = 0; i < HB_RECEIVERS; i++) {
		pthread_join(tr[i], NULL);
		bytes += rcv[i].bytes;
		if (rcv[i].tend > tend)
			tend = rcv[i].tend;
		close(wfd[i]);
		close(rcv[i].rfd);
	}
	pthread_barrier_destroy(&bar);
	*out = bytes / HB_MSG / (tend - t0);
	return 0;
}

/* ------------------------------------------------------ idle pairs' cost */

/* kB values of /proc/meminfo */
static long meminfo(const char *key)
{
	FILE *fp = fopen("/proc/meminfo", "r");
	size_t klen = strlen(key);
	char line[256];
	long v = -1;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = atol(line + klen + 1);
			break;
		}
	fclose(fp);
	return v;
}

/*
 * Sockets of a family in this namespace: the "sockets" column of
 * /proc/net/protocols, summed over the family's protos ("UNIX" and
 * "UNIX-STREAM"; "PUNIX" and "PUNIX-STREAM"). -1 when none is listed.
 */
static long proto_sockets(const char *proto)
{
	FILE *fp = fopen("/proc/net/protocols", "r");
	size_t plen = strlen(proto);
	char line[512], name[64];
	long total = -1, socks;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%63s %*s %ld", name, &socks) != 2)
			continue;
		if (strncmp(name, proto, plen) ||
		    (name[plen] && name[plen] != '-'))
			continue;
		total = (total < 0 ? 0 : total) + socks;
	}
	fclose(fp);
	return total;
}

/*
 * Bytes in allocated slab objects, over every cache of /proc/slabinfo
 * (root only; -1 when unreadable): active_objs x objsize. Unlike Slab in
 * /proc/meminfo, this does not depend on whether freed objects of an earlier
 * round still hold their slab pages, so it is the steadier of the three.
 */
static double slab_object_bytes(void)
{
	FILE *fp = fopen("/proc/slabinfo", "r");
	char line[512];
	unsigned long active, total, size;
	double bytes = 0;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "%*s %lu %lu %lu", &active, &total, &size) == 3)
			bytes += (double)active * size;
	fclose(fp);
	return bytes;
}

/*
 * Let freed sockets really go: membarrier(GLOBAL) waits for an RCU grace
 * period (inodes and some socket memory are freed after one), then give
 * the callbacks a moment.
 */
static void settle(void)
{
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	usleep(30000);
}

/*
 * cfg.pairs connected socketpairs: time to create them, time to close
 * them, and the growth of Slab and SUnreclaim (/proc/meminfo) per pair
 * while they are open. The counters are system-wide and the slab caches
 * may be merged with other same-sized caches (SLUB merging), so this is
 * the kernel memory the pairs cost, not one cache's size; other activity
 * in the guest adds noise, which the rounds' spread shows.
 */
static int proto_warned[2];	/* per column: said it has no line there */

static int m_idle_pairs(const struct row *r, const struct fam *f, double *out)
{
	int n = cfg.pairs, *fds = xmalloc(2 * (size_t)n * sizeof(int));
	long slab0, unrec0, socks0, slab1, unrec1, socks1;
	double t0, t1, t2, t3, obj0, obj1;
	int i;

	(void)r;
	settle();
	slab0 = meminfo("Slab");
	unrec0 = meminfo("SUnreclaim");
	socks0 = proto_sockets(f->proto);
	obj0 = slab_object_bytes();
	t0 = now();
	for (i = 0; i < n; i++)
		xsocketpair(f, SOCK_STREAM, &fds[2 * i]);
	t1 = now();
	settle();
	slab1 = meminfo("Slab");
	unrec1 = meminfo("SUnreclaim");
	socks1 = proto_sockets(f->proto);
	obj1 = slab_object_bytes();
	t2 = now();
	for (i = 0; i < 2 * n; i++)
		close(fds[i]);
	t3 = now();
	free(fds);
	if (socks0 < 0 && !proto_warned[f->idx]) {
		proto_warned[f->idx] = 1;
		fprintf(stderr, "punix-bench: %s: no %s line in /proc/net/protocols: socket count not checked\n",
			f->label, f->proto);
	}
	if (socks0 >= 0 && socks1 - socks0 != 2L * n)
		fprintf(stderr, "punix-bench: %s: /proc/net/protocols counted %ld new sockets for %d pairs\n",
			f->label, socks1 - socks0, n);
	out[0] = n / (t1 - t0);
	out[1] = n / (t3 - t2);
	out[2] = (slab1 - slab0) * 1024.0 / n;
	out[3] = (unrec1 - unrec0) * 1024.0 / n;
	out[4] = obj0 < 0 || obj1 < 0 ? NAN : (obj1 - obj0) / n;
	return 0;
}

/* ------------------------------------------------------------- memcpy */

static int m_memcpy(const struct row *r, const struct fam *f, double *out)
{
	char *src = xmalloc(COPY_AREA), *dst = xmalloc(COPY_AREA);
	unsigned long long bytes = 0;
	double t0 = now(), t1, deadline = t0 + cfg.secs;
	size_t off = 0, doff = 0;

	(void)r;
	(void)f;
	/*
	 * The destination walks one page further per chunk than the source:
	 * their distance takes every page offset in turn (see struct rotbuf).
	 */
	do {
		memcpy(dst + doff, src + off, COPY_CHUNK);
		__asm__ volatile("" : : "r"(dst) : "memory");
		bytes += COPY_CHUNK;
		off = (off + COPY_CHUNK) % COPY_AREA;
		doff = (doff + COPY_CHUNK + BUF_PAGE) %
		       (COPY_AREA - COPY_CHUNK);
		t1 = now();
	} while (t1 < deadline);
	free(src);
	free(dst);
	*out = bytes / (t1 - t0) / 1e6;
	return 0;
}

/* ------------------------------------------------------------ the rows */

#define R(nm, u, f, pa, pb) { .name = nm, .unit = u, .fn = f, .a = pa, \
			      .b = pb, .nout = 1 }
#define STREAM(nm, size) { .name = nm, .unit = "MB/s", .fn = m_stream, \
			   .a = size, .nout = 1, .ref = 1 }

static struct row rows[] = {
	{ .name = "memcpy-64KiB", .unit = "MB/s", .fn = m_memcpy, .nout = 1,
	  .nofam = 1 },
	STREAM("stream-64B", 64),
	STREAM("stream-1KiB", 1024),
	STREAM("stream-4KiB", 4096),
	STREAM("stream-64KiB", 65536),
	STREAM("stream-1MiB", 1 << 20),
	R("seqpacket-64B", "msg/s", m_msgs, 64, SOCK_SEQPACKET),
	R("seqpacket-4KiB", "msg/s", m_msgs, 4096, SOCK_SEQPACKET),
	R("dgram-64B", "msg/s", m_msgs, 64, SOCK_DGRAM),
	R("dgram-4KiB", "msg/s", m_msgs, 4096, SOCK_DGRAM),
	R("rtt-stream", "rtt/s", m_rtt, SOCK_STREAM, 0),
	R("rtt-seqpacket", "rtt/s", m_rtt, SOCK_SEQPACKET, 0),
	R("rtt-dgram", "rtt/s", m_rtt, SOCK_DGRAM, 0),
	R("connect-path-0", "conn/s", m_connect, 0, 0),
	{ .name = "connect-path-%d", .unit = "conn/s", .fn = m_connect,
	  .a = 0, .nout = 1, .fix = FIX_PATH },
	{ .name = "connect-path-%d-8ns", .unit = "conn/s", .fn = m_connect,
	  .a = 0, .nout = 1, .fix = FIX_PATH_NS },
	R("connect-abstract-0", "conn/s", m_connect, 1, 0),
	{ .name = "connect-abstract-%d", .unit = "conn/s", .fn = m_connect,
	  .a = 1, .nout = 1, .fix = FIX_ABS },
	{ .name = "connect-abstract-%d-8ns", .unit = "conn/s",
	  .fn = m_connect, .a = 1, .nout = 1, .fix = FIX_ABS_NS },
	R("scm-rights-file", "fd/s", m_scm, 0, 0),
	R("scm-rights-socket", "fd/s", m_scm, 1, 0),
	R("pairs-1", "MB/s", m_pairs, 1, 0),
	R("pairs-2", "MB/s", m_pairs, 2, 0),
	R("pairs-4", "MB/s", m_pairs, 4, 0),
	R("pairs-16", "MB/s", m_pairs, 16, 0),
	R("hackbench", "msg/s", m_hackbench, 0, 0),
	{ .name = "pair-create", .unit = "pairs/s", .fn = m_idle_pairs,
	  .nout = 5 },
	{ .name = "pair-close", .unit = "pairs/s" },
	{ .name = "pair-mem-slab", .unit = "B/pair", .lower_better = 1 },
	{ .name = "pair-mem-unreclaim", .unit = "B/pair", .lower_better = 1 },
	{ .name = "pair-mem-objects", .unit = "B/pair", .lower_better = 1 },
};

#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static double val[NROWS][2][MAX_ROUNDS];
static int nval[NROWS][2];
static double refv[NROWS][NREF][MAX_ROUNDS];	/* m_ref's, per round */
static int nrefv[NROWS][NREF];
/* rows with references: writes per read of each family [0, 1] and the pipe [2] */
static double wpr[NROWS][3][MAX_ROUNDS];
static int nwpr[NROWS][3];
static int selected[NROWS];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median, min, max of n values (sorts a copy) */
static void stats(const double *v, int n, double *med, double *lo, double *hi)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	*lo = s[0];
	*hi = s[n - 1];
	*med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* per-round ratios, oriented so that > 1 means punix does better */
static int ratios(int i, double *rv)
{
	int k, n = nval[i][0] < nval[i][1] ? nval[i][0] : nval[i][1];

	if (!cfg.both || rows[i].nofam)
		return 0;
	for (k = 0; k < n; k++) {
		double u = val[i][0][k], p = val[i][1][k];

		rv[k] = rows[i].lower_better ? u / p : p / u;
	}
	return n;
}

/* per-round ratios of reference @m to the first family's value */
static int ref_ratios(int i, int m, double *rv)
{
	int k, n = nval[i][0] < nrefv[i][m] ? nval[i][0] : nrefv[i][m];

	for (k = 0; k < n; k++)
		rv[k] = refv[i][m][k] / val[i][0][k];
	return n;
}

/* 4 significant digits, with k/M/G above 10000 */
static const char *fmt(char *buf, double v)
{
	const char *sfx = "";

	if (v >= 1e10) {
		v /= 1e9;
		sfx = "G";
	} else if (v >= 1e7) {
		v /= 1e6;
		sfx = "M";
	} else if (v >= 1e4) {
		v /= 1e3;
		sfx = "k";
	}
	snprintf(buf, 16, "%.4g%s", v, sfx);
	return buf;
}

static void print_header(void)
{
	int j;

	printf("%-26s %-7s", "row", "unit");
	for (j = 0; j < cfg.nfam; j++)
		printf(" %26s", cfg.fam[j].label);
	if (cfg.both)
		printf(" %22s", "ratio");
	printf("  of memcpy  pipe null (x %s)  writes/read\n",
	       cfg.fam[0].label);
	printf("%-26s %-7s", "", "");
	for (j = 0; j < cfg.nfam; j++)
		printf(" %26s", "median [min..max]");
	if (cfg.both)
		printf(" %22s", "median [min..max]");
	printf("\n");
}

static FILE *tsv;

/*
 * The references of stream row @i: on the table's line, the median ratio
 * of each to the first family; in the TSV, per reference, its "#raw" line,
 * its values ("pipe") and its ratios ("pipe/AF_UNIX").
 */
static void print_refs(int i)
{
	double rv[MAX_ROUNDS], med, lo, hi;
	int j, k, m, n;

	printf(" ");
	for (m = 0; m < NREF; m++) {
		n = ref_ratios(i, m, rv);
		if (!n) {
			printf(" %4s", "-");
			continue;
		}
		stats(rv, n, &med, &lo, &hi);
		printf(" %.2f", med);
		if (!tsv)
			continue;
		fprintf(tsv, "#raw\t%s\t%s", rows[i].name, ref_name[m]);
		for (k = 0; k < nrefv[i][m]; k++)
			fprintf(tsv, "\t%.6g", refv[i][m][k]);
		fprintf(tsv, "\n%s\t%s/%s\t%.6g\t%.6g\t%.6g\tx\t-\n",
			rows[i].name, ref_name[m], cfg.fam[0].label, med, lo,
			hi);
		stats(refv[i][m], nrefv[i][m], &med, &lo, &hi);
		fprintf(tsv, "%s\t%s\t%.6g\t%.6g\t%.6g\t%s\t-\n",
			rows[i].name, ref_name[m], med, lo, hi, rows[i].unit);
	}
	/* the medians of writes per read: families, then the pipe */
	printf(" ");
	if (tsv)
		fprintf(tsv, "#writes-per-read\t%s", rows[i].name);
	for (j = 0; j < 3; j++) {
		if (j < 2 && j >= cfg.nfam)
			continue;
		if (!nwpr[i][j]) {
			printf(" %4s", "-");
			continue;
		}
		stats(wpr[i][j], nwpr[i][j], &med, &lo, &hi);
		printf(" %.2f", med);
		if (tsv)
			fprintf(tsv, "\t%s\t%.4g", j < 2 ? cfg.fam[j].label :
						      ref_name[REF_PIPE], med);
	}
	if (tsv)
		fprintf(tsv, "\n");
}

static void print_row(int i)
{
	double med[2], lo, hi, rv[MAX_ROUNDS], rmed = 0, rlo, rhi;
	char a[16], b[16], c[16], cell[64], ratio_s[16] = "-";
	int j, k, nf = rows[i].nofam ? 1 : cfg.nfam, nr;

	nr = ratios(i, rv);
	if (nr) {
		stats(rv, nr, &rmed, &rlo, &rhi);
		snprintf(ratio_s, sizeof(ratio_s), "%.4f", rmed);
	}
	printf("%-26s %-7s", rows[i].name, rows[i].unit);
	for (j = 0; j < nf; j++) {
		const char *label = rows[i].nofam ? "user" : cfg.fam[j].label;

		if (!nval[i][j]) {
			printf(" %26s", "n/a");
			continue;
		}
		stats(val[i][j], nval[i][j], &med[j], &lo, &hi);
		if (tsv) {	/* every round, in order, as a comment line */
			fprintf(tsv, "#raw\t%s\t%s", rows[i].name, label);
			for (k = 0; k < nval[i][j]; k++)
				fprintf(tsv, "\t%.6g", val[i][j][k]);
			fprintf(tsv, "\n");
		}
		snprintf(cell, sizeof(cell), "%s [%s..%s]", fmt(a, med[j]),
			 fmt(b, lo), fmt(c, hi));
		printf(" %26s", cell);
		if (tsv)
			fprintf(tsv, "%s\t%s\t%.6g\t%.6g\t%.6g\t%s\t%s\n",
				rows[i].name, label, med[j], lo, hi,
				rows[i].unit, ratio_s);
	}
	if (rows[i].nofam)
		for (j = 1; j < cfg.nfam; j++)
			printf(" %26s", "");
	if (nr) {
		snprintf(cell, sizeof(cell), "%.2f [%.2f..%.2f]", rmed, rlo,
			 rhi);
		printf(" %22s", cell);
		if (tsv)
			fprintf(tsv, "%s\tratio\t%.6g\t%.6g\t%.6g\tx\t%s\n",
				rows[i].name, rmed, rlo, rhi, ratio_s);
	} else if (cfg.both) {
		printf(" %22s", "-");
	}
	/*
	 * Stream throughput as a fraction of the memcpy row's best round: a
	 * busy host only ever slows a round down (under emulation on a shared
	 * host, one memcpy round in two or three ran at a twentieth of the
	 * speed of the next), and the copy speed is what the machine can do.
	 */
	if (!strncmp(rows[i].name, "stream-", 7) && nval[0][0]) {
		double cm, x, y;

		stats(val[0][0], nval[0][0], &x, &y, &cm);
		printf(" ");
		for (j = 0; j < nf; j++)
			if (nval[i][j])
				printf(" %.3f", med[j] / cm);
	}
	if (rows[i].ref)
		print_refs(i);
	printf("\n");
	fflush(stdout);
	if (tsv)
		fflush(tsv);
}

static int row_selected(int i)
{
	char list[512], *tok, *save;
	int k;

	if (!cfg.rows)
		return 1;
	/* a group (the idle-pair rows) runs when any of its rows is asked for */
	for (k = i; k < i + rows[i].nout; k++) {
		snprintf(list, sizeof(list), "%s", cfg.rows);
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			if (strstr(rows[k].name, tok))
				return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ estimate */

/*
 * Seconds the whole run should take: the measured time of every row plus
 * its setup, with setup costs calibrated on AF_UNIX here and now (binding
 * names, creating pairs), so the estimate includes the machine's speed.
 */
static double estimate(void)
{
	struct fam u = { .idx = 0, .family = AF_UNIX, .label = "calib" };
	enum { CAL = 200 };
	int fds[2 * CAL], i, k, nf;
	double t, per_path, per_abs, per_pair, total = 0;

	t = now();
	k = bind_names(&u, 0, 0, CAL, fds);
	close_names(&u, 0, 0, k, fds);
	per_path = (now() - t) / CAL;
	t = now();
	k = bind_names(&u, 1, 0, CAL, fds);
	close_names(&u, 1, 0, k, fds);
	per_abs = (now() - t) / CAL;
	t = now();
	for (i = 0; i < CAL; i++)
		xsocketpair(&u, SOCK_STREAM, &fds[2 * i]);
	for (i = 0; i < 2 * CAL; i++)
		close(fds[i]);
	per_pair = (now() - t) / CAL;

	for (i = 0; i < NROWS; i++) {
		if (!rows[i].fn || !selected[i])
			continue;
		nf = rows[i].nofam ? 1 : cfg.nfam;
		if (rows[i].fn == m_idle_pairs) {
			total += cfg.rounds * nf *
				 (cfg.pairs * per_pair + 0.07);
			continue;
		}
		/* a measurement: cfg.secs plus draining and thread start */
		total += cfg.rounds * (nf + (rows[i].ref ? NREF : 0)) *
			 (cfg.secs * 1.05 + 0.005);
		switch (rows[i].fix) {
		case FIX_PATH:
		case FIX_PATH_NS:
			total += nf * cfg.names * per_path;
			break;
		case FIX_ABS:
		case FIX_ABS_NS:
			total += nf * cfg.names * per_abs;
			break;
		default:
			break;
		}
		if (rows[i].fix == FIX_PATH_NS || rows[i].fix == FIX_ABS_NS)
			total += nf * 0.2;	/* forks, namespaces */
	}
	return total;
}

/* ---------------------------------------------------------------- main */

static int punix_family(int given)
{
	FILE *fp;
	int v = -1;

	if (given > 0)
		return given;
	fp = fopen("/sys/module/punix/parameters/family", "r");
	if (!fp || fscanf(fp, "%d", &v) != 1)
		die("punix is not loaded (/sys/module/punix/parameters/family); give --punix-family N\n");
	fclose(fp);
	return v;
}

static void usage(FILE *o, int code)
{
	fprintf(o,
"usage: punix-bench [options]\n"
"  -f, --family F        unix (or 1), punix, a family number, or both\n"
"                        (default both: AF_UNIX and punix interleaved)\n"
"  -p, --punix-family N  punix's family number (default: read from\n"
"                        /sys/module/punix/parameters/family)\n"
"  -S, --self-compare    \"both\" with AF_UNIX in the punix column too\n"
"                        (checks the method: ratios should be near 1.0)\n"
"  -r, --rounds N        rounds per row (default 5)\n"
"  -t, --time S          seconds per measurement (default 0.3)\n"
"  -n, --names N         other bound sockets of the connect rows (default 10000)\n"
"  -P, --pairs N         idle pairs of the memory rows (default 10000)\n"
"  -o, --tsv FILE        also write the table as TSV to FILE\n"
"  -R, --rows A,B        only rows whose name contains A or B\n"
"  -d, --dir DIR         where path names are bound (default: a new\n"
"                        directory under $TMPDIR or /tmp)\n"
"  -l, --list            list the rows and exit\n"
"  -E, --estimate        print the estimated run time and exit\n"
"  -h, --help\n");
	exit(code);
}

/* remove the directory we made, and any name an interrupted row left in it */
static void cleanup_dir(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if (!cfg.made_dir)
		return;
	d = opendir(cfg.dir);
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", cfg.dir,
					 de->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(cfg.dir);
}

static void raise_nofile(void)
{
	rlim_t need = 2 * (rlim_t)(cfg.names > cfg.pairs ? cfg.names :
				    cfg.pairs) + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	if (!setrlimit(RLIMIT_NOFILE, &rl))
		return;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need) {
		int n = (rl.rlim_cur - 256) / 2;

		fprintf(stderr, "punix-bench: RLIMIT_NOFILE %lu is too low: --names and --pairs cut to %d\n",
			(unsigned long)rl.rlim_cur, n);
		if (cfg.names > n)
			cfg.names = n;
		if (cfg.pairs > n)
			cfg.pairs = n;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "punix-family", required_argument, NULL, 'p' },
		{ "self-compare", no_argument, NULL, 'S' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' },
		{ "names", required_argument, NULL, 'n' },
		{ "pairs", required_argument, NULL, 'P' },
		{ "tsv", required_argument, NULL, 'o' },
		{ "rows", required_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'd' },
		{ "list", no_argument, NULL, 'l' },
		{ "estimate", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *family = "both", *dir = NULL;
	int c, i, j, k, pfam = 0, list = 0, only_est = 0, best = -1;
	double rv[MAX_ROUNDS], minr = 0, t_start, est;
	char name[40];
	struct utsname un;

	while ((c = getopt_long(argc, argv, "f:p:Sr:t:n:P:o:R:d:lEh", opts,
				NULL)) != -1) {
		switch (c) {
		case 'f': family = optarg; break;
		case 'p': pfam = atoi(optarg); break;
		case 'S': cfg.self = 1; family = "both"; break;
		case 'r': cfg.rounds = atoi(optarg); break;
		case 't': cfg.secs = atof(optarg); break;
		case 'n': cfg.names = atoi(optarg); break;
		case 'P': cfg.pairs = atoi(optarg); break;
		case 'o': cfg.tsv = optarg; break;
		case 'R': cfg.rows = optarg; break;
		case 'd': dir = optarg; break;
		case 'l': list = 1; break;
		case 'E': only_est = 1; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (optind != argc || cfg.rounds < 1 || cfg.rounds > MAX_ROUNDS ||
	    cfg.secs <= 0 || cfg.names < 1 || cfg.pairs < 1)
		usage(stderr, 2);

	raise_nofile();		/* may cut cfg.names, which names rows */
	for (i = 0; i < NROWS; i++) {
		if (strchr(rows[i].name, '%')) {
			snprintf(name, sizeof(name), rows[i].name, cfg.names);
			memcpy(rows[i].name, name, sizeof(name));
		}
	}
	if (list) {
		for (i = 0; i < NROWS; i++)
			printf("%s\t%s\n", rows[i].name, rows[i].unit);
		return 0;
	}

	if (!strcmp(family, "both")) {
		cfg.both = 1;
		cfg.nfam = 2;
		cfg.fam[0] = (struct fam){ 0, AF_UNIX, "AF_UNIX", "UNIX" };
		if (cfg.self)
			cfg.fam[1] = (struct fam){ 1, AF_UNIX, "AF_UNIX#2",
						   "UNIX" };
		else
			cfg.fam[1] = (struct fam){ 1, punix_family(pfam),
						   "punix", "PUNIX" };
	} else {
		int fno = !strcmp(family, "unix") ? AF_UNIX :
			  !strcmp(family, "punix") ? punix_family(pfam) :
			  atoi(family);

		if (fno <= 0)
			usage(stderr, 2);
		cfg.nfam = 1;
		cfg.fam[0] = fno == AF_UNIX ?
			(struct fam){ 0, AF_UNIX, "AF_UNIX", "UNIX" } :
			(struct fam){ 0, fno, "punix", "PUNIX" };
	}

	signal(SIGPIPE, SIG_IGN);
	/* a table written to a file or serial port shows row by row */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (uname(&un))
		die("uname");
	if (dir) {
		snprintf(cfg.dir, sizeof(cfg.dir), "%s", dir);
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(cfg.dir, sizeof(cfg.dir), "%s/punix-bench.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(cfg.dir))
			die("mkdtemp %s", cfg.dir);
		cfg.made_dir = 1;
		atexit(cleanup_dir);
	}
	for (j = 0; j < cfg.nfam; j++) {
		int fd = socket(cfg.fam[j].family, SOCK_STREAM, 0);

		if (fd < 0)
			die("family %d (%s) is not available",
			    cfg.fam[j].family, cfg.fam[j].label);
		close(fd);
	}
	if (cfg.tsv) {
		tsv = fopen(cfg.tsv, "w");
		if (!tsv)
			die("%s", cfg.tsv);
	}
	for (i = 0; i < NROWS; i++)
		if (rows[i].fn)
			for (k = 0; k < rows[i].nout; k++)
				selected[i + k] = row_selected(i);

	est = estimate();
	printf("punix-bench on %s: %s", un.release, cfg.fam[0].label);
	if (cfg.nfam == 2)
		printf(" (family %d) and %s (family %d), interleaved",
		       cfg.fam[0].family, cfg.fam[1].label, cfg.fam[1].family);
	else
		printf(" (family %d)", cfg.fam[0].family);
	printf("\n%d rounds, %.3g s per measurement, %d other names, %d idle pairs\n",
	       cfg.rounds, cfg.secs, cfg.names, cfg.pairs);
	printf("estimated total: %.0f s\n\n", est);
	if (only_est)
		return 0;
	print_header();
	if (tsv) {
		fprintf(tsv, "# punix-bench on %s, %d rounds of %.3g s, names %d, pairs %d%s\n",
			un.release, cfg.rounds, cfg.secs, cfg.names,
			cfg.pairs, cfg.self ? ", self-compare" : "");
		fprintf(tsv, "# row\tfamily\tmedian\tmin\tmax\tunit\tratio\n");
	}

	if (cfg.both && cfg.rounds < 5)
		fprintf(stderr, "punix-bench: fewer than 5 rounds: the medians and spreads say little\n");
	t_start = now();
	for (i = 0; i < NROWS; i++) {
		int nf = rows[i].nofam ? 1 : cfg.nfam, ok[2] = { 1, 1 }, m;
		double out[8];

		if (!rows[i].fn || !selected[i])
			continue;
		if (rows[i].fix != FIX_NONE)
			for (j = 0; j < nf; j++)
				ok[j] = !fixture_create(&rows[i], &cfg.fam[j]);
		for (k = 0; k < cfg.rounds; k++) {
			for (j = 0; j < nf; j++) {
				/* odd rounds measure the second family first */
				int f = (k & 1) && nf == 2 ? 1 - j : j;

				if (!ok[f])
					continue;
				if (rows[i].fn(&rows[i], &cfg.fam[f], out))
					continue;
				if (rows[i].ref && !isnan(out[1]))
					wpr[i][f][nwpr[i][f]++] = out[1];
				for (m = 0; m < rows[i].nout; m++)
					if (!isnan(out[m]))	/* n/a here */
						val[i + m][f][nval[i + m][f]++] =
							out[m];
			}
			for (m = 0; rows[i].ref && m < NREF; m++) {
				if (m_ref(&rows[i], m, out))
					continue;
				refv[i][m][nrefv[i][m]++] = out[0];
				if (m == REF_PIPE && !isnan(out[1]))
					wpr[i][2][nwpr[i][2]++] = out[1];
			}
		}
		if (rows[i].fix != FIX_NONE)
			for (j = 0; j < nf; j++)
				if (ok[j])
					fixture_destroy(&cfg.fam[j]);
		if (rows[i].fix != FIX_NONE)
			settle();	/* freed names, dying namespaces */
		for (m = 0; m < rows[i].nout; m++)
			print_row(i + m);
	}

	printf("\ntotal %.0f s (estimated %.0f s)\n", now() - t_start, est);
	for (i = 0; i < NROWS; i++) {
		int n = ratios(i, rv);
		double med, lo, hi;

		if (!n)
			continue;
		stats(rv, n, &med, &lo, &hi);
		if (best < 0 || med < minr) {
			best = i;
			minr = med;
		}
	}
	if (tsv)
		fclose(tsv);
	if (best >= 0)
		printf("bench: min ratio %.2f (%s) on %s\n", minr,
		       rows[best].name, un.release);
	else
		printf("bench: %s only, no ratio on %s\n", cfg.fam[0].label,
		       un.release);
	return 0;
}
