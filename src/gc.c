// SPDX-License-Identifier: GPL-2.0
/*
 * punix: sockets in flight and their garbage collector.
 *
 * A punix socket whose file rides in an SCM_RIGHTS message queued on some
 * socket is "in flight". Sockets passed over each other can form cycles
 * that no process can reach any more: a socket sent over itself, two
 * sockets sent over each other, a listener sent over one of its
 * unaccepted connections. af_unix's collector only knows AF_UNIX sockets,
 * so punix keeps its own.
 *
 * Accounting: every scm_fp_list attached to a queued skb counts, for each
 * punix socket among its files, one in-flight reference on that socket
 * (punix_vertex.inflight). A socket with a non-zero count is on
 * punix_gc_inflight_list. Each user's in-flight files are counted too, to
 * bound them by RLIMIT_NOFILE as af_unix does (ETOOMANYREFS).
 *
 * A socket's collector state lives out of line, in its struct
 * punix_vertex (as af_unix's struct unix_vertex), so that a socket whose
 * file never went in flight pays one pointer for it
 * (punix_sock.vertex). The vertex is allocated the first time the
 * socket's file goes in flight, by punix_inflight_add() before it commits
 * anything (an allocation failure is -ENOMEM from sendmsg(), with nothing
 * queued), and freed by the socket's destructor (punix_vertex_free()).
 *
 * Collection (punix_gc_work), all under punix_gc_lock, mark and sweep:
 *  1. candidates: in-flight sockets whose file has no reference other than
 *     the in-flight ones (file_count() == inflight);
 *  2. for every in-flight punix socket found in a candidate's queue (and,
 *     for a listener, in the queues of its unaccepted connections, which
 *     whoever accepts will own), take one off that socket's gc_refs;
 *  3. a candidate with gc_refs left is referenced from outside the
 *     candidates: it is reachable, and so is everything in its queues,
 *     transitively (an explicit work list, no recursion);
 *  4. the candidates not reached are garbage: the skbs carrying files are
 *     taken off their queues and freed once the lock is dropped. Freeing
 *     them drops the last references of the cycle and the sockets go.
 *
 * Why a snapshot under one lock is sound: a file in flight reaches a
 * process only by being received, and receiving detaches its list under
 * punix_gc_lock, so no candidate gains a reference while the collector
 * runs. MSG_PEEK duplicates files without detaching them; a peeker takes
 * and drops punix_gc_lock before returning its files (punix_peek_fds), so
 * no duplicate made during a collection is used before it ends. Queues may
 * grow while the collector runs (an skb whose list was attached earlier),
 * which can only make it keep more: gc_refs is recomputed from scratch on
 * every run and the marks never feed back into the in-flight counts.
 *
 * Lock order: punix_gc_lock, then a candidate's sk_receive_queue.lock,
 * then (nested) an embryo's sk_receive_queue.lock. So no skb that carries
 * files is ever freed under a receive-queue lock (its destructor takes
 * punix_gc_lock); it may be under a state lock, which the collector never
 * takes.
 */

#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/scm.h>
#include <net/sock.h>

#include "punix.h"

/* As af_unix: make heavy senders wait (PUNIX_INFLIGHT_TRIGGER_GC: punix.h). */
#define PUNIX_INFLIGHT_SANE_USER	(SCM_MAX_FD * 8)

/*
 * struct punix_vertex - a socket's collector state (see above).
 *
 * punix_sock.vertex is set once, from NULL, under punix_gc_lock, and
 * stays until the destructor frees the vertex: a socket whose file is in
 * flight (in an scm_fp_list that holds the file, hence the socket) has
 * one. @u is set before the vertex is published and never changes.
 */
struct punix_vertex {
	struct punix_sock	*u;		/* its socket */
	unsigned int		inflight;	/* times its file is in flight */
	int			gc_refs;
	struct list_head	gc_link;	/* on the in-flight list */
	struct list_head	gc_work;	/* a collection's own lists */
	u8			gc_flags;
};

/*
 * punix_gc_lock protects punix_gc_inflight_list, punix_sock.vertex (its
 * setting), punix_vertex.inflight, .gc_link, .gc_work, .gc_refs,
 * .gc_flags, punix_tot_inflight and punix_user_table.
 */
static DEFINE_SPINLOCK(punix_gc_lock);
static LIST_HEAD(punix_gc_inflight_list);
unsigned int punix_tot_inflight;	/* read locklessly: punix.h */
static bool punix_gc_in_progress;

