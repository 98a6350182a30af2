// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces, as AF_UNIX (net/unix/af_unix.c, net/core/scm.c,
 * net/core/sock.c) treats them.  Children unshare new user, network, pid
 * and mount namespaces (the suite runs as root) and report through their
 * exit status; the test process checks what reaches it:
 *
 *   - abstract names and autobound names are per network namespace, also
 *     in one owned by a new user namespace: the same name binds in both,
 *     each reaches its own socket, the other's gives ECONNREFUSED;
 *   - path names cross network namespaces both ways (a global table keyed
 *     by inode), and mount namespaces too when reached through
 *     /proc/<pid>/root (the peer name stays the one bound);
 *   - credentials across pid namespaces (SCM_CREDENTIALS and SO_PEERCRED
 *     pids as each reader sees them: the global pid, 1 inside, 0 for a task
 *     outside; explicit pids checked in the sender's namespace) and user
 *     namespaces (ids through uid_map/gid_map, the overflow ids for
 *     unmapped ones, SO_PEERGROUPS, EINVAL for an unmapped explicit id,
 *     EPERM for a pid not ours without CAP_SYS_ADMIN over the pid
 *     namespace);
 *   - a socket belongs to the network namespace it was made in, whatever
 *     its creator does after (unshare(), setns()): names bound later live
 *     there, it is listed in that namespace's /proc/net file and found by
 *     its sock_diag there only;
 *   - SIOCUNIXFILE needs CAP_NET_ADMIN over the socket's network namespace
 *     (EPERM first, before ENOENT).
 *
 * What abstract_test and diag_test already check in a plain new network
 * namespace (a name bound in the parent unreachable from it, a socket made
 * before unshare() connecting to the old namespace's names) is not
 * repeated.
 */
#include "msg_util.h"
#include "diag_util.h"

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <linux/sockios.h>
#include <linux/inet_diag.h>

#define OTHER_UID	1234
#define OTHER_GID	4321
#define SUPP1		700

/* Ids the user-namespace child maps root to. */
#define NS_UID		100
#define NS_GID		200

PUNIX_FIXTURE(netns);

/* sendmsg() of @buf with SCM_RIGHTS of @sfd. */
static ssize_t send_fd(int fd, const char *buf, int sfd)
{
	return send_cmsg(fd, buf, strlen(buf), SCM_RIGHTS, &sfd, sizeof(sfd),
			 0, 0);
}

/*
 * What one non-blocking recvmsg() gave: n bytes into data, the one
 * SCM_CREDENTIALS (ncred 1) or SCM_RIGHTS fd (fd >= 0) it carried.
 */
struct got {
	ssize_t n;
	int err;
	int flags;
	int ncmsg;
	int ncred;
	struct ucred cred;
	int fd;
	char data[64];
};

static struct got recv_got(int fd)
{
	union {
		struct cmsghdr align;
		char b[256];
	} u;
	struct got g;
	struct iovec iov = { .iov_base = g.data, .iov_len = sizeof(g.data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = sizeof(u.b),
	};
	struct cmsghdr *cm;

	memset(&g, 0, sizeof(g));
	g.fd = -1;
	g.n = recvmsg(fd, &msg, MSG_DONTWAIT);
	g.err = g.n < 0 ? errno : 0;
	if (g.n < 0)
		return g;
	g.flags = msg.msg_flags;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		g.ncmsg++;
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len == UCRED_LEN) {
			g.ncred++;
			memcpy(&g.cred, CMSG_DATA(cm), sizeof(g.cred));
		} else if (cm->cmsg_type == SCM_RIGHTS &&
			   cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(&g.fd, CMSG_DATA(cm), sizeof(int));
		}
	}
	return g;
}

/* @g is exactly @data with one SCM_CREDENTIALS {@p, @u, @gi}. */
static bool got_cred(const struct got *g, const char *data, pid_t p,
		     uid_t u, gid_t gi)
{
	if (g->n != (ssize_t)strlen(data) || memcmp(g->data, data, g->n) ||
	    g->flags || g->ncmsg != 1 || g->ncred != 1) {
		fprintf(stderr, "got %zd bytes (errno %d) flags %x, %d cmsgs\n",
			g->n, g->err, g->flags, g->ncmsg);
		return false;
	}
	if (g->cred.pid != p || g->cred.uid != u || g->cred.gid != gi) {
		fprintf(stderr, "creds {%d, %u, %u}, want {%d, %u, %u}\n",
			g->cred.pid, g->cred.uid, g->cred.gid, p, u, gi);
		return false;
	}
	return true;
}

#define ASSERT_GOT_CRED(fd, data, p, u, gi) do {			\
	struct got __g = recv_got(fd);					\
	ASSERT_TRUE(got_cred(&__g, (data), (p), (u), (gi))) {		\
		TH_LOG("message %s", (data));				\
	}								\
} while (0)

