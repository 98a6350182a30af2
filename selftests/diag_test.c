// SPDX-License-Identifier: GPL-2.0
/*
 * NETLINK_SOCK_DIAG for the variant's family (net/unix/diag.c, Linux 6.1
 * and 6.12): SOCK_DIAG_BY_FAMILY dumps and exact requests with struct
 * unix_diag_req, and every attribute checked against what the sockets
 * themselves report (fstat() inode, getsockname(), stat() of the node,
 * SIOCINQ/SIOCOUTQ, SO_RCVBUF/SO_SNDBUF, shutdown(), the creator's uid).
 * Where a value depends on the kernel (the MEMINFO fields that no call
 * reports), the same question is asked of a twin AF_UNIX socket through
 * AF_UNIX's own handler.
 *
 * Each test runs in a fresh network namespace, so a dump lists its
 * sockets only. The native variant needs AF_UNIX's handler (unix_diag.ko
 * on Debian's kernels: the bench loads it).
 */
#include "msg_util.h"
#include "diag_util.h"

#include <sched.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/unix_diag.h>

PUNIX_FIXTURE(diag);

#define SHOW_ALL	(UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | \
			 UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN | \
			 UDIAG_SHOW_MEMINFO | UDIAG_SHOW_UID)
#define ALL_STATES	0xffffffffU
#define TCP_ESTABLISHED_	1	/* <netinet/tcp.h> states */
#define TCP_CLOSE_		7
#define TCP_LISTEN_		10
#define MAX_RECS	64
#define MAX_ICONS	8

/* One struct unix_diag_msg and its attributes. */
struct rec {
	struct unix_diag_msg msg;
	unsigned int has;		/* bit per UNIX_DIAG_* seen */
	int name_len;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct unix_diag_vfs vfs;
	uint32_t peer;
	int nicons;
	uint32_t icons[MAX_ICONS];
	struct unix_diag_rqlen rqlen;
	int mem_len;			/* bytes */
	uint32_t mem[SK_MEMINFO_VARS + 8];
	uint8_t shutdown;
	uint32_t uid;
	int bad;			/* a malformed attribute */
};

#define HAS(r, a)	(!!((r)->has & (1U << (a))))

static void parse_rec(const struct nlmsghdr *h, struct rec *r)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	const struct nlattr *a = (const void *)((const char *)m +
						NLMSG_ALIGN(sizeof(*m)));

	memset(r, 0, sizeof(*r));
	r->msg = *m;
	while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= len) {
		const void *d = (const char *)a + NLA_HDRLEN;
		int dlen = a->nla_len - NLA_HDRLEN;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type < 32) {
			if (r->has & (1U << type))
				r->bad = 1;	/* twice */
			r->has |= 1U << type;
		}
		switch (type) {
		case UNIX_DIAG_NAME:
			if (dlen > (int)sizeof(r->name))
				r->bad = 1;
			else
				memcpy(r->name, d, r->name_len = dlen);
			break;
		case UNIX_DIAG_VFS:
			if (dlen != sizeof(r->vfs))
				r->bad = 1;
			else
				memcpy(&r->vfs, d, dlen);
			break;
		case UNIX_DIAG_PEER:
			if (dlen != 4)
				r->bad = 1;
			else
				memcpy(&r->peer, d, 4);
			break;
		case UNIX_DIAG_ICONS:
			if (dlen % 4 || dlen > (int)sizeof(r->icons))
				r->bad = 1;
			else
				memcpy(r->icons, d, dlen);
			r->nicons = dlen / 4;
			break;
		case UNIX_DIAG_RQLEN:
			if (dlen != sizeof(r->rqlen))
				r->bad = 1;
			else
				memcpy(&r->rqlen, d, dlen);
			break;
		case UNIX_DIAG_MEMINFO:
			if (dlen > (int)sizeof(r->mem))
				r->bad = 1;
			else
				memcpy(r->mem, d, r->mem_len = dlen);
			break;
		case UNIX_DIAG_SHUTDOWN:
			if (dlen != 1)
				r->bad = 1;
			else
				r->shutdown = *(const uint8_t *)d;
			break;
		case UNIX_DIAG_UID:
			if (dlen != 4)
				r->bad = 1;
			else
				memcpy(&r->uid, d, 4);
			break;
		default:
			r->bad = 1;
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	if (len)
		r->bad = 1;
}

