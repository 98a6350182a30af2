/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixture and helpers for the punix differential selftests.
 *
 * Every test is a TEST_F() on a fixture declared with PUNIX_FIXTURE(), which
 * has exactly two variants:
 *
 *   native  the kernel's own AF_UNIX;
 *   punix   the family registered by the punix module, read at run time from
 *           /sys/module/punix/parameters/family.  If that file cannot be read
 *           the setup ASSERTs, so the punix variant FAILS (it never skips).
 *
 * Both variants run the very same assertions: the native variant proves the
 * test right, the punix variant proves the module.
 *
 * Each test gets its own fresh directory under /tmp (self->dir), removed by
 * the teardown (run in the parent, so also after a failed ASSERT), and a
 * watchdog alarm so a blocked call cannot hang the suite.
 *
 * Rules for the test bodies:
 *   - ASSERT_*()/EXPECT_*() only in the test process itself: a forked child
 *     reports through its exit status (see child_*() below), because the
 *     harness' longjmp in a child would run the teardown twice.
 *   - Exact return values, exact errno, exact data.
 */
#ifndef _PUNIX_TEST_H
#define _PUNIX_TEST_H

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/punix.h>

#include "file_util.h"

/*
 * The 6.12 harness is not -Wextra clean: an unused handler parameter, and
 * TEST_F()'s wrapper keeps locals across setjmp() (-Wclobbered, reported in
 * every test file that expands it).  The clobbering is real at -O2: after
 * a failed ASSERT the test process may not run a plain FIXTURE_TEARDOWN(),
 * which is why PUNIX_FIXTURE() uses FIXTURE_TEARDOWN_PARENT().
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"
/*
 * i386 (selftests/Makefile's <name>32 programs): the harness prints a failed
 * pointer comparison through a (uintmax_t) cast, wider than a pointer there.
 */
#ifdef __i386__
#pragma GCC diagnostic ignored "-Wpointer-to-int-cast"
#endif

/* Seconds a single test may run before its watchdog SIGALRM kills it. */
#define PUNIX_WATCHDOG		10

/* uid/gid the permission tests drop to (nobody/nogroup). */
#define NOBODY_ID		65534

#define SUN_HDR			offsetof(struct sockaddr_un, sun_path)
#define SUN_PATH_MAX		sizeof(((struct sockaddr_un *)0)->sun_path)

/* All poll bits a unix stream socket can report, requested by poll tests. */
#define POLL_ALL	(POLLIN | POLLPRI | POLLOUT | POLLRDHUP | POLLRDNORM | \
			 POLLRDBAND | POLLWRNORM | POLLWRBAND)
#define POLL_WR		(POLLOUT | POLLWRNORM | POLLWRBAND)
#define POLL_RD		(POLLIN | POLLRDNORM)

/*
 * Family of the loaded punix module, or -errno if it cannot be determined.
 */
static inline int punix_family(void)
{
	char buf[32];
	ssize_t n;
	char *end;
	long val;
	int fd;

	fd = open(PUNIX_FAMILY_SYSFS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENODATA;
	buf[n] = '\0';
	errno = 0;
	val = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') ||
	    val <= 0 || val >= 64)
		return -EINVAL;
	return (int)val;
}

