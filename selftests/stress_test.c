// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded random stress, differential: every test runs for
 * PUNIX_STRESS_SECONDS (default 5) against AF_UNIX (native) and against
 * punix, with the same invariants:
 *
 *   stream_integrity   sequence-numbered, checksummed records over stream
 *                      pairs arrive complete, once, in order, while other
 *                      threads and processes churn through sockets;
 *   msg_boundaries     seqpacket and dgram messages keep their boundaries
 *                      and contents, none lost or duplicated (unix
 *                      datagrams are reliable), truncation and MSG_PEEK
 *                      behave, SIOCINQ names the next datagram;
 *   errno_chaos        random socket/bind/connect/accept/send/recv/
 *                      shutdown/close/poll/getsockopt from several processes
 *                      and threads on shared sockets: every failure has an
 *                      errno from the call's allowed set;
 *   close_races        close vs send on one pair, poll vs close of the peer,
 *                      shutdown vs a blocked recv, sendto vs the receiver's
 *                      close: no lost wakeup, exact terminal errnos, every
 *                      byte reported sent before a close is delivered;
 *   listener_churn     listeners closed (and rebound) with connections
 *                      pending while clients connect: every connection is
 *                      accepted or reset, never left hanging;
 *   peercred_races     SO_PEERCRED/SO_PEERGROUPS read while listen() and
 *                      connect() change them: always a consistent, exact
 *                      answer.
 *
 * Everywhere: SIGUSR1 interrupts blocking calls at random (EINTR is allowed
 * where a call may block), every blocking call has a timeout, every test
 * runs in its own network namespace and checks at the end that its
 * processes were reaped, its fds closed and its socks freed (the socket
 * counts of /proc/net/protocols are back to zero).
 *
 * The punix variant also calls delete_module("punix", O_NONBLOCK) from a
 * thread all along, with at least one punix socket open: it must always be
 * refused (see rmmod_try() in stress_util.h).
 *
 * The seed is printed by every test; PUNIX_STRESS_SEED=<seed> replays the
 * same random choices.
 */
#include "stress_util.h"

PUNIX_FIXTURE(stress);

/* How long workers may take to wind down after the deadline. */
#define GRACE_MS	30000

/* Per-test counters (stress_shared.cnt[]). */
enum {
	C_ACCEPTED, C_RESET, C_REFUSED, C_FORKS, C_SCENARIOS, C_TRUNC,
	C_PEEKS, C_INQ, C_PEERCRED,
};

/* ------------------------------------------------------------------------
 * Names shared by the workers of a test: fixed paths and abstract names,
 * plus a ring of recently autobound names.
 */
#define NFIXED		12
#define NDYN		8

struct names {
	int nfixed;
	struct sname fixed[NFIXED];
	atomic_flag lock;
	int ndyn;
	int next;
	struct sname dyn[NDYN];
};

static void names_lock(struct names *n)
{
	while (atomic_flag_test_and_set_explicit(&n->lock, memory_order_acquire))
		sched_yield();
}

static void names_unlock(struct names *n)
{
	atomic_flag_clear_explicit(&n->lock, memory_order_release);
}

static struct names *names_new(int family, const char *dir, const char *tag)
{
	struct names *n = mmap(NULL, sizeof(*n), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char buf[128];
	int i;

	if (n == MAP_FAILED)
		return NULL;
	memset(n, 0, sizeof(*n));
	atomic_flag_clear(&n->lock);
	for (i = 0; i < NFIXED; i++) {
		if (i % 2 == 0) {
			snprintf(buf, sizeof(buf), "%s/%s%d", dir, tag, i);
			sname_path(&n->fixed[i], family, buf);
		} else {
			snprintf(buf, sizeof(buf), "punix-stress-%s%d", tag, i);
			sname_abstract(&n->fixed[i], family, buf);
		}
	}
	n->nfixed = NFIXED;
	return n;
}

static void names_pick(struct names *n, struct rng *r, struct sname *out)
{
	if (n->ndyn && rng_one_in(r, 4)) {
		names_lock(n);
		*out = n->dyn[rng_below(r, n->ndyn)];
		names_unlock(n);
		return;
	}
	*out = n->fixed[rng_below(r, n->nfixed)];
}

static void names_add(struct names *n, const struct sname *s)
{
	names_lock(n);
	n->dyn[n->next] = *s;
	n->next = (n->next + 1) % NDYN;
	if (n->ndyn < NDYN)
		n->ndyn++;
	names_unlock(n);
}

/* ------------------------------------------------------------------------
 * Checks shared by several tests.
 */

/* SO_PEERCRED is "nobody" (pid 0, ids -1) or one of our processes, as root. */
static void check_peercred(struct stress_shared *sh, int fd, const char *ctx)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	memset(&uc, 0x55, sizeof(uc));
	if (SC(sh, E_NONE, ctx,
	       getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len)) < 0)
		return;
	atomic_fetch_add_explicit(&sh->cnt[C_PEERCRED], 1, memory_order_relaxed);
	if (len != sizeof(uc)) {
		sfail(sh, "%s: SO_PEERCRED length %u", ctx, len);
		return;
	}
	if (uc.pid == 0) {
		if (uc.uid != (uid_t)-1 || uc.gid != (gid_t)-1)
			sfail(sh, "%s: SO_PEERCRED pid 0 with uid %d gid %d (want -1/-1)",
			      ctx, (int)uc.uid, (int)uc.gid);
		return;
	}
	if (!stress_our_pid(sh, uc.pid) || uc.uid != geteuid() ||
	    uc.gid != getegid())
		sfail(sh, "%s: SO_PEERCRED pid %d uid %d gid %d: not one of the test's processes",
		      ctx, (int)uc.pid, (int)uc.uid, (int)uc.gid);
}

