// SPDX-License-Identifier: GPL-2.0
/*
 * Unprivileged users, as AF_UNIX (net/unix/af_unix.c, net/core/scm.c,
 * fs/namei.c, net/socket.c) treats them.  The suite runs as root: every
 * case forks a child that becomes another user (setgroups/setresgid/
 * setresuid, no capability left unless a case keeps one) and reports
 * through its exit status.  What creds_test, stream_bind_test,
 * stream_connect_test and misc_test already check as nobody (EACCES on a
 * root-owned 0755 node for every type, bind in an unwritable or
 * unsearchable directory, forging without any capability, SO_PEERCRED of
 * a connecting nobody) is not repeated:
 *
 *   - path lookups through a directory without search permission: EACCES
 *     for connect()/sendto() of every type; search without read is enough;
 *   - the node's permission class: owner bits over group over other bits,
 *     write alone is enough, and the file-system uid (setfsuid()) is the
 *     one checked;
 *   - a node made by an unprivileged bind() belongs to its fsuid/fsgid;
 *   - SCM_CREDENTIALS forging with one capability at a time: CAP_SETUID
 *     allows any uid only, CAP_SETGID any gid only, CAP_SYS_ADMIN any pid
 *     only; the message arrives exactly as forged;
 *   - SO_PEERCRED/SO_PEERGROUPS/SCM_CREDENTIALS between a listener owned
 *     by another user (with supplementary groups) and a root client;
 *   - the socket inode's owner (fstat) for socket(), socketpair() and
 *     accept() by another user or fsuid; fchown() of a socket;
 *   - wait_blocked_in() used by and on tasks of an unprivileged user.
 */
#include "msg_util.h"

#include <sys/fsuid.h>
#include <linux/capability.h>

/* Ids the children take; anything but root and nobody. */
#define OTHER_UID	1234
#define OTHER_GID	4321
#define SUPP1		700
#define SUPP2		701

PUNIX_FIXTURE(users);

/* In a child: become @uid/@gid with the @n supplementary groups @grp. */
static int become(uid_t uid, gid_t gid, size_t n, const gid_t *grp)
{
	if (setgroups(n, grp) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return 0;
}

/*
 * In a child: @l bound to @path (step @step) and listening (@step + 1),
 * "l" written to @syncfd (@step + 2), then the connection it accepts;
 * exits @code if accept() fails.
 */
static int child_accept_one(int l, int family, const char *path, int syncfd,
			    int step, int code)
{
	int s;

	CHILD_OK(step, 0, bind_path(l, family, path));
	CHILD_OK(step + 1, 0, listen(l, 4));
	CHILD_OK(step + 2, 1, write(syncfd, "l", 1));
	s = accept(l, NULL, NULL);
	if (s < 0)
		_exit(code);
	return s;
}

/* The capabilities forge_one_cap() keeps permitted. */
#define KEPT_CAPS	((1U << CAP_SETUID) | (1U << CAP_SETGID) | \
			 (1U << CAP_SYS_ADMIN))

/* Effective capabilities @mask (bits < 32), permitted KEPT_CAPS. */
static int set_caps(uint32_t mask)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = mask;
	d[0].permitted = KEPT_CAPS;
	return syscall(SYS_capset, &h, d);
}

/*
 * One non-blocking recvmsg() that must give exactly @data and exactly one
 * SCM_CREDENTIALS {@pid, @uid, @gid}.
 */
static void __assert_cred_msg(struct __test_metadata *_metadata, int fd,
			      const char *data, pid_t pid, uid_t uid, gid_t gid)
{
	union {
		struct cmsghdr align;
		char b[256];
	} u;
	char buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = sizeof(u.b),
	};
	struct cmsghdr *cm;
	struct ucred uc;

	memset(buf, 0, sizeof(buf));
	ASSERT_RET(strlen(data), recvmsg(fd, &msg, MSG_DONTWAIT));
	ASSERT_EQ(0, memcmp(buf, data, strlen(data)));
	ASSERT_EQ(0, msg.msg_flags);
	ASSERT_EQ(UCRED_SPACE, msg.msg_controllen);
	cm = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cm);
	ASSERT_EQ(SOL_SOCKET, cm->cmsg_level);
	ASSERT_EQ(SCM_CREDENTIALS, cm->cmsg_type);
	ASSERT_EQ(UCRED_LEN, cm->cmsg_len);
	memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
	EXPECT_EQ(pid, uc.pid);
	EXPECT_EQ(uid, uc.uid);
	EXPECT_EQ(gid, uc.gid);
}
#define ASSERT_CRED_MSG(fd, data, pid, uid, gid) \
	__assert_cred_msg(_metadata, (fd), (data), (pid), (uid), (gid))

