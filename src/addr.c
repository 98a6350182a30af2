// SPDX-License-Identifier: GPL-2.0
/*
 * punix: addresses and the address table.
 *
 * A socket is bound either to a filesystem path, where the name is an
 * S_IFSOCK inode and the table maps that inode to the socket, or to an
 * abstract name, a byte string that lives in the table alone, scoped by
 * network namespace and socket type.
 */

#include <linux/fs.h>
#include <linux/jhash.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "punix.h"

/* Autobind names are a NUL and five hex digits: 2^20 of them. */
#define PUNIX_AUTOBIND_NAMES	BIT(20)

/*
 * The address tables.
 *
 * punix_bsd_table holds every socket bound to a path, keyed by the inode
 * of its node (punix_sock.table_key): one table for all namespaces, since
 * a node is reached by path from any of them, as an AF_UNIX one is.
 * punix_net.abstract holds the sockets bound to abstract names in one
 * network namespace, keyed by socket type and name: one namespace's names
 * never share a chain with another's. Both are rhashtables, which grow
 * (and shrink) with the number of names, in the background, so that the
 * chains stay short at any count.
 *
 * Locking rules:
 * - There is no table-wide lock. Inserting and removing take the lock of
 *   one bucket (a bit lock inside rhashtable, with interrupts or bottom
 *   halves off), and nothing is taken inside it. A socket is inserted
 *   under its @bindlock (bind, autobind; a path's parent directory's
 *   i_rwsem is held outside it) and removed by punix_release_sock() with
 *   no punix lock held. A socket that was never inserted (unbound, or
 *   accepted) takes no table lock at all when closed.
 * - A name is taken atomically under its bucket's lock: an abstract bind
 *   or an autobind probe inserts only if no socket of the namespace holds
 *   the same (type, name) (rhashtable_lookup_insert_key(); -EEXIST is
 *   EADDRINUSE, or the next autobind probe). A path is unique by its new
 *   inode.
 * - Lookups (connect(), sendmsg() to a name) take no lock: they walk the
 *   table under rcu_read_lock() and take a reference on what they find
 *   with refcount_inc_not_zero(). The socket found may meanwhile have
 *   been freed and its memory given to a new socket: sockets are not
 *   freed a grace period late (that would hold back the destructor, and
 *   with it what AF_UNIX undoes at the last reference), but their slab
 *   is SLAB_TYPESAFE_BY_RCU, so under RCU that memory stays a punix_sock.
 *   Hence:
 *   - a table links sockets through the first word of sk_node, which
 *     sk_alloc() leaves as it was (sk_prot_clear_nulls()): a lookup on
 *     a socket that was removed, or reused, goes on along some chain,
 *     and rhashtable starts it over if that chain ends in another
 *     bucket's nulls marker;
 *   - the key may be 0 (sk_alloc() clears it, removal too); an
 *     abstract name is read under RCU, so it is freed a grace period
 *     after its last user (punix_addr_put());
 *   - a lookup of one table may land on a socket that now sits in the
 *     other: both keys share punix_sock.table_key, an abstract name's
 *     with bit 0 set (PUNIX_TABLE_ABSTRACT), an inode's with it clear,
 *     so a path lookup (the whole word against an inode) never matches
 *     an abstract key, and an abstract lookup takes no key without the
 *     bit (punix_key_name());
 *   - with the reference held, the lookup checks the key (and the
 *     namespace) again, and looks again if the socket is another one
 *     now. A key is published with release semantics, after the socket
 *     was set up; sock_init_data() sets sk_refcnt after the rest.
 * - A socket is inserted before its address is published (both under
 *   @bindlock), so that a failed insertion has nothing to take back; a
 *   lookup that finds a socket whose address is not published yet treats
 *   it as not bound yet (its bind() has not returned). A lookup may also
 *   find a socket that is being released: the caller checks SOCK_DEAD
 *   under the found socket's state lock.
 */
static struct rhashtable punix_bsd_table;

