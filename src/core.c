// SPDX-License-Identifier: GPL-2.0
/*
 * punix: a parallel UNIX-domain socket family.
 *
 * Core: the family registration, socket creation and release, and the
 * operations every socket type shares (names, shutdown, ioctl, credentials).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <net/sock.h>

#include <uapi/linux/punix.h>

#include "punix.h"

int punix_family = PUNIX_FAMILY_DEFAULT;
module_param_named(family, punix_family, int, 0444);
MODULE_PARM_DESC(family, "Address family number to register (default "
		 __stringify(PUNIX_FAMILY_DEFAULT) ", the unused AF_WANPIPE slot)");

/* As AF_UNIX: one proto for stream sockets, one for message sockets. */
/*
 * Socks of the family alive in the whole system, embryos included. As
 * af_unix's unix_nr_socks: making one more than twice the file table's
 * size (fs.file-max) fails with ENFILE. Atomic, no lock.
 */
static atomic_long_t punix_nr_socks;

static struct proto punix_stream_proto = {
	.name		= "PUNIX-STREAM",
	.owner		= THIS_MODULE,
	.obj_size	= PUNIX_SOCK_SIZE,
	.slab_flags	= SLAB_TYPESAFE_BY_RCU,	/* addr.c */
};

static struct proto punix_dgram_proto = {
	.name		= "PUNIX",
	.owner		= THIS_MODULE,
	.obj_size	= PUNIX_SOCK_SIZE,
	.slab_flags	= SLAB_TYPESAFE_BY_RCU,	/* addr.c */
};

bool punix_writable(const struct sock *sk, unsigned char state)
{
	return state != TCP_LISTEN &&
	       (refcount_read(&sk->sk_wmem_alloc) << 2) <= READ_ONCE(sk->sk_sndbuf);
}

/*
 * A stream writer that sleeps in sendmsg() for room (it set SOCK_NOSPACE,
 * sock_alloc_send_pskb()) takes any room, not only what makes the socket
 * writable for poll(): it is woken once half the send buffer is free, so
 * that it queues more before its reader has emptied the queue (with the
 * poll() threshold of three quarters, reader and writer would take turns
 * sleeping). Once: it sets the bit again if it sleeps again. poll() and
 * POLLOUT are unchanged (punix_writable()); a poller woken here finds the
 * socket not writable and sleeps on.
 */
static bool punix_writer_waits(struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);

	return sk->sk_type == SOCK_STREAM && sock &&
	       (refcount_read(&sk->sk_wmem_alloc) << 1) <=
	       READ_ONCE(sk->sk_sndbuf) &&
	       test_and_clear_bit(SOCK_NOSPACE, &sock->flags);
}

static void punix_write_space(struct sock *sk)
{
	struct socket_wq *wq;
	bool writable;

	/* The socket (sk_socket) is freed after an RCU grace period. */
	rcu_read_lock();
	writable = punix_writable(sk, READ_ONCE(sk->sk_state));
	if (writable || punix_writer_waits(sk)) {
		wq = rcu_dereference(sk->sk_wq);
		if (skwq_has_sleeper(wq))
			wake_up_interruptible_sync_poll(&wq->wait, EPOLLOUT |
							EPOLLWRNORM | EPOLLWRBAND);
		if (writable)
			sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	}
	rcu_read_unlock();
}

/*
 * Runs when the last reference goes. The memory is then freed at once,
 * but lockless address lookups may still read it (SLAB_TYPESAFE_BY_RCU,
 * addr.c). Release has emptied the receive queue by then (no sender
 * queues to a SOCK_DEAD socket), so the purge frees nothing that carries
 * files.
 */
