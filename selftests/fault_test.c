// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, differential: socket calls made while the kernel
 * fails a share of the allocations (failslab and fail_page_alloc) must each
 * succeed or fail cleanly, with ENOMEM/ENOBUFS (ENFILE where a socket inode
 * is made, ENOSPC where a filesystem node is) or one of the call's usual
 * errnos, and what they report done must be done: every byte and message a
 * send reported sent arrives intact, every connection a connect() reported
 * made can be accepted, a failed bind() leaves no node behind.  Then the
 * injection is turned off and everything must still work, and every sock
 * the test made must be gone.
 *
 * ONLY FOR A KERNEL WITH FAULT INJECTION: CONFIG_FAULT_INJECTION,
 * CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS
 * and debugfs (mounted here if it is not).  Without them every test FAILS
 * (it does not skip): run this program only where
 * /sys/kernel/debug/failslab exists, i.e. on the bench's debug kernel.
 *
 * Injection is configured for tasks that ask for it (task-filter), and only
 * the worker process of each test asks, through /proc/self/make-it-fail,
 * and only while it makes socket calls: the harness, the checks and the
 * test process never see an injected failure.  The worker locks its memory
 * (mlockall) first, so that no page fault on a user buffer can fail: an
 * EFAULT is never allowed.
 *
 * Tunables: PUNIX_FAULT_SECONDS (default 4) per test, PUNIX_FAULT_PERCENT
 * (default 15) the probability of each allocation failing, and
 * PUNIX_STRESS_SEED as for stress_test.
 *
 *   sockets          socket/socketpair/bind (path, abstract, autobind)/
 *                    close on all types; failed binds leave no node
 *   connect_accept   listeners, connects and accepts; dgram connect and
 *                    sendto; no connection is lost to a failed accept
 *   stream_transfer  byte streams with partial and failed sends
 *   msg_transfer     seqpacket and dgram messages, none lost or torn
 *   fd_passing       SCM_RIGHTS messages peeked, received and spliced,
 *                    sockets sent over themselves and each other: records
 *                    whole, files a prefix (MSG_CTRUNC), cycles collected
 */
#include "stress_util.h"

#include <sys/mount.h>

#define FI_ROOT		"/sys/kernel/debug"
#define FI_SLAB		FI_ROOT "/failslab"
#define FI_PAGE		FI_ROOT "/fail_page_alloc"

/* Failures that only injection explains, counted as such. */
static const int fault_errnos[] = { ENOMEM, ENOBUFS, 0 };

static int fault_seconds(void)
{
	const char *s = getenv("PUNIX_FAULT_SECONDS");
	long v = s ? strtol(s, NULL, 10) : 4;

	return v < 1 ? 1 : v > 3600 ? 3600 : (int)v;
}

static int fault_percent(void)
{
	const char *s = getenv("PUNIX_FAULT_PERCENT");
	long v = s ? strtol(s, NULL, 10) : 15;

	return v < 1 ? 1 : v > 100 ? 100 : (int)v;
}

static int fault_timeout(void)
{
	return fault_seconds() * 3 + 90;
}

#define FAULT_TEST(name) TEST_F_RUNTIME_TIMEOUT(fault, name, fault_timeout)

