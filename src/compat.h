/* SPDX-License-Identifier: GPL-2.0 */
/*
 * punix: kernel API differences between the kernels punix builds against.
 *
 * Every difference lives here. Each is selected by a PUNIX_HAVE_* flag that
 * Kbuild sets by probing the headers of the target kernel, never by its
 * version number: distribution kernels carry backports.
 */
#ifndef _PUNIX_COMPAT_H
#define _PUNIX_COMPAT_H

#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/net.h>

/*
 * proto_ops.accept: 6.10 folded the flags and kern arguments into
 * struct proto_accept_arg. An accept op is declared as
 * fn(struct socket *sock, struct socket *newsock, PUNIX_ACCEPT_ARGS) and
 * reads the file flags with punix_accept_flags(accept_arg).
 */
#ifdef PUNIX_HAVE_ACCEPT_ARG
#define PUNIX_ACCEPT_ARGS		struct proto_accept_arg *accept_arg
#define punix_accept_flags(arg)		((arg)->flags)
#else
#define PUNIX_ACCEPT_ARGS		int accept_arg, bool kern
#define punix_accept_flags(arg)		(arg)
#endif

/* VFS calls on idmapped mounts: struct mnt_idmap replaced user_namespace. */
#ifdef PUNIX_HAVE_MNT_IDMAP
#define punix_mnt_map(mnt)	mnt_idmap(mnt)
#else
#define punix_mnt_map(mnt)	mnt_user_ns(mnt)
#endif

static inline int punix_vfs_mknod(const struct path *parent,
				  struct dentry *dentry, umode_t mode)
{
	return vfs_mknod(punix_mnt_map(parent->mnt), d_inode(parent->dentry),
			 dentry, mode, 0);
}

static inline int punix_vfs_unlink(const struct path *parent,
				   struct dentry *dentry)
{
	return vfs_unlink(punix_mnt_map(parent->mnt), d_inode(parent->dentry),
			  dentry, NULL);
}

/*
 * SO_PASSPIDFD (6.5): a socket with it set gets credentials as with
 * SO_PASSCRED, and accept() copies it. Kernels without it have no
 * SOCK_PASSPIDFD bit.
 */
static inline bool punix_test_passpidfd(const struct socket *sock)
{
#ifdef SOCK_PASSPIDFD
	return test_bit(SOCK_PASSPIDFD, &sock->flags);
#else
	return false;
#endif
}

static inline void punix_inherit_passpidfd(const struct socket *sock,
					   struct socket *newsock)
{
#ifdef SOCK_PASSPIDFD
	if (test_bit(SOCK_PASSPIDFD, &sock->flags))
		set_bit(SOCK_PASSPIDFD, &newsock->flags);
#endif
}

/*
 * af_unix's graph collector ("af_unix: Replace garbage collection
 * algorithm", 6.10, backported to Debian's 6.1) takes the whole receive
 * queue of a garbage socket (unix_collect_skb()), so the socket is empty
 * when it is released and its peer sees EOF, not ECONNRESET. The older
 * collector took only the skbs that carry files. Told by struct
 * unix_vertex in <net/af_unix.h>.
 */
#ifdef PUNIX_HAVE_UNIX_GC_GRAPH
#define PUNIX_GC_TAKES_QUEUE	true
#else
#define PUNIX_GC_TAKES_QUEUE	false
#endif

/*
 * MSG_OOB on stream sockets. af_unix leaves an OOB byte read with
 * recv(MSG_OOB) in the receive queue as an empty ("consumed") skb. Linux
 * 6.9 to 6.12 changed what a normal read and SIOCATMARK make of it
 * ("af_unix: Don't stop recv() at consumed ex-OOB skb", "Fix wrong
 * ioctl(SIOCATMARK) when consumed OOB skb is at the head", and the
 * manage_oob() rework that came with them); Debian's 6.1.y kept the older
 * manage_oob() and SIOCATMARK although it has the recv(MSG_OOB) side of
 * the CVE-2025-38236 fix, which both kernels share. Old rules: an empty
 * skb at the head is freed and the read ends there (EAGAIN if nothing was
 * copied); a peek walks over it without stopping; SIOCATMARK is 1 only
 * when the OOB skb itself is at the head. New rules: a read frees empty
 * skbs as it meets them and goes on, except that one which has copied
 * something stops at an empty skb while no OOB byte is pending; and
 * SIOCATMARK is also 1 for an empty skb at the head followed by the mark
 * or by no pending OOB byte at all.
 *
 * punix behaves as the AF_UNIX of the kernel it runs on, so it needs to
 * know which rules that is. No header changed with those af_unix.c
 * commits; the closest witness is SKB_DROP_REASON_UNIX_SKIP_OOB, the drop
 * reason the reworked manage_oob() gives the OOB skbs it skips. It came
 * upstream after the rework, and Debian's 6.12.y has it (with the
 * CVE-2025-38236 fix) while its 6.1.y has not. Kbuild greps
 * include/net/dropreason-core.h for it. A kernel with the rework but
 * without the drop reason would get the old rules: oob_test, which runs
 * every sequence on AF_UNIX too, reports such a kernel.
 */
#ifdef PUNIX_HAVE_UNIX_SKIP_OOB
#define PUNIX_OOB_NEW_RULES	true
#define punix_drop_oob(skb)	\
	kfree_skb_reason((skb), SKB_DROP_REASON_UNIX_SKIP_OOB)
#else
#define PUNIX_OOB_NEW_RULES	false
#define punix_drop_oob(skb)	kfree_skb(skb)
#endif

/*
 * struct sock_diag_handler.owner (upstream 6.9, backported to Debian's
 * 6.1.y): with it the sock_diag core pins the handler's module for each
 * request instead of holding a global mutex; without it there is nothing
 * to set.
 */
#ifdef PUNIX_HAVE_DIAG_OWNER
#define PUNIX_DIAG_OWNER	.owner = THIS_MODULE,
#else
#define PUNIX_DIAG_OWNER
#endif

#endif /* _PUNIX_COMPAT_H */
