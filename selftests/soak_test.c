// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded soak: for a fixed time, several processes open, connect,
 * accept, write to, pass (SCM_RIGHTS, sockets and listeners included, a
 * socket over itself and pairs over each other: cycles for the garbage
 * collector) and randomly close hundreds of stream, seqpacket and datagram
 * sockets; then everything they made must be gone: once the processes have
 * exited and the collector has settled, every counter is back where it was
 * before the round:
 *
 *   - the family's socks in /proc/net/protocols ("sockets" of its two
 *     protos: sock_prot_inuse, one per sock object of its slab caches,
 *     which the kernel merges with others, so they have no count of their
 *     own in /proc/slabinfo);
 *   - the lines of /proc/net/unix or /proc/net/punix (socks not released);
 *   - "sockets: used" of /proc/net/sockstat (socket inodes);
 *   - the punix module's reference count (/sys/module/punix/refcnt: one
 *     per punix sock).
 * The debug kernel's kmemleak scan at the end of the check run
 * (scripts/guest/check-init.sh) then finds what was freed wrongly or never.
 *
 * Plain TAP, one case a round, over the punix family only: the same
 * rounds over AF_UNIX end with every counter back on 6.1, but on 6.12
 * af_unix's collector leaves a few hundred garbage socks (of ~4000 cycles)
 * uncollected 20 s later, further releases notwithstanding, so AF_UNIX
 * cannot be the check of the counters there. Rounds are timed, not counted
 * (DEF_SECS each, about 95 s in all under emulation): the debug kernel
 * does fewer operations in the same time. Its check run has little time
 * left, so its rounds last DEBUG_SECS (the debug kernel is the one with
 * kmemleak). Every kernel runs DEF_ROUNDS rounds, so that the case names
 * are the same ("-l" lists them for the bench's expected lists). All calls
 * are non-blocking.
 *
 *   soak_test [-l] [--rounds N] [--secs S] [--workers W]   (SOAK_SECS too)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/punix.h>

#include "file_util.h"

/* Measured under emulation: see the README's "Reliability". */
#define DEF_ROUNDS	3
#define DEF_SECS	30
#define DEBUG_SECS	12
#define DEF_WORKERS	4
#define NSLOT		96
#define NNAME		8	/* listener names per worker */
#define SETTLE_MS	20000	/* for the collectors' work items */

static int nworkers = DEF_WORKERS;

struct stats {
	long ops, sent_fds, cycles, accepted, max_open;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the counters ---- */

struct counters {
	long socks, lines, used, refcnt;
};

static long count_lines(const char *path)
{
	char line[1024];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static long read_number(const char *path, const char *key)
{
	char line[512];
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtol(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key))) {
			v = strtol(line + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static struct counters counters(int family)
{
	struct counters c;

	c.socks = proto_sockets(family != AF_UNIX);
	c.lines = count_lines(family == AF_UNIX ? "/proc/net/unix" :
						  "/proc/net/punix");
	c.used = read_number("/proc/net/sockstat", "sockets: used ");
	c.refcnt = read_number("/sys/module/punix/refcnt", NULL);
	return c;
}

static bool same(const struct counters *a, const struct counters *b)
{
	return a->socks == b->socks && a->lines == b->lines &&
	       a->used == b->used && a->refcnt == b->refcnt;
}

/* ---- a worker ---- */

static int fds[NSLOT];
static int family;
static unsigned int rng;

static unsigned int rnd(unsigned int n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static socklen_t name_addr(struct sockaddr_un *sun, int worker, int k)
{
	int len;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = family;
	len = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
		       "punix-%d-soak-%d-%d", (int)getppid(), worker, k);
	return offsetof(struct sockaddr_un, sun_path) + 1 + len;
}

/* Put @fd in a free slot, or close it when there is none. */
static void keep(int fd, struct stats *st)
{
	long open = 0;

	if (fd < 0)
		return;
	for (int i = 0; i < NSLOT; i++) {
		if (fd >= 0 && fds[i] < 0) {
			fds[i] = fd;
			fd = -1;
		}
		open += fds[i] >= 0;
	}
	if (fd >= 0)
		close(fd);
	if (open > st->max_open)
		st->max_open = open;
}

static int any_slot(void)
{
	int i = rnd(NSLOT);

	for (int n = 0; n < NSLOT; n++, i = (i + 1) % NSLOT)
		if (fds[i] >= 0)
			return i;
	return -1;
}

static void close_slot(int i)
{
	if (i >= 0 && fds[i] >= 0) {
		close(fds[i]);
		fds[i] = -1;
	}
}

static int send_fds(int fd, const int *list, int n, size_t len)
{
	static char data[8192];
	char cbuf[CMSG_SPACE(8 * sizeof(int))] = { 0 };
	struct iovec iov = { data, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm = (struct cmsghdr *)cbuf;

	if (n) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), list, n * sizeof(int));
	}
	return sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void recv_some(int fd, struct stats *st)
{
	static char data[16384];
	char cbuf[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { data, 1 + rnd(sizeof(data)) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	if (recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
		return;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		int n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int), got[16];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(got, CMSG_DATA(cm), n * sizeof(int));
		for (int i = 0; i < n; i++) {
			if (rnd(3))
				keep(got[i], st);
			else
				close(got[i]);
		}
	}
}

static void one_op(int me, struct stats *st)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	struct sockaddr_un sun;
	int sv[2], fd, i, j, n, list[8];
	unsigned int r = rnd(100);
	socklen_t len;

	st->ops++;
	if (r < 10) {			/* a pair */
		if (!socketpair(family, types[rnd(3)] | SOCK_NONBLOCK, 0, sv)) {
			keep(sv[0], st);
			keep(sv[1], st);
		}
	} else if (r < 13) {		/* a listener on one of my names */
		fd = socket(family, types[rnd(2)] | SOCK_NONBLOCK, 0);
		len = name_addr(&sun, me, rnd(NNAME));
		if (fd >= 0 && !bind(fd, (struct sockaddr *)&sun, len) &&
		    !listen(fd, rnd(5)))
			keep(fd, st);
		else if (fd >= 0)
			close(fd);
	} else if (r < 23) {		/* connect to anyone's name */
		fd = socket(family, types[rnd(2)] | SOCK_NONBLOCK, 0);
		len = name_addr(&sun, rnd(nworkers), rnd(NNAME));
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sun, len))
			keep(fd, st);
		else if (fd >= 0)
			close(fd);
	} else if (r < 30) {		/* accept */
		i = any_slot();
		fd = i < 0 ? -1 : accept4(fds[i], NULL, NULL, SOCK_NONBLOCK);
		if (fd >= 0)
			st->accepted++;
		keep(fd, st);
	} else if (r < 45) {		/* data */
		i = any_slot();
		if (i >= 0)
			send_fds(fds[i], NULL, 0, 1 + rnd(8192));
	} else if (r < 58) {		/* files, any of mine, maybe itself */
		i = any_slot();
		n = 1 + rnd(4);
		for (j = 0; j < n; j++) {
			int k = any_slot();

			list[j] = k < 0 ? 0 : fds[k];
		}
		if (i >= 0 && send_fds(fds[i], list, n, rnd(3) ? 1 + rnd(64) : 1) >= 0)
			st->sent_fds += n;
	} else if (r < 61) {		/* a cycle: each end over the other */
		if (!socketpair(family, types[rnd(3)] | SOCK_NONBLOCK, 0, sv)) {
			send_fds(sv[0], &sv[1], 1, 1);
			send_fds(sv[1], &sv[0], 1, 1);
			if (rnd(2))
				send_fds(sv[0], &sv[0], 1, 1);
			close(sv[0]);
			close(sv[1]);
			st->cycles++;
		}
	} else if (r < 78) {		/* receive, keeping some files */
		i = any_slot();
		if (i >= 0)
			recv_some(fds[i], st);
	} else if (r < 93) {		/* close */
		close_slot(any_slot());
	} else if (r < 96) {		/* shutdown */
		i = any_slot();
		if (i >= 0)
			shutdown(fds[i], rnd(3));
	} else {			/* dup */
		i = any_slot();
		if (i >= 0)
			keep(fcntl(fds[i], F_DUPFD_CLOEXEC, 0), st);
	}
}

static void worker(int me, unsigned int seed, long end, struct stats *st)
{
	rng = seed;
	for (int i = 0; i < NSLOT; i++)
		fds[i] = -1;
	while (now_ms() < end) {
		for (int k = 0; k < 8; k++)
			one_op(me, st);
		/* Sometimes drop everything: many closes at once. */
		if (!rnd(40))
			for (int i = 0; i < NSLOT; i++)
				close_slot(i);
	}
	for (int i = 0; i < NSLOT; i++)
		close_slot(i);
}

/* One round: the workers, then the counters. Returns 0 if it passed. */
static int round_run(int num, int fam, unsigned int seed, int secs)
{
	struct counters before, after;
	struct stats *st, sum = { 0 };
	pid_t pids[64];
	long end, t0, settled;
	int bad = 0, status;

	st = mmap(NULL, sizeof(*st) * nworkers, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return -1;
	memset(st, 0, sizeof(*st) * nworkers);
	family = fam;
	before = counters(fam);
	t0 = now_ms();
	end = t0 + secs * 1000L;
	fflush(NULL);
	for (int w = 0; w < nworkers; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			alarm(secs + 60);
			worker(w, seed * 131 + w, end, &st[w]);
			_exit(0);
		}
		if (pids[w] < 0)
			bad = 1;
	}
	for (int w = 0; w < nworkers; w++) {
		if (pids[w] <= 0)
			continue;
		if (waitpid(pids[w], &status, 0) != pids[w] ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# worker %d: status 0x%x\n", w, status);
			bad = 1;
		}
		sum.ops += st[w].ops;
		sum.sent_fds += st[w].sent_fds;
		sum.cycles += st[w].cycles;
		sum.accepted += st[w].accepted;
		sum.max_open += st[w].max_open;
	}
	/*
	 * The collectors run when a socket is released while files are in
	 * flight (af_unix on 6.1 skips a run while one is in progress, so
	 * the last cycles can wait for the next release): release one now
	 * and then until the counters are back.
	 */
	settled = now_ms();
	do {
		int sv[2];

		after = counters(fam);
		if (same(&before, &after))
			break;
		if (!socketpair(fam, SOCK_DGRAM, 0, sv)) {
			close(sv[0]);
			close(sv[1]);
		}
		usleep(20000);
	} while (now_ms() - settled < SETTLE_MS);
	printf("# family %d round %d: %ld ops, %ld fds sent, %ld cycles, %ld accepted, up to %ld fds open, %ld ms, settled in %ld ms\n",
	       fam, num, sum.ops, sum.sent_fds, sum.cycles, sum.accepted,
	       sum.max_open, settled - t0, now_ms() - settled);
	if (!same(&before, &after)) {
		printf("# counters before: socks %ld lines %ld used %ld refcnt %ld; after: %ld %ld %ld %ld\n",
		       before.socks, before.lines, before.used, before.refcnt,
		       after.socks, after.lines, after.used, after.refcnt);
		bad = 1;
	}
	if (before.socks < 0 || before.lines < 0 || before.used < 0 ||
	    before.refcnt < 0) {
		printf("# a counter cannot be read\n");
		bad = 1;
	}
	munmap(st, sizeof(*st) * nworkers);
	return bad;
}

int main(int argc, char **argv)
{
	int rounds = DEF_ROUNDS, secs, fam, num = 0, failed = 0;

	secs = size_for_kernel("SOAK_SECS", DEF_SECS, DEBUG_SECS);
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (int r = 1; r <= rounds; r++)
			printf("soak_round_%d\n", r);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			secs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
			nworkers = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--rounds N] [--secs S] [--workers W]\n",
				argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || secs < 1 || nworkers < 1 || nworkers > 64) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	printf("TAP version 13\n1..%d\n", rounds);
	printf("# %d workers, %d s a round, %d slots each\n", nworkers, secs, NSLOT);
	fam = read_family();
	for (int r = 1; r <= rounds; r++) {
		int bad = fam <= 0 ? 1 : round_run(r, fam, r, secs);

		if (fam <= 0)
			printf("# cannot read %s\n", PUNIX_FAMILY_SYSFS);
		failed += !!bad;
		printf("%sok %d soak_round_%d\n", bad ? "not " : "", ++num, r);
	}
	return failed ? 1 : 0;
}