/* Files in flight per user (uid), for RLIMIT_NOFILE. */
struct punix_user_inflight {
	struct hlist_node	node;
	kuid_t			uid;
	unsigned int		count;
};

static DEFINE_HASHTABLE(punix_user_table, 6);

#define PUNIX_GC_CANDIDATE	BIT(0)
#define PUNIX_GC_REACHABLE	BIT(1)

static struct punix_user_inflight *punix_user_find(kuid_t uid)
{
	struct punix_user_inflight *ui;

	lockdep_assert_held(&punix_gc_lock);
	hash_for_each_possible(punix_user_table, ui, node, __kuid_val(uid))
		if (uid_eq(ui->uid, uid))
			return ui;
	return NULL;
}

/* Files the current user has in flight over punix. */
static unsigned int punix_user_inflight(void)
{
	struct punix_user_inflight *ui;
	unsigned int count = 0;

	spin_lock(&punix_gc_lock);
	ui = punix_user_find(current_uid());
	if (ui)
		count = ui->count;
	spin_unlock(&punix_gc_lock);
	return count;
}

/* As af_unix's too_many_unix_fds(). */
bool punix_too_many_fds(void)
{
	if (unlikely(punix_user_inflight() > rlimit(RLIMIT_NOFILE)))
		return !capable(CAP_SYS_RESOURCE) && !capable(CAP_SYS_ADMIN);
	return false;
}

/* The punix sock behind @filp, or NULL if it is none. */
struct sock *punix_get_socket(struct file *filp)
{
	struct socket *sock = sock_from_file(filp);
	const struct proto_ops *ops;

	if (!sock)
		return NULL;
	ops = READ_ONCE(sock->ops);
	if (ops != &punix_stream_ops && ops != &punix_dgram_ops &&
	    ops != &punix_seqpacket_ops)
		return NULL;
	return sock->sk;
}

static void punix_vertices_free(struct list_head *vertices)
{
	struct punix_vertex *v, *next;

	list_for_each_entry_safe(v, next, vertices, gc_link)
		kfree(v);
}

/*
 * @fpl is being attached to a queued skb: its punix sockets are in flight.
 * May sleep: allocates the vertices of sockets going in flight for the
 * first time, and the user's counter the first time, before anything is
 * changed, so that a failure (-ENOMEM) leaves everything as it was.
 */
int punix_inflight_add(struct scm_fp_list *fpl)
{
	struct punix_user_inflight *ui, *spare = NULL;
	kuid_t uid = fpl->user->uid;
	struct punix_vertex *v;
	LIST_HEAD(vertices);
	struct punix_sock *u;
	struct sock *sk;
	int i;

	/*
	 * One vertex for each file of a socket that has none yet. Read
	 * without the lock: a vertex, once set, stays while @fpl holds the
	 * file, so each one still missing below has one here. A socket
	 * listed twice, or given one meanwhile, leaves some over.
	 */
	for (i = 0; fpl->count_unix && i < fpl->count; i++) {
		sk = punix_get_socket(fpl->fp[i]);
		if (!sk || READ_ONCE(punix_sk(sk)->vertex))
			continue;
		v = kmalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
		if (!v) {
			punix_vertices_free(&vertices);
			return -ENOMEM;
		}
		list_add(&v->gc_link, &vertices);
	}

	for (;;) {
		spin_lock(&punix_gc_lock);
		ui = punix_user_find(uid);
		if (ui || spare)
			break;
		spin_unlock(&punix_gc_lock);
		spare = kzalloc(sizeof(*spare), GFP_KERNEL);
		if (!spare) {
			punix_vertices_free(&vertices);
			return -ENOMEM;
		}
	}
	if (!ui) {
		ui = spare;
		spare = NULL;
		ui->uid = uid;
		hash_add(punix_user_table, &ui->node, __kuid_val(uid));
	}
	ui->count += fpl->count;

	for (i = 0; fpl->count_unix && i < fpl->count; i++) {
		sk = punix_get_socket(fpl->fp[i]);
		if (!sk)
			continue;
		u = punix_sk(sk);
		v = u->vertex;
		if (!v) {
			v = list_first_entry(&vertices, struct punix_vertex,
					     gc_link);
			list_del(&v->gc_link);
			v->u = u;
			v->inflight = 0;
			INIT_LIST_HEAD(&v->gc_work);
			WRITE_ONCE(u->vertex, v);
		}
		if (!v->inflight++) {
			list_add_tail(&v->gc_link, &punix_gc_inflight_list);
			v->gc_flags = 0;
		}
		WRITE_ONCE(punix_tot_inflight, punix_tot_inflight + 1);
	}
	spin_unlock(&punix_gc_lock);

	kfree(spare);
	punix_vertices_free(&vertices);
	return 0;
}