/* Remove the per-test directory; an nftw() callback. */
static inline int __punix_rm(const char *path, const struct stat *st,
			     int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static inline void punix_rmtree(const char *dir)
{
	if (dir[0])
		nftw(dir, __punix_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * wait_blocked_in() reads another task's /proc/<pid>/syscall, which needs
 * ptrace rights.  Run unprivileged (same uid everywhere), a parent may
 * read its children under Yama's ptrace_scope 1 (ancestors only: the
 * upstream default; Debian's kernels boot with 0), but a child may not
 * read its parent.  Naming
 * ourselves as our ptracer lets every descendant read us (Yama's exception
 * covers the named task and its descendants).  Without Yama the call fails
 * with EINVAL and nothing is needed.  The test process calls it (in the
 * fixture setup), and so does any unprivileged child that others wait on.
 */
static inline void allow_ptrace_by_children(void)
{
	prctl(PR_SET_PTRACER, (unsigned long)getpid(), 0, 0, 0);
}

/*
 * PUNIX_FIXTURE(name) declares fixture @name with its native and punix
 * variants, and the setup/teardown shared by all tests.
 *
 *   self->family   family under test (AF_UNIX or the punix family)
 *   self->dir      private directory for this test, mode 0755
 */
#define PUNIX_FIXTURE(fx)						\
FIXTURE(fx) {								\
	int family;							\
	char dir[64];							\
};									\
FIXTURE_VARIANT(fx) {							\
	bool punix;							\
};									\
FIXTURE_VARIANT_ADD(fx, native) {					\
	.punix = false,							\
};									\
FIXTURE_VARIANT_ADD(fx, punix) {					\
	.punix = true,							\
};									\
FIXTURE_SETUP(fx)							\
{									\
	self->dir[0] = '\0';						\
	if (variant->punix) {						\
		self->family = punix_family();				\
		ASSERT_GT(self->family, 0) {				\
			TH_LOG("cannot read the punix family from %s: %s", \
			       PUNIX_FAMILY_SYSFS,			\
			       strerror(-self->family));		\
		}							\
	} else {							\
		self->family = AF_UNIX;					\
	}								\
	strcpy(self->dir, "/tmp/punix-XXXXXX");				\
	ASSERT_NE(NULL, mkdtemp(self->dir)) {				\
		self->dir[0] = '\0';					\
	}								\
	/* Searchable by the unprivileged children of EACCES tests. */	\
	ASSERT_EQ(0, chmod(self->dir, 0755));				\
	signal(SIGPIPE, SIG_DFL);					\
	allow_ptrace_by_children();					\
	alarm(PUNIX_WATCHDOG);						\
}									\
FIXTURE_TEARDOWN_PARENT(fx)						\
{									\
	punix_rmtree(self->dir);					\
}

/*
 * The other family: for the native variant the punix one (so it must be
 * loaded), for the punix variant AF_UNIX.  Used by "node owned by the other
 * family" tests.
 */
#define OTHER_FAMILY(_fam) ({						\
	int __of = (_fam) == AF_UNIX ? punix_family() : AF_UNIX;	\
	ASSERT_GT(__of, 0) {						\
		TH_LOG("cannot read the punix family from %s: %s",	\
		       PUNIX_FAMILY_SYSFS, strerror(-__of));		\
	}								\
	__of; })

/* Build "<self->dir>/<name>" into the char array @buf. */
#define TPATH(buf, name) \
	snprintf((buf), sizeof(buf), "%s/%s", self->dir, (name))

/*
 * Assert that @call fails with -1 and errno @err.  Reports both errnos by
 * name when it does not.
 */
#define ASSERT_ERRNO(err, call) do {					\
	long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long)(call);						\
	__e = errno;							\
	ASSERT_EQ(-1, __r) {						\
		TH_LOG("%s succeeded, wanted %s", #call, strerror(err)); \
	}								\
	ASSERT_EQ((err), __e) {						\
		TH_LOG("%s: errno %d (%s), wanted %d (%s)", #call,	\
		       __e, strerror(__e), (err), strerror(err));	\
	}								\
} while (0)

/* Assert that @call returns @want (and report errno when it does not). */
#define ASSERT_RET(want, call) do {					\
	long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long)(call);						\
	__e = errno;							\
	ASSERT_EQ((long)(want), __r) {					\
		TH_LOG("%s: errno %d (%s)", #call, __e, strerror(__e));	\
	}								\
} while (0)

/* Fill @sun for @path; returns the conventional length (path + NUL). */
static inline socklen_t fill_addr(struct sockaddr_un *sun, int family,
				  const char *path)
{
	size_t n = strlen(path);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = family;
	memcpy(sun->sun_path, path, n < SUN_PATH_MAX ? n : SUN_PATH_MAX);
	return SUN_HDR + n + 1;
}

static inline int bind_path(int fd, int family, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = fill_addr(&sun, family, path);

	return bind(fd, (struct sockaddr *)&sun, len);
}

static inline int connect_path(int fd, int family, const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = fill_addr(&sun, family, path);

	return connect(fd, (struct sockaddr *)&sun, len);
}

