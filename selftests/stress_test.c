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
 *                      close, connect/sendto blocked on a full queue vs its
 *                      owner's close or accept/recv: no lost wakeup, exact
 *                      terminal errnos, every byte reported sent before a
 *                      close is delivered;
 *   listener_churn     listeners closed (and rebound) with connections
 *                      pending while clients connect: every connection is
 *                      accepted or reset, never left hanging;
 *   peercred_races     SO_PEERCRED/SO_PEERGROUPS read while listen() and
 *                      connect() change them: always a consistent, exact
 *                      answer;
 *   fd_passing         sockets passed over sockets (SCM_RIGHTS), cycles
 *                      built and broken while others peek, receive,
 *                      connect, close and splice: every message's files
 *                      exact, every sock freed by the collector at the end.
 *
 * Everywhere: SIGUSR1 interrupts blocking calls at random (EINTR is allowed
 * where a call may block), every blocking call has a timeout, every test
 * runs in its own network namespace and checks at the end that its
 * processes were reaped, its fds closed and its socks freed (the socket
 * counts of /proc/net/protocols are back to zero, after waiting for the
 * garbage collector: a sock in flight outlives its last close).
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
	C_PEEKS, C_INQ, C_PEERCRED, C_CONNECTED,
	C_FDS_SENT, C_FDS_GOT, C_FDS_PEEKED, C_CYCLES, C_SPLICED,
};

/* ------------------------------------------------------------------------
 * Names shared by the workers of a test: fixed paths and abstract names,
 * plus a ring of recently autobound names.
 */
