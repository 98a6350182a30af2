// SPDX-License-Identifier: GPL-2.0
/*
 * punix: MSG_OOB on stream sockets, as af_unix with CONFIG_AF_UNIX_OOB.
 *
 * A MSG_OOB send queues its last byte as a skb of its own and makes it the
 * receiver's oob_skb (punix_sock): one urgent byte at a time, a newer one
 * turning the older into normal data. recv(MSG_OOB) copies that byte and
 * leaves the skb in the queue, empty ("consumed"), where it marks the spot
 * for SIOCATMARK. A normal read never reads past the pending OOB byte in
 * one call, and drops it (SO_OOBINLINE unset) when it reaches it first.
 * What a read and SIOCATMARK do with consumed skbs depends on the kernel
 * (PUNIX_OOB_NEW_RULES, compat.h).
 *
 * Locking: oob_skb changes only under sk_receive_queue.lock; readers of
 * the queue hold iolock (punix_sock), so one reader at a time unlinks.
 */

#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/scm.h>
#include <net/sock.h>

#include "punix.h"

/* Queue the last byte of @msg on @other as its new OOB byte. */
int punix_queue_oob(struct socket *sock, struct msghdr *msg,
		    struct sock *other, struct scm_cookie *scm, bool fds_sent)
{
	struct sk_buff *skb;
	int err;

	skb = sock_alloc_send_skb(sock->sk, 1, msg->msg_flags & MSG_DONTWAIT,
				  &err);
	if (!skb)
		return err;

	/* Files that no data skb took travel with the OOB byte. */
	err = punix_scm_to_skb(scm, skb, !fds_sent);
	if (err < 0)
		goto out_free;

	skb_put(skb, 1);
	err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, 1);
	if (err)
		goto out_free;

	punix_state_lock(other);
	if (sock_flag(other, SOCK_DEAD) ||
	    (other->sk_shutdown & RCV_SHUTDOWN)) {
		punix_state_unlock(other);
		err = -EPIPE;
		goto out_free;
	}
	punix_maybe_add_creds(skb, sock, other);
	punix_scm_stat_add(other, skb);

	spin_lock(&other->sk_receive_queue.lock);
	WRITE_ONCE(punix_sk(other)->oob_skb, skb);
	__skb_queue_tail(&other->sk_receive_queue, skb);
	spin_unlock(&other->sk_receive_queue.lock);

	/* SIGURG to the owner (F_SETOWN) of the receiving socket. */
	sk_send_sigurg(other);
	punix_state_unlock(other);
	other->sk_data_ready(other);
	return 0;

out_free:
	kfree_skb(skb);
	return err;
}

/*
 * recv(MSG_OOB): the pending OOB byte, left in the queue (empty unless
 * peeked). EINVAL when there is none or SO_OOBINLINE is set.
 */
int punix_stream_recv_urg(struct sock *sk, struct msghdr *msg, int flags)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *oob_skb, *prev, *read_skb = NULL;
	struct punix_sock *u = punix_sk(sk);
	int err;

	mutex_lock(&u->iolock);
	punix_state_lock(sk);
	spin_lock(&q->lock);

	oob_skb = u->oob_skb;
	if (sock_flag(sk, SOCK_URGINLINE) || !oob_skb) {
		spin_unlock(&q->lock);
		punix_state_unlock(sk);
		mutex_unlock(&u->iolock);
		return -EINVAL;
	}

	if (!(flags & MSG_PEEK)) {
		WRITE_ONCE(u->oob_skb, NULL);
		/*
		 * CVE-2025-38236: never leave two consumed skbs in a row, so
		 * a normal read that frees one cannot step onto another one
		 * and then onto the next OOB skb without seeing it.
		 */
		prev = oob_skb->prev;
		if (prev != (struct sk_buff *)q && !punix_skb_len(prev)) {
			__skb_unlink(prev, q);
			read_skb = prev;
		}
	}

	spin_unlock(&q->lock);
	punix_state_unlock(sk);

	err = skb_copy_datagram_msg(oob_skb, PUNIX_CB(oob_skb)->consumed, msg,
				    1);
	if (!(flags & MSG_PEEK))
		PUNIX_CB(oob_skb)->consumed++;

	mutex_unlock(&u->iolock);
	consume_skb(read_skb);

	if (err)
		return -EFAULT;
	msg->msg_flags |= MSG_OOB;
	return 1;
}

/*
 * A read (or peek) with @copied bytes so far meets @skb, the pending OOB
 * byte: it stops before it, reads it inline (SO_OOBINLINE), or drops it
 * (*@unread, the byte was not read in time) and goes on with what follows.
 * Returns the skb to read from, or NULL. Receive-queue lock held.
 */