/* A name returned by getsockname/getpeername/accept/recvfrom. */
static void check_name(struct stress_shared *sh, int family,
		       const struct sockaddr_un *sun, socklen_t len,
		       const char *ctx)
{
	if (len < SUN_HDR || len > sizeof(*sun)) {
		sfail(sh, "%s: address length %u", ctx, len);
		return;
	}
	if (sun->sun_family != family)
		sfail(sh, "%s: address family %d, want %d", ctx,
		      sun->sun_family, family);
	if (len > SUN_HDR && sun->sun_path[0] &&
	    strnlen(sun->sun_path, len - SUN_HDR) + 1 + SUN_HDR != len &&
	    strnlen(sun->sun_path, len - SUN_HDR) + SUN_HDR != len)
		sfail(sh, "%s: path address of length %u holds \"%.*s\"", ctx,
		      len, (int)(len - SUN_HDR), sun->sun_path);
}

/* ------------------------------------------------------------------------
 * The chaos engine: threads (and short-lived forked children) doing random
 * operations on a pool of sockets shared by the threads of one process.
 *
 * A slot's fd is only closed or replaced under its write lock, and used
 * under its read lock, so an fd number always means the socket the slot
 * says it is: several threads use one socket at once, but never a closed
 * or reused fd.
 */
#define POOL_SLOTS	20

struct slot {
	pthread_rwlock_t lock;
	atomic_int fd;
	int type;
};

struct pool {
	struct stress_shared *sh;
	struct names *names;
	int family;
	int max_forks;
	atomic_int forks;
	struct slot slot[POOL_SLOTS];
	struct kicker kick;
};

struct chaos_arg {
	struct pool *pool;
	uint64_t seed;
	int id;
};

static void pool_init(struct pool *p, struct stress_shared *sh,
		      struct names *names, int family, int max_forks)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->sh = sh;
	p->names = names;
	p->family = family;
	p->max_forks = max_forks;
	for (i = 0; i < POOL_SLOTS; i++) {
		pthread_rwlock_init(&p->slot[i].lock, NULL);
		atomic_store(&p->slot[i].fd, -1);
	}
}

static void pool_close_all(struct pool *p)
{
	int i;

	for (i = 0; i < POOL_SLOTS; i++) {
		int fd = atomic_exchange(&p->slot[i].fd, -1);

		if (fd >= 0)
			close(fd);
		pthread_rwlock_destroy(&p->slot[i].lock);
	}
}

/* Short random timeouts, sometimes small buffers. */
static void chaos_setup_fd(int fd, struct rng *r)
{
	set_timeouts(fd, 1 + rng_below(r, 20), 1 + rng_below(r, 20));
	if (rng_one_in(r, 4))
		set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, 8192 + rng_below(r, 65536));
	if (rng_one_in(r, 4))
		set_int_opt(fd, SOL_SOCKET, SO_RCVBUF, 8192 + rng_below(r, 65536));
}

/* Put @fd of @type into a free slot other than @skip; close it if none. */
static void pool_put(struct pool *p, struct rng *r, int fd, int type, int skip)
{
	int i, start = rng_below(r, POOL_SLOTS);

	for (i = 0; i < POOL_SLOTS; i++) {
		struct slot *s = &p->slot[(start + i) % POOL_SLOTS];

		if ((start + i) % POOL_SLOTS == skip)
			continue;
		if (pthread_rwlock_trywrlock(&s->lock))
			continue;
		if (atomic_load(&s->fd) < 0) {
			s->type = type;
			atomic_store(&s->fd, fd);
			pthread_rwlock_unlock(&s->lock);
			return;
		}
		pthread_rwlock_unlock(&s->lock);
	}
	close(fd);
}

/*
 * Allowed errnos, per call and socket type (static: a compound literal
 * would not outlive the function).
 */
static const int es_connect_conn[] = { ECONNREFUSED, ENOENT, EAGAIN, EISCONN,
				       EINVAL, EPROTOTYPE, EINTR, 0 };
static const int es_connect_dgram[] = { ECONNREFUSED, ENOENT, EPROTOTYPE,
					EPERM, 0 };
static const int es_send_conn[] = { EAGAIN, EPIPE, ENOTCONN, ECONNRESET,
				    EINTR, 0 };
