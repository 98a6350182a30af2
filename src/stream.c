// SPDX-License-Identifier: GPL-2.0
/*
 * punix: SOCK_STREAM sockets.
 *
 * A connection is two socks pointing at each other through ->peer. A writer
 * charges what it queues on its peer's receive queue to its own send buffer
 * (the skb is owned by the writer), so SO_SNDBUF alone bounds what one side
 * can have in flight, and the reader's consumption wakes the writer.
 *
 * connect() creates the server side of the connection (the embryo) at once
 * and queues it, as an skb it owns, on the listener's receive queue;
 * accept() takes it from there and grafts it onto the new socket.
 */

#include <linux/log2.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/splice.h>
#include <linux/uaccess.h>
#include <net/scm.h>
#include <net/sock.h>

#include <uapi/linux/punix.h>

#include "punix.h"

/* Largest skb a writer builds: a linear head plus up to 32 KiB of pages. */
#define PUNIX_SKB_FRAGS_SZ	(PAGE_SIZE << get_order(32768))

/*
 * Small writes are appended to the tail skb of the peer's queue, as a pipe
 * fills its pages: see punix_stream_append(). A writer whose appends fill
 * the tail gets a new skb with a larger linear head, so that the next
 * writes join it: punix_stream_alloc_grown(). A write that finds the tail
 * without room for all of it first fills that room, and only the rest
 * goes to its own skb: punix_stream_queue().
 *
 * The memory bound (issue 9): every skb is charged to its writer exactly
 * its truesize, as af_unix charges its own (skb_set_owner_w()), so what a
 * writer is charged (SO_SNDBUF, SIOCOUTQ, SO_MEMINFO) is what it pins; an
 * appended write is charged nothing, its bytes go to room already paid
 * for. And at every point of a sequence of writes into a queue nobody
 * reads, the skbs punix holds for them cost at most what af_unix's skbs
 * (one per write, or per chunk of a large write) would:
 *
 *   sum(truesize of the queued skbs) + tail credit
 *	<= sum(af_unix's truesize for each queued write)
 *
 * where the tail's credit (PUNIX_CB()->credit) is what af_unix would have
 * spent, at least (punix_unix_cost()), on the writes appended to the tail
 * and not yet spent on a new skb. The first skb of a burst is allocated
 * exactly as af_unix's for that write (sock_alloc_send_pskb()), credit 0;
 * an appended write adds its af_unix cost to the tail's credit; a new
 * head for appending takes the tail's credit (zeroed) plus the af_unix
 * cost of the write it is made for, and its truesize must fit in that sum
 * (the rest carries on as its own credit). So heads grow geometrically
 * with the data appended, never above 8 KiB nor SO_SNDBUF / 4.
 *
 * A reader that reads part of such a queue frees af_unix's skbs one write
 * at a time, punix's merged skbs only once all their bytes are read, and a
 * head may have been paid with the credit of writes read since: then the
 * bound holds against af_unix's cost of every write since the queue was
 * last empty (the credit lives in the tail skb and dies with it). The
 * charge, each skb's truesize, still bounds the memory by SO_SNDBUF (plus
 * one head of at most SO_SNDBUF / 4) as af_unix's does.
 */
/*
 * 8 KiB, the largest kmalloc slab: a larger head comes from the page
 * allocator, and measured slower (make bench's stream-1KiB on 6.12, 15
 * rounds: 16 KiB heads 0.94 of AF_UNIX and 4.1 writes per read, 8 KiB
 * heads 1.19 and 6.4 writes per read, as AF_UNIX's 6.4-6.7).
 */
#define PUNIX_APPEND_HEAD	8192

/* Credit beyond the largest head buys nothing: it is capped here. */
#define PUNIX_APPEND_CREDIT	(2 * SKB_TRUESIZE(PUNIX_APPEND_HEAD))

/*
 * At least what af_unix's skb for a linear write of @size bytes costs: its
 * bytes in cache lines, a shared info and an sk_buff (kmalloc may round
 * the head up, never down).
 */
static unsigned int punix_unix_cost(int size)
{
	return SKB_TRUESIZE(SKB_DATA_ALIGN(size));
}

/*
 * Whether a write of @sk (@sock) that would carry @scm may join @tail, the
 * tail skb of @other's receive queue: see punix_stream_append(). Called
 * with @other's receive-queue lock held.
 */
static bool punix_stream_can_append(struct sock *sk, struct socket *sock,
				    struct sock *other, struct sk_buff *tail,
				    struct scm_cookie *scm)
{
	return tail && tail->sk == sk && PUNIX_CB(tail)->append &&
	       tail != punix_sk(other)->oob_skb && punix_skb_len(tail) &&
	       !skb_is_nonlinear(tail) &&
	       punix_scm_append_ok(tail, scm, sock, other);
}

