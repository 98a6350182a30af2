// SPDX-License-Identifier: GPL-2.0
/*
 * punix: sock_diag for the punix family.
 *
 * NETLINK_SOCK_DIAG requests of family punix_family speak unix_diag's
 * language (<linux/unix_diag.h>): struct unix_diag_req in, one struct
 * unix_diag_msg per socket out, with udiag_family = punix_family and
 * these attributes, each present as unix_diag sends it:
 *
 *   UNIX_DIAG_NAME	UDIAG_SHOW_NAME, bound sockets: sun_path bytes,
 *			addr_len - 2 of them (a path's NUL included)
 *   UNIX_DIAG_VFS	UDIAG_SHOW_VFS, path sockets: inode and device
 *			(kernel dev_t) of the socket file
 *   UNIX_DIAG_PEER	UDIAG_SHOW_PEER, sockets with a peer: its inode
 *			(0 while the peer is an embryo)
 *   UNIX_DIAG_ICONS	UDIAG_SHOW_ICONS, listeners: for each queued
 *			connection, in queue order, the client's inode
 *   UNIX_DIAG_RQLEN	UDIAG_SHOW_RQLEN: listeners {queued connections,
 *			backlog}, others {SIOCINQ, SIOCOUTQ}
 *   UNIX_DIAG_MEMINFO	UDIAG_SHOW_MEMINFO: sock_diag_put_meminfo()
 *   UNIX_DIAG_SHUTDOWN	always: sk_shutdown
 *   UNIX_DIAG_UID	UDIAG_SHOW_UID: the owner's uid in the requester's
 *			user namespace
 *
 * A dump lists the sockets of the requesting netlink socket's network
 * namespace whose TCP_* state has its bit set in udiag_states, embryos
 * (inode 0) excepted. An exact request names a socket by udiag_ino (0 is
 * EINVAL, unknown ENOENT) in that namespace and udiag_cookie (ESTALE on a
 * mismatch, unless it is INET_DIAG_NOCOOKIE). As unix_diag, no capability
 * is asked for: anyone may list the sockets of their namespace. SOCK_DESTROY
 * is not offered (EOPNOTSUPP from the sock_diag core).
 */

#include <linux/module.h>
#include <linux/sock_diag.h>
#include <linux/uidgid.h>
#include <linux/unix_diag.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include <uapi/linux/punix.h>

#include "punix.h"

static int punix_diag_put_name(struct sock *sk, struct sk_buff *nlskb)
{
	struct punix_address *addr = punix_get_addr(sk);

	if (!addr)
		return 0;

	return nla_put(nlskb, UNIX_DIAG_NAME,
		       addr->len - offsetof(struct sockaddr_un, sun_path),
		       addr->name.sun_path);
}

static int punix_diag_put_vfs(struct sock *sk, struct sk_buff *nlskb)
{
	struct unix_diag_vfs uv;
	struct dentry *dentry = NULL;

	/*
	 * The path is set before the name is published, and cleared under
	 * the state lock by release.
	 */
	punix_state_lock(sk);
	if (punix_get_addr(sk))
		dentry = punix_sk(sk)->path.dentry;
	if (dentry) {
		uv.udiag_vfs_ino = d_backing_inode(dentry)->i_ino;
		uv.udiag_vfs_dev = dentry->d_sb->s_dev;
	}
	punix_state_unlock(sk);

	if (!dentry)
		return 0;
	return nla_put(nlskb, UNIX_DIAG_VFS, sizeof(uv), &uv);
}

static int punix_diag_put_peer(struct sock *sk, struct sk_buff *nlskb)
{
	struct sock *peer = punix_peer_get(sk);
	u32 ino;

	if (!peer)
		return 0;

	ino = sock_i_ino(peer);
	sock_put(peer);
	return nla_put_u32(nlskb, UNIX_DIAG_PEER, ino);
}

