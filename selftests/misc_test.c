// SPDX-License-Identifier: GPL-2.0
/*
 * Behaviours the per-type programs leave out (Linux 6.12 af_unix.c, with
 * the same results on 6.1):
 *
 *   - the socket is a sockfs file (fstatfs), a bound node cannot be
 *     opened (ENXIO), nor can /proc/self/fd/N of a socket;
 *   - ioctl: unknown commands are ENOTTY (->ioctl() returns
 *     -ENOIOCTLCMD, no ->gettstamp), interface ioctls reach dev_ioctl()
 *     in the socket's own network namespace;
 *   - SIOCOUTQ on a stream socket: unread memory, freed by the reader
 *     only when an skb is used up, and by the peer's close;
 *   - a path socket is found by its inode: through a rename or a hard
 *     link, the name it reports stays the one it was bound to;
 *   - path_permission(MAY_WRITE) on the node also for dgram (connect and
 *     sendto) and seqpacket: EACCES;
 *   - SO_PEERGROUPS: socketpair, ERANGE with the needed length, ENODATA,
 *     the listener's groups at listen() time vs the connector's;
 *   - raising SO_SNDBUF wakes a writer blocked on a full send buffer
 *     (stream, seqpacket, dgram);
 *   - seqpacket poll wakeups: POLLRDHUP-only by the peer's SHUT_WR,
 *     events = 0 by the peer's close;
 *   - sendfile() into dgram/seqpacket sockets: one message, EAGAIN when
 *     full and non-blocking;
 *   - listen(fd, 0) admits one connection (abstract name), then EAGAIN;
 *   - a stream MSG_PEEK that fills its buffer still takes the files of
 *     the next skb that has some (found by fuzz_test);
 *   - the collector takes a garbage socket's whole queue where af_unix's
 *     does: its peer reads EOF, not ECONNRESET (found by fuzz_test).
 */
#include "msg_util.h"

#include <net/if.h>
#include <sys/sendfile.h>
#include <sys/vfs.h>
#include <termios.h>
#include <linux/magic.h>

PUNIX_FIXTURE(misc);

/* SO_PEERGROUPS of @fd into @gids (room for @max); count or -errno. */
static int peer_groups(int fd, gid_t *gids, int max)
{
	socklen_t len = max * sizeof(gid_t);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids, &len))
		return -errno;
	return len / sizeof(gid_t);
}

/* A file of @len bytes 'a' + i % 26 in the test directory; its fd. */
static int make_file(const char *path, size_t len)
{
	char buf[4096];
	int fd;

	if (len > sizeof(buf))
		return -1;
	for (size_t i = 0; i < len; i++)
		buf[i] = 'a' + i % 26;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A socket is a sockfs file; the bound node is S_IFSOCK on its own file
 * system and cannot be opened in any mode (ENXIO), nor can the socket
 * itself through /proc/self/fd.  O_PATH works.
 */
TEST_F(misc, sockfs_file_and_node_enxio)
{
	static const int modes[] = {
		O_RDONLY, O_WRONLY, O_RDWR, O_RDONLY | O_NONBLOCK,
	};
	struct stat st, nst;
	struct statfs sfs;
	char path[96], proc[64];
	int fd, sv[2], p;

	fd = new_bound_at(SOCK_STREAM, path, "node");
	ASSERT_EQ(0, fstatfs(fd, &sfs));
	ASSERT_EQ(SOCKFS_MAGIC, sfs.f_type);
	ASSERT_EQ(NAME_MAX, sfs.f_namelen);
	ASSERT_EQ(sysconf(_SC_PAGESIZE), sfs.f_bsize);
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(0, stat(path, &nst));
	ASSERT_TRUE(S_ISSOCK(nst.st_mode));
	ASSERT_NE(st.st_dev, nst.st_dev);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		ASSERT_ERRNO(ENXIO, open(path, modes[i] | O_CLOEXEC));
	p = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, p);
	close(p);
	ASSERT_EQ(0, socketpair(self->family, SOCK_DGRAM, 0, sv));
	ASSERT_EQ(0, fstatfs(sv[0], &sfs));
	ASSERT_EQ(SOCKFS_MAGIC, sfs.f_type);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sv[0]);
	ASSERT_ERRNO(ENXIO, open(proc, O_RDWR | O_CLOEXEC));
	ASSERT_ERRNO(ENXIO, open(proc, O_RDONLY | O_CLOEXEC));
	close(sv[0]);
	close(sv[1]);
	close(fd);
}