/*
 * Append @size bytes of @msg to the tail skb of @other's receive queue, if
 * nothing separates them from it: the tail was written by @sk as plain
 * data (PUNIX_CB()->append: no files, not OOB), it has unread bytes, no
 * pages, room for all @size bytes in its head, and the credentials it
 * carries are those this write would carry (punix_scm_append_ok()). The
 * write costs nothing more (the room was paid for with the skb's truesize)
 * and adds what af_unix would have spent on it to the tail's credit.
 *
 * The copy runs under @other's receive-queue lock alone, with page faults
 * disabled, and the skb grows only once all @size bytes are in it (after
 * a write barrier): a reader, who reads an skb's length without that lock
 * (punix_stream_read(), with a read barrier before it reads the bytes),
 * sees the whole write or none of it, and decides that an skb is empty
 * and unlinks it under that lock. The reader's state lock is not taken:
 * the reader takes it twice per skb, and waiting for it while a writer
 * copied was most of what stream-1KiB spent in punix (a queued spinlock
 * slow path, seven times AF_UNIX's). SOCK_DEAD and RCV_SHUTDOWN are read
 * under the queue lock instead: release sets them before it empties the
 * queue under that lock (punix_release_sock()), so an append it misses
 * is freed with the queue. A fault leaves the skb as it was and the
 * caller takes the slow path, which may sleep.
 *
 * Returns true when the bytes were queued. Otherwise *@credit is the
 * credit taken from a tail that would have taken them but had no room
 * (and *@grow is set), for a new head: punix_stream_alloc_grown().
 */
static bool punix_stream_append(struct sock *sk, struct socket *sock,
				struct sock *other, struct msghdr *msg,
				struct scm_cookie *scm, int size, bool *grow,
				unsigned int *credit)
{
	struct sk_buff *tail;
	bool done = false;
	size_t copied;

	/* Errors, shutdown and a full send buffer: the slow path's. */
	if (READ_ONCE(sk->sk_err) ||
	    (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	    sk_wmem_alloc_get(sk) >= READ_ONCE(sk->sk_sndbuf))
		return false;
	/*
	 * Nothing queued, no tail: a write to a reader that keeps up (a
	 * round trip) takes the peer's locks once, to queue its skb, as
	 * af_unix's. Lockless, so a tail queued meanwhile may be missed:
	 * then this write gets its own skb, as it would a moment earlier.
	 */
	if (skb_queue_empty_lockless(&other->sk_receive_queue))
		return false;

	spin_lock(&other->sk_receive_queue.lock);
	if (sock_flag(other, SOCK_DEAD) ||
	    (READ_ONCE(other->sk_shutdown) & RCV_SHUTDOWN))
		goto out;
	tail = skb_peek_tail(&other->sk_receive_queue);
	if (!punix_stream_can_append(sk, sock, other, tail, scm))
		goto out;
	if (skb_tailroom(tail) < size) {
		/* Taken, so that no other skb is paid with it. */
		*credit = PUNIX_CB(tail)->credit;
		PUNIX_CB(tail)->credit = 0;
		*grow = true;
		goto out;
	}

	pagefault_disable();
	copied = copy_from_iter(skb_tail_pointer(tail), size, &msg->msg_iter);
	pagefault_enable();
	if (copied != (size_t)size) {
		iov_iter_revert(&msg->msg_iter, copied);
		goto out;
	}
	smp_wmb();	/* the bytes before the length: punix_stream_read() */
	__skb_put(tail, size);
	PUNIX_CB(tail)->credit = min_t(u32, PUNIX_CB(tail)->credit +
				       punix_unix_cost(size),
				       PUNIX_APPEND_CREDIT);
	done = true;
out:
	spin_unlock(&other->sk_receive_queue.lock);
	if (done)
		other->sk_data_ready(other);
	return done;
}

/*
 * A new skb for a write of @size bytes whose writer fills the tail skb by
 * appending (punix_stream_append() found it full): a linear head with room
 * for the writes that follow, whose truesize fits in @budget (the tail's
 * credit and the af_unix cost of this write), 8 KiB and SO_SNDBUF / 4.
 * It is charged its truesize. NULL when that leaves no room for a second
 * write like this one, or the memory is not there at once: the caller
 * then makes af_unix's skb (which waits for room, as af_unix).
 */
static struct sk_buff *punix_stream_alloc_grown(struct sock *sk, int size,
						unsigned int budget)
{
	unsigned int cap = min_t(unsigned int, PUNIX_APPEND_HEAD +
				 SKB_DATA_ALIGN(sizeof(struct sk_buff)),
				 READ_ONCE(sk->sk_sndbuf) >> 2);
	unsigned int head;
	struct sk_buff *skb;

	budget = min(budget, cap);
	if (budget <= SKB_TRUESIZE(0))
		return NULL;
	/* A kmalloc size: alloc_skb() rounds it up no further. */
	head = rounddown_pow_of_two(budget -
				    SKB_DATA_ALIGN(sizeof(struct sk_buff)));
	/*
	 * Room for the shared info and two writes like this one. Not
	 * SKB_WITH_OVERHEAD(head) < 2 * size: a head smaller than the shared
	 * info (a budget under 768 bytes: a write of at most 128 bytes that
	 * finds the tail full and without credit, as every 100-byte write
	 * does) wrapped that around, and alloc_skb() was asked for about
	 * 4 GiB, and refused it, on each such write.
	 */
	if (head < SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) + 2 * size ||
	    READ_ONCE(sk->sk_err) ||
	    (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	    sk_wmem_alloc_get(sk) >= READ_ONCE(sk->sk_sndbuf))
		return NULL;

	skb = alloc_skb(SKB_WITH_OVERHEAD(head),
			sk->sk_allocation | __GFP_NOWARN | __GFP_NORETRY);
	if (!skb)
		return NULL;
	/* A small head may come from a larger cache: then it does not fit. */
	if (skb->truesize > budget) {
		kfree_skb(skb);
		return NULL;
	}
	skb_set_owner_w(skb, sk);
	return skb;
}

/*
 * Queue @skb, a write of @sk's, on @other's receive queue. With @fill (the
 * write found the tail full: punix_stream_append() set *grow), its first
 * bytes fill the room left in the tail skb, if that may still take them
 * and not all of them, and the rest moves to the front of @skb's head: so
 * the room at its end is left for the writes that follow, and writes of a
 * size that never fits the room an skb has after one of them (a 100-byte
 * write leaves 92 bytes in af_unix's skb) append all the same. The tail's
 * room was paid for, and @skb is charged what it was before.
 *
 * Called with @other's state lock held. Both parts go in under its
 * receive-queue lock and state lock, as an append does: a reader sees
 * the whole write or none of it.
 */
static void punix_stream_queue(struct sock *sk, struct socket *sock,
			       struct sock *other, struct sk_buff *skb,
			       struct scm_cookie *scm, bool fill)
{
	struct sk_buff_head *queue = &other->sk_receive_queue;
	struct sk_buff *tail;
	unsigned int room;

	spin_lock(&queue->lock);
	tail = skb_peek_tail(queue);
	if (fill && punix_stream_can_append(sk, sock, other, tail, scm)) {
		room = skb_tailroom(tail);
		if (room && room < skb->len) {
			skb_put_data(tail, skb->data, room);
			memmove(skb->data, skb->data + room, skb->len - room);
			__skb_trim(skb, skb->len - room);
		}
	}
	__skb_queue_tail(queue, skb);
	spin_unlock(&queue->lock);
}

static int punix_stream_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct punix_sock *u = punix_sk(sk);
	int err = -EINVAL;

	if (!punix_get_addr(sk))
		return -EINVAL;	/* no listening on an unbound socket */

	punix_state_lock(sk);
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN)
		goto out;
	if (backlog > sk->sk_max_ack_backlog)
		wake_up_interruptible_all(&u->peer_wq.wait);
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	WRITE_ONCE(sk->sk_state, TCP_LISTEN);
	/* connect() hands these credentials to the client */
	punix_init_peercred(sk);
	err = 0;