/*
 * punix_sock.table_key: a path's inode, or an abstract name with this bit
 * set. Both are at least 2-aligned, so the bit tells them apart.
 */
#define PUNIX_TABLE_ABSTRACT	1UL
static_assert(__alignof__(struct inode) > 1 &&
	      __alignof__(struct punix_address) > 1);

static unsigned long punix_abstract_key(const struct punix_address *addr)
{
	return (unsigned long)addr | PUNIX_TABLE_ABSTRACT;
}

/* The abstract name in table key @key, or NULL: none, or an inode. */
static const struct punix_address *punix_key_name(unsigned long key)
{
	if (!(key & PUNIX_TABLE_ABSTRACT))
		return NULL;
	return (const struct punix_address *)(key & ~PUNIX_TABLE_ABSTRACT);
}

/* What a lookup of an abstract name hashes and compares. */
struct punix_abstract_key {
	const char	*name;		/* sun_path, starting with its NUL */
	u32		len;		/* bytes of @name */
	int		type;
};

static u32 punix_name_len(const struct punix_address *addr)
{
	return addr->len - offsetof(struct sockaddr_un, sun_path);
}

static u32 punix_abstract_hashfn(const void *data, u32 len, u32 seed)
{
	const struct punix_abstract_key *key = data;

	return jhash(key->name, key->len, seed ^ key->type);
}

/* The same hash as punix_abstract_hashfn(), of an inserted socket. */
static u32 punix_abstract_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct punix_sock *u = data;
	const struct punix_address *addr = punix_key_name(u->table_key);

	return jhash(addr->name.sun_path, punix_name_len(addr),
		     seed ^ u->sk.sk_type);
}

/*
 * 0 if socket @obj holds the name in @arg->key. Under RCU, @obj may be a
 * socket that is being set up, or was removed (see above).
 */
static int punix_abstract_obj_cmpfn(struct rhashtable_compare_arg *arg,
				    const void *obj)
{
	const struct punix_abstract_key *key = arg->key;
	const struct punix_sock *u = obj;
	const struct punix_address *addr;

	/* Pairs with the release in punix_insert_abstract(). */
	addr = punix_key_name(smp_load_acquire(&u->table_key));
	return !addr || READ_ONCE(u->sk.sk_type) != key->type ||
	       punix_name_len(addr) != key->len ||
	       memcmp(addr->name.sun_path, key->name, key->len);
}

/* A table's link in a socket: see the locking rules above. */
#define PUNIX_TABLE_HEAD	offsetof(struct punix_sock, sk.sk_node)
static_assert(offsetof(struct hlist_node, next) == 0 &&
	      sizeof(struct rhash_head) == sizeof_field(struct hlist_node, next));

static struct rhash_head *punix_table_head(struct punix_sock *u)
{
	return (struct rhash_head *)&u->sk.sk_node;
}

static const struct rhashtable_params punix_abstract_params = {
	.head_offset		= PUNIX_TABLE_HEAD,
	.hashfn			= punix_abstract_hashfn,
	.obj_hashfn		= punix_abstract_obj_hashfn,
	.obj_cmpfn		= punix_abstract_obj_cmpfn,
	.automatic_shrinking	= true,
};

static const struct rhashtable_params punix_bsd_params = {
	.head_offset		= PUNIX_TABLE_HEAD,
	.key_offset		= offsetof(struct punix_sock, table_key),
	.key_len		= sizeof_field(struct punix_sock, table_key),
	.automatic_shrinking	= true,
};

static bool punix_family_ok(sa_family_t family)
{
	return family == AF_UNIX || family == punix_family;
}

int punix_validate_addr(const struct sockaddr_un *sunaddr, int addr_len)
{
	if (addr_len <= offsetof(struct sockaddr_un, sun_path) ||
	    addr_len > sizeof(*sunaddr))
		return -EINVAL;

	if (!punix_family_ok(sunaddr->sun_family))
		return -EINVAL;

	return 0;
}

void punix_addr_get(struct punix_address *addr)
{
	refcount_inc(&addr->refcnt);
}