/*
 * A dump of @family's sockets in @states: the records into @recs (at most
 * @max), the number of reads it took into *@parts. Returns the number of
 * records, or -errno (the kernel's error, or -EBADMSG for a reply that
 * makes no sense).
 */
static int diag_dump_max(int nl, int family, uint32_t states, uint32_t show,
			 struct rec *recs, int max, int *parts)
{
	static const uint32_t nocookie[2] = { ~0U, ~0U };
	static char buf[65536];
	static struct rec scratch;
	int n = 0, err;
	ssize_t len;

	err = diag_send(nl, family, true, states, 0, nocookie, show);
	if (err)
		return err;
	for (*parts = 0;; ++*parts) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		len = recv(nl, buf, sizeof(buf), 0);
		if (len <= 0)
			return len ? -errno : -EBADMSG;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error ?: -EBADMSG;
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    !(h->nlmsg_flags & NLM_F_MULTI))
				return -EBADMSG;
			/* Past @max (other namespaces): counted only. */
			parse_rec(h, n < max ? &recs[n] : &scratch);
			n++;
		}
	}
}

static int diag_dump(int nl, int family, uint32_t states, uint32_t show,
		     struct rec *recs)
{
	int parts;

	return diag_dump_max(nl, family, states, show, recs, MAX_RECS, &parts);
}

/* An exact request: 0 and *r, or -errno. */
static int diag_get(int nl, int family, uint32_t ino, const uint32_t *cookie,
		    uint32_t show, struct rec *r)
{
	static char buf[16384];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	ssize_t len;
	int err;

	err = diag_send(nl, family, false, 0, ino, cookie, show);
	if (err)
		return err;
	len = recv(nl, buf, sizeof(buf), 0);
	if (len < 0)
		return -errno;
	if (!NLMSG_OK(h, len))
		return -EBADMSG;
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error ?: -EBADMSG;
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || (h->nlmsg_flags & NLM_F_MULTI))
		return -EBADMSG;
	parse_rec(h, r);
	/* Nothing else follows an exact reply. */
	if (NLMSG_NEXT(h, len) && NLMSG_OK(h, len))
		return -EBADMSG;
	return 0;
}

static uint32_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint32_t)st.st_ino;
}

static const struct rec *find(const struct rec *recs, int n, uint32_t ino)
{
	for (int i = 0; i < n && i < MAX_RECS; i++)
		if (recs[i].msg.udiag_ino == ino)
			return &recs[i];
	return NULL;
}

static int ioctl_int(int fd, unsigned long cmd)
{
	int v = -1;

	return ioctl(fd, cmd, &v) ? -errno : v;
}

/* A fresh network namespace for the test. */
#define NEW_NETNS() ASSERT_EQ(0, unshare(CLONE_NEWNET)) {		\
	TH_LOG("unshare(CLONE_NEWNET): %s (run as root)", strerror(errno)); \
}

/* Find @ino's record in @recs or fail the test. */
#define FIND(recs, n, ino) ({						\
	const struct rec *__r = find((recs), (n), (ino));		\
	ASSERT_NE(NULL, __r) {						\
		TH_LOG("inode %u not in the dump", (unsigned int)(ino)); \
	}								\
	ASSERT_EQ(0, __r->bad);						\
	__r; })

/* The kernel's dev_t (MKDEV) of what stat() reports as st_dev. */
static uint32_t kdev(dev_t dev)
{
	return (major(dev) << 20) | minor(dev);
}

/*
 * A listener with two connections waiting and one accepted, a datagram
 * pair, a path socket and an abstract one: every attribute of each, from
 * one dump with everything shown.
 */