/* Write @val to the fault-injection attribute @dir/@attr; 0 or -errno. */
static int fi_write(const char *dir, const char *attr, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/*
 * Make sure debugfs is mounted and has both fault-injection directories.
 * Returns NULL or why not.
 */
static const char *fault_available(void)
{
	static char why[256];
	bool mounted = false;

	if (access(FI_SLAB, F_OK)) {
		if (!mount("debugfs", FI_ROOT, "debugfs", 0, NULL))
			mounted = true;
		else if (errno != EBUSY) {
			snprintf(why, sizeof(why), "cannot mount debugfs on %s: %s",
				 FI_ROOT, strerror(errno));
			return why;
		}
	}
	if (access(FI_SLAB, F_OK) || access(FI_PAGE, F_OK)) {
		/* Leave the system as it was. */
		if (mounted)
			umount(FI_ROOT);
		snprintf(why, sizeof(why),
			 "%s or %s missing: this kernel has no CONFIG_FAILSLAB/CONFIG_FAIL_PAGE_ALLOC/CONFIG_FAULT_INJECTION_DEBUG_FS; fault_test runs only on the debug kernel",
			 FI_SLAB, FI_PAGE);
		return why;
	}
	if (access("/proc/self/make-it-fail", W_OK)) {
		snprintf(why, sizeof(why),
			 "/proc/self/make-it-fail: %s (CONFIG_FAULT_INJECTION, and run as root)",
			 strerror(errno));
		return why;
	}
	return NULL;
}

/*
 * Configure both injectors: @percent of the allocations of marked tasks
 * fail, sleeping ones included, as often as they come; 0 turns them off.
 * Returns NULL or what failed.
 */
static const char *fault_configure(int percent)
{
	static const char *const dirs[] = { FI_SLAB, FI_PAGE };
	static char why[256];
	char prob[16];
	unsigned int i;

	snprintf(prob, sizeof(prob), "%d", percent);
	for (i = 0; i < 2; i++) {
		const char *attrs[][2] = {
			{ "probability", "0" },	/* off while changing */
			{ "interval", "1" },
			{ "times", "-1" },
			{ "space", "0" },
			{ "verbose", "0" },
			{ "task-filter", "Y" },
			{ "ignore-gfp-wait", "N" },
			{ "probability", prob },
		};
		unsigned int j;

		for (j = 0; j < sizeof(attrs) / sizeof(attrs[0]); j++) {
			int err = fi_write(dirs[i], attrs[j][0], attrs[j][1]);

			if (err) {
				snprintf(why, sizeof(why), "writing %s to %s/%s: %s",
					 attrs[j][1], dirs[i], attrs[j][0], strerror(-err));
				return why;
			}
		}
	}
	/* Every order of page, highmem too. */
	if (fi_write(FI_PAGE, "min-order", "0") ||
	    fi_write(FI_PAGE, "ignore-gfp-highmem", "N"))
		return "cannot configure fail_page_alloc min-order/ignore-gfp-highmem";
	return NULL;
}

static void fault_disable(void)
{
	fi_write(FI_SLAB, "probability", "0");
	fi_write(FI_PAGE, "probability", "0");
}

/*
 * The fixture: punix_test.h's two variants, plus fault injection checked
 * in the setup and turned off again in the teardown (which runs in the
 * parent, so also after a failed test).
 */
FIXTURE(fault) {
	int family;
	char dir[64];
};

FIXTURE_VARIANT(fault) {
	bool punix;
};

FIXTURE_VARIANT_ADD(fault, native) {
	.punix = false,
};

FIXTURE_VARIANT_ADD(fault, punix) {
	.punix = true,
};

FIXTURE_SETUP(fault)
{
	const char *why;

	self->dir[0] = '\0';
	if (variant->punix) {
		self->family = punix_family();
		ASSERT_GT(self->family, 0) {
			TH_LOG("cannot read the punix family from %s: %s",
			       PUNIX_FAMILY_SYSFS, strerror(-self->family));
		}
	} else {
		self->family = AF_UNIX;
	}
	why = fault_available();
	ASSERT_EQ(NULL, why) {
		TH_LOG("fault injection unavailable: %s", why);
	}
	strcpy(self->dir, "/tmp/punix-fault-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) {
		self->dir[0] = '\0';
	}
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN_PARENT(fault)
{
	fault_disable();
	punix_rmtree(self->dir);
}

/* ------------------------------------------------------------------------
 * The worker: a child process that marks itself for injection.
 */
struct fw {
	struct stress_shared *sh;
	struct rng r;
	int family;
	int id;
	int mif;		/* /proc/self/make-it-fail */
	unsigned int names;	/* counter for fresh names */
	const char *test;
};

static void fw_mark(struct fw *w, bool on)
{
	if (w->mif < 0)
		return;
	/* The write itself allocates nothing: it cannot be failed. */
	if (pwrite(w->mif, on ? "1" : "0", 1, 0) != 1) {
		sfail(w->sh, "writing %d to /proc/self/make-it-fail: %s", on,
		      strerror(errno));
		close(w->mif);
		w->mif = -1;
	}
}

/* Count an outcome that only injection explains. */
static bool injected(struct fw *w, long ret, int err)
{
	if (ret != -1)
		return false;
	(void)w;
	return err == ENOMEM || err == ENOBUFS || err == ENFILE || err == ENOSPC;
}

/* A fresh name: a path in the test's directory, abstract, or autobind. */
static int fw_bind(struct fw *w, int fd, int type, struct sname *out,
		   char *path, size_t plen)
{
	struct stress_shared *sh = w->sh;
	unsigned int k = rng_below(&w->r, 3);
	struct sname n;
	char tag[64];
	long r;

	path[0] = '\0';
	if (k == 2) {
		r = SC(sh, E_NONE, "autobind", sname_autobind(fd, w->family, out));
		return r;
	}
	if (k == 0) {
		snprintf(path, plen, "%s/w%d-%u", sh->dir, w->id, w->names++);
		sname_path(&n, w->family, path);
		/* tmpfs makes the node: ENOSPC when its inode cannot be had */
		r = SC(sh, E(ENOSPC), type_name(type), sbind(fd, &n));
		if (r < 0) {
			struct stat st;
			int e;

			/* A failed bind leaves nothing behind (LTP bind03). */
			fw_mark(w, false);
			e = lstat(path, &st) ? errno : 0;
			fw_mark(w, true);
			if (e != ENOENT)
				sfail(sh, "bind(%s) failed with %s but left %s",
				      path, errname(errno),
				      e ? strerror(e) : "a node");
			path[0] = '\0';
			return -1;
		}
	} else {
		snprintf(tag, sizeof(tag), "punix-fault-%s-%d-%u", w->test,
			 w->id, w->names++);
		sname_abstract(&n, w->family, tag);
		r = SC(sh, E_NONE, type_name(type), sbind(fd, &n));
		if (r < 0)
			return -1;
	}
	if (out)
		*out = n;
	return 0;
}

/*
 * Call @expr until it returns >= 0 or fails with something else than an
 * injected failure; gives up (a failure) after many tries.
 */
#define RETRY(w, set, ctx, expr) ({					\
	long __rv;							\
	int __tries = 0;						\
	for (;;) {							\
		__rv = SC((w)->sh, (set), (ctx), (expr));		\
		if (__rv >= 0 || !injected((w), __rv, errno))		\
			break;						\
		if (++__tries == 2000) {				\
			sfail((w)->sh, "%s: still failing with %s after %d tries", \
			      (ctx), errname(errno), __tries);		\
			break;						\
		}							\
	}								\
	__rv; })