/*
 * unix_ioctl() returns -ENOIOCTLCMD for what it does not know: a non
 * socket command is then ENOTTY (isatty() is false); SIOCGSTAMP is ENOTTY
 * too (no ->gettstamp); interface commands go to dev_ioctl().
 */
TEST_F(misc, ioctl_unknown_and_interface)
{
	struct termios tio;
	struct ifreq ifr;
	struct timeval tv;
	unsigned int lo = if_nametoindex("lo");
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };

	ASSERT_LT(0U, lo);
	for (int i = 0; i < 3; i++) {
		int fd = new_typed(types[i]);

		ASSERT_ERRNO(ENOTTY, ioctl(fd, TCGETS, &tio));
		ASSERT_EQ(0, isatty(fd));
		ASSERT_ERRNO(ENOTTY, ioctl(fd, SIOCGSTAMP, &tv));
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "lo");
		ASSERT_RET(0, ioctl(fd, SIOCGIFINDEX, &ifr));
		ASSERT_EQ((int)lo, ifr.ifr_ifindex);
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "punixnodev0");
		ASSERT_ERRNO(ENODEV, ioctl(fd, SIOCGIFINDEX, &ifr));
		close(fd);
	}
}

/* Flags of "lo" through @fd's SIOCGIFFLAGS, or -1. */
static int lo_flags(int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		return -1;
	return (unsigned short)ifr.ifr_flags;
}

/*
 * dev_ioctl() works in the socket's network namespace, not the caller's:
 * a socket made in netns A sets "lo" up there; after moving to a fresh
 * netns B, the old socket still sees A's "lo" (up), a new one B's (down).
 */
TEST_F(misc, ioctl_uses_socket_netns)
{
	pid_t pid = fork_child();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ifreq ifr;
		int a, b, fl;

		if (unshare(CLONE_NEWNET))
			_exit(90);
		a = socket(self->family, SOCK_DGRAM, 0);
		if (a < 0)
			_exit(91);
		fl = lo_flags(a);
		if (fl < 0 || (fl & IFF_UP))
			_exit(92);
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "lo");
		ifr.ifr_flags = fl | IFF_UP;
		if (ioctl(a, SIOCSIFFLAGS, &ifr))
			_exit(93);
		if (unshare(CLONE_NEWNET))
			_exit(94);
		b = socket(self->family, SOCK_DGRAM, 0);
		if (b < 0)
			_exit(95);
		fl = lo_flags(a);
		if (fl < 0 || !(fl & IFF_UP))
			_exit(96);
		fl = lo_flags(b);
		if (fl < 0 || (fl & IFF_UP))
			_exit(97);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
}

/*
 * SIOCOUTQ of a stream socket is its unread memory (skb truesize, so at
 * least the bytes sent): a partial read keeps the skb (no change), reading
 * it up frees it, and so does the peer's close with data unread.  A
 * listener has none.
 */
TEST_F(misc, stream_siocoutq)
{
	char buf[256], path[96];
	int c, s, l, one, two;

	new_pair(&c, &s);
	ASSERT_EQ(0, sock_outq(c));
	ASSERT_EQ(0, sock_outq(s));
	ASSERT_RET(100, write(c, buf, 100));
	one = sock_outq(c);
	ASSERT_LE(100, one);
	ASSERT_EQ(0, sock_outq(s));
	ASSERT_EQ(100, sock_inq(s));
	ASSERT_RET(50, write(c, buf, 50));
	two = sock_outq(c);
	/*
	 * At least the bytes: AF_UNIX charges the second write a new skb,
	 * punix may append it to the first's room, already charged (issue 9).
	 */
	ASSERT_LE(one, two);
	ASSERT_LE(150, two);
	ASSERT_RET(30, recv(s, buf, 30, 0));
	ASSERT_EQ(two, sock_outq(c));
	ASSERT_EQ(120, sock_inq(s));
	ASSERT_RET(70, recv(s, buf, 70, 0));
	/*
	 * The first write read up: AF_UNIX frees its skb (two - one left);
	 * punix may have appended the second write to the first's skb
	 * (issue 9), which is freed when both are read (two left).
	 */
	ASSERT_LE(two - one, sock_outq(c));
	ASSERT_GE(two, sock_outq(c));
	ASSERT_RET(50, recv(s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, sock_outq(c));
	ASSERT_RET(10, write(c, buf, 10));
	ASSERT_LT(0, sock_outq(c));
	close(s);
	ASSERT_EQ(0, sock_outq(c));
	close(c);
	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, sock_outq(l));
	close(l);
}