TEST_F(diag, dump_attributes)
{
	static const char abs_name[] = "\0diag\0x";
	struct rec recs[MAX_RECS];
	const struct rec *r;
	char path[96], dpath[96];
	int nl, l, c1, c2, c3, s3, d1, d2, ab, n;
	struct sockaddr_un sun = { .sun_family = self->family };
	socklen_t len;
	struct stat st;

	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);

	TPATH(path, "listener");
	l = new_listener(self->family, path, 5);
	c1 = new_client(self->family, path);
	c2 = new_client(self->family, path);
	c3 = new_client(self->family, path);
	/* The first in the queue is c1's: accept it; c2 and c3 wait. */
	s3 = accept_ok(l);
	ASSERT_EQ(0, shutdown(c1, SHUT_WR));
	ASSERT_EQ(5, write(c3, "hello", 5));

	TPATH(dpath, "dgram");
	d1 = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, d1);
	ASSERT_EQ(0, bind_path(d1, self->family, dpath));
	d2 = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, connect_path(d2, self->family, dpath));
	ASSERT_EQ(3, send(d2, "abc", 3, 0));
	ASSERT_EQ(7, send(d2, "defghij", 7, 0));

	ab = socket(self->family, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, ab);
	memcpy(sun.sun_path, abs_name, sizeof(abs_name) - 1);
	ASSERT_EQ(0, bind(ab, (struct sockaddr *)&sun,
			  SUN_HDR + sizeof(abs_name) - 1));

	n = diag_dump(nl, self->family, ALL_STATES, SHOW_ALL, recs);
	/* 8 sockets with a file; the two embryos are not listed. */
	ASSERT_EQ(8, n);

	for (int i = 0; i < n; i++) {
		EXPECT_EQ(self->family, recs[i].msg.udiag_family);
		EXPECT_EQ(0, recs[i].bad);
		/* SHUTDOWN always, MEMINFO, RQLEN and UID as asked. */
		EXPECT_TRUE(HAS(&recs[i], UNIX_DIAG_SHUTDOWN));
		EXPECT_TRUE(HAS(&recs[i], UNIX_DIAG_RQLEN));
		EXPECT_TRUE(HAS(&recs[i], UNIX_DIAG_MEMINFO));
		EXPECT_TRUE(HAS(&recs[i], UNIX_DIAG_UID));
		EXPECT_EQ(getuid(), recs[i].uid);
		/* Two sockets never share a cookie. */
		for (int j = 0; j < i; j++)
			EXPECT_FALSE(recs[i].msg.udiag_cookie[0] == recs[j].msg.udiag_cookie[0] &&
				     recs[i].msg.udiag_cookie[1] == recs[j].msg.udiag_cookie[1]);
	}

	/* The listener: name, node, the waiting clients in queue order. */
	r = FIND(recs, n, ino_of(l));
	EXPECT_EQ(SOCK_STREAM, r->msg.udiag_type);
	EXPECT_EQ(TCP_LISTEN_, r->msg.udiag_state);
	len = sizeof(sun);
	ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&sun, &len));
	EXPECT_EQ((int)(len - SUN_HDR), r->name_len);
	EXPECT_EQ(0, memcmp(sun.sun_path, r->name, len - SUN_HDR));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(HAS(r, UNIX_DIAG_VFS));
	EXPECT_EQ((uint32_t)st.st_ino, r->vfs.udiag_vfs_ino);
	EXPECT_EQ(kdev(st.st_dev), r->vfs.udiag_vfs_dev);
	EXPECT_FALSE(HAS(r, UNIX_DIAG_PEER));
	EXPECT_TRUE(HAS(r, UNIX_DIAG_ICONS));
	EXPECT_EQ(2, r->nicons);
	EXPECT_EQ(ino_of(c2), r->icons[0]);
	EXPECT_EQ(ino_of(c3), r->icons[1]);
	EXPECT_EQ(2U, r->rqlen.udiag_rqueue);
	EXPECT_EQ(5U, r->rqlen.udiag_wqueue);
	EXPECT_EQ(0, r->shutdown);

	/* c1 and the accepted s3: each the other's peer; c1 shut SHUT_WR. */
	r = FIND(recs, n, ino_of(c1));
	EXPECT_EQ(TCP_ESTABLISHED_, r->msg.udiag_state);
	EXPECT_FALSE(HAS(r, UNIX_DIAG_NAME));
	EXPECT_FALSE(HAS(r, UNIX_DIAG_VFS));
	EXPECT_FALSE(HAS(r, UNIX_DIAG_ICONS));
	EXPECT_TRUE(HAS(r, UNIX_DIAG_PEER));
	EXPECT_EQ(ino_of(s3), r->peer);
	EXPECT_EQ(2 /* SEND_SHUTDOWN */, r->shutdown);
	EXPECT_EQ((uint32_t)ioctl_int(c1, SIOCINQ), r->rqlen.udiag_rqueue);
	EXPECT_EQ((uint32_t)ioctl_int(c1, SIOCOUTQ), r->rqlen.udiag_wqueue);

	r = FIND(recs, n, ino_of(s3));
	EXPECT_EQ(ino_of(c1), r->peer);
	EXPECT_EQ(1 /* RCV_SHUTDOWN */, r->shutdown);
	/* The accepted socket carries the listener's name and node. */
	EXPECT_EQ((int)(len - SUN_HDR), r->name_len);
	EXPECT_EQ(0, memcmp(sun.sun_path, r->name, len - SUN_HDR));
	EXPECT_TRUE(HAS(r, UNIX_DIAG_VFS));
	EXPECT_EQ((uint32_t)st.st_ino, r->vfs.udiag_vfs_ino);

	/* c3 wrote 5 bytes to its embryo: its own queue is empty. */
	r = FIND(recs, n, ino_of(c3));
	EXPECT_TRUE(HAS(r, UNIX_DIAG_PEER));
	EXPECT_EQ(0U, r->peer);		/* an embryo has no inode */
	EXPECT_EQ(0U, r->rqlen.udiag_rqueue);
	EXPECT_EQ((uint32_t)ioctl_int(c3, SIOCOUTQ), r->rqlen.udiag_wqueue);
	EXPECT_LT(0, ioctl_int(c3, SIOCOUTQ));

	/*
	 * The datagram server: queued messages, the next one's length. A
	 * socket connected to is TCP_ESTABLISHED too, without a peer.
	 */
	r = FIND(recs, n, ino_of(d1));
	EXPECT_EQ(SOCK_DGRAM, r->msg.udiag_type);
	EXPECT_EQ(TCP_ESTABLISHED_, r->msg.udiag_state);
	EXPECT_FALSE(HAS(r, UNIX_DIAG_PEER));
	EXPECT_EQ(3, ioctl_int(d1, SIOCINQ));
	EXPECT_EQ(3U, r->rqlen.udiag_rqueue);
	EXPECT_EQ(0U, r->rqlen.udiag_wqueue);
	ASSERT_EQ(0, stat(dpath, &st));
	EXPECT_EQ((uint32_t)st.st_ino, r->vfs.udiag_vfs_ino);

	r = FIND(recs, n, ino_of(d2));
	EXPECT_EQ(TCP_ESTABLISHED_, r->msg.udiag_state);
	EXPECT_EQ(ino_of(d1), r->peer);
	EXPECT_EQ((uint32_t)ioctl_int(d2, SIOCOUTQ), r->rqlen.udiag_wqueue);
	EXPECT_LT(0, ioctl_int(d2, SIOCOUTQ));
	EXPECT_FALSE(HAS(r, UNIX_DIAG_NAME));

	/* The abstract name, NULs and all, and no node. */
	r = FIND(recs, n, ino_of(ab));
	EXPECT_EQ(SOCK_SEQPACKET, r->msg.udiag_type);
	EXPECT_EQ((int)sizeof(abs_name) - 1, r->name_len);
	EXPECT_EQ(0, memcmp(abs_name, r->name, sizeof(abs_name) - 1));
	EXPECT_FALSE(HAS(r, UNIX_DIAG_VFS));

	/* Without udiag_show: only SHUTDOWN. */
	n = diag_dump(nl, self->family, ALL_STATES, 0, recs);
	ASSERT_EQ(8, n);
	for (int i = 0; i < n; i++)
		EXPECT_EQ(1U << UNIX_DIAG_SHUTDOWN, recs[i].has);

	close(nl);
}

