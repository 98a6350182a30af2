// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock on UNIX-domain sockets: the LSM hooks that af_unix calls and
 * that punix calls at the same places (Linux 6.12):
 *
 *   - security_path_mknod() in bind() to a path: a domain that handles
 *     LANDLOCK_ACCESS_FS_MAKE_SOCK without granting it gets EACCES, and no
 *     node is left behind (Landlock ABI 1, so every bench kernel);
 *   - security_unix_stream_connect() (stream and seqpacket connect) and
 *     security_unix_may_send() (dgram connect and every dgram send): with
 *     LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6, Linux 6.12) a domain
 *     cannot reach an abstract socket made outside it (EPERM), while path
 *     sockets, its own abstract sockets, and a dgram socket connected
 *     before the domain was entered still work.  On an older ABI the scope
 *     does not exist, and the same calls succeed on both families.
 *
 * Each restricted part runs in a child: a Landlock domain cannot be left.
 */
#include "msg_util.h"

#include <linux/landlock.h>
#include <sys/prctl.h>

PUNIX_FIXTURE(landlock);

/* struct landlock_ruleset_attr as of ABI 6; the 6.1 uapi header lacks it. */
struct ll_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net;
	__u64 scoped;
};

#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */

/* The Landlock ABI version, or -1 with errno. */
static int ll_abi(void)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0,
		       LANDLOCK_CREATE_RULESET_VERSION);
}

/*
 * Enter a domain that handles LANDLOCK_ACCESS_FS_MAKE_SOCK (granted
 * nowhere) and, if @scoped, scopes abstract UNIX sockets.  Returns 0 or -1.
 * A ruleset attribute longer than the kernel knows is accepted when the
 * extra bytes are zero, so one structure serves every ABI.
 */
static int ll_enter(bool scoped)
{
	struct ll_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK,
		.scoped = scoped ? LL_SCOPE_ABSTRACT_UNIX : 0,
	};
	int fd, err;

	fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -1;
	err = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	      syscall(SYS_landlock_restrict_self, fd, 0);
	close(fd);
	return err ? -1 : 0;
}

/* "\0punix-<pid>-<tag>" into @buf; returns the name length (no NUL). */
static size_t ll_name(char *buf, size_t size, const char *tag)
{
	int n = snprintf(buf + 1, size - 1, "punix-%d-ll-%s", (int)getpid(),
			 tag);

	buf[0] = '\0';
	return 1 + n;
}

/*
 * In a child: the step number of the first check that failed, 0 if none.
 * @ret is what the call returned; @want_err 0 means it must succeed.
 */
#define CHILD_CHECK(step, ret, want_err) do {				\
	long __r = (ret);						\
									\
	if ((want_err) ? (__r != -1 || errno != (want_err)) : __r < 0)	\
		_exit(step);						\
} while (0)

