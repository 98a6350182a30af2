// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials and identity over unix sockets, as Linux 6.12 (and 6.1 where
 * the same) net/core/scm.c, include/net/scm.h, net/core/sock.c and
 * net/unix/af_unix.c give them:
 *
 *   - SCM_CREDENTIALS on stream, seqpacket and dgram: explicit credentials
 *     (__scm_send()/scm_check_creds()), the sender's real pid/uid/gid
 *     attached when either end has SO_PASSCRED or the receiver is an
 *     unaccepted connection (maybe_add_creds()), the overflow "nobody"
 *     (pid 0, kernel.overflowuid/gid) for a message sent without them;
 *   - forged credentials: CAP_SYS_ADMIN/CAP_SETUID/CAP_SETGID rules,
 *     ESRCH, EPERM, EINVAL (cmsg_len, invalid ids), nothing queued;
 *   - stream reads never glue skbs whose credentials differ while the
 *     reader has SO_PASSCRED, and glue everything when it has not;
 *   - MSG_CTRUNC and the exact truncated cmsg (put_cmsg());
 *   - SO_PEERCRED (effective ids, listener's at listen() time, survives
 *     the peer's reap; {0, -1, -1} where none was set);
 *   - SO_PEERSEC, SO_PASSSEC/SCM_SECURITY, SO_PEERPIDFD and SO_PASSPIDFD/
 *     SCM_PIDFD: what they give depends on the kernel (pidfds are 6.5+)
 *     and on the LSMs, so the tests ask AF_UNIX the same question in the
 *     same test and require the same answer; SO_PASSPIDFD alone attaches
 *     and splits credentials as SO_PASSCRED does;
 *   - the protocol argument of socket()/socketpair() and SO_PROTOCOL;
 *   - net.unix.max_dgram_qlen of the socket's network namespace, read at
 *     socket creation.
 *
 * Most tests need root (forged pids, setresuid() children, unshare()).
 */
#include "msg_util.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD	76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD	4
#endif

/* Ids the setresuid() children take; anything but root and nobody. */
#define OTHER_UID	1234
#define OTHER_GID	4321

/* Control buffer the receive helper offers at most. */
#define CTL_MAX		512

PUNIX_FIXTURE(creds);

typedef FIXTURE_DATA(creds) creds_t;

/* The uid/gid from_kuid_munged() reports for an unmappable or invalid id. */
#define overflow_uid()	((uid_t)read_long("/proc/sys/kernel/overflowuid"))
#define overflow_gid()	((gid_t)read_long("/proc/sys/kernel/overflowgid"))

static ssize_t send_cred(int fd, const void *buf, size_t len,
			 const struct ucred *uc)
{
	return send_cred_len(fd, buf, len, uc, 0, 0);
}

static struct ucred mkcred(pid_t pid, uid_t uid, gid_t gid)
{
	struct ucred uc = { .pid = pid, .uid = uid, .gid = gid };

	return uc;
}

/* One control message as received. */
struct cm {
	int level;
	int type;
	size_t len;			/* cmsg_len */
	unsigned char data[64];		/* its first payload bytes */
};

/* What one recvmsg() gave. */
struct rcv {
	ssize_t n;
	int err;			/* errno when n == -1 */
	int flags;			/* msg_flags */
	size_t clen;			/* msg_controllen out (0 without buffer) */
	int ncm;
	struct cm cm[4];
	union {
		struct cmsghdr align;
		unsigned char b[CTL_MAX];	/* the control buffer, 0xa5 first */
	} raw;
};

/*
 * recvmsg() of up to @len bytes into @buf with @ctl bytes of control buffer
 * (msg_control NULL if @ctl is 0; @ctl may be below sizeof(cmsghdr)).
 */
static struct rcv do_recv(int fd, void *buf, size_t len, int flags,
			  size_t ctl)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	struct rcv r;

	memset(&r, 0, sizeof(r));
	memset(r.raw.b, 0xa5, sizeof(r.raw.b));
	if (ctl > sizeof(r.raw.b))
		ctl = sizeof(r.raw.b);
	if (ctl) {
		msg.msg_control = r.raw.b;
		msg.msg_controllen = ctl;
	}
	errno = 0;
	r.n = recvmsg(fd, &msg, flags);
	r.err = r.n < 0 ? errno : 0;
	r.flags = msg.msg_flags;
	if (r.n < 0 || !ctl)
		return r;
	r.clen = msg.msg_controllen;
	for (c = CMSG_FIRSTHDR(&msg); c && r.ncm < 4; c = CMSG_NXTHDR(&msg, c)) {
		struct cm *m = &r.cm[r.ncm++];
		size_t dl = 0;

		m->level = c->cmsg_level;
		m->type = c->cmsg_type;
		m->len = c->cmsg_len;
		if (c->cmsg_len > CMSG_LEN(0))
			dl = c->cmsg_len - CMSG_LEN(0);
		memcpy(m->data, CMSG_DATA(c), dl < sizeof(m->data) ?
					      dl : sizeof(m->data));
	}
	return r;
}

/* Close the fds an SCM_RIGHTS or SCM_PIDFD message of @r installed. */
static void close_rcv_fds(const struct rcv *r)
{
	for (int i = 0; i < r->ncm; i++) {
		const struct cm *m = &r->cm[i];
		int fd;

		if (m->level != SOL_SOCKET ||
		    (m->type != SCM_RIGHTS && m->type != SCM_PIDFD))
			continue;
		for (size_t o = 0; o + sizeof(int) <= m->len - CMSG_LEN(0) &&
				   o + sizeof(int) <= sizeof(m->data);
		     o += sizeof(int)) {
			memcpy(&fd, m->data + o, sizeof(fd));
			if (fd >= 0)
				close(fd);
		}
	}
}

/* recvmsg() with a control buffer of CTL_MAX bytes. */
#define recv_ctl(fd, buf, len) do_recv((fd), (buf), (len), 0, CTL_MAX)

/*
 * @r read exactly the @n bytes @data, no msg_flags, and exactly one whole
 * SCM_CREDENTIALS {@p, @u, @g}.
 */
#define ASSERT_CREDS_N(_r, _d, _n, _p, _u, _g) do {			\
	struct ucred __uc;						\
	ASSERT_EQ((ssize_t)(_n), (_r).n) {				\
		TH_LOG("recvmsg: %zd, errno %d (%s)", (_r).n, (_r).err,	\
		       strerror((_r).err));				\
	}								\
	ASSERT_EQ(0, memcmp(rbuf, (_d), (_n)));				\
	ASSERT_EQ(0, (_r).flags);					\
	ASSERT_EQ(1, (_r).ncm) {					\
		TH_LOG("%d control messages, first type %d", (_r).ncm,	\
		       (_r).ncm ? (_r).cm[0].type : -1);		\
	}								\
	ASSERT_EQ(SOL_SOCKET, (_r).cm[0].level);			\
	ASSERT_EQ(SCM_CREDENTIALS, (_r).cm[0].type);			\
	ASSERT_EQ(UCRED_LEN, (_r).cm[0].len);				\
	ASSERT_EQ(UCRED_SPACE, (_r).clen);				\
	memcpy(&__uc, (_r).cm[0].data, sizeof(__uc));			\
	ASSERT_EQ((pid_t)(_p), __uc.pid);				\
	ASSERT_EQ((uid_t)(_u), __uc.uid);				\
	ASSERT_EQ((gid_t)(_g), __uc.gid);				\
} while (0)
#define ASSERT_CREDS(_r, _d, _p, _u, _g) do {				\
	const char *__d = (_d);						\
	ASSERT_CREDS_N(_r, __d, strlen(__d), _p, _u, _g);		\
} while (0)

