// SPDX-License-Identifier: GPL-2.0
/*
 * punix: message sockets, SOCK_DGRAM and SOCK_SEQPACKET.
 *
 * Both keep message boundaries: one skb is one message, queued whole on the
 * receiver and owned by the sender until read, so SO_SNDBUF bounds what a
 * sender has in flight and the receiver's queue length (the backlog)
 * bounds how many messages wait. SOCK_SEQPACKET connects, listens and
 * accepts as SOCK_STREAM does (stream.c) and moves data as SOCK_DGRAM does.
 */

#include <linux/filter.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/scm.h>
#include <net/sock.h>

#include <uapi/linux/punix.h>

#include "punix.h"

/*
 * A sender whose connected peer's queue is full must learn when it drains,
 * both to finish a blocking send and to report EPOLLOUT. It cannot sleep on
 * the peer's peer_wq.wait (its queue of senders waiting for room, see
 * struct punix_sock) from poll(): the peer may be released first. Instead
 * its own entry, peer_wake, is hooked on the peer's peer_wq.wait and
 * relays the wakeup to the sender's wait queue. peer_wake.private names
 * the peer it is hooked on (NULL: none); both change under that peer's
 * peer_wq.wait.lock. The sender holds a reference on its peer for as long
 * as it is connected, and unhooks before dropping it, so the entry never
 * outlives the queue it is on.
 */
int punix_peer_wake_relay(wait_queue_entry_t *q, unsigned int mode, int flags,
			  void *key)
{
	struct punix_sock *u = container_of(q, struct punix_sock, peer_wake);
	wait_queue_head_t *sleep;

	/* One shot: called with the peer's peer_wq.wait.lock held. */
	list_del_init(&q->entry);
	WRITE_ONCE(q->private, NULL);

	rcu_read_lock();
	sleep = sk_sleep(&u->sk);
	if (sleep)
		wake_up_interruptible_poll(sleep, key_to_poll(key));
	rcu_read_unlock();
	return 0;
}

static bool punix_peer_wake_connect(struct sock *sk, struct sock *other)
{
	struct punix_sock *u = punix_sk(sk), *o = punix_sk(other);
	bool hooked = false;

	spin_lock(&o->peer_wq.wait.lock);
	if (!u->peer_wake.private) {
		WRITE_ONCE(u->peer_wake.private, other);
		__add_wait_queue(&o->peer_wq.wait, &u->peer_wake);
		hooked = true;
	}
	spin_unlock(&o->peer_wq.wait.lock);
	return hooked;
}

void punix_peer_wake_disconnect(struct sock *sk, struct sock *other)
{
	struct punix_sock *u = punix_sk(sk), *o = punix_sk(other);

	/*
	 * Only @sk's own send or poll hooks it, under its state lock, which
	 * our callers hold (or, in release, no such call runs any more): a
	 * hook not on @other now will not be.
	 */
	if (READ_ONCE(u->peer_wake.private) != other)
		return;

	spin_lock(&o->peer_wq.wait.lock);
	if (u->peer_wake.private == other) {
		__remove_wait_queue(&o->peer_wq.wait, &u->peer_wake);
		WRITE_ONCE(u->peer_wake.private, NULL);
	}
	spin_unlock(&o->peer_wq.wait.lock);
}

