// SPDX-License-Identifier: GPL-2.0
/*
 * bind() of SOCK_STREAM sockets to filesystem paths: the socket node,
 * address validation, path errors and name handling (unix_bind(),
 * unix_validate_addr(), unix_mkname_bsd(), unix_bind_bsd()).
 */
#include "punix_test.h"

PUNIX_FIXTURE(bind);

/* Bind @path with an explicit address length and family. */
static int bind_raw(int fd, int family, const char *path, socklen_t len)
{
	struct sockaddr_un sun;

	fill_addr(&sun, family, path);
	return bind(fd, (struct sockaddr *)&sun, len);
}

/*
 * unix_bind_bsd(): the node is created with vfs_mknod(S_IFSOCK |
 * (0777 & ~umask)); it is a socket on lstat() and owned by the caller.
 */
TEST_F(bind, creates_socket_node)
{
	char path[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "sock");
	umask(022);
	ASSERT_RET(0, bind_path(fd, self->family, path));
	ASSERT_EQ(0, lstat(path, &st));
	ASSERT_EQ((mode_t)(S_IFSOCK | 0755), st.st_mode);
	ASSERT_EQ(getuid(), st.st_uid);
	ASSERT_EQ(getgid(), st.st_gid);
	ASSERT_EQ(1, (int)st.st_nlink);
	close(fd);
}

/* The node mode is 0777 & ~umask for any umask. */
TEST_F(bind, node_mode_honours_umask)
{
	static const mode_t masks[] = { 0, 077, 0222, 0777 };
	char path[96], name[16];
	struct stat st;

	for (unsigned int i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		int fd = new_socket(self->family);

		snprintf(name, sizeof(name), "s%u", i);
		TPATH(path, name);
		umask(masks[i]);
		ASSERT_RET(0, bind_path(fd, self->family, path));
		ASSERT_EQ(0, lstat(path, &st));
		ASSERT_EQ(S_IFSOCK | (0777 & ~masks[i]), st.st_mode);
		close(fd);
	}
	umask(022);
}

/* mknod() finds an existing regular file: EEXIST is mapped to EADDRINUSE. */
TEST_F(bind, existing_file_eaddrinuse)
{
	char path[96];
	struct stat st;
	int fd, f;

	TPATH(path, "file");
	f = open(path, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, f);
	close(f);
	fd = new_socket(self->family);
	ASSERT_ERRNO(EADDRINUSE, bind_path(fd, self->family, path));
	ASSERT_EQ(0, lstat(path, &st));
	ASSERT_TRUE(S_ISREG(st.st_mode));
	/* The failed bind left the socket unbound. */
	TPATH(path, "sock");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	close(fd);
}

/* A path already bound by a live socket: EADDRINUSE. */
TEST_F(bind, existing_socket_eaddrinuse)
{
	char path[96];
	int a = new_socket(self->family);
	int b = new_socket(self->family);

	TPATH(path, "sock");
	ASSERT_RET(0, bind_path(a, self->family, path));
	ASSERT_ERRNO(EADDRINUSE, bind_path(b, self->family, path));
	/* b stays unbound and can bind elsewhere. */
	TPATH(path, "other");
	ASSERT_RET(0, bind_path(b, self->family, path));
	close(a);
	close(b);
}

/*
 * unix_release_sock() does not remove the node: after close() the path is
 * still taken (EADDRINUSE) until it is unlinked.
 */