/* @r read exactly @data with msg_flags @fl and no control message. */
#define ASSERT_NO_CMSG(_r, _d, _fl) do {				\
	const char *__d = (_d);						\
	ASSERT_EQ((ssize_t)strlen(__d), (_r).n) {			\
		TH_LOG("recvmsg: %zd, errno %d (%s)", (_r).n, (_r).err,	\
		       strerror((_r).err));				\
	}								\
	ASSERT_EQ(0, memcmp(rbuf, __d, strlen(__d)));			\
	ASSERT_EQ((_fl), (_r).flags);					\
	ASSERT_EQ(0, (_r).ncm);						\
	ASSERT_EQ((size_t)0, (_r).clen);				\
} while (0)

/* Nothing left to read on @fd (non-blocking EAGAIN). */
#define ASSERT_EMPTY(fd) ASSERT_ERRNO(EAGAIN, recv((fd), rbuf, sizeof(rbuf), \
						    MSG_DONTWAIT))

/*
 * A child that only waits for *@wfd to be closed: a live pid that is not
 * ours.  reap_sleeper() ends and reaps it.
 */
static pid_t spawn_sleeper(int *wfd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork_child();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static int reap_sleeper(pid_t pid, int wfd)
{
	close(wfd);
	return wait_child(pid);
}

/* A socketpair of @type in the variant's family. */
#define new_socketpair(type, sv)					\
	ASSERT_RET(0, socketpair(self->family, (type), 0, (sv)))

#define passcred(fd) ASSERT_RET(0, set_int_opt((fd), SOL_SOCKET, SO_PASSCRED, 1))

/*
 * The same body for SOCK_STREAM, SOCK_SEQPACKET and SOCK_DGRAM (socketpairs;
 * for dgram, sv[0] sends to sv[1]): one test per type.
 */
#define TYPED_TESTS(fn)	PUNIX_TYPED_TESTS(creds, fn)

/*
 * Explicit SCM_CREDENTIALS with the sender's own pid arrive as sent: its
 * own ids, and (root: CAP_SETUID/CAP_SETGID) any valid ids.  The receiver
 * has SO_PASSCRED; the reported controllen is the whole CMSG_SPACE.
 */
static void explicit_own(struct __test_metadata *_metadata, creds_t *self,
			 int type)
{
	struct ucred uc;
	char rbuf[64];
	struct rcv r;
	int sv[2];

	new_socketpair(type, sv);
	passcred(sv[1]);
	uc = mkcred(getpid(), getuid(), getgid());
	ASSERT_RET(2, send_cred(sv[0], "ab", 2, &uc));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "ab", getpid(), getuid(), getgid());

	uc = mkcred(getpid(), OTHER_UID, OTHER_GID);
	ASSERT_RET(3, send_cred(sv[0], "cde", 3, &uc));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "cde", getpid(), OTHER_UID, OTHER_GID);
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(explicit_own)

/*
 * No SCM_CREDENTIALS sent: with SO_PASSCRED on the receiver the sender's
 * tgid and real uid/gid come (maybe_add_creds()).  Without SO_PASSCRED the
 * same recvmsg() gets no control message at all.
 */
static void implicit(struct __test_metadata *_metadata, creds_t *self,
		     int type)
{
	char rbuf[64];
	struct rcv r;
	int sv[2];

	new_socketpair(type, sv);
	ASSERT_RET(1, send(sv[0], "a", 1, 0));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_NO_CMSG(r, "a", 0);

	passcred(sv[1]);
	ASSERT_RET(2, write(sv[0], "bc", 2));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "bc", getpid(), getuid(), getgid());
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(implicit)

/*
 * A message sent while neither end had SO_PASSCRED carries no credentials:
 * the receiver that enables SO_PASSCRED afterwards reads pid 0 and the
 * overflow ids.  The next message, sent after, carries the real ones (and
 * a stream read does not glue the two).
 */
static void nobody(struct __test_metadata *_metadata, creds_t *self,
		   int type)
{
	char rbuf[64];
	struct rcv r;
	int sv[2];

	new_socketpair(type, sv);
	ASSERT_RET(2, send(sv[0], "no", 2, 0));
	passcred(sv[1]);
	ASSERT_RET(3, send(sv[0], "yes", 3, 0));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "no", 0, overflow_uid(), overflow_gid());
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "yes", getpid(), getuid(), getgid());
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(nobody)

/*
 * SO_PASSCRED on the sender only: credentials are attached, a receiver
 * without SO_PASSCRED gets no cmsg (and no MSG_CTRUNC), and one that
 * enables it before the next read gets the sender's real credentials.
 */
static void sender_only(struct __test_metadata *_metadata, creds_t *self,
			int type)
{
	char rbuf[64];
	struct rcv r;
	int sv[2];

	new_socketpair(type, sv);
	passcred(sv[0]);
	ASSERT_RET(1, send(sv[0], "x", 1, 0));
	ASSERT_RET(1, send(sv[0], "y", 1, 0));
	r = do_recv(sv[1], rbuf, 1, 0, CTL_MAX);
	ASSERT_NO_CMSG(r, "x", 0);
	ASSERT_RET(1, send(sv[0], "z", 1, 0));
	passcred(sv[1]);
	r = do_recv(sv[1], rbuf, 1, MSG_PEEK, CTL_MAX);
	ASSERT_CREDS(r, "y", getpid(), getuid(), getgid());
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, type == SOCK_STREAM ? "yz" : "y",
		     getpid(), getuid(), getgid());
	if (type != SOCK_STREAM) {
		r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
		ASSERT_CREDS(r, "z", getpid(), getuid(), getgid());
	}
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(sender_only)

/*
 * Forged credentials as root: another live pid is allowed (CAP_SYS_ADMIN)
 * and is what the receiver reads, even after that process is gone; a pid
 * no process has is ESRCH; an id of -1 is EINVAL before the pid is even
 * looked up.  A refused send queues nothing.
 */
static void forged_root(struct __test_metadata *_metadata, creds_t *self,
			int type)
{
	struct ucred uc;
	char rbuf[64];
	struct rcv r;
	int sv[2], wfd;
	pid_t kid;

	new_socketpair(type, sv);
	passcred(sv[1]);
	kid = spawn_sleeper(&wfd);
	ASSERT_LT(0, kid);

	uc = mkcred(kid, getuid(), getgid());
	ASSERT_RET(1, send_cred(sv[0], "k", 1, &uc));
	uc = mkcred(INT_MAX, getuid(), getgid());
	ASSERT_ERRNO(ESRCH, send_cred(sv[0], "s", 1, &uc));
	uc = mkcred(-1, getuid(), getgid());
	ASSERT_ERRNO(ESRCH, send_cred(sv[0], "s", 1, &uc));
	uc = mkcred(INT_MAX, -1, getgid());
	ASSERT_ERRNO(EINVAL, send_cred(sv[0], "u", 1, &uc));
	uc = mkcred(getpid(), getuid(), -1);
	ASSERT_ERRNO(EINVAL, send_cred(sv[0], "g", 1, &uc));
	ASSERT_EQ(0, reap_sleeper(kid, wfd));

	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "k", kid, getuid(), getgid());
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(forged_root)

/*
 * Malformed SCM_CREDENTIALS: cmsg_len other than CMSG_LEN(sizeof(ucred)),
 * shorter than a cmsghdr, or past the control buffer; uid or gid -1; an
 * unknown SOL_SOCKET cmsg type.  All EINVAL, nothing queued.  The control
 * data is checked before the socket state on stream and dgram sockets (an
 * unconnected one says EINVAL), after it on seqpacket (ENOTCONN first,
 * unix_seqpacket_sendmsg()).
 */