#define NFIXED		8
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
	set_timeouts(fd, 1 + rng_below(r, 10), 1 + rng_below(r, 10));
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

	switch (rng_below(r, child ? 6 : 18)) {
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
			if (SC(sh, E(EADDRINUSE, EINVAL), tn, sbind(fd, &name)) < 0)
				break;
		}
		/* Often listen at once, so that connections get made. */
		if (type_connected(type) && rng_one_in(r, 2))
			SC(sh, es_listen(type), tn, listen(fd, 1 + rng_below(r, 8)));
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
		if (SC(sh, es_connect(type), tn, sconnect(fd, &name)) == 0 &&
		    type_connected(type))
			atomic_fetch_add_explicit(&sh->cnt[C_CONNECTED], 1,
						  memory_order_relaxed);
		break;
	case 10:
	case 16:
	case 17:
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
	for (i = 0; i < 16 && !stress_stopped(sh); i++) {
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

/*
 * A new connection-type socket often becomes a listener on a fixed name
 * (taking the name over: the path is unlinked first) or a client of one,
 * so that connections are made and accepted all along.
 */
static void chaos_prepare(struct pool *p, struct rng *r, int fd, int type)
{
	struct stress_shared *sh = p->sh;
	const char *tn = type_name(type);
	struct sname name;

	if (!type_connected(type))
		return;
	switch (rng_below(r, 3)) {
	case 0:
		names_pick(p->names, r, &name);
		if (!sname_is_abstract(&name))
			unlink(name.sun.sun_path);
		if (SC(sh, E(EADDRINUSE), tn, sbind(fd, &name)) == 0)
			SC(sh, E_NONE, tn, listen(fd, 1 + rng_below(r, 8)));
		break;
	case 1:
		names_pick(p->names, r, &name);
		if (SC(sh, es_connect(type), tn, sconnect(fd, &name)) == 0)
			atomic_fetch_add_explicit(&sh->cnt[C_CONNECTED], 1,
						  memory_order_relaxed);
		break;
	}
}

/*
 * A connection made through a private listener (an abstract name no other
 * thread knows yet): connect() succeeded, so accept() must find it at once.
 * All three sockets go into the pool, the name into the shared ring.
 */
static void chaos_conn(struct pool *p, struct rng *r, int id)
{
	struct stress_shared *sh = p->sh;
	int type = rng_one_in(r, 2) ? SOCK_STREAM : SOCK_SEQPACKET;
	const char *tn = type_name(type);
	struct sname name;
	char tag[64];
	int l, c, a;

	snprintf(tag, sizeof(tag), "punix-stress-priv-%d-%d-%u", (int)getpid(),
		 id, (unsigned int)rng_next(r));
	sname_abstract(&name, p->family, tag);
	l = SC(sh, E_NONE, tn, socket(p->family, type | SOCK_CLOEXEC, 0));
	if (l < 0)
		return;
	c = SC(sh, E_NONE, tn, socket(p->family, type | SOCK_CLOEXEC, 0));
	if (c < 0) {
		close(l);
		return;
	}
	if (SC(sh, E_NONE, tn, sbind(l, &name)) < 0 ||
	    SC(sh, E_NONE, tn, listen(l, 1 + rng_below(r, 4))) < 0 ||
	    SC(sh, E_NONE, tn, sconnect(c, &name)) < 0) {
		close(l);
		close(c);
		return;
	}
	atomic_fetch_add_explicit(&sh->cnt[C_CONNECTED], 1, memory_order_relaxed);
	a = SC(sh, E_NONE, "accept of a connection just made",
	       accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
	if (a >= 0) {
		atomic_fetch_add_explicit(&sh->cnt[C_ACCEPTED], 1, memory_order_relaxed);
		chaos_setup_fd(a, r);
		pool_put(p, r, a, type, -1);
	}
	chaos_setup_fd(l, r);
	chaos_setup_fd(c, r);
	pool_put(p, r, l, type, -1);
	pool_put(p, r, c, type, -1);
	names_add(p->names, &name);
}

static void chaos_op(struct pool *p, struct rng *r, int id)
{
	struct stress_shared *sh = p->sh;
	int i = rng_below(r, POOL_SLOTS);
	struct slot *s = &p->slot[i];
	uint32_t op = rng_below(r, 100);
	int fd, type, sv[2];

	if (op < 7) {
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
				chaos_prepare(p, r, fd, type);
				s->type = type;
				atomic_store(&s->fd, fd);
			}
		}
		pthread_rwlock_unlock(&s->lock);
		return;
	}
	if (op < 9) {
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
	if (op < 10 && p->max_forks) {
		chaos_fork(p, r);
		return;
	}
	if (op < 12) {
		chaos_conn(p, r, id);
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
		chaos_op(a->pool, &r, a->id);
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

/* ------------------------------------------------------------------------
 * msg_boundaries
 *
 * Receivers (rx) and senders (tx):
 *   rx0 seqpacket socketpair     tx0, tx1 (two threads, one socket)
 *   rx1 seqpacket, path          tx2 (child)
 *   rx2 seqpacket, abstract      tx3 (child)
 *   rx3 dgram bound to a path    tx6 connected; tx4, tx5 (child), tx9 sendto
 *   rx4 dgram, abstract          tx7 (child) connected; tx4, tx5, tx9
 *   rx5 dgram, autobound         tx4, tx5, tx9
 *   rx6 dgram socketpair         tx8
 * tx4, tx5 send to a random dgram receiver each time; tx9 also connects to
 * one and disconnects (AF_UNSPEC) now and then.
 */
#define MSG_MAGIC	0x4d5347aau
#define MSG_MAXLEN	16384
#define NRX		7
#define NTX		10

struct msg_hdr {
	uint32_t magic;
	uint16_t sender;
	uint16_t chan;		/* receiver index */
	uint32_t seq;		/* per sender and receiver */
	uint32_t len;		/* whole message */
	uint32_t csum;		/* of the payload, seeded with seq */
};

#define MSG_MIN		sizeof(struct msg_hdr)

struct mrx {
	int fd;
	int type;
	struct sname name;
	pthread_t th;
};

struct mtx {
	int fd;
	int type;
	int target;		/* receiver, or -1: a random dgram one */
	bool connected;		/* send() to its peer */
	bool reconnect;		/* tx9 */
	bool remote;		/* runs in the child */
	bool owns_fd;		/* tx1 shares tx0's socket */
	pthread_t th;
};

struct mb {
	struct stress_shared *sh;
	uint64_t seed;
	struct mrx rx[NRX];
	struct mtx tx[NTX];
	atomic_uint sent[NTX][NRX];
	atomic_int tx_done;
	atomic_int done[NTX];
	struct chaos_proc_arg chaos;
};

struct mb_arg {
	struct mb *mb;
	int idx;
};

static uint64_t msg_key(int sender, int chan, uint32_t seq)
{
	return ((uint64_t)(sender + 1) << 48) ^ ((uint64_t)(chan + 1) << 40) ^
	       ((uint64_t)seq * 0x9e37ULL);
}

static const int dgram_rx[] = { 3, 4, 5 };

static void *msg_sender(void *arg)
{
	struct mb_arg *a = arg;
	struct mb *mb = a->mb;
	struct stress_shared *sh = mb->sh;
	struct mtx *t = &mb->tx[a->idx];
	unsigned char *buf = malloc(MSG_MAXLEN);
	uint32_t seq[NRX] = { 0 };
	int connected_to = t->connected ? t->target : -1;
	struct rng r;

	if (!buf) {
		sfail(sh, "out of memory");
		goto done;
	}
	rng_init(&r, mb->seed, 4000 + a->idx);
	if (t->owns_fd)
		set_timeouts(t->fd, 1000, 10 + rng_below(&r, 200));

	while (stress_running(sh)) {
		struct msg_hdr *h = (struct msg_hdr *)buf;
		int rx = t->target >= 0 ? t->target : dgram_rx[rng_below(&r, 3)];
		uint32_t len = MSG_MIN + (rng_one_in(&r, 8) ?
					  rng_below(&r, MSG_MAXLEN - MSG_MIN + 1) :
					  rng_below(&r, 512));

		if (t->reconnect && rng_one_in(&r, 16)) {
			if (rng_one_in(&r, 3)) {
				struct sockaddr unspec = { .sa_family = AF_UNSPEC };

				SC(sh, E_NONE, "dgram disconnect",
				   connect(t->fd, &unspec, sizeof(unspec)));
				connected_to = -1;
			} else {
				int to = dgram_rx[rng_below(&r, 3)];

				if (SC(sh, E_NONE, "dgram reconnect",
				       sconnect(t->fd, &mb->rx[to].name)) == 0)
					connected_to = to;
			}
		}
		if (connected_to >= 0)
			rx = connected_to;

		h->magic = MSG_MAGIC;
		h->sender = a->idx;
		h->chan = rx;
		h->seq = seq[rx];
		h->len = len;
		pattern_fill(buf + MSG_MIN, len - MSG_MIN, msg_key(a->idx, rx, seq[rx]), 0);
		h->csum = csum32(buf + MSG_MIN, len - MSG_MIN, seq[rx]);

		for (;;) {
			int flags = MSG_NOSIGNAL | (rng_one_in(&r, 2) ? MSG_DONTWAIT : 0);
			long n;

			if (stress_stopped(sh))
				goto done;
			if (now_ms() > sh->deadline + GRACE_MS) {
				sfail(sh, "msg sender %d: stuck sending to rx%d", a->idx, rx);
				goto done;
			}
			if (connected_to >= 0)
				n = SC(sh, E(EAGAIN, EINTR), type_name(t->type),
				       send(t->fd, buf, len, flags));
			else
				n = SC(sh, E(EAGAIN, EINTR), type_name(t->type),
				       ssendto(t->fd, buf, len, flags, &mb->rx[rx].name));
			if (n == (long)len)
				break;
			if (n >= 0) {
				sfail(sh, "msg sender %d: %s send of %u bytes returned %ld",
				      a->idx, type_name(t->type), len, n);
				goto done;
			}
			if (errno != EAGAIN && errno != EINTR)
				goto done;
			if (errno == EAGAIN && (flags & MSG_DONTWAIT)) {
				if (connected_to >= 0)
					wait_fd(sh, t->fd, POLLOUT, 50, "msg sender poll");
				else
					sleep_ms(1);
			}
		}
		seq[rx]++;
		atomic_store(&mb->sent[a->idx][rx], seq[rx]);
	}
done:
	free(buf);
	atomic_store(&mb->done[a->idx], 1);
	atomic_fetch_add(&mb->tx_done, 1);
	return NULL;
}

/* Check a received (possibly truncated) message; returns its sender or -1. */
static int msg_verify(struct mb *mb, int rxi, const unsigned char *buf,
		      long copied, long full, uint32_t *expect)
{
	struct stress_shared *sh = mb->sh;
	struct msg_hdr h;
	long bad;

	if (copied < (long)MSG_MIN) {
		sfail(sh, "rx%d: message of %ld bytes, shorter than a header", rxi, copied);
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != MSG_MAGIC || h.sender >= NTX || h.chan != rxi) {
		sfail(sh, "rx%d: corrupt header: magic %#x sender %u chan %u",
		      rxi, h.magic, h.sender, h.chan);
		return -1;
	}
	if (full >= 0 && h.len != full) {
		sfail(sh, "rx%d: message from tx%u seq %u is %u bytes, recv reported %ld (boundary lost)",
		      rxi, h.sender, h.seq, h.len, full);
		return -1;
	}
	if (h.seq != expect[h.sender]) {
		sfail(sh, "rx%d: from tx%u got seq %u, want %u (%s)", rxi, h.sender,
		      h.seq, expect[h.sender],
		      h.seq < expect[h.sender] ? "duplicated or reordered" : "lost");
		return -1;
	}
	bad = pattern_check(buf + MSG_MIN, copied - MSG_MIN,
			    msg_key(h.sender, rxi, h.seq), 0);
	if (bad >= 0 || (copied == (long)h.len &&
			 csum32(buf + MSG_MIN, h.len - MSG_MIN, h.seq) != h.csum)) {
		sfail(sh, "rx%d: message tx%u seq %u (len %u) corrupt at payload byte %ld",
		      rxi, h.sender, h.seq, h.len, bad);
		return -1;
	}
	expect[h.sender]++;
	atomic_fetch_add_explicit(&sh->msgs, 1, memory_order_relaxed);
	return h.sender;
}

/* A seqpacket receiver may see EOF only once all its senders are done. */
static bool msg_eof_ok(struct mb *mb, int rxi)
{
	int i;

	if (mb->rx[rxi].type != SOCK_SEQPACKET)
		return false;
	for (i = 0; i < NTX; i++)
		if (mb->tx[i].target == rxi && !atomic_load(&mb->done[i]))
			return false;
	return true;
}

static void *msg_receiver(void *arg)
{
	struct mb_arg *a = arg;
	struct mb *mb = a->mb;
	struct stress_shared *sh = mb->sh;
	struct mrx *x = &mb->rx[a->idx];
	unsigned char *buf = malloc(MSG_MAXLEN), *buf2 = malloc(MSG_MAXLEN);
	uint32_t expect[NTX] = { 0 };
	const char *tn = type_name(x->type);
	bool draining = false;
	struct rng r;
	int i;

	if (!buf || !buf2) {
		sfail(sh, "out of memory");
		goto out;
	}
	rng_init(&r, mb->seed, 5000 + a->idx);
	set_timeouts(x->fd, 10 + rng_below(&r, 100), 1000);

	for (;;) {
		int mode = rng_below(&r, 6), flags = 0, inq = -1;
		struct iovec iov;
		struct msghdr mh;
		long n, m;

		if (stress_stopped(sh))
			goto out;
		if (now_ms() > sh->deadline + GRACE_MS) {
			sfail(sh, "rx%d: not drained %d ms after the deadline", a->idx, GRACE_MS);
			goto out;
		}
		/* All senders done: what is queued now is all there is. */
		if (!draining && atomic_load(&mb->tx_done) == NTX)
			draining = true;
		if (draining || rng_one_in(&r, 2))
			flags = MSG_DONTWAIT;

		switch (mode) {
		case 0:	/* SIOCINQ first: the next datagram's size */
			if (SC(sh, E_NONE, tn, ioctl(x->fd, SIOCINQ, &inq)) < 0)
				goto out;
			atomic_fetch_add_explicit(&sh->cnt[C_INQ], 1, memory_order_relaxed);
			/* fall through */
		default:
			n = SC(sh, E(EAGAIN, EINTR), tn,
			       recv(x->fd, buf, MSG_MAXLEN, flags));
			if (n == 0 && msg_eof_ok(mb, a->idx))
				goto eof;
			if (n >= 0 && inq > 0 &&
			    (x->type == SOCK_DGRAM ? n != inq : n > inq)) {
				sfail(sh, "rx%d (%s): SIOCINQ said %d, the next message has %ld bytes",
				      a->idx, tn, inq, n);
				goto out;
			}
			if (n >= 0 && msg_verify(mb, a->idx, buf, n, n, expect) < 0)
				goto out;
			break;
		case 1:	/* MSG_PEEK, then the same message */
			n = SC(sh, E(EAGAIN, EINTR), tn,
			       recv(x->fd, buf, MSG_MAXLEN, flags | MSG_PEEK));
			if (n == 0 && msg_eof_ok(mb, a->idx))
				goto eof;
			if (n < 0)
				break;
			m = SC(sh, E_NONE, tn, recv(x->fd, buf2, MSG_MAXLEN, MSG_DONTWAIT));
			atomic_fetch_add_explicit(&sh->cnt[C_PEEKS], 1, memory_order_relaxed);
			if (m != n || memcmp(buf, buf2, n)) {
				sfail(sh, "rx%d (%s): peeked %ld bytes, then read %ld%s",
				      a->idx, tn, n, m, m == n ? " different bytes" : "");
				goto out;
			}
			if (msg_verify(mb, a->idx, buf, n, n, expect) < 0)
				goto out;
			break;
		case 2:	/* too small a buffer: truncated, MSG_TRUNC set, consumed */
		case 3:	/* MSG_TRUNC asked: the real length, a truncated copy */
			memset(&mh, 0, sizeof(mh));
			iov.iov_base = buf;
			iov.iov_len = MSG_MIN + rng_below(&r, 64);
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			if (mode == 3)
				flags |= MSG_TRUNC;
			n = SC(sh, E(EAGAIN, EINTR), tn, recvmsg(x->fd, &mh, flags));
			if (n == 0 && msg_eof_ok(mb, a->idx))
				goto eof;
			if (n < 0)
				break;
			{
				long copied = n < (long)iov.iov_len ? n : (long)iov.iov_len;
				struct msg_hdr h;

				memcpy(&h, buf, sizeof(h));
				if (mode == 2 && n != (long)(h.len < iov.iov_len ? h.len : iov.iov_len)) {
					sfail(sh, "rx%d (%s): recvmsg into %zu bytes returned %ld for a %u-byte message",
					      a->idx, tn, iov.iov_len, n, h.len);
					goto out;
				}
				if (!!(mh.msg_flags & MSG_TRUNC) != (h.len > iov.iov_len)) {
					sfail(sh, "rx%d (%s): %u-byte message into %zu bytes: msg_flags %#x",
					      a->idx, tn, h.len, iov.iov_len, mh.msg_flags);
					goto out;
				}
				if (h.len > iov.iov_len)
					atomic_fetch_add_explicit(&sh->cnt[C_TRUNC], 1,
								  memory_order_relaxed);
				if (msg_verify(mb, a->idx, buf, copied,
					       mode == 3 ? n : -1, expect) < 0)
					goto out;
			}
			break;
		}
		if (n < 0 && errno == EAGAIN && draining)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			goto out;
		if (n < 0 && errno == EAGAIN && (flags & MSG_DONTWAIT))
			wait_fd(sh, x->fd, POLLIN, 20, "receiver poll");
	}

	/*
	 * Drained (or, for seqpacket, EOF after the senders closed): every
	 * message every sender reported sent, nothing more.
	 */
eof:
	for (i = 0; i < NTX; i++) {
		uint32_t sent = atomic_load(&mb->sent[i][a->idx]);

		if (expect[i] != sent) {
			sfail(sh, "rx%d (%s): received %u messages from tx%d, it sent %u",
			      a->idx, tn, expect[i], i, sent);
			break;
		}
	}
out:
	free(buf);
	free(buf2);
	return NULL;
}

static struct mb_arg mb_args[NTX + NRX];

static void msg_remote(void *arg)
{
	struct mb *mb = arg;
	struct kicker kick = { 0 };
	pthread_t chaos;
	bool have_chaos;
	int i;

	for (i = 0; i < NRX; i++)
		close(mb->rx[i].fd);
	for (i = 0; i < NTX; i++)
		if (!mb->tx[i].remote && mb->tx[i].owns_fd)
			close(mb->tx[i].fd);
	have_chaos = !pthread_create(&chaos, NULL, chaos_local, &mb->chaos);
	for (i = 0; i < NTX; i++) {
		if (!mb->tx[i].remote)
			continue;
		mb_args[i].mb = mb;
		mb_args[i].idx = i;
		if (pthread_create(&mb->tx[i].th, NULL, msg_sender, &mb_args[i]))
			sfail(mb->sh, "cannot start a sender");
	}
	kicker_start(&kick, mb->sh, mb->seed ^ 55, 5);
	for (i = 0; i < NTX; i++)
		if (mb->tx[i].remote)
			kicker_add(&kick, mb->tx[i].th);
	kicker_stop(&kick);
	for (i = 0; i < NTX; i++)
		if (mb->tx[i].remote)
			pthread_join(mb->tx[i].th, NULL);
	if (have_chaos)
		pthread_join(chaos, NULL);
	for (i = 0; i < NTX; i++)
		if (mb->tx[i].remote)
			close(mb->tx[i].fd);
}

STRESS_TEST(stress, msg_boundaries)
{
	struct kicker kick = { 0 };
	struct stress st;
	struct names *names;
	struct mb *mb;
	char buf[128];
	int i, a, b;

	stress_begin(&st, "msg_boundaries");
	names = names_new(self->family, self->dir, "mb");
	ASSERT_NE(NULL, names);
	mb = mmap(NULL, sizeof(*mb), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mb);
	memset(mb, 0, sizeof(*mb));
	mb->sh = st.sh;
	mb->seed = st.seed;

	/* Seqpacket connections: rx0..rx2 with tx0..tx3. */
	for (i = 0; i < 3; i++) {
		make_pair(SOCK_SEQPACKET, i, 10 + i, &a, &b);
		mb->rx[i].fd = b;
		mb->rx[i].type = SOCK_SEQPACKET;
		mb->tx[i + (i > 0)].fd = a;
	}
	mb->tx[1].fd = mb->tx[0].fd;
	for (i = 0; i < 4; i++) {
		mb->tx[i].type = SOCK_SEQPACKET;
		mb->tx[i].target = i ? i - 1 : 0;
		mb->tx[i].connected = true;
		mb->tx[i].owns_fd = i != 1;
	}
	mb->tx[2].remote = mb->tx[3].remote = true;

	/* Bound dgram receivers rx3..rx5, and the dgram pair rx6/tx8. */
	for (i = 3; i < 6; i++) {
		mb->rx[i].type = SOCK_DGRAM;
		mb->rx[i].fd = socket(self->family, SOCK_DGRAM, 0);
		ASSERT_LE(0, mb->rx[i].fd);
		if (i == 3) {
			snprintf(buf, sizeof(buf), "%s/rx3", self->dir);
			sname_path(&mb->rx[i].name, self->family, buf);
			ASSERT_RET(0, sbind(mb->rx[i].fd, &mb->rx[i].name));
		} else if (i == 4) {
			sname_abstract(&mb->rx[i].name, self->family, "punix-stress-rx4");
			ASSERT_RET(0, sbind(mb->rx[i].fd, &mb->rx[i].name));
		} else {
			ASSERT_RET(0, sname_autobind(mb->rx[i].fd, self->family,
						     &mb->rx[i].name));
		}
	}
	make_pair(SOCK_DGRAM, 0, 16, &a, &b);
	mb->rx[6].fd = b;
	mb->rx[6].type = SOCK_DGRAM;

	for (i = 4; i < NTX; i++) {
		struct mtx *t = &mb->tx[i];

		t->type = SOCK_DGRAM;
		t->owns_fd = true;
		t->target = -1;
		if (i == 8) {
			t->fd = a;
			t->target = 6;
			t->connected = true;
			continue;
		}
		t->fd = socket(self->family, SOCK_DGRAM, 0);
		ASSERT_LE(0, t->fd);
		if (i == 6 || i == 7) {
			t->target = i - 3;
			t->connected = true;
			ASSERT_RET(0, sconnect(t->fd, &mb->rx[t->target].name));
		}
		if (i == 5 || i == 9)
			ASSERT_RET(0, sname_autobind(t->fd, self->family, NULL));
	}
	mb->tx[5].remote = mb->tx[7].remote = true;
	mb->tx[9].reconnect = true;

	st.sh->deadline = now_ms() + st.seconds * 1000L;
	mb->chaos.sh = st.sh;
	mb->chaos.names = names;
	mb->chaos.nthreads = 1;
	mb->chaos.max_forks = 2;
	mb->chaos.seed = st.seed ^ 0x33;

	stress_proc(&st, "remote senders", msg_remote, mb);
	for (i = 0; i < NTX; i++)
		if (mb->tx[i].remote)
			close(mb->tx[i].fd);
	mb->chaos.seed = st.seed ^ 0x44;
	stress_thread(&st, chaos_local, &mb->chaos);

	for (i = 0; i < NRX; i++) {
		mb_args[NTX + i].mb = mb;
		mb_args[NTX + i].idx = i;
		if (pthread_create(&mb->rx[i].th, NULL, msg_receiver, &mb_args[NTX + i]))
			sfail(st.sh, "cannot start a receiver");
	}
	for (i = 0; i < NTX; i++) {
		if (mb->tx[i].remote)
			continue;
		mb_args[i].mb = mb;
		mb_args[i].idx = i;
		if (pthread_create(&mb->tx[i].th, NULL, msg_sender, &mb_args[i]))
			sfail(st.sh, "cannot start a sender");
	}
	kicker_start(&kick, st.sh, st.seed ^ 66, 5);
	for (i = 0; i < NTX; i++)
		if (!mb->tx[i].remote)
			kicker_add(&kick, mb->tx[i].th);
	for (i = 0; i < NRX; i++)
		kicker_add(&kick, mb->rx[i].th);
	kicker_stop(&kick);
	for (i = 0; i < NTX; i++)
		if (!mb->tx[i].remote)
			pthread_join(mb->tx[i].th, NULL);
	for (i = 0; i < NRX; i++)
		pthread_join(mb->rx[i].th, NULL);
	stress_wait(&st);

	for (i = 0; i < NRX; i++)
		close(mb->rx[i].fd);
	for (i = 0; i < NTX; i++)
		if (!mb->tx[i].remote && mb->tx[i].owns_fd)
			close(mb->tx[i].fd);
	munmap(mb, sizeof(*mb));
	munmap(names, sizeof(*names));
	stress_end(&st);
}

/* ------------------------------------------------------------------------
 * errno_chaos: three processes of three threads and the test process with
 * two, each on a socket pool of its own but all on the same names, plus
 * children forked at random that use the sockets they inherit.
 */
STRESS_TEST(stress, errno_chaos)
{
	struct chaos_proc_arg procs[3], local;
	struct stress st;
	struct names *names;
	int i;

	stress_begin(&st, "errno_chaos");
	names = names_new(self->family, self->dir, "ec");
	ASSERT_NE(NULL, names);
	st.sh->deadline = now_ms() + st.seconds * 1000L;

	for (i = 0; i < 3; i++) {
		procs[i].sh = st.sh;
		procs[i].names = names;
		procs[i].nthreads = 3;
		procs[i].max_forks = 12;
		procs[i].seed = st.seed + 100 * (i + 1);
		stress_proc(&st, "chaos process", chaos_proc, &procs[i]);
	}
	local.sh = st.sh;
	local.names = names;
	local.nthreads = 2;
	local.max_forks = 4;
	local.seed = st.seed;
	chaos_proc(&local);
	stress_wait(&st);
	if (!atomic_load(&st.sh->failed) && atomic_load(&st.sh->cnt[C_ACCEPTED]) == 0)
		sfail(st.sh, "no connection was ever accepted: the chaos did not get far");
	TH_LOG("connected %ld, accepted %ld, forked %ld, SO_PEERCRED reads %ld",
	       atomic_load(&st.sh->cnt[C_CONNECTED]),
	       atomic_load(&st.sh->cnt[C_ACCEPTED]), atomic_load(&st.sh->cnt[C_FORKS]),
	       atomic_load(&st.sh->cnt[C_PEERCRED]));
	munmap(names, sizeof(*names));
	stress_end(&st);
}

/* ------------------------------------------------------------------------
 * close_races: two processes, each running small scenarios of two or
 * three threads until the deadline.  All fds of a scenario are made before
 * its threads start, so a closed fd number is never reused under them.
 */
struct race {
	struct stress_shared *sh;
	struct rng r;
	int type;
	int x, y;		/* a connected pair, or x -> y for dgram */
	int z;			/* a third socket, when needed */
	struct sname yname;
	int variant;
	int delay_us;
	atomic_int go;
	atomic_int closed;	/* the racing close()/shutdown() returned */
	long sent, rcvd;	/* bytes (stream) or messages */
	int k;			/* items sent before the race (S4) */
	const char *what;
};

static void race_start_wait(struct race *rc)
{
	while (!atomic_load(&rc->go))
		sched_yield();
}

static void race_delay(struct race *rc)
{
	struct timespec ts = { 0, rc->delay_us * 1000L };

	if (rc->delay_us)
		nanosleep(&ts, NULL);
}

/*
 * S1: send on x while y (its peer) is closed.  Sends succeed or fail with
 * EAGAIN until the race; the terminal errnos then follow a strict history:
 *   stream      EPIPE; one ECONNRESET (y had unread data) may show in a send
 *               racing the close; once close() returned, only EPIPE
 *               (SEND_SHUTDOWN is checked first)
 *   seqpacket   EPIPE, and at most one ECONNRESET, before or after EPIPE
 *               (the dead peer may be seen before the error is posted)
 *   dgram       exactly one ECONNREFUSED (the dead peer is dropped), then
 *               only ENOTCONN
 * No send succeeds after a terminal errno or after close() returned.
 */
static void *s1_sender(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	bool reset = false, refused = false;
	unsigned char buf[1024];
	char hist[64] = "";
	int i, nafter = 0, term = 0;

	memset(buf, 'x', sizeof(buf));
	race_start_wait(rc);
	for (i = 0; i < 100000 && !stress_stopped(sh); i++) {
		int c = atomic_load(&rc->closed);
		int flags = MSG_NOSIGNAL | (rng_one_in(&rc->r, 4) ? 0 : MSG_DONTWAIT);
		bool ok = false;
		long n;
		int e;

		errno = 0;
		n = send(rc->x, buf, 1 + rng_below(&rc->r, sizeof(buf)), flags);
		e = errno;
		atomic_fetch_add_explicit(&sh->ops, 1, memory_order_relaxed);
		if (n >= 0) {
			if (c || term) {
				sfail(sh, "%s: send succeeded after %s", rc->what,
				      c ? "the peer's close() returned" : errname(term));
				return NULL;
			}
			continue;
		}
		switch (rc->type) {
		case SOCK_STREAM:
			ok = e == EPIPE || (!c && e == EAGAIN) ||
			     (!c && e == ECONNRESET && !reset);
			break;
		case SOCK_SEQPACKET:
			ok = e == EPIPE || (e == ECONNRESET && !reset) ||
			     (!c && e == EAGAIN);
			break;
		default:
			ok = (e == ECONNREFUSED && !refused) ||
			     (e == ENOTCONN && refused) ||
			     (!c && !refused && e == EAGAIN);
			break;
		}
		if (!ok) {
			sfail(sh, "%s: send failed with %s %s the close returned; before: %s",
			      rc->what, errname(e), c ? "after" : "before",
			      hist[0] ? hist : "-");
			return NULL;
		}
		atomic_fetch_add_explicit(&sh->errs, 1, memory_order_relaxed);
		if (e != EAGAIN) {
			size_t l = strlen(hist);

			if (l < sizeof(hist) - 16)
				snprintf(hist + l, sizeof(hist) - l, "%s%s",
					 l ? " " : "", errname(e));
			term = e;
		}
		reset |= e == ECONNRESET;
		refused |= e == ECONNREFUSED;
		if (c && ++nafter == 3)
			return NULL;
		if (e == EAGAIN)
			sched_yield();
	}
	if (!nafter && !stress_stopped(sh))
		sfail(sh, "%s: the close never finished", rc->what);
	return NULL;
}

static void *closer(void *arg)
{
	struct race *rc = arg;

	race_start_wait(rc);
	race_delay(rc);
	SC(rc->sh, E_NONE, rc->what, close(rc->y));
	rc->y = -1;
	atomic_store(&rc->closed, 1);
	return NULL;
}

/* S2: send records on x while another thread closes x; y reads them all. */
static void *s2_sender(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	unsigned char buf[1024];
	long off = 0, msgs = 0;

	race_start_wait(rc);
	while (!stress_stopped(sh)) {
		int c = atomic_load(&rc->closed);
		size_t len = 1 + rng_below(&rc->r, sizeof(buf));
		long n;

		if (rc->type == SOCK_STREAM)
			pattern_fill(buf, len, 0x5252, off);
		else
			pattern_fill(buf, len, 0x5353 + msgs, 0);
		n = SC(sh, c ? E(EBADF) : E(EAGAIN, EBADF), rc->what,
		       send(rc->x, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL));
		if (n > 0) {
			if (rc->type == SOCK_STREAM) {
				off += n;
			} else if (n != (long)len) {
				sfail(sh, "%s: message send of %zu returned %ld", rc->what, len, n);
				break;
			} else {
				msgs++;
			}
			continue;
		}
		if (n < 0 && errno == EBADF)
			break;
		if (n == 0) {
			sfail(sh, "%s: send returned 0", rc->what);
			break;
		}
		sched_yield();
	}
	rc->sent = rc->type == SOCK_STREAM ? off : msgs;
	return NULL;
}

static void *s2_closer(void *arg)
{
	struct race *rc = arg;

	race_start_wait(rc);
	race_delay(rc);
	SC(rc->sh, E_NONE, rc->what, close(rc->x));
	atomic_store(&rc->closed, 1);
	return NULL;
}

/*
 * Read y until EOF (stream, seqpacket) or, for dgram (no EOF), until the
 * close happened and the queue is empty; rc->rcvd counts across calls.
 */
static void *s2_reader(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	bool dgram = rc->type == SOCK_DGRAM;
	unsigned char buf[1024];
	long t0 = 0;

	race_start_wait(rc);
	for (;;) {
		bool closed = atomic_load(&rc->closed);
		long n, bad;

		if (stress_stopped(sh))
			return NULL;
		n = SC(sh, E(EAGAIN), rc->what,
		       recv(rc->y, buf, sizeof(buf), dgram ? MSG_DONTWAIT : 0));
		if (n < 0) {
			if (dgram && closed)
				break;
			if (dgram)
				wait_fd(sh, rc->y, POLLIN, 10, rc->what);
			if (!t0)
				t0 = now_ms();
			else if (now_ms() - t0 > 15000) {
				sfail(sh, "%s: reader saw no EOF 15 s after the close", rc->what);
				return NULL;
			}
			continue;
		}
		if (n == 0) {
			if (dgram) {
				sfail(sh, "%s: empty datagram", rc->what);
				return NULL;
			}
			break;
		}
		if (rc->type == SOCK_STREAM)
			bad = pattern_check(buf, n, 0x5252, rc->rcvd);
		else
			bad = pattern_check(buf, n, 0x5353 + rc->rcvd, 0);
		if (bad >= 0) {
			sfail(sh, "%s: received data corrupt (item %ld, byte %ld)",
			      rc->what, rc->rcvd, bad);
			return NULL;
		}
		rc->rcvd += rc->type == SOCK_STREAM ? n : 1;
	}
	return NULL;
}

/* S3: poll x while y is closed or shut down, or (dgram) drained. */
static void *s3_poller(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	struct pollfd pfd = { .fd = rc->x };
	short want;
	long n;

	if (rc->type == SOCK_DGRAM) {
		pfd.events = POLLOUT;
		want = POLLOUT;
	} else {
		pfd.events = POLLIN | POLLRDHUP;
		want = POLLIN | POLLRDHUP | (rc->variant == 1 ? 0 : POLLHUP);
	}
	race_start_wait(rc);
	n = SC(sh, E_NONE, rc->what, poll(&pfd, 1, 15000));
	if (n == 0)
		sfail(sh, "%s: poll timed out: wakeup lost", rc->what);
	else if (n == 1) {
		/* Woken: wait for the racing call to return, then poll again. */
		while (!atomic_load(&rc->closed))
			sched_yield();
		n = SC(sh, E_NONE, rc->what, poll(&pfd, 1, 0));
		if (n != 1 || pfd.revents != want)
			sfail(sh, "%s: poll revents %#x after the race, want %#x",
			      rc->what, n == 1 ? pfd.revents : 0, want);
	}
	return NULL;
}

static void *s3_actor(void *arg)
{
	struct race *rc = arg;
	unsigned char buf[64];

	race_start_wait(rc);
	race_delay(rc);
	if (rc->type == SOCK_DGRAM) {
		if (rc->variant == 0) {
			SC(rc->sh, E_NONE, rc->what, close(rc->y));
			rc->y = -1;
		} else {
			SC(rc->sh, E_NONE, rc->what,
			   recv(rc->y, buf, sizeof(buf), MSG_DONTWAIT));
		}
	} else if (rc->variant == 0) {
		SC(rc->sh, E_NONE, rc->what, close(rc->y));
		rc->y = -1;
	} else {
		SC(rc->sh, E_NONE, rc->what,
		   shutdown(rc->y, rc->variant == 1 ? SHUT_WR : SHUT_RDWR));
	}
	atomic_store(&rc->closed, 1);
	return NULL;
}

/* S4: a blocked recv on x while x is shut (SHUT_RD) or y goes away. */
static void *s4_receiver(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	unsigned char buf[256];
	long got = 0, n;
	int eofs = 0;

	race_start_wait(rc);
	while (eofs < 2 && !stress_stopped(sh)) {
		n = SC(sh, E_NONE, rc->what, recv(rc->x, buf, sizeof(buf), 0));
		if (n < 0) {
			if (errno == EAGAIN)
				sfail(sh, "%s: recv timed out after %ld of %d items: wakeup lost",
				      rc->what, got, rc->k);
			return NULL;
		}
		if (n == 0) {
			eofs++;
			continue;
		}
		if (eofs) {
			sfail(sh, "%s: data after EOF", rc->what);
			return NULL;
		}
		if (rc->type == SOCK_STREAM) {
			if (pattern_check(buf, n, 0x5454, got) >= 0) {
				sfail(sh, "%s: corrupt data", rc->what);
				return NULL;
			}
			got += n;
		} else {
			if (n != 100 || pattern_check(buf, n, 0x5455 + got, 0) >= 0) {
				sfail(sh, "%s: message %ld: %ld bytes or corrupt", rc->what, got, n);
				return NULL;
			}
			got++;
		}
	}
	if (!stress_stopped(sh) &&
	    got != (rc->type == SOCK_STREAM ? rc->k * 100L : rc->k))
		sfail(sh, "%s: received %ld, sent %d items", rc->what, got, rc->k);
	return NULL;
}

static void *s4_actor(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	unsigned char buf[100];
	int i;

	race_start_wait(rc);
	for (i = 0; i < rc->k; i++) {
		if (rc->type == SOCK_STREAM)
			pattern_fill(buf, 100, 0x5454, i * 100L);
		else
			pattern_fill(buf, 100, 0x5455 + i, 0);
		if (SC(sh, E_NONE, rc->what, send(rc->y, buf, 100, MSG_NOSIGNAL)) != 100) {
			sfail(sh, "%s: short send", rc->what);
			break;
		}
	}
	race_delay(rc);
	switch (rc->variant) {
	case 0:
		SC(sh, E_NONE, rc->what, shutdown(rc->x, SHUT_RD));
		break;
	case 1:
		SC(sh, E_NONE, rc->what, shutdown(rc->y, SHUT_WR));
		break;
	case 2:
		SC(sh, E_NONE, rc->what, shutdown(rc->y, SHUT_RDWR));
		break;
	default:
		SC(sh, E_NONE, rc->what, close(rc->y));
		rc->y = -1;
		break;
	}
	atomic_store(&rc->closed, 1);
	return NULL;
}

/* S5: sendto a bound dgram socket while it is closed. */
static void *s5_sender(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	unsigned char buf[200];
	int i;

	memset(buf, 'd', sizeof(buf));
	race_start_wait(rc);
	for (i = 0; i < 100000 && !stress_stopped(sh); i++) {
		int c = atomic_load(&rc->closed);
		long n;

		n = SC(sh, c ? E(ECONNREFUSED) : E(EAGAIN, ECONNREFUSED), rc->what,
		       ssendto(rc->x, buf, sizeof(buf), MSG_DONTWAIT, &rc->yname));
		if (n >= 0 && c) {
			sfail(sh, "%s: sendto succeeded after the receiver's close() returned",
			      rc->what);
			return NULL;
		}
		if (c)
			return NULL;
		if (n < 0)
			sched_yield();
	}
	return NULL;
}

/* S6: connect to a listener while it is closed; then every connection is reset. */
static void *s6_connector(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	int fds[16], n = 0, i;

	race_start_wait(rc);
	while (n < 16 && !stress_stopped(sh)) {
		int c = atomic_load(&rc->closed);
		int fd = SC(sh, E_NONE, rc->what, socket(sh->family, rc->type | SOCK_NONBLOCK, 0));
		long r;

		if (fd < 0)
			break;
		r = SC(sh, c ? E(ECONNREFUSED) : E(EAGAIN, ECONNREFUSED), rc->what,
		       sconnect(fd, &rc->yname));
		if (r == 0) {
			if (c) {
				sfail(sh, "%s: connect succeeded after the listener's close() returned",
				      rc->what);
				close(fd);
				break;
			}
			fds[n++] = fd;
			continue;
		}
		close(fd);
		if (c)
			break;
		if (errno == EAGAIN)
			sched_yield();
	}
	while (!atomic_load(&rc->closed))
		sched_yield();
	/* Never accepted, so reset: ECONNRESET once, then EOF, and EPIPE. */
	for (i = 0; i < n; i++) {
		char b;

		if (SC(sh, E(ECONNRESET), rc->what, recv(fds[i], &b, 1, 0)) != -1 ||
		    SC(sh, E_NONE, rc->what, recv(fds[i], &b, 1, 0)) != 0 ||
		    SC(sh, E(EPIPE), rc->what, send(fds[i], "x", 1, MSG_NOSIGNAL)) != -1)
			sfail(sh, "%s: connection %d of %d to a closed listener not reset",
			      rc->what, i, n);
		close(fds[i]);
	}
	rc->sent = n;
	return NULL;
}

/*
 * S7: connect() blocked on a listener's full backlog, or sendto() blocked
 * on a full datagram receiver, while the owner closes it (variant 0:
 * ECONNREFUSED) or makes room (variant 1: accept/recv one; it goes
 * through).  A timeout means the sleeper was never woken.
 */
static void *s7_blocked(void *arg)
{
	struct race *rc = arg;
	struct stress_shared *sh = rc->sh;
	unsigned char buf[64];
	long n, t0;
	int e;

	memset(buf, 'b', sizeof(buf));
	race_start_wait(rc);
	t0 = now_ms();
	errno = 0;
	if (rc->type == SOCK_DGRAM)
		n = ssendto(rc->x, buf, sizeof(buf), MSG_NOSIGNAL, &rc->yname);
	else
		n = sconnect(rc->z, &rc->yname);
	e = errno;
	t0 = now_ms() - t0;
	atomic_fetch_add_explicit(&sh->ops, 1, memory_order_relaxed);
	/*
	 * The owner acts within 2 ms; the timeout is 15 s.  A call that
	 * sleeps it out (and then finds the name gone, or room) was never
	 * woken: a wakeup that is seconds late is just as lost.
	 */
	if ((n < 0 && e == EAGAIN) || t0 > 14000)
		sfail(sh, "%s: blocked call not woken: returned %ld (%s) after %ld ms",
		      rc->what, n, n < 0 ? errname(e) : "success", t0);
	else if (rc->variant == 0 && !(n == -1 && e == ECONNREFUSED))
		sfail(sh, "%s: returned %ld (%s) when the owner closed, want ECONNREFUSED",
		      rc->what, n, n < 0 ? errname(e) : "success");
	else if (rc->variant == 1 && n < 0)
		sfail(sh, "%s: failed with %s when room was made", rc->what, errname(e));
	return NULL;
}

static void *s7_actor(void *arg)
{
	struct race *rc = arg;
	unsigned char buf[64];
	int a;

	race_start_wait(rc);
	race_delay(rc);
	if (rc->variant == 0) {
		SC(rc->sh, E_NONE, rc->what, close(rc->y));
		rc->y = -1;
	} else if (rc->type == SOCK_DGRAM) {
		SC(rc->sh, E_NONE, rc->what, recv(rc->y, buf, sizeof(buf), MSG_DONTWAIT));
	} else {
		a = SC(rc->sh, E_NONE, rc->what, accept4(rc->y, NULL, NULL, SOCK_NONBLOCK));
		if (a >= 0)
			close(a);
	}
	atomic_store(&rc->closed, 1);
	return NULL;
}

static const char *const race_names[] = {
	"close peer vs send", "close vs send, then read all",
	"poll vs close of peer", "shutdown vs blocked recv",
	"sendto vs receiver close", "connect vs listener close",
	"blocked on a full queue",
};

static void race_once(struct stress_shared *sh, struct rng *r, int wid,
		      unsigned int iter)
{
	void *(*fn[3])(void *) = { NULL, NULL, NULL };
	struct race rc;
	char what[96], path[96];
	pthread_t th[3];
	int scen = rng_below(r, 7), i, nth = 0, sv[2], nfill = 0, fill[8];
	unsigned char buf[64];

	memset(&rc, 0, sizeof(rc));
	rc.sh = sh;
	rng_init(&rc.r, rng_next(r), iter);
	rc.x = rc.y = rc.z = -1;
	rc.type = stress_types[rng_below(r, 3)];
	rc.delay_us = rng_one_in(r, 3) ? 0 : rng_below(r, 2000);
	if ((scen == 5) && rc.type == SOCK_DGRAM)
		rc.type = SOCK_STREAM;
	if (scen == 4)
		rc.type = SOCK_DGRAM;
	if (scen == 6)
		rc.variant = rng_below(r, 2);
	snprintf(what, sizeof(what), "%s (%s)", race_names[scen], type_name(rc.type));
	rc.what = what;

	if (scen >= 4 || (scen == 2 && rc.type == SOCK_DGRAM)) {
		/* A bound y: a path or an abstract name. */
		rc.y = SC(sh, E_NONE, what, socket(sh->family, rc.type, 0));
		if (rc.y < 0)
			return;
		if (rng_one_in(r, 2)) {
			snprintf(path, sizeof(path), "%s/r%d-%u", sh->dir, wid, iter);
			sname_path(&rc.yname, sh->family, path);
		} else {
			char tag[64];

			snprintf(tag, sizeof(tag), "punix-stress-r%d-%u", wid, iter);
			sname_abstract(&rc.yname, sh->family, tag);
			path[0] = '\0';
		}
		if (SC(sh, E_NONE, what, sbind(rc.y, &rc.yname)) < 0)
			goto out;
		if (type_connected(rc.type) &&
		    SC(sh, E_NONE, what, listen(rc.y, scen == 6 ? 0 : 4)) < 0)
			goto out;
		if (rc.type == SOCK_DGRAM) {
			rc.x = SC(sh, E_NONE, what, socket(sh->family, SOCK_DGRAM, 0));
			if (rc.x < 0)
				goto out;
		}
	} else {
		path[0] = '\0';
		if (SC(sh, E_NONE, what, socketpair(sh->family, rc.type, 0, sv)) < 0)
			return;
		rc.x = sv[0];
		rc.y = sv[1];
	}
	set_timeouts(rc.x >= 0 ? rc.x : rc.y, 15000, 50);
	if (rc.y >= 0)
		set_timeouts(rc.y, 15000, 50);

	switch (scen) {
	case 0:
		fn[0] = s1_sender;
		fn[1] = closer;
		break;
	case 1:
		fn[0] = s2_sender;
		fn[1] = s2_closer;
		fn[2] = s2_reader;
		break;
	case 2:
		rc.variant = rng_below(r, rc.type == SOCK_DGRAM ? 2 : 3);
		if (rc.type == SOCK_DGRAM) {
			long n;

			/* x connected to y, y's queue full: x not writable. */
			if (SC(sh, E_NONE, what, sconnect(rc.x, &rc.yname)) < 0)
				goto out;
			do {
				n = SC(sh, E(EAGAIN), what,
				       send(rc.x, buf, sizeof(buf), MSG_DONTWAIT));
			} while (n > 0);
		}
		fn[0] = s3_poller;
		fn[1] = s3_actor;
		break;
	case 3:
		rc.variant = rng_below(r, rc.type == SOCK_DGRAM ? 1 : 4);
		rc.k = rng_below(r, 4);
		fn[0] = s4_receiver;
		fn[1] = s4_actor;
		break;
	case 4:
		fn[0] = s5_sender;
		fn[1] = closer;
		break;
	case 5:
		fn[0] = s6_connector;
		fn[1] = closer;
		break;
	case 6:
		/* Fill the queue, then block on it. */
		if (rc.type == SOCK_DGRAM) {
			while (SC(sh, E(EAGAIN), what,
				  ssendto(rc.x, buf, sizeof(buf), MSG_DONTWAIT, &rc.yname)) > 0)
				;
			set_timeouts(rc.x, 15000, 15000);
		} else {
			while (nfill < 8) {
				int fd = SC(sh, E_NONE, what,
					    socket(sh->family, rc.type | SOCK_NONBLOCK, 0));

				if (fd < 0)
					goto out;
				if (SC(sh, E(EAGAIN), what, sconnect(fd, &rc.yname)) < 0) {
					close(fd);
					break;
				}
				fill[nfill++] = fd;
			}
			rc.z = SC(sh, E_NONE, what, socket(sh->family, rc.type, 0));
			if (rc.z < 0)
				goto out;
			set_timeouts(rc.z, 15000, 15000);
		}
		fn[0] = s7_blocked;
		fn[1] = s7_actor;
		break;
	}
	for (i = 0; i < 3 && fn[i]; i++) {
		if (pthread_create(&th[i], NULL, fn[i], &rc)) {
			sfail(sh, "%s: cannot start a thread", what);
			break;
		}
		nth++;
	}
	atomic_store(&rc.go, 1);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	atomic_fetch_add_explicit(&sh->cnt[C_SCENARIOS], 1, memory_order_relaxed);

	if (scen == 1 && !stress_stopped(sh)) {
		/* What the dgram reader left: the sender is done now. */
		if (rc.type == SOCK_DGRAM)
			s2_reader(&rc);
		if (rc.rcvd != rc.sent)
			sfail(sh, "%s: %ld %s reported sent, %ld received", what,
			      rc.sent, rc.type == SOCK_STREAM ? "bytes" : "messages", rc.rcvd);
		atomic_fetch_add_explicit(rc.type == SOCK_STREAM ? &sh->bytes : &sh->msgs,
					  rc.rcvd, memory_order_relaxed);
		rc.x = -1;
	}
out:
	if (rc.x >= 0)
		close(rc.x);
	if (rc.y >= 0)
		close(rc.y);
	if (rc.z >= 0)
		close(rc.z);
	while (nfill)
		close(fill[--nfill]);
	if (path[0])
		unlink(path);
}

struct race_proc_arg {
	struct stress_shared *sh;
	int id;
};

static void race_proc(void *arg)
{
	struct race_proc_arg *a = arg;
	unsigned int iter = 0;
	struct rng r;

	rng_init(&r, a->sh->seed, 6000 + a->id);
	while (stress_running(a->sh))
		race_once(a->sh, &r, a->id, iter++);
}

STRESS_TEST(stress, close_races)
{
	struct race_proc_arg args[3];
	struct stress st;
	int i;

	stress_begin(&st, "close_races");
	st.sh->deadline = now_ms() + st.seconds * 1000L;
	for (i = 0; i < 2; i++) {
		args[i].sh = st.sh;
		args[i].id = i;
		stress_proc(&st, "race process", race_proc, &args[i]);
	}
	args[2].sh = st.sh;
	args[2].id = 2;
	race_proc(&args[2]);
	stress_wait(&st);
	TH_LOG("scenarios run: %ld", atomic_load(&st.sh->cnt[C_SCENARIOS]));
	stress_end(&st);
}

/* ------------------------------------------------------------------------
 * A name published by one thread or process for others, seqlock style.
 */
struct published {
	atomic_uint gen;	/* odd while being written */
	struct sname name;
	int type;		/* -1: nothing published */
};

static void publish(struct published *p, const struct sname *n, int type)
{
	atomic_fetch_add(&p->gen, 1);
	atomic_thread_fence(memory_order_seq_cst);
	memcpy((void *)&p->name, n, sizeof(*n));
	*(volatile int *)&p->type = type;
	atomic_thread_fence(memory_order_seq_cst);
	atomic_fetch_add(&p->gen, 1);
}

static int published_read(struct published *p, struct sname *n)
{
	for (;;) {
		unsigned int g1 = atomic_load(&p->gen), g2;
		int type;

		if (g1 & 1) {
			sched_yield();
			continue;
		}
		memcpy(n, (const void *)&p->name, sizeof(*n));
		type = *(volatile int *)&p->type;
		atomic_thread_fence(memory_order_seq_cst);
		g2 = atomic_load(&p->gen);
		if (g1 == g2)
			return type;
	}
}

/* ------------------------------------------------------------------------
 * listener_churn: a server process makes listeners (stream or seqpacket;
 * path, abstract or autobound), accepts for a few milliseconds, sometimes
 * shuts the listener (SHUT_RD) first, and closes it with connections still
 * queued.  Clients in two processes connect all along: each connection is
 * accepted ("ack" arrives) or reset (ECONNRESET), never left hanging.
 */
struct lc {
	struct stress_shared *sh;
	struct published pub;
};

struct lc_client_arg {
	struct lc *lc;
	int id;
};

static void lc_serve(struct stress_shared *sh, int *acc, int nacc)
{
	char buf[64];
	int i;

	for (i = 0; i < nacc; i++) {
		long n;

		set_timeouts(acc[i], 15000, 1000);
		n = SC(sh, E_NONE, "server recv hello", recv(acc[i], buf, sizeof(buf), 0));
		if (n >= 0 && (n < 2 || buf[0] != 'H'))
			sfail(sh, "server: accepted connection said %ld bytes \"%.*s\", not hello",
			      n, (int)(n > 0 ? n : 0), buf);
		close(acc[i]);
	}
}

static void lc_server(void *arg)
{
	struct lc *lc = arg;
	struct stress_shared *sh = lc->sh;
	unsigned int epoch = 0;
	struct sname name;
	char path[96], tag[64];
	int acc[64], nacc = 0;
	struct rng r;

	rng_init(&r, sh->seed, 7000);
	snprintf(path, sizeof(path), "%s/L", sh->dir);
	while (stress_running(sh)) {
		int type = rng_one_in(&r, 2) ? SOCK_STREAM : SOCK_SEQPACKET;
		int kind = rng_below(&r, 3), l, a;
		bool shut = rng_one_in(&r, 4);
		long end;

		l = SC(sh, E_NONE, "server socket",
		       socket(sh->family, type | SOCK_NONBLOCK, 0));
		if (l < 0)
			break;
		if (kind == 0) {
			unlink(path);
			sname_path(&name, sh->family, path);
			SC(sh, E_NONE, "server bind path", sbind(l, &name));
		} else if (kind == 1) {
			snprintf(tag, sizeof(tag), "punix-stress-L%u", epoch % 4);
			sname_abstract(&name, sh->family, tag);
			SC(sh, E_NONE, "server bind abstract", sbind(l, &name));
		} else {
			SC(sh, E_NONE, "server autobind", sname_autobind(l, sh->family, &name));
		}
		SC(sh, E_NONE, "server listen", listen(l, 1 + rng_below(&r, 8)));
		publish(&lc->pub, &name, type);

		end = now_ms() + 5 + rng_below(&r, 60);
		while (now_ms() < end && !stress_stopped(sh)) {
			wait_fd(sh, l, POLLIN, 5, "server poll");
			a = SC(sh, E(EAGAIN), "server accept", accept4(l, NULL, NULL, 0));
			if (a < 0)
				continue;
			atomic_fetch_add(&sh->cnt[C_ACCEPTED], 1);
			SC(sh, E_NONE, "server send ack", send(a, "ack", 3, MSG_NOSIGNAL));
			acc[nacc++] = a;
			if (nacc == 64) {
				lc_serve(sh, acc, nacc);
				nacc = 0;
			}
		}
		if (shut) {
			int i;

			/* No new connections; queued ones can still be taken. */
			SC(sh, E_NONE, "server shutdown", shutdown(l, SHUT_RD));
			for (i = 0; i < 4 && nacc < 64; i++) {
				a = SC(sh, E(EAGAIN, EINVAL), "server accept after SHUT_RD",
				       accept4(l, NULL, NULL, 0));
				if (a < 0)
					break;
				atomic_fetch_add(&sh->cnt[C_ACCEPTED], 1);
				SC(sh, E_NONE, "server send ack", send(a, "ack", 3, MSG_NOSIGNAL));
				acc[nacc++] = a;
			}
		}
		/* Connections still queued are reset now. */
		SC(sh, E_NONE, "server close listener", close(l));
		lc_serve(sh, acc, nacc);
		nacc = 0;
		epoch++;
	}
	name.len = 0;
	publish(&lc->pub, &name, -1);
	unlink(path);
}

/* The pending error of @fd (SO_ERROR), -1 if it cannot be read. */
static int sock_err(int fd)
{
	socklen_t len = sizeof(int);
	int v;

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) ? -1 : v;
}

static void *lc_client(void *arg)
{
	struct lc_client_arg *a = arg;
	struct lc *lc = a->lc;
	struct stress_shared *sh = lc->sh;
	unsigned int n = 0;
	struct rng r;

	rng_init(&r, sh->seed, 7100 + a->id + 100 * getpid());
	while (stress_running(sh)) {
		struct sname name;
		int type = published_read(&lc->pub, &name);
		bool nb = rng_one_in(&r, 2), send_reset = false;
		char hello[32], buf[16];
		long t0, k;
		int c;

		if (type < 0) {
			sleep_ms(1);
			continue;
		}
		c = SC(sh, E_NONE, "client socket",
		       socket(sh->family, type | (nb ? SOCK_NONBLOCK : 0), 0));
		if (c < 0)
			break;
		set_timeouts(c, 15000, 1 + rng_below(&r, 100));
		if (SC(sh, E(ECONNREFUSED, ENOENT, EAGAIN, EPROTOTYPE, EINTR),
		       type_name(type), sconnect(c, &name)) < 0) {
			atomic_fetch_add_explicit(&sh->cnt[C_REFUSED], 1, memory_order_relaxed);
			close(c);
			continue;
		}
		k = snprintf(hello, sizeof(hello), "H%d.%d.%u", (int)getpid(), a->id, n++);
		if (SC(sh, E(EPIPE, ECONNRESET), "client send hello",
		       send(c, hello, k, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0)
			send_reset = errno == ECONNRESET;
		if (nb)
			fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
		t0 = now_ms();
		for (;;) {
			k = SC(sh, E(ECONNRESET, EINTR, EAGAIN), "client wait for ack",
			       recv(c, buf, sizeof(buf), 0));
			if (k < 0 && errno == EINTR && now_ms() - t0 < 20000)
				continue;
			if (k < 0 && errno == ECONNRESET) {
				atomic_fetch_add_explicit(&sh->cnt[C_RESET], 1, memory_order_relaxed);
				if (SC(sh, E_NONE, "client recv after reset",
				       recv(c, buf, sizeof(buf), MSG_DONTWAIT)) != 0)
					sfail(sh, "client: no EOF after ECONNRESET");
			} else if (k < 0) {
				sfail(sh, "client (%s): connected, then neither accepted nor reset for %ld ms (%s)",
				      type_name(type), now_ms() - t0, errname(errno));
			} else if (k == 0) {
				/*
				 * A reset sets shutdown, then the error, under
				 * our state lock; a reader that holds no lock
				 * (both families' datagram wait) can see the
				 * shutdown and miss the error: it is still
				 * pending then.
				 */
				if (send_reset || sock_err(c) == ECONNRESET)
					atomic_fetch_add_explicit(&sh->cnt[C_RESET], 1,
								  memory_order_relaxed);
				else
					sfail(sh, "client (%s): EOF without ack or reset",
					      type_name(type));
			} else if (k != 3 || memcmp(buf, "ack", 3)) {
				sfail(sh, "client: got %ld bytes \"%.*s\" instead of ack", k,
				      (int)k, buf);
			}
			break;
		}
		close(c);
	}
	return NULL;
}

static void lc_clients(struct lc *lc, int n, int base)
{
	struct lc_client_arg args[4];
	struct kicker kick = { 0 };
	pthread_t th[4];
	int i, started = 0;

	for (i = 0; i < n && i < 4; i++) {
		args[i].lc = lc;
		args[i].id = base + i;
		if (pthread_create(&th[i], NULL, lc_client, &args[i])) {
			sfail(lc->sh, "cannot start a client");
			break;
		}
		started++;
	}
	kicker_start(&kick, lc->sh, lc->sh->seed ^ base, 10);
	for (i = 0; i < started; i++)
		kicker_add(&kick, th[i]);
	kicker_stop(&kick);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

static void lc_client_proc(void *arg)
{
	lc_clients(arg, 3, 10);
}

STRESS_TEST(stress, listener_churn)
{
	struct stress st;
	struct lc *lc;
	struct sname none = { .len = 0 };

	stress_begin(&st, "listener_churn");
	lc = mmap(NULL, sizeof(*lc), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, lc);
	memset(lc, 0, sizeof(*lc));
	lc->sh = st.sh;
	publish(&lc->pub, &none, -1);
	st.sh->deadline = now_ms() + st.seconds * 1000L;

	stress_proc(&st, "listener server", lc_server, lc);
	stress_proc(&st, "clients", lc_client_proc, lc);
	lc_clients(lc, 3, 0);
	stress_wait(&st);
	TH_LOG("accepted %ld, reset %ld, refused %ld",
	       atomic_load(&st.sh->cnt[C_ACCEPTED]), atomic_load(&st.sh->cnt[C_RESET]),
	       atomic_load(&st.sh->cnt[C_REFUSED]));
	if (!atomic_load(&st.sh->failed) && !atomic_load(&st.sh->cnt[C_ACCEPTED]))
		sfail(st.sh, "no connection was accepted");
	munmap(lc, sizeof(*lc));
	stress_end(&st);
}

/* ------------------------------------------------------------------------
 * peercred_races: SO_PEERCRED and SO_PEERGROUPS read while listen() (again
 * and again, on a listening socket) and connect() set them.
 *
 *   a listener's creds are those of the last listen(): the test process;
 *   a connecting socket's are nobody's before connect() and the
 *   listener's after it;
 *   an accepted socket's are the connecting process's (it says its pid).
 */
#define PC_CONN		2

struct pc_slot {
	pthread_rwlock_t lock;
	int fd;
};

struct pc {
	struct stress_shared *sh;
	pid_t lpid;
	int ngroups;
	gid_t groups[64];
	struct published pub;
	/* test process only */
	pthread_rwlock_t llock;
	int lfd;
	atomic_int ldone;
};

struct pc_local {
	struct pc *pc;
	struct pc_slot slots[PC_CONN];
	atomic_int done;
	int id;
};

struct pc_thread_arg {
	struct pc_local *loc;
	int idx;
};

static int gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* @want_pid: exact pid wanted, 0: nobody, -1: nobody or the listener's. */
static void pc_check(struct pc *pc, int fd, pid_t want_pid, const char *ctx)
{
	struct stress_shared *sh = pc->sh;
	gid_t groups[64];
	struct ucred uc;
	socklen_t len = sizeof(uc);
	long r;
	int n;

	if (SC(sh, E_NONE, ctx, getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len)) < 0)
		return;
	atomic_fetch_add_explicit(&sh->cnt[C_PEERCRED], 1, memory_order_relaxed);
	if (want_pid == -1)
		want_pid = uc.pid ? pc->lpid : 0;
	if (uc.pid != want_pid ||
	    (want_pid ? (uc.uid != geteuid() || uc.gid != getegid()) :
			(uc.uid != (uid_t)-1 || uc.gid != (gid_t)-1))) {
		sfail(sh, "%s: SO_PEERCRED pid %d uid %d gid %d, want pid %d", ctx,
		      (int)uc.pid, (int)uc.uid, (int)uc.gid, (int)want_pid);
		return;
	}
	len = sizeof(groups);
	r = SC(sh, want_pid ? E_NONE : E(ENODATA), ctx,
	       getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len));
	if (r < 0)
		return;
	if (!want_pid) {
		/* Creds may have arrived since SO_PEERCRED: check them. */
		if (!uc.pid && len == 0 && pc->ngroups == 0)
			return;
	}
	n = len / sizeof(gid_t);
	qsort(groups, n, sizeof(gid_t), gid_cmp);
	if (n != pc->ngroups || memcmp(groups, pc->groups, n * sizeof(gid_t)))
		sfail(sh, "%s: SO_PEERGROUPS has %d groups, the test process %d", ctx,
		      n, pc->ngroups);
}

static void *pc_lister(void *arg)
{
	struct pc *pc = arg;
	struct stress_shared *sh = pc->sh;
	unsigned int epoch = 0;
	char path[96], tag[64];
	struct sname name;
	struct rng r;

	rng_init(&r, sh->seed, 8000);
	snprintf(path, sizeof(path), "%s/P", sh->dir);
	while (stress_running(sh)) {
		int type = rng_one_in(&r, 2) ? SOCK_STREAM : SOCK_SEQPACKET;
		int kind = rng_below(&r, 3), l;
		long end;

		l = SC(sh, E_NONE, "listener socket",
		       socket(sh->family, type | SOCK_NONBLOCK, 0));
		if (l < 0)
			break;
		if (kind == 0) {
			unlink(path);
			sname_path(&name, sh->family, path);
			SC(sh, E_NONE, "listener bind", sbind(l, &name));
		} else if (kind == 1) {
			snprintf(tag, sizeof(tag), "punix-stress-P%u", epoch % 4);
			sname_abstract(&name, sh->family, tag);
			SC(sh, E_NONE, "listener bind", sbind(l, &name));
		} else {
			SC(sh, E_NONE, "listener autobind", sname_autobind(l, sh->family, &name));
		}
		pc_check(pc, l, 0, "listener before listen()");
		SC(sh, E_NONE, "listen", listen(l, 1 + rng_below(&r, 8)));

		pthread_rwlock_wrlock(&pc->llock);
		if (pc->lfd >= 0)
			close(pc->lfd);
		pc->lfd = l;
		pthread_rwlock_unlock(&pc->llock);
		publish(&pc->pub, &name, type);

		end = now_ms() + 10 + rng_below(&r, 70);
		while (now_ms() < end && !stress_stopped(sh)) {
			SC(sh, E_NONE, "listen again", listen(l, rng_below(&r, 16)));
			if (rng_one_in(&r, 4))
				sched_yield();
		}
		epoch++;
	}
	pthread_rwlock_wrlock(&pc->llock);
	if (pc->lfd >= 0)
		close(pc->lfd);
	pc->lfd = -1;
	pthread_rwlock_unlock(&pc->llock);
	name.len = 0;
	publish(&pc->pub, &name, -1);
	unlink(path);
	atomic_store(&pc->ldone, 1);
	return NULL;
}

/* Read the listener's creds, and accept, while listen() runs. */
static void *pc_acceptor(void *arg)
{
	struct pc *pc = arg;
	struct stress_shared *sh = pc->sh;

	while (!atomic_load(&pc->ldone) && !stress_stopped(sh)) {
		struct ucred uc;
		int a = -1;
		long n;

		pthread_rwlock_rdlock(&pc->llock);
		if (pc->lfd >= 0) {
			pc_check(pc, pc->lfd, pc->lpid, "listener during listen()");
			a = SC(sh, E(EAGAIN), "accept", accept4(pc->lfd, NULL, NULL, 0));
		}
		pthread_rwlock_unlock(&pc->llock);
		if (a < 0) {
			sched_yield();
			continue;
		}
		atomic_fetch_add(&sh->cnt[C_ACCEPTED], 1);
		/* The connecting process names itself: its creds must say so. */
		set_timeouts(a, 15000, 1000);
		n = SC(sh, E_NONE, "accepted recv pid", recv(a, &uc.pid, sizeof(uc.pid), 0));
		if (n == sizeof(uc.pid))
			pc_check(pc, a, uc.pid, "accepted socket");
		else if (n >= 0)
			sfail(sh, "accepted socket: read %ld bytes, not a pid", n);
		close(a);
	}
	return NULL;
}

static void *pc_connector(void *arg)
{
	struct pc_thread_arg *ta = arg;
	struct pc_local *loc = ta->loc;
	struct pc *pc = loc->pc;
	struct stress_shared *sh = pc->sh;
	struct pc_slot *slot = &loc->slots[ta->idx];
	pid_t me = getpid();
	struct rng r;

	rng_init(&r, sh->seed, 8100 + ta->idx + 10 * loc->id);
	while (stress_running(sh)) {
		struct sname name;
		int type = published_read(&pc->pub, &name), c;

		if (type < 0) {
			sleep_ms(1);
			continue;
		}
		c = SC(sh, E_NONE, "connector socket", socket(sh->family, type, 0));
		if (c < 0)
			break;
		set_timeouts(c, 1000, 1 + rng_below(&r, 50));
		pc_check(pc, c, 0, "before connect()");
		pthread_rwlock_wrlock(&slot->lock);
		slot->fd = c;
		pthread_rwlock_unlock(&slot->lock);

		if (SC(sh, E(ECONNREFUSED, ENOENT, EAGAIN, EPROTOTYPE, EINTR),
		       type_name(type), sconnect(c, &name)) == 0) {
			pc_check(pc, c, pc->lpid, "after connect()");
			SC(sh, E(EPIPE, ECONNRESET), "connector send pid",
			   send(c, &me, sizeof(me), MSG_NOSIGNAL));
		}
		pthread_rwlock_wrlock(&slot->lock);
		slot->fd = -1;
		pthread_rwlock_unlock(&slot->lock);
		close(c);
	}
	return NULL;
}

/* Read the connecting sockets' creds while they connect. */
static void *pc_peeker(void *arg)
{
	struct pc_local *loc = arg;
	struct pc *pc = loc->pc;
	unsigned int i = 0;

	while (!atomic_load(&loc->done) && !stress_stopped(pc->sh)) {
		struct pc_slot *slot = &loc->slots[i++ % PC_CONN];

		pthread_rwlock_rdlock(&slot->lock);
		if (slot->fd >= 0)
			pc_check(pc, slot->fd, -1, "during connect()");
		pthread_rwlock_unlock(&slot->lock);
		if (i % 8 == 0)
			sched_yield();
	}
	return NULL;
}

/* PC_CONN connectors and a peeker in this process. */
static void pc_connectors(struct pc *pc, int id)
{
	struct pc_thread_arg ta[PC_CONN];
	struct kicker kick = { 0 };
	pthread_t th[PC_CONN], peek;
	struct pc_local loc;
	int i, started = 0;
	bool have_peek;

	memset(&loc, 0, sizeof(loc));
	loc.pc = pc;
	loc.id = id;
	for (i = 0; i < PC_CONN; i++) {
		pthread_rwlock_init(&loc.slots[i].lock, NULL);
		loc.slots[i].fd = -1;
	}
	have_peek = !pthread_create(&peek, NULL, pc_peeker, &loc);
	for (i = 0; i < PC_CONN; i++) {
		ta[i].loc = &loc;
		ta[i].idx = i;
		if (pthread_create(&th[i], NULL, pc_connector, &ta[i])) {
			sfail(pc->sh, "cannot start a connector");
			break;
		}
		started++;
	}
	kicker_start(&kick, pc->sh, pc->sh->seed ^ (id + 5), 10);
	for (i = 0; i < started; i++)
		kicker_add(&kick, th[i]);
	kicker_stop(&kick);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	atomic_store(&loc.done, 1);
	if (have_peek)
		pthread_join(peek, NULL);
	for (i = 0; i < PC_CONN; i++)
		pthread_rwlock_destroy(&loc.slots[i].lock);
}

static void pc_connector_proc(void *arg)
{
	pc_connectors(arg, 1);
}

STRESS_TEST(stress, peercred_races)
{
	struct sname none = { .len = 0 };
	pthread_t lister, acc[2];
	struct stress st;
	struct pc *pc;
	int i, n;

	stress_begin(&st, "peercred_races");
	pc = mmap(NULL, sizeof(*pc), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pc);
	memset(pc, 0, sizeof(*pc));
	pc->sh = st.sh;
	pc->lpid = getpid();
	pc->lfd = -1;
	n = getgroups(64, pc->groups);
	ASSERT_LE(0, n);
	pc->ngroups = n;
	qsort(pc->groups, n, sizeof(gid_t), gid_cmp);
	pthread_rwlock_init(&pc->llock, NULL);
	publish(&pc->pub, &none, -1);
	st.sh->deadline = now_ms() + st.seconds * 1000L;

	stress_proc(&st, "connectors", pc_connector_proc, pc);
	ASSERT_EQ(0, pthread_create(&lister, NULL, pc_lister, pc));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&acc[i], NULL, pc_acceptor, pc));
	pc_connectors(pc, 0);
	pthread_join(lister, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(acc[i], NULL);
	stress_wait(&st);
	TH_LOG("accepted %ld, credential reads %ld", atomic_load(&st.sh->cnt[C_ACCEPTED]),
	       atomic_load(&st.sh->cnt[C_PEERCRED]));
	if (!atomic_load(&st.sh->failed) && !atomic_load(&st.sh->cnt[C_ACCEPTED]))
		sfail(st.sh, "no connection was accepted");
	pthread_rwlock_destroy(&pc->llock);
	munmap(pc, sizeof(*pc));
	stress_end(&st);
}

/* ------------------------------------------------------------------------
 * fd_passing: sockets of the family passed over sockets of the family
 * (SCM_RIGHTS, up to FP_MAXFDS files a message, every type), while
 * threads of two processes build and break cycles that only the garbage
 * collector can free, MSG_PEEK files in flight (and close, keep or peek
 * through the duplicates), receive them, connect and close; then splice()
 * out of stream sockets carrying files (which drops them).
 *
 * Every thread owns the fds in its hand and is the only one to close
 * them; the carriers (socketpairs of each type made before the workers)
 * are shared and live until every worker is gone.  Every message is one
 * 16-byte record naming the types of the files it carries, so each
 * dgram/seqpacket message and each record of the checked stream carrier
 * is verified exactly: the count of files (all of them, or as many as the
 * control buffer holds with MSG_CTRUNC), their order and type; every file
 * received is a socket of the family, close-on-exec (MSG_CMSG_CLOEXEC).
 * At the end the socket count must come back to zero: the collector frees
 * every cycle (stress_end()).
 *
 * Cycles first: for three quarters of the time the threads build cycles
 * and move files; then the carriers are closed and the count must drop
 * back to the two socks of the spliced carrier.  Then, for the last
 * quarter, threads send fresh sockets over stream sockets and splice(),
 * recv() or peek them out.  Connections made to listeners of the hand are
 * never accepted: they carry files (the listener's own, too) until the
 * listener goes.
 *
 * The carriers' own ends are never sent: when they were (a carrier end
 * in flight, in the same messages as the rest, while every worker and
 * the second process still hold it), native AF_UNIX left hundreds of
 * socks in flight unfreed once everything was closed (Debian 6.1 with
 * the backported collector, 6.12, 6.18; still there after 15 s of
 * collections), which punix frees.  Even without them AF_UNIX still
 * leaves some behind in about half the runs, and nothing narrower than
 * this whole mix was found to reproduce it: so the native variant logs
 * the socks left (stress.native_leaks) where the punix variant asserts
 * that none is; every other check is the same for both.
 */
#define FP_CARRIERS	4	/* stream, seqpacket, dgram: checked; stream: spliced */
#define FP_SPLICED	3
#define FP_HAND		20
#define FP_MAXFDS	6
#define FP_MAGIC	0xfd5ca770u
#define FP_NAMES	16

struct fp_rec {
	uint32_t magic;
	uint8_t nfds;
	uint8_t types[FP_MAXFDS];
	uint8_t pad[5];
};

struct fp {
	struct stress_shared *sh;
	int family;
	int tx[FP_CARRIERS], rx[FP_CARRIERS], ctype[FP_CARRIERS];
	/* Listeners' names (per process): connect targets for everyone. */
	pthread_mutex_t lock;
	struct sname names[FP_NAMES];
	int ntype[FP_NAMES];
	unsigned int nnext;
	atomic_uint tag;
	uint64_t seed;
	int base;		/* worker ids of this process */
	int nthreads;		/* cycle world */
	int nsplicers;		/* splice world */
};

struct fp_sock {
	int fd;
	int type;
};

struct fp_worker {
	struct fp *fp;
	struct stress_shared *sh;
	struct rng r;
	int id;
	int pipe[2];
	int n;
	struct fp_sock hand[FP_HAND];
};

/*
 * Allowed errnos.  Every call is non-blocking (MSG_DONTWAIT,
 * SPLICE_F_NONBLOCK, SOCK_NONBLOCK): no EINTR.  Root in flight is never
 * ETOOMANYREFS (CAP_SYS_RESOURCE).  A socket of the hand is a socketpair
 * end, a listener, a connected or accepted socket, or a bound dgram
 * socket, any of them received from another thread: its peer may be
 * gone (closed, or freed by the collector).
 */
static const int fp_es_eagain[] = { EAGAIN, 0 };
static const int fp_es_send_stream[] = { EAGAIN, EPIPE, 0 };
/* sock_error(): the peer went with data unread */
static const int fp_es_send_seqpacket[] = { EAGAIN, EPIPE, ECONNRESET, 0 };
/* the peer went: ECONNREFUSED once, then ENOTCONN (ECONNRESET when two senders race there) */
static const int fp_es_send_dgram[] = { EAGAIN, ECONNREFUSED, ENOTCONN,
					ECONNRESET, 0 };
static const int fp_es_recv_conn[] = { EAGAIN, ECONNRESET, 0 };
static const int fp_es_enotconn[] = { ENOTCONN, 0 };
static const int fp_es_einval[] = { EINVAL, 0 };
static const int fp_es_connect[] = { ECONNREFUSED, EAGAIN, 0 };

static bool fp_listening(struct fp_worker *w, int fd)
{
	int v = get_int_opt(fd, SOL_SOCKET, SO_ACCEPTCONN);

	if (v != 0 && v != 1)
		sfail(w->sh, "getsockopt(SO_ACCEPTCONN) on a socket of the hand: %d (%s)",
		      v, strerror(errno));
	return v == 1;
}

/* send() without an address on a socket of the hand. */
static const int *fp_es_send(struct fp_worker *w, int fd, int type)
{
	if (type == SOCK_DGRAM)
		return fp_es_send_dgram;
	if (fp_listening(w, fd))
		return fp_es_enotconn;
	return type == SOCK_STREAM ? fp_es_send_stream : fp_es_send_seqpacket;
}

/* recvmsg()/splice() on a socket of the hand. */
static const int *fp_es_recv(struct fp_worker *w, int fd, int type)
{
	if (type == SOCK_DGRAM)
		return fp_es_eagain;
	if (fp_listening(w, fd))
		return type == SOCK_STREAM ? fp_es_einval : fp_es_enotconn;
	return fp_es_recv_conn;
}

static void fp_close(struct fp_worker *w, int fd)
{
	SC(w->sh, E_NONE, "close", close(fd));
}

/* Keep @fd in the hand, or close it if the hand is full. */
static void fp_keep(struct fp_worker *w, int fd, int type)
{
	if (w->n == FP_HAND) {
		fp_close(w, fd);
		return;
	}
	w->hand[w->n].fd = fd;
	w->hand[w->n].type = type;
	w->n++;
}

static void fp_drop(struct fp_worker *w, int i)
{
	fp_close(w, w->hand[i].fd);
	w->hand[i] = w->hand[--w->n];
}

/* A file received (or peeked): a close-on-exec socket of the family. */
static int fp_check_file(struct fp_worker *w, int fd, int want_type,
			 const char *ctx)
{
	int dom = get_int_opt(fd, SOL_SOCKET, SO_DOMAIN);
	int type = get_int_opt(fd, SOL_SOCKET, SO_TYPE);
	int fdfl = fcntl(fd, F_GETFD);

	if (dom != w->fp->family || (want_type && type != want_type) ||
	    (type != SOCK_STREAM && type != SOCK_DGRAM &&
	     type != SOCK_SEQPACKET) || fdfl < 0 || !(fdfl & FD_CLOEXEC)) {
		sfail(w->sh, "%s: received fd %d: domain %d type %d (want %d, %d), fd flags %#x: not the socket sent",
		      ctx, fd, dom, type, w->fp->family, want_type, fdfl);
		return -1;
	}
	return type;
}

/* Make a name no other socket of the test has. */
static void fp_name(struct fp_worker *w, struct sname *n)
{
	char tag[64];

	snprintf(tag, sizeof(tag), "punix-%d-fp-%u", (int)getpid(),
		 atomic_fetch_add(&w->fp->tag, 1));
	sname_abstract(n, w->fp->family, tag);
}

/*
 * Send one record on @fd carrying @nfds files, flags MSG_DONTWAIT.
 * @to: sendto() this name instead.  Returns what SC() returned.
 */
static long fp_send(struct fp_worker *w, int fd, const int *fds,
		    const int *types, int nfds, const struct sname *to,
		    const int *set, const char *ctx)
{
	union {
		char b[CMSG_SPACE(FP_MAXFDS * sizeof(int))];
		struct cmsghdr align;
	} cb;
	struct fp_rec rec = { .magic = FP_MAGIC, .nfds = nfds };
	struct iovec iov = { &rec, sizeof(rec) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	long n;
	int i;

	for (i = 0; i < nfds; i++)
		rec.types[i] = types[i];
	if (nfds) {
		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (to) {
		mh.msg_name = (void *)&to->sun;
		mh.msg_namelen = to->len;
	}
	n = SC(w->sh, set, ctx, sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL));
	if (n >= 0 && n != (long)sizeof(rec))
		sfail(w->sh, "%s: sendmsg of a %zu-byte record returned %ld",
		      ctx, sizeof(rec), n);
	if (n > 0)
		atomic_fetch_add_explicit(&w->sh->cnt[C_FDS_SENT], nfds,
					  memory_order_relaxed);
	return n;
}

/* What to do with the files of one message. */
enum { FP_GOT_KEEP, FP_GOT_CLOSE, FP_GOT_PEEK };

static void fp_recv(struct fp_worker *w, int fd, int type, bool checked,
		    int flags, const int *set, int depth, const char *ctx);

/* The files a message gave: check them, then keep, close or peek into. */
static void fp_take(struct fp_worker *w, const int *fds, int k,
		    const struct fp_rec *rec, bool peeked, int depth,
		    const char *ctx)
{
	int i, t;

	atomic_fetch_add_explicit(&w->sh->cnt[peeked ? C_FDS_PEEKED : C_FDS_GOT],
				  k, memory_order_relaxed);
	for (i = 0; i < k; i++) {
		t = fp_check_file(w, fds[i], rec ? rec->types[i] : 0, ctx);
		if (t < 0) {
			fp_close(w, fds[i]);
			continue;
		}
		switch (depth >= 2 ? FP_GOT_CLOSE : rng_below(&w->r, 3)) {
		case FP_GOT_KEEP:
			fp_keep(w, fds[i], t);
			continue;
		case FP_GOT_PEEK:
			/* Through the duplicate: what it has in flight. */
			if (depth < 2)
				fp_recv(w, fds[i], t, t != SOCK_STREAM,
					rng_one_in(&w->r, 2) ? MSG_PEEK : 0,
					fp_es_recv(w, fds[i], t), depth + 1,
					"through a received socket");
			break;
		}
		fp_close(w, fds[i]);
	}
}

/*
 * One recvmsg() on @fd (flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC), with
 * room for one file or for FP_MAXFDS.  @checked: every read is a whole
 * record (dgram, seqpacket, and the checked stream carrier).
 */
static void fp_recv(struct fp_worker *w, int fd, int type, bool checked,
		    int flags, const int *set, int depth, const char *ctx)
{
	union {
		char b[CMSG_SPACE(FP_MAXFDS * sizeof(int)) + 64];
		struct cmsghdr align;
	} cb;
	struct fp_rec rec;
	size_t len = checked ? sizeof(rec) : 1 + rng_below(&w->r, 40);
	char buf[64];
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int room = rng_one_in(&w->r, 4) ? 1 : FP_MAXFDS;
	int fds[FP_MAXFDS], k = 0, extra = 0, i;
	struct cmsghdr *c;
	long n;

	memset(&cb, 0, sizeof(cb));
	mh.msg_control = cb.b;
	mh.msg_controllen = CMSG_LEN(room * sizeof(int));
	n = SC(w->sh, set, ctx,
	       recvmsg(fd, &mh, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (n < 0)
		return;
	if (flags & MSG_PEEK)
		atomic_fetch_add_explicit(&w->sh->cnt[C_PEEKS], 1,
					  memory_order_relaxed);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		int m;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0)) {
			sfail(w->sh, "%s: unexpected control message level %d type %d len %zu",
			      ctx, c->cmsg_level, c->cmsg_type,
			      (size_t)c->cmsg_len);
			continue;
		}
		m = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < m; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(f));
			if (k < FP_MAXFDS)
				fds[k++] = f;
			else
				close(f), extra++;
		}
	}
	if (k > room || extra) {
		sfail(w->sh, "%s: %d files in a control buffer for %d", ctx,
		      k + extra, room);
	} else if (checked && n == 0) {
		if (type == SOCK_DGRAM || k)
			sfail(w->sh, "%s: empty %s message (%d files)", ctx,
			      type_name(type), k);
	} else if (checked && type == SOCK_STREAM && (flags & MSG_PEEK) &&
		   n == sizeof(rec) && !((struct fp_rec *)buf)->nfds) {
		/*
		 * As AF_UNIX: a stream MSG_PEEK that copied a record without
		 * files goes on to the next skb carrying some (copying nothing
		 * more) and gives those: any number, of any type.
		 */
		memcpy(&rec, buf, sizeof(rec));
		if (rec.magic != FP_MAGIC ||
		    ((mh.msg_flags & MSG_CTRUNC) && k != room))
			sfail(w->sh, "%s (stream): record of %ld bytes, magic %#x, 0 files sent, %d peeked with room for %d, msg_flags %#x",
			      ctx, n, rec.magic, k, room, mh.msg_flags);
		else {
			fp_take(w, fds, k, NULL, true, depth, ctx);
			return;
		}
	} else if (checked) {
		memcpy(&rec, buf, n < (long)sizeof(rec) ? (size_t)n : sizeof(rec));
		if (n != sizeof(rec) || rec.magic != FP_MAGIC ||
		    rec.nfds > FP_MAXFDS ||
		    k != (rec.nfds < room ? rec.nfds : room) ||
		    !(mh.msg_flags & MSG_CTRUNC) != !(rec.nfds > room) ||
		    (mh.msg_flags & MSG_TRUNC)) {
			sfail(w->sh, "%s (%s): record of %ld bytes, magic %#x, %u files sent, %d received with room for %d, msg_flags %#x",
			      ctx, type_name(type), n, rec.magic, rec.nfds, k,
			      room, mh.msg_flags);
		} else {
			fp_take(w, fds, k, &rec, flags & MSG_PEEK, depth, ctx);
			return;
		}
	} else if ((mh.msg_flags & MSG_CTRUNC) && k != room) {
		sfail(w->sh, "%s: MSG_CTRUNC with %d files for room %d", ctx,
		      k, room);
	} else {
		fp_take(w, fds, k, NULL, flags & MSG_PEEK, depth, ctx);
		return;
	}
	for (i = 0; i < k; i++)
		close(fds[i]);
}