TEST_F(bind, node_survives_close)
{
	char path[96];
	struct stat st;
	int a = new_socket(self->family);
	int b = new_socket(self->family);

	TPATH(path, "sock");
	ASSERT_RET(0, bind_path(a, self->family, path));
	close(a);
	ASSERT_EQ(0, lstat(path, &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_ERRNO(EADDRINUSE, bind_path(b, self->family, path));
	ASSERT_EQ(0, unlink(path));
	ASSERT_RET(0, bind_path(b, self->family, path));
	close(b);
}

/* The last component is not followed: a dangling symlink is EADDRINUSE. */
TEST_F(bind, dangling_symlink_eaddrinuse)
{
	char path[96], target[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "link");
	TPATH(target, "target");
	ASSERT_EQ(0, symlink(target, path));
	ASSERT_ERRNO(EADDRINUSE, bind_path(fd, self->family, path));
	ASSERT_EQ(-1, lstat(target, &st));
	ASSERT_EQ(ENOENT, errno);
	close(fd);
}

/*
 * unix_bind_bsd(): a socket that is already bound gets EINVAL, the node it
 * had just created is unlinked again, and the old name is kept.
 */
TEST_F(bind, rebind_einval_leaves_no_node)
{
	char first[96], second[96];
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(first, "first");
	TPATH(second, "second");
	ASSERT_RET(0, bind_path(fd, self->family, first));
	ASSERT_ERRNO(EINVAL, bind_path(fd, self->family, second));
	ASSERT_EQ(-1, lstat(second, &st));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sun, &len));
	ASSERT_ADDR(self->family, first, sun, len);
	close(fd);
}

/*
 * The node is created before the "already bound" check: re-binding a
 * socket to its own path therefore reports EADDRINUSE, not EINVAL, and the
 * original node stays.
 */
TEST_F(bind, rebind_same_path_eaddrinuse)
{
	char path[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "sock");
	ASSERT_RET(0, bind_path(fd, self->family, path));
	ASSERT_ERRNO(EADDRINUSE, bind_path(fd, self->family, path));
	ASSERT_EQ(0, lstat(path, &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	close(fd);
}

/*
 * An accepted socket carries the listener's address, so it counts as bound:
 * bind() gives EINVAL and leaves no node.
 */
TEST_F(bind, accepted_socket_einval)
{
	char path[96], extra[96];
	struct stat st;
	int c, s;

	new_pair(&c, &s);
	TPATH(extra, "extra");
	ASSERT_ERRNO(EINVAL, bind_path(s, self->family, extra));
	ASSERT_EQ(-1, lstat(extra, &st));
	/* The connecting end is unbound and may still bind. */
	TPATH(path, "client");
	ASSERT_RET(0, bind_path(c, self->family, path));
	close(c);
	close(s);
}

/* Missing parent directory: ENOENT from kern_path_create(). */
TEST_F(bind, missing_dir_enoent)
{
	char path[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "nodir/sock");
	ASSERT_ERRNO(ENOENT, bind_path(fd, self->family, path));
	TPATH(path, "nodir");
	ASSERT_EQ(-1, lstat(path, &st));
	close(fd);
}

/* A path component that is a regular file: ENOTDIR. */
TEST_F(bind, component_not_dir_enotdir)
{
	char path[96];
	int fd = new_socket(self->family);
	int f;

	TPATH(path, "file");
	f = open(path, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, f);
	close(f);
	TPATH(path, "file/sock");
	ASSERT_ERRNO(ENOTDIR, bind_path(fd, self->family, path));
	close(fd);
}

/* A symlink loop in a directory component: ELOOP. */
TEST_F(bind, symlink_loop_eloop)
{
	char path[96], loop[96];
	int fd = new_socket(self->family);

	TPATH(loop, "loop");
	ASSERT_EQ(0, symlink(loop, loop));
	TPATH(path, "loop/sock");
	ASSERT_ERRNO(ELOOP, bind_path(fd, self->family, path));
	close(fd);
}

/*
 * vfs_mknod() permission: an unprivileged caller binding in a directory it
 * cannot write gets EACCES, and no node appears.  Run in a child that drops
 * to nobody/nogroup (the suite runs as root).
 */
TEST_F(bind, unwritable_dir_eacces)
{
	char dir[96], path[96];
	struct stat st;
	pid_t pid;

	TPATH(dir, "ro");
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, chmod(dir, 0755));
	TPATH(path, "ro/sock");
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(self->family, SOCK_STREAM, 0);
		long r;

		if (fd < 0 || drop_to_nobody())
			_exit(98);
		r = bind_path(fd, self->family, path);
		_exit(child_errno_code(r, errno, EACCES));
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(-1, lstat(path, &st));
	ASSERT_EQ(ENOENT, errno);
}

/* A directory on the way that nobody may search: EACCES too. */
TEST_F(bind, unsearchable_dir_eacces)
{
	char dir[96], path[96];
	pid_t pid;

	TPATH(dir, "private");
	ASSERT_EQ(0, mkdir(dir, 0700));
	ASSERT_EQ(0, chmod(dir, 0700));
	TPATH(path, "private/sock");
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = socket(self->family, SOCK_STREAM, 0);
		long r;

		if (fd < 0 || drop_to_nobody())
			_exit(98);
		r = bind_path(fd, self->family, path);
		_exit(child_errno_code(r, errno, EACCES));
	}
	ASSERT_EQ(0, wait_child(pid));
}