static void punix_sock_destruct(struct sock *sk)
{
	struct punix_sock *u = punix_sk(sk);

	skb_queue_purge(&sk->sk_receive_queue);
	punix_vertex_free(sk);

	WARN_ON_ONCE(refcount_read(&sk->sk_wmem_alloc));
	WARN_ON_ONCE(!hlist_unhashed(&sk->sk_bind_node));
	WARN_ON_ONCE(sk->sk_socket);
	if (WARN_ON_ONCE(!sock_flag(sk, SOCK_DEAD)))
		return;

	if (u->addr)
		punix_addr_put(u->addr);

	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	atomic_long_dec(&punix_nr_socks);
}

#ifdef CONFIG_PROVE_LOCKING
/*
 * The order of two state locks held at once (see struct punix_sock), for
 * lockdep, which calls this when a state lock is taken while another is
 * held (@a): < 0 if that order is allowed. connect() locks the listener
 * first; the connecting socket may meanwhile have become a listener too,
 * but then its connect() fails. Datagram sockets go by address.
 */
static int punix_state_lock_cmp_fn(const struct lockdep_map *a,
				   const struct lockdep_map *b)
{
	const struct punix_sock *ua, *ub;

	ua = container_of(a, struct punix_sock, lock.dep_map);
	ub = container_of(b, struct punix_sock, lock.dep_map);

	if (READ_ONCE(ua->sk.sk_state) == TCP_LISTEN)
		return -1;
	if (READ_ONCE(ub->sk.sk_state) == TCP_LISTEN)
		return 1;
	return ua < ub ? -1 : ua > ub;
}
#endif

/*
 * List @sk in its namespace (see struct punix_net). The list holds a
 * reference, as af_unix's table does: RefCount in /proc/net/punix counts
 * it, as /proc/net/unix does.
 */
static void punix_net_add(struct sock *sk)
{
	struct punix_net *pn = punix_net(sock_net(sk));

	/* Kept: release finds the list without net_generic()'s RCU section. */
	punix_sk(sk)->pnet = pn;
	sock_hold(sk);
	spin_lock(&pn->lock);
	sk_add_bind_node(sk, &pn->socks);
	spin_unlock(&pn->lock);
}

/* Called by release, whose caller still holds its own reference. */
static void punix_net_remove(struct sock *sk)
{
	struct punix_net *pn = punix_sk(sk)->pnet;

	spin_lock(&pn->lock);
	hlist_del_init(&sk->sk_bind_node);
	spin_unlock(&pn->lock);
	__sock_put(sk);
}

/*
 * Allocate and initialise a punix sock. @sock is NULL for the embryo that
 * connect() creates on behalf of the listener.
 */
struct sock *punix_sock_alloc(struct net *net, struct socket *sock, int kern,
			      int type)
{
	struct punix_sock *u;
	struct sock *sk;

	atomic_long_inc(&punix_nr_socks);
	if (atomic_long_read(&punix_nr_socks) > 2 * get_max_files()) {
		atomic_long_dec(&punix_nr_socks);
		return ERR_PTR(-ENFILE);
	}

	sk = sk_alloc(net, punix_family, GFP_KERNEL,
		      type == SOCK_STREAM ? &punix_stream_proto :
					    &punix_dgram_proto, kern);
	if (!sk) {
		atomic_long_dec(&punix_nr_socks);
		return ERR_PTR(-ENOMEM);
	}

	sock_init_data(sock, sk);

	sk->sk_type		= type;
	sk->sk_allocation	= GFP_KERNEL_ACCOUNT;
	sk->sk_write_space	= punix_write_space;
	/* As AF_UNIX: the namespace's net.unix.max_dgram_qlen. */
	sk->sk_max_ack_backlog	= READ_ONCE(net->unx.sysctl_max_dgram_qlen);
	sk->sk_destruct		= punix_sock_destruct;

	u = punix_sk(sk);
	u->addr = NULL;
	u->path.dentry = NULL;
	u->path.mnt = NULL;
	u->peer = NULL;
	u->oob_skb = NULL;
	spin_lock_init(&u->lock);
	lock_set_cmp_fn(&u->lock, punix_state_lock_cmp_fn, NULL);
	mutex_init(&u->iolock);
	mutex_init(&u->bindlock);
	/* also the queue of senders waiting for room (punix_sock) */
	init_waitqueue_head(&u->peer_wq.wait);
	init_waitqueue_func_entry(&u->peer_wake, punix_peer_wake_relay);
	/* table_key: cleared by sk_alloc() (addr.c) */
	atomic_set(&u->scm_fds, 0);
	/* vertex: cleared by sk_alloc() too, set by gc.c */

	sock_prot_inuse_add(net, sk->sk_prot, 1);
	punix_net_add(sk);
	return sk;
}