out:
	punix_state_unlock(sk);
	return err;
}

static int punix_stream_connect(struct socket *sock, struct sockaddr *uaddr,
				int addr_len, int flags)
{
	struct sockaddr_un *sunaddr = (struct sockaddr_un *)uaddr;
	struct sock *sk = sock->sk, *newsk, *other = NULL;
	struct punix_sock *newu, *otheru;
	struct net *net = sock_net(sk);
	struct sk_buff *skb;
	long timeo;
	int err;

	err = punix_validate_addr(sunaddr, addr_len);
	if (err)
		return err;

	err = punix_maybe_autobind(sock);
	if (err)
		return err;

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);

	/* The server side of the connection, made before any lock is held. */
	newsk = punix_sock_alloc(net, NULL, 0, sock->type);
	if (IS_ERR(newsk))
		return PTR_ERR(newsk);

	err = -ENOMEM;
	skb = sock_wmalloc(newsk, 1, 0, GFP_KERNEL);
	if (!skb)
		goto out;

restart:
	other = punix_find_other(net, sunaddr, addr_len, sk->sk_type);
	if (IS_ERR(other)) {
		err = PTR_ERR(other);
		other = NULL;
		goto out;
	}

	punix_state_lock(other);

	/* Released after the lookup found it: look again. */
	if (sock_flag(other, SOCK_DEAD)) {
		punix_state_unlock(other);
		sock_put(other);
		goto restart;
	}

	err = -ECONNREFUSED;
	if (other->sk_state != TCP_LISTEN ||
	    (other->sk_shutdown & RCV_SHUTDOWN))
		goto out_unlock;

	if (punix_recvq_full(other)) {
		err = -EAGAIN;
		if (!timeo)
			goto out_unlock;

		timeo = punix_wait_for_peer(other, timeo);
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
		sock_put(other);
		goto restart;
	}

	/*
	 * Only an unconnected socket may connect. Checked before taking our
	 * own state lock: a listener connecting to itself would otherwise
	 * take the lock it holds as @other.
	 */
	if (READ_ONCE(sk->sk_state) != TCP_CLOSE) {
		err = READ_ONCE(sk->sk_state) == TCP_ESTABLISHED ?
		      -EISCONN : -EINVAL;
		goto out_unlock;
	}

	/* The second state lock: see punix_state_lock_cmp_fn(). */
	punix_state_lock(sk);
	if (sk->sk_state != TCP_CLOSE) {
		err = sk->sk_state == TCP_ESTABLISHED ? -EISCONN : -EINVAL;
		punix_state_unlock(sk);
		goto out_unlock;
	}

	/* As af_unix: with both state locks held (see punix_sock). */
	err = security_unix_stream_connect(sk, other, newsk);
	if (err) {
		punix_state_unlock(sk);
		goto out_unlock;
	}

	sock_hold(sk);
	newu = punix_sk(newsk);
	newu->peer = sk;
	newsk->sk_state = TCP_ESTABLISHED;
	punix_init_peercred(newsk);
	RCU_INIT_POINTER(newsk->sk_wq, &newu->peer_wq);

	/* The accepted socket carries the listener's name. */
	otheru = punix_sk(other);
	if (otheru->path.dentry) {
		path_get(&otheru->path);
		newu->path = otheru->path;
	}
	punix_addr_get(otheru->addr);
	punix_publish_addr(newsk, otheru->addr);

	punix_copy_peercred(sk, other);

	sock->state = SS_CONNECTED;
	WRITE_ONCE(sk->sk_state, TCP_ESTABLISHED);
	sock_hold(newsk);
	WRITE_ONCE(punix_sk(sk)->peer, newsk);
	punix_state_unlock(sk);

	skb_queue_tail(&other->sk_receive_queue, skb);
	punix_state_unlock(other);
	other->sk_data_ready(other);
	sock_put(other);
	return 0;