static void bad_cmsg(struct __test_metadata *_metadata, creds_t *self,
		     int type)
{
	struct ucred uc = mkcred(getpid(), getuid(), getgid());
	struct ucred bad;
	char rbuf[64];
	int sv[2], lone;

	new_socketpair(type, sv);
	passcred(sv[1]);
	ASSERT_ERRNO(EINVAL, send_cred_len(sv[0], "a", 1, &uc,
					   UCRED_LEN - 4, 0));
	ASSERT_ERRNO(EINVAL, send_cred_len(sv[0], "a", 1, &uc,
					   UCRED_LEN + 4, 0));
	ASSERT_ERRNO(EINVAL, send_cred_len(sv[0], "a", 1, &uc,
					   sizeof(struct cmsghdr) - 4, 0));
	ASSERT_ERRNO(EINVAL, send_cred_len(sv[0], "a", 1, &uc,
					   UCRED_SPACE + 8, 0));
	bad = mkcred(getpid(), -1, getgid());
	ASSERT_ERRNO(EINVAL, send_cred(sv[0], "a", 1, &bad));
	bad = mkcred(getpid(), getuid(), -1);
	ASSERT_ERRNO(EINVAL, send_cred(sv[0], "a", 1, &bad));
	bad = mkcred(getpid(), -1, -1);
	ASSERT_ERRNO(EINVAL, send_cred(sv[0], "a", 1, &bad));
	{
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(int))];
		} u;
		struct iovec iov = { .iov_base = "a", .iov_len = 1 };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = u.b, .msg_controllen = sizeof(u.b),
		};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

		memset(&u, 0, sizeof(u));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = 99;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		ASSERT_ERRNO(EINVAL, sendmsg(sv[0], &msg, 0));
	}
	ASSERT_EMPTY(sv[1]);
	ASSERT_RET(1, send_cred(sv[0], "o", 1, &uc));
	ASSERT_RET(1, recv(sv[1], rbuf, sizeof(rbuf), 0));

	/*
	 * A seqpacket socket checks its state first. Not in the i386 build:
	 * the compat sendmsg takes the 4 bytes after the short cmsg for a
	 * further header (cmsg_compat_nxthdr() wants one byte, not a whole
	 * header) and refuses it with EINVAL before the family is called.
	 */
	lone = socket(self->family, type, 0);
	ASSERT_LE(0, lone);
#ifdef __i386__
	ASSERT_ERRNO(EINVAL,
#else
	ASSERT_ERRNO(type == SOCK_SEQPACKET ? ENOTCONN : EINVAL,
#endif
		     send_cred_len(lone, "a", 1, &uc, UCRED_LEN - 4,
				   MSG_DONTWAIT));
	close(lone);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(bad_cmsg)

/*
 * An unprivileged sender (nobody, no supplementary groups, no capability)
 * may only send its own pid and its own ids: another pid, uid or gid is
 * EPERM (the permission check comes before the pid lookup, so a pid nobody
 * has is EPERM too), an invalid id still EINVAL.  What it may send arrives
 * after it has exited; explicit own credentials equal the implicit ones,
 * so a stream read glues the two messages.
 */
static void forged_unpriv(struct __test_metadata *_metadata, creds_t *self,
			  int type)
{
	char rbuf[64];
	pid_t parent = getpid(), kid;
	struct rcv r;
	int sv[2];

	new_socketpair(type, sv);
	passcred(sv[1]);
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		struct ucred uc;
		pid_t me = getpid();

		close(sv[1]);
		if (drop_to_nobody())
			_exit(90);
		uc = mkcred(parent, NOBODY_ID, NOBODY_ID);
		CHILD_FAILS(1, EPERM, send_cred(sv[0], "p", 1, &uc));
		uc = mkcred(me, 0, NOBODY_ID);
		CHILD_FAILS(2, EPERM, send_cred(sv[0], "u", 1, &uc));
		uc = mkcred(me, NOBODY_ID, 0);
		CHILD_FAILS(3, EPERM, send_cred(sv[0], "g", 1, &uc));
		uc = mkcred(INT_MAX, NOBODY_ID, NOBODY_ID);
		CHILD_FAILS(4, EPERM, send_cred(sv[0], "m", 1, &uc));
		uc = mkcred(me, -1, NOBODY_ID);
		CHILD_FAILS(5, EINVAL, send_cred(sv[0], "i", 1, &uc));
		uc = mkcred(me, NOBODY_ID, NOBODY_ID);
		CHILD_OK(6, 1, send_cred(sv[0], "e", 1, &uc));
		CHILD_OK(7, 1, send(sv[0], "i", 1, 0));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, type == SOCK_STREAM ? "ei" : "e",
		     kid, NOBODY_ID, NOBODY_ID);
	if (type != SOCK_STREAM) {
		r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
		ASSERT_CREDS(r, "i", kid, NOBODY_ID, NOBODY_ID);
	}
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(forged_unpriv)

/*
 * Real ids, not effective ones, go into implicit credentials
 * (current_uid_gid()); a sender whose real ids differ from its effective
 * ones (root effective, so still privileged) may name either explicitly.
 */
static void real_ids(struct __test_metadata *_metadata, creds_t *self,
		     int type)
{
	char rbuf[64];
	struct rcv r;
	int sv[2];
	pid_t kid;

	new_socketpair(type, sv);
	passcred(sv[1]);
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		struct ucred uc;

		close(sv[1]);
		if (setresgid(OTHER_GID, -1, -1) || setresuid(OTHER_UID, -1, -1))
			_exit(90);
		CHILD_OK(1, 1, send(sv[0], "r", 1, 0));
		uc = mkcred(getpid(), geteuid(), getegid());
		CHILD_OK(2, 1, send_cred(sv[0], "e", 1, &uc));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "r", kid, OTHER_UID, OTHER_GID);
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "e", kid, geteuid(), getegid());
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(real_ids)

/*
 * SO_PASSCRED on, and no room for the credentials: msg_control NULL, or
 * shorter than a cmsghdr, gives MSG_CTRUNC and nothing; a buffer of a
 * cmsghdr and a few bytes gets a cmsg cut to the buffer (cmsg_len = the
 * buffer, as much of the ucred as fits) and MSG_CTRUNC.  The data is read
 * in full each time.  Without SO_PASSCRED a NULL msg_control is no
 * truncation.
 */
static void ctrunc(struct __test_metadata *_metadata, creds_t *self,
		   int type)
{
	const size_t hdr = sizeof(struct cmsghdr);
	struct cmsghdr ch;
	char rbuf[64];
	struct rcv r;
	pid_t pid;
	int sv[2];

	new_socketpair(type, sv);
	ASSERT_RET(1, send(sv[0], "0", 1, 0));
	r = do_recv(sv[1], rbuf, 1, 0, 0);
	ASSERT_NO_CMSG(r, "0", 0);

	passcred(sv[1]);
	for (int i = 0; i < 6; i++)
		ASSERT_RET(1, send(sv[0], &"123456"[i], 1, 0));

	r = do_recv(sv[1], rbuf, 1, 0, 0);
	ASSERT_NO_CMSG(r, "1", MSG_CTRUNC);

	r = do_recv(sv[1], rbuf, 1, 0, hdr - 8);
	ASSERT_NO_CMSG(r, "2", MSG_CTRUNC);
	ASSERT_EQ(0xa5, r.raw.b[0]);

	r = do_recv(sv[1], rbuf, 1, 0, hdr);
	ASSERT_EQ(1, r.n);
	ASSERT_EQ('3', rbuf[0]);
	ASSERT_EQ(MSG_CTRUNC, r.flags);
	ASSERT_EQ(hdr, r.clen);
	memcpy(&ch, r.raw.b, sizeof(ch));
	ASSERT_EQ(hdr, ch.cmsg_len);
	ASSERT_EQ(SOL_SOCKET, ch.cmsg_level);
	ASSERT_EQ(SCM_CREDENTIALS, ch.cmsg_type);
	ASSERT_EQ(0xa5, r.raw.b[hdr]);

	r = do_recv(sv[1], rbuf, 1, 0, hdr + sizeof(pid_t));
	ASSERT_EQ(1, r.n);
	ASSERT_EQ('4', rbuf[0]);
	ASSERT_EQ(MSG_CTRUNC, r.flags);
	ASSERT_EQ(hdr + sizeof(pid_t), r.clen);
	memcpy(&ch, r.raw.b, sizeof(ch));
	ASSERT_EQ(hdr + sizeof(pid_t), ch.cmsg_len);
	ASSERT_EQ(SCM_CREDENTIALS, ch.cmsg_type);
	memcpy(&pid, r.raw.b + hdr, sizeof(pid));
	ASSERT_EQ(getpid(), pid);
	ASSERT_EQ(0xa5, r.raw.b[hdr + sizeof(pid_t)]);

	/* Exactly CMSG_LEN: whole, no flag, controllen CMSG_LEN. */
	r = do_recv(sv[1], rbuf, 1, 0, UCRED_LEN);
	ASSERT_EQ(1, r.n);
	ASSERT_EQ(0, r.flags);
	ASSERT_EQ(UCRED_LEN, r.clen);
	ASSERT_EQ(1, r.ncm);
	ASSERT_EQ(UCRED_LEN, r.cm[0].len);

	r = do_recv(sv[1], rbuf, 1, 0, UCRED_SPACE);
	ASSERT_CREDS(r, "6", getpid(), getuid(), getgid());
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}
TYPED_TESTS(ctrunc)