static inline int __new_socket(struct __test_metadata *_metadata,
			       int family, int type)
{
	int fd = socket(family, type, 0);

	ASSERT_LE(0, fd) {
		TH_LOG("socket(%d, %d, 0): %s", family, type, strerror(errno));
	}
	return fd;
}
#define new_socket(family) __new_socket(_metadata, (family), SOCK_STREAM)

static inline int __new_listener(struct __test_metadata *_metadata,
				 int family, const char *path, int backlog)
{
	int fd = __new_socket(_metadata, family, SOCK_STREAM);

	ASSERT_RET(0, bind_path(fd, family, path));
	ASSERT_RET(0, listen(fd, backlog));
	return fd;
}
#define new_listener(family, path, backlog) \
	__new_listener(_metadata, (family), (path), (backlog))

/* A socket of @type connected to the path @path. */
static inline int __new_typed_client(struct __test_metadata *_metadata,
				     int family, int type, const char *path)
{
	int fd = __new_socket(_metadata, family, type);

	ASSERT_RET(0, connect_path(fd, family, path));
	return fd;
}
#define new_client(family, path) \
	__new_typed_client(_metadata, (family), SOCK_STREAM, (path))

/* accept() on the listener @l, which must succeed. */
static inline int __accept_ok(struct __test_metadata *_metadata, int l)
{
	int s = accept(l, NULL, NULL);

	ASSERT_LE(0, s) {
		TH_LOG("accept: %s", strerror(errno));
	}
	return s;
}
#define accept_ok(l) __accept_ok(_metadata, (l))

/*
 * A connected pair made through a listener bound at <dir>/pair (the
 * listener is closed again): *client is the connecting end, *server the
 * accepted one.
 */
static inline void __new_pair(struct __test_metadata *_metadata,
			      int family, const char *dir,
			      int *client, int *server)
{
	char path[96];
	int l;

	snprintf(path, sizeof(path), "%s/pair", dir);
	l = __new_listener(_metadata, family, path, 4);
	*client = __new_typed_client(_metadata, family, SOCK_STREAM, path);
	*server = __accept_ok(_metadata, l);
	close(l);
	unlink(path);
}
#define new_pair(client, server) \
	__new_pair(_metadata, self->family, self->dir, (client), (server))

/*
 * Assert that the address (@sun, @len) returned by the kernel is the
 * pathname @path of family @family: length offsetof(sun_path)+strlen+1.
 * A NULL @path means "unnamed": length offsetof(sun_path) only.
 */
#define ASSERT_ADDR(family, path, sun, len) do {			\
	const char *__p = (path);					\
	ASSERT_EQ((family), (sun).sun_family);				\
	if (__p) {							\
		ASSERT_EQ(SUN_HDR + strlen(__p) + 1, (size_t)(len));	\
		ASSERT_STREQ(__p, (sun).sun_path);			\
	} else {							\
		ASSERT_EQ(SUN_HDR, (size_t)(len));			\
	}								\
} while (0)

/*
 * Assert that getsockname() (getpeername() if @peer) of @fd, into a
 * poisoned buffer, gives the pathname @path (NULL: unnamed) of @family.
 */
static inline void __assert_name(struct __test_metadata *_metadata,
				 int fd, bool peer, int family,
				 const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	memset(&sun, 0xa5, sizeof(sun));
	if (peer)
		ASSERT_RET(0, getpeername(fd, (struct sockaddr *)&sun, &len));
	else
		ASSERT_RET(0, getsockname(fd, (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(family, path, sun, len);
}
#define ASSERT_SOCKNAME(fd, path) \
	__assert_name(_metadata, (fd), false, self->family, (path))
#define ASSERT_PEERNAME(fd, path) \
	__assert_name(_metadata, (fd), true, self->family, (path))

/* Full write/read of exactly @len bytes (loops over short transfers). */
static inline ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -1;
		}
		done += n;
	}
	return done;
}

static inline ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? (ssize_t)done : -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/*
 * Time bounds.  A short SO_*TIMEO (100 ms) must fire before
 * TIMEO_SLACK_MS, and a call that must not wait for its timeout gets
 * LONG_TIMEO_MS, so that it fails with EAGAIN rather than hangs if it
 * does wait.  Both leave room for the debug kernel under emulation,
 * about ten times slower than a bare machine, and stay inside a
 * test's PUNIX_WATCHDOG.
 */
