/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the stress (stress_test.c) and allocation-failure
 * (fault_test.c) programs.  Builds on punix_test.h: include this header
 * instead of it.
 *
 * These programs run many threads and processes at once, so the harness'
 * ASSERT_*() (which longjmp()s) is used only by the test process itself,
 * before the workers start and after all of them have been reaped.  A
 * worker reports through a struct stress_shared, a MAP_SHARED page every
 * process of the test sees:
 *
 *   sfail()      records the first failure (later ones go to stderr only)
 *                and tells every worker to stop;
 *   SC()         runs one call and checks that it succeeded or failed with
 *                an errno from the call's allowed set; anything else is an
 *                sfail() naming the call, the errno and the set.
 *
 * Random choices come from a splitmix64 generator per worker, derived from
 * one seed: PUNIX_STRESS_SEED=<n> makes a run choose the same operations
 * again (the interleaving, of course, is the scheduler's).
 */
#ifndef _PUNIX_STRESS_UTIL_H
#define _PUNIX_STRESS_UTIL_H

#include "punix_test.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/sockios.h>

/* ------------------------------------------------------------------------
 * Configuration from the environment.
 */

/* Wall time of one stress test case, PUNIX_STRESS_SECONDS (default 4). */
static inline int stress_seconds(void)
{
	const char *s = getenv("PUNIX_STRESS_SECONDS");
	long v = s ? strtol(s, NULL, 10) : 4;

	if (v < 1)
		v = 1;
	if (v > 3600)
		v = 3600;
	return (int)v;
}

/* PUNIX_STRESS_SEED, or a fresh seed from the clock and the pid. */
static inline unsigned long long stress_seed(void)
{
	const char *s = getenv("PUNIX_STRESS_SEED");
	struct timespec ts;

	if (s && *s)
		return strtoull(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((unsigned long long)ts.tv_sec * 1000003ULL) ^
	       ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)getpid();
}

/* ------------------------------------------------------------------------
 * Random numbers: splitmix64, one generator per worker.
 */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed ^ ((stream + 1) * 0xd1342543de82ef95ULL);
	rng_next(r);
}

/* Uniform in [0, n). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* True with probability 1/n. */
static inline bool rng_one_in(struct rng *r, uint32_t n)
{
	return rng_below(r, n) == 0;
}

/* ------------------------------------------------------------------------
 * Data patterns and checksums.
 */

/* Deterministic bytes for (@key, byte offset @off..): no two keys alike. */
static inline void pattern_fill(void *buf, size_t len, uint64_t key, uint64_t off)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t pos = off + i;
		uint64_t z = key ^ ((pos >> 3) * 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		p[i] = (unsigned char)(z >> ((pos & 7) * 8));
	}
}

/* Offset of the first byte of @buf that differs from the pattern, or -1. */
static inline long pattern_check(const void *buf, size_t len, uint64_t key,
				 uint64_t off)
{
	unsigned char tmp[512];
	const unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < sizeof(tmp) ? len - done : sizeof(tmp);
		size_t i;

		pattern_fill(tmp, n, key, off + done);
		if (memcmp(tmp, p + done, n)) {
			for (i = 0; i < n; i++)
				if (tmp[i] != p[done + i])
					return (long)(done + i);
		}
		done += n;
	}
	return -1;
}