static const int es_send_dgram[] = { EAGAIN, EPIPE, ENOTCONN, ECONNRESET,
				     ECONNREFUSED, EPERM, EINTR, 0 };
static const int es_sendto_stream[] = { EISCONN, EOPNOTSUPP, 0 };
static const int es_sendto_dgram[] = { EAGAIN, EPIPE, ECONNRESET,
				       ECONNREFUSED, ENOENT, EPROTOTYPE,
				       EPERM, EINTR, 0 };
static const int es_recv_stream[] = { EAGAIN, EINVAL, ECONNRESET, EINTR, 0 };
static const int es_recv_seqpacket[] = { EAGAIN, ENOTCONN, ECONNRESET,
					 EINTR, 0 };
static const int es_recv_dgram[] = { EAGAIN, ECONNRESET, EINTR, 0 };
static const int es_accept_conn[] = { EAGAIN, EINVAL, EINTR, 0 };
static const int es_eopnotsupp[] = { EOPNOTSUPP, 0 };
static const int es_einval[] = { EINVAL, 0 };

static const int *es_connect(int type)
{
	return type == SOCK_DGRAM ? es_connect_dgram : es_connect_conn;
}

/* send() without an address. */
static const int *es_send(int type)
{
	return type == SOCK_DGRAM ? es_send_dgram : es_send_conn;
}

/* sendto() with an address: ignored by seqpacket, refused by stream. */
static const int *es_sendto(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return es_sendto_stream;
	case SOCK_SEQPACKET:
		return es_send_conn;
	}
	return es_sendto_dgram;
}

static const int *es_recv(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return es_recv_stream;
	case SOCK_SEQPACKET:
		return es_recv_seqpacket;
	}
	return es_recv_dgram;
}

static const int *es_accept(int type)
{
	return type == SOCK_DGRAM ? es_eopnotsupp : es_accept_conn;
}

static const int *es_listen(int type)
{
	return type == SOCK_DGRAM ? es_eopnotsupp : es_einval;
}

static void chaos_sockopts(struct pool *p, struct rng *r, int fd, int type,
			   const char *tn)
{
	struct stress_shared *sh = p->sh;
	socklen_t len;
	int v;

	switch (rng_below(r, 5)) {
	case 0:
		check_peercred(sh, fd, tn);
		break;
	case 1:
		v = -1;
		len = sizeof(v);
		if (SC(sh, E_NONE, tn,
		       getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len)) == 0 &&
		    v != 0 && v != ECONNRESET)
			sfail(sh, "%s: SO_ERROR %d (%s)", tn, v, errname(v));
		break;
	case 2:
		v = -1;
		len = sizeof(v);
		if (SC(sh, E_NONE, tn,
		       getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len)) == 0 &&
		    v != type)
			sfail(sh, "%s: SO_TYPE %d", tn, v);
		break;
	case 3:
		v = -1;
		len = sizeof(v);
		if (SC(sh, E_NONE, tn,
		       getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len)) == 0 &&
		    (v < 0 || v > 1 || (v && type == SOCK_DGRAM)))
			sfail(sh, "%s: SO_ACCEPTCONN %d", tn, v);
		break;
	case 4:
		SC(sh, E_NONE, tn, set_int_opt(fd, SOL_SOCKET, SO_PASSCRED,
					       rng_below(r, 2)));
		break;
	}
}