out_unlock:
	punix_state_unlock(other);
out:
	kfree_skb(skb);
	punix_release_sock(newsk, false);
	if (other)
		sock_put(other);
	return err;
}

static int punix_stream_accept(struct socket *sock, struct socket *newsock,
			       PUNIX_ACCEPT_ARGS)
{
	int flags = punix_accept_flags(accept_arg);
	struct sock *sk = sock->sk, *tsk;
	struct sk_buff *skb;
	int err;

	if (READ_ONCE(sk->sk_state) != TCP_LISTEN)
		return -EINVAL;

	skb = skb_recv_datagram(sk, (flags & O_NONBLOCK) ? MSG_DONTWAIT : 0,
				&err);
	if (!skb)
		return err ?: -EINVAL;	/* no error: the listener was shut */

	tsk = skb->sk;
	skb_free_datagram(sk, skb);
	/* A connector waiting for room: see punix_wait_for_peer(). */
	if (wq_has_sleeper(&punix_sk(sk)->peer_wq.wait))
		wake_up_interruptible(&punix_sk(sk)->peer_wq.wait);

	punix_state_lock(tsk);
	newsock->state = SS_CONNECTED;
	if (test_bit(SOCK_PASSCRED, &sock->flags))
		set_bit(SOCK_PASSCRED, &newsock->flags);
	if (test_bit(SOCK_PASSSEC, &sock->flags))
		set_bit(SOCK_PASSSEC, &newsock->flags);
	punix_inherit_passpidfd(sock, newsock);
	sock_graft(tsk, newsock);
	punix_state_unlock(tsk);
	return 0;
}

/*
 * The page frag the pages of @sk's skbs are filled from: the writing
 * task's, as TCP's (sk_page_frag()), where the socket allocates in a normal
 * context. Otherwise (a kernel user's socket, allocating with GFP_NOFS, say)
 * NULL: its skbs get fresh pages, as af_unix's.
 */
static struct page_frag *punix_stream_page_frag(struct sock *sk)
{
	struct page_frag *pfrag = sk_page_frag(sk);

	return pfrag == &current->task_frag ? pfrag : NULL;
}

/*
 * Copy @len bytes of @msg into @skb's pages, taken from @pfrag: the
 * writing task's page frag (a 32 KiB page when the allocator has one at
 * once), which only the task itself uses, so no lock. Once every skb that
 * held a piece of its page is freed, the page is filled again from its
 * start (skb_page_frag_refill()), and the pages of a stream whose reader
 * keeps up are used over and over. af_unix takes fresh pages for every
 * skb, and the page allocator clears each one (init_on_alloc, on in
 * Debian's kernels) before the copy overwrites it.
 *
 * @skb is charged what af_unix's pages for @len bytes cost (whole pages):
 * its truesize, SO_SNDBUF and SIOCOUTQ are af_unix's. As a piece of TCP's
 * page frag, a piece pins its whole page until it is read. A stream's
 * pieces (3777 bytes and more, the paged part of a write: see
 * punix_stream_sendmsg()) fill its pages in order, so what its unread
 * pieces pin is what they are charged, but for the first page and the
 * frag's own; a task writing to several sockets mixes their pieces in a
 * page, and an unread skb whose page's other pieces were read pins up to
 * eight times its charge (32 KiB for 4 KiB).
 */