/* splice() up to 64 bytes out of a stream socket, then empty the pipe. */
static void fp_splice(struct fp_worker *w, int fd, const int *set)
{
	char buf[128];
	long n;

	n = SC(w->sh, set, "splice out of a stream socket",
	       splice(fd, NULL, w->pipe[1], NULL, 1 + rng_below(&w->r, 64),
		      SPLICE_F_NONBLOCK));
	if (n > 0) {
		atomic_fetch_add_explicit(&w->sh->cnt[C_SPLICED], 1,
					  memory_order_relaxed);
		if (SC(w->sh, E_NONE, "read the pipe",
		       read(w->pipe[0], buf, sizeof(buf))) != n)
			sfail(w->sh, "splice gave %ld bytes, the pipe had other", n);
	}
}

/* Up to @max files from the hand (the same one may come twice). */
static int fp_pick(struct fp_worker *w, int max, int *idx, int *fds,
		   int *types)
{
	int k = rng_below(&w->r, max + 1), i;

	if (!w->n)
		return 0;
	for (i = 0; i < k; i++) {
		idx[i] = rng_below(&w->r, w->n);
		fds[i] = w->hand[idx[i]].fd;
		types[i] = w->hand[idx[i]].type;
	}
	return k;
}

/* Close the hand entries @idx[0..k) (duplicates allowed). */
static void fp_drop_picked(struct fp_worker *w, int *idx, int k)
{
	int i, j, best;

	for (;;) {
		best = -1;
		for (i = 0; i < k; i++)
			if (idx[i] > best)
				best = idx[i];
		if (best < 0)
			return;
		for (j = 0; j < k; j++)
			if (idx[j] == best)
				idx[j] = -1;
		fp_drop(w, best);
	}
}

