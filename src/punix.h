/* SPDX-License-Identifier: GPL-2.0 */
/*
 * punix: a parallel UNIX-domain socket family.
 *
 * Private definitions shared by the files of the module: the socket
 * structure, its locking rules, and the entry points each file offers.
 */
#ifndef _PUNIX_H
#define _PUNIX_H

#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/path.h>
#include <linux/poll.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/un.h>
#include <linux/wait.h>
#include <net/af_unix.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/scm.h>
#include <net/sock.h>

#include "compat.h"

struct punix_vertex;

/* The family number in use (module parameter "family"). */
extern int punix_family;

/*
 * A bound name. Shared, read-only once published, between a socket and the
 * sockets accept() made from it; freed when the last user drops it.
 */
struct punix_address {
	refcount_t		refcnt;
	int			len;	/* bytes of @name that are valid */
	union {
		/* sun_family is always punix_family */
		struct sockaddr_un	name;
		/* room for the NUL after a path that fills sun_path */
		struct sockaddr_storage	storage;
	};
	struct rcu_head		rcu;	/* lookups may read a freed one */
};

/*
 * The LSM unix hooks (security_unix_stream_connect/_may_send) are written for
 * AF_UNIX: Landlock reads unix_sk(sk)->addr, ->peer and asserts ->lock held.
 * So @addr, @path, @peer and @lock sit where struct unix_sock has them, and
 * struct punix_address has struct unix_address's layout (checked below).
 * What unix_sock has between peer and lock (listener and vertex) is read by
 * af_unix alone (no LSM, BPF or io_uring code outside net/unix/ reads it;
 * bpf_skc_to_unix_sock() and lsm_audit look at AF_UNIX sockets only): punix
 * keeps its own fields there.
 */

/*
 * struct punix_sock - one punix socket.
 *
 * Locking rules. A lock below is only ever taken while holding none, or
 * some of those listed before it, in this order:
 *
 *   parent directory's i_rwsem (bind of a path: kern_path_create())
 *   > @bindlock > a bucket lock of an address table (addr.c)
 *
 *   @iolock > @lock (> a second @lock) > sk_peer_lock, sk_callback_lock,
 *   sk_receive_queue.lock, peer_wq.wait.lock > wait-queue lock of
 *   sk_sleep()
 *
 *   punix_net.lock (walkers: proc.c, diag.c) > @lock, sk_callback_lock,
 *   sk_receive_queue.lock (> a queued embryo's client's sk_callback_lock)
 *
 * - @bindlock serialises bind() and autobind on this socket. A path bind
 *   takes it inside the parent directory's i_rwsem; autobind (also from
 *   connect() and sendmsg(), before any other punix lock) without it. No
 *   punix lock is held when i_rwsem is taken (path lookups included).
 *   Every wait for it is interruptible (mutex_lock_interruptible(), as
 *   af_unix's bind and autobind): a signal ends it with -EINTR.
 * - @iolock serialises readers of sk_receive_queue for the whole of a
 *   recvmsg() call (a reader may sleep while copying, but drops it before
 *   it sleeps for data). It is taken before @lock, never inside it; the
 *   receive-queue lock, punix_gc_lock (files leaving flight, gc.c) and
 *   punix_pidfd_mutex (scm.c) nest inside it.
 * - @lock is the state lock. It protects sk_state, sk_shutdown and @peer
 *   changes. Two state locks are held at once only by a stream or
 *   seqpacket connect(), the listener's before the connecting socket's,
 *   and by datagram code (punix_state_double_lock()), lower address first.
 *   A listener is never locked second, so the two orders cannot close a
 *   cycle; lockdep checks both (punix_state_lock_cmp_fn(), core.c).
 *   Inside @lock nest: sk_peer_lock (credentials), sk_callback_lock
 *   (sock_orphan(), sock_graft()), the receive-queue lock of the socket
 *   locked (queueing on it, @oob_skb), any socket's peer_wq.wait.lock
 *   (hooking @peer_wake, punix_wait_for_peer(), listen()'s wakeup), the
 *   sk_sleep() wait-queue locks (wakeups, waits) and the file owner's
 *   lock (SIGURG, oob.c).
 * - peer_wq.wait.lock: @peer_wake relays a wakeup under the peer's
 *   peer_wq.wait.lock to the sender's sk_sleep() queue, so that queue's
 *   lock nests inside it. No state lock is taken inside either.
 * - sk_receive_queue.lock: innermost among the socket locks, but for the
 *   collector (gc.c), which takes punix_gc_lock > a listener's queue lock
 *   > (nested) each embryo's queue lock, and never a state lock, and for
 *   sock_diag's UNIX_DIAG_ICONS (diag.c), which reads the inode of each
 *   queued embryo's client (its sk_callback_lock) under a listener's
 *   queue lock, as unix_diag does. The
 *   destructor of an skb that carries files takes punix_gc_lock, so such
 *   an skb may be freed under @iolock or @lock, never under a queue or
 *   wait-queue lock.
 *   A stream writer appends to its peer's tail skb under the peer's
 *   queue lock alone (stream.c, punix_stream_append()): for a stream
 *   skb, that lock orders the growth of its length and the decision that
 *   it is empty (and its unlinking).
 * - @addr and @path are written once, under @bindlock (bind) or before the
 *   socket is visible (accept), and published with smp_store_release();
 *   readers use smp_load_acquire() on @addr and may then read @path.
 * - @peer holds a reference on the peer sock. For stream sockets it is set
 *   once (connect, socketpair) and cleared only by release of this socket,
 *   so code running inside a system call on this socket may read it with
 *   READ_ONCE() and use it without taking a reference.
 */
