/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers reading and writing files (sysctls, module parameters,
 * cgroup files, the fd and sock counts of /proc) shared by the harness
 * tests, through punix_test.h, and by the plain TAP programs that do not
 * use the harness (modcycle_test, soak_test).
 */
#ifndef _PUNIX_FILE_UTIL_H
#define _PUNIX_FILE_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>

#include <linux/punix.h>

/*
 * The start of the file @path (at most @size - 1 bytes) into @buf as a
 * string: its length, or -1 if the file cannot be read or is empty.
 */
static inline ssize_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The number the file @path starts with (a sysctl, a parameter), or -1. */
static inline long read_long(const char *path)
{
	char buf[64];

	return read_text(path, buf, sizeof(buf)) < 0 ? -1 :
	       strtol(buf, NULL, 10);
}

/* Write the string @val to the file @path in one write(): 0 or -1. */
static inline int write_text(const char *path, const char *val)
{
	ssize_t n, len = strlen(val);
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	close(fd);
	return n == len ? 0 : -1;
}

/*
 * The family of the loaded punix module for the plain programs, or -1
 * (punix_family() in punix_test.h tells why for the harness tests).
 */
static inline int read_family(void)
{
	return (int)read_long(PUNIX_FAMILY_SYSFS);
}

/* The number of open file descriptors of this process, or -1. */
static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Socks of AF_UNIX (@punix false) or of the punix family alive in this
 * network namespace: the "sockets" column (sock_prot_inuse_get()) of both
 * its lines in /proc/net/protocols ("UNIX" and "UNIX-STREAM", "PUNIX" and
 * "PUNIX-STREAM"); -1 unless both are there.
 */
static inline long proto_sockets(bool punix)
{
	const char *stream = punix ? "PUNIX-STREAM" : "UNIX-STREAM";
	const char *dgram = punix ? "PUNIX" : "UNIX";
	char line[512], name[64];
	long total = 0, n;
	int found = 0;
	FILE *f;

	f = fopen("/proc/net/protocols", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %*d %ld", name, &n) != 2)
			continue;
		if (!strcmp(name, stream) || !strcmp(name, dgram)) {
			total += n;
			found++;
		}
	}
	fclose(f);
	return found == 2 ? total : -1;
}

/* The debug kernel (KASAN, lockdep) is the one with kmemleak. */
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

/*
 * A plain program's size (cycles, seconds): @def, or @debug on the debug
 * kernel; the environment variable @env instead when it is set.
 */
static inline int size_for_kernel(const char *env, int def, int debug)
{
	const char *e = getenv(env);

	if (e && *e)
		return atoi(e);
	return access(KMEMLEAK, F_OK) ? def : debug;
}

#endif /* _PUNIX_FILE_UTIL_H */