/* SO_PEERCRED of @fd must be {@pid, @uid, @gid}. */
#define ASSERT_PEERCRED(fd, _pid, _uid, _gid) do {			\
	struct ucred __uc;						\
	ASSERT_EQ(0, get_peercred((fd), &__uc));			\
	EXPECT_EQ((pid_t)(_pid), __uc.pid);				\
	EXPECT_EQ((uid_t)(_uid), __uc.uid);				\
	EXPECT_EQ((gid_t)(_gid), __uc.gid);				\
} while (0)

/* A child's connect() (send: sendto()) of @type to @path as @uid/@gid. */
static int try_as(int family, int type, const char *path, bool send,
		  uid_t uid, gid_t gid)
{
	pid_t pid = fork_child();
	long r;
	int fd;

	if (pid)
		return pid < 0 ? -1 : wait_child(pid);
	fd = socket(family, type, 0);
	if (fd < 0 || become(uid, gid, 0, NULL))
		_exit(98);
	if (send)
		r = sendto_path(fd, family, path, "n", 1, 0);
	else
		r = connect_path(fd, family, path);
	if (r == (send ? 1 : 0))
		_exit(0);
	_exit(r == -1 ? 100 + (errno > 150 ? 150 : errno) : 99);
}

/* try_as() exit code for a call that fails with @err. */
#define WANT(err)	((err) ? 100 + (err) : 0)

/*
 * path_lookupat() needs search (x) permission on every directory on the
 * way: nobody gets EACCES from connect() and sendto() of every type
 * through a 0700 root directory, even to a 0777 node; 0711 (search
 * without read) lets them through.
 */