/* One operation on a socket the caller holds (read lock or child). */
static void chaos_fd_op(struct pool *p, struct rng *r, int fd, int type,
			bool child)
{
	struct stress_shared *sh = p->sh;
	const char *tn = type_name(type);
	struct sockaddr_un sun;
	unsigned char buf[2048];
	struct pollfd pfd;
	struct sname name;
	socklen_t len;
	long n;
	int v, flags;

	switch (rng_below(r, child ? 6 : 16)) {
	case 0:		/* send */
		n = 1 + rng_below(r, sizeof(buf));
		pattern_fill(buf, n, 0x5a5a, 0);
		flags = MSG_NOSIGNAL | (rng_one_in(r, 2) ? MSG_DONTWAIT : 0);
		SC(sh, es_send(type), tn, send(fd, buf, n, flags));
		break;
	case 1:		/* recv */
		flags = (rng_one_in(r, 2) ? MSG_DONTWAIT : 0) |
			(rng_one_in(r, 4) ? MSG_PEEK : 0) |
			(type != SOCK_STREAM && rng_one_in(r, 4) ? MSG_TRUNC : 0);
		SC(sh, es_recv(type), tn,
		   recv(fd, buf, 1 + rng_below(r, sizeof(buf)), flags));
		break;
	case 2:		/* shutdown: never fails on a unix socket */
		SC(sh, E_NONE, tn, shutdown(fd, rng_below(r, 3)));
		break;
	case 3:
		pfd.fd = fd;
		pfd.events = POLL_ALL;
		pfd.revents = 0;
		if (SC(sh, E(EINTR), tn, poll(&pfd, 1, rng_below(r, 10))) > 0 &&
		    (pfd.revents & POLLNVAL))
			sfail(sh, "%s: poll: POLLNVAL on an open socket", tn);
		break;
	case 4:
		chaos_sockopts(p, r, fd, type, tn);
		break;
	case 5:
		len = sizeof(sun);
		if (rng_one_in(r, 2)) {
			if (SC(sh, E_NONE, tn,
			       getsockname(fd, (struct sockaddr *)&sun, &len)) == 0)
				check_name(sh, p->family, &sun, len, "getsockname");
		} else {
			if (SC(sh, E(ENOTCONN), tn,
			       getpeername(fd, (struct sockaddr *)&sun, &len)) == 0)
				check_name(sh, p->family, &sun, len, "getpeername");
		}
		break;
	case 6:		/* bind: a fixed name, or autobind */
		if (rng_one_in(r, 3)) {
			if (SC(sh, E_NONE, tn, sname_autobind(fd, p->family, &name)) == 0 &&
			    sname_is_abstract(&name))
				names_add(p->names, &name);
		} else {
			names_pick(p->names, r, &name);
			SC(sh, E(EADDRINUSE, EINVAL), tn, sbind(fd, &name));
		}
		break;
	case 7:
		SC(sh, es_listen(type), tn, listen(fd, rng_below(r, 16)));
		break;
	case 8:
	case 9:
		if (type == SOCK_DGRAM && rng_one_in(r, 5)) {
			struct sockaddr unspec = { .sa_family = AF_UNSPEC };

			SC(sh, E_NONE, tn, connect(fd, &unspec, sizeof(unspec)));
			break;
		}
		names_pick(p->names, r, &name);
		SC(sh, es_connect(type), tn, sconnect(fd, &name));
		break;
	case 10:
		len = sizeof(sun);
		flags = rng_one_in(r, 2) ? SOCK_NONBLOCK : 0;
		n = SC(sh, es_accept(type), tn,
		       accept4(fd, (struct sockaddr *)&sun, &len, flags | SOCK_CLOEXEC));
		if (n >= 0) {
			check_name(sh, p->family, &sun, len, "accept");
			atomic_fetch_add_explicit(&sh->cnt[C_ACCEPTED], 1,
						  memory_order_relaxed);
			chaos_setup_fd(n, r);
			pool_put(p, r, n, type, -1);
		}
		break;
	case 11:
		names_pick(p->names, r, &name);
		n = 1 + rng_below(r, sizeof(buf));
		pattern_fill(buf, n, 0x5a5b, 0);
		flags = MSG_NOSIGNAL | (rng_one_in(r, 2) ? MSG_DONTWAIT : 0);
		SC(sh, es_sendto(type), tn, ssendto(fd, buf, n, flags, &name));
		break;
	case 12:
		v = -1;
		if (SC(sh, type == SOCK_DGRAM ? E_NONE : E(EINVAL), tn,
		       ioctl(fd, SIOCINQ, &v)) == 0 && v < 0)
			sfail(sh, "%s: SIOCINQ %d", tn, v);
		v = -1;
		if (SC(sh, E_NONE, tn, ioctl(fd, SIOCOUTQ, &v)) == 0 && v < 0)
			sfail(sh, "%s: SIOCOUTQ %d", tn, v);
		break;
	case 13:
		chaos_setup_fd(fd, r);
		break;
	case 14:
		names_pick(p->names, r, &name);
		if (!sname_is_abstract(&name))
			unlink(name.sun.sun_path);
		break;
	case 15:
		chaos_sockopts(p, r, fd, type, tn);
		break;
	}
}

/*
 * A forked child: a few operations on whatever sockets it inherited,
 * without the pool's locks (another thread may have held one at fork
 * time).  It learns each fd's type from the socket itself.
 */
static void chaos_child(struct pool *p, uint64_t seed)
{
	struct stress_shared *sh = p->sh;
	struct rng r;
	int i, fd, type, dom;

	rng_init(&r, seed, getpid());
	for (i = 0; i < 24 && !stress_stopped(sh); i++) {
		struct slot *s = &p->slot[rng_below(&r, POOL_SLOTS)];

		fd = atomic_load(&s->fd);
		if (fd < 0)
			continue;
		type = get_int_opt(fd, SOL_SOCKET, SO_TYPE);
		dom = get_int_opt(fd, SOL_SOCKET, SO_DOMAIN);
		if (dom != p->family || type < 0)
			continue;	/* closed by this child, or not ours */
		if (rng_one_in(&r, 6)) {
			SC(sh, E_NONE, "child close", close(fd));
			continue;
		}
		chaos_fd_op(p, &r, fd, type, true);
	}
	stress_exit(sh);
}

static void chaos_fork(struct pool *p, struct rng *r)
{
	struct stress_shared *sh = p->sh;
	uint64_t seed = rng_next(r);
	pid_t pid;

	if (atomic_fetch_add(&p->forks, 1) >= p->max_forks)
		return;
	pid = stress_fork(sh, stress_watchdog());
	if (pid == 0)
		chaos_child(p, seed);
	if (pid > 0) {
		atomic_fetch_add(&sh->cnt[C_FORKS], 1);
		stress_reap(sh, pid, "chaos child");
	}
}