/* Address lookups may still read it: see the locking rules above. */
void punix_addr_put(struct punix_address *addr)
{
	if (refcount_dec_and_test(&addr->refcnt))
		kfree_rcu(addr, rcu);
}

/* The first @addr_len bytes of @sunaddr, NUL-padded, as punix's own name. */
static struct punix_address *punix_addr_alloc(const struct sockaddr_un *sunaddr,
					      int addr_len)
{
	struct punix_address *addr;

	addr = kzalloc(sizeof(*addr), GFP_KERNEL);
	if (!addr)
		return NULL;

	memcpy(&addr->name, sunaddr, addr_len);
	addr->name.sun_family = punix_family;
	addr->len = addr_len;
	refcount_set(&addr->refcnt, 1);
	return addr;
}

/*
 * Whether @u, found by a lookup of @key in @ht and held since, still is
 * the socket bound to @key in @net (see the locking rules above).
 */
static bool punix_table_holds(struct rhashtable *ht, struct punix_sock *u,
			      const void *key, const struct net *net)
{
	struct rhashtable_compare_arg arg = { .ht = ht, .key = key };

	if (ht == &punix_bsd_table) {
		/* Pairs with the release in punix_bind_bsd(). */
		return smp_load_acquire(&u->table_key) ==
		       *(const unsigned long *)key;
	}

	return net_eq(sock_net(&u->sk), net) &&
	       !punix_abstract_obj_cmpfn(&arg, u);
}

/*
 * The socket bound to @key in @ht, with a reference held, or NULL: no
 * socket, or one whose address is not published yet (its bind() has not
 * returned). Inline, for rhashtable_lookup() to see @params.
 */
static __always_inline struct sock *
punix_table_find(struct rhashtable *ht, const void *key,
		 const struct rhashtable_params params, const struct net *net)
{
	struct punix_sock *u;

	for (;;) {
		rcu_read_lock();
		u = rhashtable_lookup(ht, key, params);
		if (u && !refcount_inc_not_zero(&u->sk.sk_refcnt)) {
			/* Freed, so removed before: look again. */
			rcu_read_unlock();
			continue;
		}
		/* Read what it was set up with: sk_refcnt was set last. */
		smp_acquire__after_ctrl_dep();
		rcu_read_unlock();
		if (!u)
			return NULL;
		if (punix_table_holds(ht, u, key, net))
			break;
		sock_put(&u->sk);
	}

	if (!punix_get_addr(&u->sk)) {
		sock_put(&u->sk);
		return NULL;
	}
	return &u->sk;
}

/*
 * Insert @sk, with @addr, a name not yet published, into @net's abstract
 * table unless its name is taken (-EEXIST). @bindlock held.
 */
static int punix_insert_abstract(struct net *net, struct sock *sk,
				 struct punix_address *addr)
{
	struct punix_sock *u = punix_sk(sk);
	struct punix_abstract_key key = {
		.name	= addr->name.sun_path,
		.len	= punix_name_len(addr),
		.type	= sk->sk_type,
	};
	int err;

	lockdep_assert_held(&u->bindlock);
	/* The name, then the key: what a lookup reads (see above). */
	smp_store_release(&u->table_key, punix_abstract_key(addr));
	err = rhashtable_lookup_insert_key(&punix_net(net)->abstract, &key,
					   punix_table_head(u),
					   punix_abstract_params);
	if (err)
		WRITE_ONCE(u->table_key, 0);
	return err;
}

/* punix_table_remove() of a socket that was inserted. */
void __punix_table_remove(struct sock *sk)
{
	struct punix_sock *u = punix_sk(sk);
	int err;

	if (punix_key_name(u->table_key))
		err = rhashtable_remove_fast(&punix_net(sock_net(sk))->abstract,
					     punix_table_head(u),
					     punix_abstract_params);
	else
		err = rhashtable_remove_fast(&punix_bsd_table,
					     punix_table_head(u),
					     punix_bsd_params);
	WRITE_ONCE(u->table_key, 0);
	WARN_ON_ONCE(err);
}