/* FNV-1a, 32 bit. */
static inline uint32_t csum32(const void *buf, size_t len, uint32_t seed)
{
	const unsigned char *p = buf;
	uint32_t h = 2166136261u ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* ------------------------------------------------------------------------
 * State shared by every process of one test.
 */
#define STRESS_MSG_MAX		1536
#define STRESS_MAX_PIDS		1024
#define STRESS_NCOUNT		16

struct stress_shared {
	atomic_int failed;		/* 0, or 1 once a failure is recorded */
	atomic_int msg_ready;
	atomic_int stop;		/* workers: wind down now */
	atomic_int nprinted;
	long deadline;			/* now_ms() when workers stop */
	int family;
	bool punix;
	unsigned long long seed;
	char dir[64];
	char msg[STRESS_MSG_MAX];
	/* Every process of the test: the only pids SO_PEERCRED may name. */
	atomic_int npids;
	pid_t pids[STRESS_MAX_PIDS];
	/* Statistics, printed at the end. */
	atomic_long ops;		/* calls made */
	atomic_long errs;		/* calls that failed with an allowed errno */
	atomic_long injected;		/* fault_test: failures from injection */
	atomic_long bytes;		/* stream bytes verified */
	atomic_long msgs;		/* messages verified */
	atomic_long rmmod;		/* refused delete_module() attempts */
	atomic_long cnt[STRESS_NCOUNT];	/* per-test counters */
};

static inline void stress_vfail(struct stress_shared *sh, const char *fmt,
				va_list ap)
{
	char buf[STRESS_MSG_MAX];
	int zero = 0;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (atomic_compare_exchange_strong(&sh->failed, &zero, 1)) {
		memcpy(sh->msg, buf, sizeof(buf));
		atomic_store(&sh->msg_ready, 1);
	}
	atomic_store(&sh->stop, 1);
	/* Every failure also goes to stderr (a few), for context. */
	if (atomic_fetch_add(&sh->nprinted, 1) < 8)
		dprintf(2, "# [pid %d] FAIL: %s\n", (int)getpid(), buf);
}

static inline __attribute__((format(printf, 2, 3)))
void sfail(struct stress_shared *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vfail(sh, fmt, ap);
	va_end(ap);
}

/* Workers keep going while this is true. */
static inline bool stress_running(struct stress_shared *sh)
{
	return !atomic_load_explicit(&sh->stop, memory_order_relaxed) &&
	       now_ms() < sh->deadline;
}

static inline bool stress_stopped(struct stress_shared *sh)
{
	return atomic_load_explicit(&sh->stop, memory_order_relaxed);
}

static inline void stress_add_pid(struct stress_shared *sh, pid_t pid)
{
	int i = atomic_fetch_add(&sh->npids, 1);

	if (i < STRESS_MAX_PIDS)
		sh->pids[i] = pid;
}

/* True if @pid is one of the test's processes (or the list overflowed). */
static inline bool stress_our_pid(struct stress_shared *sh, pid_t pid)
{
	int i, n = atomic_load(&sh->npids);

	if (n > STRESS_MAX_PIDS)
		return true;
	for (i = 0; i < n; i++)
		if (sh->pids[i] == pid)
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * Errno sets.  A set is a 0-terminated int array: E(EAGAIN, EINTR).
 */
#define E(...)		((const int[]){ __VA_ARGS__, 0 })
#define E_NONE		((const int[]){ 0 })

/*
 * Extra errnos every call may return: fault_test sets this to the
 * allocation-failure errnos while injection is on.  Failures with one of
 * these count as "injected".
 */
static const int *stress_extra_errnos;

static inline bool errno_in(const int *set, int e)
{
	for (; set && *set; set++)
		if (*set == e)
			return true;
	return false;
}

static inline const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";

	return n ? n : "E?";
}

static inline void errset_str(const int *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; set && *set && off + 20 < len; set++)
		off += snprintf(buf + off, len - off, "%s%s", off ? " " : "",
				errname(*set));
	if (!off)
		snprintf(buf, len, "(none)");
}

static inline long __stress_check(struct stress_shared *sh, long ret, int err,
				  const int *set, const char *call, int line,
				  const char *ctx)
{
	char allowed[256];

	atomic_fetch_add_explicit(&sh->ops, 1, memory_order_relaxed);
	if (ret >= 0)
		return ret;
	if (ret == -1 && errno_in(set, err)) {
		atomic_fetch_add_explicit(&sh->errs, 1, memory_order_relaxed);
		return ret;
	}
	if (ret == -1 && errno_in(stress_extra_errnos, err)) {
		atomic_fetch_add_explicit(&sh->injected, 1,
					  memory_order_relaxed);
		return ret;
	}
	errset_str(set, allowed, sizeof(allowed));
	sfail(sh, "line %d: %s [%s] returned %ld, errno %s (%s); allowed: %s%s",
	      line, call, ctx ? ctx : "", ret, errname(err), strerror(err),
	      allowed, stress_extra_errnos ? " + injected" : "");
	return ret;
}