static int punix_create(struct net *net, struct socket *sock, int protocol,
			int kern)
{
	struct sock *sk;

	/*
	 * AF_UNIX takes 0 or its own number, PF_UNIX; punix takes its own
	 * number too, and PF_UNIX so that ported code runs unchanged.
	 */
	if (protocol && protocol != PF_UNIX && protocol != punix_family)
		return -EPROTONOSUPPORT;

	sock->state = SS_UNCONNECTED;

	switch (sock->type) {
	case SOCK_STREAM:
		sock->ops = &punix_stream_ops;
		break;
	case SOCK_RAW:
		/* As AF_UNIX: a raw socket is a datagram socket. */
		sock->type = SOCK_DGRAM;
		fallthrough;
	case SOCK_DGRAM:
		sock->ops = &punix_dgram_ops;
		break;
	case SOCK_SEQPACKET:
		sock->ops = &punix_seqpacket_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}

	sk = punix_sock_alloc(net, sock, kern, sock->type);
	return PTR_ERR_OR_ZERO(sk);
}

/*
 * Tear a sock down: unhash it, tell its peer, and drop what it holds. The
 * sock itself goes when its last reference does. @embryo is true for a
 * connection that was never accepted: its peer sees ECONNRESET.
 */
void punix_release_sock(struct sock *sk, bool embryo)
{
	struct punix_sock *u = punix_sk(sk);
	struct sk_buff *skb;
	struct sock *peer;
	struct path path;
	int state;

	punix_net_remove(sk);
	punix_table_remove(sk);

	punix_state_lock(sk);
	sock_orphan(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	path = u->path;
	u->path.dentry = NULL;
	u->path.mnt = NULL;
	state = sk->sk_state;
	WRITE_ONCE(sk->sk_state, TCP_CLOSE);
	peer = u->peer;
	WRITE_ONCE(u->peer, NULL);
	punix_state_unlock(sk);

	/*
	 * A sender sets oob_skb only under our state lock and only while we
	 * are not SOCK_DEAD (oob.c): none sets it from here on, so NULL
	 * stays NULL, and the queue lock is needed only to clear it.
	 */
	if (READ_ONCE(u->oob_skb)) {
		spin_lock(&sk->sk_receive_queue.lock);
		WRITE_ONCE(u->oob_skb, NULL);
		spin_unlock(&sk->sk_receive_queue.lock);
	}

	/*
	 * Connectors waiting for room and datagram senders hooked on us
	 * (dgram.c) look for SOCK_DEAD after they are on the queue, with a
	 * full barrier between; wq_has_sleeper()'s pairs with it.
	 */
	if (wq_has_sleeper(&u->peer_wq.wait))
		wake_up_interruptible_all(&u->peer_wq.wait);

	if (peer) {
		/* A connection ends for both sides; a datagram peer stays. */
		if (sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET) {
			struct sk_buff_head *q = &sk->sk_receive_queue;
			bool unread;

			/* An empty skb at the head is not unread data: an OOB
			 * byte read with MSG_OOB, an empty seqpacket record.
			 */
			spin_lock(&q->lock);
			skb = skb_peek(q);
			if (skb && !punix_skb_len(skb))
				skb = skb_peek_next(skb, q);
			unread = skb;
			spin_unlock(&q->lock);

			punix_state_lock(peer);
			WRITE_ONCE(peer->sk_shutdown, SHUTDOWN_MASK);
			if (unread || embryo)
				WRITE_ONCE(peer->sk_err, ECONNRESET);
			punix_state_unlock(peer);
			peer->sk_state_change(peer);
			sk_wake_async(peer, SOCK_WAKE_WAITD, POLL_HUP);
		}
		punix_peer_wake_disconnect(sk, peer);
		sock_put(peer);
	}

	/* A listener's queue holds embryos: reset each connection. */
	while ((skb = skb_dequeue(&sk->sk_receive_queue)) != NULL) {
		if (state == TCP_LISTEN)
			punix_release_sock(skb->sk, true);
		kfree_skb(skb);
	}

	if (path.dentry)
		path_put(&path);

	sock_put(sk);

	/* As af_unix: a cycle may just have lost its last outside user. */
	punix_gc_on_release();
}

int punix_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	punix_release_sock(sk, false);
	sock->sk = NULL;
	return 0;
}