static int punix_stream_copy_frags(struct sock *sk, struct sk_buff *skb,
				   struct page_frag *pfrag, struct msghdr *msg,
				   int len)
{
	unsigned int charge = PAGE_ALIGN(len);
	int copy, i;

	while (len) {
		if (!skb_page_frag_refill(min_t(int, len, PAGE_SIZE), pfrag,
					  sk->sk_allocation))
			return -ENOBUFS;

		copy = min_t(int, len, pfrag->size - pfrag->offset);
		if (copy_from_iter(page_address(pfrag->page) + pfrag->offset,
				   copy, &msg->msg_iter) != copy)
			return -EFAULT;

		i = skb_shinfo(skb)->nr_frags;
		if (skb_can_coalesce(skb, i, pfrag->page, pfrag->offset)) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset,
					   copy);
			get_page(pfrag->page);
		}
		pfrag->offset += copy;
		skb->len += copy;
		skb->data_len += copy;
		len -= copy;
	}

	skb->truesize += charge;
	refcount_add(charge, &sk->sk_wmem_alloc);
	return 0;
}

static int punix_stream_sendmsg(struct socket *sock, struct msghdr *msg,
				size_t len)
{
	struct sock *sk = sock->sk;
	struct scm_cookie scm;
	bool fds_sent = false;
	struct sk_buff *skb;
	struct sock *other;
	size_t sent = 0;
	unsigned int credit, budget;
	struct page_frag *frag;
	int err, size, paged;
	bool grow;

	/* As af_unix: control messages are checked before anything else. */
	err = punix_scm_send(sock, msg, &scm, false);
	if (err < 0)
		return err;

	punix_wait_for_gc(scm.fp);

	/* MSG_OOB: the last byte goes apart (oob.c); none is EOPNOTSUPP. */
	err = -EOPNOTSUPP;
	if (msg->msg_flags & MSG_OOB) {
		if (!len)
			goto out_err;
		len--;
	}

	if (msg->msg_namelen) {
		err = READ_ONCE(sk->sk_state) == TCP_ESTABLISHED ?
		      -EISCONN : -EOPNOTSUPP;
		goto out_err;
	}

	err = -ENOTCONN;
	other = punix_peer(sk);
	if (!other)
		goto out_err;

	if (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		goto pipe_err;

	while (sent < len) {
		/* Keep two skbs in flight so reader and writer overlap. */
		size = min_t(size_t, len - sent,
			     (READ_ONCE(sk->sk_sndbuf) >> 1) - 64);
		size = min_t(int, size, SKB_MAX_HEAD(0) + PUNIX_SKB_FRAGS_SZ);

		/*
		 * Lay the skb out as af_unix does, so that it has the same
		 * truesize (SO_SNDBUF, SIOCOUTQ): what exceeds one head goes
		 * to pages, rounded up to whole pages as far as @size allows,
		 * and the head holds the rest (nothing, when the excess is
		 * small).
		 */
		paged = max_t(int, size - (int)SKB_MAX_HEAD(0), 0);
		paged = min_t(int, PAGE_ALIGN(paged), size);

		/* No files: the bytes may join the tail skb. */
		grow = false;
		credit = 0;
		if (!scm.fp && !paged &&
		    punix_stream_append(sk, sock, other, msg, &scm, size,
					&grow, &credit)) {
			sent += size;
			continue;
		}

		/* The memory bound: see PUNIX_APPEND_HEAD. */
		budget = credit + punix_unix_cost(size);
		skb = grow ? punix_stream_alloc_grown(sk, size, budget) : NULL;
		/* The pages, if any, come from the task's page frag. */
		frag = paged ? punix_stream_page_frag(sk) : NULL;
		if (!skb)
			skb = sock_alloc_send_pskb(sk, size - paged,
						   frag ? 0 : paged,
						   msg->msg_flags & MSG_DONTWAIT,
						   &err,
						   get_order(PUNIX_SKB_FRAGS_SZ));
		if (!skb)
			goto out_err;

		/* Files travel with the first skb only. */
		err = punix_scm_to_skb(&scm, skb, !fds_sent);
		if (err < 0) {
			kfree_skb(skb);
			goto out_err;
		}
		fds_sent = true;
		/* Later writes may join a plain skb with a linear head. */
		PUNIX_CB(skb)->append = !paged && !PUNIX_CB(skb)->fp;
		/* What the budget leaves over (0 for af_unix's own skb). */
		if (grow && budget > skb->truesize)
			PUNIX_CB(skb)->credit = min_t(u32, budget - skb->truesize,
						      PUNIX_APPEND_CREDIT);

		skb_put(skb, size - paged);
		if (frag) {
			err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter,
							  size - paged);
			if (!err)
				err = punix_stream_copy_frags(sk, skb, frag,
							      msg, paged);
		} else {
			skb->data_len = paged;
			skb->len = size;
			err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter,
							  size);
		}
		if (err) {
			kfree_skb(skb);
			goto out_err;
		}

		punix_state_lock(other);
		if (sock_flag(other, SOCK_DEAD) ||
		    (other->sk_shutdown & RCV_SHUTDOWN)) {
			punix_state_unlock(other);
			kfree_skb(skb);
			goto pipe_err;
		}
		punix_maybe_add_creds(skb, sock, other);
		punix_scm_stat_add(other, skb);
		punix_stream_queue(sk, sock, other, skb, &scm, grow);
		punix_state_unlock(other);
		other->sk_data_ready(other);
		sent += size;
	}

	if (msg->msg_flags & MSG_OOB) {
		err = punix_queue_oob(sock, msg, other, &scm, fds_sent);
		if (err)
			goto out_err;
		sent++;
	}

	scm_destroy(&scm);
	return sent;