/*
 * SC(sh, set, ctx, call): run @call, check it, return its result with
 * errno preserved.  @ctx is a short string naming the situation.
 */
#define SC(sh, set, ctx, call) ({					\
	long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long)(call);						\
	__e = errno;							\
	__stress_check((sh), __r, __e, (set), #call, __LINE__, (ctx));	\
	errno = __e;							\
	__r; })

/* ------------------------------------------------------------------------
 * Socket types and names.
 */
static const int stress_types[3] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };

static inline const char *type_name(int type)
{
	switch (type) {
	case SOCK_STREAM:	return "stream";
	case SOCK_SEQPACKET:	return "seqpacket";
	case SOCK_DGRAM:	return "dgram";
	}
	return "?";
}

static inline bool type_connected(int type)
{
	return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

/* An address and its length. */
struct sname {
	struct sockaddr_un sun;
	socklen_t len;
};

static inline void sname_path(struct sname *n, int family, const char *path)
{
	n->len = fill_addr(&n->sun, family, path);
}

/* Abstract name "\0<tag>": exactly 1 + strlen(tag) bytes of sun_path. */
static inline void sname_abstract(struct sname *n, int family, const char *tag)
{
	size_t l = strlen(tag);

	if (l > SUN_PATH_MAX - 1)
		l = SUN_PATH_MAX - 1;
	memset(&n->sun, 0, sizeof(n->sun));
	n->sun.sun_family = family;
	memcpy(n->sun.sun_path + 1, tag, l);
	n->len = SUN_HDR + 1 + l;
}

static inline bool sname_is_abstract(const struct sname *n)
{
	return n->len > SUN_HDR && n->sun.sun_path[0] == '\0';
}

/* Autobind: bind() with only the family, then read the name back. */
static inline int sname_autobind(int fd, int family, struct sname *out)
{
	struct sockaddr_un sun = { .sun_family = family };

	if (bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)))
		return -1;
	if (out) {
		out->len = sizeof(out->sun);
		if (getsockname(fd, (struct sockaddr *)&out->sun, &out->len))
			return -1;
	}
	return 0;
}

static inline int sbind(int fd, const struct sname *n)
{
	return bind(fd, (const struct sockaddr *)&n->sun, n->len);
}

static inline int sconnect(int fd, const struct sname *n)
{
	return connect(fd, (const struct sockaddr *)&n->sun, n->len);
}

static inline ssize_t ssendto(int fd, const void *buf, size_t len, int flags,
			      const struct sname *n)
{
	return sendto(fd, buf, len, flags, (const struct sockaddr *)&n->sun,
		      n->len);
}

/* Printable form of a name, for messages. */
static inline const char *sname_str(const struct sname *n, char *buf,
				    size_t len)
{
	size_t i, o = 0, pl;

	if (n->len <= SUN_HDR) {
		snprintf(buf, len, "(unnamed)");
		return buf;
	}
	pl = n->len - SUN_HDR;
	for (i = 0; i < pl && o + 5 < len; i++) {
		unsigned char c = n->sun.sun_path[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = c;
		else
			o += snprintf(buf + o, len - o, "\\%o", c);
	}
	buf[o] = '\0';
	return buf;
}

/* Both timeouts of @fd, in milliseconds (never 0: that means "forever"). */
static inline void set_timeouts(int fd, long rcv_ms, long snd_ms)
{
	set_timeo(fd, SO_RCVTIMEO, rcv_ms > 0 ? rcv_ms : 1);
	set_timeo(fd, SO_SNDTIMEO, snd_ms > 0 ? snd_ms : 1);
}

/* ------------------------------------------------------------------------
 * Resource accounting: fds of this process, sockets of the family in this
 * network namespace (the "sockets" column of /proc/net/protocols, which
 * counts every sock of a proto from allocation to destruction):
 * count_fds() and proto_sockets() of file_util.h.
 */

/*
 * How long the socks of a test may take to go once every fd is closed and
 * every process reaped (see wait_family_sockets()): room for the debug
 * kernel under emulation.
 */
#ifndef SOCKS_GONE_MS
#define SOCKS_GONE_MS	15000
#endif

/*
 * Wait, at most @ms, for the family's socket count in this namespace to
 * drop to @want; returns the last count read.
 *
 * A sock is not always freed by its last close: one whose file is in
 * flight (inside an SCM_RIGHTS message queued on some socket) lives until
 * that message is received or freed, and the socks of a cycle that no
 * process can reach any more (a socket sent over itself, two sent over
 * each other, a listener sent over its unaccepted connection) only go when
 * the family's garbage collector runs.  punix and AF_UNIX on 6.12 collect
 * from a work item (6.1 in the releasing task), and only when a socket of the
 * family is released (or a send finds very many files in flight): so each
 * round releases a fresh socket of the family, which starts a collection
 * if anything is still in flight, then looks again.
 */
static inline long wait_family_sockets(int family, bool punix, long want,
				       int ms)
{
	long t0 = now_ms(), socks;
	int fd;

	for (;;) {
		socks = proto_sockets(punix);
		if (socks == want || socks < 0 || now_ms() - t0 > ms)
			return socks;
		fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0)
			close(fd);
		sleep_ms(20);
	}
}