static const int es_socket[] = { ENFILE, 0 };

/* ------------------------------------------------------------------------
 * sockets: lifecycle calls.
 */
static void w_sockets(struct fw *w)
{
	struct stress_shared *sh = w->sh;
	char path[128], b;

	while (stress_running(sh)) {
		int type = stress_types[rng_below(&w->r, 3)];
		const char *tn = type_name(type);
		int fd, sv[2];

		switch (rng_below(&w->r, 3)) {
		case 0:
			fd = SC(sh, es_socket, tn, socket(w->family, type, 0));
			if (fd >= 0)
				SC(sh, E_NONE, tn, close(fd));
			break;
		case 1:
			if (SC(sh, es_socket, tn, socketpair(w->family, type, 0, sv)) < 0)
				break;
			/* The pair works (or the send fails cleanly). */
			if (SC(sh, E_NONE, tn, send(sv[0], "p", 1, MSG_DONTWAIT)) == 1 &&
			    (SC(sh, E_NONE, tn, recv(sv[1], &b, 1, MSG_DONTWAIT)) != 1 ||
			     b != 'p'))
				sfail(sh, "%s socketpair: sent byte not received", tn);
			SC(sh, E_NONE, tn, close(sv[0]));
			SC(sh, E_NONE, tn, close(sv[1]));
			break;
		case 2:
			fd = SC(sh, es_socket, tn, socket(w->family, type, 0));
			if (fd < 0)
				break;
			if (fw_bind(w, fd, type, NULL, path, sizeof(path)) == 0 && path[0]) {
				struct stat st;
				int e;

				fw_mark(w, false);
				e = lstat(path, &st) ? errno : 0;
				fw_mark(w, true);
				if (e || !S_ISSOCK(st.st_mode))
					sfail(sh, "bind(%s) succeeded, but the node is %s",
					      path, e ? strerror(e) : "no socket");
			}
			SC(sh, E_NONE, tn, close(fd));
			if (path[0])
				unlink(path);
			break;
		}
	}
}

/* ------------------------------------------------------------------------
 * connect_accept
 */
#define CA_CLIENTS	4