static struct sk_buff *punix_oob_meet(struct sock *sk, struct sk_buff *skb,
				      struct sk_buff **last, int flags,
				      int copied, struct sk_buff **unread)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;

	if (copied)
		return NULL;	/* never read past the mark */

	if (!(flags & MSG_PEEK)) {
		WRITE_ONCE(punix_sk(sk)->oob_skb, NULL);
		if (sock_flag(sk, SOCK_URGINLINE))
			return skb;
		__skb_unlink(skb, q);
		*unread = skb;
		skb = skb_peek(q);
		*last = PUNIX_OOB_NEW_RULES ? skb : NULL;
		return skb;
	}

	if (sock_flag(sk, SOCK_URGINLINE))
		return skb;
	if (PUNIX_OOB_NEW_RULES)
		*last = skb;
	return skb_peek_next(skb, q);
}

/* The old rules (compat.h): Debian 6.1.y's manage_oob(). */
static struct sk_buff *punix_manage_oob_old(struct sk_buff *skb,
					    struct sk_buff **last,
					    struct sock *sk, int flags,
					    int copied)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct punix_sock *u = punix_sk(sk);
	struct sk_buff *unread_skb = NULL;

	if (!punix_skb_len(skb) && !(flags & MSG_PEEK)) {
		/* A consumed skb at the head ends this pass of the read. */
		skb_unlink(skb, q);
		consume_skb(skb);
		*last = NULL;
		return NULL;
	}

	spin_lock(&q->lock);
	if (skb == u->oob_skb)
		skb = punix_oob_meet(sk, skb, last, flags, copied, &unread_skb);
	spin_unlock(&q->lock);

	punix_drop_oob(unread_skb);
	return skb;
}

/*
 * punix_manage_oob() of an skb that is empty or the OOB mark: free what
 * the read skips, and return the skb to read from, or NULL when there is
 * none (yet) or the read must stop (see punix_oob_stops_read()). *@last
 * follows for the data wait: the last skb looked at that is still queued,
 * or NULL. State lock held.
 */
struct sk_buff *__punix_manage_oob(struct sk_buff *skb, struct sk_buff **last,
				   struct sock *sk, int flags, int copied)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *read_skb = NULL, *unread_skb = NULL;
	struct punix_sock *u = punix_sk(sk);

	if (!PUNIX_OOB_NEW_RULES)
		return punix_manage_oob_old(skb, last, sk, flags, copied);

	spin_lock(&q->lock);

	if (!punix_skb_len(skb)) {
		/* A consumed OOB skb. */
		if (copied && (!u->oob_skb || skb == u->oob_skb)) {
			skb = NULL;
		} else if (flags & MSG_PEEK) {
			*last = skb;
			skb = skb_peek_next(skb, q);
		} else {
			read_skb = skb;
			skb = skb_peek_next(skb, q);
			__skb_unlink(read_skb, q);
			*last = skb;
		}
		if (!skb)
			goto unlock;
	}

	if (skb == u->oob_skb)
		skb = punix_oob_meet(sk, skb, last, flags, copied, &unread_skb);

unlock:
	spin_unlock(&q->lock);
	consume_skb(read_skb);
	punix_drop_oob(unread_skb);
	return skb;
}

/*
 * punix_manage_oob() gave no skb: does the read end here with what it has
 * (rather than report EAGAIN or wait)?
 */
bool punix_oob_stops_read(int copied, size_t size)
{
	if (PUNIX_OOB_NEW_RULES)
		return copied || !size;
	return copied;
}

/* SIOCATMARK: is the next byte to read the OOB mark? */
int punix_oob_atmark(struct sock *sk)
{
	struct punix_sock *u = punix_sk(sk);
	struct sk_buff *skb, *oob_skb;
	int answ = 0;

	if (sk->sk_type != SOCK_STREAM)
		return -EOPNOTSUPP;

	mutex_lock(&u->iolock);
	spin_lock(&sk->sk_receive_queue.lock);
	skb = skb_peek(&sk->sk_receive_queue);
	oob_skb = u->oob_skb;
	if (skb == oob_skb && skb)
		answ = 1;
	else if (PUNIX_OOB_NEW_RULES && skb && !punix_skb_len(skb) &&
		 (!oob_skb ||
		  skb_peek_next(skb, &sk->sk_receive_queue) == oob_skb))
		answ = 1;
	spin_unlock(&sk->sk_receive_queue.lock);
	mutex_unlock(&u->iolock);

	return answ;
}