/*
 * unix_validate_addr(): addr_len must be > offsetof(sun_path) and <=
 * sizeof(struct sockaddr_un); there is no ENAMETOOLONG for stream binds,
 * an over-long address is EINVAL.  (Lengths above sizeof(sockaddr_storage)
 * are refused by the socket layer with EINVAL as well.)
 */
TEST_F(bind, addrlen_too_long_einval)
{
	struct sockaddr_storage ss;
	char path[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "sock");
	memset(&ss, 0, sizeof(ss));
	fill_addr((struct sockaddr_un *)&ss, self->family, path);
	ASSERT_ERRNO(EINVAL, bind(fd, (struct sockaddr *)&ss,
				  sizeof(struct sockaddr_un) + 1));
	ASSERT_ERRNO(EINVAL, bind(fd, (struct sockaddr *)&ss, sizeof(ss)));
	ASSERT_ERRNO(EINVAL, bind(fd, (struct sockaddr *)&ss, sizeof(ss) + 1));
	ASSERT_EQ(-1, lstat(path, &st));
	/* Exactly sizeof(struct sockaddr_un) is fine. */
	ASSERT_RET(0, bind(fd, (struct sockaddr *)&ss,
			   sizeof(struct sockaddr_un)));
	ASSERT_EQ(0, lstat(path, &st));
	close(fd);
}

/* addr_len 0 or 1 (no room for sun_family): EINVAL. */
TEST_F(bind, addrlen_too_short_einval)
{
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "sock");
	ASSERT_ERRNO(EINVAL, bind_raw(fd, self->family, path, 0));
	ASSERT_ERRNO(EINVAL, bind_raw(fd, self->family, path, 1));
	/* Still unbound: a proper bind works. */
	ASSERT_RET(0, bind_path(fd, self->family, path));
	close(fd);
}

/* unix_validate_addr(): any other sun_family is EINVAL, and no node. */
TEST_F(bind, bad_family_einval)
{
	char path[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "sock");
	ASSERT_ERRNO(EINVAL, bind_raw(fd, AF_INET, path,
				      SUN_HDR + strlen(path) + 1));
	ASSERT_ERRNO(EINVAL, bind_raw(fd, AF_UNSPEC, path,
				      SUN_HDR + strlen(path) + 1));
	ASSERT_ERRNO(EINVAL, bind_raw(fd, AF_INET6, path,
				      SUN_HDR + strlen(path) + 1));
	ASSERT_EQ(-1, lstat(path, &st));
	ASSERT_EQ(ENOENT, errno);
	close(fd);
}

/*
 * punix accepts sun_family == AF_UNIX wherever it takes an address (so
 * ported code works) but always reports its own family.  Native trivially
 * does the same with AF_UNIX; the assertions are identical.
 */