/* Unhook from @other and tell our writers to look again. */
static void punix_peer_wake_disconnect_wakeup(struct sock *sk,
					      struct sock *other)
{
	lockdep_assert_held(&punix_sk(sk)->lock);
	punix_peer_wake_disconnect(sk, other);
	wake_up_interruptible_poll(sk_sleep(sk),
				   EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
}

/*
 * True if @sk must wait for room on @other, in which case a wakeup is
 * armed; false if @other has room after all.
 *
 * A dead @other is never full: its release wakes peer_wq.wait once,
 * before it purges the queue, so a sender that looks in between would
 * wait for a wakeup that never comes. It must go on and learn that @other
 * is gone (POLLOUT, then ECONNREFUSED or EPIPE from the send). Release
 * sets SOCK_DEAD, then looks for waiters (wq_has_sleeper(), a full
 * barrier first); this hooks, then reads SOCK_DEAD after a full barrier:
 * either release finds the hook or this sees the flag.
 */
static bool punix_peer_wake_me(struct sock *sk, struct sock *other)
{
	bool hooked;

	/* @other stays our peer, so the hook stays valid, while we look. */
	lockdep_assert_held(&punix_sk(sk)->lock);
	hooked = punix_peer_wake_connect(sk, other);
	smp_mb();	/* pairs with wq_has_sleeper() in release */

	if (punix_recvq_full(other) && !sock_flag(other, SOCK_DEAD))
		return true;
	if (hooked)
		punix_peer_wake_disconnect(sk, other);
	return false;
}

/* @sk may send to @other: @other is unconnected or connected to @sk. */
static bool punix_may_send(struct sock *sk, struct sock *other)
{
	struct sock *peer = punix_sk(other)->peer;

	return !peer || peer == sk;
}

/*
 * Lock two datagram sockets' states, lower address first (@sk2 may be NULL
 * or equal to @sk1). Stream sockets never take two state locks this way.
 */
static void punix_state_double_lock(struct sock *sk1, struct sock *sk2)
	__acquires(&punix_sk(sk1)->lock) __acquires(&punix_sk(sk2)->lock)
{
	if (sk1 == sk2 || !sk2) {
		punix_state_lock(sk1);
		__acquire(&punix_sk(sk2)->lock);	/* for sparse */
		return;
	}
	if (sk1 > sk2)
		swap(sk1, sk2);
	punix_state_lock(sk1);
	punix_state_lock(sk2);	/* see punix_state_lock_cmp_fn() */
}

static void punix_state_double_unlock(struct sock *sk1, struct sock *sk2)
	__releases(&punix_sk(sk1)->lock) __releases(&punix_sk(sk2)->lock)
{
	if (sk1 == sk2 || !sk2) {
		punix_state_unlock(sk1);
		__release(&punix_sk(sk2)->lock);	/* for sparse */
		return;
	}
	punix_state_unlock(sk1);
	punix_state_unlock(sk2);
}

/*
 * @sk stopped talking to @other: messages queued from it go, and @other,
 * if it still thinks it is connected to us, learns so from ECONNRESET.
 */
static void punix_dgram_disconnected(struct sock *sk, struct sock *other)
{
	if (skb_queue_empty(&sk->sk_receive_queue))
		return;

	skb_queue_purge(&sk->sk_receive_queue);
	wake_up_interruptible_all(&punix_sk(sk)->peer_wq.wait);

	if (!sock_flag(other, SOCK_DEAD) && punix_sk(other)->peer == sk) {
		WRITE_ONCE(other->sk_err, ECONNRESET);
		sk_error_report(other);
	}
}

static int punix_dgram_connect(struct socket *sock, struct sockaddr *addr,
			       int addr_len, int flags)
{
	struct sockaddr_un *sunaddr = (struct sockaddr_un *)addr;
	struct sock *sk = sock->sk, *other = NULL, *old;
	int err;

	if (addr_len < offsetofend(struct sockaddr, sa_family))
		return -EINVAL;

	if (addr->sa_family == AF_UNSPEC) {
		/* 1003.1g: AF_UNSPEC dissolves the association. */
		punix_state_double_lock(sk, NULL);
		goto set_peer;
	}

	err = punix_validate_addr(sunaddr, addr_len);
	if (err)
		return err;

	err = punix_maybe_autobind(sock);
	if (err)
		return err;

restart:
	other = punix_find_other(sock_net(sk), sunaddr, addr_len, sk->sk_type);
	if (IS_ERR(other))
		return PTR_ERR(other);

	punix_state_double_lock(sk, other);

	/* Released after the lookup found it: look again. */
	if (sock_flag(other, SOCK_DEAD)) {
		punix_state_double_unlock(sk, other);
		sock_put(other);
		goto restart;
	}

	err = -EPERM;
	if (!punix_may_send(sk, other))
		goto out_unlock;

	err = security_unix_may_send(sk->sk_socket, other->sk_socket);
	if (err)
		goto out_unlock;

	/*
	 * As af_unix: the socket connected to counts as connected too
	 * (/proc/net/punix, sock_diag), although nothing links it back.
	 */
	WRITE_ONCE(sk->sk_state, TCP_ESTABLISHED);
	WRITE_ONCE(other->sk_state, TCP_ESTABLISHED);

set_peer:
	old = punix_sk(sk)->peer;
	WRITE_ONCE(punix_sk(sk)->peer, other);
	if (!other)
		WRITE_ONCE(sk->sk_state, TCP_CLOSE);
	if (old)
		punix_peer_wake_disconnect_wakeup(sk, old);
	punix_state_double_unlock(sk, other);

	if (old) {
		if (other != old)
			punix_dgram_disconnected(sk, old);
		sock_put(old);
	}
	return 0;

out_unlock:
	punix_state_double_unlock(sk, other);
	sock_put(other);
	return err;
}

/*
 * The socket we were sending to was released. A datagram socket connected
 * to it is disconnected (ECONNREFUSED); a sequenced-packet connection keeps
 * pointing at it (EPIPE); an unconnected sender just looks the name up
 * again (0).
 */
static int punix_dgram_peer_died(struct sock *sk, struct sock *other)
{
	int err = 0;

	punix_state_lock(sk);
	if (sk->sk_type == SOCK_SEQPACKET) {
		err = -EPIPE;
	} else if (punix_sk(sk)->peer == other) {
		WRITE_ONCE(punix_sk(sk)->peer, NULL);
		punix_peer_wake_disconnect_wakeup(sk, other);
		WRITE_ONCE(sk->sk_state, TCP_CLOSE);
		punix_state_unlock(sk);

		punix_dgram_disconnected(sk, other);
		sock_put(other);	/* the connection's reference */
		return -ECONNREFUSED;
	}
	punix_state_unlock(sk);
	return err;
}

/* Build one message skb holding @len bytes of @msg and what @scm carries. */
static struct sk_buff *punix_dgram_alloc(struct sock *sk, struct msghdr *msg,
					 size_t len, struct scm_cookie *scm,
					 int *err)
{
	size_t data_len = 0;
	struct sk_buff *skb;

	if (len > SKB_MAX_ALLOC) {
		data_len = min_t(size_t, len - SKB_MAX_ALLOC,
				 MAX_SKB_FRAGS * PAGE_SIZE);
		data_len = PAGE_ALIGN(data_len);
	}

	skb = sock_alloc_send_pskb(sk, len - data_len, data_len,
				   msg->msg_flags & MSG_DONTWAIT, err,
				   PAGE_ALLOC_COSTLY_ORDER);
	if (!skb)
		return NULL;

	*err = punix_scm_to_skb(scm, skb, true);
	if (*err < 0) {
		kfree_skb(skb);
		return NULL;
	}

	skb_put(skb, len - data_len);
	skb->data_len = data_len;
	skb->len = len;
	*err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, len);
	if (*err) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static int punix_dgram_sendmsg(struct socket *sock, struct msghdr *msg,
			       size_t len)
{
	DECLARE_SOCKADDR(struct sockaddr_un *, sunaddr, msg->msg_name);
	struct sock *sk = sock->sk, *other = NULL;
	struct scm_cookie scm;
	struct sk_buff *skb;
	long timeo;
	int err;

	/* As af_unix: control messages are checked before anything else. */
	err = punix_scm_send(sock, msg, &scm, false);
	if (err < 0)
		return err;

	punix_wait_for_gc(scm.fp);

	err = -EOPNOTSUPP;
	if (msg->msg_flags & MSG_OOB)
		goto out;

	if (msg->msg_namelen) {
		err = punix_validate_addr(sunaddr, msg->msg_namelen);
		if (err)
			goto out;
	} else {
		sunaddr = NULL;
		err = -ENOTCONN;
		other = punix_peer_get(sk);
		if (!other)
			goto out;
	}

	err = punix_maybe_autobind(sock);
	if (err)
		goto out;

	err = -EMSGSIZE;
	if (len > READ_ONCE(sk->sk_sndbuf) - 32)
		goto out;

	skb = punix_dgram_alloc(sk, msg, len, &scm, &err);
	if (!skb)
		goto out;

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);

restart:
	if (!other) {
		err = -ECONNRESET;
		if (!sunaddr)
			goto out_free;

		other = punix_find_other(sock_net(sk), sunaddr,
					 msg->msg_namelen, sk->sk_type);
		if (IS_ERR(other)) {
			err = PTR_ERR(other);
			other = NULL;
			goto out_free;
		}
	}