/*
 * A stream reader with SO_PASSCRED never glues skbs whose credentials
 * (pid, uid, gid) differ, and glues those that are the same, explicit or
 * implicit.  Root names a child's pid and other ids.
 */
TEST_F(creds, stream_split_on_creds)
{
	pid_t me = getpid(), kid;
	uid_t u = getuid();
	gid_t g = getgid();
	struct ucred uc;
	char rbuf[64];
	struct rcv r;
	int sv[2], wfd;

	new_socketpair(SOCK_STREAM, sv);
	passcred(sv[1]);
	kid = spawn_sleeper(&wfd);
	ASSERT_LT(0, kid);

	uc = mkcred(me, u, g);
	ASSERT_RET(2, send_cred(sv[0], "aa", 2, &uc));
	ASSERT_RET(2, send(sv[0], "bb", 2, 0));
	uc = mkcred(kid, u, g);
	ASSERT_RET(2, send_cred(sv[0], "cc", 2, &uc));
	ASSERT_RET(2, send_cred(sv[0], "dd", 2, &uc));
	uc = mkcred(me, OTHER_UID, g);
	ASSERT_RET(2, send_cred(sv[0], "ee", 2, &uc));
	uc = mkcred(me, u, OTHER_GID);
	ASSERT_RET(2, send_cred(sv[0], "ff", 2, &uc));
	ASSERT_RET(2, send(sv[0], "gg", 2, 0));
	uc = mkcred(me, u, g);
	ASSERT_RET(2, send_cred(sv[0], "hh", 2, &uc));
	ASSERT_EQ(0, reap_sleeper(kid, wfd));

	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "aabb", me, u, g);
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "ccdd", kid, u, g);
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "ee", me, OTHER_UID, g);
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "ff", me, u, OTHER_GID);
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "gghh", me, u, g);
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The same writes to a stream reader without SO_PASSCRED come in one read,
 * with no control message.
 */
TEST_F(creds, stream_glue_without_passcred)
{
	pid_t me = getpid(), kid;
	struct ucred uc;
	char rbuf[64];
	struct rcv r;
	int sv[2], wfd;

	new_socketpair(SOCK_STREAM, sv);
	kid = spawn_sleeper(&wfd);
	ASSERT_LT(0, kid);
	uc = mkcred(me, getuid(), getgid());
	ASSERT_RET(2, send_cred(sv[0], "aa", 2, &uc));
	ASSERT_RET(2, send(sv[0], "bb", 2, 0));
	uc = mkcred(kid, getuid(), getgid());
	ASSERT_RET(2, send_cred(sv[0], "cc", 2, &uc));
	uc = mkcred(me, OTHER_UID, OTHER_GID);
	ASSERT_RET(2, send_cred(sv[0], "dd", 2, &uc));
	ASSERT_EQ(0, reap_sleeper(kid, wfd));
	r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
	ASSERT_NO_CMSG(r, "aabbccdd", 0);
	ASSERT_EMPTY(sv[1]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The reported punix bug: 74 bytes written while nobody had SO_PASSCRED,
 * then the reader enables it, then 1 byte is written: a read of 256 gets
 * the 74 bytes only (their "nobody" credentials differ from the real ones
 * of the last byte), and with SO_PASSCRED and no control buffer recvmsg()
 * sets MSG_CTRUNC.  On a socketpair and on an accepted connection.
 */
static void passcred_between_writes(struct __test_metadata *_metadata,
				    int *c, int *s)
{
	char msg[74], rbuf[256];
	struct rcv r;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = 'A' + i % 26;

	/* plain recv() */
	ASSERT_RET(74, send(c[0], msg, 74, 0));
	passcred(s[0]);
	ASSERT_RET(1, write(c[0], "z", 1));
	ASSERT_RET(74, recv(s[0], rbuf, 256, 0));
	ASSERT_EQ(0, memcmp(rbuf, msg, 74));
	ASSERT_RET(1, recv(s[0], rbuf, 256, 0));
	ASSERT_EQ('z', rbuf[0]);

	/* recvmsg() without a control buffer */
	ASSERT_RET(74, send(c[1], msg, 74, 0));
	passcred(s[1]);
	ASSERT_RET(1, write(c[1], "z", 1));
	r = do_recv(s[1], rbuf, 256, 0, 0);
	ASSERT_EQ(74, r.n);
	ASSERT_EQ(0, memcmp(rbuf, msg, 74));
	ASSERT_EQ(MSG_CTRUNC, r.flags);
	r = do_recv(s[1], rbuf, 256, 0, 0);
	ASSERT_NO_CMSG(r, "z", MSG_CTRUNC);

	/* recvmsg() with one: the credentials of each part */
	ASSERT_RET(74, send(c[2], msg, 74, 0));
	passcred(s[2]);
	ASSERT_RET(1, write(c[2], "z", 1));
	r = recv_ctl(s[2], rbuf, 256);
	ASSERT_CREDS_N(r, msg, 74, 0, overflow_uid(), overflow_gid());
}

TEST_F(creds, stream_passcred_between_writes)
{
	int c[3], s[3], sv[2];
	char rbuf[64];
	struct rcv r;

	/* Socketpairs: c[i] writes, s[i] reads. */
	for (int i = 0; i < 3; i++) {
		new_socketpair(SOCK_STREAM, sv);
		c[i] = sv[0];
		s[i] = sv[1];
	}
	passcred_between_writes(_metadata, c, s);
	r = recv_ctl(s[2], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "z", getpid(), getuid(), getgid());

	/* Connections through a listener, accepted before the writes. */
	for (int i = 0; i < 3; i++) {
		close(c[i]);
		close(s[i]);
		new_pair(&c[i], &s[i]);
	}
	passcred_between_writes(_metadata, c, s);
	r = recv_ctl(s[2], rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "z", getpid(), getuid(), getgid());
}

/*
 * Data written to a connection not yet accepted carries the writer's
 * credentials although neither end has SO_PASSCRED (the embryo has no
 * socket: maybe_add_creds()); written after accept() it carries none.
 */
static void unaccepted(struct __test_metadata *_metadata, creds_t *self,
		       int type)
{
	char path[96], rbuf[64];
	struct rcv r;
	int l, c, s;

	TPATH(path, "l");
	l = new_typed_listener(type, path, 4);
	c = new_typed_client(type, path);
	ASSERT_RET(2, send(c, "em", 2, 0));
	s = accept_ok(l);
	ASSERT_RET(2, send(c, "ac", 2, 0));
	passcred(s);
	r = recv_ctl(s, rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "em", getpid(), getuid(), getgid());
	r = recv_ctl(s, rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "ac", 0, overflow_uid(), overflow_gid());
	ASSERT_EMPTY(s);
	close(c);
	close(s);
	close(l);
}
TEST_F(creds, unaccepted_stream) { unaccepted(_metadata, self, SOCK_STREAM); }
TEST_F(creds, unaccepted_seqpacket)
{
	unaccepted(_metadata, self, SOCK_SEQPACKET);
}

/* SO_PEERCRED of @fd must be {@p, @u, @g}. */
#define ASSERT_PEERCRED(fd, p, u, g) do {				\
	struct ucred __pc;						\
	ASSERT_EQ(0, get_peercred((fd), &__pc));			\
	ASSERT_EQ((pid_t)(p), __pc.pid);				\
	ASSERT_EQ((uid_t)(u), __pc.uid);				\
	ASSERT_EQ((gid_t)(g), __pc.gid);				\
} while (0)

/*
 * SO_PEERCRED: a socketpair's ends both have the creator's; an unconnected
 * socket, a listener before listen() and any dgram socket not made by
 * socketpair() (also once connected) have none: {0, -1, -1}.
 */
TEST_F(creds, peercred_pairs_and_unset)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	char path[96], dpath[96];
	int sv[2], fd, r, d;

	for (int i = 0; i < 3; i++) {
		new_socketpair(types[i], sv);
		ASSERT_PEERCRED(sv[0], getpid(), geteuid(), getegid());
		ASSERT_PEERCRED(sv[1], getpid(), geteuid(), getegid());
		close(sv[0]);
		close(sv[1]);
		fd = new_typed(types[i]);
		ASSERT_PEERCRED(fd, 0, -1, -1);
		close(fd);
	}
	fd = new_bound_at(SOCK_STREAM, path, "s");
	ASSERT_PEERCRED(fd, 0, -1, -1);
	close(fd);
	r = new_bound_at(SOCK_DGRAM, path, "r");
	d = new_bound_at(SOCK_DGRAM, dpath, "d");
	ASSERT_RET(0, connect_path(d, self->family, path));
	ASSERT_RET(0, connect_path(r, self->family, dpath));
	ASSERT_PEERCRED(d, 0, -1, -1);
	ASSERT_PEERCRED(r, 0, -1, -1);
	close(d);
	close(r);
}