/* Bind @sk to a free abstract name of the form "\0xxxxx". */
int punix_autobind(struct sock *sk)
{
	struct punix_sock *u = punix_sk(sk);
	struct net *net = sock_net(sk);
	struct punix_address *addr;
	u32 ordernum, first;
	int err;

	/*
	 * As unix_autobind(): a signal ends the wait for @bindlock (held by
	 * a bind() of this socket creating its node) with -EINTR.
	 */
	err = mutex_lock_interruptible(&u->bindlock);
	if (err)
		return err;
	if (u->addr)
		goto out;

	err = -ENOMEM;
	addr = kzalloc(sizeof(*addr), GFP_KERNEL);
	if (!addr)
		goto out;
	addr->name.sun_family = punix_family;
	addr->len = offsetof(struct sockaddr_un, sun_path) + 6;
	refcount_set(&addr->refcnt, 1);

	/* Each probe locks one bucket, only for as long as it inserts. */
	ordernum = get_random_u32() % PUNIX_AUTOBIND_NAMES;
	first = ordernum;
	for (;;) {
		/* sun_path[0] stays NUL; snprintf writes 5 digits and a NUL. */
		snprintf(addr->name.sun_path + 1, 6, "%05x", ordernum);
		err = punix_insert_abstract(net, sk, addr);
		if (!err) {
			punix_publish_addr(sk, addr);
			goto out;
		}
		if (err != -EEXIST)
			break;

		ordernum = (ordernum + 1) % PUNIX_AUTOBIND_NAMES;
		if (ordernum == first) {
			/* Every name is taken. */
			err = -ENOSPC;
			break;
		}
		cond_resched();
	}
	punix_addr_put(addr);
out:
	mutex_unlock(&u->bindlock);
	return err;
}

static int punix_bind_abstract(struct sock *sk, struct punix_address *addr)
{
	struct punix_sock *u = punix_sk(sk);
	int err;

	err = mutex_lock_interruptible(&u->bindlock);
	if (err)
		return err;

	if (u->addr) {
		err = -EINVAL;
		goto out;
	}

	err = punix_insert_abstract(sock_net(sk), sk, addr);
	if (err == -EEXIST) {
		err = -EADDRINUSE;
	} else if (!err) {
		punix_addr_get(addr);
		punix_publish_addr(sk, addr);
	}
out:
	mutex_unlock(&u->bindlock);
	return err;
}

static int punix_bind_bsd(struct sock *sk, struct punix_address *addr)
{
	umode_t mode = S_IFSOCK |
		       (SOCK_INODE(sk->sk_socket)->i_mode & ~current_umask());
	struct punix_sock *u = punix_sk(sk);
	struct dentry *dentry;
	struct path parent;
	int err;

	/* The name ends at the first NUL; the tail of sun_path is ignored. */
	addr->len = strlen(addr->storage.__data) +
		    offsetof(struct sockaddr_un, sun_path) + 1;

	dentry = kern_path_create(AT_FDCWD, addr->storage.__data, &parent, 0);
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
		goto out;
	}

	err = security_path_mknod(&parent, dentry, mode, 0);
	if (!err)
		err = punix_vfs_mknod(&parent, dentry, mode);
	if (err)
		goto out_path;

	err = mutex_lock_interruptible(&u->bindlock);
	if (err)
		goto out_unlink;

	if (u->addr) {
		err = -EINVAL;
		goto out_unlock;
	}

	/* A new inode: no other socket can be in the table with it. */
	smp_store_release(&u->table_key,
			  (unsigned long)d_backing_inode(dentry));
	err = rhashtable_insert_fast(&punix_bsd_table, punix_table_head(u),
				     punix_bsd_params);
	if (err) {
		WRITE_ONCE(u->table_key, 0);
		goto out_unlock;
	}

	u->path.mnt = mntget(parent.mnt);
	u->path.dentry = dget(dentry);
	punix_addr_get(addr);
	punix_publish_addr(sk, addr);

	mutex_unlock(&u->bindlock);
	done_path_create(&parent, dentry);
	return 0;