TEST_F(users, unsearchable_dir_eacces)
{
	char dir[96], sp[96], qp[96], dp[96], buf[8];
	int s, q, d, a;

	TPATH(dir, "priv");
	ASSERT_EQ(0, mkdir(dir, 0700));
	ASSERT_EQ(0, chmod(dir, 0700));
	TPATH(sp, "priv/s");
	TPATH(qp, "priv/q");
	TPATH(dp, "priv/d");
	s = new_typed_listener(SOCK_STREAM, sp, 4);
	q = new_typed_listener(SOCK_SEQPACKET, qp, 4);
	d = new_bound(SOCK_DGRAM, dp);
	ASSERT_EQ(0, chmod(sp, 0777));
	ASSERT_EQ(0, chmod(qp, 0777));
	ASSERT_EQ(0, chmod(dp, 0777));
	ASSERT_EQ(WANT(EACCES), try_as(self->family, SOCK_STREAM, sp, false,
				       NOBODY_ID, NOBODY_ID));
	ASSERT_EQ(WANT(EACCES), try_as(self->family, SOCK_SEQPACKET, qp, false,
				       NOBODY_ID, NOBODY_ID));
	ASSERT_EQ(WANT(EACCES), try_as(self->family, SOCK_DGRAM, dp, false,
				       NOBODY_ID, NOBODY_ID));
	ASSERT_EQ(WANT(EACCES), try_as(self->family, SOCK_DGRAM, dp, true,
				       NOBODY_ID, NOBODY_ID));
	/* A missing name behind it is EACCES too, not ENOENT. */
	{
		char np[96];

		TPATH(np, "priv/none");
		ASSERT_EQ(WANT(EACCES), try_as(self->family, SOCK_STREAM, np,
					       false, NOBODY_ID, NOBODY_ID));
	}
	/* Nothing arrived. */
	ASSERT_EQ(0, poll_now(s));
	ASSERT_EQ(0, poll_now(q));
	ASSERT_ERRNO(EAGAIN, recv(d, buf, sizeof(buf), MSG_DONTWAIT));

	/* Search alone is enough. */
	ASSERT_EQ(0, chmod(dir, 0711));
	ASSERT_EQ(0, try_as(self->family, SOCK_STREAM, sp, false,
			    NOBODY_ID, NOBODY_ID));
	ASSERT_EQ(0, try_as(self->family, SOCK_SEQPACKET, qp, false,
			    NOBODY_ID, NOBODY_ID));
	ASSERT_EQ(0, try_as(self->family, SOCK_DGRAM, dp, true,
			    NOBODY_ID, NOBODY_ID));
	a = accept_ok(s);
	close(a);
	a = accept_ok(q);
	close(a);
	ASSERT_RET(1, recv(d, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ('n', buf[0]);
	close(s);
	close(q);
	close(d);
}

/*
 * generic_permission() on the node: the owner class wins over group and
 * other (a nobody-owned 0577 node refuses nobody, 0757 owned by root
 * admits it), group bits apply to the group, write alone is enough
 * (0200), and the fsuid/fsgid are what is checked (root with
 * setfsuid(OTHER_UID) loses CAP_DAC_OVERRIDE and is refused a 0755 node,
 * admitted to an OTHER_UID-owned 0200 one).
 */
/*
 * In a child, as @uid/@gid (only the fs ids if @fs): stream and seqpacket
 * connect() to @sp/@qp and dgram sendto() to @dp.  Exit 0 if each gives
 * @err (0: success), else 10 * (type index + 1) + a small errno code.
 */
static int try_three_as(int family, const char *sp, const char *qp,
			const char *dp, uid_t uid, gid_t gid, bool fs, int err)
{
	const char *path[3] = { sp, qp, dp };
	static const int types[3] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	pid_t pid = fork_child();
	int fd[3];

	if (pid)
		return pid < 0 ? -1 : wait_child(pid);
	for (int t = 0; t < 3; t++) {
		fd[t] = socket(family, types[t], 0);
		if (fd[t] < 0)
			_exit(97);
	}
	if (fs) {
		/* Root with other fs ids: the DAC capabilities go too. */
		setfsgid(gid);
		setfsuid(uid);
		if ((uid_t)setfsuid(-1) != uid || (gid_t)setfsgid(-1) != gid)
			_exit(98);
	} else if (become(uid, gid, 0, NULL)) {
		_exit(98);
	}
	for (int t = 0; t < 3; t++) {
		long r, want = t == 2 ? 1 : 0;

		errno = 0;
		if (t == 2)
			r = sendto_path(fd[t], family, path[t], "n", 1, 0);
		else
			r = connect_path(fd[t], family, path[t]);
		if (err ? (r == -1 && errno == err) : r == want)
			continue;
		fprintf(stderr, "type %d: %ld, errno %d, want %d\n",
			types[t], r, errno, err);
		_exit(10 * (t + 1) + (r == -1 ? 1 : 0));
	}
	_exit(0);
}

TEST_F(users, node_permission_classes)
{
	static const struct {
		uid_t owner;
		gid_t group;
		mode_t mode;
		uid_t uid;
		gid_t gid;
		bool fs;
		int err;
	} c[] = {
		{ NOBODY_ID, 0, 0577, NOBODY_ID, NOBODY_ID, false, EACCES },
		{ NOBODY_ID, 0, 0200, NOBODY_ID, NOBODY_ID, false, 0 },
		{ NOBODY_ID, 0, 0500, NOBODY_ID, NOBODY_ID, false, EACCES },
		{ 0, NOBODY_ID, 0020, NOBODY_ID, NOBODY_ID, false, 0 },
		{ 0, NOBODY_ID, 0707, NOBODY_ID, NOBODY_ID, false, EACCES },
		{ 0, 0, 0002, NOBODY_ID, NOBODY_ID, false, 0 },
		{ 0, 0, 0755, OTHER_UID, OTHER_GID, true, EACCES },
		{ OTHER_UID, 0, 0200, OTHER_UID, OTHER_GID, true, 0 },
		{ 0, OTHER_GID, 0020, OTHER_UID, OTHER_GID, true, 0 },
		{ 0, 0, 0000, 0, 0, false, 0 },
	};
	char sp[96], qp[96], dp[96], buf[8];
	int s, q, d, a;

	s = new_typed_listener(SOCK_STREAM, (TPATH(sp, "s"), sp), 16);
	q = new_typed_listener(SOCK_SEQPACKET, (TPATH(qp, "q"), qp), 16);
	d = new_bound_at(SOCK_DGRAM, dp, "d");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *p[3] = { sp, qp, dp };

		for (int t = 0; t < 3; t++) {
			ASSERT_EQ(0, chown(p[t], c[i].owner, c[i].group));
			ASSERT_EQ(0, chmod(p[t], c[i].mode));
		}
		ASSERT_EQ(0, try_three_as(self->family, sp, qp, dp, c[i].uid,
					  c[i].gid, c[i].fs, c[i].err)) {
			TH_LOG("case %zu: node %u:%u %04o, caller %u:%u%s", i,
			       c[i].owner, c[i].group, c[i].mode, c[i].uid,
			       c[i].gid, c[i].fs ? " (fsuid)" : "");
		}
		if (c[i].err)
			continue;
		a = accept_ok(s);
		close(a);
		a = accept_ok(q);
		close(a);
		ASSERT_RET(1, recv(d, buf, sizeof(buf), MSG_DONTWAIT));
	}
	ASSERT_EQ(0, poll_now(s) & POLLIN);
	ASSERT_EQ(0, poll_now(q) & POLLIN);
	ASSERT_ERRNO(EAGAIN, recv(d, buf, sizeof(buf), MSG_DONTWAIT));
	close(s);
	close(q);
	close(d);
}

/*
 * vfs_mknod() makes the node with the binder's fsuid/fsgid and its umask:
 * nobody in a sticky 01777 directory (umask 027) gets a nobody-owned
 * S_IFSOCK 0750 node; root with setfsuid(OTHER_UID) an OTHER_UID one.
 * nobody cannot bind in a directory it owns but cannot write (0500).
 */
TEST_F(users, bind_node_owner)
{
	char dir[96], p1[96], p2[96], p3[96];
	struct stat st;
	pid_t pid;

	TPATH(dir, "pub");
	ASSERT_EQ(0, mkdir(dir, 01777));
	ASSERT_EQ(0, chmod(dir, 01777));
	TPATH(p1, "pub/nobody");
	TPATH(p2, "pub/fsuid");
	TPATH(p3, "own/x");
	TPATH(dir, "own");
	ASSERT_EQ(0, mkdir(dir, 0500));
	ASSERT_EQ(0, chown(dir, NOBODY_ID, NOBODY_ID));
	ASSERT_EQ(0, chmod(dir, 0500));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a = socket(self->family, SOCK_DGRAM, 0);
		int b = socket(self->family, SOCK_STREAM, 0);

		if (a < 0 || b < 0 || become(NOBODY_ID, NOBODY_ID, 0, NULL))
			_exit(90);
		umask(027);
		CHILD_OK(1, 0, bind_path(a, self->family, p1));
		CHILD_FAILS(2, EACCES, bind_path(b, self->family, p3));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a = socket(self->family, SOCK_SEQPACKET, 0);

		if (a < 0)
			_exit(90);
		setfsgid(OTHER_GID);
		setfsuid(OTHER_UID);
		umask(0);
		CHILD_OK(1, 0, bind_path(a, self->family, p2));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(0, lstat(p1, &st));
	EXPECT_EQ((mode_t)(S_IFSOCK | 0750), st.st_mode);
	EXPECT_EQ((uid_t)NOBODY_ID, st.st_uid);
	EXPECT_EQ((gid_t)NOBODY_ID, st.st_gid);
	ASSERT_EQ(0, lstat(p2, &st));
	EXPECT_EQ((mode_t)(S_IFSOCK | 0777), st.st_mode);
	EXPECT_EQ((uid_t)OTHER_UID, st.st_uid);
	EXPECT_EQ((gid_t)OTHER_GID, st.st_gid);
	ASSERT_EQ(-1, lstat(p3, &st));
	ASSERT_EQ(ENOENT, errno);
}

/*
 * scm_check_creds() with one capability at a time, as nobody (keeping
 * capabilities over setresuid() with PR_SET_KEEPCAPS): CAP_SETUID lets any
 * mapped uid through but neither another gid nor another pid; CAP_SETGID
 * the gid only; CAP_SYS_ADMIN the pid only.  The forged credentials arrive
 * exactly as sent; refused sends queue nothing.  Dgram and stream pairs.
 */
static void forge_one_cap(struct __test_metadata *_metadata,
			  FIXTURE_DATA(users) *self, int type)
{
	pid_t me = getpid(), kid;
	int sv[2];

	ASSERT_RET(0, socketpair(self->family, type, 0, sv));
	ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSCRED, 1));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		pid_t k = getpid();
		uid_t n = NOBODY_ID;

		close(sv[1]);
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
		    become(NOBODY_ID, NOBODY_ID, 0, NULL))
			_exit(90);
		/* None: only our own ids and pid. */
		CHILD_OK(1, 0, set_caps(0));
		CHILD_FAILS(2, EPERM, send_cred_ids(sv[0], "x", k, 0, n));
		CHILD_OK(3, 0, set_caps(1U << CAP_SETUID));
		CHILD_OK(4, 1, send_cred_ids(sv[0], "u", k, 0, n));
		CHILD_OK(5, 1, send_cred_ids(sv[0], "v", k, OTHER_UID, n));
		CHILD_FAILS(6, EPERM, send_cred_ids(sv[0], "x", k, 0, 0));
		CHILD_FAILS(7, EPERM, send_cred_ids(sv[0], "x", me, 0, n));
		CHILD_OK(8, 0, set_caps(1U << CAP_SETGID));
		CHILD_OK(9, 1, send_cred_ids(sv[0], "g", k, n, OTHER_GID));
		CHILD_FAILS(10, EPERM, send_cred_ids(sv[0], "x", k, 0, 0));
		CHILD_FAILS(11, EPERM, send_cred_ids(sv[0], "x", me, n, 0));
		CHILD_OK(12, 0, set_caps(1U << CAP_SYS_ADMIN));
		CHILD_OK(13, 1, send_cred_ids(sv[0], "p", me, n, n));
		CHILD_FAILS(14, EPERM, send_cred_ids(sv[0], "x", me, 0, n));
		CHILD_FAILS(15, EPERM, send_cred_ids(sv[0], "x", me, n, 0));
		/* Allowed, but no such pid. */
		CHILD_FAILS(16, ESRCH, send_cred_ids(sv[0], "x", INT_MAX, n, n));
		CHILD_OK(17, 0, set_caps((1U << CAP_SETUID) |
					 (1U << CAP_SETGID)));
		CHILD_OK(18, 1, send_cred_ids(sv[0], "b", k, OTHER_UID, 0));
		CHILD_FAILS(19, EPERM, send_cred_ids(sv[0], "x", me, 0, 0));
		_exit(0);
	}
	close(sv[0]);
	ASSERT_EQ(0, wait_child(kid));
	ASSERT_CRED_MSG(sv[1], "u", kid, 0, NOBODY_ID);
	ASSERT_CRED_MSG(sv[1], "v", kid, OTHER_UID, NOBODY_ID);
	ASSERT_CRED_MSG(sv[1], "g", kid, NOBODY_ID, OTHER_GID);
	ASSERT_CRED_MSG(sv[1], "p", me, NOBODY_ID, NOBODY_ID);
	ASSERT_CRED_MSG(sv[1], "b", kid, OTHER_UID, 0);
	if (type == SOCK_DGRAM) {
		char c;

		ASSERT_ERRNO(EAGAIN, recv(sv[1], &c, 1, MSG_DONTWAIT));
	} else {
		char c;

		ASSERT_RET(0, recv(sv[1], &c, 1, MSG_DONTWAIT));
	}
	close(sv[1]);
}