/*
 * A connecting socket gets the credentials the listener had at its last
 * listen(), from whichever process called it: a child's listen() (the
 * child is gone by then), then the parent's own.  The accepted socket has
 * the connecting process's.
 */
static void peercred_listen(struct __test_metadata *_metadata, creds_t *self,
			    int type)
{
	char name[64];
	size_t nl = mkname(name, sizeof(name), "pl");
	int l, c, c2, s;
	pid_t kid;

	l = new_typed(type);
	ASSERT_RET(0, bind_abs(l, self->family, name, nl));
	ASSERT_PEERCRED(l, 0, -1, -1);
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0)
		_exit(listen(l, 4) ? 1 : 0);
	ASSERT_EQ(0, wait_child(kid));
	ASSERT_PEERCRED(l, kid, geteuid(), getegid());

	c = new_typed(type);
	ASSERT_RET(0, connect_abs(c, self->family, name, nl));
	ASSERT_PEERCRED(c, kid, geteuid(), getegid());
	s = accept_ok(l);
	ASSERT_PEERCRED(s, getpid(), geteuid(), getegid());

	ASSERT_RET(0, listen(l, 4));
	ASSERT_PEERCRED(l, getpid(), geteuid(), getegid());
	c2 = new_typed(type);
	ASSERT_RET(0, connect_abs(c2, self->family, name, nl));
	ASSERT_PEERCRED(c2, getpid(), geteuid(), getegid());
	ASSERT_PEERCRED(c, kid, geteuid(), getegid());
	close(c2);
	close(c);
	close(s);
	close(l);
}
TEST_F(creds, peercred_listen_stream)
{
	peercred_listen(_metadata, self, SOCK_STREAM);
}
TEST_F(creds, peercred_listen_seqpacket)
{
	peercred_listen(_metadata, self, SOCK_SEQPACKET);
}

/*
 * A connecting process with effective ids OTHER_UID/OTHER_GID and real ids
 * root: the accepted socket's SO_PEERCRED has the effective ids (and keeps
 * the pid after the process is reaped), its implicit SCM_CREDENTIALS the
 * real ones.  Without CAP_SETUID/CAP_SETGID/CAP_SYS_ADMIN in effect it
 * may name its real or effective ids, nothing else, and only its own pid.
 */
static void effective_ids(struct __test_metadata *_metadata, creds_t *self,
			  int type)
{
	char name[64], rbuf[64];
	size_t nl = mkname(name, sizeof(name), "ef");
	uid_t ru = getuid();
	gid_t rg = getgid();
	struct rcv r;
	pid_t kid;
	int l, s;

	l = new_typed(type);
	ASSERT_RET(0, bind_abs(l, self->family, name, nl));
	ASSERT_RET(0, listen(l, 4));
	passcred(l);
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		struct ucred uc;
		pid_t me;
		int c;

		if (setresgid(-1, OTHER_GID, -1) || setresuid(-1, OTHER_UID, -1))
			_exit(90);
		me = getpid();
		c = socket(self->family, type, 0);
		if (c < 0 || connect_abs(c, self->family, name, nl))
			_exit(91);
		CHILD_OK(1, 1, send(c, "p", 1, 0));
		uc = mkcred(me, OTHER_UID, OTHER_GID);
		CHILD_OK(2, 1, send_cred(c, "q", 1, &uc));
		uc = mkcred(me, ru, rg);
		CHILD_OK(3, 1, send_cred(c, "r", 1, &uc));
		uc = mkcred(me, 77, OTHER_GID);
		CHILD_FAILS(4, EPERM, send_cred(c, "x", 1, &uc));
		uc = mkcred(me, OTHER_UID, 77);
		CHILD_FAILS(5, EPERM, send_cred(c, "x", 1, &uc));
		uc = mkcred(getppid(), OTHER_UID, OTHER_GID);
		CHILD_FAILS(6, EPERM, send_cred(c, "x", 1, &uc));
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
	s = accept_ok(l);
	ASSERT_PEERCRED(s, kid, OTHER_UID, OTHER_GID);
	ASSERT_EQ(1, get_int_opt(s, SOL_SOCKET, SO_PASSCRED));
	r = recv_ctl(s, rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "p", kid, ru, rg);
	r = recv_ctl(s, rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "q", kid, OTHER_UID, OTHER_GID);
	r = recv_ctl(s, rbuf, sizeof(rbuf));
	ASSERT_CREDS(r, "r", kid, ru, rg);
	ASSERT_RET(0, recv(s, rbuf, sizeof(rbuf), MSG_DONTWAIT));
	close(s);
	close(l);
}
TEST_F(creds, effective_ids_stream)
{
	effective_ids(_metadata, self, SOCK_STREAM);
}
TEST_F(creds, effective_ids_seqpacket)
{
	effective_ids(_metadata, self, SOCK_SEQPACKET);
}

/* getsockopt(SO_PEERSEC) into 256 bytes. */
struct peersec {
	int ret;
	int err;
	socklen_t len;
	char buf[256];
};

static struct peersec get_peersec(int fd)
{
	struct peersec p;

	memset(&p, 0, sizeof(p));
	p.len = sizeof(p.buf);
	errno = 0;
	p.ret = getsockopt(fd, SOL_SOCKET, SO_PEERSEC, p.buf, &p.len);
	p.err = p.ret ? errno : 0;
	return p;
}