/* udiag_states selects by TCP_* state, one bit each. */
TEST_F(diag, state_filter)
{
	struct rec recs[MAX_RECS];
	char path[96];
	int nl, l, c, s, u, sv[2], n;

	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);
	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	c = new_client(self->family, path);
	s = accept_ok(l);
	u = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, u);
	ASSERT_EQ(0, socketpair(self->family, SOCK_SEQPACKET, 0, sv));

	n = diag_dump(nl, self->family, 1U << TCP_LISTEN_, 0, recs);
	ASSERT_EQ(1, n);
	EXPECT_EQ(ino_of(l), recs[0].msg.udiag_ino);

	n = diag_dump(nl, self->family, 1U << TCP_CLOSE_, 0, recs);
	ASSERT_EQ(1, n);
	EXPECT_EQ(ino_of(u), recs[0].msg.udiag_ino);

	n = diag_dump(nl, self->family, 1U << TCP_ESTABLISHED_, 0, recs);
	ASSERT_EQ(4, n);
	EXPECT_NE(NULL, find(recs, n, ino_of(c)));
	EXPECT_NE(NULL, find(recs, n, ino_of(s)));
	EXPECT_NE(NULL, find(recs, n, ino_of(sv[0])));
	EXPECT_NE(NULL, find(recs, n, ino_of(sv[1])));

	n = diag_dump(nl, self->family,
		      (1U << TCP_LISTEN_) | (1U << TCP_CLOSE_), 0, recs);
	ASSERT_EQ(2, n);
	EXPECT_EQ(0, diag_dump(nl, self->family, 0, 0, recs));
	EXPECT_EQ(0, diag_dump(nl, self->family, 1U << 2 /* SYN_SENT */, 0,
			       recs));
	close(nl);
}