static void w_connect_accept(struct fw *w)
{
	struct stress_shared *sh = w->sh;
	char path[128];

	while (stress_running(sh)) {
		int type = rng_one_in(&w->r, 3) ? SOCK_DGRAM :
			   rng_one_in(&w->r, 2) ? SOCK_STREAM : SOCK_SEQPACKET;
		const char *tn = type_name(type);
		int l, c[CA_CLIENTS], a, i, n = 0;
		struct sname name;
		char buf[16];

		l = RETRY(w, es_socket, tn, socket(w->family, type | SOCK_NONBLOCK, 0));
		if (l < 0)
			break;
		if (fw_bind(w, l, type, &name, path, sizeof(path)) < 0) {
			SC(sh, E_NONE, tn, close(l));
			continue;
		}
		if (type != SOCK_DGRAM &&
		    RETRY(w, E_NONE, "listen", listen(l, 16)) < 0)
			goto next;

		for (i = 0; i < CA_CLIENTS; i++) {
			int fd = SC(sh, es_socket, tn, socket(w->family, type | SOCK_NONBLOCK, 0));

			if (fd < 0)
				continue;
			/* A live listener with room: only injection may fail. */
			if (SC(sh, E_NONE, tn, sconnect(fd, &name)) < 0) {
				SC(sh, E_NONE, tn, close(fd));
				continue;
			}
			c[n++] = fd;
		}

		if (type == SOCK_DGRAM) {
			/* Connected senders: every sent datagram arrives. */
			long sent = 0, got = 0;

			for (i = 0; i < n; i++)
				if (SC(sh, E(EAGAIN), tn, send(c[i], "d", 1, MSG_DONTWAIT)) == 1)
					sent++;
			if (n && SC(sh, E(EAGAIN), tn,
				    ssendto(c[0], "d", 1, MSG_DONTWAIT, &name)) == 1)
				sent++;
			while (SC(sh, E(EAGAIN), tn, recv(l, buf, sizeof(buf), MSG_DONTWAIT)) == 1)
				got++;
			if (got != sent)
				sfail(sh, "dgram: %ld datagrams reported sent, %ld received", sent, got);
			atomic_fetch_add(&sh->msgs, got);
			goto close_clients;
		}

		/* Every connection that connect() reported made is accepted. */
		for (i = 0; i < n; i++) {
			a = RETRY(w, es_socket, "accept",
				  accept4(l, NULL, NULL, SOCK_NONBLOCK));
			if (a < 0)
				break;
			atomic_fetch_add(&sh->cnt[0], 1);
			if (RETRY(w, E_NONE, "accepted send", send(a, "ok", 2, 0)) == 2 &&
			    RETRY(w, E(EAGAIN), "client recv",
				  recv(c[i], buf, sizeof(buf), MSG_DONTWAIT)) < 0)
				sfail(sh, "%s: reply on accepted connection %d lost", tn, i);
			SC(sh, E_NONE, tn, close(a));
		}
		/* And no more than that. */
		/* (A socket inode is made before the queue is looked at.) */
		a = SC(sh, E(EAGAIN, ENFILE), "accept when none is queued",
		       accept4(l, NULL, NULL, SOCK_NONBLOCK));
		if (a >= 0) {
			sfail(sh, "%s: accepted a connection no connect() reported", tn);
			close(a);
		}
close_clients:
		for (i = 0; i < n; i++)
			SC(sh, E_NONE, tn, close(c[i]));
next:
		SC(sh, E_NONE, tn, close(l));
		if (path[0])
			unlink(path);
	}
}

/* ------------------------------------------------------------------------
 * stream_transfer: one process writes and reads a few stream pairs, with
 * non-blocking calls, so that partial and failed sends happen everywhere.
 */
#define ST_PAIRS	3

static void w_stream_transfer(struct fw *w)
{
	struct stress_shared *sh = w->sh;
	static unsigned char buf[65536];
	long sent[ST_PAIRS] = { 0 }, got[ST_PAIRS] = { 0 };
	int a[ST_PAIRS], b[ST_PAIRS], i;
	bool done = false;

	for (i = 0; i < ST_PAIRS; i++) {
		int sv[2];

		if (RETRY(w, es_socket, "socketpair",
			  socketpair(w->family, SOCK_STREAM | SOCK_NONBLOCK, 0, sv)) < 0) {
			while (i--) {
				close(a[i]);
				close(b[i]);
			}
			return;
		}
		a[i] = sv[0];
		b[i] = sv[1];
		if (i == 1) {
			set_int_opt(a[i], SOL_SOCKET, SO_SNDBUF, 4096);
			set_int_opt(b[i], SOL_SOCKET, SO_RCVBUF, 4096);
		}
	}
	while (!done) {
		done = !stress_running(sh);
		for (i = 0; i < ST_PAIRS; i++) {
			size_t len = rng_one_in(&w->r, 4) ? 1 + rng_below(&w->r, sizeof(buf)) :
							   1 + rng_below(&w->r, 4096);
			long n, bad;

			if (!done) {
				pattern_fill(buf, len, 0xfa17 + i, sent[i]);
				n = SC(sh, E(EAGAIN), "stream send",
				       send(a[i], buf, len, MSG_DONTWAIT));
				if (n > (long)len)
					sfail(sh, "send(%zu) returned %ld", len, n);
				if (n > 0)
					sent[i] += n;
			}
			n = SC(sh, E(EAGAIN), "stream recv",
			       recv(b[i], buf, 1 + rng_below(&w->r, sizeof(buf)), MSG_DONTWAIT));
			if (n == 0)
				sfail(sh, "stream pair %d: EOF before the end", i);
			if (n <= 0)
				continue;
			bad = pattern_check(buf, n, 0xfa17 + i, got[i]);
			if (bad >= 0) {
				sfail(sh, "stream pair %d: byte %ld corrupt", i, got[i] + bad);
				done = true;
			}
			got[i] += n;
			if (got[i] > sent[i])
				sfail(sh, "stream pair %d: received %ld of %ld bytes sent",
				      i, got[i], sent[i]);
		}
		if (stress_stopped(sh))
			break;
	}
	/* The rest, up to EOF: exactly what was reported sent. */
	for (i = 0; i < ST_PAIRS && !stress_stopped(sh); i++) {
		long n, t0 = now_ms();

		SC(sh, E_NONE, "shutdown", shutdown(a[i], SHUT_WR));
		for (;;) {
			n = SC(sh, E(EAGAIN), "stream drain",
			       recv(b[i], buf, sizeof(buf), MSG_DONTWAIT));
			if (n == 0)
				break;
			if (n < 0) {
				if (errno != EAGAIN || now_ms() - t0 > 10000) {
					sfail(sh, "stream pair %d: no EOF (%s)", i, errname(errno));
					break;
				}
				continue;
			}
			if (pattern_check(buf, n, 0xfa17 + i, got[i]) >= 0) {
				sfail(sh, "stream pair %d: corrupt while draining", i);
				break;
			}
			got[i] += n;
		}
		if (got[i] != sent[i])
			sfail(sh, "stream pair %d: %ld bytes reported sent, %ld received",
			      i, sent[i], got[i]);
		atomic_fetch_add(&sh->bytes, got[i]);
	}
	for (i = 0; i < ST_PAIRS; i++) {
		close(a[i]);
		close(b[i]);
	}
}