#define ASSERT_SAME_PEERSEC(a, b) do {					\
	ASSERT_EQ((a).ret, (b).ret);					\
	ASSERT_EQ((a).err, (b).err) {					\
		TH_LOG("SO_PEERSEC: AF_UNIX errno %d (%s), here %d (%s)", \
		       (a).err, strerror((a).err), (b).err,		\
		       strerror((b).err));				\
	}								\
	if (!(a).ret) {							\
		ASSERT_EQ((a).len, (b).len);				\
		ASSERT_EQ(0, memcmp((a).buf, (b).buf, (a).len));	\
	}								\
} while (0)

/*
 * Compare what recvmsg() gave on AF_UNIX (@a) and on the variant (@b):
 * return, flags, controllen and every cmsg (level, type, length, payload;
 * an SCM_PIDFD by the pid it names).
 */
static int pidfd_pid(int fd);

static void __assert_same_rcv(struct __test_metadata *_metadata,
			      const struct rcv *a, const struct rcv *b)
{
	ASSERT_EQ(a->n, b->n);
	ASSERT_EQ(a->err, b->err);
	ASSERT_EQ(a->ncm, b->ncm) {
		TH_LOG("AF_UNIX gave %d control messages (first type %d), here %d (first type %d)",
		       a->ncm, a->ncm ? a->cm[0].type : -1,
		       b->ncm, b->ncm ? b->cm[0].type : -1);
	}
	ASSERT_EQ(a->flags, b->flags);
	ASSERT_EQ(a->clen, b->clen);
	for (int i = 0; i < a->ncm; i++) {
		const struct cm *x = &a->cm[i], *y = &b->cm[i];
		size_t dl = x->len - CMSG_LEN(0);

		ASSERT_EQ(x->level, y->level);
		ASSERT_EQ(x->type, y->type);
		ASSERT_EQ(x->len, y->len);
		if (dl > sizeof(x->data))
			dl = sizeof(x->data);
		if (x->level == SOL_SOCKET && x->type == SCM_PIDFD &&
		    dl == sizeof(int)) {
			int fx, fy;

			memcpy(&fx, x->data, sizeof(fx));
			memcpy(&fy, y->data, sizeof(fy));
			if (fx < 0) {
				ASSERT_EQ(fx, fy);
			} else {
				ASSERT_LE(0, fy);
				ASSERT_EQ(pidfd_pid(fx), pidfd_pid(fy));
			}
		} else {
			ASSERT_EQ(0, memcmp(x->data, y->data, dl));
		}
	}
}
#define ASSERT_SAME_RCV(a, b) __assert_same_rcv(_metadata, &(a), &(b))

/*
 * SO_PEERSEC and SO_PASSSEC/SCM_SECURITY give on the variant what they
 * give on AF_UNIX with the LSMs of the running kernel (with AppArmor:
 * ENOPROTOOPT and no SCM_SECURITY).  SO_PASSSEC alone with no control
 * buffer is MSG_CTRUNC (scm_has_secdata() only looks at the flag).
 */
static void peersec(struct __test_metadata *_metadata, creds_t *self,
		    int type)
{
	int u[2], v[2];
	char rbuf[64];
	struct rcv ra, rb;
	struct peersec pa, pb;

	ASSERT_RET(0, socketpair(AF_UNIX, type, 0, u));
	new_socketpair(type, v);
	pa = get_peersec(u[1]);
	pb = get_peersec(v[1]);
	ASSERT_SAME_PEERSEC(pa, pb);

	ASSERT_EQ(0, get_int_opt(v[1], SOL_SOCKET, SO_PASSSEC));
	ASSERT_RET(0, set_int_opt(u[1], SOL_SOCKET, SO_PASSSEC, 1));
	ASSERT_RET(0, set_int_opt(v[1], SOL_SOCKET, SO_PASSSEC, 1));
	ASSERT_EQ(1, get_int_opt(v[1], SOL_SOCKET, SO_PASSSEC));
	ASSERT_RET(1, send(u[0], "s", 1, 0));
	ASSERT_RET(1, send(v[0], "s", 1, 0));
	ra = recv_ctl(u[1], rbuf, sizeof(rbuf));
	rb = recv_ctl(v[1], rbuf, sizeof(rbuf));
	ASSERT_SAME_RCV(ra, rb);

	ASSERT_RET(1, send(u[0], "t", 1, 0));
	ASSERT_RET(1, send(v[0], "t", 1, 0));
	ra = do_recv(u[1], rbuf, sizeof(rbuf), 0, 0);
	ASSERT_EQ(1, ra.n);
	ASSERT_EQ(MSG_CTRUNC, ra.flags);
	rb = do_recv(v[1], rbuf, sizeof(rbuf), 0, 0);
	ASSERT_NO_CMSG(rb, "t", MSG_CTRUNC);

	/* with SO_PASSCRED too */
	passcred(u[1]);
	passcred(v[1]);
	ASSERT_RET(1, send(u[0], "c", 1, 0));
	ASSERT_RET(1, send(v[0], "c", 1, 0));
	ra = recv_ctl(u[1], rbuf, sizeof(rbuf));
	rb = recv_ctl(v[1], rbuf, sizeof(rbuf));
	ASSERT_SAME_RCV(ra, rb);
	close(u[0]);
	close(u[1]);
	close(v[0]);
	close(v[1]);
}
TYPED_TESTS(peersec)

/* SO_PEERSEC of connected (not socketpair) sockets, both ends. */
TEST_F(creds, peersec_connected)
{
	char path[96], upath[96];
	struct peersec pa, pb;
	int uc, us, vc, vs, l;

	TPATH(upath, "u");
	l = __new_listener(_metadata, AF_UNIX, upath, 4);
	uc = __new_typed_client(_metadata, AF_UNIX, SOCK_STREAM, upath);
	us = accept_ok(l);
	close(l);
	TPATH(path, "v");
	l = new_listener(self->family, path, 4);
	vc = new_client(self->family, path);
	vs = accept_ok(l);
	pa = get_peersec(uc);
	pb = get_peersec(vc);
	ASSERT_SAME_PEERSEC(pa, pb);
	pa = get_peersec(us);
	pb = get_peersec(vs);
	ASSERT_SAME_PEERSEC(pa, pb);
	close(l);
	close(uc);
	close(us);
	close(vc);
	close(vs);
}

/* The pid a pidfd refers to ("Pid:" in its fdinfo), or -1. */
static int pidfd_pid(int fd)
{
	return (int)fdinfo_value(fd, "Pid:");
}

/* getsockopt(SO_PEERPIDFD): the new fd or -errno. */
static int peer_pidfd(int fd)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &v, &len))
		return -errno;
	return len == sizeof(int) ? v : -EMSGSIZE;
}

/* The pid SO_PEERPIDFD of @fd names, or -errno (and closes the pidfd). */
static int peer_pidfd_pid(int fd)
{
	int pfd = peer_pidfd(fd), pid;

	if (pfd < 0)
		return pfd;
	pid = pidfd_pid(pfd);
	close(pfd);
	return pid;
}

/*
 * SO_PEERPIDFD (6.5+; ENOPROTOOPT before, asked of AF_UNIX first): a pidfd
 * for the peer: the creator on a socketpair, the connecting child on the
 * accepted socket, the child that called listen() on the connecting one;
 * none on an unconnected socket, and after the peer is reaped, whatever
 * AF_UNIX says then.
 */
