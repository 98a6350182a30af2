// SPDX-License-Identifier: GPL-2.0
/*
 * How each blocking call sleeps: killable, interruptible, freezable.
 *
 * A child blocks in one call (stream recv, splice, accept, connect on a
 * full backlog, stream send and MSG_OOB send on a full send buffer, dgram
 * and seqpacket recv, dgram send to a full receive queue, seqpacket send
 * on a full send buffer); the parent then
 *
 *   sigkill          kills it with SIGKILL: every sleep must end (none
 *                    may be TASK_UNINTERRUPTIBLE), status 128 + SIGKILL;
 *   freeze_v2        freezes and thaws it with the cgroup v2 freezer
 *                    (cgroup.freeze, cgroup.events "frozen 1"), then lets
 *                    the call complete.  That freezer wakes every
 *                    interruptible sleeper, freezable or not, with a fake
 *                    signal: the unbounded call restarts and completes
 *                    (with SO_RCVTIMEO/SO_SNDTIMEO set it would fail with
 *                    EINTR, sock_intr_errno(), whatever the sleep);
 *   freeze_v1_timeo  the same with the cgroup v1 freezer (freezer.state)
 *                    and a timeout set.  That freezer freezes a
 *                    TASK_FREEZABLE sleeper in place without waking it.
 *                    af_unix sleeps freezable in stream recvmsg() only
 *                    (unix_stream_data_wait(..., freezable = true));
 *                    splice_read sleeps with the pipe locked and is not
 *                    freezable.  So stream recv completes and every other
 *                    call fails with EINTR.
 *
 * The answers are the same on 6.1 and 6.12 (TASK_FREEZABLE exists since
 * 6.1's freezer rewrite), and the native variant proves them.  Every
 * bench kernel, the debug kernel included, has both freezers.
 */
#include "punix_test.h"

#include <sys/mount.h>
#include <sys/statfs.h>
#include <linux/magic.h>

PUNIX_FIXTURE(sleep);

/* The blocking calls. */
enum kind {
	K_STREAM_RECV,
	K_STREAM_SPLICE,
	K_ACCEPT,
	K_CONNECT,
	K_STREAM_SEND,
	K_OOB_SEND,
	K_DGRAM_RECV,
	K_SEQPACKET_RECV,
	K_DGRAM_SEND,
	K_SEQPACKET_SEND,
};

/* What the parent does to the blocked child. */
enum how { H_SIGKILL, H_V2, H_V1 };

/* Child exit codes besides 0 (the call completed as it should). */
#define C_WRONG		99	/* completed with the wrong result */
#define C_ERRNO		100	/* + errno (capped at 155) */

struct scene {
	int a, b;		/* the blocked call's socket, its peer */
	int l;			/* listener (accept, connect) */
	int extra;		/* the connection filling the backlog */
	char path[128];
};

static int child_err(void)
{
	return C_ERRNO + (errno > 55 ? 55 : errno);
}

/* Parent: prepare @k so that the child's call blocks. 0 or -1. */
static int scene_setup(struct scene *s, int family, const char *dir,
		       enum kind k)
{
	int type = SOCK_STREAM, sv[2];
	struct sockaddr_un sun;
	socklen_t len;

	memset(s, 0, sizeof(*s));
	s->a = s->b = s->l = s->extra = -1;
	snprintf(s->path, sizeof(s->path), "%s/s%d", dir, (int)k);