static void chaos_op(struct pool *p, struct rng *r)
{
	struct stress_shared *sh = p->sh;
	int i = rng_below(r, POOL_SLOTS);
	struct slot *s = &p->slot[i];
	uint32_t op = rng_below(r, 100);
	int fd, type, sv[2];

	if (op < 10) {
		/* (Re)create the slot's socket. */
		pthread_rwlock_wrlock(&s->lock);
		fd = atomic_exchange(&s->fd, -1);
		if (fd >= 0) {
			SC(sh, E_NONE, type_name(s->type), close(fd));
		} else {
			type = stress_types[rng_below(r, 3)];
			fd = SC(sh, E_NONE, type_name(type),
				socket(p->family, type | SOCK_CLOEXEC |
				       (rng_one_in(r, 3) ? SOCK_NONBLOCK : 0), 0));
			if (fd >= 0) {
				chaos_setup_fd(fd, r);
				s->type = type;
				atomic_store(&s->fd, fd);
			}
		}
		pthread_rwlock_unlock(&s->lock);
		return;
	}
	if (op < 13) {
		type = stress_types[rng_below(r, 3)];
		if (SC(sh, E_NONE, type_name(type),
		       socketpair(p->family, type | SOCK_CLOEXEC, 0, sv)) == 0) {
			chaos_setup_fd(sv[0], r);
			chaos_setup_fd(sv[1], r);
			pool_put(p, r, sv[0], type, -1);
			pool_put(p, r, sv[1], type, -1);
		}
		return;
	}
	if (op < 14 && p->max_forks) {
		chaos_fork(p, r);
		return;
	}

	pthread_rwlock_rdlock(&s->lock);
	fd = atomic_load(&s->fd);
	if (fd >= 0)
		chaos_fd_op(p, r, fd, s->type, false);
	pthread_rwlock_unlock(&s->lock);
}

static void *chaos_thread(void *arg)
{
	struct chaos_arg *a = arg;
	struct rng r;

	rng_init(&r, a->seed, 1000 + a->id);
	while (stress_running(a->pool->sh))
		chaos_op(a->pool, &r);
	return NULL;
}

/*
 * A chaos process: @nthreads chaos threads on one pool, with a kicker.
 * Runs in the calling process and returns when the deadline passed.
 */
static void chaos_run(struct stress_shared *sh, struct names *names,
		      int nthreads, int max_forks, uint64_t seed)
{
	struct chaos_arg args[8];
	pthread_t th[8];
	struct pool *p;
	int i, started = 0;

	p = calloc(1, sizeof(*p));
	if (!p) {
		sfail(sh, "out of memory");
		return;
	}
	pool_init(p, sh, names, sh->family, max_forks);
	if (nthreads > 8)
		nthreads = 8;
	for (i = 0; i < nthreads; i++) {
		args[i].pool = p;
		args[i].seed = seed;
		args[i].id = i;
		if (pthread_create(&th[i], NULL, chaos_thread, &args[i])) {
			sfail(sh, "cannot start chaos thread");
			break;
		}
		started++;
	}
	kicker_start(&p->kick, sh, seed ^ 0x1234, 10);
	for (i = 0; i < started; i++)
		kicker_add(&p->kick, th[i]);
	kicker_stop(&p->kick);		/* before the joins, see kicker_stop() */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pool_close_all(p);
	free(p);
}

struct chaos_proc_arg {
	struct stress_shared *sh;
	struct names *names;
	int nthreads;
	int max_forks;
	uint64_t seed;
};

static void chaos_proc(void *arg)
{
	struct chaos_proc_arg *a = arg;

	chaos_run(a->sh, a->names, a->nthreads, a->max_forks, a->seed);
}

/* In the test process: chaos on a pool of its own, in a thread. */
static void *chaos_local(void *arg)
{
	chaos_proc(arg);
	return NULL;
}

/* ------------------------------------------------------------------------
 * Connected pairs, made by the test process before any worker starts.
 *
 * kind 0: socketpair(); 1: through a listener on a path; 2: on an abstract
 * name; 3: on an autobound name.  Datagram pairs are two sockets bound and
 * connected to each other.
 */
