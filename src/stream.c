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
 * writes join it: punix_stream_alloc_grown().
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
 * with the data appended, never above 16 KiB nor SO_SNDBUF / 4. A head
 * that replaces the tail (punix_stream_alloc_replace()) is paid with the
 * tail's truesize as well, which its freeing returns; a page added to the
 * tail (PUNIX_APPEND_FRAGS) is paid as a new head is.
 *
 * A reader that reads part of such a queue frees af_unix's skbs one write
 * at a time, punix's merged skbs only once all their bytes are read, and a
 * head may have been paid with the credit of writes read since: then the
 * bound holds against af_unix's cost of every write since the queue was
 * last empty (the credit lives in the tail skb and dies with it). The
 * charge, each skb's truesize, still bounds the memory by SO_SNDBUF (plus
 * one head or page of at most SO_SNDBUF / 4) as af_unix's does.
 */
#define PUNIX_APPEND_HEAD	16384

/* Credit beyond the largest head buys nothing: it is capped here. */
#define PUNIX_APPEND_CREDIT	(2 * SKB_TRUESIZE(PUNIX_APPEND_HEAD))

/*
 * Heads of at most this many bytes (data and shared info) may come from
 * the skb core's own cache of small heads, whose size is not in any
 * header: for those punix_unix_cost() counts the bytes only.
 */
#define PUNIX_SMALL_HEAD	1024

/*
 * At least what af_unix's skb for a linear write of @size bytes costs: its
 * bytes in cache lines, a shared info and an sk_buff. A head too large for
 * the small-head cache is a kmalloc() of that size, rounded up to its
 * kmalloc bucket (alloc_skb() charges the whole bucket): that is exactly
 * af_unix's truesize. A smaller one is counted without the rounding.
 */
static unsigned int punix_unix_cost(int size)
{
	unsigned int head = SKB_DATA_ALIGN(size) +
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	if (head > PUNIX_SMALL_HEAD)
		head = kmalloc_size_roundup(head);
	return head + SKB_DATA_ALIGN(sizeof(struct sk_buff));
}

/*
 * At least what af_unix's skb for a write of @size bytes laid out in
 * pages only (@paged, see punix_stream_sendmsg()) costs: an empty head,
 * its shared info, an sk_buff, and the pages (alloc_skb_with_frags()
 * rounds them up to whole pages, or more).
 */
static unsigned int punix_write_cost(int size, bool paged)
{
	if (paged)
		return SKB_TRUESIZE(0) + PAGE_ALIGN(size);
	return punix_unix_cost(size);
}

/*
 * A write of a page or so, which af_unix puts in pages with an empty head,
 * may go to the pages of the tail skb instead: into the room its last
 * page has left, or into a new page added to it (its truesize, charged
 * to the writer, paid for with the tail's credit and the write's af_unix
 * cost, as a grown head is). So a run of such writes needs a page now
 * and then instead of an sk_buff, a head and a page each. An skb takes
 * pages this way up to PUNIX_APPEND_FRAGS of them and PUNIX_APPEND_LEN
 * bytes, pages of at most PUNIX_APPEND_PAGE bytes (af_unix's largest).
 *
 * Adding bytes to an skb's pages changes skb->len and ->data_len, which a
 * reader copying from the skb without the locks reads as one (its head
 * length is their difference): so a write into pages is made only while
 * holding the reader's @iolock (tried; a reader in the queue sends the
 * write the usual way).
 */
#define PUNIX_APPEND_FRAGS	16
#define PUNIX_APPEND_LEN	65536
#define PUNIX_APPEND_PAGE	32768

/* Bytes left in the page of @frag behind its data. */
static unsigned int punix_frag_room(const skb_frag_t *frag)
{
	return page_size(skb_frag_page(frag)) - skb_frag_off(frag) -
	       skb_frag_size(frag);
}

/*
 * What punix_stream_append() tells the writer when the tail skb would
 * have taken the write but had no room: the credit taken from the tail,
 * and the tail's unread length and truesize, for a bigger copy of it
 * (punix_stream_alloc_replace()).
 */
struct punix_grow {
	bool		grow;
	unsigned int	credit;
	unsigned int	tail_len;
	unsigned int	tail_truesize;
	unsigned int	nr_frags;	/* the tail's, for a write into pages */
};