struct punix_sock {
	struct sock		sk;	/* must be first */
	struct punix_address	*addr;
	struct path		path;
	struct mutex		iolock;		/* see above */
	struct mutex		bindlock;	/* see above */
	struct sock		*peer;
	/*
	 * addr.c: the address table entry. A table links the socket through
	 * the first word of sk_node, which survives the reuse of its memory
	 * (see addr.c). What the table hashes is @table_key: the node of a
	 * path (punix_bsd_table), a struct inode pointer, or an abstract
	 * name (punix_net.abstract), a struct punix_address pointer with
	 * bit 0 set (PUNIX_TABLE_ABSTRACT, addr.c): set under @bindlock
	 * before the socket is inserted and cleared when it is removed, so
	 * non-zero only while it is in a table (an accepted socket shares
	 * its listener's @addr but is in no table). Lockless lookups read
	 * it (addr.c).
	 */
	unsigned long		table_key;
	/* gc.c: our collector state, once our file went in flight */
	struct punix_vertex	*vertex;
	spinlock_t		lock;		/* see above */
	atomic_t		scm_fds;	/* files queued on us, fdinfo */
	wait_queue_entry_t	peer_wake;	/* dgram.c: hooked on peer's */
	/* core.c: our namespace's, whose @socks lists us by sk_bind_node */
	struct punix_net	*pnet;
	/*
	 * Stream: the skb holding the pending MSG_OOB byte, which stays on
	 * sk_receive_queue (oob.c). Set and cleared only with
	 * sk_receive_queue.lock held, so whoever unlinks or frees an skb
	 * under that lock sees it (CVE-2024-36972); lockless readers
	 * (poll) use READ_ONCE().
	 */
	struct sk_buff		*oob_skb;
	/*
	 * An embryo's wq until accept() grafts it onto its socket. Its wait
	 * queue is also, as af_unix's peer_wait, where senders wait for room
	 * in our receive queue: punix_wait_for_peer() (connect() to a
	 * listener, a send to a datagram socket not connected back to the
	 * sender) and the @peer_wake hooks of datagram senders (dgram.c).
	 * Both uses never meet: nothing waits for room on an embryo, which
	 * is no listener and whose only sender, its client (a stream or
	 * seqpacket socket), is its @peer, flow controlled by its send buffer
	 * alone; once the embryo is released (@peer NULL, SOCK_DEAD) a
	 * seqpacket client's poll may hook @peer_wake on it, and unhooks at
	 * once on seeing SOCK_DEAD (punix_peer_wake_me()). Nor does anything
	 * wait on an embryo's sk_sleep() before accept(): it has no file.
	 */
	struct socket_wq	peer_wq;	/* last: see PUNIX_SOCK_SIZE */
};

