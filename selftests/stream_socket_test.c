// SPDX-License-Identifier: GPL-2.0
/*
 * socket() and socketpair() for SOCK_STREAM: accepted types and protocols,
 * error codes, creation flags, and the state of a fresh pair.
 */
#include "punix_test.h"

PUNIX_FIXTURE(socket);

/* unix_create(): SOCK_STREAM with protocol 0 gives a stream socket. */
TEST_F(socket, stream_protocol_zero)
{
	int fd = socket(self->family, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(SOCK_STREAM, get_int_opt(fd, SOL_SOCKET, SO_TYPE));
	ASSERT_EQ(self->family, get_int_opt(fd, SOL_SOCKET, SO_DOMAIN));
	close(fd);
}

/*
 * unix_create(): protocol PF_UNIX is accepted too, and not recorded:
 * SO_PROTOCOL still reads 0 (sk_protocol is never set by af_unix).
 */
TEST_F(socket, stream_protocol_pf_unix)
{
	int fd = socket(self->family, SOCK_STREAM, PF_UNIX);

	ASSERT_LE(0, fd);
	ASSERT_EQ(SOCK_STREAM, get_int_opt(fd, SOL_SOCKET, SO_TYPE));
	ASSERT_EQ(0, get_int_opt(fd, SOL_SOCKET, SO_PROTOCOL));
	close(fd);
}

/* unix_create(): any protocol other than 0 or PF_UNIX: EPROTONOSUPPORT. */
TEST_F(socket, bad_protocol)
{
	ASSERT_ERRNO(EPROTONOSUPPORT, socket(self->family, SOCK_STREAM, 2));
	ASSERT_ERRNO(EPROTONOSUPPORT, socket(self->family, SOCK_STREAM, 6));
	ASSERT_ERRNO(EPROTONOSUPPORT, socket(self->family, SOCK_STREAM, 255));
	ASSERT_ERRNO(EPROTONOSUPPORT, socket(self->family, SOCK_STREAM, -1));
}

/*
 * unix_create(): a type inside 0..SOCK_MAX that unix does not implement
 * gives ESOCKTNOSUPPORT.
 */
TEST_F(socket, unsupported_type)
{
	ASSERT_ERRNO(ESOCKTNOSUPPORT, socket(self->family, SOCK_RDM, 0));
	ASSERT_ERRNO(ESOCKTNOSUPPORT, socket(self->family, SOCK_DCCP, 0));
	ASSERT_ERRNO(ESOCKTNOSUPPORT, socket(self->family, SOCK_PACKET, 0));
	ASSERT_ERRNO(ESOCKTNOSUPPORT, socket(self->family, 7, 0));
}

/* __sock_create(): a type >= SOCK_MAX is EINVAL before the family is asked. */
TEST_F(socket, type_out_of_range)
{
	ASSERT_ERRNO(EINVAL, socket(self->family, 11, 0));
	ASSERT_ERRNO(EINVAL, socket(self->family, 0x7ff, 0));
}

/* unix_create() checks the protocol before the type. */
TEST_F(socket, protocol_checked_before_type)
{
	ASSERT_ERRNO(EPROTONOSUPPORT, socket(self->family, SOCK_RDM, 2));
}

/* SOCK_NONBLOCK / SOCK_CLOEXEC on socket() land on the file. */
TEST_F(socket, creation_flags)
{
	int fd = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int plain = socket(self->family, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, plain);
	ASSERT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	ASSERT_EQ(0, fcntl(plain, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, fcntl(plain, F_GETFD));
	/* Non-blocking unconnected read is still EINVAL (not connected). */
	ASSERT_ERRNO(EINVAL, recv(fd, &plain, 1, 0));
	close(fd);
	close(plain);
}

/* A socket inode is a sockfs S_IFSOCK inode with mode 0777. */
TEST_F(socket, fstat_mode)
{
	struct stat st;
	int fd = new_socket(self->family);

	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ((mode_t)(S_IFSOCK | 0777), st.st_mode);
	close(fd);
}

/*
 * unix_socketpair(): both ends connected back to back; data flows both
 * ways, in order, and each end is SS_CONNECTED (SO_ACCEPTCONN 0).
 */
TEST_F(socket, socketpair_connected)
{
	char buf[16];
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_EQ(5, write(sv[0], "hello", 5));
	ASSERT_EQ(6, write(sv[1], "world!", 6));
	ASSERT_EQ(5, read(sv[1], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(6, read(sv[0], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, "world!", 6));
	ASSERT_EQ(0, get_int_opt(sv[0], SOL_SOCKET, SO_ACCEPTCONN));
	ASSERT_EQ(SOCK_STREAM, get_int_opt(sv[1], SOL_SOCKET, SO_TYPE));
	ASSERT_EQ(self->family, get_int_opt(sv[1], SOL_SOCKET, SO_DOMAIN));
	close(sv[0]);
	close(sv[1]);
}

/* socketpair() also takes protocol PF_UNIX, and refuses others. */
TEST_F(socket, socketpair_protocol)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, PF_UNIX, sv));
	close(sv[0]);
	close(sv[1]);
	ASSERT_ERRNO(EPROTONOSUPPORT,
		     socketpair(self->family, SOCK_STREAM, 2, sv));
	ASSERT_ERRNO(ESOCKTNOSUPPORT,
		     socketpair(self->family, SOCK_RDM, 0, sv));
}

/* SOCK_NONBLOCK / SOCK_CLOEXEC on socketpair() apply to both ends. */
TEST_F(socket, socketpair_flags)
{
	char c;
	int sv[2], pl[2];

	ASSERT_EQ(0, socketpair(self->family,
				SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, pl));
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(O_NONBLOCK, fcntl(sv[i], F_GETFL) & O_NONBLOCK);
		ASSERT_EQ(FD_CLOEXEC, fcntl(sv[i], F_GETFD));
		ASSERT_EQ(0, fcntl(pl[i], F_GETFL) & O_NONBLOCK);
		ASSERT_EQ(0, fcntl(pl[i], F_GETFD));
		ASSERT_ERRNO(EAGAIN, read(sv[i], &c, 1));
	}
	close(sv[0]);
	close(sv[1]);
	close(pl[0]);
	close(pl[1]);
}

/*
 * unix_getname() on a socketpair: neither end is bound, so both the own
 * and the peer name are the bare family (length offsetof(sun_path)).
 */
TEST_F(socket, socketpair_names)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	for (int i = 0; i < 2; i++) {
		ASSERT_SOCKNAME(sv[i], NULL);
		ASSERT_PEERNAME(sv[i], NULL);
	}
	close(sv[0]);
	close(sv[1]);
}

/* A socketpair end is already connected: connect() gives EISCONN. */
TEST_F(socket, socketpair_connect_eisconn)
{
	char path[96];
	int sv[2], l;

	TPATH(path, "l");
	l = new_listener(self->family, path, 1);
	ASSERT_EQ(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_ERRNO(EISCONN, connect_path(sv[0], self->family, path));
	/* ... and listen() on it is EINVAL (unbound, and not TCP_CLOSE). */
	ASSERT_ERRNO(EINVAL, listen(sv[0], 1));
	close(sv[0]);
	close(sv[1]);
	close(l);
}

TEST_HARNESS_MAIN