/*
 * The node is looked up by inode: after rename() the new path reaches the
 * listener and the old one is ENOENT; names stay the bound path.  A new
 * socket can then bind the old path and gets its own connections.
 */
TEST_F(misc, renamed_node_reaches_socket)
{
	char a[96], b[96], buf[4];
	int l, l2, c, c2, s;

	TPATH(a, "a");
	TPATH(b, "b");
	l = new_listener(self->family, a, 4);
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_EQ(0, rename(a, b));
	c = new_typed(SOCK_STREAM);
	ASSERT_ERRNO(ENOENT, connect_path(c, self->family, a));
	ASSERT_RET(0, connect_path(c, self->family, b));
	ASSERT_PEERNAME(c, a);
	s = accept_ok(l);
	ASSERT_SOCKNAME(s, a);
	ASSERT_SOCKNAME(l, a);
	ASSERT_RET(3, write(c, "ren", 3));
	ASSERT_RET(3, read(s, buf, 3));
	ASSERT_EQ(0, memcmp(buf, "ren", 3));
	/* The old path is free again. */
	l2 = new_listener(self->family, a, 4);
	c2 = new_client(self->family, a);
	ASSERT_PEERNAME(c2, a);
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	close(accept_ok(l2));
	close(c2);
	close(l2);
	close(s);
	close(c);
	close(l);
}

/*
 * A hard link to a dgram socket's node reaches it, also after the
 * original name is unlinked (then that name is ENOENT); the receiver's
 * name, and the sender name a receiver sees, are the bound paths.
 */
