// SPDX-License-Identifier: GPL-2.0
/*
 * What a 32-bit program sees: selftests/Makefile also builds this file as
 * the i386 program compat_test32, whose calls take the kernel's compat
 * paths (IA32 emulation, Linux 6.12 and 6.1 alike):
 *
 *   ioctl    compat_sys_ioctl() (fs/ioctl.c): FIONREAD (SIOCINQ) is done
 *            by do_vfs_ioctl() through the native sock_ioctl(); the rest
 *            goes to compat_sock_ioctl() (net/socket.c), which asks the
 *            family's proto_ops.compat_ioctl first (af_unix:
 *            unix_compat_ioctl(), the native unix_ioctl() on compat_ptr())
 *            and then its own table, which has SIOCOUTQ and SIOCATMARK but
 *            not SIOCUNIXFILE (ENOTTY without a compat_ioctl).
 *   sendmsg  ____sys_sendmsg() turns the 32-bit cmsghdrs into native ones
 *            (cmsghdr_from_user_compat_to_kern()) before the family reads
 *            them; sendmmsg() takes 32-bit mmsghdrs.
 *   recvmsg  MSG_CMSG_COMPAT: put_cmsg() and scm_detach_fds() write 32-bit
 *            cmsghdrs (4-byte alignment, 12-byte header) and truncate
 *            against them; scm_pidfd_recv() checks the room for its cmsg
 *            itself; timestamps in the old layout are converted to 32-bit
 *            timevals and timespecs (put_cmsg_compat()).
 *
 * Built natively, the same tests check the same things through the native
 * paths. Every expected size comes from the program's own CMSG_* macros and
 * structures, so both builds assert the layout of their ABI; answers that
 * depend on the kernel (SIOCOUTQ's truesize, SO_PASSPIDFD on 6.1) are asked
 * of an AF_UNIX socket in the same test.
 */
#include "msg_util.h"

#include <dirent.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE	(SIOCPROTOPRIVATE + 0)	/* include/uapi/linux/un.h */
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD	76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD	4
#endif

#define FDS_SPACE(n)	CMSG_SPACE(sizeof(int) * (n))
#define FDS_LEN(n)	CMSG_LEN(sizeof(int) * (n))

PUNIX_FIXTURE(compat);

union ctl {
	struct cmsghdr align;
	char buf[512];
};

/* An int ioctl of @fd: the value it wrote, or -errno. */
static int ioctl_int(int fd, unsigned long cmd)
{
	int v = -12345;

	return ioctl(fd, cmd, &v) ? -errno : v;
}

/* Inode of @fd (0 on error). */
static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* Append a SOL_SOCKET cmsg of @type with @len bytes of @data at @*off. */
static void put_ctl(union ctl *c, size_t *off, int type, const void *data,
		    size_t len)
{
	struct cmsghdr *cm = (struct cmsghdr *)(c->buf + *off);

	memset(cm, 0, CMSG_SPACE(len));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
	*off += CMSG_SPACE(len);
}

/* sendmsg() of @len bytes of @data with the first @clen bytes of @c. */
static ssize_t send_ctl(int fd, const void *data, size_t len,
			const union ctl *c, size_t clen)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = (void *)c->buf, .msg_controllen = clen,
	};

	return sendmsg(fd, &msg, 0);
}

/* recvmsg() of up to @len bytes into @data with @clen bytes of control. */
static ssize_t recv_ctl(int fd, void *data, size_t len, union ctl *c,
			size_t clen, struct msghdr *msg, int flags)
{
	static struct iovec iov;

	iov.iov_base = data;
	iov.iov_len = len;
	memset(msg, 0, sizeof(*msg));
	memset(c, 0, sizeof(*c));
	msg->msg_iov = &iov;
	msg->msg_iovlen = 1;
	msg->msg_control = clen ? c->buf : NULL;
	msg->msg_controllen = clen;
	return recvmsg(fd, msg, flags | MSG_DONTWAIT);
}

/*
 * SIOCINQ, SIOCOUTQ, SIOCATMARK and SIOCUNIXFILE on every type, with the
 * answers of an AF_UNIX socket in the same state; a bad argument pointer
 * (EFAULT) and an unknown protocol-private ioctl give what AF_UNIX's do.
 */