/* The error of a request with only the family and protocol bytes. */
static int short_request(int nl, int family)
{
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nlh;
		uint8_t fam, proto;
	} req = {
		.nlh = {
			.nlmsg_len = NLMSG_LENGTH(2),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST,
		},
		.fam = family,
	};
	char buf[1024];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	if (sendto(nl, &req, NLMSG_LENGTH(2), 0, (struct sockaddr *)&nladdr,
		   sizeof(nladdr)) != NLMSG_LENGTH(2) ||
	    recv(nl, buf, sizeof(buf), 0) < (ssize_t)NLMSG_LENGTH(4) ||
	    h->nlmsg_type != NLMSG_ERROR)
		return 1;
	return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

/*
 * An exact request by inode and cookie gives the dump's record; a wrong
 * cookie is ESTALE, no cookie (INET_DIAG_NOCOOKIE) matches, an unknown
 * inode is ENOENT, inode 0 EINVAL, and a short request EINVAL.
 */
TEST_F(diag, exact_and_cookie)
{
	static const uint32_t nocookie[2] = { ~0U, ~0U };
	struct rec recs[MAX_RECS], one;
	uint32_t cookie[2];
	char path[96];
	int nl, l, c1, c2, n;
	const struct rec *r;

	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);
	TPATH(path, "l");
	l = new_listener(self->family, path, 3);
	c1 = new_client(self->family, path);
	c2 = new_client(self->family, path);

	n = diag_dump(nl, self->family, ALL_STATES,
		      SHOW_ALL & ~UDIAG_SHOW_MEMINFO, recs);
	ASSERT_EQ(3, n);
	r = FIND(recs, n, ino_of(l));
	memcpy(cookie, r->msg.udiag_cookie, sizeof(cookie));

	ASSERT_EQ(0, diag_get(nl, self->family, ino_of(l), cookie,
			      SHOW_ALL & ~UDIAG_SHOW_MEMINFO, &one));
	EXPECT_EQ(0, memcmp(r, &one, sizeof(one)));
	EXPECT_EQ(2, one.nicons);
	EXPECT_EQ(ino_of(c1), one.icons[0]);
	EXPECT_EQ(ino_of(c2), one.icons[1]);

	ASSERT_EQ(0, diag_get(nl, self->family, ino_of(l), nocookie,
			      UDIAG_SHOW_NAME, &one));
	EXPECT_EQ(ino_of(l), one.msg.udiag_ino);
	EXPECT_EQ(0, memcmp(cookie, one.msg.udiag_cookie, sizeof(cookie)));
	EXPECT_EQ((1U << UNIX_DIAG_NAME) | (1U << UNIX_DIAG_SHUTDOWN), one.has);

	/* A client's record; the cookie of another socket does not fit. */
	ASSERT_EQ(-ESTALE, diag_get(nl, self->family, ino_of(c1), cookie, 0,
				    &one));
	cookie[0] ^= 1;
	ASSERT_EQ(-ESTALE, diag_get(nl, self->family, ino_of(l), cookie, 0,
				    &one));
	ASSERT_EQ(-ENOENT, diag_get(nl, self->family, ino_of(nl), nocookie, 0,
				    &one));
	ASSERT_EQ(-EINVAL, diag_get(nl, self->family, 0, nocookie, 0, &one));

	/* A closed socket is gone at once. */
	n = ino_of(c2);
	close(c2);
	ASSERT_EQ(-ENOENT, diag_get(nl, self->family, n, nocookie, 0, &one));

	/* A request shorter than struct unix_diag_req. */
	EXPECT_EQ(-EINVAL, short_request(nl, self->family));
	close(nl);
}

