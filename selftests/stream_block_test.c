// SPDX-License-Identifier: GPL-2.0
/*
 * Blocking calls on SOCK_STREAM sockets: SO_RCVTIMEO/SO_SNDTIMEO bounds,
 * interruption by signals, and restart with SA_RESTART.
 *
 * AF_UNIX returns sock_intr_errno(timeo): -ERESTARTSYS (restarted under
 * SA_RESTART) while the wait is unbounded, but -EINTR (never restarted) as
 * soon as a SO_RCVTIMEO/SO_SNDTIMEO timeout is set.
 */
#include "punix_test.h"

PUNIX_FIXTURE(block);

static volatile sig_atomic_t alarms;
static int alarm_pipe = -1;

/* Counts SIGALRMs and, if asked, tells a helper child through a pipe. */
static void on_alarm(int sig)
{
	int saved = errno;

	(void)sig;
	alarms++;
	if (alarm_pipe >= 0 && write(alarm_pipe, "!", 1) < 0)
		alarms += 1000;
	errno = saved;
}

/*
 * Install a SIGALRM handler (with or without SA_RESTART) and fire it every
 * @ms milliseconds until disarm_alarm(): a periodic signal cannot be lost
 * by arriving before the call under test has blocked.  This replaces the
 * fixture's watchdog alarm.
 */
static int arm_alarm(bool restart, long ms)
{
	struct sigaction sa = { 0 };
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct itimerval it = { tv, tv };

	alarms = 0;
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL))
		return -1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

/* Stop the timer, back to the default SIGALRM action and the watchdog. */
static void disarm_alarm(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	alarm_pipe = -1;
	alarm(PUNIX_WATCHDOG);
}

/* SO_RCVTIMEO: a read with nothing to read fails with EAGAIN at the timeout. */
TEST_F(block, rcvtimeo_read_eagain)
{
	char buf[4];
	long t0, dt;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, read(s, buf, sizeof(buf)));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, recv(s, buf, sizeof(buf), MSG_WAITALL));
	ASSERT_LE(80, now_ms() - t0);
	close(c);
	close(s);
}

/* SO_RCVTIMEO also bounds a blocking accept(): EAGAIN. */
TEST_F(block, rcvtimeo_accept_eagain)
{
	char path[96];
	long t0, dt;
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, set_timeo(l, SO_RCVTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	close(l);
}

/* Data arriving before SO_RCVTIMEO expires wakes the reader. */
TEST_F(block, read_woken_by_data)
{
	char buf[8];
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, LONG_TIMEO_MS));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!wait_blocked_in(getppid(), SYS_read))
			_exit(95);
		_exit(write(c, "late", 4) == 4 ? 0 : 97);
	}
	ASSERT_EQ(4, read(s, buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "late", 4));
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/*
 * SO_SNDTIMEO: with the send buffer full a blocking write that could queue
 * nothing fails with EAGAIN at the timeout.
 */
TEST_F(block, sndtimeo_write_eagain)
{
	long t0, dt;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_LT(0, fill_sndbuf(c, 4096));
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, 100));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, write(c, "x", 1));
	dt = now_ms() - t0;
	ASSERT_LE(80, dt);
	ASSERT_GT(TIMEO_SLACK_MS, dt);
	close(c);
	close(s);
}

/*
 * SO_SNDTIMEO with a write larger than the buffer: what was queued before
 * the timeout is reported as a short count, not an error.
 */
TEST_F(block, sndtimeo_partial_write)
{
	const size_t len = 256 * 1024;
	char *buf = calloc(1, len);
	long t0;
	ssize_t n;
	int c, s;

	ASSERT_NE(NULL, buf);
	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_EQ(0, set_timeo(c, SO_SNDTIMEO, 100));
	t0 = now_ms();
	n = write(c, buf, len);
	ASSERT_LE(80, now_ms() - t0);
	ASSERT_LT(0, n);
	ASSERT_GT((ssize_t)len, n);
	ASSERT_EQ(n, drain(s));
	free(buf);
	close(c);
	close(s);
}

/* A blocked read interrupted by a handler without SA_RESTART: EINTR. */
TEST_F(block, read_eintr)
{
	char buf[4];
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, arm_alarm(false, 50));
	ASSERT_ERRNO(EINTR, read(s, buf, sizeof(buf)));
	ASSERT_LE(1, alarms);
	disarm_alarm();
	close(c);
	close(s);
}

/*
 * With SA_RESTART and no timeout the interrupted read is restarted and
 * returns the data written later.
 */
