// SPDX-License-Identifier: GPL-2.0
/*
 * Memory bounds measured in a memory cgroup (kernels with memory cgroups
 * v2; the debug kernel has none, and vm.sh leaves memcg_* programs out
 * there): bounds_test's fills, each run as nobody alone in a fresh cgroup,
 * pin no more memory (memory.current) over the family than over AF_UNIX,
 * up to mem_slack(); and a fill in a cgroup with a small memory.max fails
 * the same way over both families. See bounds_util.h.
 */
#define BOUNDS_MEMCG	1
#include "bounds_util.h"

PUNIX_FIXTURE(memcg);

TEST_F(memcg, stream_unread_bounded_by_sndbuf)
{
	compare(fill_stream, 0, SOCK_STREAM, "stream bytes");
}

TEST_F(memcg, seqpacket_unread_bounded_by_sndbuf)
{
	compare(fill_stream, 0, SOCK_SEQPACKET, "seqpacket bytes");
}

TEST_F(memcg, dgram_queue_bounded_by_qlen_32k)
{
	compare(fill_dgram_qlen, 0, 32768, "dgram messages, 32 KiB");
}

TEST_F(memcg, dgram_queue_bounded_by_qlen_1byte)
{
	compare(fill_dgram_qlen, 0, 1, "dgram messages, 1 byte");
}

TEST_F(memcg, dgram_pair_bounded_by_sndbuf_16k)
{
	compare(fill_dgram_pair, 0, 16384, "dgram pair messages, 16 KiB");
}

TEST_F(memcg, dgram_pair_bounded_by_sndbuf_1byte)
{
	compare(fill_dgram_pair, 0, 1, "dgram pair messages, 1 byte");
}

TEST_F(memcg, inflight_fds_bounded_by_rlimit_1fd)
{
	compare(fill_inflight, NOFILE_INFLIGHT, 1, "fds in flight, 1 a message");
}

TEST_F(memcg, inflight_fds_bounded_by_rlimit_7fds)
{
	compare(fill_inflight, NOFILE_INFLIGHT, 7, "fds in flight, 7 a message");
}

TEST_F(memcg, pending_connections_bounded_by_backlog_4)
{
	compare(fill_backlog, NOFILE_CONNECT, 4, "connections, backlog 4");
}

TEST_F(memcg, pending_connections_bounded_by_backlog_0)
{
	compare(fill_backlog, NOFILE_CONNECT, 0, "connections, backlog 0");
}

TEST_F(memcg, bound_names_bounded_by_files_abstract)
{
	compare(fill_names, NOFILE_NAMES, 0, "abstract names");
}

TEST_F(memcg, bound_names_bounded_by_files_paths)
{
	compare(fill_names, NOFILE_NAMES, 1, "path names");
}

TEST_F(memcg, memcg_limit_stream)
{
	__limited_compare(_metadata, self->family, SOCK_STREAM);
}

TEST_F(memcg, memcg_limit_dgram)
{
	__limited_compare(_metadata, self->family, SOCK_DGRAM);
}

TEST_HARNESS_MAIN