TEST_F(misc, hard_link_reaches_dgram_socket)
{
	struct sockaddr_un sun;
	socklen_t len;
	char rp[96], lp[96], sp[96], buf[8];
	int r, s, mflags;

	TPATH(lp, "link");
	r = new_bound_at(SOCK_DGRAM, rp, "r");
	s = new_bound_at(SOCK_DGRAM, sp, "s");
	ASSERT_EQ(0, link(rp, lp));
	ASSERT_RET(2, sendto_path(s, self->family, lp, "l1", 2, 0));
	len = sizeof(sun);
	ASSERT_RET(2, recv_msg(r, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_EQ(0, memcmp(buf, "l1", 2));
	ASSERT_ADDR(self->family, sp, sun, len);
	ASSERT_EQ(0, unlink(rp));
	ASSERT_ERRNO(ENOENT, sendto_path(s, self->family, rp, "x", 1, 0));
	ASSERT_RET(0, connect_path(s, self->family, lp));
	ASSERT_RET(2, send(s, "l2", 2, 0));
	ASSERT_RET(2, recv(r, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, "l2", 2));
	ASSERT_PEERNAME(s, rp);
	ASSERT_SOCKNAME(r, rp);
	/* s's node renamed to r's old path reaches s, sent from r's name. */
	ASSERT_EQ(0, rename(sp, rp));
	ASSERT_RET(1, sendto_path(r, self->family, rp, "b", 1, 0));
	len = sizeof(sun);
	ASSERT_RET(1, recv_msg(s, buf, sizeof(buf), 0, &sun, &len, &mflags));
	ASSERT_ADDR(self->family, rp, sun, len);
	close(s);
	close(r);
}

/* In a child: nobody's connect() (or sendto() if @send) of @type to @path. */
static int nobody_try(int family, int type, const char *path, bool send,
		      int want)
{
	pid_t pid = fork_child();
	long r;
	int fd;

	if (pid)
		return pid < 0 ? -1 : wait_child(pid);
	fd = socket(family, type, 0);
	if (fd < 0 || drop_to_nobody())
		_exit(98);
	if (send)
		r = sendto_path(fd, family, path, "n", 1, 0);
	else
		r = connect_path(fd, family, path);
	if (!want)
		_exit(r == (send ? 1 : 0) ? 0 : 100 + errno);
	_exit(child_errno_code(r, errno, want));
}

/*
 * unix_find_bsd() checks MAY_WRITE on the node for every type: nobody
 * gets EACCES from a dgram connect() and sendto() and a seqpacket
 * connect() to a root-owned 0755 node, and gets through with 0757.
 */
TEST_F(misc, msg_node_not_writable_eacces)
{
	char dp[96], qp[96], buf[8];
	int d, q;

	d = new_bound_at(SOCK_DGRAM, dp, "d");
	TPATH(qp, "q");
	q = new_typed_listener(SOCK_SEQPACKET, qp, 4);
	ASSERT_EQ(0, chmod(dp, 0755));
	ASSERT_EQ(0, chmod(qp, 0755));
	ASSERT_EQ(0, nobody_try(self->family, SOCK_DGRAM, dp, false, EACCES));
	ASSERT_EQ(0, nobody_try(self->family, SOCK_DGRAM, dp, true, EACCES));
	ASSERT_EQ(0, nobody_try(self->family, SOCK_SEQPACKET, qp, false,
				EACCES));
	ASSERT_ERRNO(EAGAIN, recv(d, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, chmod(dp, 0757));
	ASSERT_EQ(0, chmod(qp, 0757));
	ASSERT_EQ(0, nobody_try(self->family, SOCK_DGRAM, dp, false, 0));
	ASSERT_EQ(0, nobody_try(self->family, SOCK_DGRAM, dp, true, 0));
	ASSERT_EQ(0, nobody_try(self->family, SOCK_SEQPACKET, qp, false, 0));
	ASSERT_RET(1, recv(d, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('n', buf[0]);
	close(accept_ok(q));
	close(q);
	close(d);
}

/*
 * SO_PEERGROUPS of a socketpair is the creator's supplementary groups
 * (sorted); a short buffer is ERANGE with optlen set to the size needed;
 * a socket with no peer is ENODATA.
 */
TEST_F(misc, peergroups_socketpair)
{
	static const gid_t want[] = { 40001, 40002, 40003 };
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	gid_t gids[8];
	socklen_t len;
	int sv[2], fd;

	/* Only this test's process changes its groups. */
	ASSERT_EQ(0, setgroups(3, want));
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, socketpair(self->family, types[i], 0, sv));
		ASSERT_EQ(3, peer_groups(sv[0], gids, 8));
		ASSERT_EQ(0, memcmp(gids, want, sizeof(want)));
		ASSERT_EQ(3, peer_groups(sv[1], gids, 3));
		ASSERT_EQ(0, memcmp(gids, want, sizeof(want)));
		len = sizeof(gid_t);
		ASSERT_ERRNO(ERANGE, getsockopt(sv[0], SOL_SOCKET,
						SO_PEERGROUPS, gids, &len));
		ASSERT_EQ(3 * sizeof(gid_t), len);
		close(sv[0]);
		close(sv[1]);
		fd = new_typed(types[i]);
		ASSERT_EQ(-ENODATA, peer_groups(fd, gids, 8));
		close(fd);
	}
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, peer_groups(sv[0], gids, 8));
	close(sv[0]);
	close(sv[1]);
}

/*
 * The listener's peer groups are fixed at listen(); the client gets them,
 * the accepted socket gets the connector's groups at connect() time.
 */
TEST_F(misc, peergroups_listen_connect)
{
	static const gid_t g1[] = { 40011 };
	static const gid_t g2[] = { 40021, 40022 };
	gid_t gids[8];
	char path[96];
	int l, c, s;

	TPATH(path, "l");
	ASSERT_EQ(0, setgroups(1, g1));
	l = new_listener(self->family, path, 4);
	ASSERT_EQ(0, setgroups(2, g2));
	ASSERT_EQ(1, peer_groups(l, gids, 8));
	ASSERT_EQ(g1[0], gids[0]);
	c = new_client(self->family, path);
	ASSERT_EQ(0, setgroups(0, NULL));
	s = accept_ok(l);
	ASSERT_EQ(1, peer_groups(c, gids, 8));
	ASSERT_EQ(g1[0], gids[0]);
	ASSERT_EQ(2, peer_groups(s, gids, 8));
	ASSERT_EQ(0, memcmp(gids, g2, sizeof(g2)));
	close(s);
	close(c);
	close(l);
}

/*
 * A stream writer blocked on a full send buffer is woken when SO_SNDBUF
 * is raised (sock_setsockopt() calls ->sk_write_space()), with nothing
 * read: its write completes and every byte arrives.
 */
TEST_F(misc, sndbuf_raise_wakes_stream_writer)
{
	long queued;
	pid_t pid;
	int c, s;

	new_pair(&c, &s);
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 4096));
	queued = fill_sndbuf(c, 1024);
	ASSERT_LT(0, queued);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char junk[100];
		ssize_t r;

		close(s);
		r = write(c, junk, sizeof(junk));
		_exit(r == 100 ? 0 : child_errno_code(r, errno, 0));
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_write));
	ASSERT_EQ(0, set_int_opt(c, SOL_SOCKET, SO_SNDBUF, 1 << 20));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(queued + 100, drain(s));
	close(c);
	close(s);
}