	switch (k) {
	case K_ACCEPT:
	case K_CONNECT:
		s->l = socket(family, SOCK_STREAM, 0);
		if (s->l < 0 || bind_path(s->l, family, s->path) ||
		    listen(s->l, 0))
			return -1;
		if (k == K_ACCEPT)
			return 0;
		/* Backlog 0 holds one connection: the next one waits. */
		s->extra = socket(family, SOCK_STREAM, 0);
		s->a = socket(family, SOCK_STREAM, 0);
		if (s->extra < 0 || s->a < 0 ||
		    connect_path(s->extra, family, s->path))
			return -1;
		return 0;
	case K_DGRAM_SEND:
		/* A receiver not connected back: its queue length limits. */
		s->b = socket(family, SOCK_DGRAM, 0);
		s->a = socket(family, SOCK_DGRAM, 0);
		if (s->b < 0 || s->a < 0 || bind_path(s->b, family, s->path))
			return -1;
		len = fill_addr(&sun, family, s->path);
		if (connect(s->a, (struct sockaddr *)&sun, len))
			return -1;
		while (send(s->a, "d", 1, MSG_DONTWAIT) == 1)
			;
		return errno == EAGAIN ? 0 : -1;
	case K_DGRAM_RECV:
		type = SOCK_DGRAM;
		break;
	case K_SEQPACKET_RECV:
	case K_SEQPACKET_SEND:
		type = SOCK_SEQPACKET;
		break;
	default:
		break;
	}
	if (socketpair(family, type, 0, sv))
		return -1;
	s->a = sv[0];
	s->b = sv[1];
	switch (k) {
	case K_STREAM_SEND:
	case K_OOB_SEND:
	case K_SEQPACKET_SEND:
		return fill_sndbuf(s->a, 4096) > 0 ? 0 : -1;
	default:
		return 0;
	}
}

/* The system call the child blocks in, for wait_blocked_in(). */
static long scene_syscall(enum kind k)
{
	switch (k) {
	case K_STREAM_RECV:
	case K_DGRAM_RECV:
	case K_SEQPACKET_RECV:
		return SYS_recvfrom;
	case K_STREAM_SPLICE:
		return SYS_splice;
	case K_ACCEPT:
		return SYS_accept;
	case K_CONNECT:
		return SYS_connect;
	default:
		return SYS_sendto;
	}
}

/* Child: the blocking call, with a SO_*TIMEO if @timed; exit code. */
static int scene_call(struct scene *s, int family, enum kind k, bool timed)
{
	ssize_t n = -1;
	char buf[8];
	int p[2], fd;

	if (timed) {
		int opt = k == K_STREAM_SEND || k == K_OOB_SEND ||
			  k == K_DGRAM_SEND || k == K_SEQPACKET_SEND ||
			  k == K_CONNECT ? SO_SNDTIMEO : SO_RCVTIMEO;

		if (set_timeo(k == K_ACCEPT ? s->l : s->a, opt, LONG_TIMEO_MS))
			return child_err();
	}

	switch (k) {
	case K_STREAM_RECV:
	case K_DGRAM_RECV:
	case K_SEQPACKET_RECV:
		n = recv(s->a, buf, sizeof(buf), 0);
		if (n < 0)
			return child_err();
		return n == 4 && !memcmp(buf, "data", 4) ? 0 : C_WRONG;
	case K_STREAM_SPLICE:
		if (pipe(p))
			return C_WRONG;
		n = splice(s->a, NULL, p[1], NULL, sizeof(buf), 0);
		if (n < 0)
			return child_err();
		return n == 4 ? 0 : C_WRONG;
	case K_ACCEPT:
		fd = accept(s->l, NULL, NULL);
		return fd < 0 ? child_err() : 0;
	case K_CONNECT:
		return connect_path(s->a, family, s->path) ? child_err() : 0;
	case K_STREAM_SEND:
	case K_DGRAM_SEND:
	case K_SEQPACKET_SEND:
		n = send(s->a, "x", 1, 0);
		break;
	case K_OOB_SEND:
		n = send(s->a, "x", 1, MSG_OOB);
		break;
	}
	if (n < 0)
		return child_err();
	return n == 1 ? 0 : C_WRONG;
}