/* @fpl left its skb (received, or the skb is freed): undo the above. */
void punix_inflight_del(struct scm_fp_list *fpl)
{
	struct punix_user_inflight *ui;
	struct punix_vertex *v;
	struct sock *sk;
	int i;

	spin_lock(&punix_gc_lock);
	for (i = 0; fpl->count_unix && i < fpl->count; i++) {
		sk = punix_get_socket(fpl->fp[i]);
		if (!sk)
			continue;
		v = punix_sk(sk)->vertex;
		if (!WARN_ON_ONCE(!v || !v->inflight) && !--v->inflight)
			list_del_init(&v->gc_link);
		WRITE_ONCE(punix_tot_inflight, punix_tot_inflight - 1);
	}

	ui = punix_user_find(fpl->user->uid);
	if (!WARN_ON_ONCE(!ui || ui->count < fpl->count)) {
		ui->count -= fpl->count;
		if (!ui->count)
			hash_del(&ui->node);
		else
			ui = NULL;
	} else {
		ui = NULL;
	}
	spin_unlock(&punix_gc_lock);

	kfree(ui);
}

/*
 * The destructor of @sk: nothing holds its file, so it is not in flight,
 * and no collection can reach its vertex.
 */
void __punix_vertex_free(struct sock *sk)
{
	struct punix_vertex *v = punix_sk(sk)->vertex;

	WARN_ON_ONCE(v->inflight);
	punix_sk(sk)->vertex = NULL;
	kfree(v);
}

/*
 * MSG_PEEK made duplicates of files still in flight: wait for a collection
 * that may have started before they existed to end before they are used.
 */
void punix_gc_peek_barrier(void)
{
	spin_lock(&punix_gc_lock);
	spin_unlock(&punix_gc_lock);
}

/*
 * One in-flight sock @u seen in a queue scanned by the collector: step 2
 * (@work NULL) takes one off its gc_refs; step 3 marks it reachable and
 * puts it on @work to scan its own queues. In flight, it has a vertex.
 */
static void punix_gc_visit(struct punix_sock *u, struct list_head *work)
{
	struct punix_vertex *v = u->vertex;

	if (!(v->gc_flags & PUNIX_GC_CANDIDATE))
		return;
	if (!work) {
		v->gc_refs--;
	} else if (!(v->gc_flags & PUNIX_GC_REACHABLE)) {
		v->gc_flags |= PUNIX_GC_REACHABLE;
		/* from the candidates to the work list */
		list_move_tail(&v->gc_work, work);
	}
}

/* Visit every punix sock in flight inside @skb's file list. */
static void punix_gc_visit_skb(struct sk_buff *skb, struct list_head *work)
{
	struct scm_fp_list *fpl = PUNIX_CB(skb)->fp;
	struct sock *sk;
	int i;

	if (!fpl || !fpl->count_unix)
		return;
	for (i = 0; i < fpl->count; i++) {
		sk = punix_get_socket(fpl->fp[i]);
		if (sk)
			punix_gc_visit(punix_sk(sk), work);
	}
}

/*
 * Visit every in-flight sock in @sk's queue and, for a listener, in the
 * queues of the connections waiting to be accepted.
 */
static void punix_gc_scan(struct sock *sk, struct list_head *work)
{
	struct sk_buff_head *q = &sk->sk_receive_queue, *eq;
	struct sk_buff *skb, *eskb;

	spin_lock(&q->lock);
	skb_queue_walk(q, skb) {
		punix_gc_visit_skb(skb, work);
		if (READ_ONCE(sk->sk_state) != TCP_LISTEN || !skb->sk ||
		    skb->sk == sk)
			continue;
		/* An embryo: the skb is its, and holds it. */
		eq = &skb->sk->sk_receive_queue;
		spin_lock_nested(&eq->lock, SINGLE_DEPTH_NESTING);
		skb_queue_walk(eq, eskb)
			punix_gc_visit_skb(eskb, work);
		spin_unlock(&eq->lock);
	}
	spin_unlock(&q->lock);
}

/*
 * Move the skbs of @sk's queue that carry files (all of them if @all) to
 * @hitlist, forgetting the OOB byte if it goes (CVE-2024-26750).
 */