pipe_err:
	if (!sent && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	err = -EPIPE;
out_err:
	scm_destroy(&scm);
	return sent ?: err;
}

/*
 * Sleep until the receive queue grows past @last (which had @last_len bytes),
 * an error or shutdown arrives, a signal is pending or @timeo runs out.
 * Called and returns with the state lock held.
 *
 * As unix_stream_data_wait(): a @freezable sleep (recvmsg(), which holds no
 * lock while it sleeps) is frozen where it is, so a freezer (suspend, the
 * cgroup v1 freezer) neither wakes it nor ends a timed wait with -EINTR;
 * splice_read() sleeps with the pipe's mutex held and must not be frozen.
 * TASK_FREEZABLE is in both kernels (6.1's freezer rewrite replaced
 * freezable_schedule_timeout() with it): no compat.h entry.
 */
static long punix_stream_data_wait(struct sock *sk, long timeo,
				   struct sk_buff *last, unsigned int last_len,
				   bool freezable)
{
	unsigned int state = TASK_INTERRUPTIBLE |
			     (freezable ? TASK_FREEZABLE : 0);
	struct sk_buff *tail;
	DEFINE_WAIT(wait);

	lockdep_assert_held(&punix_sk(sk)->lock);
	for (;;) {
		prepare_to_wait(sk_sleep(sk), &wait, state);

		tail = skb_peek_tail(&sk->sk_receive_queue);
		if (tail != last || (tail && tail->len != last_len) ||
		    sk->sk_err || (sk->sk_shutdown & RCV_SHUTDOWN) ||
		    signal_pending(current) || !timeo)
			break;

		sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		punix_state_unlock(sk);
		timeo = schedule_timeout(timeo);
		punix_state_lock(sk);

		if (sock_flag(sk, SOCK_DEAD))
			break;

		sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	}

	finish_wait(sk_sleep(sk), &wait);
	return timeo;
}

/*
 * One stream read: recvmsg() copies into a msghdr, splice_read() moves into
 * a pipe.  The loop is shared; @actor transfers @len bytes of @skb starting
 * @off bytes into its unread data and returns what it moved, or < 0.
 */
struct punix_read_state {
	struct socket		*sock;
	struct msghdr		*msg;		/* recvmsg */
	struct pipe_inode_info	*pipe;		/* splice_read */
	unsigned int		splice_flags;
	size_t			size;
	int			flags;		/* MSG_* */
	bool			freezable;	/* punix_stream_data_wait() */
	int			(*actor)(struct sk_buff *skb, int off, int len,
					 struct punix_read_state *state);
};