TEST_F(bind, af_unix_family_accepted)
{
	struct sockaddr_un sun;
	socklen_t len;
	char path[96];
	int l, c, s;

	TPATH(path, "sock");
	l = new_socket(self->family);
	ASSERT_RET(0, bind_path(l, AF_UNIX, path));
	ASSERT_RET(0, listen(l, 1));
	ASSERT_SOCKNAME(l, path);

	c = new_socket(self->family);
	ASSERT_RET(0, connect_path(c, AF_UNIX, path));
	ASSERT_PEERNAME(c, path);

	len = sizeof(sun);
	s = accept(l, (struct sockaddr *)&sun, &len);
	ASSERT_LE(0, s);
	ASSERT_ADDR(self->family, NULL, sun, len);
	ASSERT_EQ(2, write(c, "ok", 2));
	ASSERT_EQ(2, read(s, path, sizeof(path)));
	close(c);
	close(s);
	close(l);
}

/*
 * A sun_path that fills all 108 bytes with no NUL is valid: the kernel
 * terminates it (unix_mkname_bsd()).  The stored name is strlen + 3 = 111
 * bytes long, one more than sizeof(struct sockaddr_un), and getsockname()
 * reports that full length while copying only what fits.
 */
TEST_F(bind, path_without_nul)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	char path[SUN_PATH_MAX + 1];
	socklen_t len;
	struct stat st;
	size_t dlen = strlen(self->dir);
	int l, c, s;

	ASSERT_LT(dlen + 2, SUN_PATH_MAX);
	memcpy(path, self->dir, dlen);
	path[dlen] = '/';
	memset(path + dlen + 1, 'n', SUN_PATH_MAX - dlen - 1);
	path[SUN_PATH_MAX] = '\0';

	memset(&ss, 0, sizeof(ss));
	sun->sun_family = self->family;
	memcpy(sun->sun_path, path, SUN_PATH_MAX);
	l = new_socket(self->family);
	ASSERT_RET(0, bind(l, (struct sockaddr *)sun, sizeof(*sun)));
	ASSERT_EQ(0, lstat(path, &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_RET(0, listen(l, 1));

	memset(&ss, 0xa5, sizeof(ss));
	len = sizeof(ss);
	ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&ss, &len));
	ASSERT_EQ(SUN_HDR + SUN_PATH_MAX + 1, len);
	ASSERT_EQ(self->family, sun->sun_family);
	ASSERT_EQ(0, memcmp(sun->sun_path, path, SUN_PATH_MAX));
	ASSERT_EQ(0, ((char *)&ss)[SUN_HDR + SUN_PATH_MAX]);

	/* The same unterminated address connects. */
	memset(&ss, 0, sizeof(ss));
	sun->sun_family = self->family;
	memcpy(sun->sun_path, path, SUN_PATH_MAX);
	c = new_socket(self->family);
	ASSERT_RET(0, connect(c, (struct sockaddr *)sun, sizeof(*sun)));
	s = accept_ok(l);
	close(s);
	close(c);
	close(l);
}

/*
 * Only the bytes up to the first NUL name the node: trailing garbage after
 * it is ignored for bind and connect, and getsockname() reports
 * offsetof(sun_path) + strlen + 1.
 */
TEST_F(bind, bytes_after_nul_ignored)
{
	struct sockaddr_un sun, name;
	char path[96];
	socklen_t len;
	size_t plen;
	int l, b, c, s;

	TPATH(path, "sock");
	plen = strlen(path);
	fill_addr(&sun, self->family, path);
	memset(sun.sun_path + plen + 1, 'x', SUN_PATH_MAX - plen - 1);
	l = new_socket(self->family);
	ASSERT_RET(0, bind(l, (struct sockaddr *)&sun, sizeof(sun)));
	ASSERT_RET(0, listen(l, 1));
	len = sizeof(name);
	ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&name, &len));
	ASSERT_ADDR(self->family, path, name, len);

	/* Different garbage, same name: EADDRINUSE. */
	memset(sun.sun_path + plen + 1, 'y', SUN_PATH_MAX - plen - 1);
	b = new_socket(self->family);
	ASSERT_ERRNO(EADDRINUSE, bind(b, (struct sockaddr *)&sun, sizeof(sun)));

	c = new_socket(self->family);
	ASSERT_RET(0, connect(c, (struct sockaddr *)&sun, sizeof(sun)));
	s = accept_ok(l);
	close(s);
	close(c);
	close(b);
	close(l);
}