/* Parent: make the child's call (or its restart) complete. 0 or -1. */
static int scene_release(struct scene *s, int family, enum kind k)
{
	char buf[8];
	int fd;

	switch (k) {
	case K_STREAM_RECV:
	case K_STREAM_SPLICE:
	case K_DGRAM_RECV:
	case K_SEQPACKET_RECV:
		return send(s->b, "data", 4, 0) == 4 ? 0 : -1;
	case K_ACCEPT:
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0 || connect_path(fd, family, s->path))
			return -1;
		close(fd);
		return 0;
	case K_CONNECT:
		fd = accept(s->l, NULL, NULL);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	case K_DGRAM_SEND:
		return recv(s->b, buf, sizeof(buf), 0) == 1 ? 0 : -1;
	default:
		return drain(s->b) > 0 ? 0 : -1;
	}
}

static void scene_close(struct scene *s)
{
	int *fds[] = { &s->a, &s->b, &s->l, &s->extra };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

/* Write @val to the file @dir/@name. */
static int write_file(const char *dir, const char *name, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * Wait until @dir/@name contains @want, for at most LONG_TIMEO_MS: the
 * freezer's progress can only be read, as wait_blocked_in() reads
 * /proc.
 */
static bool wait_file_has(const char *dir, const char *name, const char *want)
{
	long end = now_ms() + LONG_TIMEO_MS;
	char path[256], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, want))
				return true;
		}
		sleep_ms(2);
	} while (now_ms() < end);
	return false;
}

#define CGROUP2_ROOT	"/sys/fs/cgroup"
#define FREEZER_V1_ROOT	"/tmp/punix-freezer-v1"

/*
 * Make a new cgroup for the freezer @how into @grp; mount its hierarchy
 * first if need be.  0, or -1 when the kernel has no such freezer (errno
 * tells).
 */
static int freezer_group(enum how how, char *grp, size_t size)
{
	struct statfs st;

	if (how == H_V2) {
		if (statfs(CGROUP2_ROOT, &st) ||
		    st.f_type != CGROUP2_SUPER_MAGIC) {
			if (mount("cgroup2", CGROUP2_ROOT, "cgroup2", 0, NULL))
				return -1;
		}
		snprintf(grp, size, CGROUP2_ROOT "/punix-sleep-%d",
			 (int)getpid());
	} else {
		if (statfs(FREEZER_V1_ROOT, &st) ||
		    st.f_type != CGROUP_SUPER_MAGIC) {
			if (mkdir(FREEZER_V1_ROOT, 0755) && errno != EEXIST)
				return -1;
			if (mount("cgroup", FREEZER_V1_ROOT, "cgroup", 0,
				  "freezer"))
				return -1;
		}
		snprintf(grp, size, FREEZER_V1_ROOT "/punix-sleep-%d",
			 (int)getpid());
	}
	return mkdir(grp, 0755);
}

/* Freeze (@on) or thaw the group @grp and wait until it is so. */
static bool freezer_set(enum how how, const char *grp, bool on)
{
	if (how == H_V2)
		return !write_file(grp, "cgroup.freeze", on ? "1" : "0") &&
		       wait_file_has(grp, "cgroup.events",
				     on ? "frozen 1" : "frozen 0");
	return !write_file(grp, "freezer.state", on ? "FROZEN" : "THAWED") &&
	       wait_file_has(grp, "freezer.state", on ? "FROZEN" : "THAWED");
}

/*
 * Block a child in call @k, then @how; returns the child's exit code
 * (128 + signal if killed).  @timed sets SO_RCVTIMEO/SO_SNDTIMEO first.
 */