/* ------------------------------------------------------------------------
 * Signals: SIGUSR1 interrupts blocking calls (no SA_RESTART), so EINTR is
 * an allowed result of every call that may block.
 */
static void stress_sigusr1(int sig)
{
	(void)sig;
}

static inline void stress_signals(void)
{
	struct sigaction sa = { .sa_handler = stress_sigusr1 };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * A kicker thread sends SIGUSR1 to the registered threads of its process
 * at random moments until stopped.
 */
#define KICK_MAX	32

struct kicker {
	struct stress_shared *sh;
	pthread_t thread;
	pthread_t targets[KICK_MAX];
	atomic_int ntargets;
	atomic_int stop;
	uint64_t seed;
	unsigned int max_gap_ms;
	bool started;
};

static inline void kicker_add(struct kicker *k, pthread_t t)
{
	int i = atomic_load(&k->ntargets);

	if (i < KICK_MAX) {
		k->targets[i] = t;
		atomic_store(&k->ntargets, i + 1);
	}
}

static void *kicker_main(void *arg)
{
	struct kicker *k = arg;
	struct rng r;

	rng_init(&r, k->seed, 0x4b1c);
	while (!atomic_load(&k->stop) && stress_running(k->sh)) {
		int n = atomic_load(&k->ntargets);

		sleep_ms(1 + rng_below(&r, k->max_gap_ms));
		if (n && !atomic_load(&k->stop))
			pthread_kill(k->targets[rng_below(&r, n)], SIGUSR1);
	}
	return NULL;
}

static inline int kicker_start(struct kicker *k, struct stress_shared *sh,
			       uint64_t seed, unsigned int max_gap_ms)
{
	k->sh = sh;
	k->seed = seed;
	k->max_gap_ms = max_gap_ms ? max_gap_ms : 10;
	atomic_store(&k->stop, 0);
	k->started = !pthread_create(&k->thread, NULL, kicker_main, k);
	return k->started ? 0 : -1;
}

/*
 * Wait for the kicker, which ends at the deadline, and stop it.  Call this
 * before joining any of its targets: pthread_kill() on a joined thread is
 * undefined.  The wind-down after the deadline runs without signals.
 */
static inline void kicker_stop(struct kicker *k)
{
	if (!k->started)
		return;
	atomic_store(&k->stop, 1);
	pthread_join(k->thread, NULL);
	k->started = false;
}

/* ------------------------------------------------------------------------
 * Processes.  A worker is fork()ed by the test process (or another
 * worker), registers its pid, arms a watchdog so it can never outlive the
 * test, does its work and _exit()s: 0 if all went well, 1 after sfail().
 */
static inline pid_t stress_fork(struct stress_shared *sh, int watchdog_s)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		stress_add_pid(sh, getpid());
		alarm(watchdog_s);
	} else if (pid < 0) {
		sfail(sh, "fork: %s", strerror(errno));
	}
	return pid;
}