bool punix_recvq_full(const struct sock *sk)
{
	return skb_queue_len_lockless(&sk->sk_receive_queue) >
	       READ_ONCE(sk->sk_max_ack_backlog);
}

/*
 * Sleep until @other's receive queue has room, @other goes away, or @timeo
 * runs out: connect() on a full listener, send() to a full datagram socket.
 * Called with @other's state lock held; returns with it released.
 */
long punix_wait_for_peer(struct sock *other, long timeo)
	__releases(&punix_sk(other)->lock)
{
	struct punix_sock *u = punix_sk(other);
	bool sleep;
	DEFINE_WAIT(wait);

	lockdep_assert_held(&u->lock);
	prepare_to_wait_exclusive(&u->peer_wq.wait, &wait,
				  TASK_INTERRUPTIBLE);
	sleep = !sock_flag(other, SOCK_DEAD) &&
		!(other->sk_shutdown & RCV_SHUTDOWN) &&
		punix_recvq_full(other);
	punix_state_unlock(other);

	if (sleep)
		timeo = schedule_timeout(timeo);

	finish_wait(&u->peer_wq.wait, &wait);
	return timeo;
}

/* Connect two new sockets of any type back to back. */
int punix_socketpair(struct socket *socka, struct socket *sockb)
{
	struct sock *ska = socka->sk, *skb = sockb->sk;

	sock_hold(ska);
	sock_hold(skb);
	punix_sk(ska)->peer = skb;
	punix_sk(skb)->peer = ska;
	punix_init_peercred(ska);
	punix_init_peercred(skb);

	ska->sk_state = TCP_ESTABLISHED;
	skb->sk_state = TCP_ESTABLISHED;
	socka->state = SS_CONNECTED;
	sockb->state = SS_CONNECTED;
	return 0;
}

int punix_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_un *, sunaddr, uaddr);
	struct punix_address *addr;
	struct sock *sk = sock->sk;
	int len;

	if (peer) {
		sk = punix_peer_get(sk);
		if (!sk)
			return -ENOTCONN;
	} else {
		sock_hold(sk);
	}

	addr = punix_get_addr(sk);
	if (addr) {
		len = addr->len;
		memcpy(sunaddr, &addr->name, len);
	} else {
		sunaddr->sun_family = punix_family;
		sunaddr->sun_path[0] = 0;
		len = offsetof(struct sockaddr_un, sun_path);
	}

	sock_put(sk);
	return len;
}