static void ioctls(struct __test_metadata *_metadata,
		   FIXTURE_DATA(compat) *self, int type)
{
	char buf[200] = "data", path[96];
	int sv[2], ref[2], fd, p, rp, ret, rret, err;
	struct stat st;
	void *bad;

	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(0, socketpair(self->family, type, 0, sv));
	ASSERT_EQ(0, socketpair(AF_UNIX, type, 0, ref));

	ASSERT_EQ(0, ioctl_int(sv[1], SIOCINQ));
	ASSERT_EQ(0, ioctl_int(sv[0], SIOCOUTQ));
	ASSERT_RET(100, send(sv[0], buf, 100, 0));
	ASSERT_RET(100, send(ref[0], buf, 100, 0));
	ASSERT_RET(60, send(sv[0], buf, 60, 0));
	ASSERT_RET(60, send(ref[0], buf, 60, 0));
	ASSERT_EQ(ioctl_int(ref[1], SIOCINQ), ioctl_int(sv[1], SIOCINQ));
	/*
	 * punix appends a stream write to the unread tail skb of the same
	 * writer (issue 9): it may hold less than AF_UNIX for the same data,
	 * never more. Other types: exactly AF_UNIX's.
	 */
	if (type == SOCK_STREAM) {
		ASSERT_GE(ioctl_int(ref[0], SIOCOUTQ), ioctl_int(sv[0], SIOCOUTQ));
	} else {
		ASSERT_EQ(ioctl_int(ref[0], SIOCOUTQ), ioctl_int(sv[0], SIOCOUTQ));
	}
	ASSERT_LE(160, ioctl_int(sv[0], SIOCOUTQ));
	ASSERT_EQ(ioctl_int(ref[1], SIOCATMARK), ioctl_int(sv[1], SIOCATMARK));

	if (type == SOCK_STREAM) {
		/* The mark: normal data before it, then the OOB byte. */
		ASSERT_RET(1, send(sv[0], "!", 1, MSG_OOB));
		ASSERT_RET(1, send(ref[0], "!", 1, MSG_OOB));
		ASSERT_EQ(0, ioctl_int(sv[1], SIOCATMARK));
		ASSERT_RET(160, recv(sv[1], buf, sizeof(buf), 0));
		ASSERT_RET(160, recv(ref[1], buf, sizeof(buf), 0));
		ASSERT_EQ(ioctl_int(ref[1], SIOCATMARK),
			  ioctl_int(sv[1], SIOCATMARK));
		ASSERT_LE(0, ioctl_int(sv[1], SIOCATMARK));
		ASSERT_EQ(ioctl_int(ref[1], SIOCINQ), ioctl_int(sv[1], SIOCINQ));
	}

	/* Unbound: no node to open. */
	ASSERT_ERRNO(ENOENT, ioctl(sv[0], SIOCUNIXFILE, 0));

	/* The argument is the caller's pointer, checked as such. */
	ASSERT_ERRNO(EFAULT, ioctl(sv[1], SIOCINQ, bad));
	ASSERT_ERRNO(EFAULT, ioctl(sv[0], SIOCOUTQ, bad));
	rret = ioctl(ref[1], SIOCATMARK, bad);
	err = errno;
	ret = ioctl(sv[1], SIOCATMARK, bad);
	ASSERT_EQ(rret, ret);
	ASSERT_EQ(err, errno);

	/* A protocol-private number af_unix does not know. */
	rret = ioctl(ref[0], SIOCPROTOPRIVATE + 1, buf);
	err = errno;
	ret = ioctl(sv[0], SIOCPROTOPRIVATE + 1, buf);
	ASSERT_EQ(rret, ret);
	ASSERT_EQ(err, errno);

	/* A pathname socket: an O_PATH, close-on-exec fd of its node. */
	TPATH(path, "node");
	p = new_bound(type, path);
	fd = ioctl(p, SIOCUNIXFILE, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(O_PATH, fcntl(fd, F_GETFL) & O_PATH);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(st.st_ino, fd_ino(fd));
	close(fd);
	close(p);

	/* The reference socket must have said the same. */
	TPATH(path, "ref");
	rp = socket(AF_UNIX, type, 0);
	ASSERT_LE(0, rp);
	ASSERT_EQ(0, bind_path(rp, AF_UNIX, path));
	fd = ioctl(rp, SIOCUNIXFILE, 0);
	ASSERT_LE(0, fd);
	close(fd);
	close(rp);

	close(sv[0]);
	close(sv[1]);
	close(ref[0]);
	close(ref[1]);
	munmap(bad, 4096);
}

PUNIX_TYPED_TESTS(compat, ioctls)

/*
 * One sendmsg() with three cmsgs, SCM_RIGHTS (1 fd), SCM_CREDENTIALS and
 * SCM_RIGHTS (3 fds): the receiver (SO_PASSCRED) gets the credentials,
 * then one SCM_RIGHTS with the 4 files in order. With room for 2 fds, it
 * gets those 2, MSG_CTRUNC, and the other 2 are closed; with less than a
 * cmsghdr, nothing at all and MSG_CTRUNC.
 */
static void rights_creds(struct __test_metadata *_metadata,
			 FIXTURE_DATA(compat) *self, int type)
{
	struct ucred uc = { getpid(), getuid(), getgid() }, got;
	int sv[2], files[4], round, i, nfds, before;
	size_t off, clen, want_clen;
	struct cmsghdr *cm;
	struct msghdr msg;
	union ctl c, rc;
	char data = 'x';
	int *fdp;

	ASSERT_EQ(0, socketpair(self->family, type, 0, sv));
	ASSERT_EQ(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSCRED, 1));
	for (i = 0; i < 4; i++) {
		files[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, files[i]);
	}

	for (round = 0; round < 3; round++) {
		off = 0;
		memset(&c, 0, sizeof(c));
		put_ctl(&c, &off, SCM_RIGHTS, files, sizeof(int));
		put_ctl(&c, &off, SCM_CREDENTIALS, &uc, sizeof(uc));
		put_ctl(&c, &off, SCM_RIGHTS, files + 1, 3 * sizeof(int));
		ASSERT_RET(1, send_ctl(sv[0], &data, 1, &c, off));

		/* round 0: room for all; 1: for 2 fds; 2: not a header */
		nfds = round == 0 ? 4 : round == 1 ? 2 : 0;
		clen = round == 2 ? sizeof(struct cmsghdr) - 1 :
		       UCRED_SPACE + FDS_SPACE(nfds);
		want_clen = round == 2 ? 0 : clen;
		before = count_fds();
		ASSERT_RET(1, recv_ctl(sv[1], &data, 1, &rc, clen, &msg, 0));
		ASSERT_EQ('x', data);
		ASSERT_EQ(round ? MSG_CTRUNC : 0, msg.msg_flags);
		ASSERT_EQ(want_clen, msg.msg_controllen);
		ASSERT_EQ(before + nfds, count_fds());
		if (round == 2)
			continue;

		cm = CMSG_FIRSTHDR(&msg);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SOL_SOCKET, cm->cmsg_level);
		ASSERT_EQ(SCM_CREDENTIALS, cm->cmsg_type);
		ASSERT_EQ(UCRED_LEN, cm->cmsg_len);
		memcpy(&got, CMSG_DATA(cm), sizeof(got));
		ASSERT_EQ(uc.pid, got.pid);
		ASSERT_EQ(uc.uid, got.uid);
		ASSERT_EQ(uc.gid, got.gid);

		cm = CMSG_NXTHDR(&msg, cm);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SOL_SOCKET, cm->cmsg_level);
		ASSERT_EQ(SCM_RIGHTS, cm->cmsg_type);
		ASSERT_EQ(FDS_LEN(nfds), cm->cmsg_len);
		fdp = (int *)CMSG_DATA(cm);
		for (i = 0; i < nfds; i++) {
			ASSERT_EQ(fd_ino(files[i]), fd_ino(fdp[i]));
			close(fdp[i]);
		}
		ASSERT_EQ(NULL, CMSG_NXTHDR(&msg, cm));
	}

	for (i = 0; i < 4; i++)
		close(files[i]);
	close(sv[0]);
	close(sv[1]);
}