/* A record with files from the hand over carrier @c or a hand socket. */
static void fp_op_send(struct fp_worker *w)
{
	struct fp *fp = w->fp;
	int idx[FP_MAXFDS], fds[FP_MAXFDS], types[FP_MAXFDS], k, fd, type;
	const int *set;
	long n;

	k = fp_pick(w, FP_MAXFDS, idx, fds, types);
	if (!w->n || rng_one_in(&w->r, 2)) {
		int c = rng_below(&w->r, FP_SPLICED);

		fd = fp->tx[c];
		set = fp_es_eagain;
	} else {
		int i = rng_below(&w->r, w->n);

		fd = w->hand[i].fd;
		type = w->hand[i].type;
		set = fp_es_send(w, fd, type);
	}
	n = fp_send(w, fd, fds, types, k, NULL, set, "send files");
	if (n > 0 && rng_one_in(&w->r, 2))
		fp_drop_picked(w, idx, k);	/* they live on in flight */
}

/* Receive or peek on a carrier, or on a socket of the hand. */
static void fp_op_recv(struct fp_worker *w, bool peek)
{
	struct fp *fp = w->fp;
	int flags = peek ? MSG_PEEK : 0;

	if (!w->n || !rng_one_in(&w->r, 3)) {
		int c = rng_below(&w->r, FP_SPLICED);

		fp_recv(w, fp->rx[c], fp->ctype[c], true, flags,
			fp_es_eagain, 0, peek ? "peek a carrier" : "recv a carrier");
	} else {
		int i = rng_below(&w->r, w->n);
		int fd = w->hand[i].fd, type = w->hand[i].type;

		fp_recv(w, fd, type, type != SOCK_STREAM, flags,
			fp_es_recv(w, fd, type), 0,
			peek ? "peek a socket of the hand" : "recv a socket of the hand");
	}
}