int punix_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct sock *peer;
	int mode, peer_mode = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;

	/* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN, SHUT_RDWR -> both */
	mode = how + 1;

	punix_state_lock(sk);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mode);
	peer = punix_sk(sk)->peer;
	if (peer)
		sock_hold(peer);
	punix_state_unlock(sk);
	sk->sk_state_change(sk);

	if (!peer)
		return 0;

	if (sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET) {
		if (mode & RCV_SHUTDOWN)
			peer_mode |= SEND_SHUTDOWN;
		if (mode & SEND_SHUTDOWN)
			peer_mode |= RCV_SHUTDOWN;

		punix_state_lock(peer);
		WRITE_ONCE(peer->sk_shutdown, peer->sk_shutdown | peer_mode);
		punix_state_unlock(peer);
		peer->sk_state_change(peer);
		if (peer_mode == SHUTDOWN_MASK)
			sk_wake_async(peer, SOCK_WAKE_WAITD, POLL_HUP);
		else if (peer_mode & RCV_SHUTDOWN)
			sk_wake_async(peer, SOCK_WAKE_WAITD, POLL_IN);
	}
	sock_put(peer);
	return 0;
}

/*
 * Bytes waiting to be read: the whole queue for connection sockets, the
 * next message for datagram sockets.
 */
long punix_inq_len(struct sock *sk)
{
	struct sk_buff *skb;
	long amount = 0;

	if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
		return -EINVAL;

	spin_lock(&sk->sk_receive_queue.lock);
	if (sk->sk_type == SOCK_STREAM || sk->sk_type == SOCK_SEQPACKET) {
		skb_queue_walk(&sk->sk_receive_queue, skb)
			amount += punix_skb_len(skb);
	} else {
		skb = skb_peek(&sk->sk_receive_queue);
		if (skb)
			amount = skb->len;
	}
	spin_unlock(&sk->sk_receive_queue.lock);

	return amount;
}

/* SIOCUNIXFILE: an O_PATH descriptor of the file a socket is bound to. */
static int punix_open_file(struct sock *sk)
{
	struct path path;
	struct file *f;
	int fd;

	if (!ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN))
		return -EPERM;

	/* The path is valid once the address is published. */
	if (!punix_get_addr(sk))
		return -ENOENT;
	path = punix_sk(sk)->path;
	if (!path.dentry)
		return -ENOENT;

	path_get(&path);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd >= 0) {
		f = dentry_open(&path, O_PATH, current_cred());
		if (IS_ERR(f)) {
			put_unused_fd(fd);
			fd = PTR_ERR(f);
		} else {
			fd_install(fd, f);
		}
	}
	path_put(&path);
	return fd;
}

int punix_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	long amount;

	switch (cmd) {
	case SIOCOUTQ:
		amount = sk_wmem_alloc_get(sk);
		break;
	case SIOCINQ:
		amount = punix_inq_len(sk);
		if (amount < 0)
			return amount;
		break;
	case SIOCUNIXFILE:
		return punix_open_file(sk);
	case SIOCATMARK:
		amount = punix_oob_atmark(sk);
		if (amount < 0)
			return amount;
		break;
	default:
		return -ENOIOCTLCMD;
	}

	return put_user(amount, (int __user *)arg);
}

#ifdef CONFIG_COMPAT
/*
 * As af_unix's unix_compat_ioctl(): a 32-bit caller's ioctls are the native
 * ones, with its argument widened to a pointer (every one takes an int *).
 * Without it compat_sock_ioctl() finds SIOCOUTQ and SIOCATMARK in its own
 * table but refuses SIOCUNIXFILE with ENOTTY.
 */
int punix_compat_ioctl(struct socket *sock, unsigned int cmd,
		       unsigned long arg)
{
	return punix_ioctl(sock, cmd, (unsigned long)compat_ptr(arg));
}
#endif

/* SO_PEERCRED of @sk becomes the calling task's credentials. */
void punix_init_peercred(struct sock *sk)
{
	const struct cred *old_cred;
	struct pid *old_pid;

	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = get_pid(task_tgid(current));
	sk->sk_peer_cred = get_current_cred();
	spin_unlock(&sk->sk_peer_lock);

	put_pid(old_pid);
	put_cred(old_cred);
}