/* SO_PEERCRED of @fd is {@p, @u, @g}? */
static bool peercred_is(int fd, pid_t p, uid_t u, gid_t g)
{
	struct ucred uc;

	if (get_peercred(fd, &uc))
		return false;
	if (uc.pid != p || uc.uid != u || uc.gid != g) {
		fprintf(stderr, "SO_PEERCRED {%d, %u, %u}, want {%d, %u, %u}\n",
			uc.pid, uc.uid, uc.gid, p, u, g);
		return false;
	}
	return true;
}

/*
 * In a child, right after unshare(CLONE_NEWUSER): map @uin/@gin inside to
 * @uout/@gout, our ids outside (read before the unshare: inside they are
 * the overflow ids until mapped), with setgroups denied, as an
 * unprivileged mapper must.
 */
static int map_ids(uid_t uin, gid_t gin, uid_t uout, gid_t gout)
{
	char buf[64];

	if (write_text("/proc/self/setgroups", "deny"))
		return -1;
	snprintf(buf, sizeof(buf), "%u %u 1\n", uin, uout);
	if (write_text("/proc/self/uid_map", buf))
		return -2;
	snprintf(buf, sizeof(buf), "%u %u 1\n", gin, gout);
	return write_text("/proc/self/gid_map", buf) ? -3 : 0;
}

/* getsockname() of an autobound socket into @name; its length or -1. */
static ssize_t auto_name(int fd, char *name)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);

	if (getsockname(fd, (struct sockaddr *)&sun, &len) ||
	    len != SUN_HDR + 6 || sun.sun_path[0])
		return -1;
	memcpy(name, sun.sun_path, 6);
	return 6;
}

/*
 * Abstract and autobound names in a network namespace owned by a new user
 * namespace: the parent's names (one bound, one autobound) are
 * unreachable there and free to bind; each namespace's name reaches its
 * own socket; the child's autobound name is unreachable from the parent
 * and free there.  Nothing crosses.
 */