/*
 * The same for seqpacket and dgram pairs: a sender blocked on SO_SNDBUF
 * (no receive-queue limit between the two ends of a pair) goes through
 * once SO_SNDBUF grows; its message comes after the queued ones.
 */
TEST_F(misc, sndbuf_raise_wakes_msg_writer)
{
	int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };
	char buf[1024];

	for (int t = 0; t < 2; t++) {
		int sv[2], n, err;
		pid_t pid;

		ASSERT_EQ(0, socketpair(self->family, types[t], 0, sv));
		ASSERT_EQ(0, set_int_opt(sv[0], SOL_SOCKET, SO_SNDBUF, 4096));
		n = fill_msgs(sv[0], NULL, 0, 1000, &err);
		ASSERT_LE(1, n);
		ASSERT_EQ(EAGAIN, err);
		pid = fork_child();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			ssize_t r;

			close(sv[1]);
			r = send(sv[0], "last", 4, 0);
			_exit(r == 4 ? 0 : child_errno_code(r, errno, 0));
		}
		ASSERT_TRUE(wait_blocked_in(pid, SYS_sendto));
		ASSERT_EQ(0, set_int_opt(sv[0], SOL_SOCKET, SO_SNDBUF,
					 1 << 20));
		ASSERT_EQ(0, wait_child(pid));
		for (int i = 0; i < n; i++)
			ASSERT_RET(1000, recv(sv[1], buf, sizeof(buf),
					      MSG_DONTWAIT));
		ASSERT_RET(4, recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
		ASSERT_EQ(0, memcmp(buf, "last", 4));
		ASSERT_ERRNO(EAGAIN, recv(sv[1], buf, sizeof(buf),
					  MSG_DONTWAIT));
		close(sv[0]);
		close(sv[1]);
	}
}

/*
 * Seqpacket: a poll() blocked for POLLRDHUP only is woken by the peer's
 * SHUT_WR (unix_shutdown() -> ->sk_state_change() of the peer).
 */
TEST_F(misc, seqpacket_rdhup_poller_woken)
{
	char buf[4];
	pid_t pid;
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_SEQPACKET, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = sv[1], .events = POLLRDHUP };

		if (poll(&pfd, 1, LONG_TIMEO_MS) != 1)
			_exit(90);
		_exit(pfd.revents == POLLRDHUP ? 0 : 98);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_poll));
	ASSERT_RET(0, shutdown(sv[0], SHUT_WR));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_RET(0, recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
}