static int punix_stream_read(struct punix_read_state *state)
{
	struct sock *sk = state->sock->sk;
	struct punix_sock *u = punix_sk(sk);
	int copied = 0, err = 0, flags = state->flags;
	struct socket *sock = state->sock;
	size_t size = state->size;
	bool name_done = false;
	bool check_creds = false;
	struct scm_cookie scm;
	bool empty;
	int target, skip;
	long timeo;

	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return -EINVAL;
	if (flags & MSG_OOB)
		return punix_stream_recv_urg(sk, state->msg, flags);

	target = sock_rcvlowat(sk, flags & MSG_WAITALL, size);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	memset(&scm, 0, sizeof(scm));

redo:
	mutex_lock(&u->iolock);
	skip = max(sk_peek_offset(sk, flags), 0);

	do {
		struct sk_buff *skb, *last;
		unsigned int last_len, avail;
		int chunk, want;

		punix_state_lock(sk);
		if (sock_flag(sk, SOCK_DEAD)) {
			err = -ECONNRESET;
			punix_state_unlock(sk);
			break;
		}

		last = skb_peek(&sk->sk_receive_queue);
		skb = last;
again:
		/* Stop at, skip or drop what MSG_OOB left (oob.c). */
		if (skb) {
			skb = punix_manage_oob(skb, &last, sk, flags, copied);
			if (!skb && punix_oob_stops_read(copied, state->size)) {
				punix_state_unlock(sk);
				break;
			}
		}

		/* A peek starts @skip bytes into the queue: find that skb. */
		while (skb && skip >= punix_skb_len(skb)) {
			skip -= punix_skb_len(skb);
			last = skb;
			skb = skb_peek_next(skb, &sk->sk_receive_queue);
		}

		if (!skb) {
			/* A peek stops at the end of what is queued. */
			if (copied >= target || (copied && (flags & MSG_PEEK))) {
				punix_state_unlock(sk);
				break;
			}

			/* POSIX order: data, then a pending error, then EOF. */
			err = sock_error(sk);
			if (err || (sk->sk_shutdown & RCV_SHUTDOWN)) {
				punix_state_unlock(sk);
				break;
			}

			if (!timeo) {
				punix_state_unlock(sk);
				err = -EAGAIN;
				break;
			}

			mutex_unlock(&u->iolock);
			last_len = last ? last->len : 0;
			timeo = punix_stream_data_wait(sk, timeo, last,
						       last_len,
						       state->freezable);
			punix_state_unlock(sk);

			if (signal_pending(current)) {
				scm_destroy(&scm);
				return copied ?: sock_intr_errno(timeo);
			}
			goto redo;
		}
		/*
		 * Writers append to the tail under the queue lock alone
		 * (punix_stream_append()): the bytes up to this length are
		 * there once it is read.
		 */
		avail = punix_skb_len(skb);
		smp_rmb();	/* pairs with smp_wmb() in punix_stream_append() */
		punix_state_unlock(sk);

		/*
		 * As af_unix: with credentials asked for, one read returns
		 * the data of one writer (same credentials) only.
		 */
		if (check_creds) {
			if (!punix_skb_scm_eq(skb, &scm))
				break;
		} else if (punix_passcred(sock)) {
			punix_scm_set_cred(&scm, skb);
			check_creds = true;
		}

		if (state->msg && state->msg->msg_name && !name_done) {
			punix_copy_addr(state->msg, skb->sk);
			name_done = true;
		}

		want = min_t(unsigned int, avail - skip, size);
		chunk = state->actor(skb, skip, want, state);
		if (chunk < 0) {
			/* As af_unix: any failure to move data is EFAULT. */
			if (!copied)
				copied = -EFAULT;
			break;
		}
		copied += chunk;
		size -= chunk;

		if (flags & MSG_PEEK) {
			sk_peek_offset_fwd(sk, chunk);
			/* A read never goes past a message with files. */
			if (PUNIX_CB(skb)->fp) {
				punix_scm_take_fds(sk, &scm, skb, true);
				break;
			}
			/*
			 * On to the next skb, through punix_manage_oob(), even
			 * with @size used up: as af_unix, a peek goes on over
			 * the skbs that follow (zero bytes from each) and takes
			 * the files of the first that has any; it stops at the
			 * end of the queue.
			 */
			punix_state_lock(sk);
			/*
			 * A writer may have appended to this skb since @avail
			 * was read (punix_stream_append()): those bytes come
			 * before the next skb's.
			 */
			if (size && punix_skb_len(skb) > skip + chunk) {
				skip += chunk;
				goto again;
			}
			skip = 0;
			last = skb;
			skb = skb_peek_next(skb, &sk->sk_receive_queue);
			if (skb)
				goto again;
			punix_state_unlock(sk);
			break;
		}

		sk_peek_offset_bwd(sk, chunk);
		/* Files go with the first byte read of their message. */
		punix_scm_take_fds(sk, &scm, skb, false);

		/*
		 * A writer may append to the tail skb under the queue lock
		 * (punix_stream_append()): whether this one is empty, and
		 * unlinking it if so, happen under that lock too.
		 */
		punix_state_lock(sk);
		spin_lock(&sk->sk_receive_queue.lock);
		PUNIX_CB(skb)->consumed += chunk;
		empty = !punix_skb_len(skb);
		if (empty)
			__skb_unlink(skb, &sk->sk_receive_queue);
		spin_unlock(&sk->sk_receive_queue.lock);
		punix_state_unlock(sk);
		if (!empty) {
			/*
			 * @size is used up, or the pipe is full (splice), or a
			 * writer appended after @avail was read: then read on
			 * (MSG_WAITALL, a large read).
			 */
			if (chunk < want)
				break;
			continue;
		}
		consume_skb(skb);
		if (scm.fp)
			break;
	} while (size);

	mutex_unlock(&u->iolock);
	if (state->msg)
		punix_scm_recv(sock, state->msg, &scm, flags);
	else
		scm_destroy(&scm);
	return copied ?: err;
}

