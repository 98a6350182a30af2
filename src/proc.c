// SPDX-License-Identifier: GPL-2.0
/*
 * punix: /proc/net/punix, the namespace's punix sockets in the format of
 * /proc/net/unix.
 *
 * One line per socket that has not been released, embryos (connections
 * not yet accepted) included, after a header line:
 *
 *   Num       RefCount Protocol Flags    Type St Inode Path
 *   <%pK of the sock>: <sk_refcnt> 00000000 <flags> <type> <st> <inode> <name>
 *
 * as /proc/net/unix prints them (the same on Linux 6.1 and 6.12): the
 * numbers in upper-case hex, zero-padded to 8, 8, 8, 4 and 2 digits, the
 * inode in decimal right-aligned in 5 columns (0 for an embryo). Flags is
 * __SO_ACCEPTCON for a listener, else 0. St is the socket state of BSD
 * sockets: SS_CONNECTED or SS_UNCONNECTED for a socket with a file,
 * SS_CONNECTING or SS_DISCONNECTING for one without (an embryo). The name,
 * after one space, is the path for a path socket, and for an abstract one
 * '@' followed by the name with each NUL byte shown as '@'. An unbound
 * socket has no name and no space after its inode.
 */

#include <linux/net.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "punix.h"

#define PUNIX_PROC_NAME	"punix"

static void *punix_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(&punix_net(seq_file_net(seq))->lock)
{
	struct punix_net *pn = punix_net(seq_file_net(seq));

	spin_lock(&pn->lock);
	/* Position 0 is SEQ_START_TOKEN: the header line. */
	return seq_hlist_start_head(&pn->socks, *pos);
}

static void *punix_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	return seq_hlist_next(v, &punix_net(seq_file_net(seq))->socks, pos);
}

static void punix_seq_stop(struct seq_file *seq, void *v)
	__releases(&punix_net(seq_file_net(seq))->lock)
{
	spin_unlock(&punix_net(seq_file_net(seq))->lock);
}

/* The St column: what af_unix reports as the BSD socket state. */
static int punix_seq_state(const struct sock *sk)
{
	bool connected = sk->sk_state == TCP_ESTABLISHED;

	if (sk->sk_socket)
		return connected ? SS_CONNECTED : SS_UNCONNECTED;
	return connected ? SS_CONNECTING : SS_DISCONNECTING;
}

/* " name": a path as it is, an abstract name as '@' and NULs as '@'. */
static void punix_seq_put_name(struct seq_file *seq,
			       const struct punix_address *addr)
{
	int len = addr->len - offsetof(struct sockaddr_un, sun_path);
	const char *name = addr->name.sun_path;
	int i;

	seq_putc(seq, ' ');
	if (name[0])
		len--;	/* a path's length counts its NUL */
	for (i = 0; i < len; i++)
		seq_putc(seq, name[i] ? name[i] : '@');
}

static int punix_seq_show(struct seq_file *seq, void *v)
{
	struct punix_address *addr;
	struct sock *sk;

	lockdep_assert_held(&punix_net(seq_file_net(seq))->lock);
	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Num       RefCount Protocol Flags    Type St Inode Path\n");
		return 0;
	}

	sk = hlist_entry(v, struct sock, sk_bind_node);

	/* A consistent state, file and name, as af_unix prints them. */
	punix_state_lock(sk);
	seq_printf(seq, "%pK: %08X %08X %08X %04X %02X %5lu", sk,
		   refcount_read(&sk->sk_refcnt), 0,
		   sk->sk_state == TCP_LISTEN ? __SO_ACCEPTCON : 0,
		   sk->sk_type, punix_seq_state(sk), sock_i_ino(sk));
	addr = punix_get_addr(sk);
	if (addr)
		punix_seq_put_name(seq, addr);
	punix_state_unlock(sk);
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations punix_seq_ops = {
	.start	= punix_seq_start,
	.next	= punix_seq_next,
	.stop	= punix_seq_stop,
	.show	= punix_seq_show,
};

int punix_proc_init_net(struct net *net)
{
	if (!IS_ENABLED(CONFIG_PROC_FS))
		return 0;

	if (!proc_create_net(PUNIX_PROC_NAME, 0444, net->proc_net,
			     &punix_seq_ops, sizeof(struct seq_net_private)))
		return -ENOMEM;
	return 0;
}

void punix_proc_exit_net(struct net *net)
{
	remove_proc_entry(PUNIX_PROC_NAME, net->proc_net);
}