/*
 * Seqpacket: a poll() blocked with events = 0 is woken by the peer's
 * close (empty queues: POLLHUP alone, no POLLERR).
 */
TEST_F(misc, seqpacket_hangup_poller_woken)
{
	pid_t pid;
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_SEQPACKET, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = sv[1], .events = 0 };

		close(sv[0]);
		if (poll(&pfd, 1, LONG_TIMEO_MS) != 1)
			_exit(90);
		_exit(pfd.revents == POLLHUP ? 0 : 98);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_poll));
	close(sv[0]);
	ASSERT_EQ(0, wait_child(pid));
	close(sv[1]);
}

/*
 * sendfile() into a seqpacket or dgram pair: each call (under a page)
 * is one message with the file's bytes; the offset advances.  Into a
 * full non-blocking sender: EAGAIN.
 */
TEST_F(misc, sendfile_into_msg_sockets)
{
	int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };
	char path[96], buf[1024];
	int f;

	TPATH(path, "file");
	f = make_file(path, 100);
	ASSERT_LE(0, f);
	for (int t = 0; t < 2; t++) {
		int sv[2], n, err;
		off_t off = 0;

		ASSERT_EQ(0, socketpair(self->family,
					types[t] | SOCK_NONBLOCK, 0, sv));
		ASSERT_RET(100, sendfile(sv[0], f, &off, 100));
		ASSERT_EQ(100, off);
		off = 10;
		ASSERT_RET(40, sendfile(sv[0], f, &off, 40));
		ASSERT_EQ(50, off);
		ASSERT_RET(100, recv(sv[1], buf, sizeof(buf), 0));
		for (int i = 0; i < 100; i++)
			ASSERT_EQ('a' + i % 26, buf[i]);
		ASSERT_RET(40, recv(sv[1], buf, sizeof(buf), 0));
		for (int i = 0; i < 40; i++)
			ASSERT_EQ('a' + (10 + i) % 26, buf[i]);
		ASSERT_ERRNO(EAGAIN, recv(sv[1], buf, sizeof(buf), 0));

		ASSERT_EQ(0, set_int_opt(sv[0], SOL_SOCKET, SO_SNDBUF, 4096));
		n = fill_msgs(sv[0], NULL, 0, 1000, &err);
		ASSERT_LE(1, n);
		ASSERT_EQ(EAGAIN, err);
		off = 0;
		ASSERT_ERRNO(EAGAIN, sendfile(sv[0], f, &off, 100));
		ASSERT_EQ(n, drain_msgs(sv[1]));
		close(sv[0]);
		close(sv[1]);
	}
	close(f);
}

/*
 * listen(fd, 0) on an abstract stream or seqpacket name still admits one
 * connection (the queue is full only above the backlog); a second
 * non-blocking connect() is EAGAIN until that one is accepted.
 */
TEST_F(misc, listen_backlog_zero_admits_one)
{
	int types[] = { SOCK_STREAM, SOCK_SEQPACKET };
	char name[64], buf[4];

	for (int t = 0; t < 2; t++) {
		size_t n = mkname(name, sizeof(name), t ? "bl0q" : "bl0s");
		int l, c1, c2, s;

		l = new_typed(types[t]);
		ASSERT_RET(0, bind_abs(l, self->family, name, n));
		ASSERT_RET(0, listen(l, 0));
		c1 = new_typed(types[t] | SOCK_NONBLOCK);
		c2 = new_typed(types[t] | SOCK_NONBLOCK);
		ASSERT_RET(0, connect_abs(c1, self->family, name, n));
		ASSERT_ERRNO(EAGAIN, connect_abs(c2, self->family, name, n));
		ASSERT_RET(1, send(c1, "1", 1, 0));
		s = accept_ok(l);
		ASSERT_RET(1, recv(s, buf, sizeof(buf), 0));
		ASSERT_EQ('1', buf[0]);
		close(s);
		ASSERT_RET(0, connect_abs(c2, self->family, name, n));
		s = accept_ok(l);
		close(s);
		close(c2);
		close(c1);
		close(l);
	}
}