/* ------------------------------------------------------------------------
 * msg_transfer: seqpacket pairs, a dgram pair and a bound dgram receiver
 * that a sender reaches with sendto(); sequence-numbered messages.
 */
struct fmsg {
	uint32_t magic;
	uint32_t chan;
	uint32_t seq;
	uint32_t len;
};

#define FM_MAGIC	0xfa0175a9u
#define FM_CHANS	4

static void w_msg_transfer(struct fw *w)
{
	struct stress_shared *sh = w->sh;
	static unsigned char buf[8192];
	int tx[FM_CHANS], rx[FM_CHANS], types[FM_CHANS], i, made = 0;
	uint32_t sent[FM_CHANS] = { 0 }, got[FM_CHANS] = { 0 };
	struct sname rname;
	char path[128];
	bool done = false;

	path[0] = '\0';
	for (i = 0; i < FM_CHANS; i++) {
		int sv[2];

		types[i] = i < 2 ? SOCK_SEQPACKET : SOCK_DGRAM;
		if (i < 3) {
			if (RETRY(w, es_socket, "socketpair",
				  socketpair(w->family, types[i] | SOCK_NONBLOCK, 0, sv)) < 0)
				goto out;
			tx[i] = sv[0];
			rx[i] = sv[1];
		} else {
			rx[i] = RETRY(w, es_socket, "socket", socket(w->family, SOCK_DGRAM | SOCK_NONBLOCK, 0));
			if (rx[i] < 0)
				goto out;
			tx[i] = RETRY(w, es_socket, "socket", socket(w->family, SOCK_DGRAM | SOCK_NONBLOCK, 0));
			if (tx[i] < 0) {
				close(rx[i]);
				goto out;
			}
			while (fw_bind(w, rx[i], SOCK_DGRAM, &rname, path, sizeof(path)) < 0 &&
			       !stress_stopped(sh))
				;
		}
		made++;
	}
	while (!done) {
		done = !stress_running(sh);
		for (i = 0; i < FM_CHANS; i++) {
			struct fmsg h;
			struct msghdr mh;
			struct iovec iov;
			size_t len;
			long n;

			if (!done) {
				len = sizeof(h) + rng_below(&w->r, sizeof(buf) - sizeof(h));
				h.magic = FM_MAGIC;
				h.chan = i;
				h.seq = sent[i];
				h.len = len;
				memcpy(buf, &h, sizeof(h));
				pattern_fill(buf + sizeof(h), len - sizeof(h), 0xfa18 + i, h.seq * 8192ULL);
				if (i == 3)
					n = SC(sh, E(EAGAIN), "dgram sendto",
					       ssendto(tx[i], buf, len, MSG_DONTWAIT, &rname));
				else
					n = SC(sh, E(EAGAIN), type_name(types[i]),
					       send(tx[i], buf, len, MSG_DONTWAIT));
				if (n == (long)len)
					sent[i]++;
				else if (n >= 0)
					sfail(sh, "chan %d: message send of %zu returned %ld", i, len, n);
			}
			memset(&mh, 0, sizeof(mh));
			iov.iov_base = buf;
			iov.iov_len = sizeof(buf);
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			n = SC(sh, E(EAGAIN), type_name(types[i]), recvmsg(rx[i], &mh, MSG_DONTWAIT));
			if (n < 0)
				continue;
			memcpy(&h, buf, sizeof(h));
			if (n < (long)sizeof(h) || h.magic != FM_MAGIC || h.chan != (uint32_t)i ||
			    (long)h.len != n || (mh.msg_flags & MSG_TRUNC) || h.seq != got[i] ||
			    pattern_check(buf + sizeof(h), n - sizeof(h), 0xfa18 + i,
					  h.seq * 8192ULL) >= 0) {
				sfail(sh, "chan %d (%s): message %u: %ld bytes, seq %u, len %u: lost, torn or corrupt",
				      i, type_name(types[i]), got[i], n, h.seq, h.len);
				done = true;
				break;
			}
			got[i]++;
			atomic_fetch_add_explicit(&sh->msgs, 1, memory_order_relaxed);
		}
		if (stress_stopped(sh))
			break;
	}
	/* Drain: exactly the messages reported sent. */
	for (i = 0; i < FM_CHANS && !stress_stopped(sh); i++) {
		long n;

		while ((n = SC(sh, E(EAGAIN), "drain",
			       recv(rx[i], buf, sizeof(buf), MSG_DONTWAIT))) > 0)
			got[i]++;
		if (got[i] != sent[i])
			sfail(sh, "chan %d (%s): %u messages reported sent, %u received",
			      i, type_name(types[i]), sent[i], got[i]);
	}
out:
	for (i = 0; i < made; i++) {
		close(tx[i]);
		close(rx[i]);
	}
	if (path[0])
		unlink(path);
}