TEST_F(netns, abstract_autobind_per_netns)
{
	char name[64], an[8], cn[8], buf[8];
	size_t n = mkname(name, sizeof(name), "userns");
	int l, p, c, s, t, up[2], down[2];
	pid_t kid;

	l = new_typed(SOCK_STREAM);
	ASSERT_RET(0, bind_abs(l, self->family, name, n));
	ASSERT_RET(0, listen(l, 4));
	p = new_typed(SOCK_DGRAM);
	ASSERT_RET(0, bind_auto(p, self->family));
	ASSERT_EQ(6, auto_name(p, an));
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		int cl, cc, cs, cd, ce, ca;
		char ch;

		close(up[0]);
		close(down[1]);
		CHILD_OK(90, 0, unshare(CLONE_NEWUSER | CLONE_NEWNET));
		cl = socket(self->family, SOCK_STREAM, 0);
		cc = socket(self->family, SOCK_STREAM, 0);
		cd = socket(self->family, SOCK_DGRAM, 0);
		ce = socket(self->family, SOCK_DGRAM, 0);
		ca = socket(self->family, SOCK_DGRAM, 0);
		CHILD_TRUE(91, cl >= 0 && cc >= 0 && cd >= 0 && ce >= 0 &&
			   ca >= 0);
		CHILD_FAILS(1, ECONNREFUSED,
			    connect_abs(cc, self->family, name, n));
		CHILD_FAILS(2, ECONNREFUSED,
			    sendto_abs(ce, self->family, an, 6, "x", 1, 0));
		/* The same names are free here. */
		CHILD_OK(3, 0, bind_abs(cl, self->family, name, n));
		CHILD_OK(4, 0, listen(cl, 4));
		CHILD_OK(5, 0, bind_abs(cd, self->family, an, 6));
		CHILD_OK(6, 0, connect_abs(cc, self->family, name, n));
		cs = accept(cl, NULL, NULL);
		CHILD_TRUE(7, cs >= 0);
		CHILD_OK(8, 1, write(cc, "c", 1));
		CHILD_OK(9, 1, read(cs, &ch, 1));
		CHILD_OK(10, 1, sendto_abs(ce, self->family, an, 6, "d", 1, 0));
		CHILD_OK(11, 1, recv(cd, &ch, 1, MSG_DONTWAIT));
		CHILD_TRUE(12, ch == 'd');
		/* An autobound name of ours for the parent to try. */
		CHILD_OK(13, 0, bind_auto(ca, self->family));
		CHILD_OK(14, 6, auto_name(ca, buf));
		CHILD_OK(15, 6, write(up[1], buf, 6));
		CHILD_OK(16, 0, read(down[0], &ch, 1));
		CHILD_FAILS(17, EAGAIN, recv(ca, &ch, 1, MSG_DONTWAIT));
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_RET(6, read(up[0], cn, 6));
	c = new_typed(SOCK_DGRAM);
	ASSERT_ERRNO(ECONNREFUSED, sendto_abs(c, self->family, cn, 6,
					      "x", 1, 0));
	t = new_typed(SOCK_DGRAM);
	ASSERT_RET(0, bind_abs(t, self->family, cn, 6));
	ASSERT_RET(1, sendto_abs(c, self->family, cn, 6, "t", 1, 0));
	ASSERT_RET(1, recv(t, buf, sizeof(buf), MSG_DONTWAIT));
	close(down[1]);
	ASSERT_EQ(0, wait_child(kid));
	/* Nothing of the child's reached the parent's sockets. */
	ASSERT_EQ(0, poll_now(l) & POLLIN);
	ASSERT_ERRNO(EAGAIN, recv(p, buf, sizeof(buf), MSG_DONTWAIT));
	/* And the parent's names still work here. */
	s = new_typed(SOCK_STREAM);
	ASSERT_RET(0, connect_abs(s, self->family, name, n));
	ASSERT_RET(1, sendto_abs(c, self->family, an, 6, "p", 1, 0));
	ASSERT_RET(1, recv(p, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('p', buf[0]);
	close(s);
	s = accept_ok(l);
	close(s);
	close(c);
	close(t);
	close(p);
	close(l);
	close(up[0]);
}

/*
 * Path names cross network namespaces both ways: a child in new user
 * (root mapped to root) and network namespaces reaches the parent's stream
 * listener and dgram socket by path, and the parent reaches the child's.
 * SO_PEERCRED on both sides names the other process.
 */
TEST_F(netns, paths_cross_netns)
{
	char pl[96], pd[96], cl[96], cd[96], buf[8];
	int l, d, c, s, e, up[2], down[2];
	pid_t kid;

	TPATH(pl, "pl");
	TPATH(pd, "pd");
	TPATH(cl, "cl");
	TPATH(cd, "cd");
	l = new_typed_listener(SOCK_STREAM, pl, 4);
	d = new_bound(SOCK_DGRAM, pd);
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		uid_t ou = getuid();
		gid_t og = getgid();
		int xl, xd, xc, xe, xs;
		char ch;

		close(up[0]);
		close(down[1]);
		CHILD_OK(90, 0, unshare(CLONE_NEWUSER | CLONE_NEWNET));
		CHILD_OK(91, 0, map_ids(0, 0, ou, og));
		xl = socket(self->family, SOCK_STREAM, 0);
		xd = socket(self->family, SOCK_DGRAM, 0);
		xc = socket(self->family, SOCK_STREAM, 0);
		xe = socket(self->family, SOCK_DGRAM, 0);
		CHILD_TRUE(92, xl >= 0 && xd >= 0 && xc >= 0 && xe >= 0);
		CHILD_OK(1, 0, bind_path(xl, self->family, cl));
		CHILD_OK(2, 0, listen(xl, 4));
		CHILD_OK(3, 0, bind_path(xd, self->family, cd));
		CHILD_OK(4, 0, connect_path(xc, self->family, pl));
		CHILD_TRUE(5, peercred_is(xc, getppid(), 0, 0));
		CHILD_OK(6, 1, write(xc, "a", 1));
		CHILD_OK(7, 1, sendto_path(xe, self->family, pd, "b", 1, 0));
		CHILD_OK(8, 1, write(up[1], "r", 1));
		xs = accept(xl, NULL, NULL);
		CHILD_TRUE(9, xs >= 0);
		CHILD_TRUE(10, peercred_is(xs, getppid(), 0, 0));
		CHILD_OK(11, 1, read(xs, &ch, 1));
		CHILD_TRUE(12, ch == 'c');
		CHILD_OK(13, 0, read(down[0], &ch, 1));
		CHILD_OK(14, 1, recv(xd, &ch, 1, MSG_DONTWAIT));
		CHILD_TRUE(15, ch == 'e');
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_RET(1, read(up[0], buf, 1));
	s = accept_ok(l);
	ASSERT_TRUE(peercred_is(s, kid, 0, 0));
	ASSERT_RET(1, read(s, buf, 1));
	ASSERT_EQ('a', buf[0]);
	ASSERT_RET(1, recv(d, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('b', buf[0]);
	c = new_client(self->family, cl);
	ASSERT_TRUE(peercred_is(c, kid, 0, 0));
	ASSERT_RET(1, write(c, "c", 1));
	e = new_typed(SOCK_DGRAM);
	ASSERT_RET(1, sendto_path(e, self->family, cd, "e", 1, 0));
	close(down[1]);
	ASSERT_EQ(0, wait_child(kid));
	close(c);
	close(e);
	close(s);
	close(l);
	close(d);
	close(up[0]);
}

/*
 * Credentials across a pid namespace.  A grandchild G is pid 1 of a new
 * pid namespace.  The parent sees G's global pid in SCM_CREDENTIALS
 * (implicit, and explicit pid 1 checked in G's namespace) and SO_PEERCRED;
 * G sees itself as 1 and the parent (outside its namespace) as pid 0, in
 * SCM_CREDENTIALS and SO_PEERCRED; explicit pids that do not exist in G's
 * namespace are ESRCH.
 */
TEST_F(netns, creds_pid_namespace)
{
	char lp[96];
	int sv[2], l, s, pp[2];
	pid_t kid, g = -1;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_STREAM, lp, 4);
	ASSERT_RET(0, set_int_opt(l, SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(0, socketpair(self->family, SOCK_DGRAM, 0, sv));
	ASSERT_RET(0, set_int_opt(sv[0], SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(1, send(sv[1], "q", 1, 0));
	ASSERT_EQ(0, pipe2(pp, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		pid_t gk;
		int st;

		close(pp[0]);
		CHILD_OK(90, 0, unshare(CLONE_NEWPID));
		gk = fork();
		CHILD_TRUE(91, gk >= 0);
		if (gk == 0) {
			struct got r;
			int c, p[2];

			CHILD_TRUE(1, getpid() == 1);
			r = recv_got(sv[0]);
			CHILD_TRUE(2, got_cred(&r, "q", 0, 0, 0));
			CHILD_OK(3, 1, send(sv[0], "i", 1, 0));
			CHILD_OK(4, 1, send_cred_ids(sv[0], "e", 1, 0, 0));
			CHILD_FAILS(5, ESRCH,
				    send_cred_ids(sv[0], "x", 2, 0, 0));
			CHILD_FAILS(6, ESRCH,
				    send_cred_ids(sv[0], "x", 0, 0, 0));
			c = socket(self->family, SOCK_STREAM, 0);
			CHILD_TRUE(7, c >= 0);
			CHILD_OK(8, 0, connect_path(c, self->family, lp));
			CHILD_TRUE(9, peercred_is(c, 0, 0, 0));
			CHILD_OK(10, 1, write(c, "s", 1));
			CHILD_OK(11, 0, socketpair(self->family, SOCK_STREAM,
						   0, p));
			CHILD_TRUE(12, peercred_is(p[0], 1, 0, 0));
			_exit(0);
		}
		CHILD_OK(92, sizeof(gk), write(pp[1], &gk, sizeof(gk)));
		CHILD_TRUE(93, waitpid(gk, &st, 0) == gk && WIFEXITED(st));
		_exit(WEXITSTATUS(st));
	}
	close(pp[1]);
	ASSERT_RET(sizeof(g), read(pp[0], &g, sizeof(g)));
	close(pp[0]);
	ASSERT_EQ(0, wait_child(kid));
	ASSERT_LT(1, g);
	ASSERT_GOT_CRED(sv[1], "i", g, 0, 0);
	ASSERT_GOT_CRED(sv[1], "e", g, 0, 0);
	ASSERT_ERRNO(EAGAIN, recv(sv[1], lp, 1, MSG_DONTWAIT));
	s = accept_ok(l);
	ASSERT_TRUE(peercred_is(s, g, 0, 0));
	ASSERT_GOT_CRED(s, "s", g, 0, 0);
	close(s);
	close(l);
	close(sv[0]);
	close(sv[1]);
}

/*
 * Credentials across a user namespace whose uid_map/gid_map map NS_UID/
 * NS_GID to root.  Inside: the parent's messages and SO_PEERCRED show
 * NS_UID/NS_GID; another user's (OTHER_UID, not mapped) the overflow ids,
 * also in SO_PEERGROUPS; a pair made inside shows the child's pid and
 * mapped ids.  Outside: the child's messages and that pair (passed out
 * with SCM_RIGHTS) show root.  Explicit credentials are checked in the
 * child's namespace: NS_UID passes, an unmapped id is EINVAL, another pid
 * EPERM (no CAP_SYS_ADMIN over the pid namespace).
 */
TEST_F(netns, creds_user_namespace)
{
	char lp[96];
	int a[2], b[2], l, s;
	uid_t ou = (uid_t)read_long("/proc/sys/kernel/overflowuid");
	gid_t og = (gid_t)read_long("/proc/sys/kernel/overflowgid");
	pid_t me = getpid(), t, kid;
	struct got r;

	TPATH(lp, "l");
	l = new_typed_listener(SOCK_STREAM, lp, 4);
	ASSERT_EQ(0, chmod(lp, 0777));
	ASSERT_RET(0, socketpair(self->family, SOCK_DGRAM, 0, a));
	ASSERT_RET(0, socketpair(self->family, SOCK_DGRAM, 0, b));
	ASSERT_RET(0, set_int_opt(a[0], SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(0, set_int_opt(a[1], SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(0, set_int_opt(b[1], SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_RET(1, send(a[0], "p", 1, 0));

	/* Another user sends on b and connects to l. */
	t = fork_child();
	ASSERT_LE(0, t);
	if (t == 0) {
		static const gid_t grp[] = { SUPP1 };
		int c;

		if (setgroups(1, grp) || setresgid(OTHER_GID, OTHER_GID,
						   OTHER_GID) ||
		    setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
			_exit(90);
		CHILD_OK(1, 1, send(b[0], "t", 1, 0));
		c = socket(self->family, SOCK_STREAM, 0);
		CHILD_TRUE(2, c >= 0);
		CHILD_OK(3, 0, connect_path(c, self->family, lp));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(t));
	s = accept_ok(l);

	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		gid_t g[8];
		socklen_t len = sizeof(g);
		uid_t uo = getuid();
		gid_t go = getgid();
		int x[2];

		CHILD_OK(90, 0, unshare(CLONE_NEWUSER));
		CHILD_OK(91, 0, map_ids(NS_UID, NS_GID, uo, go));
		CHILD_TRUE(92, getuid() == NS_UID && getgid() == NS_GID);
		r = recv_got(a[1]);
		CHILD_TRUE(1, got_cred(&r, "p", me, NS_UID, NS_GID));
		r = recv_got(b[1]);
		CHILD_TRUE(2, got_cred(&r, "t", t, ou, og));
		CHILD_TRUE(3, peercred_is(s, t, ou, og));
		CHILD_OK(4, 0, getsockopt(s, SOL_SOCKET, SO_PEERGROUPS, g,
					  &len));
		CHILD_TRUE(5, len == sizeof(gid_t) && g[0] == og);
		CHILD_TRUE(6, peercred_is(a[1], me, NS_UID, NS_GID));
		CHILD_OK(7, 1, send(a[1], "c", 1, 0));
		CHILD_OK(8, 1,
			 send_cred_ids(a[1], "e", getpid(), NS_UID, NS_GID));
		CHILD_FAILS(9, EINVAL, send_cred_ids(a[1], "x", getpid(), 0,
						 NS_GID));
		CHILD_FAILS(10, EINVAL, send_cred_ids(a[1], "x", getpid(),
						  NS_UID, OTHER_GID));
		CHILD_FAILS(11, EPERM, send_cred_ids(a[1], "x", me, NS_UID,
						 NS_GID));
		CHILD_OK(12, 0, socketpair(self->family, SOCK_STREAM, 0, x));
		CHILD_TRUE(13, peercred_is(x[1], getpid(), NS_UID, NS_GID));
		CHILD_OK(14, 1, send_fd(a[1], "f", x[0]));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
	ASSERT_GOT_CRED(a[0], "c", kid, 0, 0);
	ASSERT_GOT_CRED(a[0], "e", kid, 0, 0);
	r = recv_got(a[0]);
	ASSERT_EQ(1, r.n);
	ASSERT_EQ('f', r.data[0]);
	ASSERT_LE(0, r.fd);
	ASSERT_TRUE(peercred_is(r.fd, kid, 0, 0));
	close(r.fd);
	ASSERT_ERRNO(EAGAIN, recv(a[0], lp, 1, MSG_DONTWAIT));
	/* Outside, the other user's ids are themselves. */
	ASSERT_TRUE(peercred_is(s, t, OTHER_UID, OTHER_GID));
	close(s);
	close(l);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

/* The variant's /proc/net file. */
static const char *net_file(int family)
{
	return family == AF_UNIX ? "/proc/net/unix" : "/proc/net/punix";
}

/* Does /proc/net/<file> have a line ending in @suffix (" @name")? */
static int proc_lists(int family, const char *suffix)
{
	static char text[1 << 16];
	size_t got = 0, sl = strlen(suffix);
	ssize_t n;
	char *line, *save = NULL;
	int fd;

	fd = open(net_file(family), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, text + got, sizeof(text) - 1 - got)) > 0)
		got += n;
	close(fd);
	if (n < 0)
		return -1;
	text[got] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t ll = strlen(line);

		if (ll >= sl && !strcmp(line + ll - sl, suffix))
			return 1;
	}
	return 0;
}

/*
 * sock_diag exact lookup of inode @ino for @family in the caller's network
 * namespace: 0 if a record for it came back, -errno (ENOENT) if not.
 */
static int diag_find(int family, uint32_t ino)
{
	static const uint32_t nocookie[2] = { INET_DIAG_NOCOOKIE,
					      INET_DIAG_NOCOOKIE };
	union {
		struct nlmsghdr h;
		char b[8192];
	} u;
	const struct nlmsghdr *h;
	ssize_t n;
	int nl, ret;

	nl = diag_open();
	if (nl < 0)
		return -errno;
	ret = diag_send(nl, family, false, 0xffffffff, ino, nocookie, 0);
	if (ret)
		goto out;
	ret = -EBADMSG;
	n = recv(nl, u.b, sizeof(u.b), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	for (h = &u.h; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			ret = e->error;
			break;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			const struct unix_diag_msg *m = NLMSG_DATA(h);

			ret = m->udiag_ino == ino ? 0 : -EBADMSG;
			break;
		}
	}
out:
	close(nl);
	return ret;
}

static uint32_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint32_t)st.st_ino;
}

/*
 * A socket's network namespace is the one it was made in.  The child makes
 * a dgram and a stream socket, then unshare(CLONE_NEWNET)s: the name it
 * binds on the first, and the one the second autobinds, live in the old
 * namespace (the parent reaches them; a socket made in the new one gets
 * ECONNREFUSED and may bind the same name); the parent's /proc/net file
 * lists them and its sock_diag finds them.  Then a socket made in the new
 * namespace, bound after setns() back to the old one, has its name in the
 * new one: the parent gets ECONNREFUSED, its /proc/net file does not list
 * it and sock_diag does not find it; in the new namespace it is found and
 * the first socket is not.
 */
struct moved {
	uint32_t ino_d, ino_m;
	char auto_name[6];
};

TEST_F(netns, socket_stays_in_its_netns)
{
	char xn[64], yn[64], suffix[80];
	size_t xl = mkname(xn, sizeof(xn), "moved-x");
	size_t yl = mkname(yn, sizeof(yn), "moved-y");
	int up[2], down[2], c, e;
	struct moved mv;
	pid_t kid;

	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		int d, s, oldns, newns, n1, n2, n3, m, k, a;
		struct moved cm;
		char ch;

		close(up[0]);
		close(down[1]);
		d = socket(self->family, SOCK_DGRAM, 0);
		s = socket(self->family, SOCK_STREAM, 0);
		oldns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		CHILD_TRUE(90, d >= 0 && s >= 0 && oldns >= 0);
		CHILD_OK(91, 0, unshare(CLONE_NEWNET));
		newns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		CHILD_TRUE(92, newns >= 0);
		CHILD_OK(1, 0, bind_abs(d, self->family, xn, xl));
		CHILD_OK(2, 0, bind_auto(s, self->family));
		CHILD_OK(3, 0, listen(s, 4));
		CHILD_OK(4, 6, auto_name(s, cm.auto_name));
		n1 = socket(self->family, SOCK_DGRAM, 0);
		n2 = socket(self->family, SOCK_STREAM, 0);
		n3 = socket(self->family, SOCK_DGRAM, 0);
		m = socket(self->family, SOCK_DGRAM, 0);
		CHILD_TRUE(93, n1 >= 0 && n2 >= 0 && n3 >= 0 && m >= 0);
		CHILD_FAILS(5, ECONNREFUSED,
			    sendto_abs(n1, self->family, xn, xl, "x", 1, 0));
		CHILD_FAILS(6, ECONNREFUSED,
			    connect_abs(n2, self->family, cm.auto_name, 6));
		CHILD_OK(7, 0, bind_abs(n3, self->family, xn, xl));
		CHILD_OK(8, 1, sendto_abs(n1, self->family, xn, xl, "n", 1, 0));
		CHILD_OK(9, 1, recv(n3, &ch, 1, MSG_DONTWAIT));
		/* Back to the old namespace; m was made in the new one. */
		CHILD_OK(10, 0, setns(oldns, CLONE_NEWNET));
		CHILD_OK(11, 0, bind_abs(m, self->family, yn, yl));
		k = socket(self->family, SOCK_DGRAM, 0);
		CHILD_TRUE(94, k >= 0);
		CHILD_FAILS(12, ECONNREFUSED,
			    sendto_abs(k, self->family, yn, yl, "k", 1, 0));
		CHILD_OK(13, 1, sendto_abs(k, self->family, xn, xl, "k", 1, 0));
		CHILD_OK(14, 1, recv(d, &ch, 1, MSG_DONTWAIT));
		CHILD_TRUE(15, ch == 'k');
		cm.ino_d = inode_of(d);
		cm.ino_m = inode_of(m);
		CHILD_OK(16, sizeof(cm), write(up[1], &cm, sizeof(cm)));
		CHILD_OK(17, 0, read(down[0], &ch, 1));
		/* The parent sent one datagram to d and connected to s. */
		CHILD_OK(18, 1, recv(d, &ch, 1, MSG_DONTWAIT));
		CHILD_TRUE(19, ch == 'p');
		a = accept(s, NULL, NULL);
		CHILD_TRUE(20, a >= 0);
		CHILD_FAILS(21, EAGAIN, recv(m, &ch, 1, MSG_DONTWAIT));
		/* In the new namespace: m found and reachable, d not. */
		CHILD_OK(22, 0, setns(newns, CLONE_NEWNET));
		CHILD_OK(23, 0, diag_find(self->family, cm.ino_m));
		CHILD_OK(24, -ENOENT, diag_find(self->family, cm.ino_d));
		k = socket(self->family, SOCK_DGRAM, 0);
		CHILD_OK(25, 1, sendto_abs(k, self->family, yn, yl, "y", 1, 0));
		CHILD_OK(26, 1, recv(m, &ch, 1, MSG_DONTWAIT));
		CHILD_TRUE(27, ch == 'y');
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_RET(sizeof(mv), read(up[0], &mv, sizeof(mv)));
	c = new_typed(SOCK_STREAM);
	ASSERT_RET(0, connect_abs(c, self->family, mv.auto_name, 6));
	e = new_typed(SOCK_DGRAM);
	ASSERT_RET(1, sendto_abs(e, self->family, xn, xl, "p", 1, 0));
	ASSERT_ERRNO(ECONNREFUSED, sendto_abs(e, self->family, yn, yl,
					      "p", 1, 0));
	snprintf(suffix, sizeof(suffix), " @%s", xn + 1);
	ASSERT_EQ(1, proc_lists(self->family, suffix));
	snprintf(suffix, sizeof(suffix), " @%.5s", mv.auto_name + 1);
	ASSERT_EQ(1, proc_lists(self->family, suffix));
	snprintf(suffix, sizeof(suffix), " @%s", yn + 1);
	ASSERT_EQ(0, proc_lists(self->family, suffix));
	ASSERT_EQ(0, diag_find(self->family, mv.ino_d));
	ASSERT_EQ(-ENOENT, diag_find(self->family, mv.ino_m));
	close(down[1]);
	ASSERT_EQ(0, wait_child(kid));
	close(c);
	close(e);
	close(up[0]);
}

/*
 * Paths across mount namespaces: a child in a new mount namespace binds on
 * a tmpfs mounted only there.  The parent's lookup of the same path finds
 * the empty directory (ENOENT); through /proc/<child>/root it reaches the
 * child's stream listener and dgram socket, and the names reported are
 * the ones bound.
 */
TEST_F(netns, paths_cross_mount_ns)
{
	char dir[96], sp[96], dp[96], vp[160], vd[160], buf[8];
	int up[2], down[2], c, e;
	struct sockaddr_un sun;
	socklen_t len;
	pid_t kid;

	TPATH(dir, "m");
	ASSERT_EQ(0, mkdir(dir, 0755));
	TPATH(sp, "m/s");
	TPATH(dp, "m/d");
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		int l, d, a;
		char ch;

		close(up[0]);
		close(down[1]);
		CHILD_OK(90, 0, unshare(CLONE_NEWNS));
		CHILD_OK(91, 0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
				      NULL));
		CHILD_OK(92, 0, mount("punix", dir, "tmpfs", 0, "mode=0755"));
		l = socket(self->family, SOCK_STREAM, 0);
		d = socket(self->family, SOCK_DGRAM, 0);
		CHILD_TRUE(93, l >= 0 && d >= 0);
		CHILD_OK(1, 0, bind_path(l, self->family, sp));
		CHILD_OK(2, 0, listen(l, 4));
		CHILD_OK(3, 0, bind_path(d, self->family, dp));
		CHILD_OK(4, 1, write(up[1], "r", 1));
		CHILD_OK(5, 0, read(down[0], &ch, 1));
		a = accept(l, NULL, NULL);
		CHILD_TRUE(6, a >= 0);
		CHILD_OK(7, 1, recv(d, &ch, 1, MSG_DONTWAIT));
		CHILD_TRUE(8, ch == 'd');
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ASSERT_RET(1, read(up[0], buf, 1));
	c = new_typed(SOCK_STREAM);
	e = new_typed(SOCK_DGRAM);
	ASSERT_ERRNO(ENOENT, connect_path(c, self->family, sp));
	ASSERT_ERRNO(ENOENT, sendto_path(e, self->family, dp, "x", 1, 0));
	snprintf(vp, sizeof(vp), "/proc/%d/root%s", (int)kid, sp);
	snprintf(vd, sizeof(vd), "/proc/%d/root%s", (int)kid, dp);
	ASSERT_GT(SUN_PATH_MAX, strlen(vp));
	ASSERT_RET(0, connect_path(c, self->family, vp));
	ASSERT_PEERNAME(c, sp);
	ASSERT_RET(1, sendto_path(e, self->family, vd, "d", 1, 0));
	len = sizeof(sun);
	ASSERT_RET(0, connect_path(e, self->family, vd));
	ASSERT_RET(0, getpeername(e, (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, dp, sun, len);
	close(down[1]);
	ASSERT_EQ(0, wait_child(kid));
	close(c);
	close(e);
	close(up[0]);
}

#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE	(SIOCPROTOPRIVATE + 0)
#endif

/*
 * SIOCUNIXFILE needs CAP_NET_ADMIN over the user namespace owning the
 * socket's network namespace, checked before anything else: root of a new
 * user namespace (owning a new network namespace) opens the node of a
 * socket made there, gets ENOENT for an unbound one made there, and EPERM
 * for sockets of the initial network namespace, bound or not.
 */
TEST_F(netns, siocunixfile_netns_owner)
{
	char pp[96], qp[96];
	int p, u, fd;
	pid_t kid;

	p = new_bound_at(SOCK_DGRAM, pp, "p");
	u = new_typed(SOCK_DGRAM);
	TPATH(qp, "q");
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		uid_t ou = getuid();
		gid_t og = getgid();
		struct stat st, fst;
		int q, v, f;

		CHILD_OK(90, 0, unshare(CLONE_NEWUSER | CLONE_NEWNET));
		CHILD_OK(91, 0, map_ids(0, 0, ou, og));
		q = socket(self->family, SOCK_DGRAM, 0);
		v = socket(self->family, SOCK_DGRAM, 0);
		CHILD_TRUE(92, q >= 0 && v >= 0);
		CHILD_OK(1, 0, bind_path(q, self->family, qp));
		f = ioctl(q, SIOCUNIXFILE, 0);
		CHILD_TRUE(2, f >= 0);
		CHILD_TRUE(3, (fcntl(f, F_GETFL) & O_PATH) == O_PATH);
		CHILD_OK(4, 0, fstat(f, &fst));
		CHILD_OK(5, 0, stat(qp, &st));
		CHILD_TRUE(6, st.st_ino == fst.st_ino && st.st_dev == fst.st_dev);
		CHILD_FAILS(7, ENOENT, ioctl(v, SIOCUNIXFILE, 0));
		CHILD_FAILS(8, EPERM, ioctl(p, SIOCUNIXFILE, 0));
		CHILD_FAILS(9, EPERM, ioctl(u, SIOCUNIXFILE, 0));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
	fd = ioctl(p, SIOCUNIXFILE, 0);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_ERRNO(ENOENT, ioctl(u, SIOCUNIXFILE, 0));
	close(p);
	close(u);
}

TEST_HARNESS_MAIN