/*
 * Found by fuzz_test (seed 616): a stream MSG_PEEK whose buffer is filled
 * by one skb goes on over the skbs that follow (zero bytes from each) and
 * returns the files of the first that carries any, as af_unix's
 * unix_stream_read_generic() does; so does a zero-byte peek. A real read
 * stops short of the files, and then takes them with their bytes.
 */
static ssize_t peek_fds(int fd, char *buf, size_t len, int flags, int *nfds)
{
	union {
		char b[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *c;
	ssize_t r;

	*nfds = 0;
	r = recvmsg(fd, &m, flags | MSG_DONTWAIT);
	if (r < 0)
		return r;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		int *fds = (int *)CMSG_DATA(c);
		int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		struct stat st;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			return -2;
		for (int i = 0; i < n; i++) {
			/* each one the /dev/null sent */
			if (fstat(fds[i], &st) || !S_ISCHR(st.st_mode))
				return -3;
			close(fds[i]);
		}
		*nfds += n;
	}
	return r;
}

TEST_F(misc, stream_full_peek_takes_next_fds)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { "gh", 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *c = (struct cmsghdr *)u.b;
	char buf[16] = "";
	int sv[2], nul, n;

	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nul);
	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(6, write(sv[0], "abcdef", 6));
	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &nul, sizeof(int));
	ASSERT_RET(2, sendmsg(sv[0], &m, 0));

	ASSERT_RET(3, peek_fds(sv[1], buf, 3, MSG_PEEK, &n));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(1, n);
	ASSERT_RET(0, peek_fds(sv[1], buf, 0, MSG_PEEK, &n));
	EXPECT_EQ(1, n);
	ASSERT_RET(3, peek_fds(sv[1], buf, 3, 0, &n));
	EXPECT_EQ(0, n);
	ASSERT_RET(5, peek_fds(sv[1], buf, sizeof(buf), 0, &n));
	EXPECT_EQ(0, memcmp(buf, "defgh", 5));
	EXPECT_EQ(1, n);
	ASSERT_ERRNO(EAGAIN, peek_fds(sv[1], buf, sizeof(buf), MSG_PEEK, &n));
	close(sv[0]);
	close(sv[1]);
	close(nul);
}

/*
 * Found by fuzz_test (seed 635): a stream socket whose only reference is
 * itself in its own queue (sent over its peer) is garbage; with a plain
 * skb ahead of that one. af_unix's graph collector (6.10, and Debian's
 * 6.1) takes the socket's whole queue, so the socket is empty when it is
 * released and the peer reads EOF; the older one left the plain skb, and
 * the peer got ECONNRESET. The answer is AF_UNIX's: asked in the same test.
 * Returns what recv() on the peer gives once the collector ran: the byte
 * count or -errno; -1000 - n for a step n that failed.
 */
static int gc_peer_sees(int family)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { "y", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *c = (struct cmsghdr *)u.b;
	struct pollfd pfd;
	char buf[8];
	int sv[2], r;

	if (socketpair(family, SOCK_STREAM, 0, sv))
		return -1001;
	if (send(sv[0], "x", 1, 0) != 1)
		return -1002;
	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sv[1], sizeof(int));
	if (sendmsg(sv[0], &m, 0) != 1)
		return -1003;
	close(sv[1]);		/* a garbage cycle */
	/* as af_unix, the release of any socket starts the collector */
	r = socket(family, SOCK_STREAM, 0);
	if (r < 0)
		return -1005;
	close(r);
	pfd.fd = sv[0];
	pfd.events = POLLRDHUP;
	/* woken when the collector has released sv[1] (watchdog: 10 s) */
	if (poll(&pfd, 1, 8000) != 1)
		return -1004;
	r = recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT);
	if (r < 0)
		r = -errno;
	close(sv[0]);
	return r;
}

TEST_F(misc, gc_released_socket_queue_taken)
{
	int native = gc_peer_sees(AF_UNIX);

	ASSERT_GT(native, -1000);
	/* 0 (EOF) or -ECONNRESET, as the kernel's collector has it */
	ASSERT_TRUE(native == 0 || native == -ECONNRESET);
	EXPECT_EQ(native, gc_peer_sees(self->family));
}

TEST_HARNESS_MAIN
