// SPDX-License-Identifier: GPL-2.0
/*
 * punix: control messages, SCM_RIGHTS and SCM_CREDENTIALS.
 *
 * The kernel's __scm_send() refuses SCM_RIGHTS for any family but AF_UNIX,
 * so punix reads the SOL_SOCKET control messages itself, with the rules
 * and errors of __scm_send(). What a message carries lives in its skb's
 * control block (PUNIX_CB): the sender's pid, uid and gid, its security
 * id, and the files. Receiving uses the kernel's scm_recv() and
 * scm_detach_fds(), which work with any family.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/magic.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sockptr.h>
#include <linux/uidgid.h>
#include <net/compat.h>
#include <net/scm.h>
#include <net/sock.h>

#include "punix.h"

/*
 * io_uring files may not be passed (af_unix: io_is_uring_fops(), which is
 * not exported). An io_uring instance is an anonymous inode file named
 * "[io_uring]".
 */
static bool punix_is_io_uring(struct file *filp)
{
	struct inode *inode = file_inode(filp);

	return inode->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(file_dentry(filp)->d_name.name, "[io_uring]");
}

static struct scm_fp_list *punix_fp_alloc(void)
{
	struct scm_fp_list *fpl;

	fpl = kmalloc(sizeof(*fpl), GFP_KERNEL_ACCOUNT);
	if (!fpl)
		return NULL;
	fpl->count = 0;
	fpl->count_unix = 0;	/* here: punix sockets among the files */
	fpl->max = SCM_MAX_FD;
	fpl->user = NULL;
#if IS_ENABLED(CONFIG_UNIX)
	fpl->inflight = false;
	fpl->dead = false;
	fpl->edges = NULL;
	INIT_LIST_HEAD(&fpl->vertices);
#endif
	return fpl;
}

/*
 * A message's file list is allocated for SCM_MAX_FD files (about 2 KiB);
 * the one its skb keeps, in flight, holds only those it carries, as the
 * copy af_unix's unix_attach_fds() makes on 6.1 (scm_fp_dup()). Without
 * it a user's RLIMIT_NOFILE fds in flight, one a message, pin 2 KiB each.
 * The files' references move to the copy. On failure @fpl is kept: larger
 * than needed, but right.
 */
static struct scm_fp_list *punix_fp_shrink(struct scm_fp_list *fpl)
{
	struct scm_fp_list *small;

	if (fpl->count == fpl->max)
		return fpl;
	small = kmemdup(fpl, offsetof(struct scm_fp_list, fp[fpl->count]),
			GFP_KERNEL_ACCOUNT);
	if (!small)
		return fpl;
	small->max = small->count;
#if IS_ENABLED(CONFIG_UNIX)
	INIT_LIST_HEAD(&small->vertices);	/* points into @fpl */
#endif
	kfree(fpl);
	return small;
}

/* One SCM_RIGHTS message: take a reference on each file it names. */
static int punix_fp_copy(struct cmsghdr *cmsg, struct scm_fp_list **fplp)
{
	int *fdp = (int *)CMSG_DATA(cmsg);
	struct scm_fp_list *fpl = *fplp;
	struct file *filp;
	int i, num;

	num = (cmsg->cmsg_len - sizeof(struct cmsghdr)) / sizeof(int);
	if (num <= 0)
		return 0;
	if (num > SCM_MAX_FD)
		return -EINVAL;

	if (!fpl) {
		fpl = punix_fp_alloc();
		if (!fpl)
			return -ENOMEM;
		*fplp = fpl;
	}
	if (fpl->count + num > fpl->max)
		return -EINVAL;

	for (i = 0; i < num; i++) {
		filp = fdp[i] < 0 ? NULL : fget_raw(fdp[i]);
		if (!filp)
			return -EBADF;
		if (punix_is_io_uring(filp)) {
			fput(filp);
			return -EINVAL;
		}
		if (punix_get_socket(filp))
			fpl->count_unix++;
		fpl->fp[fpl->count++] = filp;
	}

	if (!fpl->user)
		fpl->user = get_uid(current_user());
	return num;
}

/*
 * May the caller claim @creds? Its own tgid, unless it has CAP_SYS_ADMIN
 * over its pid namespace; one of its real, effective or saved ids, unless
 * it has CAP_SETUID (CAP_SETGID) over its user namespace.
 */