	/* The receiver's socket filter may drop the message unseen. */
	if (sk_filter(other, skb) < 0) {
		err = len;
		goto out_free;
	}

	punix_state_lock(other);
restart_locked:
	err = -EPERM;
	if (!punix_may_send(sk, other))
		goto out_unlock;

	if (unlikely(sock_flag(other, SOCK_DEAD))) {
		punix_state_unlock(other);
		err = punix_dgram_peer_died(sk, other);
		sock_put(other);
		other = NULL;
		if (err)
			goto out_free;
		goto restart;
	}

	err = -EPIPE;
	if (other->sk_shutdown & RCV_SHUTDOWN)
		goto out_unlock;

	if (sk->sk_type != SOCK_SEQPACKET) {
		err = security_unix_may_send(sk->sk_socket, other->sk_socket);
		if (err)
			goto out_unlock;
	}

	/*
	 * A receiver that is not connected back to us takes at most its
	 * backlog of messages; one connected back to us is flow controlled
	 * by our send buffer alone.
	 */
	if (other != sk && unlikely(punix_sk(other)->peer != sk &&
				    punix_recvq_full(other))) {
		if (timeo) {
			timeo = punix_wait_for_peer(other, timeo);
			err = sock_intr_errno(timeo);
			if (signal_pending(current))
				goto out_free;
			goto restart;
		}

		/*
		 * Non-blocking: arm a wakeup for when the queue drains, under
		 * our own state lock too, so that @other stays our peer
		 * while the relay is hooked on it.
		 */
		punix_state_unlock(other);
		punix_state_double_lock(sk, other);
		err = -EAGAIN;
		if (punix_sk(sk)->peer != other ||
		    punix_peer_wake_me(sk, other)) {
			punix_state_double_unlock(sk, other);
			goto out_free;
		}
		/* The queue drained meanwhile: check everything again. */
		punix_state_double_unlock(sk, other);
		punix_state_lock(other);
		goto restart_locked;
	}