/*
 * A listener's queued connections. The queue lock keeps each embryo
 * queued, hence unreleased, and an embryo's peer is set before it is
 * queued and cleared only by its release: the client stays referenced.
 */
static int punix_diag_put_icons(struct sock *sk, struct sk_buff *nlskb)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct nlattr *attr;
	struct sk_buff *skb;
	struct sock *client;
	u32 *ino;

	if (READ_ONCE(sk->sk_state) != TCP_LISTEN)
		return 0;

	spin_lock(&q->lock);
	attr = nla_reserve(nlskb, UNIX_DIAG_ICONS,
			   skb_queue_len(q) * sizeof(u32));
	if (!attr) {
		spin_unlock(&q->lock);
		return -EMSGSIZE;
	}

	ino = nla_data(attr);
	skb_queue_walk(q, skb) {
		client = READ_ONCE(punix_sk(skb->sk)->peer);
		*ino++ = client ? sock_i_ino(client) : 0;
	}
	spin_unlock(&q->lock);
	return 0;
}

static int punix_diag_put_rqlen(struct sock *sk, struct sk_buff *nlskb)
{
	struct unix_diag_rqlen rql;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN) {
		rql.udiag_rqueue = skb_queue_len_lockless(&sk->sk_receive_queue);
		rql.udiag_wqueue = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		rql.udiag_rqueue = (u32)punix_inq_len(sk);
		rql.udiag_wqueue = (u32)sk_wmem_alloc_get(sk);
	}

	return nla_put(nlskb, UNIX_DIAG_RQLEN, sizeof(rql), &rql);
}

static int punix_diag_put_uid(struct sock *sk, struct sk_buff *nlskb,
			      struct user_namespace *user_ns)
{
	uid_t uid = from_kuid_munged(user_ns, sock_i_uid(sk));

	return nla_put(nlskb, UNIX_DIAG_UID, sizeof(uid), &uid);
}

/* One struct unix_diag_msg and its attributes for @sk, or -EMSGSIZE. */
static int punix_diag_fill(struct sock *sk, struct sk_buff *skb,
			   const struct unix_diag_req *req,
			   struct user_namespace *user_ns, u32 portid,
			   u32 seq, u16 flags, unsigned long ino)
{
	u32 show = req->udiag_show;
	struct unix_diag_msg *rep;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, portid, seq, SOCK_DIAG_BY_FAMILY, sizeof(*rep),
			flags);
	if (!nlh)
		return -EMSGSIZE;

	rep = nlmsg_data(nlh);
	rep->udiag_family = punix_family;
	rep->udiag_type = sk->sk_type;
	rep->udiag_state = READ_ONCE(sk->sk_state);
	rep->pad = 0;
	rep->udiag_ino = ino;
	sock_diag_save_cookie(sk, rep->udiag_cookie);

	if (((show & UDIAG_SHOW_NAME) && punix_diag_put_name(sk, skb)) ||
	    ((show & UDIAG_SHOW_VFS) && punix_diag_put_vfs(sk, skb)) ||
	    ((show & UDIAG_SHOW_PEER) && punix_diag_put_peer(sk, skb)) ||
	    ((show & UDIAG_SHOW_ICONS) && punix_diag_put_icons(sk, skb)) ||
	    ((show & UDIAG_SHOW_RQLEN) && punix_diag_put_rqlen(sk, skb)) ||
	    ((show & UDIAG_SHOW_MEMINFO) &&
	     sock_diag_put_meminfo(sk, skb, UNIX_DIAG_MEMINFO)) ||
	    nla_put_u8(skb, UNIX_DIAG_SHUTDOWN, READ_ONCE(sk->sk_shutdown)) ||
	    ((show & UDIAG_SHOW_UID) && punix_diag_put_uid(sk, skb, user_ns))) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}

	nlmsg_end(skb, nlh);
	return 0;
}

/*
 * One part of a dump: the sockets from position cb->args[0] of the
 * namespace's list on, as many as fit in @skb.
 */