/*
 * Only the requester's network namespace: a diag socket opened before
 * the unshare neither lists nor finds the new sockets.
 */
TEST_F(diag, other_netns)
{
	static const uint32_t nocookie[2] = { ~0U, ~0U };
	struct rec recs[MAX_RECS], one;
	int old, nl, fd, n;

	old = diag_open();
	ASSERT_LE(0, old);
	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);
	fd = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, diag_get(nl, self->family, ino_of(fd), nocookie, 0, &one));
	EXPECT_EQ(ino_of(fd), one.msg.udiag_ino);
	ASSERT_EQ(-ENOENT, diag_get(old, self->family, ino_of(fd), nocookie, 0,
				    &one));
	n = diag_dump(old, self->family, ALL_STATES, 0, recs);
	ASSERT_LE(0, n);
	EXPECT_EQ(NULL, find(recs, n, ino_of(fd)));
	n = diag_dump(nl, self->family, ALL_STATES, 0, recs);
	ASSERT_EQ(1, n);
	close(fd);
	close(nl);
	close(old);
}

/*
 * No privilege is needed, and UID is the socket's owner: a socket made
 * by nobody, listed by nobody, shows 65534.
 */
TEST_F(diag, uid_and_unprivileged)
{
	struct rec recs[MAX_RECS];
	uid_t me = getuid();
	int nl, fd, p[2], n;
	pid_t pid;
	char c;

	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);
	fd = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rec crecs[MAX_RECS];
		int cfd, cnl, cn, bad = 0;

		close(p[0]);
		if (drop_to_nobody())
			_exit(2);
		cfd = socket(self->family, SOCK_DGRAM, 0);
		cnl = diag_open();
		if (cfd < 0 || cnl < 0)
			_exit(3);
		cn = diag_dump(cnl, self->family, ALL_STATES, UDIAG_SHOW_UID,
			       crecs);
		if (cn != 2)
			_exit(4);
		for (int i = 0; i < cn; i++)
			if (crecs[i].uid != (crecs[i].msg.udiag_ino == ino_of(cfd) ?
					     NOBODY_ID : me))
				bad = 1;
		if (bad)
			_exit(5);
		/* Ready: the parent looks now; wait for it to close. */
		if (write(p[1], "x", 1) != 1)
			_exit(6);
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	n = diag_dump(nl, self->family, ALL_STATES, UDIAG_SHOW_UID, recs);
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, wait_child(pid));
	ASSERT_EQ(2, n);
	for (int i = 0; i < n; i++) {
		if (recs[i].msg.udiag_ino == ino_of(fd)) {
			EXPECT_EQ(me, recs[i].uid);
		} else {
			EXPECT_EQ((uint32_t)NOBODY_ID, recs[i].uid);
		}
	}
	close(nl);
}

/*
 * MEMINFO: SO_RCVBUF, SO_SNDBUF and SIOCOUTQ exactly; the rest, and the
 * attribute's size, as AF_UNIX's handler reports them for a twin AF_UNIX
 * pair with the same data queued.
 */
static int meminfo_of(int nl, int family, int fd, struct rec *r)
{
	static const uint32_t nocookie[2] = { ~0U, ~0U };

	return diag_get(nl, family, ino_of(fd), nocookie, UDIAG_SHOW_MEMINFO, r);
}

