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
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/netns/hash.h>
#include <net/sock.h>

#include "punix.h"

#define PUNIX_HASH_BITS		8
#define PUNIX_HASH_SIZE		BIT(PUNIX_HASH_BITS)

/* Autobind names are a NUL and five hex digits: 2^20 of them. */
#define PUNIX_AUTOBIND_NAMES	BIT(20)

/*
 * punix_table_lock protects both tables and every punix_sock.table_node.
 * It nests inside punix_sock.bindlock and is never held while sleeping.
 * A socket is in at most one table, and only while bound and not released.
 */
static DEFINE_SPINLOCK(punix_table_lock);
static struct hlist_head punix_bsd_table[PUNIX_HASH_SIZE];	/* by inode */
static struct hlist_head punix_abstract_table[PUNIX_HASH_SIZE]; /* by name */

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

void punix_addr_put(struct punix_address *addr)
{
	if (refcount_dec_and_test(&addr->refcnt))
		kfree(addr);
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

static unsigned int punix_abstract_hash(const struct net *net,
					const struct sockaddr_un *sunaddr,
					int addr_len, int type)
{
	u32 hash = jhash(sunaddr->sun_path,
			 addr_len - offsetof(struct sockaddr_un, sun_path),
			 net_hash_mix(net) ^ type);

	return hash_32(hash, PUNIX_HASH_BITS);
}

static struct hlist_head *punix_bsd_bucket(const struct inode *inode)
{
	return &punix_bsd_table[hash_ptr(inode, PUNIX_HASH_BITS)];
}

/* Called with punix_table_lock held. */
static struct sock *__punix_find_abstract(const struct net *net,
					  const struct sockaddr_un *sunaddr,
					  int addr_len, int type,
					  unsigned int hash)
{
	struct punix_sock *u;

	lockdep_assert_held(&punix_table_lock);
	hlist_for_each_entry(u, &punix_abstract_table[hash], table_node) {
		struct punix_address *addr = u->addr;

		if (net_eq(sock_net(&u->sk), net) && u->sk.sk_type == type &&
		    addr->len == addr_len &&
		    !memcmp(addr->name.sun_path, sunaddr->sun_path,
			    addr_len - offsetof(struct sockaddr_un, sun_path)))
			return &u->sk;
	}
	return NULL;
}

/* Publish @addr as @sk's name and hash it. bindlock held, table lock held. */
static void __punix_set_addr(struct sock *sk, struct punix_address *addr,
			     struct hlist_head *bucket)
{
	lockdep_assert_held(&punix_sk(sk)->bindlock);
	lockdep_assert_held(&punix_table_lock);
	punix_publish_addr(sk, addr);
	hlist_add_head(&punix_sk(sk)->table_node, bucket);
}

void punix_table_remove(struct sock *sk)
{
	struct punix_sock *u = punix_sk(sk);

	spin_lock(&punix_table_lock);
	hlist_del_init(&u->table_node);
	spin_unlock(&punix_table_lock);
}

/* Bind @sk to a free abstract name of the form "\0xxxxx". */
int punix_autobind(struct sock *sk)
{
	struct punix_sock *u = punix_sk(sk);
	struct net *net = sock_net(sk);
	struct punix_address *addr;
	u32 ordernum, first;
	unsigned int hash;
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

	ordernum = get_random_u32() % PUNIX_AUTOBIND_NAMES;
	first = ordernum;
	for (;;) {
		/* sun_path[0] stays NUL; snprintf writes 5 digits and a NUL. */
		snprintf(addr->name.sun_path + 1, 6, "%05x", ordernum);
		hash = punix_abstract_hash(net, &addr->name, addr->len,
					   sk->sk_type);

		spin_lock(&punix_table_lock);
		if (!__punix_find_abstract(net, &addr->name, addr->len,
					   sk->sk_type, hash)) {
			__punix_set_addr(sk, addr, &punix_abstract_table[hash]);
			spin_unlock(&punix_table_lock);
			err = 0;
			goto out;
		}
		spin_unlock(&punix_table_lock);

		ordernum = (ordernum + 1) % PUNIX_AUTOBIND_NAMES;
		if (ordernum == first) {
			/* Every name is taken. */
			punix_addr_put(addr);
			err = -ENOSPC;
			goto out;
		}
		cond_resched();
	}
out:
	mutex_unlock(&u->bindlock);
	return err;
}

/*
 * A socket that passes credentials must have a name for the receiver to see:
 * connect() and sendmsg() give an unbound one an autobind name first.
 */
int punix_maybe_autobind(struct socket *sock)
{
	if (!punix_passcred(sock) || punix_get_addr(sock->sk))
		return 0;

	return punix_autobind(sock->sk);
}

static int punix_bind_abstract(struct sock *sk, struct punix_address *addr)
{
	struct punix_sock *u = punix_sk(sk);
	struct net *net = sock_net(sk);
	unsigned int hash;
	int err;

	hash = punix_abstract_hash(net, &addr->name, addr->len, sk->sk_type);

	err = mutex_lock_interruptible(&u->bindlock);
	if (err)
		return err;

	if (u->addr) {
		err = -EINVAL;
		goto out;
	}

	spin_lock(&punix_table_lock);
	if (__punix_find_abstract(net, &addr->name, addr->len, sk->sk_type,
				  hash)) {
		err = -EADDRINUSE;
	} else {
		punix_addr_get(addr);
		__punix_set_addr(sk, addr, &punix_abstract_table[hash]);
	}
	spin_unlock(&punix_table_lock);
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

	u->path.mnt = mntget(parent.mnt);
	u->path.dentry = dget(dentry);
	punix_addr_get(addr);

	spin_lock(&punix_table_lock);
	__punix_set_addr(sk, addr, punix_bsd_bucket(d_backing_inode(dentry)));
	spin_unlock(&punix_table_lock);

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
	struct punix_sock *u;
	struct sock *sk = NULL;
	struct inode *inode;
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

	spin_lock(&punix_table_lock);
	hlist_for_each_entry(u, punix_bsd_bucket(inode), table_node) {
		if (d_backing_inode(u->path.dentry) == inode) {
			sk = &u->sk;
			sock_hold(sk);
			break;
		}
	}
	spin_unlock(&punix_table_lock);
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
	unsigned int hash;
	struct sock *sk;

	if (sunaddr->sun_path[0]) {
		/* A NUL-terminated copy: sun_path need not hold one. */
		memcpy(&name, sunaddr, addr_len);
		return punix_find_bsd(name.__data, type);
	}

	hash = punix_abstract_hash(net, sunaddr, addr_len, type);
	spin_lock(&punix_table_lock);
	sk = __punix_find_abstract(net, sunaddr, addr_len, type, hash);
	if (sk)
		sock_hold(sk);
	spin_unlock(&punix_table_lock);

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