/* ------------------------------------------------------------------------
 * fd_passing: SCM_RIGHTS messages carrying sockets of the family, peeked
 * and received, spliced away, and sockets sent over themselves and over
 * each other (cycles only the garbage collector frees), while allocations
 * fail: kmalloc of the file list and the in-flight bookkeeping on send
 * (ENOMEM), the skb (ENOBUFS/ENOMEM), the duplicate list of a MSG_PEEK
 * (which then silently gives no files), fd table growth on receive
 * (MSG_CTRUNC with the files installed so far).  A record whose send
 * succeeded arrives once, whole, with a prefix of its files, in order and
 * of the types sent; all of them unless MSG_CTRUNC says otherwise (or a
 * peek's duplicate list could not be had).  Everything is closed at the
 * end: stress_end() waits for the collector to free every cycle.
 */
#define FF_MAXFDS	4
#define FF_MAGIC	0xfdfa17edu

struct ff_rec {
	uint32_t magic;
	uint32_t seq;
	uint8_t nfds;
	uint8_t types[FF_MAXFDS];
	uint8_t pad[3];
};

static long ff_send(struct fw *w, int fd, const int *fds, const int *types,
		    int k, uint32_t seq, const char *ctx)
{
	union {
		char b[CMSG_SPACE(FF_MAXFDS * sizeof(int))];
		struct cmsghdr align;
	} cb;
	struct ff_rec rec = { .magic = FF_MAGIC, .seq = seq, .nfds = k };
	struct iovec iov = { &rec, sizeof(rec) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	long n;
	int i;

	for (i = 0; i < k; i++)
		rec.types[i] = types[i];
	if (k) {
		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.b;
		mh.msg_controllen = CMSG_SPACE(k * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(k * sizeof(int));
		memcpy(CMSG_DATA(c), fds, k * sizeof(int));
	}
	/* A fresh pair with an empty queue: only injection may refuse. */
	n = SC(w->sh, E_NONE, ctx, sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL));
	if (n >= 0 && n != (long)sizeof(rec))
		sfail(w->sh, "%s: sendmsg of a %zu-byte record returned %ld",
		      ctx, sizeof(rec), n);
	return n;
}

/*
 * Receive (or peek) the record @seq that was sent on the other end; close
 * the files it gives.  Returns the number of files, or -1.
 */
static int ff_recv(struct fw *w, int fd, int type, uint32_t seq, int sent,
		   int flags, const char *ctx)
{
	union {
		char b[CMSG_SPACE(FF_MAXFDS * sizeof(int))];
		struct cmsghdr align;
	} cb;
	struct ff_rec rec;
	struct iovec iov = { &rec, sizeof(rec) };
	struct msghdr mh;
	struct cmsghdr *c;
	int fds[FF_MAXFDS], k = 0, i;
	long n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.b;
	mh.msg_controllen = sizeof(cb.b);
	memset(&rec, 0, sizeof(rec));
	n = RETRY(w, E_NONE, ctx,
		  recvmsg(fd, &mh, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		int m;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			sfail(w->sh, "%s: unexpected control message %d/%d", ctx,
			      c->cmsg_level, c->cmsg_type);
			continue;
		}
		m = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < m; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(f));
			if (k < FF_MAXFDS)
				fds[k++] = f;
			else
				close(f);
		}
	}
	if (n != sizeof(rec) || rec.magic != FF_MAGIC || rec.seq != seq ||
	    rec.nfds != sent || k > sent ||
	    (k < sent && !(flags & MSG_PEEK) && !(mh.msg_flags & MSG_CTRUNC)))
		sfail(w->sh, "%s (%s): record %u: %ld bytes, magic %#x, seq %u, %u files sent (%d expected), %d received, msg_flags %#x",
		      ctx, type_name(type), seq, n, rec.magic, rec.seq, rec.nfds,
		      sent, k, mh.msg_flags);
	for (i = 0; i < k; i++) {
		fw_mark(w, false);
		if (get_int_opt(fds[i], SOL_SOCKET, SO_DOMAIN) != w->family ||
		    get_int_opt(fds[i], SOL_SOCKET, SO_TYPE) != rec.types[i])
			sfail(w->sh, "%s: file %d of record %u is not the socket sent",
			      ctx, i, seq);
		fw_mark(w, true);
		SC(w->sh, E_NONE, "close a received file", close(fds[i]));
	}
	atomic_fetch_add_explicit(&w->sh->msgs, 1, memory_order_relaxed);
	return k;
}