#define TIMEO_SLACK_MS	5000
#define LONG_TIMEO_MS	8000

/* Monotonic milliseconds. */
/*
 * The number after @key (e.g. "Pid:", "scm_fds:") in
 * /proc/self/fdinfo/@fd, or -1 if the file or the key is missing.
 */
static inline long fdinfo_value(int fd, const char *key)
{
	char path[64], buf[1024], *p;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen))
			return strtol(p + klen, NULL, 10);
	return -1;
}

/*
 * Milliseconds on the clock the kernel's socket timeouts run on: the coarse
 * clock moves with jiffies, tick by tick. Under emulation on a loaded host a
 * guest's tick can come tens of milliseconds late; jiffies then lag
 * CLOCK_MONOTONIC, and a 100 ms SO_RCVTIMEO was seen to end after 78 ms of
 * CLOCK_MONOTONIC (on AF_UNIX). Measured here, it never ends early.
 */
static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline int set_timeo(int fd, int opt, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

static inline int get_int_opt(int fd, int level, int opt)
{
	int val = -12345;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, level, opt, &val, &len) || len != sizeof(val))
		return -12345;
	return val;
}

static inline int set_int_opt(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

static inline int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Block SIGPIPE so that a raised one stays pending for take_sigpipe(). */
static inline int block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

/* 1 if SIGPIPE is pending (and consume it), 0 if not, -1 on error. */
static inline int take_sigpipe(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	if (sigpending(&set))
		return -1;
	if (!sigismember(&set, SIGPIPE))
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	return sigtimedwait(&set, NULL, &zero) == SIGPIPE ? 1 : -1;
}

/* revents of a zero-timeout poll() asking for every bit. */
static inline int poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLL_ALL };
	int n = poll(&pfd, 1, 0);

	if (n < 0)
		return -1;
	return n ? pfd.revents : 0;
}

/*
 * Fill the send side of @fd with MSG_DONTWAIT writes of @chunk bytes until
 * EAGAIN.  Returns the number of bytes queued, or -errno on another error.
 */
static inline long fill_sndbuf(int fd, size_t chunk)
{
	static char junk[65536];
	long total = 0;

	if (chunk > sizeof(junk))
		chunk = sizeof(junk);
	for (;;) {
		ssize_t n = send(fd, junk, chunk, MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN ? total : -errno;
		total += n;
		if (total > (64L << 20))
			return -EFBIG;
	}
}

/* Read and discard everything until EAGAIN; returns bytes drained. */
static inline long drain(int fd)
{
	static char junk[65536];
	long total = 0;

	for (;;) {
		ssize_t n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (n <= 0)
			return total;
		total += n;
	}
}

/*
 * Children.  fork_child() arms the child's own watchdog; the child body
 * must end with _exit(code), code 0 meaning success.  wait_child() returns
 * the exit code, or 128 + signal number when the child was killed.
 */
static inline pid_t fork_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		alarm(PUNIX_WATCHDOG);
	return pid;
}

