// SPDX-License-Identifier: GPL-2.0
/*
 * echo: a UNIX-domain stream echo server and client, over AF_UNIX or punix.
 *
 *   echo server unix|punix PATH        serve one client, echoing all it sends
 *   echo client unix|punix PATH TEXT   send TEXT, print the reply
 *
 * The two families take the same code: only the number passed to socket()
 * differs. punix's number is whatever the loaded module registered, read
 * from sysfs; the address is a plain struct sockaddr_un either way.
 *
 * Build: cc -static -Wall -I include/uapi -o echo examples/echo.c
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/punix.h>

static const char *role = "echo";
static const char *family_name;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	printf("[%s %s] ", role, family_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void die(const char *what)
{
	say("%s: %s", what, strerror(errno));
	exit(1);
}

/* The family number for "unix" or "punix". */
static int family_number(const char *name)
{
	FILE *f;
	int family;

	if (!strcmp(name, "unix"))
		return AF_UNIX;
	if (strcmp(name, "punix")) {
		fprintf(stderr, "family must be unix or punix, not %s\n", name);
		exit(2);
	}
	f = fopen(PUNIX_FAMILY_SYSFS, "r");
	if (!f)
		die("reading " PUNIX_FAMILY_SYSFS " (is punix loaded?)");
	if (fscanf(f, "%d", &family) != 1) {
		errno = EINVAL;
		die("reading " PUNIX_FAMILY_SYSFS);
	}
	fclose(f);
	return family;
}

static struct sockaddr_un make_addr(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	size_t len = strlen(path);

	if (len >= sizeof(addr.sun_path)) {
		fprintf(stderr, "path too long: %s\n", path);
		exit(2);
	}
	memcpy(addr.sun_path, path, len + 1);
	return addr;
}

/* Print the family and path of our end or the peer's end of fd. */
static void show_name(int fd, int peer, const char *label)
{
	struct sockaddr_un addr;
	socklen_t len = sizeof(addr);
	int err;

	memset(&addr, 0, sizeof(addr));
	err = peer ? getpeername(fd, (struct sockaddr *)&addr, &len) :
		     getsockname(fd, (struct sockaddr *)&addr, &len);
	if (err)
		die(peer ? "getpeername" : "getsockname");
	if (len <= offsetof(struct sockaddr_un, sun_path))
		say("%s: family %d, unnamed", label, addr.sun_family);
	else
		say("%s: family %d, path %s", label, addr.sun_family, addr.sun_path);
}

static int server(int family, const char *path)
{
	struct sockaddr_un addr = make_addr(path);
	char buf[4096];
	size_t total = 0;
	ssize_t n;
	int fd, conn;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind");
	if (listen(fd, 1))
		die("listen");
	say("socket(%d, SOCK_STREAM, 0) bound to %s, listening", family, path);

	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		die("accept");
	show_name(conn, 0, "accepted; our end");

	while ((n = read(conn, buf, sizeof(buf))) > 0) {
		if (write(conn, buf, n) != n)
			die("write");
		total += n;
	}
	if (n < 0)
		die("read");
	say("client closed; echoed %zu bytes", total);
	close(conn);
	close(fd);
	return 0;
}

/* connect(), retrying for a while: the server may still be starting. */
static int connect_retry(int family, const struct sockaddr_un *addr)
{
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (!connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
			return fd;
		if (errno != ENOENT && errno != ECONNREFUSED)
			die("connect");
		close(fd);
		nanosleep(&pause, NULL);
	}
	die("connect (gave up after 5 s)");
	return -1;
}

static int client(int family, const char *path, const char *text)
{
	struct sockaddr_un addr = make_addr(path);
	size_t len = strlen(text), got = 0;
	char reply[4096];
	ssize_t n;
	int fd;

	if (len >= sizeof(reply)) {
		fprintf(stderr, "text too long\n");
		return 2;
	}
	fd = connect_retry(family, &addr);
	show_name(fd, 1, "connected; peer");

	if (write(fd, text, len) != (ssize_t)len)
		die("write");
	say("sent     \"%s\"", text);
	/* No more to send: the server sees EOF once it has echoed it all. */
	if (shutdown(fd, SHUT_WR))
		die("shutdown");

	while ((n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += n;
	if (n < 0)
		die("read");
	reply[got] = '\0';
	say("received \"%s\"", reply);
	close(fd);

	if (got != len || memcmp(reply, text, len)) {
		say("reply differs from what was sent");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int family;

	if (argc < 4 || (strcmp(argv[1], "server") && strcmp(argv[1], "client")) ||
	    (!strcmp(argv[1], "client") && argc != 5) ||
	    (!strcmp(argv[1], "server") && argc != 4)) {
		fprintf(stderr,
			"usage: %s server unix|punix PATH\n"
			"       %s client unix|punix PATH TEXT\n",
			argv[0], argv[0]);
		return 2;
	}
	role = argv[1];
	family_name = argv[2];
	family = family_number(argv[2]);

	if (!strcmp(role, "server"))
		return server(family, argv[3]);
	return client(family, argv[3], argv[4]);
}