static int run_scene(struct __test_metadata *_metadata, int family,
		     const char *dir, enum kind k, enum how how, bool timed)
{
	char grp[128] = "";
	struct scene s;
	pid_t pid;
	int code;

	if (how != H_SIGKILL) {
		ASSERT_EQ(0, freezer_group(how, grp, sizeof(grp))) {
			TH_LOG("cgroup for the %s freezer: %s",
			       how == H_V2 ? "v2" : "v1", strerror(errno));
		}
	}
	ASSERT_EQ(0, scene_setup(&s, family, dir, k)) {
		TH_LOG("setup of kind %d: %s", k, strerror(errno));
	}

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(scene_call(&s, family, k, timed));

	ASSERT_TRUE(wait_blocked_in(pid, scene_syscall(k)));
	if (how == H_SIGKILL) {
		ASSERT_EQ(0, kill(pid, SIGKILL));
	} else {
		char num[16];

		snprintf(num, sizeof(num), "%d", (int)pid);
		ASSERT_EQ(0, write_file(grp, "cgroup.procs", num));
		ASSERT_TRUE(freezer_set(how, grp, true));
		ASSERT_TRUE(freezer_set(how, grp, false));
		ASSERT_EQ(0, scene_release(&s, family, k));
	}
	code = wait_child(pid);
	if (grp[0])
		ASSERT_EQ(0, rmdir(grp));
	scene_close(&s);
	return code;
}

#define EINTR_CODE	(C_ERRNO + EINTR)

static const struct {
	const char *name;
	enum kind k;
	int v1_timed;	/* exit code with the v1 freezer and a timeout */
} calls[] = {
	/* The one freezable sleep: frozen in place, the call completes. */
	{ "stream_recv", K_STREAM_RECV, 0 },
	{ "stream_splice", K_STREAM_SPLICE, EINTR_CODE },
	{ "accept", K_ACCEPT, EINTR_CODE },
	{ "connect", K_CONNECT, EINTR_CODE },
	{ "stream_send", K_STREAM_SEND, EINTR_CODE },
	{ "oob_send", K_OOB_SEND, EINTR_CODE },
	{ "dgram_recv", K_DGRAM_RECV, EINTR_CODE },
	{ "seqpacket_recv", K_SEQPACKET_RECV, EINTR_CODE },
	{ "dgram_send", K_DGRAM_SEND, EINTR_CODE },
	{ "seqpacket_send", K_SEQPACKET_SEND, EINTR_CODE },
};

/* Is the filesystem @name in /proc/filesystems? */
static bool kernel_has_fs(const char *name)
{
	char line[128], *tab;
	bool found = false;
	FILE *f = fopen("/proc/filesystems", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strrchr(line, '\t');
		found = !strcmp(tab ? tab + 1 : line, name);
	}
	fclose(f);
	return found;
}

/*
 * Every call under one treatment (one test each: a test costs about as
 * much as the calls it makes under emulation).  @want < 0 means the
 * table's v1_timed.
 *
 * Every bench kernel has both freezers (the debug kernel's config asks
 * for CONFIG_CGROUP_FREEZER): a kernel without the filesystem fails.
 */
static void run_all(struct __test_metadata *_metadata, int family,
		    const char *dir, enum how how, bool timed, int want)
{
	const char *fs = how == H_V2 ? "cgroup2" : "cgroup";

	if (how != H_SIGKILL)
		ASSERT_TRUE(kernel_has_fs(fs)) {
			TH_LOG("no %s filesystem in this kernel: no freezer",
			       fs);
		}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		int code = run_scene(_metadata, family, dir, calls[i].k, how,
				     timed);

		ASSERT_EQ(want < 0 ? calls[i].v1_timed : want, code) {
			TH_LOG("%s: child exit code %d", calls[i].name, code);
		}
	}
}

TEST_F(sleep, sigkill)
{
	run_all(_metadata, self->family, self->dir, H_SIGKILL, false,
		128 + SIGKILL);
}

TEST_F(sleep, freeze_v2)
{
	run_all(_metadata, self->family, self->dir, H_V2, false, 0);
}

TEST_F(sleep, freeze_v1_timeo)
{
	run_all(_metadata, self->family, self->dir, H_V1, true, -1);
}

TEST_HARNESS_MAIN