/*
 * addr_len may leave out the terminating NUL; the name is still stored with
 * it (length offsetof + strlen + 1).
 */
TEST_F(bind, addrlen_without_nul)
{
	char path[96];
	int fd = new_socket(self->family);

	TPATH(path, "sock");
	ASSERT_RET(0, bind_raw(fd, self->family, path, SUN_HDR + strlen(path)));
	ASSERT_SOCKNAME(fd, path);
	close(fd);
}

/* addr_len shorter than the string cuts the path: "…/abcdef" binds "…/abc". */
TEST_F(bind, addrlen_truncates_path)
{
	char path[96], shortp[96];
	struct stat st;
	int fd = new_socket(self->family);

	TPATH(path, "abcdef");
	TPATH(shortp, "abc");
	ASSERT_RET(0, bind_raw(fd, self->family, path,
			       SUN_HDR + strlen(shortp)));
	ASSERT_EQ(0, lstat(shortp, &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_EQ(-1, lstat(path, &st));
	ASSERT_SOCKNAME(fd, shortp);
	close(fd);
}

/* A relative path binds relative to the cwd and is reported as given. */
TEST_F(bind, relative_path)
{
	char path[96];
	struct stat st;
	int l, c;

	ASSERT_EQ(0, chdir(self->dir));
	l = new_listener(self->family, "rel", 1);
	TPATH(path, "rel");
	ASSERT_EQ(0, lstat(path, &st));
	ASSERT_TRUE(S_ISSOCK(st.st_mode));
	ASSERT_SOCKNAME(l, "rel");
	/* Connect through the absolute path reaches the same socket. */
	c = new_client(self->family, path);
	ASSERT_PEERNAME(c, "rel");
	ASSERT_EQ(0, chdir("/"));
	close(c);
	close(l);
}

/*
 * Unlinking the node does not unbind the socket (getsockname still reports
 * the path), but the path no longer reaches it: connect gives ENOENT, and
 * a new socket may bind the same path.
 */
TEST_F(bind, unlinked_node)
{
	char path[96];
	int l, c, l2, s;

	TPATH(path, "sock");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, unlink(path));
	ASSERT_SOCKNAME(l, path);
	c = new_socket(self->family);
	ASSERT_ERRNO(ENOENT, connect_path(c, self->family, path));
	l2 = new_listener(self->family, path, 1);
	ASSERT_RET(0, connect_path(c, self->family, path));
	/* The connection went to the new listener, not the old one. */
	ASSERT_EQ(0, set_nonblock(l));
	ASSERT_ERRNO(EAGAIN, accept(l, NULL, NULL));
	s = accept_ok(l2);
	close(s);
	close(c);
	close(l);
	close(l2);
}

/*
 * A path bound by a socket of the other family (punix for the native
 * variant, AF_UNIX for the punix variant) is just an existing node:
 * EADDRINUSE.  Needs both families, so the native variant also needs the
 * punix module.
 */
TEST_F(bind, other_family_node_eaddrinuse)
{
	int other = OTHER_FAMILY(self->family);
	char path[96];
	int o, fd;

	TPATH(path, "sock");
	o = socket(other, SOCK_STREAM, 0);
	ASSERT_LE(0, o);
	ASSERT_RET(0, bind_path(o, other, path));
	fd = new_socket(self->family);
	ASSERT_ERRNO(EADDRINUSE, bind_path(fd, self->family, path));
	close(fd);
	close(o);
}

TEST_HARNESS_MAIN
