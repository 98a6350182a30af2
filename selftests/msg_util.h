/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the message-oriented (SOCK_DGRAM, SOCK_SEQPACKET) and the
 * abstract-name differential tests.  Builds on punix_test.h: include this
 * header instead of it.
 */
#ifndef _PUNIX_MSG_UTIL_H
#define _PUNIX_MSG_UTIL_H

#include "punix_test.h"

#include <sched.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/sockios.h>

/* A socket of @type (flags may be or'ed in) in the variant's family. */
#define new_typed(type) __new_socket(_metadata, self->family, (type))

/* A socket of @type bound to the path @path. */
static inline int __new_bound(struct __test_metadata *_metadata,
			      int family, int type, const char *path)
{
	int fd = __new_socket(_metadata, family, type);

	ASSERT_RET(0, bind_path(fd, family, path));
	return fd;
}
#define new_bound(type, path) \
	__new_bound(_metadata, self->family, (type), (path))

/* A socket of @type bound at TPATH(@buf, @name); @buf keeps the path. */
#define new_bound_at(type, buf, name) \
	(TPATH((buf), (name)), new_bound((type), (buf)))

/* A socket of @type connected to the path @path. */
#define new_typed_client(type, path) \
	__new_typed_client(_metadata, self->family, (type), (path))

/*
 * A SOCK_SEQPACKET (or any connection-oriented @type) listener at @path;
 * new_listener() of punix_test.h only makes SOCK_STREAM ones.
 */
static inline int __new_typed_listener(struct __test_metadata *_metadata,
				       int family, int type, const char *path,
				       int backlog)
{
	int fd = __new_bound(_metadata, family, type, path);

	ASSERT_RET(0, listen(fd, backlog));
	return fd;
}
#define new_typed_listener(type, path, backlog) \
	__new_typed_listener(_metadata, self->family, (type), (path), (backlog))

/*
 * An abstract address: sun_path holds exactly the @len bytes of @name
 * (which should start with a NUL), the rest of the structure is zero.
 * Returns the address length offsetof(sun_path) + @len.
 */
static inline socklen_t fill_abs(struct sockaddr_un *sun, int family,
				 const void *name, size_t len)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = family;
	if (len > SUN_PATH_MAX)
		len = SUN_PATH_MAX;
	memcpy(sun->sun_path, name, len);
	return SUN_HDR + len;
}

static inline int bind_abs(int fd, int family, const void *name, size_t len)
{
	struct sockaddr_un sun;
	socklen_t alen = fill_abs(&sun, family, name, len);

	return bind(fd, (struct sockaddr *)&sun, alen);
}

static inline int connect_abs(int fd, int family, const void *name,
			      size_t len)
{
	struct sockaddr_un sun;
	socklen_t alen = fill_abs(&sun, family, name, len);

	return connect(fd, (struct sockaddr *)&sun, alen);
}

static inline ssize_t sendto_abs(int fd, int family, const void *name,
				 size_t nlen, const void *buf, size_t len,
				 int flags)
{
	struct sockaddr_un sun;
	socklen_t alen = fill_abs(&sun, family, name, nlen);

	return sendto(fd, buf, len, flags, (struct sockaddr *)&sun, alen);
}

static inline ssize_t sendto_path(int fd, int family, const char *path,
				  const void *buf, size_t len, int flags)
{
	struct sockaddr_un sun;
	socklen_t alen = fill_addr(&sun, family, path);

	return sendto(fd, buf, len, flags, (struct sockaddr *)&sun, alen);
}

/* bind() with only the family: the autobind form. */
static inline int bind_auto(int fd, int family)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = family;
	return bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t));
}

/* connect(AF_UNSPEC): dissolve a datagram association. */
static inline int connect_unspec(int fd)
{
	struct sockaddr sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	return connect(fd, &sa, sizeof(sa));
}

/*
 * One recvmsg() into @buf/@len with a full-size name buffer.  The sender
 * address lands in *@sun / *@namelen (both poisoned first so an untouched
 * field shows), and the output msg_flags in *@mflags.
 */
static inline ssize_t recv_msg(int fd, void *buf, size_t len, int flags,
			       struct sockaddr_un *sun, socklen_t *namelen,
			       int *mflags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = sun,
		.msg_namelen = sizeof(*sun),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_flags = 0x5a5a0000,
	};
	ssize_t n;

	memset(sun, 0xa5, sizeof(*sun));
	n = recvmsg(fd, &msg, flags);
	*namelen = msg.msg_namelen;
	*mflags = msg.msg_flags;
	return n;
}

/*
 * Assert that (@sun, @len) is the abstract name @name of @nlen bytes in
 * family @family: length offsetof(sun_path) + @nlen, same bytes.
 */