/*
 * May @sk's write without files, with the credentials of @scm, follow the
 * bytes of @tail in one skb (where they go, in its head or in its pages,
 * is the caller's question)? Called with @other's state lock and
 * receive-queue lock held.
 */
static bool punix_stream_may_join(struct sock *sk, struct socket *sock,
				  struct sock *other, struct sk_buff *tail,
				  struct scm_cookie *scm)
{
	return tail && tail->sk == sk && PUNIX_CB(tail)->append &&
	       tail != punix_sk(other)->oob_skb && punix_skb_len(tail) &&
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
 * The copy runs under @other's state lock and receive-queue lock with page
 * faults disabled, and the skb grows only once all @size bytes are in it:
 * a reader (who reads an skb's length under either lock, and unlinks an
 * skb it emptied under the state lock, punix_stream_read()) sees the whole
 * write or none of it. A fault leaves the skb as it was and the caller
 * takes the slow path, which may sleep.
 *
 * Returns true when the bytes were queued. Otherwise, if a tail would
 * have taken them but had no room, @grow says so (->grow), with the
 * credit taken from it, for a new head (punix_stream_alloc_grown(),
 * punix_stream_alloc_replace()).
 */
static bool punix_stream_append(struct sock *sk, struct socket *sock,
				struct sock *other, struct msghdr *msg,
				struct scm_cookie *scm, int size, bool paged,
				struct punix_grow *grow)
{
	struct mutex *iolock = &punix_sk(other)->iolock;
	skb_frag_t *frag = NULL;
	struct sk_buff *tail;
	unsigned int room;
	bool done = false;
	size_t copied;