PUNIX_TYPED_TESTS(compat, rights_creds)

/*
 * SO_PASSPIDFD (6.5): as AF_UNIX answers it. Where it exists, a message
 * with one fd gives SCM_RIGHTS and then SCM_PIDFD (a pidfd of the sender)
 * when the buffer holds CMSG_LEN(sizeof(int)) after the rights, and
 * MSG_CTRUNC without the pidfd when it is one byte shorter: the room is
 * counted with the caller's cmsghdr (scm_pidfd_recv()).
 */
static void pidfd_room(struct __test_metadata *_metadata,
		       FIXTURE_DATA(compat) *self, int type)
{
	int sv[2], ref[2], rret, rerr, file, before, round, *fdp;
	size_t off, clen;
	struct cmsghdr *cm;
	struct msghdr msg;
	union ctl c, rc;
	char data = 'p';

	ASSERT_EQ(0, socketpair(self->family, type, 0, sv));
	ASSERT_EQ(0, socketpair(AF_UNIX, type, 0, ref));
	rret = set_int_opt(ref[1], SOL_SOCKET, SO_PASSPIDFD, 1);
	rerr = errno;
	if (rret) {
		ASSERT_ERRNO(rerr, set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 1));
		goto out;
	}
	ASSERT_EQ(0, set_int_opt(sv[1], SOL_SOCKET, SO_PASSPIDFD, 1));
	file = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, file);

	for (round = 0; round < 2; round++) {
		off = 0;
		memset(&c, 0, sizeof(c));
		put_ctl(&c, &off, SCM_RIGHTS, &file, sizeof(int));
		ASSERT_RET(1, send_ctl(sv[0], &data, 1, &c, off));

		clen = FDS_SPACE(1) + CMSG_LEN(sizeof(int)) - round;
		before = count_fds();
		ASSERT_RET(1, recv_ctl(sv[1], &data, 1, &rc, clen, &msg, 0));
		ASSERT_EQ(round ? MSG_CTRUNC : 0, msg.msg_flags);
		ASSERT_EQ(round ? FDS_SPACE(1) : clen, msg.msg_controllen);
		ASSERT_EQ(before + (round ? 1 : 2), count_fds());

		cm = CMSG_FIRSTHDR(&msg);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SCM_RIGHTS, cm->cmsg_type);
		ASSERT_EQ(FDS_LEN(1), cm->cmsg_len);
		fdp = (int *)CMSG_DATA(cm);
		ASSERT_EQ(fd_ino(file), fd_ino(*fdp));
		close(*fdp);
		cm = CMSG_NXTHDR(&msg, cm);
		if (round) {
			ASSERT_EQ(NULL, cm);
			continue;
		}
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SOL_SOCKET, cm->cmsg_level);
		ASSERT_EQ(SCM_PIDFD, cm->cmsg_type);
		ASSERT_EQ(CMSG_LEN(sizeof(int)), cm->cmsg_len);
		fdp = (int *)CMSG_DATA(cm);
		ASSERT_EQ(getpid(), fdinfo_value(*fdp, "Pid:"));
		close(*fdp);
	}
	close(file);
