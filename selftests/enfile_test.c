// SPDX-License-Identifier: GPL-2.0
/*
 * The total socket cap of net/unix/af_unix.c unix_create1(): making a sock
 * of the family while more than twice fs.file-max (get_max_files()) of
 * them exist in the whole system fails with ENFILE, in socket(),
 * socketpair() and in connect() (the server-side sock is made before the
 * address is looked up); accept() makes none.  The count is system-wide
 * and other sockets of the family may exist, so the test lowers
 * fs.file-max, fills the family up to the cap, and then checks exact steps
 * from there: one more file-max allows exactly two more socks, a close
 * frees one, and so on.  Root is not limited by fs.file-max for files
 * (CAP_SYS_ADMIN), so only the sock cap shows.  The work is done in a
 * child with a short watchdog; the test process puts fs.file-max back
 * before any ASSERT.
 */
#include "msg_util.h"

#define FILE_MAX	"/proc/sys/fs/file-max"

static int write_file_max(unsigned long val)
{
	char buf[32];
	int fd, n, r;

	n = snprintf(buf, sizeof(buf), "%lu\n", val);
	fd = open(FILE_MAX, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, buf, n) == n ? 0 : -1;
	close(fd);
	return r;
}

/* What the child saw, step by step; errnos 0 for a success. */
struct steps {
	int filled;		/* sockets made before the first ENFILE */
	int fill_err;
	int pair_err;		/* socketpair() at the cap */
	int conn_err;		/* connect() to the listener at the cap */
	int conn_none_err;	/* connect() to a missing path at the cap */
	int more_pair_err;	/* socketpair() with file-max + 1 */
	int more_sock_err;	/* socket() after that */
	int freed_sock_err;	/* socket() after closing one */
	int freed_again_err;	/* socket() once more */
	int conn2_err;		/* connect() after closing another */
	int after_conn_err;	/* socket() after that connect() */
	int accept_err;		/* accept() of that connection at the cap */
	int done;
};

#define FILL_MAX	2000

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

static void run_steps(int family, const char *lpath, int l,
		      unsigned long fmax, struct steps *st)
{
	static int fds[FILL_MAX];
	char none[128];
	int c, c2, sv[2], fd, a;

	snprintf(none, sizeof(none), "%s.none", lpath);
	c = socket(family, SOCK_STREAM, 0);
	c2 = socket(family, SOCK_STREAM, 0);
	if (c < 0 || c2 < 0 || write_file_max(fmax))
		return;
	st->fill_err = 0;
	for (st->filled = 0; st->filled < FILL_MAX; st->filled++) {
		fds[st->filled] = socket(family, SOCK_DGRAM, 0);
		if (fds[st->filled] < 0) {
			st->fill_err = errno;
			break;
		}
	}
	if (st->filled < 2 || st->filled == FILL_MAX)
		return;
	st->pair_err = err_of(socketpair(family, SOCK_DGRAM, 0, sv));
	st->conn_err = err_of(connect_path(c, family, lpath));
	st->conn_none_err = err_of(connect_path(c, family, none));
	if (write_file_max(fmax + 1))
		return;
	st->more_pair_err = err_of(socketpair(family, SOCK_DGRAM, 0, sv));
	fd = socket(family, SOCK_DGRAM, 0);
	st->more_sock_err = err_of(fd);
	close(fds[--st->filled]);
	fd = socket(family, SOCK_DGRAM, 0);
	st->freed_sock_err = err_of(fd);
	fd = socket(family, SOCK_DGRAM, 0);
	st->freed_again_err = err_of(fd);
	close(fds[--st->filled]);
	st->conn2_err = err_of(connect_path(c2, family, lpath));
	fd = socket(family, SOCK_DGRAM, 0);
	st->after_conn_err = err_of(fd);
	a = accept(l, NULL, NULL);
	st->accept_err = err_of(a);
	st->done = 1;
}

PUNIX_FIXTURE(enfile);

TEST_F(enfile, twice_max_files)
{
	char old[64], lpath[96];
	unsigned long fmax;
	struct steps st;
	int p[2], fd, l, code;
	ssize_t n;
	long here;
	pid_t kid;

	fd = open(FILE_MAX, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, old, sizeof(old) - 1);
	close(fd);
	ASSERT_LT(0, n);
	old[n] = '\0';
	TPATH(lpath, "l");
	l = new_listener(self->family, lpath, 4);
	ASSERT_RET(0, set_nonblock(l));
	here = proto_sockets(self->family != AF_UNIX);
	ASSERT_LE(1, here);
	/* Room for about 200 more socks than this namespace has. */
	fmax = (here + 200) / 2;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	memset(&st, 0, sizeof(st));

	kid = fork_child();
	if (kid == 0) {
		alarm(PUNIX_WATCHDOG / 2);
		close(p[0]);
		run_steps(self->family, lpath, l, fmax, &st);
		_exit(write(p[1], &st, sizeof(st)) == sizeof(st) ? 0 : 1);
	}
	close(p[1]);
	n = kid < 0 ? -1 : read(p[0], &st, sizeof(st));
	code = kid < 0 ? -1 : wait_child(kid);
	/* Put fs.file-max back before anything can fail. */
	fd = open(FILE_MAX, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_RET(strlen(old), write(fd, old, strlen(old)));
	close(fd);
	close(p[0]);

	ASSERT_EQ(0, code);
	ASSERT_EQ((ssize_t)sizeof(st), n);
	ASSERT_EQ(1, st.done) {
		TH_LOG("filled %d, errno %d", st.filled, st.fill_err);
	}
	TH_LOG("file-max %lu: %ld socks in this namespace, %d more made",
	       fmax, here, st.filled);
	ASSERT_EQ(ENFILE, st.fill_err);
	ASSERT_EQ(ENFILE, st.pair_err);
	ASSERT_EQ(ENFILE, st.conn_err);
	ASSERT_EQ(ENFILE, st.conn_none_err);
	ASSERT_EQ(0, st.more_pair_err);
	ASSERT_EQ(ENFILE, st.more_sock_err);
	ASSERT_EQ(0, st.freed_sock_err);
	ASSERT_EQ(ENFILE, st.freed_again_err);
	ASSERT_EQ(0, st.conn2_err);
	ASSERT_EQ(ENFILE, st.after_conn_err);
	ASSERT_EQ(0, st.accept_err);
	close(l);
}

TEST_HARNESS_MAIN