static inline int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* True while @pid has not exited yet (it is blocked somewhere). */
static inline bool child_running(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

/* Read /proc/<pid>/<what> into @buf as a string; length or -1. */
static inline ssize_t read_proc_pid(pid_t pid, const char *what,
				   char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/*
 * Wait until @pid sleeps (state S) inside system call @nr, for at most
 * LONG_TIMEO_MS.  A fixed sleep is not enough under emulation: a child
 * that reaches its blocking call late makes the parent's next step race
 * with the call's own checks.  /proc/<pid>/syscall reads "running" while
 * the task runs, else the call number first.
 */
#ifdef __i386__
/*
 * i386: glibc 2.36 makes every socket call through socketcall(2) (the
 * direct calls came with 4.3, after its minimum kernel), so
 * /proc/<pid>/syscall reads SYS_socketcall and the call (SYS_RECV...) as
 * its first argument. The tests name the x86_64 calls: recv() and send()
 * are recvfrom() and sendto() there. i386 has no accept(2): SYS_accept is
 * a number of the tests' own, for wait_blocked_in() only.
 */
#include <linux/net.h>

#ifndef SYS_accept
#define SYS_accept	(-SYS_ACCEPT)
#endif

static inline bool punix_syscall_is(const char *buf, long nr)
{
	const char *arg;
	long call;

	if (strtol(buf, NULL, 10) == nr)
		return true;
	arg = strchr(buf, ' ');
	if (strtol(buf, NULL, 10) != SYS_socketcall || !arg)
		return false;
	call = strtol(arg, NULL, 16);
	switch (nr) {
	case SYS_accept:	return call == SYS_ACCEPT;
	case SYS_accept4:	return call == SYS_ACCEPT4;
	case SYS_connect:	return call == SYS_CONNECT;
	case SYS_recvfrom:	return call == SYS_RECVFROM || call == SYS_RECV;
	case SYS_sendto:	return call == SYS_SENDTO || call == SYS_SEND;
	case SYS_recvmsg:	return call == SYS_RECVMSG;
	case SYS_sendmsg:	return call == SYS_SENDMSG;
	case SYS_recvmmsg:	return call == SYS_RECVMMSG;
	case SYS_sendmmsg:	return call == SYS_SENDMMSG;
	}
	return false;
}
#else
static inline bool punix_syscall_is(const char *buf, long nr)
{
	return strtol(buf, NULL, 10) == nr;
}
#endif

static inline bool wait_blocked_in(pid_t pid, long nr)
{
	long end = now_ms() + LONG_TIMEO_MS;
	char buf[512], *p;

	do {
		if (read_proc_pid(pid, "syscall", buf, sizeof(buf)) > 0 &&
		    isdigit((unsigned char)buf[0]) &&
		    punix_syscall_is(buf, nr) &&
		    read_proc_pid(pid, "stat", buf, sizeof(buf)) > 0) {
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return true;
		}
		sleep_ms(2);
	} while (now_ms() < end);
	return false;
}

/* In a child: become nobody/nogroup.  Returns 0 or -1. */
static inline int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY_ID) || setuid(NOBODY_ID))
		return -1;
	return 0;
}

/*
 * In a child: exit code that encodes "call returned @ret with @err, wanted
 * -1/@want_err": 0 on a match, otherwise 100 + the errno seen (or 99 if the
 * call succeeded).
 */
static inline int child_errno_code(long ret, int err, int want_err)
{
	if (ret != -1)
		return 99;
	if (err != want_err)
		return 100 + (err > 155 ? 155 : err);
	return 0;
}

/*
 * The cases fn_stream, fn_seqpacket and fn_dgram of fixture @fx, each
 * calling fn(_metadata, self, type) with its socket type.
 */
#define PUNIX_TYPED_TESTS(fx, fn)					\
	TEST_F(fx, fn##_stream) { fn(_metadata, self, SOCK_STREAM); }	\
	TEST_F(fx, fn##_seqpacket) { fn(_metadata, self, SOCK_SEQPACKET); } \
	TEST_F(fx, fn##_dgram) { fn(_metadata, self, SOCK_DGRAM); }

/*
 * In a child, one step of a body that reports through its exit status:
 * CHILD_OK() exits @code unless @call returns @want, CHILD_FAILS() unless
 * @call fails with errno @err, CHILD_TRUE() unless @cond holds.  The step
 * that failed is printed on stderr.
 */
#define CHILD_OK(code, want, call) do {					\
	long __r;							\
	errno = 0;							\
	__r = (long)(call);						\
	if (__r != (long)(want)) {					\
		fprintf(stderr, "child step %d: %s = %ld, errno %d\n",	\
			(code), #call, __r, errno);			\
		_exit(code);						\
	}								\
} while (0)

#define CHILD_FAILS(code, err, call) do {				\
	long __r;							\
	errno = 0;							\
	__r = (long)(call);						\
	if (__r != -1 || errno != (err)) {				\
		fprintf(stderr, "child step %d: %s = %ld, errno %d, want %d\n", \
			(code), #call, __r, errno, (err));		\
		_exit(code);						\
	}								\
} while (0)

#define CHILD_TRUE(code, cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "child step %d: %s\n", (code), #cond);	\
		_exit(code);						\
	}								\
} while (0)

#endif /* _PUNIX_TEST_H */