TEST_F(block, read_restarted)
{
	char buf[8];
	int sync[2];
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Write only once the interrupted read sleeps again. */
		if (read(sync[0], buf, 1) != 1)
			_exit(96);
		if (!wait_blocked_in(getppid(), SYS_read))
			_exit(95);
		_exit(write(c, "after", 5) == 5 ? 0 : 97);
	}
	alarm_pipe = sync[1];
	ASSERT_EQ(0, arm_alarm(true, 50));
	ASSERT_EQ(5, read(s, buf, sizeof(buf)));
	ASSERT_LE(1, alarms);
	ASSERT_EQ(0, memcmp(buf, "after", 5));
	disarm_alarm();
	ASSERT_EQ(0, wait_child(pid));
	close(c);
	close(s);
}

/*
 * With SO_RCVTIMEO set, sock_intr_errno() gives EINTR even under
 * SA_RESTART: the read is not restarted.
 */
TEST_F(block, read_eintr_with_rcvtimeo_despite_restart)
{
	char buf[4];
	long t0;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_timeo(s, SO_RCVTIMEO, LONG_TIMEO_MS));
	ASSERT_EQ(0, arm_alarm(true, 50));
	t0 = now_ms();
	ASSERT_ERRNO(EINTR, read(s, buf, sizeof(buf)));
	ASSERT_GT(TIMEO_SLACK_MS, now_ms() - t0);
	ASSERT_LE(1, alarms);
	disarm_alarm();
	close(c);
	close(s);
}

/* A blocked accept() interrupted without SA_RESTART: EINTR. */
TEST_F(block, accept_eintr)
{
	char path[96];
	int l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, arm_alarm(false, 50));
	ASSERT_ERRNO(EINTR, accept(l, NULL, NULL));
	ASSERT_LE(1, alarms);
	disarm_alarm();
	close(l);
}

/* With SA_RESTART a blocked accept() is restarted and gets the connection. */
TEST_F(block, accept_restarted)
{
	char path[96], ch;
	int sync[2];
	pid_t pid;
	int l, s;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(self->family, SOCK_STREAM, 0);

		/* Connect only once the interrupted accept() sleeps again. */
		if (read(sync[0], &ch, 1) != 1)
			_exit(95);
		if (!wait_blocked_in(getppid(), SYS_accept))
			_exit(94);
		if (fd < 0 || connect_path(fd, self->family, path))
			_exit(96);
		_exit(write(fd, "c", 1) == 1 ? 0 : 97);
	}
	alarm_pipe = sync[1];
	ASSERT_EQ(0, arm_alarm(true, 50));
	s = accept_ok(l);
	ASSERT_LE(1, alarms);
	disarm_alarm();
	ASSERT_EQ(1, read(s, &ch, 1));
	ASSERT_EQ('c', ch);
	ASSERT_EQ(0, wait_child(pid));
	close(s);
	close(l);
}

/* A connect() blocked on a full backlog, interrupted: EINTR. */
TEST_F(block, connect_eintr)
{
	char path[96];
	int l, a, b;

	TPATH(path, "l");
	l = new_listener(self->family, path, 0);
	a = new_client(self->family, path);
	b = new_socket(self->family);
	ASSERT_EQ(0, arm_alarm(false, 50));
	ASSERT_ERRNO(EINTR, connect_path(b, self->family, path));
	ASSERT_LE(1, alarms);
	disarm_alarm();
	/* b is still unconnected: once there is room it connects. */
	close(accept(l, NULL, NULL));
	ASSERT_RET(0, connect_path(b, self->family, path));
	close(a);
	close(b);
	close(l);
}

/* A write blocked on a full buffer, with nothing sent yet, interrupted: EINTR. */
TEST_F(block, write_eintr)
{
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_LT(0, fill_sndbuf(c, 4096));
	ASSERT_EQ(0, arm_alarm(false, 50));
	ASSERT_ERRNO(EINTR, write(c, "x", 1));
	ASSERT_LE(1, alarms);
	disarm_alarm();
	close(c);
	close(s);
}

/*
 * A large write interrupted after part of it was queued returns the short
 * count (unix_stream_sendmsg() returns "sent" when it is non-zero), even
 * under SA_RESTART.
 */
TEST_F(block, write_interrupted_partial)
{
	const size_t len = 256 * 1024;
	char *buf = calloc(1, len);
	ssize_t n;
	int c, s;

	ASSERT_NE(NULL, buf);
	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_EQ(0, arm_alarm(true, 50));
	n = write(c, buf, len);
	ASSERT_LE(1, alarms);
	disarm_alarm();
	ASSERT_LT(0, n);
	ASSERT_GT((ssize_t)len, n);
	ASSERT_EQ(n, drain(s));
	free(buf);
	close(c);
	close(s);
}

TEST_HARNESS_MAIN