	if (sock_flag(other, SOCK_RCVTSTAMP))
		__net_timestamp(skb);

	punix_maybe_add_creds(skb, sock, other);
	punix_scm_stat_add(other, skb);
	skb_queue_tail(&other->sk_receive_queue, skb);
	punix_state_unlock(other);
	other->sk_data_ready(other);
	sock_put(other);
	scm_destroy(&scm);
	return len;

out_unlock:
	punix_state_unlock(other);
out_free:
	kfree_skb(skb);
out:
	if (other)
		sock_put(other);
	scm_destroy(&scm);
	return err;
}

static int punix_dgram_recvmsg(struct socket *sock, struct msghdr *msg,
			       size_t size, int flags)
{
	struct sock *sk = sock->sk;
	struct punix_sock *u = punix_sk(sk);
	struct sk_buff *skb, *last;
	struct scm_cookie scm;
	long timeo;
	int skip;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);

	do {
		mutex_lock(&u->iolock);
		skip = sk_peek_offset(sk, flags);
		skb = __skb_try_recv_datagram(sk, &sk->sk_receive_queue, flags,
					      &skip, &err, &last);
		if (skb)
			break;
		mutex_unlock(&u->iolock);
		if (err != -EAGAIN)
			break;
	} while (timeo &&
		 !__skb_wait_for_more_packets(sk, &sk->sk_receive_queue, &err,
					      &timeo, last));

	if (!skb) {
		/* A shut, non-blocking seqpacket socket reads end of file. */
		punix_state_lock(sk);
		if (sk->sk_type == SOCK_SEQPACKET && err == -EAGAIN &&
		    (sk->sk_shutdown & RCV_SHUTDOWN))
			err = 0;
		punix_state_unlock(sk);
		return err;
	}

	/* A message left the queue: a sender waiting for room may go on. */
	if (wq_has_sleeper(&u->peer_wq.wait))
		wake_up_interruptible_sync_poll(&u->peer_wq.wait, EPOLLOUT |
						EPOLLWRNORM | EPOLLWRBAND);

	if (msg->msg_name)
		punix_copy_addr(msg, skb->sk);

	if (size > skb->len - skip)
		size = skb->len - skip;
	else if (size < skb->len - skip)
		msg->msg_flags |= MSG_TRUNC;

	err = skb_copy_datagram_msg(skb, skip, msg, size);
	if (err)
		goto out_free;

	if (sock_flag(sk, SOCK_RCVTSTAMP))
		__sock_recv_timestamp(msg, sk, skb);

	memset(&scm, 0, sizeof(scm));
	punix_scm_set_cred(&scm, skb);
	punix_scm_take_fds(sk, &scm, skb, flags & MSG_PEEK);

	if (flags & MSG_PEEK)
		sk_peek_offset_fwd(sk, size);
	else
		sk_peek_offset_bwd(sk, skb->len);

	err = (flags & MSG_TRUNC) ? skb->len - skip : size;
	punix_scm_recv(sock, msg, &scm, flags);