static void __make_pair(struct __test_metadata *_metadata, int family,
			const char *dir, int type, int kind, int idx,
			int *a, int *b)
{
	struct sname name;
	char buf[128];
	int sv[2], l;

	if (kind == 0) {
		ASSERT_RET(0, socketpair(family, type, 0, sv));
		*a = sv[0];
		*b = sv[1];
		return;
	}
	l = socket(family, type, 0);
	ASSERT_LE(0, l);
	if (kind == 1) {
		snprintf(buf, sizeof(buf), "%s/pair%d", dir, idx);
		sname_path(&name, family, buf);
		ASSERT_RET(0, sbind(l, &name));
	} else if (kind == 2) {
		snprintf(buf, sizeof(buf), "punix-stress-pair%d", idx);
		sname_abstract(&name, family, buf);
		ASSERT_RET(0, sbind(l, &name));
	} else {
		ASSERT_RET(0, sname_autobind(l, family, &name));
	}
	*a = socket(family, type, 0);
	ASSERT_LE(0, *a);
	if (type == SOCK_DGRAM) {
		struct sname an;

		ASSERT_RET(0, sname_autobind(*a, family, &an));
		ASSERT_RET(0, sconnect(*a, &name));
		ASSERT_RET(0, sconnect(l, &an));
		*b = l;
	} else {
		ASSERT_RET(0, listen(l, 4));
		ASSERT_RET(0, sconnect(*a, &name));
		*b = accept(l, NULL, NULL);
		ASSERT_LE(0, *b);
		close(l);
	}
	if (kind == 1)
		unlink(buf);
}
#define make_pair(type, kind, idx, a, b) \
	__make_pair(_metadata, self->family, self->dir, (type), (kind), (idx), (a), (b))

/* ------------------------------------------------------------------------
 * stream_integrity
 */
#define REC_MAGIC	0x5245c0deu
#define REC_MAX		(64 * 1024)
#define SPAIRS		4

struct rec_hdr {
	uint32_t magic;
	uint32_t seq;
	uint32_t len;		/* payload bytes */
	uint32_t csum;		/* of the payload, seeded with seq */
};

struct spair {
	struct stress_shared *sh;
	int id;
	int wfd, rfd;
	bool remote;		/* the reader runs in the child process */
	uint64_t seed;
	atomic_int writer_done;
	atomic_long sent_bytes;
	atomic_uint sent_recs;
	pthread_t wth, rth;
};

static uint64_t rec_key(int pair, uint32_t seq)
{
	return ((uint64_t)(pair + 1) << 40) ^ ((uint64_t)seq * 0x10001ULL);
}

/* poll() one fd for @events; EINTR is fine. */
static void wait_fd(struct stress_shared *sh, int fd, short events, int ms,
		    const char *ctx)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	SC(sh, E(EINTR), ctx, poll(&pfd, 1, ms));
}

static void *stream_writer(void *arg)
{
	struct spair *p = arg;
	struct stress_shared *sh = p->sh;
	unsigned char *buf = malloc(sizeof(struct rec_hdr) + REC_MAX);
	uint32_t seq = 0;
	long total = 0;
	struct rng r;

	if (!buf) {
		sfail(sh, "out of memory");
		return NULL;
	}
	rng_init(&r, p->seed, 2000 + p->id);
	set_timeouts(p->wfd, 1000, 20 + rng_below(&r, 300));

	while (stress_running(sh)) {
		struct rec_hdr *h = (struct rec_hdr *)buf;
		uint32_t len = rng_one_in(&r, 8) ? rng_below(&r, REC_MAX + 1) :
						    rng_below(&r, 2048);
		size_t reclen = sizeof(*h) + len, off = 0;

		pattern_fill(buf + sizeof(*h), len, rec_key(p->id, seq), 0);
		h->magic = REC_MAGIC ^ p->id;
		h->seq = seq;
		h->len = len;
		h->csum = csum32(buf + sizeof(*h), len, seq);

		/* A record is always finished, so the reader can parse it. */
		while (off < reclen) {
			size_t chunk = rng_one_in(&r, 2) ? reclen - off :
				       1 + rng_below(&r, reclen - off);
			int flags = rng_one_in(&r, 3) ? MSG_DONTWAIT : 0;
			long n;

			if (stress_stopped(sh))
				goto out;
			if (now_ms() > sh->deadline + GRACE_MS) {
				sfail(sh, "stream pair %d: writer stuck for %d ms after the deadline",
				      p->id, GRACE_MS);
				goto out;
			}
			n = SC(sh, E(EAGAIN, EINTR), "stream writer",
			       send(p->wfd, buf + off, chunk, flags | MSG_NOSIGNAL));
			if (n > 0) {
				if ((size_t)n > chunk) {
					sfail(sh, "stream pair %d: send(%zu) returned %ld",
					      p->id, chunk, n);
					goto out;
				}
				off += n;
			} else if (n == 0) {
				sfail(sh, "stream pair %d: send(%zu) returned 0",
				      p->id, chunk);
				goto out;
			} else if (errno == EAGAIN && (flags & MSG_DONTWAIT)) {
				wait_fd(sh, p->wfd, POLLOUT, 100, "stream writer poll");
			} else if (errno != EAGAIN && errno != EINTR) {
				goto out;
			}
		}
		total += reclen;
		seq++;
	}
	atomic_store(&p->sent_bytes, total);
	atomic_store(&p->sent_recs, seq);
	atomic_store(&p->writer_done, 1);
	SC(sh, E_NONE, "stream writer", shutdown(p->wfd, SHUT_WR));
out:
	free(buf);
	return NULL;
}