static_assert(offsetof(struct punix_sock, addr) ==
	      offsetof(struct unix_sock, addr));
static_assert(offsetof(struct punix_sock, path) ==
	      offsetof(struct unix_sock, path));
static_assert(offsetof(struct punix_sock, peer) ==
	      offsetof(struct unix_sock, peer));
static_assert(offsetof(struct punix_sock, lock) ==
	      offsetof(struct unix_sock, lock));
/*
 * What the slab allocates for a punix_sock (core.c): all of it but the
 * padding after @peer_wq, which a cache-aligned struct socket_wq carries.
 * Nothing touches that padding; the slab keeps its free pointer there,
 * after the object, as it does for a SLAB_TYPESAFE_BY_RCU cache (addr.c).
 * So the object is 1024 bytes, as AF_UNIX's: issue 9's memory target, an
 * idle punix socket holds no more slab memory than an AF_UNIX one.
 */
#define PUNIX_SOCK_SIZE	(offsetof(struct punix_sock, peer_wq) +	\
			 offsetofend(struct socket_wq, rcu))
static_assert(offsetofend(struct punix_sock, peer_wq) ==
	      sizeof(struct punix_sock));
static_assert(PUNIX_SOCK_SIZE + sizeof(void *) <= sizeof(struct unix_sock));
static_assert(offsetof(struct punix_address, refcnt) ==
	      offsetof(struct unix_address, refcnt));
static_assert(offsetof(struct punix_address, len) ==
	      offsetof(struct unix_address, len));
static_assert(offsetof(struct punix_address, name) ==
	      offsetof(struct unix_address, name));

/*
 * struct punix_net - punix's state in one network namespace (net_generic()
 * slot punix_net_id, set up before the family is registered).
 *
 * @socks lists every punix sock of the namespace from its allocation
 * (embryos included) until punix_release_sock(), newest first, through
 * sk_bind_node (which punix's address tables do not use: they link
 * sk_node): what /proc/net/punix (proc.c) and sock_diag (diag.c) walk.
 * An hlist, as af_unix's per-namespace socket table, and each sock keeps
 * a pointer to its punix_net: a socket leaves the list without
 * net_generic()'s RCU section and without the checks CONFIG_DEBUG_LIST
 * adds to list_del(), which together were a tenth of
 * punix_release_sock()'s time under emulation (6.1, perf).
 *
 * @lock protects @socks and every punix sock's sk_bind_node. It is taken with
 * no punix lock held (allocation, release) or, by the walkers, as the
 * outermost lock: a walker holds it while it takes a listed socket's
 * state lock, sk_callback_lock (sock_i_ino()) or receive-queue lock, so
 * none of those may be held when taking it. Never held while sleeping.
 *
 * @abstract is the namespace's table of abstract names (addr.c), a
 * resizable hash table with a lock per bucket and lockless (RCU) lookups;
 * its locking rules are in addr.c. Paths are found by inode, from any
 * namespace, in the one global table of addr.c.
 */
struct punix_net {
	spinlock_t		lock;		/* see above */
	struct hlist_head	socks;
	struct rhashtable	abstract;
};

extern unsigned int punix_net_id;

static inline struct punix_net *punix_net(const struct net *net)
{
	return net_generic(net, punix_net_id);
}

static inline struct punix_sock *punix_sk(const struct sock *sk)
{
	return (struct punix_sock *)sk;
}

static inline void punix_state_lock(struct sock *sk)
{
	spin_lock(&punix_sk(sk)->lock);
}

static inline void punix_state_unlock(struct sock *sk)
{
	spin_unlock(&punix_sk(sk)->lock);
}

/* Make @addr @sk's name. */
static inline void punix_publish_addr(struct sock *sk,
				      struct punix_address *addr)
{
	/*
	 * Orders the stores that set up @addr and punix_sock.path before
	 * the pointer; pairs with punix_get_addr().
	 */
	smp_store_release(&punix_sk(sk)->addr, addr);
}

/* @sk's name or NULL. */
static inline struct punix_address *punix_get_addr(const struct sock *sk)
{
	/* Pairs with punix_publish_addr(). */
	return smp_load_acquire(&punix_sk(sk)->addr);
}

static inline struct sock *punix_peer(const struct sock *sk)
{
	return READ_ONCE(punix_sk(sk)->peer);
}

