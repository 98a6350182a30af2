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

#endif /* _PUNIX_COMPAT_H */