TEST_F(users, forge_one_cap_dgram)
{
	forge_one_cap(_metadata, self, SOCK_DGRAM);
}

TEST_F(users, forge_one_cap_stream)
{
	forge_one_cap(_metadata, self, SOCK_STREAM);
}

/*
 * A listener owned by another user (OTHER_UID/OTHER_GID, groups SUPP1 and
 * SUPP2) in a directory it owns, a root client: the client's SO_PEERCRED
 * and SO_PEERGROUPS are the listener's (at listen()), the accepted
 * socket's the client's; credentials passed both ways are each sender's.
 * Stream and seqpacket; then a dgram sendto() from that user to a root
 * socket carries its ids.
 */
static void other_user_peer(struct __test_metadata *_metadata,
			    FIXTURE_DATA(users) *self, int type)
{
	static const gid_t grp[] = { SUPP1, SUPP2 };
	char dir[96], path[96], dp[96];
	gid_t mygrp[64], pg[8];
	int ngrp, sync[2], c, d;
	socklen_t len;
	pid_t kid, me = getpid();
	char ch;

	ngrp = getgroups(64, mygrp);
	ASSERT_LE(0, ngrp);
	TPATH(dir, "other");
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, chown(dir, OTHER_UID, OTHER_GID));
	TPATH(path, "other/l");
	TPATH(dp, "d");
	d = new_bound(SOCK_DGRAM, dp);
	ASSERT_EQ(0, chmod(dp, 0777));
	ASSERT_RET(0, set_int_opt(d, SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		struct ucred uc;
		gid_t g[70];
		int l, s, u;

		close(sync[0]);
		if (become(OTHER_UID, OTHER_GID, 2, grp))
			_exit(90);
		l = socket(self->family, type, 0);
		u = socket(self->family, SOCK_DGRAM, 0);
		if (l < 0 || u < 0)
			_exit(91);
		s = child_accept_one(l, self->family, path, sync[1], 1, 92);
		CHILD_OK(4, 0, get_peercred(s, &uc));
		if (uc.pid != me || uc.uid != 0 || uc.gid != 0)
			_exit(5);
		len = sizeof(g);
		CHILD_OK(6, 0, getsockopt(s, SOL_SOCKET, SO_PEERGROUPS, g,
					  &len));
		if (len != ngrp * sizeof(gid_t) ||
		    memcmp(g, mygrp, len))
			_exit(7);
		CHILD_OK(8, 0, set_int_opt(s, SOL_SOCKET, SO_PASSCRED, 1));
		CHILD_OK(9, 1, write(s, "o", 1));
		CHILD_OK(10, 1, read(s, &ch, 1));
		if (ch != 'r')
			_exit(11);
		CHILD_OK(12, 1, sendto_path(u, self->family, dp, "d", 1, 0));
		_exit(0);
	}
	close(sync[1]);
	ASSERT_RET(1, read(sync[0], &ch, 1));
	close(sync[0]);
	c = new_typed_client(type, path);
	ASSERT_RET(0, set_int_opt(c, SOL_SOCKET, SO_PASSCRED, 1));
	ASSERT_PEERCRED(c, kid, OTHER_UID, OTHER_GID);
	len = sizeof(pg);
	ASSERT_RET(0, getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, pg, &len));
	ASSERT_EQ(2 * sizeof(gid_t), len);
	EXPECT_EQ((gid_t)SUPP1, pg[0]);
	EXPECT_EQ((gid_t)SUPP2, pg[1]);
	ASSERT_RET(1, write(c, "r", 1));
	ASSERT_EQ(0, wait_child(kid));
	ASSERT_CRED_MSG(c, "o", kid, OTHER_UID, OTHER_GID);
	ASSERT_CRED_MSG(d, "d", kid, OTHER_UID, OTHER_GID);
	close(c);
	close(d);
}