TEST_F(creds, so_peerpidfd)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	int fams[2] = { AF_UNIX, self->family };
	int sv[2], probe, got[2][4];
	int rfd[2], wfd[2];
	pid_t lk[2], ck[2];

	ASSERT_RET(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	probe = peer_pidfd_pid(sv[0]);
	close(sv[0]);
	close(sv[1]);
	new_socketpair(SOCK_STREAM, sv);
	if (probe == -ENOPROTOOPT) {
		ASSERT_EQ(-ENOPROTOOPT, peer_pidfd(sv[0]));
		return;
	}
	ASSERT_EQ(getpid(), probe);
	for (int i = 0; i < 3; i++) {
		close(sv[0]);
		close(sv[1]);
		new_socketpair(types[i], sv);
		ASSERT_EQ(getpid(), peer_pidfd_pid(sv[0]));
		ASSERT_EQ(getpid(), peer_pidfd_pid(sv[1]));
	}
	close(sv[0]);
	close(sv[1]);

	for (int f = 0; f < 2; f++) {
		int fam = fams[f], l, c, s, d, p[2];
		char name[64];
		size_t nl = mkname(name, sizeof(name), f ? "pv" : "pu");

		d = __new_socket(_metadata, fam, SOCK_DGRAM);
		got[f][0] = peer_pidfd(d);
		close(d);

		/* the listener's listen() in child lk[f], alive until told */
		l = __new_socket(_metadata, fam, SOCK_STREAM);
		ASSERT_RET(0, bind_abs(l, fam, name, nl));
		ASSERT_RET(0, pipe2(p, O_CLOEXEC));
		lk[f] = fork_child();
		ASSERT_LE(0, lk[f]);
		if (lk[f] == 0) {
			char b;

			close(p[1]);
			if (listen(l, 4))
				_exit(1);
			_exit(read(p[0], &b, 1) == 0 ? 0 : 2);
		}
		close(p[0]);
		wfd[f] = p[1];
		ASSERT_TRUE(wait_blocked_in(lk[f], SYS_read));
		c = __new_socket(_metadata, fam, SOCK_STREAM);
		ASSERT_RET(0, connect_abs(c, fam, name, nl));
		got[f][1] = peer_pidfd_pid(c);
		s = accept_ok(l);
		close(s);
		close(c);

		/* a connecting child ck[f], alive until told */
		ASSERT_RET(0, pipe2(p, O_CLOEXEC));
		ck[f] = fork_child();
		ASSERT_LE(0, ck[f]);
		if (ck[f] == 0) {
			int cc = socket(fam, SOCK_STREAM, 0);
			char b;

			close(p[1]);
			if (cc < 0 || connect_abs(cc, fam, name, nl))
				_exit(1);
			_exit(read(p[0], &b, 1) == 0 ? 0 : 2);
		}
		close(p[0]);
		rfd[f] = p[1];
		s = accept_ok(l);
		got[f][2] = peer_pidfd_pid(s);
		ASSERT_EQ(0, reap_sleeper(ck[f], rfd[f]));
		ASSERT_EQ(0, reap_sleeper(lk[f], wfd[f]));
		got[f][3] = peer_pidfd_pid(s);
		close(s);
		close(l);
	}
	ASSERT_EQ(-ENODATA, got[0][0]);
	ASSERT_EQ(got[0][0], got[1][0]);
	ASSERT_EQ(lk[0], got[0][1]);
	ASSERT_EQ(lk[1], got[1][1]);
	ASSERT_EQ(ck[0], got[0][2]);
	ASSERT_EQ(ck[1], got[1][2]);
	/* peer reaped: what AF_UNIX gives (6.12: EINVAL) */
	if (got[0][3] >= 0) {
		ASSERT_EQ(ck[0], got[0][3]);
		ASSERT_EQ(ck[1], got[1][3]);
	} else {
		ASSERT_EQ(got[0][3], got[1][3]);
	}
}

/*
 * SO_PASSPIDFD (6.5+; ENOPROTOOPT before, asked of AF_UNIX first): each
 * message carries SCM_PIDFD (type 4) naming the sender, after
 * SCM_CREDENTIALS when SO_PASSCRED is on too; for a sender already reaped
 * the cmsg holds what AF_UNIX puts there.  Compared message by message
 * with AF_UNIX.
 */
static void scm_pidfd(struct __test_metadata *_metadata, creds_t *self,
		      int type)
{
	struct rcv ra, rb;
	char rbuf[64];
	int u[2], v[2], probe, e, fd;
	pid_t kid;

	ASSERT_RET(0, socketpair(AF_UNIX, type, 0, u));
	new_socketpair(type, v);
	probe = set_int_opt(u[1], SOL_SOCKET, SO_PASSPIDFD, 1);
	e = errno;
	if (probe) {
		ASSERT_EQ(ENOPROTOOPT, e);
		ASSERT_ERRNO(ENOPROTOOPT, set_int_opt(v[1], SOL_SOCKET,
						      SO_PASSPIDFD, 1));
		return;
	}
	ASSERT_EQ(0, get_int_opt(v[1], SOL_SOCKET, SO_PASSPIDFD));
	ASSERT_RET(0, set_int_opt(v[1], SOL_SOCKET, SO_PASSPIDFD, 1));
	ASSERT_EQ(1, get_int_opt(v[1], SOL_SOCKET, SO_PASSPIDFD));

	ASSERT_RET(1, send(u[0], "a", 1, 0));
	ASSERT_RET(1, send(v[0], "a", 1, 0));
	ra = recv_ctl(u[1], rbuf, sizeof(rbuf));
	rb = recv_ctl(v[1], rbuf, sizeof(rbuf));
	ASSERT_EQ(1, ra.ncm);
	ASSERT_EQ(SCM_PIDFD, ra.cm[0].type);
	memcpy(&fd, ra.cm[0].data, sizeof(fd));
	ASSERT_EQ(getpid(), pidfd_pid(fd));
	ASSERT_SAME_RCV(ra, rb);
	close_rcv_fds(&ra);
	close_rcv_fds(&rb);

	/* no control buffer: MSG_CTRUNC */
	ASSERT_RET(1, send(u[0], "b", 1, 0));
	ASSERT_RET(1, send(v[0], "b", 1, 0));
	ra = do_recv(u[1], rbuf, sizeof(rbuf), 0, 0);
	rb = do_recv(v[1], rbuf, sizeof(rbuf), 0, 0);
	ASSERT_EQ(MSG_CTRUNC, ra.flags);
	ASSERT_SAME_RCV(ra, rb);

	/* with SO_PASSCRED: two cmsgs */
	passcred(u[1]);
	passcred(v[1]);
	ASSERT_RET(1, send(u[0], "c", 1, 0));
	ASSERT_RET(1, send(v[0], "c", 1, 0));
	ra = recv_ctl(u[1], rbuf, sizeof(rbuf));
	rb = recv_ctl(v[1], rbuf, sizeof(rbuf));
	ASSERT_EQ(2, ra.ncm);
	ASSERT_SAME_RCV(ra, rb);
	close_rcv_fds(&ra);
	close_rcv_fds(&rb);

	/* a sender gone before the read */
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		if (send(u[0], "d", 1, 0) != 1 || send(v[0], "d", 1, 0) != 1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(kid));
	ra = recv_ctl(u[1], rbuf, sizeof(rbuf));
	rb = recv_ctl(v[1], rbuf, sizeof(rbuf));
	ASSERT_SAME_RCV(ra, rb);
	close_rcv_fds(&ra);
	close_rcv_fds(&rb);
	close(u[0]);
	close(u[1]);
	close(v[0]);
	close(v[1]);
}
TYPED_TESTS(scm_pidfd)

/*
 * SO_PASSPIDFD alone (6.5+, probed on AF_UNIX) acts on credentials as
 * SO_PASSCRED does (unix_passcred_enabled()): a message sent while only
 * the receiver has it carries the sender's credentials (read later with
 * SO_PASSCRED instead), a stream read with it never glues skbs whose
 * credentials differ, and without a control buffer it is MSG_CTRUNC.
 * The same sequence on AF_UNIX and on the variant, same exact results.
 */