out_unlock:
	mutex_unlock(&u->bindlock);
out_unlink:
	/* The node was made for a bind that failed: take it away again. */
	punix_vfs_unlink(&parent, dentry);
out_path:
	done_path_create(&parent, dentry);
out:
	return err == -EEXIST ? -EADDRINUSE : err;
}

int punix_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_un *sunaddr = (struct sockaddr_un *)uaddr;
	struct sock *sk = sock->sk;
	struct punix_address *addr;
	int err;

	if (addr_len == offsetof(struct sockaddr_un, sun_path) &&
	    punix_family_ok(sunaddr->sun_family))
		return punix_autobind(sk);

	err = punix_validate_addr(sunaddr, addr_len);
	if (err)
		return err;

	addr = punix_addr_alloc(sunaddr, addr_len);
	if (!addr)
		return -ENOMEM;

	if (sunaddr->sun_path[0])
		err = punix_bind_bsd(sk, addr);
	else
		err = punix_bind_abstract(sk, addr);

	punix_addr_put(addr);
	return err;
}

static struct sock *punix_find_bsd(const char *name, int type)
{
	const struct inode *inode;
	unsigned long key;
	struct sock *sk;
	struct path path;
	int err;

	err = kern_path(name, LOOKUP_FOLLOW, &path);
	if (err)
		return ERR_PTR(err);

	err = path_permission(&path, MAY_WRITE);
	if (err)
		goto out;

	err = -ECONNREFUSED;
	inode = d_backing_inode(path.dentry);
	if (!S_ISSOCK(inode->i_mode))
		goto out;

	/* An inode's key: bit 0 clear (PUNIX_TABLE_ABSTRACT). */
	key = (unsigned long)inode;
	sk = punix_table_find(&punix_bsd_table, &key, punix_bsd_params, NULL);
	if (!sk)
		goto out;

	if (sk->sk_type != type) {
		sock_put(sk);
		err = -EPROTOTYPE;
		goto out;
	}

	touch_atime(&path);
	path_put(&path);
	return sk;

out:
	path_put(&path);
	return ERR_PTR(err);
}

/*
 * Find the socket bound to @sunaddr (already validated) that a socket of
 * @type may reach from @net. Returns it with a reference held.
 */
struct sock *punix_find_other(struct net *net, struct sockaddr_un *sunaddr,
			      int addr_len, int type)
{
	struct sockaddr_storage name = {};
	struct punix_abstract_key key;
	struct sock *sk;

	if (sunaddr->sun_path[0]) {
		/* A NUL-terminated copy: sun_path need not hold one. */
		memcpy(&name, sunaddr, addr_len);
		return punix_find_bsd(name.__data, type);
	}

	key.name = sunaddr->sun_path;
	key.len = addr_len - offsetof(struct sockaddr_un, sun_path);
	key.type = type;
	sk = punix_table_find(&punix_net(net)->abstract, &key,
			      punix_abstract_params, net);

	return sk ?: ERR_PTR(-ECONNREFUSED);
}

/* Report @sk's name, if it has one, as the source of a received message. */
void punix_copy_addr(struct msghdr *msg, const struct sock *sk)
{
	struct punix_address *addr = punix_get_addr(sk);

	if (addr) {
		msg->msg_namelen = addr->len;
		memcpy(msg->msg_name, &addr->storage, addr->len);
	} else {
		msg->msg_namelen = 0;
	}
}

int punix_addr_init_net(struct net *net)
{
	return rhashtable_init(&punix_net(net)->abstract,
			       &punix_abstract_params);
}

/* Every socket of @net is gone: the table is empty. */
void punix_addr_exit_net(struct net *net)
{
	rhashtable_destroy(&punix_net(net)->abstract);
}

int punix_addr_init(void)
{
	return rhashtable_init(&punix_bsd_table, &punix_bsd_params);
}

/* Every socket is gone (each holds the module): the table is empty. */
void punix_addr_exit(void)
{
	rhashtable_destroy(&punix_bsd_table);
}