out:
	close(sv[0]);
	close(sv[1]);
	close(ref[0]);
	close(ref[1]);
}

PUNIX_TYPED_TESTS(compat, pidfd_room)

/*
 * Receive timestamps in the four layouts: SO_TIMESTAMP(NS)_OLD give the
 * caller's struct timeval (timespec) of longs, SO_TIMESTAMP(NS)_NEW 64-bit
 * fields; each is the time of the receive, between the clock read before
 * the send and after the receive. Stream sockets give none (af_unix).
 */
struct tsopt {
	int opt;
	size_t size;	/* payload */
	long div;	/* nanoseconds per unit of the second field */
};

static const struct tsopt tsopts[] = {
	{ SO_TIMESTAMP_OLD, 2 * sizeof(long), 1000 },
	{ SO_TIMESTAMPNS_OLD, 2 * sizeof(long), 1 },
	{ SO_TIMESTAMP_NEW, 2 * sizeof(long long), 1000 },
	{ SO_TIMESTAMPNS_NEW, 2 * sizeof(long long), 1 },
};

static long long ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void timestamps(struct __test_metadata *_metadata,
		       FIXTURE_DATA(compat) *self, int type)
{
	struct timespec t0, t1;
	long long sec, frac, at;
	struct cmsghdr *cm;
	struct msghdr msg;
	unsigned int i;
	char data = 't';
	union ctl rc;
	int sv[2];

	for (i = 0; i < sizeof(tsopts) / sizeof(tsopts[0]); i++) {
		const struct tsopt *o = &tsopts[i];

		ASSERT_EQ(0, socketpair(self->family, type, 0, sv));
		ASSERT_EQ(0, set_int_opt(sv[1], SOL_SOCKET, o->opt, 1));
		ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &t0));
		ASSERT_RET(1, send(sv[0], &data, 1, 0));
		ASSERT_RET(1, recv_ctl(sv[1], &data, 1, &rc, sizeof(rc.buf),
				       &msg, 0));
		ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &t1));
		ASSERT_EQ(0, msg.msg_flags);
		cm = CMSG_FIRSTHDR(&msg);
		if (type == SOCK_STREAM) {
			ASSERT_EQ(0U, msg.msg_controllen);
			ASSERT_EQ(NULL, cm);
			goto next;
		}
		ASSERT_EQ(CMSG_SPACE(o->size), msg.msg_controllen);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SOL_SOCKET, cm->cmsg_level);
		ASSERT_EQ(o->opt, cm->cmsg_type);
		ASSERT_EQ(CMSG_LEN(o->size), cm->cmsg_len);
		if (o->size == 2 * sizeof(long)) {
			long v[2];

			memcpy(v, CMSG_DATA(cm), sizeof(v));
			sec = v[0];
			frac = v[1];
		} else {
			long long v[2];

			memcpy(v, CMSG_DATA(cm), sizeof(v));
			sec = v[0];
			frac = v[1];
		}
		ASSERT_LE(0, frac);
		ASSERT_GT(1000000000LL / o->div, frac);
		at = sec * 1000000000LL + frac * o->div;
		/* t0 in the unit of the stamp, rounded down */
		ASSERT_LE(ts_ns(&t0) / o->div * o->div, at);
		ASSERT_GE(ts_ns(&t1), at);
		ASSERT_EQ(NULL, CMSG_NXTHDR(&msg, cm));
