// SPDX-License-Identifier: GPL-2.0
/*
 * Load/unload cycles of the module: remove punix (delete_module(), which
 * fails while any punix sock exists: each holds a module reference), load
 * it again from /punix.ko (finit_module()) with the parameters it had,
 * make and destroy sockets of every type in between (pairs, a listener and
 * its connections, data, files in flight including a cycle for the
 * collector, abstract and autobound names), closing them all: the next
 * removal succeeds only once every punix sock is freed (the collector
 * included), so each cycle checks that nothing was left behind.
 *
 * It runs in the check VM among the other programs, as root, with nothing
 * else using punix; it leaves the module loaded as it found it. Plain TAP,
 * NCASES cases (part_1_of_10...), each a tenth of the cycles, so that the
 * case names do not depend on the count ("-l" lists them for the bench's
 * expected lists). The number of cycles is DEF_CYCLES, DEBUG_CYCLES on the
 * debug kernel (MODCYCLE_CYCLES or --cycles N to change it), rounded up to
 * a multiple of NCASES.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <linux/punix.h>

#include "file_util.h"

#define DEF_CYCLES	100
/*
 * A cycle takes about 0.23 s under emulation on Debian's kernels, 2.7 s
 * on the debug kernel (KASAN, kmemleak, lockdep: module loading is slow
 * there), whose check run has little time left: it does DEBUG_CYCLES.
 * The debug kernel is the one with kmemleak.
 */
#define DEBUG_CYCLES	10
#define NCASES		10
#define MODULE_PATH	"/punix.ko"
#define PARAMS_DIR	"/sys/module/punix/parameters"
#define UNLOAD_WAIT_MS	10000

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "name=value ..." of the loaded module's parameters, for reloading it. */
static int read_params(char *out, size_t size)
{
	char path[512], val[256];
	struct dirent *de;
	size_t used = 0;
	DIR *d = opendir(PARAMS_DIR);

	if (!d)
		return -1;
	out[0] = '\0';
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", PARAMS_DIR, de->d_name);
		if (read_text(path, val, sizeof(val)) < 0)
			continue;	/* write-only */
		val[strcspn(val, "\n")] = '\0';
		used += snprintf(out + used, size - used, "%s%s=%s",
				 used ? " " : "", de->d_name, val);
		if (used >= size) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/* Remove punix; a sock whose release is still pending (the collector's
 * work) may hold it for a moment. */
static int unload(void)
{
	long end = now_ms() + UNLOAD_WAIT_MS;

	for (;;) {
		if (!syscall(SYS_delete_module, "punix", O_NONBLOCK))
			return 0;
		if ((errno != EWOULDBLOCK && errno != EAGAIN) ||
		    now_ms() > end)
			return -errno;
		usleep(10000);
	}
}

static int load(const char *params)
{
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = -errno;
	close(fd);
	return err;
}

static int send_fd(int via, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "f", 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(via, &msg, MSG_DONTWAIT) == 1 ? 0 : -1;
}

/* Close every socket this program has (after a failed step). */
static void close_sockets(void)
{
	int type;
	socklen_t len;

	for (int fd = 3; fd < 1024; fd++) {
		len = sizeof(type);
		if (!getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
			close(fd);
	}
}

/* Sockets made and destroyed while the module is loaded; 0 or the step
 * that failed. */
static int use_sockets(int fam, int cycle)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM };
	struct sockaddr_un sun = { .sun_family = fam };
	int sv[2], l, c, a, d, len, step = 0;
	char buf[64];

	for (int t = 0; t < 3; t++) {
		step++;
		if (socketpair(fam, types[t], 0, sv))
			return step;
		step++;
		if (send(sv[0], "data", 4, MSG_DONTWAIT) != 4 ||
		    send_fd(sv[0], sv[1]) || send_fd(sv[1], sv[0]))
			return step;
		close(sv[0]);		/* a cycle: each end in the other */
		close(sv[1]);
	}
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		       "punix-%d-modcycle-%d", (int)getpid(), cycle);
	step++;
	l = socket(fam, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sun, len) || listen(l, 4))
		return step;
	step++;
	c = socket(fam, SOCK_STREAM, 0);
	d = socket(fam, SOCK_STREAM, 0);	/* left unaccepted */
	if (c < 0 || d < 0 || connect(c, (struct sockaddr *)&sun, len) ||
	    connect(d, (struct sockaddr *)&sun, len))
		return step;
	step++;
	a = accept(l, NULL, NULL);
	if (a < 0 || write(c, "hello", 5) != 5 ||
	    read(a, buf, sizeof(buf)) != 5 || send_fd(c, l))
		return step;
	step++;
	sv[0] = socket(fam, SOCK_DGRAM, 0);	/* autobind on a send */
	sun.sun_path[0] = '\0';
	if (sv[0] < 0 || bind(sv[0], (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path)))
		return step;
	close(sv[0]);
	close(a);
	close(c);
	close(d);
	close(l);
	return 0;
}

int main(int argc, char **argv)
{
	int cycles, num = 0, err, fam, step, per_case;
	char params[1024], why[256];
	long t0 = now_ms();

	cycles = size_for_kernel("MODCYCLE_CYCLES", DEF_CYCLES, DEBUG_CYCLES);
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (int k = 1; k <= NCASES; k++)
			printf("part_%d_of_%d\n", k, NCASES);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--cycles"))
		cycles = atoi(argv[2]);
	if (cycles < 1) {
		fprintf(stderr, "usage: %s [-l | --cycles N]\n", argv[0]);
		return 2;
	}
	per_case = (cycles + NCASES - 1) / NCASES;
	cycles = per_case * NCASES;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", NCASES);
	if (read_params(params, sizeof(params))) {
		printf("Bail out! punix is not loaded (%s)\n", PARAMS_DIR);
		return 1;
	}
	printf("# %d cycles, parameters \"%s\"\n", cycles, params);
	for (int i = 0; i < cycles; i++) {
		why[0] = '\0';
		err = unload();
		if (err) {
			snprintf(why, sizeof(why), "cycle %d: delete_module: %s",
				 i, strerror(-err));
		} else if ((err = load(params))) {
			snprintf(why, sizeof(why), "cycle %d: finit_module: %s",
				 i, strerror(-err));
		} else if ((fam = read_family()) <= 0) {
			snprintf(why, sizeof(why), "cycle %d: no family", i);
		} else if ((step = use_sockets(fam, i))) {
			snprintf(why, sizeof(why), "cycle %d: sockets, step %d: %s",
				 i, step, strerror(errno));
		}
		if (why[0]) {
			/* Report it, leave punix loaded for the programs that
			 * follow, and stop: the cases not reported count as
			 * failed. */
			printf("# %s\n", why);
			close_sockets();
			if (read_family() <= 0)
				load(params);
			printf("not ok %d part_%d_of_%d\n", ++num,
			       i / per_case + 1, NCASES);
			return 1;
		}
		if ((i + 1) % per_case == 0) {
			printf("# cycles %d to %d\n", i + 2 - per_case, i + 1);
			printf("ok %d part_%d_of_%d\n", ++num, i / per_case + 1,
			       NCASES);
		}
	}
	/* The last cycle's sockets are gone once punix can be removed. */
	err = unload();
	if (!err)
		err = load(params);
	printf("# %d cycles in %ld ms; last removal and load: %s\n", cycles,
	       now_ms() - t0, err ? strerror(-err) : "ok");
	return err ? 1 : 0;
}
