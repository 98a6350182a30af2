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

/* The fills of bounds_util.h, one case each. */
FILL_TESTS(memcg)

TEST_F(memcg, memcg_limit_stream)
{
	__limited_compare(_metadata, self->family, SOCK_STREAM);
}

TEST_F(memcg, memcg_limit_dgram)
{
	__limited_compare(_metadata, self->family, SOCK_DGRAM);
}

TEST_HARNESS_MAIN