/* @sk's peer, with a reference held, or NULL. */
static inline struct sock *punix_peer_get(struct sock *sk)
{
	struct sock *peer;

	punix_state_lock(sk);
	peer = punix_sk(sk)->peer;
	if (peer)
		sock_hold(peer);
	punix_state_unlock(sk);
	return peer;
}

/*
 * Per-skb data, kept in skb->cb: what the message carries besides its
 * bytes (scm.c), and how much of it a stream reader has consumed.
 */
struct punix_skb_parms {
	struct pid		*pid;	/* sender's credentials, or NULL */
	kuid_t			uid;
	kgid_t			gid;
	struct scm_fp_list	*fp;	/* files in flight, or NULL */
#ifdef CONFIG_SECURITY_NETWORK
	u32			secid;
#endif
	u32			consumed;	/* stream: bytes already read */
	/*
	 * stream: later writes of the same writer may be appended to this
	 * skb's linear tailroom (stream.c, punix_stream_append()). Set only
	 * on plain data skbs; never on an OOB skb or one carrying files.
	 */
	u8			append;
	/*
	 * stream: what af_unix would have spent on the writes appended to
	 * this skb, not yet spent on a new head (stream.c, the memory bound
	 * at PUNIX_APPEND_HEAD).
	 */
	u32			credit;
};

static_assert(sizeof(struct punix_skb_parms) <=
	      sizeof_field(struct sk_buff, cb));

#define PUNIX_CB(skb)	((struct punix_skb_parms *)&((skb)->cb))

static inline unsigned int punix_skb_len(const struct sk_buff *skb)
{
	return skb->len - PUNIX_CB(skb)->consumed;
}

/* core.c */
struct sock *punix_sock_alloc(struct net *net, struct socket *sock, int kern,
			      int type);
void punix_release_sock(struct sock *sk, bool embryo);
int punix_release(struct socket *sock);
int punix_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
int punix_shutdown(struct socket *sock, int how);
int punix_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
int punix_compat_ioctl(struct socket *sock, unsigned int cmd,
		       unsigned long arg);
long punix_inq_len(struct sock *sk);
bool punix_recvq_full(const struct sock *sk);
long punix_wait_for_peer(struct sock *other, long timeo)
	__releases(&punix_sk(other)->lock);
int punix_socketpair(struct socket *socka, struct socket *sockb);
bool punix_writable(const struct sock *sk, unsigned char state);
void punix_init_peercred(struct sock *sk);
void punix_copy_peercred(struct sock *sk, struct sock *from);

/* addr.c */
int punix_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len);
int punix_autobind(struct sock *sk);
int punix_validate_addr(const struct sockaddr_un *sunaddr, int addr_len);
struct sock *punix_find_other(struct net *net, struct sockaddr_un *sunaddr,
			      int addr_len, int type);
void punix_addr_get(struct punix_address *addr);
void punix_addr_put(struct punix_address *addr);
void __punix_table_remove(struct sock *sk);
int punix_addr_init_net(struct net *net);
void punix_addr_exit_net(struct net *net);
int punix_addr_init(void);
void punix_addr_exit(void);
void punix_copy_addr(struct msghdr *msg, const struct sock *sk);

/* scm.c */
struct scm_cookie;
struct seq_file;
void __punix_get_peersec_dgram(struct socket *sock, struct scm_cookie *scm);
int __punix_scm_send(struct msghdr *msg, struct scm_cookie *scm);
void punix_wfree(struct sk_buff *skb);
int __punix_scm_fds_to_skb(struct scm_cookie *scm, struct sk_buff *skb);
bool punix_skb_scm_eq(struct sk_buff *skb, struct scm_cookie *scm);
bool punix_scm_append_ok(const struct sk_buff *skb,
			 const struct scm_cookie *scm,
			 const struct socket *sock, const struct sock *other);
void punix_scm_take_fds(struct sock *sk, struct scm_cookie *scm,
			struct sk_buff *skb, bool peek);
void punix_show_fdinfo(struct seq_file *m, struct socket *sock);
void __punix_scm_recv_pidfd(struct socket *sock, struct msghdr *msg,
			    struct scm_cookie *scm, int flags);