/* accept() one pending connection and close it: 0, or -1 with errno. */
static int accept_close(int l)
{
	int fd = accept(l, NULL, NULL);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* The Landlock ABI of every kernel the bench runs is at least 1. */
static int __abi(struct __test_metadata *_metadata)
{
	int abi = ll_abi();

	ASSERT_LE(1, abi) {
		TH_LOG("Landlock is not enabled: %s", strerror(errno));
	}
	return abi;
}

/*
 * A domain that handles MAKE_SOCK refuses bind() to a path with EACCES on
 * every socket type and creates no node; abstract names and connecting to
 * an existing path socket are not file creation, so they still work.
 */
TEST_F(landlock, make_sock_denied_for_path_bind)
{
	char lpath[96], spath[96], dpath[96], qpath[96], name[64];
	struct stat st;
	size_t n = ll_name(name, sizeof(name), "mk");
	pid_t pid;
	int l;

	__abi(_metadata);
	TPATH(lpath, "l");
	TPATH(spath, "s");
	TPATH(dpath, "d");
	TPATH(qpath, "q");
	l = new_listener(self->family, lpath, 4);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int s = socket(self->family, SOCK_STREAM, 0);
		int d = socket(self->family, SOCK_DGRAM, 0);
		int q = socket(self->family, SOCK_SEQPACKET, 0);
		int a = socket(self->family, SOCK_STREAM, 0);
		int c = socket(self->family, SOCK_STREAM, 0);

		CHILD_CHECK(2, s | d | q | a | c, 0);
		CHILD_CHECK(3, ll_enter(false), 0);
		CHILD_CHECK(4, bind_path(s, self->family, spath), EACCES);
		CHILD_CHECK(5, bind_path(d, self->family, dpath), EACCES);
		CHILD_CHECK(6, bind_path(q, self->family, qpath), EACCES);
		CHILD_CHECK(7, stat(spath, &st), ENOENT);
		CHILD_CHECK(8, stat(dpath, &st), ENOENT);
		CHILD_CHECK(9, stat(qpath, &st), ENOENT);
		/* The failed bind left the socket unbound: it may bind again. */
		CHILD_CHECK(10, bind_abs(s, self->family, name, n), 0);
		CHILD_CHECK(11, bind_auto(d, self->family), 0);
		CHILD_CHECK(12, connect_path(c, self->family, lpath), 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_ERRNO(ENOENT, stat(spath, &st));
	close(l);
}

/*
 * Stream and seqpacket connect() from a scoped domain: EPERM to abstract
 * listeners made outside it (ABI 6) and success otherwise; path listeners
 * and a listener made inside the domain are always reachable.
 */
TEST_F(landlock, abstract_scope_connect)
{
	char path[96], sname[64], qname[64], iname[64];
	size_t sn = ll_name(sname, sizeof(sname), "s");
	size_t qn = ll_name(qname, sizeof(qname), "q");
	size_t in = ll_name(iname, sizeof(iname), "in");
	int abi = __abi(_metadata);
	int want = abi >= 6 ? EPERM : 0;
	int ls, lq, lp;
	pid_t pid;

	TPATH(path, "p");
	ls = new_typed(SOCK_STREAM);
	ASSERT_RET(0, bind_abs(ls, self->family, sname, sn));
	ASSERT_RET(0, listen(ls, 4));
	lq = new_typed(SOCK_SEQPACKET);
	ASSERT_RET(0, bind_abs(lq, self->family, qname, qn));
	ASSERT_RET(0, listen(lq, 4));
	lp = new_listener(self->family, path, 4);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int c1 = socket(self->family, SOCK_STREAM, 0);
		int c2 = socket(self->family, SOCK_SEQPACKET, 0);
		int c3 = socket(self->family, SOCK_STREAM, 0);
		int c4 = socket(self->family, SOCK_STREAM, 0);
		int li;

		CHILD_CHECK(2, c1 | c2 | c3 | c4, 0);
		CHILD_CHECK(3, ll_enter(abi >= 6), 0);
		/* The domain is the one of the credentials at socket(). */
		li = socket(self->family, SOCK_STREAM, 0);
		CHILD_CHECK(4, connect_abs(c1, self->family, sname, sn), want);
		CHILD_CHECK(5, connect_abs(c2, self->family, qname, qn), want);
		CHILD_CHECK(6, connect_path(c3, self->family, path), 0);
		CHILD_CHECK(7, bind_abs(li, self->family, iname, in), 0);
		CHILD_CHECK(8, listen(li, 4), 0);
		CHILD_CHECK(9, connect_abs(c4, self->family, iname, in), 0);
		/* A refused connect leaves the socket unconnected. */
		if (want)
			CHILD_CHECK(10, connect_path(c1, self->family, path), 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	/* Exactly the connections that were let through are queued. */
	set_nonblock(ls);
	set_nonblock(lq);
	set_nonblock(lp);
	if (want) {
		ASSERT_ERRNO(EAGAIN, accept(ls, NULL, NULL));
		ASSERT_ERRNO(EAGAIN, accept(lq, NULL, NULL));
		ASSERT_RET(0, accept_close(lp));
	} else {
		ASSERT_RET(0, accept_close(ls));
		ASSERT_RET(0, accept_close(lq));
	}
	ASSERT_RET(0, accept_close(lp));
	ASSERT_ERRNO(EAGAIN, accept(lp, NULL, NULL));
	close(ls);
	close(lq);
	close(lp);
}

/*
 * Datagrams from a scoped domain: sendto() and connect() to an abstract
 * socket made outside it get EPERM (ABI 6), a path socket is reachable,
 * and a socket connected before the domain was entered keeps sending
 * (the hook lets a sender through to its own peer).
 */
TEST_F(landlock, abstract_scope_dgram)
{
	char path[96], name[64], buf[16];
	size_t n = ll_name(name, sizeof(name), "d");
	int abi = __abi(_metadata);
	int want = abi >= 6 ? EPERM : 0;
	int r, q;
	pid_t pid;

	TPATH(path, "q");
	r = new_typed(SOCK_DGRAM);
	ASSERT_RET(0, bind_abs(r, self->family, name, n));
	q = new_bound(SOCK_DGRAM, path);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a = socket(self->family, SOCK_DGRAM, 0);
		int b = socket(self->family, SOCK_DGRAM, 0);
		int c = socket(self->family, SOCK_DGRAM, 0);

		CHILD_CHECK(2, a | b | c, 0);
		CHILD_CHECK(3, connect_abs(a, self->family, name, n), 0);
		CHILD_CHECK(4, ll_enter(abi >= 6), 0);
		CHILD_CHECK(5, sendto_abs(b, self->family, name, n, "b", 1, 0),
			    want);
		CHILD_CHECK(6, connect_abs(c, self->family, name, n), want);
		CHILD_CHECK(7, send(a, "a", 1, 0), 0);
		CHILD_CHECK(8, sendto_path(b, self->family, path, "p", 1, 0),
			    0);
		if (!want)
			CHILD_CHECK(9, send(c, "c", 1, 0), 0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	if (!want) {
		ASSERT_RET(1, recv(r, buf, sizeof(buf), MSG_DONTWAIT));
		ASSERT_EQ('b', buf[0]);
	}
	ASSERT_RET(1, recv(r, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('a', buf[0]);
	if (!want) {
		ASSERT_RET(1, recv(r, buf, sizeof(buf), MSG_DONTWAIT));
		ASSERT_EQ('c', buf[0]);
	}
	ASSERT_ERRNO(EAGAIN, recv(r, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_RET(1, recv(q, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('p', buf[0]);
	close(r);
	close(q);
}

TEST_HARNESS_MAIN