static void w_fd_passing(struct fw *w)
{
	struct stress_shared *sh = w->sh;
	uint32_t seq = 0;
	char buf[64];
	int pfd[2];

	if (RETRY(w, es_socket, "pipe", pipe2(pfd, O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	while (stress_running(sh)) {
		int type = stress_types[rng_below(&w->r, 3)];
		const char *tn = type_name(type);
		int sv[2], pl[2 * FF_MAXFDS], np = 0, fds[FF_MAXFDS];
		int types[FF_MAXFDS], k, i, got;
		unsigned int what = rng_below(&w->r, 4);

		if (RETRY(w, es_socket, tn, socketpair(w->family, type, 0, sv)) < 0)
			break;
		/* Payload: sockets of any type, sometimes the pair itself. */
		k = 1 + rng_below(&w->r, FF_MAXFDS);
		for (i = 0; i < k; i++) {
			int t = stress_types[rng_below(&w->r, 3)], p[2];

			if (what == 3 && i < 2) {
				/* a cycle: the pair in its own queues */
				fds[i] = sv[i];
				types[i] = type;
				continue;
			}
			if (SC(sh, es_socket, "payload socketpair",
			       socketpair(w->family, t, 0, p)) < 0) {
				k = i;
				break;
			}
			pl[np++] = p[0];
			pl[np++] = p[1];
			fds[i] = p[rng_below(&w->r, 2)];
			types[i] = t;
			if (rng_one_in(&w->r, 3)) {
				/* a payload socket carrying itself */
				int self = fds[i];

				ff_send(w, p[0] == self ? p[1] : p[0], &self, &t, 1,
					0, "payload over itself");
			}
		}
		if (ff_send(w, sv[0], fds, types, k, seq, tn) == (long)sizeof(struct ff_rec)) {
			switch (what) {
			case 0:		/* peek, then receive */
				got = ff_recv(w, sv[1], type, seq, k, MSG_PEEK, "peek");
				if (got >= 0)
					ff_recv(w, sv[1], type, seq, k, 0, "recv after peek");
				break;
			case 1:		/* receive */
				ff_recv(w, sv[1], type, seq, k, 0, "recv");
				break;
			case 2:		/* splice it away (stream), or leave it */
				if (type == SOCK_STREAM &&
				    SC(sh, E(EAGAIN), "splice a record carrying files",
				       splice(sv[1], NULL, pfd[1], NULL, 1 + rng_below(&w->r, 16),
					      SPLICE_F_NONBLOCK)) > 0)
					SC(sh, E_NONE, "read the pipe", read(pfd[0], buf, sizeof(buf)));
				break;
			case 3:		/* the other way too: a pair cycle */
				ff_send(w, sv[1], fds, types, k, seq + 1, "cycle back");
				break;
			}
			seq += 2;
		}
		/* Close everything: what is still in flight, the collector frees. */
		for (i = 0; i < np; i++)
			SC(sh, E_NONE, "close", close(pl[i]));
		SC(sh, E_NONE, tn, close(sv[0]));
		SC(sh, E_NONE, tn, close(sv[1]));
	}
	close(pfd[0]);
	close(pfd[1]);
}

/* ------------------------------------------------------------------------
 * Running a test.
 */
struct fault_job {
	struct stress_shared *sh;
	void (*fn)(struct fw *);
	const char *test;
	int id;
};

static void fault_worker(void *arg)
{
	struct fault_job *j = arg;
	struct fw w = {
		.sh = j->sh,
		.family = j->sh->family,
		.id = j->id,
		.test = j->test,
	};

	rng_init(&w.r, j->sh->seed, 9000 + j->id);
	/* Fault in and lock everything now, so no user page fault can fail. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		sfail(j->sh, "mlockall: %s", strerror(errno));
		return;
	}
	w.mif = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (w.mif < 0) {
		sfail(j->sh, "/proc/self/make-it-fail: %s", strerror(errno));
		return;
	}
	stress_extra_errnos = fault_errnos;
	fw_mark(&w, true);
	j->fn(&w);
	fw_mark(&w, false);
	stress_extra_errnos = NULL;
	close(w.mif);
}

/* Injection off: a fresh pair and a fresh listener of each type work. */
static void fault_after(struct __test_metadata *_metadata, int family,
			const char *dir)
{
	char path[128], buf[8];
	int i;

	for (i = 0; i < 3; i++) {
		int type = stress_types[i], sv[2], l, c, a;
		struct sname name;

		ASSERT_RET(0, socketpair(family, type, 0, sv));
		ASSERT_RET(3, send(sv[0], "abc", 3, 0));
		ASSERT_RET(3, recv(sv[1], buf, sizeof(buf), 0));
		ASSERT_EQ(0, memcmp(buf, "abc", 3));
		close(sv[0]);
		close(sv[1]);

		snprintf(path, sizeof(path), "%s/after-%d", dir, i);
		sname_path(&name, family, path);
		l = socket(family, type, 0);
		ASSERT_LE(0, l);
		ASSERT_RET(0, sbind(l, &name));
		c = socket(family, type, 0);
		ASSERT_LE(0, c);
		if (type == SOCK_DGRAM) {
			ASSERT_RET(0, sconnect(c, &name));
			ASSERT_RET(2, send(c, "dg", 2, 0));
			ASSERT_RET(2, recv(l, buf, sizeof(buf), 0));
		} else {
			ASSERT_RET(0, listen(l, 4));
			ASSERT_RET(0, sconnect(c, &name));
			a = accept(l, NULL, NULL);
			ASSERT_LE(0, a);
			ASSERT_RET(2, send(c, "cs", 2, 0));
			ASSERT_RET(2, recv(a, buf, sizeof(buf), 0));
			close(a);
		}
		close(c);
		close(l);
		unlink(path);
	}
}

#define fault_run(fn) __fault_run(_metadata, self, variant, (fn), #fn)

static void __fault_run(struct __test_metadata *_metadata,
			FIXTURE_DATA(fault) *self,
			const FIXTURE_VARIANT(fault) *variant,
			void (*fn)(struct fw *), const char *name)
{
	struct fault_job jobs[2];
	const char *why;
	struct stress st;
	int i;

	__stress_init(_metadata, &st, self->family, variant->punix, self->dir,
		      name, fault_seconds(), false);
	TH_LOG("injecting %d%% allocation failures into the workers (PUNIX_FAULT_PERCENT)",
	       fault_percent());
	why = fault_configure(fault_percent());
	ASSERT_EQ(NULL, why) {
		TH_LOG("%s", why);
	}
	st.sh->deadline = now_ms() + st.seconds * 1000L;
	for (i = 0; i < 2; i++) {
		jobs[i].sh = st.sh;
		jobs[i].fn = fn;
		jobs[i].test = name;
		jobs[i].id = i;
		stress_proc(&st, "fault worker", fault_worker, &jobs[i]);
	}
	stress_wait(&st);
	fault_disable();

	/* Something must have been failed, or this tested nothing. */
	if (!atomic_load(&st.sh->failed) && atomic_load(&st.sh->injected) == 0)
		sfail(st.sh, "no call failed with ENOMEM/ENOBUFS in %d s: injection not working (task-filter, make-it-fail?)",
		      st.seconds);
	TH_LOG("%s: accepted %ld", name, atomic_load(&st.sh->cnt[0]));
	ASSERT_EQ(0, atomic_load(&st.sh->failed)) {
		TH_LOG("%s", st.sh->msg);
		TH_LOG("replay: PUNIX_STRESS_SEED=%llu", st.seed);
	}
	fault_after(_metadata, self->family, self->dir);
	stress_end(&st);
}

FAULT_TEST(sockets)
{
	fault_run(w_sockets);
}

FAULT_TEST(connect_accept)
{
	fault_run(w_connect_accept);
}

FAULT_TEST(stream_transfer)
{
	fault_run(w_stream_transfer);
}

FAULT_TEST(msg_transfer)
{
	fault_run(w_msg_transfer);
}

FAULT_TEST(fd_passing)
{
	fault_run(w_fd_passing);
}

TEST_HARNESS_MAIN