TEST_F(users, other_user_peer_stream)
{
	other_user_peer(_metadata, self, SOCK_STREAM);
}

TEST_F(users, other_user_peer_seqpacket)
{
	other_user_peer(_metadata, self, SOCK_SEQPACKET);
}

/* Is @fd a socket whose inode belongs to @uid/@gid? */
static int owner_is(int fd, uid_t uid, gid_t gid)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	return st.st_uid == uid && st.st_gid == gid;
}

/*
 * sock_alloc() gives the socket inode the creator's fsuid/fsgid: sockets,
 * both ends of a pair and accepted sockets made by nobody are nobody's; a
 * root client of nobody's listener stays root's; a socket made under
 * setfsuid(OTHER_UID) is OTHER_UID's.  fchown() of a socket changes the
 * inode owner (and not its SO_PEERCRED).
 */
TEST_F(users, socket_inode_owner)
{
	char dir[96], path[96];
	int sync[2], c, sv[2];
	pid_t kid;
	char ch;

	TPATH(dir, "nb");
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, chown(dir, NOBODY_ID, NOBODY_ID));
	TPATH(path, "nb/l");
	ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		int l, s, p[2], q[2], f;

		close(sync[0]);
		f = socket(self->family, SOCK_DGRAM, 0);
		if (f < 0)
			_exit(90);
		if (become(NOBODY_ID, NOBODY_ID, 0, NULL))
			_exit(91);
		l = socket(self->family, SOCK_STREAM, 0);
		if (l < 0 || socketpair(self->family, SOCK_SEQPACKET, 0, p) ||
		    socketpair(self->family, SOCK_DGRAM, 0, q))
			_exit(92);
		if (!owner_is(l, NOBODY_ID, NOBODY_ID))
			_exit(1);
		if (!owner_is(p[0], NOBODY_ID, NOBODY_ID) ||
		    !owner_is(p[1], NOBODY_ID, NOBODY_ID) ||
		    !owner_is(q[0], NOBODY_ID, NOBODY_ID) ||
		    !owner_is(q[1], NOBODY_ID, NOBODY_ID))
			_exit(2);
		/* Made by root before the drop: still root's. */
		if (!owner_is(f, 0, 0))
			_exit(3);
		s = child_accept_one(l, self->family, path, sync[1], 4, 93);
		if (!owner_is(s, NOBODY_ID, NOBODY_ID))
			_exit(7);
		CHILD_OK(8, 1, read(s, &ch, 1));
		_exit(0);
	}
	close(sync[1]);
	ASSERT_RET(1, read(sync[0], &ch, 1));
	close(sync[0]);
	c = new_client(self->family, path);
	ASSERT_TRUE(owner_is(c, 0, 0));
	ASSERT_RET(1, write(c, "x", 1));
	ASSERT_EQ(0, wait_child(kid));
	/* The client's peer is the listener's user, whatever its inode says. */
	ASSERT_PEERCRED(c, kid, NOBODY_ID, NOBODY_ID);
	ASSERT_EQ(0, fchown(c, OTHER_UID, OTHER_GID));
	ASSERT_TRUE(owner_is(c, OTHER_UID, OTHER_GID));
	ASSERT_PEERCRED(c, kid, NOBODY_ID, NOBODY_ID);
	close(c);

	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		int f;

		setfsgid(OTHER_GID);
		setfsuid(OTHER_UID);
		f = socket(self->family, SOCK_STREAM, 0);
		if (f < 0)
			_exit(90);
		if (socketpair(self->family, SOCK_STREAM, 0, sv))
			_exit(91);
		if (!owner_is(f, OTHER_UID, OTHER_GID) ||
		    !owner_is(sv[0], OTHER_UID, OTHER_GID) ||
		    !owner_is(sv[1], OTHER_UID, OTHER_GID))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
}