#define RBUF	(2 * (REC_MAX + sizeof(struct rec_hdr)) + 65536)

static void *stream_reader(void *arg)
{
	struct spair *p = arg;
	struct stress_shared *sh = p->sh;
	unsigned char *buf = malloc(RBUF), *peek = malloc(65536);
	uint32_t seq = 0;
	size_t have = 0;
	long total = 0;
	struct rng r;

	if (!buf || !peek) {
		sfail(sh, "out of memory");
		goto out;
	}
	rng_init(&r, p->seed, 3000 + p->id);
	set_timeouts(p->rfd, 20 + rng_below(&r, 300), 1000);

	for (;;) {
		size_t room = RBUF - have, want;
		int mode = rng_below(&r, 5), flags = 0;
		long n;

		if (stress_stopped(sh))
			goto out;
		if (now_ms() > sh->deadline + GRACE_MS) {
			sfail(sh, "stream pair %d: no EOF %d ms after the deadline (%ld bytes, %u records read)",
			      p->id, GRACE_MS, total, seq);
			goto out;
		}
		want = 1 + rng_below(&r, room < 65536 ? room : 65536);
		if (mode == 1)
			flags = MSG_DONTWAIT;
		if (mode == 2 && want > 1)
			flags = MSG_WAITALL;

		if (mode == 3) {
			/* Peek, then read: the same bytes, as many. */
			n = SC(sh, E(EAGAIN, EINTR), "stream reader peek",
			       recv(p->rfd, peek, want, MSG_PEEK | MSG_DONTWAIT));
			if (n > 0) {
				long m = SC(sh, E_NONE, "stream reader after peek",
					    recv(p->rfd, buf + have, n, MSG_DONTWAIT));

				atomic_fetch_add_explicit(&sh->cnt[C_PEEKS], 1,
							  memory_order_relaxed);
				if (m != n || memcmp(peek, buf + have, n)) {
					sfail(sh, "stream pair %d: peeked %ld bytes, then read %ld%s",
					      p->id, n, m, m == n ? " different bytes" : "");
					goto out;
				}
			} else if (n < 0) {
				if (errno == EAGAIN)
					wait_fd(sh, p->rfd, POLLIN, 100, "stream reader poll");
				continue;
			}
		} else if (mode == 4) {
			n = SC(sh, E(EAGAIN, EINTR), "stream reader read",
			       read(p->rfd, buf + have, want));
		} else {
			n = SC(sh, E(EAGAIN, EINTR), "stream reader",
			       recv(p->rfd, buf + have, want, flags));
		}
		if (n < 0) {
			if (errno == EAGAIN && flags == MSG_DONTWAIT)
				wait_fd(sh, p->rfd, POLLIN, 100, "stream reader poll");
			else if (errno != EAGAIN && errno != EINTR)
				goto out;
			continue;
		}
		if (n == 0)
			break;
		if ((size_t)n > want) {
			sfail(sh, "stream pair %d: recv(%zu) returned %ld", p->id, want, n);
			goto out;
		}
		have += n;
		total += n;

		/* Take every complete record off the front. */
		for (;;) {
			struct rec_hdr h;
			long bad;

			if (have < sizeof(h))
				break;
			memcpy(&h, buf, sizeof(h));
			if (h.magic != (REC_MAGIC ^ p->id) || h.seq != seq ||
			    h.len > REC_MAX) {
				sfail(sh, "stream pair %d: at byte %ld want record %u, found magic %#x seq %u len %u (%s)",
				      p->id, total - (long)have, seq, h.magic, h.seq, h.len,
				      h.magic != (REC_MAGIC ^ p->id) ? "corrupt or misaligned" :
				      h.seq < seq ? "duplicated" : h.seq > seq ? "lost" : "bad length");
				goto out;
			}
			if (have < sizeof(h) + h.len)
				break;
			bad = pattern_check(buf + sizeof(h), h.len, rec_key(p->id, seq), 0);
			if (bad >= 0 || csum32(buf + sizeof(h), h.len, seq) != h.csum) {
				sfail(sh, "stream pair %d: record %u (len %u) corrupt at payload byte %ld",
				      p->id, seq, h.len, bad);
				goto out;
			}
			have -= sizeof(h) + h.len;
			memmove(buf, buf + sizeof(h) + h.len, have);
			atomic_fetch_add_explicit(&sh->msgs, 1, memory_order_relaxed);
			seq++;
		}
	}

	/* EOF: everything the writer reported sent, and no more. */
	if (!atomic_load(&p->writer_done))
		sfail(sh, "stream pair %d: EOF before the writer finished", p->id);
	else if (have || seq != atomic_load(&p->sent_recs) ||
		 total != atomic_load(&p->sent_bytes))
		sfail(sh, "stream pair %d: EOF after %ld bytes/%u records (+%zu partial), writer sent %ld bytes/%u records",
		      p->id, total, seq, have, atomic_load(&p->sent_bytes),
		      atomic_load(&p->sent_recs));
	else
		atomic_fetch_add(&sh->bytes, total);
	/* And EOF stays. */
	if (SC(sh, E_NONE, "stream reader after EOF",
	       recv(p->rfd, buf, 16, MSG_DONTWAIT)) != 0)
		sfail(sh, "stream pair %d: data or error after EOF", p->id);
out:
	free(buf);
	free(peek);
	return NULL;
}