next:
		close(sv[0]);
		close(sv[1]);
	}
}

PUNIX_TYPED_TESTS(compat, timestamps)

/*
 * sendmmsg()/recvmmsg() (the 32-bit struct mmsghdr) of three messages
 * carrying 1, 2 and 0 fds: each message's length, control length and
 * files arrive as sent, in order.
 */
static void mmsg_rights(struct __test_metadata *_metadata,
			FIXTURE_DATA(compat) *self, int type)
{
	static const int nfds[3] = { 1, 2, 0 };
	struct mmsghdr out[3], in[3];
	struct iovec oiov[3], iiov[3];
	char odata[3][8], idata[3][8];
	union ctl oc[3], ic[3];
	int sv[2], files[2], i, j, *fdp;
	struct cmsghdr *cm;
	size_t off;

	ASSERT_EQ(0, socketpair(self->family, type, 0, sv));
	for (i = 0; i < 2; i++) {
		files[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, files[i]);
	}
	memset(out, 0, sizeof(out));
	memset(in, 0, sizeof(in));
	for (i = 0; i < 3; i++) {
		snprintf(odata[i], sizeof(odata[i]), "msg%d", i);
		oiov[i].iov_base = odata[i];
		oiov[i].iov_len = 3 + i;	/* "msg", "msg1", "msg2\0" */
		out[i].msg_hdr.msg_iov = &oiov[i];
		out[i].msg_hdr.msg_iovlen = 1;
		if (nfds[i]) {
			off = 0;
			memset(&oc[i], 0, sizeof(oc[i]));
			put_ctl(&oc[i], &off, SCM_RIGHTS, files,
				nfds[i] * sizeof(int));
			out[i].msg_hdr.msg_control = oc[i].buf;
			out[i].msg_hdr.msg_controllen = off;
		}
		iiov[i].iov_base = idata[i];
		iiov[i].iov_len = sizeof(idata[i]);
		in[i].msg_hdr.msg_iov = &iiov[i];
		in[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_control = ic[i].buf;
		in[i].msg_hdr.msg_controllen = FDS_SPACE(2);
	}
	ASSERT_RET(3, sendmmsg(sv[0], out, 3, 0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(3U + i, out[i].msg_len);
	ASSERT_RET(3, recvmmsg(sv[1], in, 3, MSG_DONTWAIT, NULL));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(3U + i, in[i].msg_len);
		ASSERT_EQ(0, memcmp(idata[i], odata[i], 3 + i));
		ASSERT_EQ(0, in[i].msg_hdr.msg_flags);
		ASSERT_EQ(nfds[i] ? FDS_SPACE(nfds[i]) : 0,
			  in[i].msg_hdr.msg_controllen);
		cm = CMSG_FIRSTHDR(&in[i].msg_hdr);
		if (!nfds[i]) {
			ASSERT_EQ(NULL, cm);
			continue;
		}
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SCM_RIGHTS, cm->cmsg_type);
		ASSERT_EQ(FDS_LEN(nfds[i]), cm->cmsg_len);
		fdp = (int *)CMSG_DATA(cm);
		for (j = 0; j < nfds[i]; j++) {
			ASSERT_EQ(fd_ino(files[j]), fd_ino(fdp[j]));
			close(fdp[j]);
		}
	}
	close(files[0]);
	close(files[1]);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(compat, mmsg_rights_seqpacket) { mmsg_rights(_metadata, self, SOCK_SEQPACKET); }
TEST_F(compat, mmsg_rights_dgram) { mmsg_rights(_metadata, self, SOCK_DGRAM); }

TEST_HARNESS_MAIN