/* Reap @pid; a worker killed or exiting non-zero is a failure. */
static inline void stress_reap(struct stress_shared *sh, pid_t pid,
			       const char *what)
{
	int status;

	if (pid <= 0)
		return;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			sfail(sh, "waitpid(%s %d): %s", what, (int)pid,
			      strerror(errno));
			return;
		}
	}
	if (WIFSIGNALED(status))
		sfail(sh, "%s (pid %d) killed by signal %d (%s)", what,
		      (int)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) && !atomic_load(&sh->failed))
		sfail(sh, "%s (pid %d) exited with %d", what, (int)pid,
		      WEXITSTATUS(status));
}

static inline void stress_exit(struct stress_shared *sh)
{
	_exit(atomic_load(&sh->failed) ? 1 : 0);
}

/* ------------------------------------------------------------------------
 * delete_module("punix") attempts (punix variant only).
 */
struct rmmod_thread {
	struct stress_shared *sh;
	pthread_t thread;
	atomic_int stop;
	uint64_t seed;
	bool started;
};

/*
 * One attempt to unload punix without waiting.  While any punix socket
 * exists the module is in use: the kernel must refuse with EWOULDBLOCK
 * (EAGAIN; the refcount is held) or EBUSY (the module is going or coming).
 * Success would mean live sockets whose code was just unloaded.
 */
static inline void rmmod_try(struct stress_shared *sh, int nsockets_hint)
{
	long r;
	int e;

	errno = 0;
	r = syscall(__NR_delete_module, "punix", O_NONBLOCK);
	e = errno;
	if (r == 0) {
		sfail(sh, "delete_module(\"punix\", O_NONBLOCK) succeeded while at least %d punix socket(s) were open: the sockets do not pin the module",
		      nsockets_hint);
		return;
	}
	switch (e) {
	case EWOULDBLOCK:
	case EBUSY:
		atomic_fetch_add_explicit(&sh->rmmod, 1, memory_order_relaxed);
		return;
	case ENOSYS:
		sfail(sh, "delete_module: ENOSYS, this kernel has no module support; the punix variant needs the punix module loaded");
		return;
	case ENOENT:
		sfail(sh, "delete_module(\"punix\"): ENOENT, no module called punix is loaded (built in? renamed?)");
		return;
	case EPERM:
		sfail(sh, "delete_module(\"punix\"): EPERM, run the test as root (CAP_SYS_MODULE)");
		return;
	default:
		sfail(sh, "delete_module(\"punix\", O_NONBLOCK): unexpected errno %s (%s); allowed: EWOULDBLOCK EBUSY",
		      errname(e), strerror(e));
	}
}

static void *rmmod_main(void *arg)
{
	struct rmmod_thread *t = arg;
	struct rng r;

	rng_init(&r, t->seed, 0x7e3d);
	while (!atomic_load(&t->stop) && !stress_stopped(t->sh)) {
		rmmod_try(t->sh, 1);
		sleep_ms(1 + rng_below(&r, 25));
	}
	return NULL;
}

/* ------------------------------------------------------------------------
 * Per-test context of the test process.
 */
#define STRESS_MAX_THREADS	48
#define STRESS_MAX_PROCS	16

struct stress {
	struct stress_shared *sh;
	const char *name;
	int family;
	bool punix;
	int seconds;
	unsigned long long seed;
	int fds_before;
	int anchor;			/* punix: a socket that pins the module */
	struct rmmod_thread rmmod;
	pthread_t threads[STRESS_MAX_THREADS];
	int nthreads;
	pid_t procs[STRESS_MAX_PROCS];
	const char *proc_what[STRESS_MAX_PROCS];
	int nprocs;
	/*
	 * Only where AF_UNIX itself is known to leave socks behind (a kernel
	 * bug the test found, named where it is set): the native variant
	 * logs the socks left instead of failing on them. The punix variant
	 * always asserts that every sock goes.
	 */
	bool native_leaks;
};

/* Harness timeout of one test: the run, the wind-down, slow emulation. */
static inline int stress_timeout(void)
{
	return stress_seconds() * 2 + 90;
}

