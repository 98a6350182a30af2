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

/* The fills of bounds_util.h, one case each. */
FILL_TESTS(bounds)

/*
 * Non-blocking sends of one size until EAGAIN (sizes 1 to 40000) under
 * each SO_SNDBUF (0: the default; the smaller ones are raised to the
 * kernel's minimum), one TEST_F each for the debug kernel's watchdog.
 * ACCT_TESTS(ty, type): the three cases of @type, named <ty>_accounting_*.
 */
#define ACCT_TESTS(ty, type)						\
	TEST_F(bounds, ty##_accounting_default_sndbuf)			\
	{								\
		__acct_compare(_metadata, self->family, type, 0);	\
	}								\
	TEST_F(bounds, ty##_accounting_small_sndbuf)			\
	{								\
		__acct_compare(_metadata, self->family, type, 2048);	\
		__acct_compare(_metadata, self->family, type, 6000);	\
	}								\
	TEST_F(bounds, ty##_accounting_64k_sndbuf)			\
	{								\
		__acct_compare(_metadata, self->family, type, 65536);	\
	}

ACCT_TESTS(stream, SOCK_STREAM)
ACCT_TESTS(seqpacket, SOCK_SEQPACKET)

TEST_HARNESS_MAIN