/*
 * The splice world: its threads send fresh socketpairs over the spliced
 * stream carrier and over a stream pair of their own, and splice(),
 * recv() or MSG_PEEK them out; the files they receive are closed at once,
 * so none of them ever meets a cycle (see the comment above
 * STRESS_TEST(stress, fd_passing)).
 */
static void fp_splice_op(struct fp_worker *w, int own_tx, int own_rx)
{
	struct fp *fp = w->fp;
	int fds[FP_MAXFDS], types[FP_MAXFDS], k, i, sv[2], pl[2 * FP_MAXFDS];
	int np = 0, tx, rx;
	bool own = rng_one_in(&w->r, 2);

	tx = own ? own_tx : fp->tx[FP_SPLICED];
	rx = own ? own_rx : fp->rx[FP_SPLICED];
	switch (rng_below(&w->r, 4)) {
	case 0:
		k = rng_below(&w->r, FP_MAXFDS + 1);
		for (i = 0; i < k; i++) {
			int t = stress_types[rng_below(&w->r, 3)];

			if (SC(w->sh, E_NONE, "socketpair",
			       socketpair(fp->family, t | SOCK_CLOEXEC, 0, sv)) < 0)
				break;
			pl[np++] = sv[0];
			pl[np++] = sv[1];
			fds[i] = sv[rng_below(&w->r, 2)];
			types[i] = t;
		}
		fp_send(w, tx, fds, types, i, NULL, fp_es_eagain,
			"send files over a spliced stream");
		for (i = 0; i < np; i++)
			fp_close(w, pl[i]);
		return;
	case 1:
		fp_recv(w, rx, SOCK_STREAM, false, rng_one_in(&w->r, 2) ? MSG_PEEK : 0,
			fp_es_eagain, 2, "recv or peek a spliced stream");
		return;
	}
	fp_splice(w, rx, fp_es_eagain);
}