#define ASSERT_ABS(family, name, nlen, sun, len) do {			\
	ASSERT_EQ((family), (sun).sun_family);				\
	ASSERT_EQ(SUN_HDR + (size_t)(nlen), (size_t)(len));		\
	ASSERT_EQ(0, memcmp((sun).sun_path, (name), (nlen)));		\
} while (0)

/* SIOCINQ / SIOCOUTQ of @fd, or -errno. */
static inline int sock_inq(int fd)
{
	int v = -12345;

	return ioctl(fd, SIOCINQ, &v) ? -errno : v;
}

static inline int sock_outq(int fd)
{
	int v = -12345;

	return ioctl(fd, SIOCOUTQ, &v) ? -errno : v;
}

/*
 * Send @len-byte messages with MSG_DONTWAIT on @fd (to @dst if not NULL,
 * else to the connected peer) until a send fails.  Returns the number of
 * messages queued; *@err gets the errno of the failing send.  Stops after
 * 4096 messages (*@err = 0 then).
 */
static inline int fill_msgs(int fd, const struct sockaddr_un *dst,
			    socklen_t dlen, size_t len, int *err)
{
	static char junk[4096];
	int n;

	if (len > sizeof(junk))
		len = sizeof(junk);
	*err = 0;
	for (n = 0; n < 4096; n++) {
		ssize_t r = dst ? sendto(fd, junk, len, MSG_DONTWAIT,
					 (const struct sockaddr *)dst, dlen)
				: send(fd, junk, len, MSG_DONTWAIT);

		if (r < 0) {
			*err = errno;
			break;
		}
	}
	return n;
}

/* Count messages readable with MSG_DONTWAIT until EAGAIN. */
static inline int drain_msgs(int fd)
{
	char buf[4096];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* revents of a zero-timeout poll() asking for @events. */
static inline int poll_ev(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, 0);

	if (n < 0)
		return -1;
	return n ? pfd.revents : 0;
}

/* SO_PEERCRED of @fd into *@uc; 0 or -errno. */
static inline int get_peercred(int fd, struct ucred *uc)
{
	socklen_t len = sizeof(*uc);

	memset(uc, 0xa5, sizeof(*uc));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, uc, &len))
		return -errno;
	return len == sizeof(*uc) ? 0 : -EMSGSIZE;
}

/* "\0punix-<pid>-<tag>" into @buf; returns the name length (no NUL). */
static inline size_t mkname(char *buf, size_t size, const char *tag)
{
	int n = snprintf(buf + 1, size - 1, "punix-%d-%s", (int)getpid(), tag);

	buf[0] = '\0';
	return 1 + n;
}

#define UCRED_LEN	CMSG_LEN(sizeof(struct ucred))
#define UCRED_SPACE	CMSG_SPACE(sizeof(struct ucred))

/* The largest payload send_cmsg() carries. */
#define SEND_CMSG_MAX	64

/*
 * sendmsg() of @len bytes of @buf with one SOL_SOCKET control message of
 * @type carrying the @dlen bytes at @data (no control data if @data is
 * NULL), in a control buffer of CMSG_SPACE(@dlen) bytes.  A non-zero
 * @cmsg_len replaces the message's cmsg_len.
 */
static inline ssize_t send_cmsg(int fd, const void *buf, size_t len, int type,
				const void *data, size_t dlen,
				size_t cmsg_len, int flags)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(SEND_CMSG_MAX)];
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (dlen > SEND_CMSG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (data) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.b;
		msg.msg_controllen = CMSG_SPACE(dlen);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = type;
		cm->cmsg_len = cmsg_len ? cmsg_len : CMSG_LEN(dlen);
		memcpy(CMSG_DATA(cm), data, dlen);
	}
	return sendmsg(fd, &msg, flags);
}

/*
 * sendmsg() of @len bytes with one SCM_CREDENTIALS cmsg holding @uc (no
 * control data if @uc is NULL).  A non-zero @cmsg_len replaces the
 * cmsg_len; the control buffer is UCRED_SPACE bytes.
 */
static inline ssize_t send_cred_len(int fd, const void *buf, size_t len,
				    const struct ucred *uc, size_t cmsg_len,
				    int flags)
{
	return send_cmsg(fd, buf, len, SCM_CREDENTIALS, uc, sizeof(*uc),
			 cmsg_len, flags);
}

/* sendmsg() of the string @buf with SCM_CREDENTIALS {@pid, @uid, @gid}. */
static inline ssize_t send_cred_ids(int fd, const char *buf, pid_t pid,
				    uid_t uid, gid_t gid)
{
	struct ucred uc = { .pid = pid, .uid = uid, .gid = gid };

	return send_cred_len(fd, buf, strlen(buf), &uc, 0, 0);
}

#endif /* _PUNIX_MSG_UTIL_H */