TEST_F(diag, meminfo)
{
	static char data[1000];
	int nl, sv[2], tw[2], fds[4], twins[4];
	struct rec r, t;

	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);
	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, tw));
	ASSERT_EQ(1000, write(sv[0], data, 1000));
	ASSERT_EQ(1000, write(tw[0], data, 1000));
	ASSERT_EQ(0, set_int_opt(sv[1], SOL_SOCKET, SO_SNDBUF, 20000));
	ASSERT_EQ(0, set_int_opt(tw[1], SOL_SOCKET, SO_SNDBUF, 20000));
	fds[0] = sv[0];
	fds[1] = sv[1];
	twins[0] = tw[0];
	twins[1] = tw[1];
	ASSERT_EQ(0, socketpair(self->family, SOCK_DGRAM, 0, sv));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, tw));
	ASSERT_EQ(100, send(sv[1], data, 100, 0));
	ASSERT_EQ(100, send(tw[1], data, 100, 0));
	fds[2] = sv[0];
	fds[3] = sv[1];
	twins[2] = tw[0];
	twins[3] = tw[1];

	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, meminfo_of(nl, self->family, fds[i], &r));
		ASSERT_EQ(0, meminfo_of(nl, AF_UNIX, twins[i], &t));
		ASSERT_EQ(0, r.bad);
		ASSERT_TRUE(HAS(&r, UNIX_DIAG_MEMINFO));
		ASSERT_EQ(t.mem_len, r.mem_len);
		ASSERT_LE((int)(SK_MEMINFO_VARS * 4), r.mem_len);
		EXPECT_EQ((uint32_t)get_int_opt(fds[i], SOL_SOCKET, SO_RCVBUF),
			  r.mem[SK_MEMINFO_RCVBUF]);
		EXPECT_EQ((uint32_t)get_int_opt(fds[i], SOL_SOCKET, SO_SNDBUF),
			  r.mem[SK_MEMINFO_SNDBUF]);
		EXPECT_EQ((uint32_t)ioctl_int(fds[i], SIOCOUTQ),
			  r.mem[SK_MEMINFO_WMEM_ALLOC]);
		/* The writers (0: stream, 3: dgram) hold their data. */
		if (i == 0 || i == 3) {
			EXPECT_LT(100U, r.mem[SK_MEMINFO_WMEM_ALLOC]);
		}
		for (int k = 0; k < r.mem_len / 4; k++) {
			EXPECT_EQ(t.mem[k], r.mem[k]) {
				TH_LOG("socket %d, meminfo[%d]", i, k);
			}
		}
	}
	close(nl);
}

/*
 * A dump larger than one reply comes in parts, each resuming where the
 * last stopped: every socket exactly once, with its own attributes.
 */
#define MANY_PAIRS	300

TEST_F(diag, dump_in_parts)
{
	static struct rec recs[2 * MANY_PAIRS + 8];
	static int fds[2 * MANY_PAIRS];
	static uint32_t inos[2 * MANY_PAIRS];
	int nl, n, parts;

	NEW_NETNS();
	nl = diag_open();
	ASSERT_LE(0, nl);
	for (int i = 0; i < MANY_PAIRS; i++) {
		ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0,
					&fds[2 * i]));
		inos[2 * i] = ino_of(fds[2 * i]);
		inos[2 * i + 1] = ino_of(fds[2 * i + 1]);
	}

	n = diag_dump_max(nl, self->family, ALL_STATES, SHOW_ALL, recs,
			  2 * MANY_PAIRS + 8, &parts);
	ASSERT_EQ(2 * MANY_PAIRS, n);
	EXPECT_LT(1, parts);
	for (int i = 0; i < 2 * MANY_PAIRS; i++) {
		int seen = 0;
		const struct rec *r = NULL;

		for (int j = 0; j < n; j++)
			if (recs[j].msg.udiag_ino == inos[i]) {
				seen++;
				r = &recs[j];
			}
		ASSERT_EQ(1, seen) {
			TH_LOG("inode %u listed %d times", inos[i], seen);
		}
		ASSERT_EQ(0, r->bad);
		EXPECT_EQ(inos[i ^ 1], r->peer);
	}
	for (int i = 0; i < 2 * MANY_PAIRS; i++)
		close(fds[i]);
	close(nl);
}

TEST_HARNESS_MAIN