static void passpidfd_creds(struct __test_metadata *_metadata, creds_t *self,
			    int type)
{
	int fams[2] = { AF_UNIX, self->family };
	char rbuf[64];
	struct rcv r;
	int sv[2];

	ASSERT_RET(0, socketpair(AF_UNIX, type, 0, sv));
	if (set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 1)) {
		ASSERT_EQ(ENOPROTOOPT, errno);
		close(sv[0]);
		close(sv[1]);
		new_socketpair(type, sv);
		ASSERT_ERRNO(ENOPROTOOPT, set_int_opt(sv[1], SOL_SOCKET,
						      SO_PASSPIDFD, 1));
		return;
	}
	close(sv[0]);
	close(sv[1]);

	for (int f = 0; f < 2; f++) {
		ASSERT_RET(0, socketpair(fams[f], type, 0, sv));
		ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 1));
		ASSERT_RET(1, send(sv[0], "a", 1, 0));
		r = do_recv(sv[1], rbuf, sizeof(rbuf), MSG_PEEK, 0);
		ASSERT_NO_CMSG(r, "a", MSG_CTRUNC);
		ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 0));
		passcred(sv[1]);
		r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
		ASSERT_CREDS(r, "a", getpid(), getuid(), getgid());
		close(sv[0]);
		close(sv[1]);

		if (type != SOCK_STREAM)
			continue;
		ASSERT_RET(0, socketpair(fams[f], type, 0, sv));
		ASSERT_RET(2, send(sv[0], "bb", 2, 0));
		ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 1));
		ASSERT_RET(1, send(sv[0], "c", 1, 0));
		r = do_recv(sv[1], rbuf, sizeof(rbuf), 0, 0);
		ASSERT_NO_CMSG(r, "bb", MSG_CTRUNC);
		ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 0));
		passcred(sv[1]);
		r = recv_ctl(sv[1], rbuf, sizeof(rbuf));
		ASSERT_CREDS(r, "c", getpid(), getuid(), getgid());
		close(sv[0]);
		close(sv[1]);
	}
}
TYPED_TESTS(passpidfd_creds)

/*
 * socket()/socketpair() take protocol 0, PF_UNIX and the family's own
 * number (for AF_UNIX the same), anything else is EPROTONOSUPPORT.
 * SO_PROTOCOL reads what AF_UNIX reports for the equivalent call.
 */
TEST_F(creds, protocol_argument)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	const int ok[] = { 0, PF_UNIX, self->family };
	const int bad[] = { 2, 3, 6, 17, 255, -1, self->family + 1 };

	for (int t = 0; t < 3; t++) {
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			int want_proto, fd, u, sv[2], usv[2];

			u = socket(AF_UNIX, types[t], ok[i] ? PF_UNIX : 0);
			ASSERT_LE(0, u);
			want_proto = get_int_opt(u, SOL_SOCKET, SO_PROTOCOL);
			close(u);
			ASSERT_RET(0, socketpair(AF_UNIX, types[t],
						 ok[i] ? PF_UNIX : 0, usv));

			fd = socket(self->family, types[t], ok[i]);
			ASSERT_LE(0, fd) {
				TH_LOG("socket(%d, %d, %d): %s", self->family,
				       types[t], ok[i], strerror(errno));
			}
			ASSERT_EQ(types[t], get_int_opt(fd, SOL_SOCKET, SO_TYPE));
			ASSERT_EQ(want_proto,
				  get_int_opt(fd, SOL_SOCKET, SO_PROTOCOL));
			close(fd);
			ASSERT_RET(0, socketpair(self->family, types[t], ok[i],
						 sv));
			ASSERT_EQ(get_int_opt(usv[0], SOL_SOCKET, SO_PROTOCOL),
				  get_int_opt(sv[0], SOL_SOCKET, SO_PROTOCOL));
			ASSERT_EQ(get_int_opt(usv[1], SOL_SOCKET, SO_PROTOCOL),
				  get_int_opt(sv[1], SOL_SOCKET, SO_PROTOCOL));
			close(sv[0]);
			close(sv[1]);
			close(usv[0]);
			close(usv[1]);
		}
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			int sv[2];

			ASSERT_ERRNO(EPROTONOSUPPORT,
				     socket(self->family, types[t], bad[i]));
			ASSERT_ERRNO(EPROTONOSUPPORT,
				     socketpair(self->family, types[t], bad[i],
						sv));
		}
	}
}

/*
 * Count the datagrams of 1 byte a non-blocking unbound sender of @fam
 * queues to the path @path before the first failure (*@err its errno).
 */
static int qlen_count(int fam, const char *path, int *err)
{
	struct sockaddr_un sun;
	socklen_t len = fill_addr(&sun, fam, path);
	int s = socket(fam, SOCK_DGRAM, 0), n;

	if (s < 0) {
		*err = errno;
		return -1;
	}
	n = fill_msgs(s, &sun, len, 1, err);
	close(s);
	return n;
}

/*
 * net.unix.max_dgram_qlen of the socket's network namespace, read when the
 * socket is made: in a fresh netns (default 10) a receiver made before the
 * sysctl is set to 3 takes 11 datagrams from an unconnected sender, one
 * made after takes 4, then EAGAIN; the variant's receivers take what
 * AF_UNIX's take.
 */
TEST_F(creds, max_dgram_qlen_netns)
{
	enum { Q_BEFORE, Q_AFTER, UA, VA, UB, VB, EUA, EVA, EUB, EVB, NRES };
	char pua[96], pva[96], pub[96], pvb[96];
	int res[NRES], p[2];
	pid_t kid;

	TPATH(pua, "ua");
	TPATH(pva, "va");
	TPATH(pub, "ub");
	TPATH(pvb, "vb");
	ASSERT_RET(0, pipe(p));
	kid = fork_child();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		const char *q = "/proc/sys/net/unix/max_dgram_qlen";
		int ua, va, ub, vb;

		close(p[0]);
		memset(res, 0, sizeof(res));
		if (unshare(CLONE_NEWNET))
			_exit(90);
		res[Q_BEFORE] = read_long(q);
		ua = socket(AF_UNIX, SOCK_DGRAM, 0);
		va = socket(self->family, SOCK_DGRAM, 0);
		if (ua < 0 || va < 0 || bind_path(ua, AF_UNIX, pua) ||
		    bind_path(va, self->family, pva))
			_exit(91);
		if (write_text(q, "3\n"))
			_exit(92);
		res[Q_AFTER] = read_long(q);
		ub = socket(AF_UNIX, SOCK_DGRAM, 0);
		vb = socket(self->family, SOCK_DGRAM, 0);
		if (ub < 0 || vb < 0 || bind_path(ub, AF_UNIX, pub) ||
		    bind_path(vb, self->family, pvb))
			_exit(93);
		res[UA] = qlen_count(AF_UNIX, pua, &res[EUA]);
		res[VA] = qlen_count(self->family, pva, &res[EVA]);
		res[UB] = qlen_count(AF_UNIX, pub, &res[EUB]);
		res[VB] = qlen_count(self->family, pvb, &res[EVB]);
		if (write(p[1], res, sizeof(res)) != sizeof(res))
			_exit(94);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(0, wait_child(kid));
	ASSERT_EQ((ssize_t)sizeof(res), read(p[0], res, sizeof(res)));
	close(p[0]);
	ASSERT_EQ(10, res[Q_BEFORE]);
	ASSERT_EQ(3, res[Q_AFTER]);
	ASSERT_EQ(11, res[UA]);
	ASSERT_EQ(EAGAIN, res[EUA]);
	ASSERT_EQ(4, res[UB]);
	ASSERT_EQ(EAGAIN, res[EUB]);
	ASSERT_EQ(res[UA], res[VA]);
	ASSERT_EQ(EAGAIN, res[EVA]);
	ASSERT_EQ(res[UB], res[VB]) {
		TH_LOG("max_dgram_qlen 3: AF_UNIX took %d datagrams, family %d took %d",
		       res[UB], self->family, res[VB]);
	}
	ASSERT_EQ(EAGAIN, res[EVB]);
}

TEST_HARNESS_MAIN