struct remote_readers {
	struct stress_shared *sh;
	struct spair *pairs;
	struct chaos_proc_arg chaos;
};

/* The child process: the remote readers, plus a chaos pool of its own. */
static void stream_remote(void *arg)
{
	struct remote_readers *rr = arg;
	struct kicker kick = { 0 };
	pthread_t chaos;
	bool have_chaos;
	int i;

	for (i = 0; i < SPAIRS; i++) {
		struct spair *p = &rr->pairs[i];

		close(p->wfd);
		if (!p->remote)
			close(p->rfd);
	}
	have_chaos = !pthread_create(&chaos, NULL, chaos_local, &rr->chaos);
	for (i = 0; i < SPAIRS; i++) {
		struct spair *p = &rr->pairs[i];

		if (p->remote && pthread_create(&p->rth, NULL, stream_reader, p))
			sfail(rr->sh, "cannot start a reader");
	}
	kicker_start(&kick, rr->sh, rr->sh->seed ^ 77, 5);
	for (i = 0; i < SPAIRS; i++)
		if (rr->pairs[i].remote)
			kicker_add(&kick, rr->pairs[i].rth);
	kicker_stop(&kick);
	for (i = 0; i < SPAIRS; i++)
		if (rr->pairs[i].remote)
			pthread_join(rr->pairs[i].rth, NULL);
	if (have_chaos)
		pthread_join(chaos, NULL);
	for (i = 0; i < SPAIRS; i++)
		if (rr->pairs[i].remote)
			close(rr->pairs[i].rfd);
}

STRESS_TEST(stress, stream_integrity)
{
	struct chaos_proc_arg chaos = { 0 };
	struct remote_readers rr = { 0 };
	struct kicker kick = { 0 };
	struct stress st;
	struct spair *pairs;
	struct names *names;
	int i;

	stress_begin(&st, "stream_integrity");
	names = names_new(self->family, self->dir, "si");
	ASSERT_NE(NULL, names);
	pairs = mmap(NULL, sizeof(*pairs) * SPAIRS, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pairs);
	memset(pairs, 0, sizeof(*pairs) * SPAIRS);

	for (i = 0; i < SPAIRS; i++) {
		struct spair *p = &pairs[i];

		p->sh = st.sh;
		p->id = i;
		p->seed = st.seed;
		p->remote = i & 1;
		make_pair(SOCK_STREAM, i % 4, i, &p->wfd, &p->rfd);
		if (i == 2) {
			/* Small buffers: flow control all the time. */
			set_int_opt(p->wfd, SOL_SOCKET, SO_SNDBUF, 4096);
			set_int_opt(p->rfd, SOL_SOCKET, SO_RCVBUF, 4096);
		}
	}
	st.sh->deadline = now_ms() + st.seconds * 1000L;

	chaos.sh = st.sh;
	chaos.names = names;
	chaos.nthreads = 2;
	chaos.max_forks = 4;
	chaos.seed = st.seed ^ 0x11;
	rr.sh = st.sh;
	rr.pairs = pairs;
	rr.chaos = chaos;
	rr.chaos.seed = st.seed ^ 0x22;
	rr.chaos.nthreads = 1;
	stress_proc(&st, "remote readers", stream_remote, &rr);
	for (i = 0; i < SPAIRS; i++)
		if (pairs[i].remote)
			close(pairs[i].rfd);

	stress_thread(&st, chaos_local, &chaos);
	for (i = 0; i < SPAIRS; i++) {
		struct spair *p = &pairs[i];

		if (pthread_create(&p->wth, NULL, stream_writer, p))
			sfail(st.sh, "cannot start a writer");
		if (!p->remote && pthread_create(&p->rth, NULL, stream_reader, p))
			sfail(st.sh, "cannot start a reader");
	}
	kicker_start(&kick, st.sh, st.seed ^ 99, 5);
	for (i = 0; i < SPAIRS; i++) {
		kicker_add(&kick, pairs[i].wth);
		if (!pairs[i].remote)
			kicker_add(&kick, pairs[i].rth);
	}
	kicker_stop(&kick);
	for (i = 0; i < SPAIRS; i++) {
		pthread_join(pairs[i].wth, NULL);
		if (!pairs[i].remote)
			pthread_join(pairs[i].rth, NULL);
	}
	stress_wait(&st);
	for (i = 0; i < SPAIRS; i++) {
		close(pairs[i].wfd);
		if (!pairs[i].remote)
			close(pairs[i].rfd);
	}
	munmap(pairs, sizeof(*pairs) * SPAIRS);
	munmap(names, sizeof(*names));
	stress_end(&st);
}

TEST_HARNESS_MAIN