static int punix_check_creds(const struct ucred *creds, kuid_t uid,
			     kgid_t gid)
{
	const struct cred *cred = current_cred();

	if (!uid_valid(uid) || !gid_valid(gid))
		return -EINVAL;

	/*
	 * As scm_check_creds(): each capability is asked only when the id
	 * itself does not do, and not at all once an earlier check failed.
	 * A capability check is not free of side effects: a success marks
	 * the task PF_SUPERPRIV, and an LSM may audit either answer.
	 */
	if (creds->pid != task_tgid_vnr(current) &&
	    !ns_capable(task_active_pid_ns(current)->user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (!uid_eq(uid, cred->uid) && !uid_eq(uid, cred->euid) &&
	    !uid_eq(uid, cred->suid) && !ns_capable(cred->user_ns, CAP_SETUID))
		return -EPERM;
	if (!gid_eq(gid, cred->gid) && !gid_eq(gid, cred->egid) &&
	    !gid_eq(gid, cred->sgid) && !ns_capable(cred->user_ns, CAP_SETGID))
		return -EPERM;
	return 0;
}

static int punix_scm_creds(struct cmsghdr *cmsg, struct scm_cookie *scm)
{
	struct ucred creds;
	struct pid *pid;
	kuid_t uid;
	kgid_t gid;
	int err;

	if (cmsg->cmsg_len != CMSG_LEN(sizeof(struct ucred)))
		return -EINVAL;
	memcpy(&creds, CMSG_DATA(cmsg), sizeof(creds));

	uid = make_kuid(current_user_ns(), creds.uid);
	gid = make_kgid(current_user_ns(), creds.gid);
	err = punix_check_creds(&creds, uid, gid);
	if (err)
		return err;

	scm->creds.pid = creds.pid;
	if (!scm->pid || pid_vnr(scm->pid) != creds.pid) {
		pid = find_get_pid(creds.pid);
		if (!pid)
			return -ESRCH;
		put_pid(scm->pid);
		scm->pid = pid;
	}
	scm->creds.uid = uid;
	scm->creds.gid = gid;
	return 0;
}

/*
 * The sender's security id for SCM_SECURITY, after unix_get_peersec_dgram()
 * (punix_scm_send()) found none. The hook's modules may answer for AF_UNIX
 * only: SELinux gives an AF_UNIX sender its socket inode's SID, and nothing
 * (secid 0, which scm_recv() would turn into the "unlabeled" context) for
 * any other family. Then ask the modules for the same thing directly: the
 * socket inode's context, as a secid. Where no module labels inodes
 * (AppArmor), that fails and the secid stays 0, as it is for AF_UNIX there.
 */
void __punix_get_peersec_dgram(struct socket *sock, struct scm_cookie *scm)
{
	void *ctx;
	u32 len;

	if (security_inode_getsecctx(SOCK_INODE(sock), &ctx, &len))
		return;
	if (security_secctx_to_secid(ctx, len, &scm->secid))
		scm->secid = 0;
	security_release_secctx(ctx, len);
}

/* As __scm_send(): fill @scm from @msg's control messages. */
int __punix_scm_send(struct msghdr *msg, struct scm_cookie *scm)
{
	struct cmsghdr *cmsg;
	int err;

	for_each_cmsghdr(cmsg, msg) {
		err = -EINVAL;
		if (!CMSG_OK(msg, cmsg))
			goto error;
		if (cmsg->cmsg_level != SOL_SOCKET)
			continue;

		switch (cmsg->cmsg_type) {
		case SCM_RIGHTS:
			err = punix_fp_copy(cmsg, &scm->fp);
			break;
		case SCM_CREDENTIALS:
			err = punix_scm_creds(cmsg, scm);
			break;
		default:
			err = -EINVAL;
			break;
		}
		if (err < 0)
			goto error;
	}

	if (scm->fp && !scm->fp->count) {
		kfree(scm->fp);
		scm->fp = NULL;
	}
	return 0;

error:
	scm_destroy(scm);
	return err;
}

static void punix_detach_fds(struct scm_cookie *scm, struct sk_buff *skb)
{
	scm->fp = PUNIX_CB(skb)->fp;
	PUNIX_CB(skb)->fp = NULL;
	punix_inflight_del(scm->fp);
}

/* The skb's destructor: drop what it carries, then the sender's charge. */
void punix_wfree(struct sk_buff *skb)
{
	struct scm_cookie scm = {};

	swap(scm.pid, PUNIX_CB(skb)->pid);
	if (PUNIX_CB(skb)->fp)
		punix_detach_fds(&scm, skb);
	scm_destroy(&scm);
	sock_wfree(skb);
}

/*
 * punix_scm_to_skb()'s files: @skb carries them, in flight (and counted
 * against the user's RLIMIT_NOFILE).
 */
int __punix_scm_fds_to_skb(struct scm_cookie *scm, struct sk_buff *skb)
{
	struct punix_skb_parms *cb = PUNIX_CB(skb);
	int err;

	if (punix_too_many_fds())
		return -ETOOMANYREFS;

	scm->fp = punix_fp_shrink(scm->fp);
	err = punix_inflight_add(scm->fp);
	if (err)
		return err;
	cb->fp = scm->fp;
	scm->fp = NULL;
	return 0;
}

/* Does @skb carry the credentials @scm holds (stream reads never mix)? */
bool punix_skb_scm_eq(struct sk_buff *skb, struct scm_cookie *scm)
{
	const struct punix_skb_parms *cb = PUNIX_CB(skb);

#ifdef CONFIG_SECURITY_NETWORK
	if (cb->secid != scm->secid)
		return false;
#endif
	return cb->pid == scm->pid && uid_eq(cb->uid, scm->creds.uid) &&
	       gid_eq(cb->gid, scm->creds.gid);
}

/*
 * Would a write carrying @scm (no files) from @sock to @other get the very
 * credentials @skb carries (punix_scm_to_skb() and punix_maybe_add_creds()
 * applied to a new skb)? Then its bytes may join @skb: a reader that asks
 * for credentials could not have told the two writes apart.
 */
bool punix_scm_append_ok(const struct sk_buff *skb,
			 const struct scm_cookie *scm,
			 const struct socket *sock, const struct sock *other)
{
	const struct punix_skb_parms *cb = PUNIX_CB(skb);
	/* NULL once @other is orphaned (release): see punix_stream_append() */
	const struct socket *osock = READ_ONCE(other->sk_socket);
	struct pid *pid = scm->pid;
	kuid_t uid = scm->creds.uid;
	kgid_t gid = scm->creds.gid;

	if (scm->fp || cb->fp)
		return false;
#ifdef CONFIG_SECURITY_NETWORK
	if (cb->secid != scm->secid)
		return false;
#endif
	if (!pid && (punix_passcred(sock) || !osock || punix_passcred(osock))) {
		pid = task_tgid(current);
		current_uid_gid(&uid, &gid);
	}
	return cb->pid == pid && uid_eq(cb->uid, uid) && gid_eq(cb->gid, gid);
}

/*
 * @sk's reader takes @skb's files: they leave flight (@peek: duplicates
 * are made and the originals stay in flight).
 */
void punix_scm_take_fds(struct sock *sk, struct scm_cookie *scm,
			struct sk_buff *skb, bool peek)
{
	if (!PUNIX_CB(skb)->fp)
		return;
	if (peek) {
		scm->fp = scm_fp_dup(PUNIX_CB(skb)->fp);
		punix_gc_peek_barrier();
	} else {
		atomic_sub(PUNIX_CB(skb)->fp->count, &punix_sk(sk)->scm_fds);
		punix_detach_fds(scm, skb);
	}
}

#ifdef PUNIX_HAVE_SCM_PIDFD
/*
 * SCM_PIDFD needs pidfd_prepare(), which is not exported. The socket core
 * makes pidfds for SO_PEERPIDFD (do_sock_getsockopt(), exported) from
 * sk_peer_pid: a private kernel socket, whose peer pid is set for the
 * duration of one call, makes them for punix. It is an AF_UNIX socket, so
 * that it pins neither punix nor anything else; nobody else can reach it.
 *
 * punix_pidfd_mutex serialises the calls (sk_peer_pid is the argument).
 */
static struct socket *punix_pidfd_sock;
static DEFINE_MUTEX(punix_pidfd_mutex);

/* A pidfd for @pid installed in the caller's table, or -errno. */
static int punix_pidfd_prepare(struct pid *pid)
{
	struct sock *sk = punix_pidfd_sock->sk;
	int fd = -1, len = sizeof(fd), err;

	mutex_lock(&punix_pidfd_mutex);
	spin_lock(&sk->sk_peer_lock);
	sk->sk_peer_pid = pid;	/* borrowed, cleared below */
	spin_unlock(&sk->sk_peer_lock);

	/* compat: no cgroup BPF program sees this internal call */
	err = do_sock_getsockopt(punix_pidfd_sock, true, SOL_SOCKET,
				 SO_PEERPIDFD, KERNEL_SOCKPTR(&fd),
				 KERNEL_SOCKPTR(&len));

	spin_lock(&sk->sk_peer_lock);
	sk->sk_peer_pid = NULL;
	spin_unlock(&sk->sk_peer_lock);
	mutex_unlock(&punix_pidfd_mutex);

	return err ?: fd;
}

/*
 * As scm_pidfd_recv(): SO_PASSPIDFD gives the sender's pidfd, or the error
 * making one gave (a sender already reaped). The pidfd is installed before
 * its message is written, and closed again if that fails.
 */
static void punix_scm_pidfd_recv(struct msghdr *msg, struct pid *pid)
{
	size_t len = sizeof(int);
	int pidfd;

	len += (msg->msg_flags & MSG_CMSG_COMPAT) ?
	       sizeof(struct compat_cmsghdr) : sizeof(struct cmsghdr);
	if (msg->msg_controllen < len) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (!pid || !punix_pidfd_sock)
		return;

	pidfd = punix_pidfd_prepare(pid);
	if (put_cmsg(msg, SOL_SOCKET, SCM_PIDFD, sizeof(int), &pidfd) &&
	    pidfd >= 0)
		close_fd(pidfd);
}

void punix_scm_init(void)
{
	int err;

	err = sock_create_kern(&init_net, AF_UNIX, SOCK_DGRAM, 0,
			       &punix_pidfd_sock);
	if (err) {
		punix_pidfd_sock = NULL;
		pr_warn("no SCM_PIDFD (kernel socket: %d)\n", err);
	}
}

void punix_scm_exit(void)
{
	if (punix_pidfd_sock)
		sock_release(punix_pidfd_sock);
}
#else
static void punix_scm_pidfd_recv(struct msghdr *msg, struct pid *pid)
{
}

void punix_scm_init(void)
{
}

void punix_scm_exit(void)
{
}
#endif

/* punix_scm_recv() for a reader that asked for a pidfd (SO_PASSPIDFD). */
void __punix_scm_recv_pidfd(struct socket *sock, struct msghdr *msg,
			    struct scm_cookie *scm, int flags)
{
	struct pid *pid = get_pid(scm->pid);

	scm_recv(sock, msg, scm, flags);
	punix_scm_pidfd_recv(msg, pid);
	put_pid(pid);
}

/* Files queued for a listener: on its unaccepted connections. */
static unsigned int punix_count_nr_fds(struct sock *sk)
{
	unsigned int nr_fds = 0;
	struct sk_buff *skb;

	spin_lock(&sk->sk_receive_queue.lock);
	skb_queue_walk(&sk->sk_receive_queue, skb)
		nr_fds += atomic_read(&punix_sk(skb->sk)->scm_fds);
	spin_unlock(&sk->sk_receive_queue.lock);
	return nr_fds;
}

/* As af_unix: /proc/<pid>/fdinfo/<fd> counts the files queued for us. */
void punix_show_fdinfo(struct seq_file *m, struct socket *sock)
{
	struct sock *sk = sock->sk;
	unsigned int nr_fds = 0;
	unsigned char state;

	if (!sk)
		return;

	/* A connection's state no longer changes once set: no lock. */
	state = READ_ONCE(sk->sk_state);
	if (sock->type == SOCK_DGRAM || state == TCP_ESTABLISHED)
		nr_fds = atomic_read(&punix_sk(sk)->scm_fds);
	else if (state == TCP_LISTEN)
		nr_fds = punix_count_nr_fds(sk);
	seq_printf(m, "scm_fds: %u\n", nr_fds);
}
