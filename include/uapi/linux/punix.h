/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * punix: a parallel UNIX-domain socket family, loadable as a module.
 *
 * Addresses are plain struct sockaddr_un (<sys/un.h> or <linux/un.h>).
 * punix accepts sun_family == AF_UNIX or its own family number in every
 * address it is given, and reports its own family number in every address
 * it returns.
 *
 * The family number is the module parameter "family"; the one in use can be
 * read from /sys/module/punix/parameters/family.
 */
#ifndef _UAPI_LINUX_PUNIX_H
#define _UAPI_LINUX_PUNIX_H

/*
 * Default family: slot 25 (AF_WANPIPE) was reserved in <linux/socket.h> but
 * never implemented in mainline, so it is free on every kernel punix targets.
 */
#define PUNIX_FAMILY_DEFAULT	25

#define AF_PUNIX		PUNIX_FAMILY_DEFAULT
#define PF_PUNIX		AF_PUNIX

/* Where the family number of the loaded module can be read. */
#define PUNIX_FAMILY_SYSFS	"/sys/module/punix/parameters/family"

#endif /* _UAPI_LINUX_PUNIX_H */
