// SPDX-License-Identifier: GPL-2.0
/*
 * Memory bounds on every kernel: an unprivileged user trying to exceed
 * each bound AF_UNIX sets (send buffers, max_dgram_qlen, RLIMIT_NOFILE
 * for fds in flight, the backlog, the fds holding bound names) gets
 * exactly as far over the family as over AF_UNIX, with the same buffer
 * memory charged (SO_MEMINFO) and as many socks, all freed at exit; and
 * seqpacket accounting (bytes taken before EAGAIN, SIOCOUTQ, SIOCINQ,
 * every SO_MEMINFO field) equals AF_UNIX's, and stream accounting is
 * bounded by it (punix appends small writes to the tail skb, issue 9: at
 * least as many bytes taken, no more memory per byte). See bounds_util.h;
 * memcg_test.c measures the same fills in a memory cgroup.
 */
#define BOUNDS_MEMCG	0
#include "bounds_util.h"

PUNIX_FIXTURE(bounds);

TEST_F(bounds, stream_unread_bounded_by_sndbuf)
{
	compare(fill_stream, 0, SOCK_STREAM, "stream bytes");
}

TEST_F(bounds, seqpacket_unread_bounded_by_sndbuf)
{
	compare(fill_stream, 0, SOCK_SEQPACKET, "seqpacket bytes");
}

TEST_F(bounds, dgram_queue_bounded_by_qlen_32k)
{
	compare(fill_dgram_qlen, 0, 32768, "dgram messages, 32 KiB");
}

TEST_F(bounds, dgram_queue_bounded_by_qlen_1byte)
{
	compare(fill_dgram_qlen, 0, 1, "dgram messages, 1 byte");
}

TEST_F(bounds, dgram_pair_bounded_by_sndbuf_16k)
{
	compare(fill_dgram_pair, 0, 16384, "dgram pair messages, 16 KiB");
}

TEST_F(bounds, dgram_pair_bounded_by_sndbuf_1byte)
{
	compare(fill_dgram_pair, 0, 1, "dgram pair messages, 1 byte");
}

TEST_F(bounds, inflight_fds_bounded_by_rlimit_1fd)
{
	compare(fill_inflight, NOFILE_INFLIGHT, 1, "fds in flight, 1 a message");
}

TEST_F(bounds, inflight_fds_bounded_by_rlimit_7fds)
{
	compare(fill_inflight, NOFILE_INFLIGHT, 7, "fds in flight, 7 a message");
}

TEST_F(bounds, pending_connections_bounded_by_backlog_4)
{
	compare(fill_backlog, NOFILE_CONNECT, 4, "connections, backlog 4");
}

TEST_F(bounds, pending_connections_bounded_by_backlog_0)
{
	compare(fill_backlog, NOFILE_CONNECT, 0, "connections, backlog 0");
}

TEST_F(bounds, bound_names_bounded_by_files_abstract)
{
	compare(fill_names, NOFILE_NAMES, 0, "abstract names");
}

TEST_F(bounds, bound_names_bounded_by_files_paths)
{
	compare(fill_names, NOFILE_NAMES, 1, "path names");
}

/*
 * Non-blocking sends of one size until EAGAIN (sizes 1 to 40000) under
 * each SO_SNDBUF (0: the default; the smaller ones are raised to the
 * kernel's minimum), one TEST_F each for the debug kernel's watchdog.
 */
TEST_F(bounds, stream_accounting_default_sndbuf)
{
	__acct_compare(_metadata, self->family, SOCK_STREAM, 0);
}

TEST_F(bounds, stream_accounting_small_sndbuf)
{
	__acct_compare(_metadata, self->family, SOCK_STREAM, 2048);
	__acct_compare(_metadata, self->family, SOCK_STREAM, 6000);
}

TEST_F(bounds, stream_accounting_64k_sndbuf)
{
	__acct_compare(_metadata, self->family, SOCK_STREAM, 65536);
}

TEST_F(bounds, seqpacket_accounting_default_sndbuf)
{
	__acct_compare(_metadata, self->family, SOCK_SEQPACKET, 0);
}

TEST_F(bounds, seqpacket_accounting_small_sndbuf)
{
	__acct_compare(_metadata, self->family, SOCK_SEQPACKET, 2048);
	__acct_compare(_metadata, self->family, SOCK_SEQPACKET, 6000);
}

TEST_F(bounds, seqpacket_accounting_64k_sndbuf)
{
	__acct_compare(_metadata, self->family, SOCK_SEQPACKET, 65536);
}

TEST_HARNESS_MAIN