/* SO_PEERCRED of @sk becomes the one @from holds. @from's state lock held. */
void punix_copy_peercred(struct sock *sk, struct sock *from)
{
	const struct cred *old_cred;
	struct pid *old_pid;

	lockdep_assert_held(&punix_sk(from)->lock);

	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = get_pid(from->sk_peer_pid);
	sk->sk_peer_cred = get_cred(from->sk_peer_cred);
	spin_unlock(&sk->sk_peer_lock);

	put_pid(old_pid);
	put_cred(old_cred);
}

unsigned int punix_net_id __read_mostly;

static int __net_init punix_net_init(struct net *net)
{
	struct punix_net *pn = punix_net(net);

	int err;

	spin_lock_init(&pn->lock);
	INIT_HLIST_HEAD(&pn->socks);
	err = punix_addr_init_net(net);
	if (err)
		return err;
	err = punix_proc_init_net(net);
	if (err)
		punix_addr_exit_net(net);
	return err;
}

static void __net_exit punix_net_exit(struct net *net)
{
	/* Every socket holds its namespace, but for kernel sockets. */
	WARN_ON_ONCE(!hlist_empty(&punix_net(net)->socks));
	punix_proc_exit_net(net);
	punix_addr_exit_net(net);
}

static struct pernet_operations punix_net_ops = {
	.init	= punix_net_init,
	.exit	= punix_net_exit,
	.id	= &punix_net_id,
	.size	= sizeof(struct punix_net),
};

static struct net_proto_family punix_family_ops __ro_after_init = {
	.create	= punix_create,
	.owner	= THIS_MODULE,
};

static int __init punix_init(void)
{
	int err;

	if (punix_family <= 0 || punix_family >= NPROTO) {
		pr_err("family %d is out of range (1..%d)\n", punix_family,
		       NPROTO - 1);
		return -EINVAL;
	}

	punix_family_ops.family = punix_family;

	err = punix_addr_init();
	if (err)
		return err;

	err = register_pernet_subsys(&punix_net_ops);
	if (err)
		goto out_addr;

	err = proto_register(&punix_stream_proto, 1);
	if (err)
		goto out_net;

	err = proto_register(&punix_dgram_proto, 1);
	if (err)
		goto out_stream;

	err = sock_register(&punix_family_ops);
	if (err) {
		if (err == -EEXIST)
			pr_err("family %d is already registered; load with family=N for a free slot\n",
			       punix_family);
		goto out_dgram;
	}

	err = punix_diag_init();
	if (err)
		goto out_sock;

	punix_scm_init();
	pr_info("registered family %d\n", punix_family);
	return 0;

out_sock:
	sock_unregister(punix_family);
out_dgram:
	proto_unregister(&punix_dgram_proto);
out_stream:
	proto_unregister(&punix_stream_proto);
out_net:
	unregister_pernet_subsys(&punix_net_ops);
out_addr:
	punix_addr_exit();
	return err;
}

static void __exit punix_exit(void)
{
	punix_diag_exit();
	sock_unregister(punix_family);
	punix_gc_exit();
	punix_scm_exit();
	proto_unregister(&punix_dgram_proto);
	proto_unregister(&punix_stream_proto);
	unregister_pernet_subsys(&punix_net_ops);
	punix_addr_exit();
}

module_init(punix_init);
module_exit(punix_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("punix: a parallel UNIX-domain socket family");
/*
 * The first socket(PUNIX_FAMILY_DEFAULT, ...) makes the kernel ask modprobe
 * for "net-pf-25": an installed punix loads itself. A family set with the
 * "family" parameter needs its own "alias net-pf-N punix" in modprobe.d.
 */
MODULE_ALIAS_NETPROTO(PUNIX_FAMILY_DEFAULT);
/* The one place the version lives: the Makefile and dkms.conf read it here. */
MODULE_VERSION("0.1.0");