static void punix_collect_queue(struct sock *sk, struct sk_buff_head *hitlist,
				bool all)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *skb, *next;

	skb_queue_walk_safe(q, skb, next) {
		if (!all && !PUNIX_CB(skb)->fp)
			continue;
		if (skb == punix_sk(sk)->oob_skb)
			WRITE_ONCE(punix_sk(sk)->oob_skb, NULL);
		__skb_unlink(skb, q);
		__skb_queue_tail(hitlist, skb);
	}
}

static void punix_gc_collect(struct sock *sk, struct sk_buff_head *hitlist)
{
	struct sk_buff_head *q = &sk->sk_receive_queue, *eq;
	struct sk_buff *skb;

	spin_lock(&q->lock);
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN) {
		skb_queue_walk(q, skb) {
			if (!skb->sk || skb->sk == sk)
				continue;
			eq = &skb->sk->sk_receive_queue;
			spin_lock_nested(&eq->lock, SINGLE_DEPTH_NESTING);
			punix_collect_queue(skb->sk, hitlist,
					    PUNIX_GC_TAKES_QUEUE);
			spin_unlock(&eq->lock);
		}
		/* Its own queue holds the embryos: as af_unix, kept. */
		punix_collect_queue(sk, hitlist, false);
	} else {
		/* The whole queue where af_unix takes it (compat.h). */
		punix_collect_queue(sk, hitlist, PUNIX_GC_TAKES_QUEUE);
	}
	spin_unlock(&q->lock);
}

static void punix_gc(struct work_struct *work)
{
	struct punix_vertex *v, *next;
	struct sk_buff_head hitlist;
	LIST_HEAD(candidates);
	LIST_HEAD(reached);
	struct socket *sock;
	struct file *filp;

	__skb_queue_head_init(&hitlist);

	spin_lock(&punix_gc_lock);

	/* 1. Sockets referenced only from flight. */
	list_for_each_entry(v, &punix_gc_inflight_list, gc_link) {
		v->gc_flags = 0;
		sock = v->u->sk.sk_socket;
		filp = sock ? sock->file : NULL;
		if (!filp || file_count(filp) != v->inflight)
			continue;
		v->gc_flags = PUNIX_GC_CANDIDATE;
		v->gc_refs = v->inflight;
		list_add_tail(&v->gc_work, &candidates);
	}

	/* 2. Take off the references candidates hold on each other. */
	list_for_each_entry(v, &candidates, gc_work)
		punix_gc_scan(&v->u->sk, NULL);

	/* 3. What is still referenced from outside is reachable. */
	list_for_each_entry_safe(v, next, &candidates, gc_work) {
		if (v->gc_refs > 0) {
			v->gc_flags |= PUNIX_GC_REACHABLE;
			list_move_tail(&v->gc_work, &reached);
		}
	}
	while (!list_empty(&reached)) {
		v = list_first_entry(&reached, struct punix_vertex, gc_work);
		list_del_init(&v->gc_work);
		punix_gc_scan(&v->u->sk, &reached);
	}

	/* 4. The rest is garbage. */
	list_for_each_entry_safe(v, next, &candidates, gc_work) {
		list_del_init(&v->gc_work);
		if (!(v->gc_flags & PUNIX_GC_REACHABLE))
			punix_gc_collect(&v->u->sk, &hitlist);
	}
	list_for_each_entry(v, &punix_gc_inflight_list, gc_link)
		v->gc_flags = 0;

	spin_unlock(&punix_gc_lock);

	__skb_queue_purge(&hitlist);
	WRITE_ONCE(punix_gc_in_progress, false);
}

static DECLARE_WORK(punix_gc_work, punix_gc);

/* As af_unix's unix_gc(): run the collector in the background. */
void punix_gc_start(void)
{
	WRITE_ONCE(punix_gc_in_progress, true);
	queue_work(system_unbound_wq, &punix_gc_work);
}

/* punix_wait_for_gc() with too much in flight, or files to send. */
void __punix_wait_for_gc(struct scm_fp_list *fpl)
{
	if (READ_ONCE(punix_tot_inflight) > PUNIX_INFLIGHT_TRIGGER_GC &&
	    !READ_ONCE(punix_gc_in_progress))
		punix_gc_start();

	if (!fpl || !fpl->count_unix ||
	    punix_user_inflight() < PUNIX_INFLIGHT_SANE_USER)
		return;

	if (READ_ONCE(punix_gc_in_progress))
		flush_work(&punix_gc_work);
}

/* Module exit: no collection may still run module code. */
void punix_gc_exit(void)
{
	flush_work(&punix_gc_work);
}
