// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/punix against /proc/net/unix (af_unix.c unix_seq_show(), the
 * same on Linux 6.1 and 6.12).
 *
 * The variant's sockets are made in a fresh network namespace A and its
 * file read there (native: /proc/net/unix, punix: /proc/net/punix); then
 * twin AF_UNIX sockets are made the same way in a second fresh namespace
 * B and /proc/net/unix read there. Each line must have the exact format
 * of unix_seq_show() ("%pK: %08X %08X %08X %04X %02X %5lu" and " path"),
 * and the two files must hold the same lines once the Num pointer and the
 * inode are replaced by the name of the socket whose fstat() inode it is
 * (inode 0, an embryo, stays 0), the namespace's own directory in paths by
 * "DIR" and the autobind name by "@AUTO". RefCount, Flags, Type, St and
 * the names are compared as they are (RefCount counts af_unix's table's
 * reference, so punix's list holds one too; a socket another one
 * connected to shows St 03 whatever its type, as af_unix marks it
 * TCP_ESTABLISHED). The native variant compares AF_UNIX
 * with itself: it proves the normalisation and the expectations right.
 *
 * Neither the namespace the test started in nor B may list A's sockets.
 */
#include "msg_util.h"

#include <sched.h>

PUNIX_FIXTURE(proc);

#define MAX_SOCKS	40
#define MAX_LINES	64
#define PROC_BUF	65536

#define PROC_HEADER	"Num       RefCount Protocol Flags    Type St Inode Path"

struct scene {
	int n;
	int fd[MAX_SOCKS];
	const char *label[MAX_SOCKS];
	ino_t ino[MAX_SOCKS];
	char dir[96];		/* this namespace's directory */
	char autoname[16];	/* the autobind name as /proc prints it */
};

static void scene_add(struct scene *sc, int fd, const char *label)
{
	sc->fd[sc->n] = fd;
	sc->label[sc->n] = label;
	sc->n++;
}