static int punix_stream_msg_actor(struct sk_buff *skb, int off, int len,
				  struct punix_read_state *state)
{
	if (skb_copy_datagram_msg(skb, PUNIX_CB(skb)->consumed + off,
				  state->msg, len))
		return -EFAULT;
	return len;
}

static int punix_stream_recvmsg(struct socket *sock, struct msghdr *msg,
				size_t size, int flags)
{
	struct punix_read_state state = {
		.sock	= sock,
		.msg	= msg,
		.size	= size,
		.flags	= flags,
		.freezable = true,
		.actor	= punix_stream_msg_actor,
	};

	return punix_stream_read(&state);
}

/* May move less than @len when the pipe fills up; 0 moved ends the read. */
static int punix_stream_splice_actor(struct sk_buff *skb, int off, int len,
				     struct punix_read_state *state)
{
	return skb_splice_bits(skb, state->sock->sk,
			       PUNIX_CB(skb)->consumed + off, state->pipe,
			       len, state->splice_flags);
}

/*
 * splice() out of a stream socket, as af_unix: non-blocking when the file
 * or the call says so.  Without this the generic read path would ignore
 * SPLICE_F_NONBLOCK.
 */
static ssize_t punix_stream_splice_read(struct socket *sock, loff_t *ppos,
					struct pipe_inode_info *pipe,
					size_t len, unsigned int flags)
{
	struct punix_read_state state = {
		.sock		= sock,
		.pipe		= pipe,
		.splice_flags	= flags,
		.size		= len,
		.actor		= punix_stream_splice_actor,
	};

	if (unlikely(*ppos))
		return -ESPIPE;
	if ((sock->file->f_flags & O_NONBLOCK) || (flags & SPLICE_F_NONBLOCK))
		state.flags = MSG_DONTWAIT;
	return punix_stream_read(&state);
}

static __poll_t punix_stream_poll(struct file *file, struct socket *sock,
				  poll_table *wait)
{
	struct sock *sk = sock->sk;
	unsigned char state;
	__poll_t mask = 0;
	u8 shutdown;

	sock_poll_wait(file, sock, wait);
	shutdown = READ_ONCE(sk->sk_shutdown);
	state = READ_ONCE(sk->sk_state);

	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	if (shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(punix_sk(sk)->oob_skb))
		mask |= EPOLLPRI;

	/* Not connected (never, or no more): hang-up, as for a pipe. */
	if (state == TCP_CLOSE)
		mask |= EPOLLHUP;

	/* Writable even after the peer shut down, so no writer sleeps on. */
	if (punix_writable(sk, state))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;

	return mask;
}

/*
 * .family is read by the core only to tell AF_UNIX's own sockets apart
 * (scm.c, af_unix's garbage collector): punix's never are, whatever number
 * the module registers, so the default number stands here.
 */
const struct proto_ops punix_stream_ops = {
	.family		= PUNIX_FAMILY_DEFAULT,
	.owner		= THIS_MODULE,
	.release	= punix_release,
	.bind		= punix_bind,
	.connect	= punix_stream_connect,
	.socketpair	= punix_socketpair,
	.accept		= punix_stream_accept,
	.getname	= punix_getname,
	.poll		= punix_stream_poll,
	.ioctl		= punix_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= punix_compat_ioctl,
#endif
	.listen		= punix_stream_listen,
	.shutdown	= punix_shutdown,
	.sendmsg	= punix_stream_sendmsg,
	.recvmsg	= punix_stream_recvmsg,
	.splice_read	= punix_stream_splice_read,
	.mmap		= sock_no_mmap,
	.set_peek_off	= sk_set_peek_off,
	.show_fdinfo	= punix_show_fdinfo,
};

/* Connected as a stream socket is; moves messages as a datagram socket. */
const struct proto_ops punix_seqpacket_ops = {
	.family		= PUNIX_FAMILY_DEFAULT,
	.owner		= THIS_MODULE,
	.release	= punix_release,
	.bind		= punix_bind,
	.connect	= punix_stream_connect,
	.socketpair	= punix_socketpair,
	.accept		= punix_stream_accept,
	.getname	= punix_getname,
	.poll		= punix_dgram_poll,
	.ioctl		= punix_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= punix_compat_ioctl,
#endif
	.listen		= punix_stream_listen,
	.shutdown	= punix_shutdown,
	.sendmsg	= punix_seqpacket_sendmsg,
	.recvmsg	= punix_seqpacket_recvmsg,
	.mmap		= sock_no_mmap,
	.set_peek_off	= sk_set_peek_off,
	.show_fdinfo	= punix_show_fdinfo,
};