	/* Errors, shutdown and a full send buffer: the slow path's. */
	if (READ_ONCE(sk->sk_err) ||
	    (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	    sk_wmem_alloc_get(sk) >= READ_ONCE(sk->sk_sndbuf))
		return false;

	/* Pages only with no reader in the skb: see PUNIX_APPEND_FRAGS. */
	if (paged && !mutex_trylock(iolock))
		return false;

	punix_state_lock(other);
	if (sock_flag(other, SOCK_DEAD) || (other->sk_shutdown & RCV_SHUTDOWN))
		goto out_unlock;
	spin_lock(&other->sk_receive_queue.lock);
	tail = skb_peek_tail(&other->sk_receive_queue);
	if (!punix_stream_may_join(sk, sock, other, tail, scm))
		goto out;
	if (!paged) {
		/* Into the head: there must be nothing in pages yet. */
		if (skb_is_nonlinear(tail))
			goto out;
		room = skb_tailroom(tail);
	} else {
		grow->nr_frags = skb_shinfo(tail)->nr_frags;
		if (grow->nr_frags)
			frag = &skb_shinfo(tail)->frags[grow->nr_frags - 1];
		room = frag ? punix_frag_room(frag) : 0;
	}
	if (room < size) {
		/* Taken, so that no other skb is paid with it. */
		grow->credit = PUNIX_CB(tail)->credit;
		PUNIX_CB(tail)->credit = 0;
		grow->tail_len = punix_skb_len(tail);
		grow->tail_truesize = tail->truesize;
		grow->grow = true;
		goto out;
	}

	pagefault_disable();
	if (frag)
		copied = copy_page_from_iter_atomic(skb_frag_page(frag),
						    skb_frag_off(frag) +
						    skb_frag_size(frag),
						    size, &msg->msg_iter);
	else
		copied = copy_from_iter(skb_tail_pointer(tail), size,
					&msg->msg_iter);
	pagefault_enable();
	if (copied != (size_t)size) {
		iov_iter_revert(&msg->msg_iter, copied);
		goto out;
	}
	if (frag) {
		skb_frag_size_add(frag, size);
		tail->len += size;
		tail->data_len += size;
	} else {
		__skb_put(tail, size);
	}
	PUNIX_CB(tail)->credit = min_t(u32, PUNIX_CB(tail)->credit +
				       punix_write_cost(size, paged),
				       PUNIX_APPEND_CREDIT);
	done = true;
out:
	spin_unlock(&other->sk_receive_queue.lock);
out_unlock:
	punix_state_unlock(other);
	if (paged)
		mutex_unlock(iolock);
	if (done)
		other->sk_data_ready(other);
	return done;
}

/*
 * A new skb for a write whose writer fills the tail skb by appending
 * (punix_stream_append() found it full): a linear head with room for @need
 * bytes at least, whose truesize fits in @budget, 16 KiB and SO_SNDBUF / 4.
 * It is charged its truesize. NULL when no such head fits, or the memory
 * is not there at once: the caller then makes af_unix's skb (which waits
 * for room, as af_unix).
 */
static struct sk_buff *punix_stream_alloc_grown(struct sock *sk,
						unsigned int need,
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
	if (SKB_WITH_OVERHEAD(head) < need || READ_ONCE(sk->sk_err) ||
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
 * The tail skb a writer fills by appending starts as af_unix's skb for
 * one write, with little room left (a 1 KiB write gets a 2 KiB head, so
 * the next 1 KiB never fits) and no credit yet to pay for a larger head
 * beside it. So while the tail is smaller than the largest head, the
 * writer replaces it: a new skb, paid for with the tail's truesize (freed
 * in exchange), its credit and this write's af_unix cost, takes the
 * tail's unread bytes and then this write's, and room for another write
 * like it. Heads double from one replacement to the next, so each byte is
 * copied once more at most during the ramp to 16 KiB; full tails are
 * followed by new heads paid with credit (punix_stream_alloc_grown()).
 *
 * punix_stream_alloc_replace() makes the skb and reserves room at its
 * front for the tail's bytes; the write's bytes are copied behind that
 * room, then punix_stream_replace_tail() swaps the two skbs, if the tail
 * is still the one seen, with as many unread bytes, and no reader is in
 * it (the reader's @iolock, tried).
 */
static struct sk_buff *punix_stream_alloc_replace(struct sock *sk, int size,
						  const struct punix_grow *grow,
						  unsigned int budget)
{
	struct sk_buff *skb;

	if (grow->tail_truesize >= PUNIX_APPEND_HEAD)
		return NULL;
	skb = punix_stream_alloc_grown(sk, grow->tail_len + 2 * size,
				       budget + grow->tail_truesize);
	if (skb)
		skb_reserve(skb, grow->tail_len);
	return skb;
}

/*
 * Called with @other's @iolock (tried) and state lock held: put @skb in
 * place of the tail skb described by @grow, to which the bytes of @skb
 * could have been appended, and return the old tail for the caller to
 * free, once the locks are dropped. NULL if the tail changed: then @skb
 * is left as it was.
 */
static struct sk_buff *punix_stream_replace_tail(struct sock *sk,
						 struct socket *sock,
						 struct sock *other,
						 struct sk_buff *skb,
						 struct scm_cookie *scm,
						 const struct punix_grow *grow,
						 unsigned int budget)
{
	struct sk_buff_head *q = &other->sk_receive_queue;
	struct sk_buff *tail;
	unsigned int credit;

	spin_lock(&q->lock);
	tail = skb_peek_tail(q);
	if (!punix_stream_may_join(sk, sock, other, tail, scm) ||
	    skb_is_nonlinear(tail) || punix_skb_len(tail) != grow->tail_len ||
	    tail->truesize != grow->tail_truesize) {
		spin_unlock(&q->lock);
		return NULL;
	}
	skb_push(skb, grow->tail_len);
	memcpy(skb->data, tail->data + PUNIX_CB(tail)->consumed,
	       grow->tail_len);
	/* What the budget leaves over, and what the tail gained since. */
	credit = budget + grow->tail_truesize - skb->truesize +
		 PUNIX_CB(tail)->credit;
	PUNIX_CB(skb)->credit = min_t(u32, credit, PUNIX_APPEND_CREDIT);
	__skb_unlink(tail, q);
	__skb_queue_tail(q, skb);
	spin_unlock(&q->lock);
	return tail;
}

/*
 * A page for a write of @size bytes that the tail skb's pages had no room
 * for (punix_stream_append() with @grow->nr_frags): the largest whose
 * size fits in @budget (the tail's credit and the write's af_unix cost),
 * PUNIX_APPEND_PAGE and SO_SNDBUF / 4, if the tail may take one more page
 * and @size more bytes. The write's bytes are copied to its start. Its
 * size is in *@psize. NULL when none fits, or the memory is not there at
 * once: the caller then makes af_unix's skb.
 */
static struct page *punix_stream_alloc_frag(struct sock *sk,
					    struct msghdr *msg, int size,
					    const struct punix_grow *grow,
					    unsigned int budget,
					    unsigned int *psize)
{
	unsigned int order;
	struct page *page;
	size_t copied;

	budget = min3(budget, (unsigned int)PUNIX_APPEND_PAGE,
		      (unsigned int)READ_ONCE(sk->sk_sndbuf) >> 2);
	if (grow->nr_frags >= min_t(unsigned int, PUNIX_APPEND_FRAGS,
				    MAX_SKB_FRAGS) ||
	    grow->tail_len + size > PUNIX_APPEND_LEN ||
	    budget < PAGE_ALIGN(size) || READ_ONCE(sk->sk_err) ||
	    (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	    sk_wmem_alloc_get(sk) >= READ_ONCE(sk->sk_sndbuf))
		return NULL;

	order = ilog2(budget >> PAGE_SHIFT);
	if ((PAGE_SIZE << order) < size)
		return NULL;
	page = alloc_pages(sk->sk_allocation | __GFP_COMP | __GFP_NOWARN |
			   (order ? __GFP_NORETRY : 0), order);
	if (!page)
		return NULL;
	copied = copy_page_from_iter(page, 0, size, &msg->msg_iter);
	if (copied != (size_t)size) {
		iov_iter_revert(&msg->msg_iter, copied);
		put_page(page);
		return NULL;
	}
	*psize = PAGE_SIZE << order;
	return page;
}

/*
 * Called with @other's @iolock (tried) and state lock held: add @page,
 * holding @size bytes of @sk's write, to the tail skb as its next page,
 * charged to @sk, if the tail is still the one punix_stream_append()
 * described in @grow and may still take the write. False otherwise.
 */
static bool punix_stream_add_frag(struct sock *sk, struct socket *sock,
				  struct sock *other, struct scm_cookie *scm,
				  const struct punix_grow *grow,
				  struct page *page, unsigned int psize,
				  int size, unsigned int budget)
{
	struct sk_buff_head *q = &other->sk_receive_queue;
	struct sk_buff *tail;
	unsigned int credit;

	spin_lock(&q->lock);
	tail = skb_peek_tail(q);
	if (!punix_stream_may_join(sk, sock, other, tail, scm) ||
	    skb_shinfo(tail)->nr_frags != grow->nr_frags ||
	    tail->truesize != grow->tail_truesize) {
		spin_unlock(&q->lock);
		return false;
	}
	skb_fill_page_desc(tail, grow->nr_frags, page, 0, size);
	tail->len += size;
	tail->data_len += size;
	tail->truesize += psize;
	refcount_add(psize, &sk->sk_wmem_alloc);
	/* What the budget leaves over, and what the tail gained since. */
	credit = budget - psize + PUNIX_CB(tail)->credit;
	PUNIX_CB(tail)->credit = min_t(u32, credit, PUNIX_APPEND_CREDIT);
	spin_unlock(&q->lock);
	return true;
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
		wake_up_interruptible_all(&u->room_wait);
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
	wake_up_interruptible(&punix_sk(sk)->room_wait);

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

static int punix_stream_sendmsg(struct socket *sock, struct msghdr *msg,
				size_t len)
{
	bool fds_sent = false, replace, no_replace = false, added;
	unsigned int budget, psize;
	struct sk_buff *skb, *old_tail;
	struct sock *sk = sock->sk;
	struct punix_grow grow;
	struct scm_cookie scm;
	struct page *page;
	struct sock *other;
	size_t sent = 0;
	int err, size, paged;

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

		/*
		 * No files, one part (all in the head, or all in pages): the
		 * bytes may join the tail skb.
		 */
		grow = (struct punix_grow){};
		if (!scm.fp && (!paged || paged == size) &&
		    punix_stream_append(sk, sock, other, msg, &scm, size,
					paged, &grow)) {
			sent += size;
			continue;
		}

		/*
		 * The memory bound: see PUNIX_APPEND_HEAD. A page for the
		 * tail or a replacement for it waits for no reader: with one
		 * in the queue now, the write takes the usual way at once.
		 */
		skb = NULL;
		replace = false;
		budget = grow.credit + punix_write_cost(size, paged);
		if (mutex_is_locked(&punix_sk(other)->iolock))
			no_replace = true;
		if (grow.grow && paged && !no_replace) {
			page = punix_stream_alloc_frag(sk, msg, size, &grow,
						       budget, &psize);
			if (page) {
				if (!mutex_trylock(&punix_sk(other)->iolock))
					goto undo_frag;
				punix_state_lock(other);
				added = !sock_flag(other, SOCK_DEAD) &&
					!(other->sk_shutdown & RCV_SHUTDOWN) &&
					punix_stream_add_frag(sk, sock, other,
							      &scm, &grow,
							      page, psize,
							      size, budget);
				punix_state_unlock(other);
				mutex_unlock(&punix_sk(other)->iolock);
				if (!added)
					goto undo_frag;
				other->sk_data_ready(other);
				sent += size;
				continue;
			}
		}
		if (grow.grow && !paged && !no_replace) {
			skb = punix_stream_alloc_replace(sk, size, &grow, budget);
			replace = !!skb;
		}
		if (grow.grow && !paged && !skb)
			skb = punix_stream_alloc_grown(sk, 2 * size, budget);
		if (!skb)
			skb = sock_alloc_send_pskb(sk, size - paged, paged,
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
		/* Later writes may join a plain skb of one part. */
		PUNIX_CB(skb)->append = (!paged || paged == size) &&
					!PUNIX_CB(skb)->fp;
		/* What the budget leaves over (0 for af_unix's own skb). */
		if (grow.grow && !replace && budget > skb->truesize)
			PUNIX_CB(skb)->credit = min_t(u32, budget - skb->truesize,
						      PUNIX_APPEND_CREDIT);

		skb_put(skb, size - paged);
		skb->data_len = paged;
		skb->len = size;
		err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, size);
		if (err) {
			kfree_skb(skb);
			goto out_err;
		}

		/* A reader in the tail: leave it, and take the usual way. */
		if (replace && !mutex_trylock(&punix_sk(other)->iolock))
			goto undo_replace;

		punix_state_lock(other);
		if (sock_flag(other, SOCK_DEAD) ||
		    (other->sk_shutdown & RCV_SHUTDOWN)) {
			punix_state_unlock(other);
			if (replace)
				mutex_unlock(&punix_sk(other)->iolock);
			kfree_skb(skb);
			goto pipe_err;
		}
		punix_maybe_add_creds(skb, sock, other);
		if (replace) {
			old_tail = punix_stream_replace_tail(sk, sock, other, skb,
							     &scm, &grow,
							     budget);
			punix_state_unlock(other);
			mutex_unlock(&punix_sk(other)->iolock);
			if (!old_tail)
				goto undo_replace;
			consume_skb(old_tail);
			other->sk_data_ready(other);
			sent += size;
			continue;
		}
		punix_scm_stat_add(other, skb);
		skb_queue_tail(&other->sk_receive_queue, skb);
		punix_state_unlock(other);
		other->sk_data_ready(other);
		sent += size;
		continue;

undo_replace:
		/* The tail changed: write these bytes again, the usual way. */
		kfree_skb(skb);
		iov_iter_revert(&msg->msg_iter, size);
		no_replace = true;
		continue;

undo_frag:
		/* The same, for a page that the tail did not take. */
		put_page(page);
		iov_iter_revert(&msg->msg_iter, size);
		no_replace = true;
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
		/* Writers append to the tail under the lock: read it here. */
		avail = punix_skb_len(skb);
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
			skip = 0;
			last = skb;
			punix_state_lock(sk);
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
		 * A writer may append to the tail skb under the state lock
		 * (punix_stream_append()): whether this one is empty, and
		 * unlinking it if so, happen under that lock too.
		 */
		punix_state_lock(sk);
		PUNIX_CB(skb)->consumed += chunk;
		if (punix_skb_len(skb)) {
			/*
			 * @size is used up, or the pipe is full (splice), or a
			 * writer appended after @avail was read: then read on
			 * (MSG_WAITALL, a large read).
			 */
			punix_state_unlock(sk);
			if (chunk < want)
				break;
			continue;
		}
		skb_unlink(skb, &sk->sk_receive_queue);
		punix_state_unlock(sk);
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