/* fd of a new socket bound to "<dir>/<name>", or -1. */
static int bound(int family, int type, const char *dir, const char *name)
{
	char path[160];
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bind_path(fd, family, path)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int bound_abstract(int family, int type, const char *name,
			  size_t len)
{
	struct sockaddr_un sun = { .sun_family = family };
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	memcpy(sun.sun_path, name, len);
	if (bind(fd, (struct sockaddr *)&sun, SUN_HDR + len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connected_to(int family, int type, const char *dir,
			const char *name)
{
	char path[160];
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (connect_path(fd, family, path)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Every kind of socket /proc shows differently, in @family, named in
 * <sc->dir>. Returns 0, or the step that failed.
 */
static int make_scene(struct scene *sc, int family)
{
	static const char abs_name[] = "\0proc\0test";	/* "@proc@test" */
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int fd, l, c, sv[2];

	sc->n = 0;
	if (mkdir(sc->dir, 0755))
		return 1;

	scene_add(sc, socket(family, SOCK_STREAM, 0), "unbound-stream");
	scene_add(sc, socket(family, SOCK_DGRAM, 0), "unbound-dgram");
	scene_add(sc, socket(family, SOCK_SEQPACKET, 0), "unbound-seqpacket");
	scene_add(sc, bound(family, SOCK_STREAM, sc->dir, "path"), "path");
	scene_add(sc, bound_abstract(family, SOCK_DGRAM, abs_name,
				     sizeof(abs_name) - 1), "abstract");

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&(sa_family_t){ family },
			   sizeof(sa_family_t)))
		return 2;
	scene_add(sc, fd, "autobound");
	if (getsockname(fd, (struct sockaddr *)&sun, &len) ||
	    len != SUN_HDR + 6 || sun.sun_path[0])
		return 3;
	snprintf(sc->autoname, sizeof(sc->autoname), "@%.5s",
		 sun.sun_path + 1);

	/* A listener, one accepted connection and one in its backlog. */
	l = bound(family, SOCK_STREAM, sc->dir, "listener");
	if (l < 0 || listen(l, 4))
		return 4;
	scene_add(sc, l, "listener");
	c = connected_to(family, SOCK_STREAM, sc->dir, "listener");
	scene_add(sc, c, "client");
	scene_add(sc, accept(l, NULL, NULL), "accepted");
	scene_add(sc, connected_to(family, SOCK_STREAM, sc->dir, "listener"),
		  "pending-client");

	/* A seqpacket listener on an abstract name with a pending one. */
	l = bound_abstract(family, SOCK_SEQPACKET, "\0proc-seq", 9);
	if (l < 0 || listen(l, 1))
		return 5;
	scene_add(sc, l, "seq-listener");
	fd = socket(family, SOCK_SEQPACKET, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = family;
	memcpy(sun.sun_path, "\0proc-seq", 9);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, SUN_HDR + 9))
		return 6;
	scene_add(sc, fd, "seq-pending-client");

	if (socketpair(family, SOCK_STREAM, 0, sv))
		return 7;
	scene_add(sc, sv[0], "pair-stream-0");
	scene_add(sc, sv[1], "pair-stream-1");
	if (socketpair(family, SOCK_DGRAM, 0, sv))
		return 8;
	scene_add(sc, sv[0], "pair-dgram-0");
	scene_add(sc, sv[1], "pair-dgram-1");
	if (socketpair(family, SOCK_SEQPACKET, 0, sv))
		return 9;
	scene_add(sc, sv[0], "pair-seqpacket-0");
	scene_add(sc, sv[1], "pair-seqpacket-1");

	/* Shut down both ways, and half. */
	if (socketpair(family, SOCK_STREAM, 0, sv) ||
	    shutdown(sv[0], SHUT_RDWR) || shutdown(sv[1], SHUT_WR))
		return 10;
	scene_add(sc, sv[0], "shut-0");
	scene_add(sc, sv[1], "shut-1");

	/* A datagram socket connected to a bound one. */
	scene_add(sc, bound(family, SOCK_DGRAM, sc->dir, "dgram"),
		  "dgram-server");
	scene_add(sc, connected_to(family, SOCK_DGRAM, sc->dir, "dgram"),
		  "dgram-client");

	/* A closed peer: the survivor stays connected in /proc. */
	if (socketpair(family, SOCK_STREAM, 0, sv))
		return 11;
	close(sv[1]);
	scene_add(sc, sv[0], "widowed");

	for (int i = 0; i < sc->n; i++) {
		struct stat st;

		if (sc->fd[i] < 0 || fstat(sc->fd[i], &st))
			return 100 + i;
		sc->ino[i] = st.st_ino;
	}
	return 0;
}

static void close_scene(struct scene *sc)
{
	for (int i = 0; i < sc->n; i++)
		close(sc->fd[i]);
	sc->n = 0;
}

/* The whole of the file at @fd (read from offset 0) into @buf. */
static ssize_t read_file(int fd, char *buf, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET))
		return -1;
	/* Small reads: the seq_file is walked in several start/stop runs. */
	while (done < size - 1 &&
	       (n = read(fd, buf + done, size - 1 - done < 200 ?
			 size - 1 - done : 200)) > 0)
		done += n;
	buf[done] = '\0';
	return done;
}

static int open_proc(int family)
{
	return open(family == AF_UNIX ? "/proc/self/net/unix" :
		    "/proc/self/net/punix", O_RDONLY | O_CLOEXEC);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Check the lines of @text against unix_seq_show()'s format and turn
 * each into its normalised form in @out (sorted). Returns the number of
 * lines, or -line number of the first bad one (with @why set).
 */
static int normalise(const struct scene *sc, char *text, char **out,
		     const char **why)
{
	char num[17], ref[9], proto[9], flags[9], type[5], st[3], redo[128];
	char nums[MAX_LINES][17];
	char *line, *next, *path;
	unsigned long ino;
	int n = 0, used;

	line = strchr(text, '\n');
	*why = "no header line";
	if (!line)
		return -1;
	*line = '\0';
	*why = "header differs";
	if (strcmp(text, PROC_HEADER))
		return -1;

	for (line++; *line; line = next) {
		const char *label = NULL;
		char pathbuf[160];

		next = strchr(line, '\n');
		*why = "line without a newline";
		if (!next)
			return -(n + 2);
		*next++ = '\0';
		*why = "too many lines";
		if (n == MAX_LINES)
			return -(n + 2);

		*why = "fields do not parse";
		used = -1;
		sscanf(line, "%16[0-9a-f]: %8[0-9A-F] %8[0-9A-F] %8[0-9A-F] %4[0-9A-F] %2[0-9A-F] %lu%n",
		       num, ref, proto, flags, type, st, &ino, &used);
		if (used < 0)
			return -(n + 2);
		/* Exactly the widths and case of unix_seq_show(). */
		snprintf(redo, sizeof(redo), "%s: %08lX %08lX %08lX %04lX %02lX %5lu",
			 num, strtoul(ref, NULL, 16), strtoul(proto, NULL, 16),
			 strtoul(flags, NULL, 16), strtoul(type, NULL, 16),
			 strtoul(st, NULL, 16), ino);
		*why = "fields not in unix_seq_show()'s format";
		if (strlen(num) != 16 || strncmp(redo, line, used) ||
		    (int)strlen(redo) != used)
			return -(n + 2);
		path = line + used;
		*why = "no space before the name";
		if (*path && *path != ' ')
			return -(n + 2);

		*why = "two lines with the same Num";
		for (int i = 0; i < n; i++)
			if (!strcmp(nums[i], num))
				return -(n + 2);
		strcpy(nums[n], num);

		*why = "an inode that is not the test's";
		if (ino) {
			for (int i = 0; i < sc->n; i++)
				if (sc->ino[i] == ino)
					label = sc->label[i];
			if (!label)
				return -(n + 2);
		} else {
			label = "0";
		}

		if (*path && !strncmp(path + 1, sc->dir, strlen(sc->dir)) &&
		    path[1 + strlen(sc->dir)] == '/')
			snprintf(pathbuf, sizeof(pathbuf), " DIR%s",
				 path + 1 + strlen(sc->dir));
		else if (*path && !strcmp(path + 1, sc->autoname))
			snprintf(pathbuf, sizeof(pathbuf), " @AUTO");
		else
			snprintf(pathbuf, sizeof(pathbuf), "%s", path);

		if (asprintf(&out[n], "%s %s %s %s %s %s%s", label, ref, proto,
			     flags, type, st, pathbuf) < 0)
			return -(n + 2);
		n++;
	}
	qsort(out, n, sizeof(out[0]), cmp_str);
	return n;
}

/* Does @text (a /proc/net file) list one of @sc's inodes? */
static bool lists_any(const struct scene *sc, const char *text)
{
	const char *line;
	unsigned long ino;
	int used;

	for (line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		used = -1;
		sscanf(line + 1, "%*[0-9a-f]: %*x %*x %*x %*x %*x %lu%n",
		       &ino, &used);
		if (used < 0)
			continue;
		for (int i = 0; i < sc->n; i++)
			if (ino && sc->ino[i] == ino)
				return true;
	}
	return false;
}

/*
 * The (first) normalised line for @label in @lines without its RefCount
 * (compared between the families, but not written down here).
 */
static const char *line_of(char **lines, int n, const char *label)
{
	static char buf[256];
	size_t len = strlen(label);
	const char *ref;

	for (int i = 0; i < n; i++) {
		if (strncmp(lines[i], label, len) || lines[i][len] != ' ')
			continue;
		ref = lines[i] + len + 1;
		snprintf(buf, sizeof(buf), "%s%s", label, ref + 8);
		return buf;
	}
	return "(no line)";
}

TEST_F(proc, same_lines_as_unix)
{
	static char text_a[PROC_BUF], text_b[PROC_BUF], text_o[PROC_BUF];
	char *lines_a[MAX_LINES], *lines_b[MAX_LINES];
	struct scene a = {}, b = {};
	const char *why = "";
	int orig, fa, fb, fab, na, nb;

	/* The file of the namespace the test starts in. */
	orig = open_proc(self->family);
	ASSERT_LE(0, orig) {
		TH_LOG("open /proc/self/net/%s: %s",
		       self->family == AF_UNIX ? "unix" : "punix",
		       strerror(errno));
	}

	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s (run as root)",
		       strerror(errno));
	}
	snprintf(a.dir, sizeof(a.dir), "%s/a", self->dir);
	ASSERT_EQ(0, make_scene(&a, self->family));
	fa = open_proc(self->family);
	ASSERT_LE(0, fa);
	ASSERT_LT(0, read_file(fa, text_a, sizeof(text_a)));

	/* Not in the first namespace. */
	ASSERT_LT(0, read_file(orig, text_o, sizeof(text_o)));
	ASSERT_FALSE(lists_any(&a, text_o));

	/* The AF_UNIX twins, in a second fresh namespace. */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	snprintf(b.dir, sizeof(b.dir), "%s/b", self->dir);
	ASSERT_EQ(0, make_scene(&b, AF_UNIX));
	fb = open_proc(AF_UNIX);
	ASSERT_LE(0, fb);
	ASSERT_LT(0, read_file(fb, text_b, sizeof(text_b)));

	/* Nor in the second one, while they are alive. */
	fab = open_proc(self->family);
	ASSERT_LE(0, fab);
	ASSERT_LT(0, read_file(fab, text_o, sizeof(text_o)));
	ASSERT_FALSE(lists_any(&a, text_o));
	/* ...and A's file still lists them after the process left A. */
	ASSERT_LT(0, read_file(fa, text_o, sizeof(text_o)));
	ASSERT_TRUE(lists_any(&a, text_o));

	na = normalise(&a, text_a, lines_a, &why);
	ASSERT_LT(0, na) {
		TH_LOG("variant file, line %d: %s", -na, why);
	}
	nb = normalise(&b, text_b, lines_b, &why);
	ASSERT_LT(0, nb) {
		TH_LOG("AF_UNIX file, line %d: %s", -nb, why);
	}

	/* Every socket once, and two embryos. */
	ASSERT_EQ(a.n + 2, na);
	for (int i = 0; i < na && i < nb; i++)
		EXPECT_STREQ(lines_b[i], lines_a[i]);
	ASSERT_EQ(nb, na);

	/* What the AF_UNIX twins show, so that the comparison means it. */
	EXPECT_STREQ("listener 00000000 00010000 0001 01 DIR/listener",
		     line_of(lines_b, nb, "listener"));
	EXPECT_STREQ("abstract 00000000 00000000 0002 01 @proc@test",
		     line_of(lines_b, nb, "abstract"));
	EXPECT_STREQ("unbound-seqpacket 00000000 00000000 0005 01",
		     line_of(lines_b, nb, "unbound-seqpacket"));
	EXPECT_STREQ("autobound 00000000 00000000 0001 01 @AUTO",
		     line_of(lines_b, nb, "autobound"));
	EXPECT_STREQ("0 00000000 00000000 0001 02 DIR/listener",
		     line_of(lines_b, nb, "0"));
	EXPECT_STREQ("accepted 00000000 00000000 0001 03 DIR/listener",
		     line_of(lines_b, nb, "accepted"));
	EXPECT_STREQ("client 00000000 00000000 0001 03",
		     line_of(lines_b, nb, "client"));
	EXPECT_STREQ("dgram-client 00000000 00000000 0002 03",
		     line_of(lines_b, nb, "dgram-client"));

	for (int i = 0; i < na; i++)
		free(lines_a[i]);
	for (int i = 0; i < nb; i++)
		free(lines_b[i]);
	close_scene(&a);
	close_scene(&b);
	close(fa);
	close(fb);
	close(fab);
	close(orig);
}

/*
 * Closing takes a socket off the list at once, embryos with their
 * listener; an empty namespace shows the header alone.
 */
TEST_F(proc, close_removes_lines)
{
	static char text[PROC_BUF];
	struct scene a = {};
	int f;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	f = open_proc(self->family);
	ASSERT_LE(0, f);
	ASSERT_LT(0, read_file(f, text, sizeof(text)));
	ASSERT_STREQ(PROC_HEADER "\n", text);

	snprintf(a.dir, sizeof(a.dir), "%s/a", self->dir);
	ASSERT_EQ(0, make_scene(&a, self->family));
	ASSERT_LT(0, read_file(f, text, sizeof(text)));
	ASSERT_TRUE(lists_any(&a, text));

	close_scene(&a);
	ASSERT_LT(0, read_file(f, text, sizeof(text)));
	ASSERT_STREQ(PROC_HEADER "\n", text);
	close(f);
}

TEST_HARNESS_MAIN