static void *fp_splicer(void *arg)
{
	struct fp_worker *w = arg;
	int sv[2];

	if (SC(w->sh, E_NONE, "pipe", pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK)) < 0)
		return NULL;
	if (SC(w->sh, E_NONE, "socketpair",
	       socketpair(w->fp->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  0, sv)) < 0)
		goto out;
	while (stress_running(w->sh))
		fp_splice_op(w, sv[0], sv[1]);
	fp_close(w, sv[0]);
	fp_close(w, sv[1]);
out:
	close(w->pipe[0]);
	close(w->pipe[1]);
	return NULL;
}

/* A listener (published), a socketpair, or a connection to a listener. */
static void fp_op_make(struct fp_worker *w)
{
	struct fp *fp = w->fp;
	int type = stress_types[rng_below(&w->r, 3)], fd, sv[2], slot;
	struct sname n;

	switch (rng_below(&w->r, 3)) {
	case 0:
		if (SC(w->sh, E_NONE, "socketpair",
		       socketpair(fp->family, type | SOCK_CLOEXEC, 0, sv)) < 0)
			return;
		fp_keep(w, sv[0], type);
		fp_keep(w, sv[1], type);
		return;
	case 1:
		if (type == SOCK_DGRAM)
			type = SOCK_STREAM;
		fd = SC(w->sh, E_NONE, "socket",
			socket(fp->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
		if (fd < 0)
			return;
		fp_name(w, &n);
		if (SC(w->sh, E_NONE, "bind", sbind(fd, &n)) < 0 ||
		    SC(w->sh, E_NONE, "listen", listen(fd, 4)) < 0) {
			fp_close(w, fd);
			return;
		}
		pthread_mutex_lock(&fp->lock);
		slot = fp->nnext++ % FP_NAMES;
		fp->names[slot] = n;
		fp->ntype[slot] = type;
		pthread_mutex_unlock(&fp->lock);
		fp_keep(w, fd, type);
		return;
	}
	pthread_mutex_lock(&fp->lock);
	slot = rng_below(&w->r, FP_NAMES);
	n = fp->names[slot];
	type = fp->ntype[slot];
	pthread_mutex_unlock(&fp->lock);
	if (!type)
		return;
	fd = SC(w->sh, E_NONE, "socket",
		socket(fp->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (fd < 0)
		return;
	/* The listener may be gone, or its backlog full. */
	if (SC(w->sh, fp_es_connect, "connect to a listener", sconnect(fd, &n)) < 0) {
		fp_close(w, fd);
		return;
	}
	atomic_fetch_add_explicit(&w->sh->cnt[C_CONNECTED], 1, memory_order_relaxed);
	fp_keep(w, fd, type);
}

/*
 * Build a cycle of fresh sockets that only the collector can free once
 * its fds are closed: a socket sent over itself (socketpair, or a bound
 * dgram socket sendto() itself), two sent over each other, a ring of
 * pairs, a listener sent over its unaccepted connection.  Then break it
 * at once by closing, hand it out (to other threads through a carrier,
 * or keep it), or take the files back by receiving.
 */
#define FP_RING	4

static void fp_op_cycle(struct fp_worker *w)
{
	struct fp *fp = w->fp;
	struct stress_shared *sh = w->sh;
	int type = stress_types[rng_below(&w->r, 3)];
	int s[2 * FP_RING], ns = 0, f[2], t[2], k, i, sv[2];
	int kind = rng_below(&w->r, 5);
	struct sname n;
	bool ok = true;

	switch (kind) {
	case 0:		/* a sent over itself (b sends into a's queue) */
	case 1:		/* a and b each in the other's queue */
		if (SC(sh, E_NONE, "socketpair",
		       socketpair(fp->family, type | SOCK_CLOEXEC, 0, sv)) < 0)
			return;
		s[ns++] = sv[0];
		s[ns++] = sv[1];
		f[0] = sv[0];
		f[1] = sv[1];
		t[0] = t[1] = type;
		ok = fp_send(w, sv[1], f, t, kind ? 2 : 1, NULL, E_NONE,
			     "cycle: send a pair's socket over it") > 0;
		if (ok && kind)
			ok = fp_send(w, sv[0], f, t, 2, NULL, E_NONE,
				     "cycle: pair in each other's queue") > 0;
		break;
	case 2:		/* a ring of pairs */
		k = 2 + rng_below(&w->r, FP_RING - 1);
		for (i = 0; i < k; i++) {
			if (SC(sh, E_NONE, "socketpair",
			       socketpair(fp->family, type | SOCK_CLOEXEC, 0, sv)) < 0) {
				ok = false;
				break;
			}
			s[ns++] = sv[0];
			s[ns++] = sv[1];
		}
		for (i = 0; ok && i < k; i++) {
			f[0] = s[2 * ((i + 1) % k)];
			f[1] = s[2 * ((i + 1) % k) + 1];
			t[0] = t[1] = type;
			ok = fp_send(w, s[2 * i + 1], f, t, 2, NULL, E_NONE,
				     "cycle: ring of pairs") > 0;
		}
		break;
	case 3:		/* a listener in its embryo's queue */
		if (type == SOCK_DGRAM)
			type = SOCK_SEQPACKET;
		s[ns] = SC(sh, E_NONE, "socket",
			   socket(fp->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
		if (s[ns] < 0)
			return;
		ns++;
		fp_name(w, &n);
		if (SC(sh, E_NONE, "bind", sbind(s[0], &n)) < 0 ||
		    SC(sh, E_NONE, "listen", listen(s[0], 4)) < 0) {
			ok = false;
			break;
		}
		s[ns] = SC(sh, E_NONE, "socket",
			   socket(fp->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
		if (s[ns] < 0) {
			ok = false;
			break;
		}
		ns++;
		if (SC(sh, E_NONE, "connect to a fresh listener", sconnect(s[1], &n)) < 0) {
			ok = false;
			break;
		}
		f[0] = s[0];
		f[1] = s[1];
		t[0] = t[1] = type;
		ok = fp_send(w, s[1], f, t, 1 + rng_below(&w->r, 2), NULL, E_NONE,
			     "cycle: listener over its unaccepted connection") > 0;
		break;
	default:	/* a bound dgram socket sent to itself */
		type = SOCK_DGRAM;
		s[ns] = SC(sh, E_NONE, "socket",
			   socket(fp->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
		if (s[ns] < 0)
			return;
		ns++;
		fp_name(w, &n);
		if (SC(sh, E_NONE, "bind", sbind(s[0], &n)) < 0) {
			ok = false;
			break;
		}
		f[0] = s[0];
		t[0] = type;
		ok = fp_send(w, s[0], f, t, 1, &n, E_NONE,
			     "cycle: dgram socket sendto() itself") > 0;
		break;
	}
	if (ok)
		atomic_fetch_add_explicit(&sh->cnt[C_CYCLES], 1, memory_order_relaxed);

	switch (ok ? rng_below(&w->r, 4) : 0) {
	case 1:		/* others get it */
		for (i = 0; i < ns; i++)
			fp_keep(w, s[i], type);
		return;
	case 2:		/* a way in for other threads, then close */
		i = rng_below(&w->r, ns);
		f[0] = s[i];
		t[0] = type;
		k = rng_below(&w->r, FP_SPLICED);
		fp_send(w, fp->tx[k], f, t, 1, NULL, fp_es_eagain,
			"send a socket of a cycle over a carrier");
		break;
	case 3:		/* break it by receiving */
		for (i = 0; i < ns; i++)
			if (rng_one_in(&w->r, 2))
				fp_recv(w, s[i], type, type != SOCK_STREAM, 0,
					fp_es_recv(w, s[i], type), 1,
					"take a cycle's files back");
		break;
	}
	for (i = 0; i < ns; i++)
		fp_close(w, s[i]);
}

static void *fp_thread(void *arg)
{
	struct fp_worker *w = arg;
	unsigned int role = w->id % 3;

	if (SC(w->sh, E_NONE, "pipe", pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK)) < 0)
		return NULL;
	while (stress_running(w->sh)) {
		unsigned int op = rng_below(&w->r, 100);

		/* role 0 builds cycles, 1 moves files, 2 peeks */
		if (op < (role == 0 ? 30 : 8))
			fp_op_cycle(w);
		else if (op < 40)
			fp_op_send(w);
		else if (op < (role == 2 ? 50 : 60))
			fp_op_recv(w, false);
		else if (op < 75)
			fp_op_recv(w, true);
		else if (op < 91)
			fp_op_make(w);
		else if (w->n)
			fp_drop(w, rng_below(&w->r, w->n));
	}
	while (w->n)
		fp_drop(w, w->n - 1);
	close(w->pipe[0]);
	close(w->pipe[1]);
	return NULL;
}

/* Run fp->nthreads workers in this process until the deadline. */
static void fp_run(struct fp *fp)
{
	struct fp_worker *w;
	pthread_t th[8];
	int i, n = 0;

	w = calloc(8, sizeof(*w));
	if (!w) {
		sfail(fp->sh, "calloc: %s", strerror(errno));
		return;
	}
	for (i = 0; i < fp->nthreads + fp->nsplicers && i < 8; i++) {
		w[i].fp = fp;
		w[i].sh = fp->sh;
		w[i].id = fp->base + i;
		rng_init(&w[i].r, fp->seed, 0xfd00 + w[i].id);
		if (pthread_create(&th[i], NULL,
				   i < fp->nthreads ? fp_thread : fp_splicer, &w[i])) {
			sfail(fp->sh, "cannot start fd passing thread %d", i);
			break;
		}
		n++;
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(w);
}

static void fp_proc(void *arg)
{
	struct fp *fp = arg;

	fp->base = 100;
	fp->nthreads = 3;
	fp->nsplicers = 0;
	fp_run(fp);
}

STRESS_TEST(stress, fd_passing)
{
	struct stress st;
	struct fp fp;
	int i, sv[2];
	long socks;

	stress_begin(&st, "fd_passing");
	/*
	 * Native AF_UNIX leaves socks in flight behind here (see the comment
	 * above): only the punix variant asserts that every sock goes; both
	 * check every message, file and errno.
	 */
	st.native_leaks = true;
	memset(&fp, 0, sizeof(fp));
	fp.sh = st.sh;
	fp.family = self->family;
	fp.seed = st.seed;
	pthread_mutex_init(&fp.lock, NULL);
	for (i = 0; i < FP_CARRIERS; i++) {
		fp.ctype[i] = i == FP_SPLICED ? SOCK_STREAM : stress_types[i];
		ASSERT_EQ(0, socketpair(self->family, fp.ctype[i] | SOCK_CLOEXEC,
					0, sv));
		fp.tx[i] = sv[0];
		fp.rx[i] = sv[1];
	}
	/* Cycles first, for three quarters of the time. */
	st.sh->deadline = now_ms() + st.seconds * 750L;
	stress_proc(&st, "fd passing process", fp_proc, &fp);
	fp.base = 0;
	fp.nthreads = 5;
	fp.nsplicers = 0;
	fp_run(&fp);
	stress_wait(&st);

	/*
	 * What is still in flight on the carriers goes with them; every
	 * cycle is freed by the collector.  Left: the spliced carrier (and
	 * the punix anchor).
	 */
	for (i = 0; i < FP_SPLICED; i++) {
		close(fp.tx[i]);
		close(fp.rx[i]);
	}
	socks = wait_family_sockets(self->family, variant->punix,
				    2 + variant->punix, SOCKS_GONE_MS);
	if (st.native_leaks && !variant->punix && socks != 2)
		TH_LOG("AF_UNIX: %ld socks after the cycles were closed, want 2 (known leak, see above)",
		       socks);
	else if (socks != 2 + variant->punix && !atomic_load(&st.sh->failed))
		sfail(st.sh, "%ld %s socks %d ms after the cycles were closed, want %d (leak, or a cycle the collector did not free)",
		      socks, variant->punix ? "punix" : "unix", SOCKS_GONE_MS,
		      2 + variant->punix);

	/* Then splice, for the last quarter. */
	st.sh->deadline = now_ms() + (st.seconds * 250L > 1000 ? st.seconds * 250L : 1000);
	fp.nthreads = 0;
	fp.nsplicers = 3;
	fp_run(&fp);
	close(fp.tx[FP_SPLICED]);
	close(fp.rx[FP_SPLICED]);
	pthread_mutex_destroy(&fp.lock);
	TH_LOG("files sent %ld, received %ld, peeked %ld; cycles %ld, peeks %ld, splices %ld, connected %ld",
	       atomic_load(&st.sh->cnt[C_FDS_SENT]), atomic_load(&st.sh->cnt[C_FDS_GOT]),
	       atomic_load(&st.sh->cnt[C_FDS_PEEKED]), atomic_load(&st.sh->cnt[C_CYCLES]),
	       atomic_load(&st.sh->cnt[C_PEEKS]), atomic_load(&st.sh->cnt[C_SPLICED]),
	       atomic_load(&st.sh->cnt[C_CONNECTED]));
	if (!atomic_load(&st.sh->failed) &&
	    (!atomic_load(&st.sh->cnt[C_FDS_GOT]) || !atomic_load(&st.sh->cnt[C_FDS_PEEKED]) ||
	     !atomic_load(&st.sh->cnt[C_CYCLES]) || !atomic_load(&st.sh->cnt[C_SPLICED]) ||
	     !atomic_load(&st.sh->cnt[C_CONNECTED])))
		sfail(st.sh, "the workers did not get far: a count above is zero");
	stress_end(&st);
}

TEST_HARNESS_MAIN