/*
 * The waiting helpers work for an unprivileged user: as nobody (made
 * dumpable again, like a suite started as nobody), a process waits for its
 * child to block in recv() (Yama lets ancestors read /proc/<pid>/syscall),
 * and the child waits for its parent to block (allowed by the parent's
 * allow_ptrace_by_children(), as the fixture does for the test process).
 * Each wake-up is checked: the blocked side gets the byte.
 */
TEST_F(users, wait_blocked_unprivileged)
{
	static const char scope_path[] = "/proc/sys/kernel/yama/ptrace_scope";
	char scope[16] = "";
	int fd, code;
	pid_t kid;

	/*
	 * Debian's kernels boot with Yama's ptrace_scope 0; run this test
	 * under 1 (ancestors only, the upstream default) where Yama is
	 * there, and put the old value back before any ASSERT.
	 */
	fd = open(scope_path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, scope, sizeof(scope) - 1);

		scope[n > 0 ? n : 0] = '\0';
		ASSERT_RET(2, pwrite(fd, "1\n", 2, 0));
	}
	TH_LOG("Yama ptrace_scope: %s", fd >= 0 ? "1 for this test" : "none");
	kid = fork_child();
	if (kid == 0) {
		int sv[2], st;
		pid_t g;
		char ch;

		if (become(NOBODY_ID, NOBODY_ID, 0, NULL) ||
		    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(90);
		allow_ptrace_by_children();
		if (socketpair(self->family, SOCK_STREAM, 0, sv))
			_exit(91);
		g = fork();
		if (g < 0)
			_exit(92);
		if (g == 0) {
			/* Blocks first, then waits for its parent. */
			close(sv[0]);
			if (read(sv[1], &ch, 1) != 1 || ch != 'a')
				_exit(10);
			if (!wait_blocked_in(getppid(), SYS_recvfrom))
				_exit(11);
			_exit(write(sv[1], "b", 1) == 1 ? 0 : 12);
		}
		close(sv[1]);
		if (!wait_blocked_in(g, SYS_read))
			_exit(1);
		CHILD_OK(2, 1, write(sv[0], "a", 1));
		CHILD_OK(3, 1, recv(sv[0], &ch, 1, 0));
		if (ch != 'b')
			_exit(4);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st))
			_exit(5);
		_exit(WEXITSTATUS(st));
	}
	code = kid < 0 ? -1 : wait_child(kid);
	if (fd >= 0) {
		ASSERT_RET(strlen(scope), pwrite(fd, scope, strlen(scope), 0));
		close(fd);
	}
	ASSERT_EQ(0, code);
}

TEST_HARNESS_MAIN