/* Seconds a worker may live before its own watchdog kills it. */
static inline int stress_watchdog(void)
{
	return stress_seconds() * 2 + 75;
}

static inline int stress_thread(struct stress *st, void *(*fn)(void *),
				void *arg)
{
	if (st->nthreads >= STRESS_MAX_THREADS ||
	    pthread_create(&st->threads[st->nthreads], NULL, fn, arg)) {
		sfail(st->sh, "cannot start thread %d", st->nthreads);
		return -1;
	}
	return st->nthreads++;
}

/*
 * Start a worker process running fn(arg); it _exit()s with the result.
 * Returns the pid (in the test process), never returns in the child.
 */
static inline pid_t stress_proc(struct stress *st, const char *what,
				void (*fn)(void *), void *arg)
{
	pid_t pid;

	if (st->nprocs >= STRESS_MAX_PROCS) {
		sfail(st->sh, "too many worker processes");
		return -1;
	}
	pid = stress_fork(st->sh, stress_watchdog());
	if (pid == 0) {
		/* The rmmod thread and the anchor belong to the parent. */
		if (st->anchor >= 0)
			close(st->anchor);
		fn(arg);
		stress_exit(st->sh);
	}
	if (pid > 0) {
		st->proc_what[st->nprocs] = what;
		st->procs[st->nprocs++] = pid;
	}
	return pid;
}

/* Join every thread and reap every process started so far. */
static inline void stress_wait(struct stress *st)
{
	int i;

	for (i = 0; i < st->nthreads; i++)
		pthread_join(st->threads[i], NULL);
	st->nthreads = 0;
	for (i = 0; i < st->nprocs; i++)
		stress_reap(st->sh, st->procs[i], st->proc_what[i]);
	st->nprocs = 0;
}

static inline void stress_start_rmmod(struct stress *st)
{
	/*
	 * punix only: the module must refuse to unload while its sockets
	 * exist.  There is no such check for the native variant: AF_UNIX is
	 * part of the kernel (or of a module, unix.ko, that nothing here may
	 * unload), so there is nothing to race against.
	 */
	if (!st->punix)
		return;
	st->rmmod.sh = st->sh;
	st->rmmod.seed = st->seed;
	atomic_store(&st->rmmod.stop, 0);
	st->rmmod.started = !pthread_create(&st->rmmod.thread, NULL,
					    rmmod_main, &st->rmmod);
	if (!st->rmmod.started)
		sfail(st->sh, "cannot start the delete_module thread");
}

/*
 * Set up a test: shared page, seed, a private network namespace (so that
 * the socket counts of /proc/net/protocols are this test's alone and
 * abstract names cannot meet other programs'), signal handling and, for
 * punix, the anchor socket and the delete_module() thread.
 */
#define stress_begin(st, name) \
	__stress_init(_metadata, (st), self->family, variant->punix, \
		      self->dir, (name), stress_seconds(), true)

/*
 * @seconds: how long the workers run; @rmmod: punix only, run the
 * delete_module() thread (fault_test does not: it must not unload punix
 * under injected failures either, but that is not what it tests).
 */
static inline void __stress_init(struct __test_metadata *_metadata,
				 struct stress *st, int family, bool punix,
				 const char *dir, const char *name,
				 int seconds, bool rmmod)
{
	struct stress_shared *sh;
	long socks;

	memset(st, 0, sizeof(*st));
	st->anchor = -1;
	st->name = name;
	st->family = family;
	st->punix = punix;
	st->seconds = seconds;
	st->seed = stress_seed();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	st->sh = sh;
	sh->family = family;
	sh->punix = punix;
	sh->seed = st->seed;
	snprintf(sh->dir, sizeof(sh->dir), "%s", dir);
	stress_add_pid(sh, getpid());

	TH_LOG("%s: %d s, seed %llu (replay: PUNIX_STRESS_SEED=%llu)",
	       name, st->seconds, st->seed, st->seed);

	/* The fixture's 10 s watchdog is for the short tests. */
	alarm(0);
	stress_signals();

	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s (run as root, with network namespaces)",
		       strerror(errno));
	}
	socks = proto_sockets(punix);
	ASSERT_EQ(0, socks) {
		TH_LOG("%s sockets in a fresh network namespace: %ld (-1: not listed in /proc/net/protocols)",
		       punix ? "punix" : "unix", socks);
	}
	st->fds_before = count_fds();
	ASSERT_LE(0, st->fds_before);

	if (punix) {
		st->anchor = socket(family, SOCK_DGRAM, 0);
		ASSERT_LE(0, st->anchor) {
			TH_LOG("socket(punix): %s", strerror(errno));
		}
		/* Before the workers: a clear message if it cannot work. */
		rmmod_try(sh, 1);
		ASSERT_EQ(0, atomic_load(&sh->failed)) {
			TH_LOG("%s", sh->msg);
		}
		if (rmmod)
			stress_start_rmmod(st);
	}
}