void punix_scm_init(void);
void punix_scm_exit(void);

/*
 * As scm_send() for AF_UNIX: fill @scm from @msg's control messages.
 * @forcecreds attaches the caller's credentials up front. Inline, as
 * scm_send() is in af_unix: a message without control messages makes
 * no call but the LSM's (__punix_get_peersec_dgram() only where the
 * hook had nothing for a punix socket, scm.c).
 */
static inline int punix_scm_send(struct socket *sock, struct msghdr *msg,
				 struct scm_cookie *scm, bool forcecreds)
{
	memset(scm, 0, sizeof(*scm));
	scm->creds.uid = INVALID_UID;
	scm->creds.gid = INVALID_GID;
	if (forcecreds)
		scm_set_cred(scm, task_tgid(current), current_uid(),
			     current_gid());
	unix_get_peersec_dgram(sock, scm);
	if (!scm->secid)
		__punix_get_peersec_dgram(sock, scm);
	if (msg->msg_controllen <= 0)
		return 0;
	return __punix_scm_send(msg, scm);
}

/*
 * As af_unix's unix_scm_to_skb(): @skb carries @scm's credentials, and its
 * files when @send_fds (__punix_scm_fds_to_skb()).
 */
static inline int punix_scm_to_skb(struct scm_cookie *scm,
				   struct sk_buff *skb, bool send_fds)
{
	struct punix_skb_parms *cb = PUNIX_CB(skb);

	cb->pid = get_pid(scm->pid);
	cb->uid = scm->creds.uid;
	cb->gid = scm->creds.gid;
	cb->fp = NULL;
#ifdef CONFIG_SECURITY_NETWORK
	cb->secid = scm->secid;
#endif
	skb->destructor = punix_wfree;

	if (!scm->fp || !send_fds)
		return 0;
	return __punix_scm_fds_to_skb(scm, skb);
}

/* @scm takes @skb's credentials (a reader's copy). */
static inline void punix_scm_set_cred(struct scm_cookie *scm,
				      struct sk_buff *skb)
{
	scm_set_cred(scm, PUNIX_CB(skb)->pid, PUNIX_CB(skb)->uid,
		     PUNIX_CB(skb)->gid);
#ifdef CONFIG_SECURITY_NETWORK
	scm->secid = PUNIX_CB(skb)->secid;
#endif
}

/*
 * As af_unix's scm_recv_unix(): credentials, security context and files
 * (scm_recv()), then a pidfd of the sender when asked for.
 */
static inline void punix_scm_recv(struct socket *sock, struct msghdr *msg,
				  struct scm_cookie *scm, int flags)
{
	if (msg->msg_control && punix_test_passpidfd(sock))
		__punix_scm_recv_pidfd(sock, msg, scm, flags);
	else
		scm_recv(sock, msg, scm, flags);
}

/* Does @sock ask for credentials (SO_PASSCRED, or SO_PASSPIDFD)? */
static inline bool punix_passcred(const struct socket *sock)
{
	return test_bit(SOCK_PASSCRED, &sock->flags) ||
	       punix_test_passpidfd(sock);
}

/*
 * As af_unix: a message carries the sender's credentials when the sender
 * or the receiver asks for them (or the receiver is not accepted yet), so
 * that write() without SCM_CREDENTIALS gives them too.
 */
static inline void punix_maybe_add_creds(struct sk_buff *skb,
					 const struct socket *sock,
					 const struct sock *other)
{
	const struct socket *osock = other->sk_socket;

	if (PUNIX_CB(skb)->pid)
		return;
	if (punix_passcred(sock) || !osock || punix_passcred(osock)) {
		PUNIX_CB(skb)->pid = get_pid(task_tgid(current));
		current_uid_gid(&PUNIX_CB(skb)->uid, &PUNIX_CB(skb)->gid);
	}
}

/* An skb with files is queued on @sk: count them for fdinfo. */
static inline void punix_scm_stat_add(struct sock *sk, struct sk_buff *skb)
{
	struct scm_fp_list *fpl = PUNIX_CB(skb)->fp;

	if (fpl)
		atomic_add(fpl->count, &punix_sk(sk)->scm_fds);
}

