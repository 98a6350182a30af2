/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sock_diag requests (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY) for
 * diag_test and netns_test.
 */
#ifndef _PUNIX_DIAG_UTIL_H
#define _PUNIX_DIAG_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

/* A NETLINK_SOCK_DIAG socket, or -1. */
static inline int diag_open(void)
{
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

/*
 * One unix_diag_req for @family to the kernel: a dump of the sockets in
 * @states if @dump, else the exact lookup of @ino with @cookie; @show
 * asks for the attributes.  0 or -errno.
 */
static inline int diag_send(int nl, int family, bool dump, uint32_t states,
			    uint32_t ino, const uint32_t *cookie, uint32_t show)
{
	static uint32_t seq;
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0),
			.nlmsg_seq = ++seq,
		},
		.r = {
			.sdiag_family = family,
			.udiag_states = states,
			.udiag_ino = ino,
			.udiag_show = show,
			.udiag_cookie = { cookie[0], cookie[1] },
		},
	};

	return sendto(nl, &req, sizeof(req), 0, (struct sockaddr *)&nladdr,
		      sizeof(nladdr)) == sizeof(req) ? 0 : -errno;
}

#endif /* _PUNIX_DIAG_UTIL_H */