/*
 * Finish: stop the delete_module thread, close the anchor, and check that
 * no worker failed, that the test process has the fds it had at the start
 * and that every socket of the family in this namespace is gone.
 */
#define stress_end(st) __stress_end(_metadata, (st))

static inline void __stress_end(struct __test_metadata *_metadata,
				struct stress *st)
{
	struct stress_shared *sh = st->sh;
	long socks;
	int fds;

	stress_wait(st);
	if (st->rmmod.started) {
		atomic_store(&st->rmmod.stop, 1);
		pthread_join(st->rmmod.thread, NULL);
		st->rmmod.started = false;
	}
	if (st->anchor >= 0) {
		/* One last try with the anchor still open. */
		rmmod_try(sh, 1);
		close(st->anchor);
		st->anchor = -1;
	}

	TH_LOG("%s: ops %ld, expected errors %ld, injected %ld, stream bytes %ld, messages %ld, refused rmmod %ld",
	       st->name, atomic_load(&sh->ops), atomic_load(&sh->errs),
	       atomic_load(&sh->injected), atomic_load(&sh->bytes),
	       atomic_load(&sh->msgs), atomic_load(&sh->rmmod));

	ASSERT_EQ(0, atomic_load(&sh->failed)) {
		TH_LOG("%s", atomic_load(&sh->msg_ready) ? sh->msg : "?");
		TH_LOG("replay: PUNIX_STRESS_SEED=%llu", st->seed);
	}

	fds = count_fds();
	ASSERT_EQ(st->fds_before, fds) {
		TH_LOG("the test process has %d fds, had %d at the start",
		       fds, st->fds_before);
	}
	/*
	 * Every socket is closed and every process reaped, so every sock
	 * must go: at once if it was never in flight, once the garbage
	 * collector has run if its file was (wait_family_sockets()).
	 */
	socks = wait_family_sockets(st->family, st->punix, 0, SOCKS_GONE_MS);
	if (st->native_leaks && !st->punix && socks) {
		TH_LOG("AF_UNIX left %ld socks behind (known, see the test)",
		       socks);
		socks = 0;
	}
	ASSERT_EQ(0, socks) {
		TH_LOG("%ld %s socks still exist %d ms after every fd was closed (leak, or a cycle the collector did not free)",
		       socks, st->punix ? "punix" : "unix", SOCKS_GONE_MS);
	}
	munmap(sh, sizeof(*sh));
	st->sh = NULL;
}

/*
 * Give STRESS_TEST()s a run-time harness timeout: the harness reads
 * __test_metadata.timeout when it starts each test, and the constructor
 * below runs after the harness registered the test (KSELFTEST_PRIO_TEST).
 */
#define TEST_F_RUNTIME_TIMEOUT(fx, name, timeout_fn)			\
	static struct __test_metadata *_##fx##_##name##_object;	\
	static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 10))) \
	_stress_timeout_##fx##_##name(void)				\
	{								\
		if (_##fx##_##name##_object)				\
			_##fx##_##name##_object->timeout = timeout_fn(); \
	}								\
	TEST_F(fx, name)

#define STRESS_TEST(fx, name) TEST_F_RUNTIME_TIMEOUT(fx, name, stress_timeout)

#endif /* _PUNIX_STRESS_UTIL_H */