/*
 * A socket that passes credentials must have a name for the receiver to see:
 * connect() and sendmsg() give an unbound one an autobind name first.
 */
static inline int punix_maybe_autobind(struct socket *sock)
{
	if (!punix_passcred(sock) || punix_get_addr(sock->sk))
		return 0;

	return punix_autobind(sock->sk);
}

/* Called by release, with no punix lock held. */
static inline void punix_table_remove(struct sock *sk)
{
	/* Never inserted: no table to lock. */
	if (punix_sk(sk)->table_key)
		__punix_table_remove(sk);
}

/* gc.c */
struct sock *punix_get_socket(struct file *filp);
bool punix_too_many_fds(void);
int punix_inflight_add(struct scm_fp_list *fpl);
void punix_inflight_del(struct scm_fp_list *fpl);
void __punix_vertex_free(struct sock *sk);
void punix_gc_peek_barrier(void);
void punix_gc_start(void);
void __punix_wait_for_gc(struct scm_fp_list *fpl);
void punix_gc_exit(void);

/* Files in flight; written under gc.c's punix_gc_lock. */
extern unsigned int punix_tot_inflight;

/* The destructor: drop @sk's vertex, if the collector gave it one. */
static inline void punix_vertex_free(struct sock *sk)
{
	if (punix_sk(sk)->vertex)
		__punix_vertex_free(sk);
}

/* As af_unix: collect at once past this many files in flight. */
#define PUNIX_INFLIGHT_TRIGGER_GC	16000

/*
 * As af_unix's wait_for_unix_gc(): collect when too much is in flight, and
 * make a user with many sockets in flight wait for a running collection.
 * A send with no files and little in flight has nothing to do here.
 */
static inline void punix_wait_for_gc(struct scm_fp_list *fpl)
{
	if (READ_ONCE(punix_tot_inflight) > PUNIX_INFLIGHT_TRIGGER_GC || fpl)
		__punix_wait_for_gc(fpl);
}

/* As af_unix: a socket is going away; if anything is in flight, collect. */
static inline void punix_gc_on_release(void)
{
	if (READ_ONCE(punix_tot_inflight))
		punix_gc_start();
}

/* oob.c */
int punix_queue_oob(struct socket *sock, struct msghdr *msg,
		    struct sock *other, struct scm_cookie *scm, bool fds_sent);
int punix_stream_recv_urg(struct sock *sk, struct msghdr *msg, int flags);
struct sk_buff *__punix_manage_oob(struct sk_buff *skb, struct sk_buff **last,
				   struct sock *sk, int flags, int copied);

/*
 * A normal read (or peek) is about to use @skb, the first skb it looks at
 * in this pass or the one after what it just peeked, having @copied bytes
 * so far: the skb to read from (@skb itself unless it is empty or the OOB
 * mark: oob.c). State lock held.
 */
static inline struct sk_buff *punix_manage_oob(struct sk_buff *skb,
					       struct sk_buff **last,
					       struct sock *sk, int flags,
					       int copied)
{
	if (likely(punix_skb_len(skb) &&
		   skb != READ_ONCE(punix_sk(sk)->oob_skb)))
		return skb;
	return __punix_manage_oob(skb, last, sk, flags, copied);
}

bool punix_oob_stops_read(int copied, size_t size);
int punix_oob_atmark(struct sock *sk);

/* proc.c */
int punix_proc_init_net(struct net *net);
void punix_proc_exit_net(struct net *net);

/* diag.c */
int punix_diag_init(void);
void punix_diag_exit(void);

/* stream.c */
extern const struct proto_ops punix_stream_ops;
extern const struct proto_ops punix_seqpacket_ops;

/* dgram.c */
extern const struct proto_ops punix_dgram_ops;
int punix_seqpacket_sendmsg(struct socket *sock, struct msghdr *msg,
			    size_t len);
int punix_seqpacket_recvmsg(struct socket *sock, struct msghdr *msg,
			    size_t size, int flags);
__poll_t punix_dgram_poll(struct file *file, struct socket *sock,
			  poll_table *wait);
int punix_peer_wake_relay(wait_queue_entry_t *q, unsigned int mode, int flags,
			  void *key);
void punix_peer_wake_disconnect(struct sock *sk, struct sock *other);

#endif /* _PUNIX_H */