static int punix_diag_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct punix_net *pn = punix_net(sock_net(skb->sk));
	const struct unix_diag_req *req = nlmsg_data(cb->nlh);
	unsigned long pos = 0, start = cb->args[0];
	unsigned long ino;
	struct sock *sk;

	spin_lock(&pn->lock);
	sk_for_each_bound(sk, &pn->socks) {
		if (pos++ < start)
			continue;
		if (!(req->udiag_states & (1U << READ_ONCE(sk->sk_state))))
			continue;
		ino = sock_i_ino(sk);
		if (!ino)
			continue;	/* embryos are not listed */
		if (punix_diag_fill(sk, skb, req, sk_user_ns(skb->sk),
				    NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, ino) < 0) {
			pos--;	/* this one goes first into the next part */
			break;
		}
	}
	spin_unlock(&pn->lock);

	cb->args[0] = pos;
	return skb->len;
}

/* The socket of @net whose inode is @ino, with a reference, or NULL. */
static struct sock *punix_diag_lookup(struct net *net, unsigned long ino)
{
	struct punix_net *pn = punix_net(net);
	struct sock *sk, *found = NULL;

	spin_lock(&pn->lock);
	sk_for_each_bound(sk, &pn->socks) {
		if (sock_i_ino(sk) == ino) {
			found = sk;
			sock_hold(found);
			break;
		}
	}
	spin_unlock(&pn->lock);
	return found;
}

static int punix_diag_get_exact(struct sk_buff *in_skb,
				const struct nlmsghdr *nlh,
				const struct unix_diag_req *req)
{
	struct net *net = sock_net(in_skb->sk);
	unsigned int room = 256;
	struct sk_buff *rep;
	struct sock *sk;
	int err;

	if (!req->udiag_ino)
		return -EINVAL;

	sk = punix_diag_lookup(net, req->udiag_ino);
	if (!sk)
		return -ENOENT;

	err = sock_diag_check_cookie(sk, req->udiag_cookie);
	if (err)
		goto out;

	/* As unix_diag: grow the reply until it fits, up to a page. */
	for (;;) {
		err = -ENOMEM;
		rep = nlmsg_new(sizeof(struct unix_diag_msg) + room,
				GFP_KERNEL);
		if (!rep)
			goto out;

		err = punix_diag_fill(sk, rep, req,
				      sk_user_ns(NETLINK_CB(in_skb).sk),
				      NETLINK_CB(in_skb).portid,
				      nlh->nlmsg_seq, 0, req->udiag_ino);
		if (!err)
			break;
		nlmsg_free(rep);
		room += 256;
		if (room >= PAGE_SIZE)
			goto out;
	}

	err = nlmsg_unicast(net->diag_nlsk, rep, NETLINK_CB(in_skb).portid);
out:
	sock_put(sk);
	return err;
}

static int punix_diag_handler_dump(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	int hdrlen = sizeof(struct unix_diag_req);
	struct netlink_dump_control c = {
		.dump = punix_diag_dump,
	};

	if (nlmsg_len(nlh) < hdrlen)
		return -EINVAL;

	if (nlh->nlmsg_flags & NLM_F_DUMP)
		return netlink_dump_start(sock_net(skb->sk)->diag_nlsk, skb, nlh,
					  &c);

	return punix_diag_get_exact(skb, nlh, nlmsg_data(nlh));
}

/* The family is the module parameter's: filled in by punix_diag_init(). */
static struct sock_diag_handler punix_diag_handler __ro_after_init = {
	PUNIX_DIAG_OWNER
	.dump	= punix_diag_handler_dump,
};

int __init punix_diag_init(void)
{
	punix_diag_handler.family = punix_family;
	return sock_diag_register(&punix_diag_handler);
}

void punix_diag_exit(void)
{
	sock_diag_unregister(&punix_diag_handler);
}