out_free:
	skb_free_datagram(sk, skb);
	mutex_unlock(&u->iolock);
	return err;
}

__poll_t punix_dgram_poll(struct file *file, struct socket *sock,
			  poll_table *wait)
{
	struct sock *sk = sock->sk, *other;
	unsigned char state;
	__poll_t mask = 0;
	bool writable;
	u8 shutdown;

	sock_poll_wait(file, sock, wait);
	shutdown = READ_ONCE(sk->sk_shutdown);
	state = READ_ONCE(sk->sk_state);

	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR |
			(sock_flag(sk, SOCK_SELECT_ERR_QUEUE) ? EPOLLPRI : 0);
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;

	/* A connection that is not (or no longer) there hangs up. */
	if (sk->sk_type == SOCK_SEQPACKET && state == TCP_CLOSE)
		mask |= EPOLLHUP;

	/* Nobody asked about writing: spare the peer lookup. */
	if (!(poll_requested_events(wait) &
	      (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT)))
		return mask;

	writable = punix_writable(sk, state);
	if (writable) {
		punix_state_lock(sk);
		other = punix_sk(sk)->peer;
		if (other && punix_sk(other)->peer != sk &&
		    punix_recvq_full(other) && punix_peer_wake_me(sk, other))
			writable = false;
		punix_state_unlock(sk);
	}

	if (writable)
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	else
		sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);

	return mask;
}

int punix_seqpacket_sendmsg(struct socket *sock, struct msghdr *msg,
			    size_t len)
{
	struct sock *sk = sock->sk;
	int err;

	err = sock_error(sk);
	if (err)
		return err;

	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return -ENOTCONN;

	/* A connection has one destination: any address given is ignored. */
	msg->msg_namelen = 0;
	return punix_dgram_sendmsg(sock, msg, len);
}

int punix_seqpacket_recvmsg(struct socket *sock, struct msghdr *msg,
			    size_t size, int flags)
{
	if (READ_ONCE(sock->sk->sk_state) != TCP_ESTABLISHED)
		return -ENOTCONN;

	return punix_dgram_recvmsg(sock, msg, size, flags);
}

/* See the note on punix_stream_ops about .family. */
const struct proto_ops punix_dgram_ops = {
	.family		= PUNIX_FAMILY_DEFAULT,
	.owner		= THIS_MODULE,
	.release	= punix_release,
	.bind		= punix_bind,
	.connect	= punix_dgram_connect,
	.socketpair	= punix_socketpair,
	.accept		= sock_no_accept,
	.getname	= punix_getname,
	.poll		= punix_dgram_poll,
	.ioctl		= punix_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= punix_compat_ioctl,
#endif
	.listen		= sock_no_listen,
	.shutdown	= punix_shutdown,
	.sendmsg	= punix_dgram_sendmsg,
	.recvmsg	= punix_dgram_recvmsg,
	.mmap		= sock_no_mmap,
	.set_peek_off	= sk_set_peek_off,
	.show_fdinfo	= punix_show_fdinfo,
};
