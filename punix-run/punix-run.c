// SPDX-License-Identifier: GPL-2.0
/*
 * libpunix-run.so: run an unmodified, dynamically linked program with its
 * AF_UNIX sockets on punix. Loaded with LD_PRELOAD by the punix-run wrapper.
 *
 * What it does:
 *  - socket(AF_UNIX, ...) and socketpair(AF_UNIX, ...) create punix sockets
 *    (family read from /sys/module/punix/parameters/family).
 *  - Every call that takes a sockaddr (bind, connect, sendto, sendmsg,
 *    sendmmsg) rewrites an AF_UNIX address given to a punix socket to the
 *    punix family, in a copy: the caller's memory is never written.
 *  - Every call that returns a sockaddr (accept, accept4, getsockname,
 *    getpeername, recvfrom, recvmsg, recvmmsg) rewrites the punix family
 *    to AF_UNIX, and getsockopt(SO_DOMAIN) says AF_UNIX: the program sees
 *    AF_UNIX everywhere.
 *  - Which sockets are punix is asked of the kernel (SO_DOMAIN) by fd, so
 *    dup, fork, exec and fds passed with SCM_RIGHTS need no bookkeeping.
 *
 * The rule for socket(): it cannot know the address the socket will get.
 * socket(AF_UNIX) makes a punix socket. When bind, connect, sendto,
 * sendmsg or sendmmsg then names a filesystem path or abstract name that
 * PUNIX_RUN_PATHS does not select, and the socket is still unbound and
 * unconnected, the fd is replaced in place (dup3) by a fresh AF_UNIX socket
 * of the same type, with the same O_NONBLOCK, FD_CLOEXEC and socket options
 * (see move_back()). A socket that is already bound or connected stays on
 * punix. Autobind (bind with only the family) keeps the socket where it is.
 *
 * Environment:
 *  PUNIX_RUN_PATHS       colon-separated patterns: fnmatch(3) globs for
 *                        filesystem paths (relative paths are matched as
 *                        $PWD/path; '*' also matches '/'), '@glob' for
 *                        abstract names (NUL bytes in a name read as '@', as
 *                        in /proc/net/unix). A pattern starting with '!'
 *                        excludes; the first pattern that matches decides.
 *                        Unset or empty: every address moves.
 *  PUNIX_RUN_SOCKETPAIR  0: socketpair(AF_UNIX) stays AF_UNIX (default 1).
 *  PUNIX_RUN_DEBUG       1: log to stderr each socket made on punix or
 *                        moved back to AF_UNIX.
 *
 * If punix is not loaded, socket(AF_UNIX)/socketpair(AF_UNIX) fail with
 * EAFNOSUPPORT and a message: never a silent fallback to AF_UNIX.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define FAMILY_FILE "/sys/module/punix/parameters/family"
#define EXPORT __attribute__((visibility("default")))

/* The next definitions of what we wrap (glibc's). */
static struct {
	int (*socket)(int, int, int);
	int (*socketpair)(int, int, int, int[2]);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t (*sendto)(int, const void *, size_t, int,
			  const struct sockaddr *, socklen_t);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
			    socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int,
			struct timespec *);
} real;

static int punix_family = -1;	/* -1: punix is not loaded */
static int move_pairs = 1;
static int debug;
static char **patterns;		/* NULL: every address moves */
static size_t npatterns;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

#define RESOLVE(name) \
	(*(void **)&real.name = dlsym(RTLD_NEXT, #name))

static void read_family(void)
{
	FILE *f = fopen(FAMILY_FILE, "re");
	int fam;

	if (!f)
		return;
	if (fscanf(f, "%d", &fam) == 1 && fam > 0 && fam != AF_UNIX)
		punix_family = fam;
	fclose(f);
}

static void parse_patterns(void)
{
	const char *env = getenv("PUNIX_RUN_PATHS");
	char *copy, *tok, *save = NULL;
	size_t n = 1;
	const char *p;

	if (!env || !*env)
		return;
	for (p = env; *p; p++)
		n += *p == ':';
	copy = strdup(env);
	patterns = calloc(n, sizeof(*patterns));
	if (!copy || !patterns) {
		/* Out of memory at start-up: select nothing rather than all. */
		free(copy);
		free(patterns);
		patterns = calloc(1, sizeof(*patterns));
		npatterns = 0;
		return;
	}
	for (tok = strtok_r(copy, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save))
		patterns[npatterns++] = tok;
}

static void init(void)
{
	const char *s;

	RESOLVE(socket);
	RESOLVE(socketpair);
	RESOLVE(bind);
	RESOLVE(connect);
	RESOLVE(accept);
	RESOLVE(accept4);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(getsockopt);
	RESOLVE(sendto);
	RESOLVE(recvfrom);
	RESOLVE(sendmsg);
	RESOLVE(recvmsg);
	RESOLVE(sendmmsg);
	RESOLVE(recvmmsg);
	read_family();
	s = getenv("PUNIX_RUN_SOCKETPAIR");
	move_pairs = !(s && !strcmp(s, "0"));
	s = getenv("PUNIX_RUN_DEBUG");
	debug = s && *s && strcmp(s, "0");
	parse_patterns();
}

/* The first call initialises; errno is the caller's, whatever init did. */
static inline void setup(void)
{
	int saved = errno;

	pthread_once(&init_once, init);
	errno = saved;
}

__attribute__((constructor)) static void punix_run_ctor(void)
{
	setup();
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "punix-run[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	/* write(2), not stdio: safe in any state the program is in. */
	if (write(STDERR_FILENO, buf, strlen(buf)) < 0)
		return;
}

/* 1 if @fd is a punix socket. Errors (not a socket...) count as no. */
static int is_punix(int fd)
{
	int dom = 0, saved = errno;
	socklen_t len = sizeof(dom);

	if (punix_family < 0)
		return 0;
	if (real.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0)
		dom = 0;
	errno = saved;
	return dom == punix_family;
}

static int unloaded(const char *call)
{
	say("%s(AF_UNIX): punix is not loaded (%s is missing); "
	    "refusing to fall back to AF_UNIX\n", call, FAMILY_FILE);
	errno = EAFNOSUPPORT;
	return -1;
}

/*
 * Does the AF_UNIX address @sa (@len bytes) select punix?
 * Unnamed and autobind addresses always do (the socket stays where it is).
 */
static int selected(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	char name[sizeof(sun->sun_path) + PATH_MAX + 2];
	size_t off = offsetof(struct sockaddr_un, sun_path), n, i;

	if (!patterns || len <= off)
		return 1;
	n = len - off;
	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (sun->sun_path[0] == '\0') {
		/* Abstract: '@' then the name, NULs shown as '@'. */
		name[0] = '@';
		for (i = 1; i < n; i++)
			name[i] = sun->sun_path[i] ? sun->sun_path[i] : '@';
		name[n] = '\0';
	} else {
		size_t plen = strnlen(sun->sun_path, n), c = 0;

		if (sun->sun_path[0] != '/') {
			if (!getcwd(name, PATH_MAX))
				name[0] = '\0';
			c = strlen(name);
			if (c && name[c - 1] != '/')
				name[c++] = '/';
		}
		memcpy(name + c, sun->sun_path, plen);
		name[c + plen] = '\0';
	}
	for (i = 0; i < npatterns; i++) {
		const char *pat = patterns[i];
		int neg = pat[0] == '!';

		pat += neg;
		if ((pat[0] == '@') != (name[0] == '@'))
			continue;
		if (!fnmatch(pat, name, 0))
			return !neg;
	}
	return 0;
}

/* Socket options carried over when a punix socket moves back to AF_UNIX. */
static const int carried_opts[] = {
	SO_PASSCRED, SO_PASSSEC, SO_RCVTIMEO, SO_SNDTIMEO, SO_LINGER,
	SO_KEEPALIVE, SO_PRIORITY, SO_RCVLOWAT, SO_MARK, SO_PEEK_OFF,
};

/*
 * Replace the punix socket @fd, if still unbound and unconnected, by a
 * fresh AF_UNIX socket of the same type, in place. Returns 0 if it moved,
 * -1 if it stays (bound, connected, or an error: the call then goes on on
 * punix).
 */
static int move_back(int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int type, fl, fdfl, nfd, val, saved = errno;
	char buf[64];
	size_t i;

	len = sizeof(sun);
	if (real.getsockname(fd, (struct sockaddr *)&sun, &len) < 0 ||
	    len > sizeof(sa_family_t))
		goto stay;	/* bound */
	len = sizeof(sun);
	if (real.getpeername(fd, (struct sockaddr *)&sun, &len) == 0 ||
	    errno != ENOTCONN)
		goto stay;	/* connected */
	len = sizeof(type);
	if (real.getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		goto stay;
	len = sizeof(val);
	if (real.getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &val, &len) == 0 &&
	    val)
		goto stay;	/* listening (autobound) */
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (fl < 0 || fdfl < 0)
		goto stay;
	nfd = real.socket(AF_UNIX, type, 0);
	if (nfd < 0)
		goto stay;
	for (i = 0; i < sizeof(carried_opts) / sizeof(carried_opts[0]); i++) {
		len = sizeof(buf);
		if (real.getsockopt(fd, SOL_SOCKET, carried_opts[i], buf,
				    &len) == 0)
			setsockopt(nfd, SOL_SOCKET, carried_opts[i], buf, len);
	}
	/* The kernel doubles what is set: set half of what it reports. */
	len = sizeof(val);
	if (real.getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &val, &len) == 0) {
		val /= 2;
		setsockopt(nfd, SOL_SOCKET, SO_SNDBUF, &val, sizeof(val));
	}
	len = sizeof(val);
	if (real.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, &len) == 0) {
		val /= 2;
		setsockopt(nfd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val));
	}
	if (fcntl(nfd, F_SETFL, fl) < 0 ||
	    dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		close(nfd);
		goto stay;
	}
	close(nfd);
	if (debug)
		say("fd %d moved back to AF_UNIX (address not selected)\n", fd);
	errno = saved;
	return 0;
stay:
	errno = saved;
	return -1;
}

/*
 * An address given to @fd: if it is AF_UNIX and @fd a punix socket, copy
 * it to @copy with the punix family and return the copy; if the address
 * is not selected, @may_move and @fd can still move, move @fd back to
 * AF_UNIX and return @sa unchanged. Anything else: @sa unchanged.
 */
static const struct sockaddr *addr_in(int fd, const struct sockaddr *sa,
				      socklen_t len, struct sockaddr_un *copy,
				      int may_move)
{
	if (!sa || len < sizeof(sa_family_t) || len > sizeof(*copy) ||
	    sa->sa_family != AF_UNIX || !is_punix(fd))
		return sa;
	if (may_move && !selected(sa, len) && move_back(fd) == 0)
		return sa;
	memcpy(copy, sa, len);
	copy->sun_family = punix_family;
	return (const struct sockaddr *)copy;
}

/*
 * An address the kernel wrote: @buflen bytes were available, the name is
 * @len long. Only a punix socket returns the punix family.
 */
static void addr_out(void *sa, socklen_t buflen, socklen_t len)
{
	sa_family_t fam;

	if (!sa || punix_family < 0 || buflen < sizeof(fam) ||
	    len < sizeof(fam))
		return;
	memcpy(&fam, sa, sizeof(fam));
	if (fam == punix_family) {
		fam = AF_UNIX;
		memcpy(sa, &fam, sizeof(fam));
	}
}

EXPORT int socket(int domain, int type, int protocol)
{
	int fd;

	setup();
	if (domain != AF_UNIX)
		return real.socket(domain, type, protocol);
	if (punix_family < 0)
		return unloaded("socket");
	fd = real.socket(punix_family, type, protocol);
	if (debug && fd >= 0)
		say("socket fd %d is punix\n", fd);
	return fd;
}

EXPORT int socketpair(int domain, int type, int protocol, int sv[2])
{
	setup();
	if (domain != AF_UNIX || !move_pairs)
		return real.socketpair(domain, type, protocol, sv);
	if (punix_family < 0)
		return unloaded("socketpair");
	return real.socketpair(punix_family, type, protocol, sv);
}

EXPORT int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_un copy;

	setup();
	return real.bind(fd, addr_in(fd, sa, len, &copy, 1), len);
}

EXPORT int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_un copy;

	setup();
	return real.connect(fd, addr_in(fd, sa, len, &copy, 1), len);
}

EXPORT int __connect(int fd, const struct sockaddr *sa, socklen_t len)
	__attribute__((alias("connect")));

EXPORT int accept4(int fd, struct sockaddr *sa, socklen_t *lenp, int flags)
{
	socklen_t buflen = lenp ? *lenp : 0;
	int ret;

	setup();
	ret = real.accept4(fd, sa, lenp, flags);
	if (ret >= 0 && sa && lenp)
		addr_out(sa, buflen, *lenp);
	return ret;
}

EXPORT int accept(int fd, struct sockaddr *sa, socklen_t *lenp)
{
	socklen_t buflen = lenp ? *lenp : 0;
	int ret;

	setup();
	ret = real.accept(fd, sa, lenp);
	if (ret >= 0 && sa && lenp)
		addr_out(sa, buflen, *lenp);
	return ret;
}

EXPORT int getsockname(int fd, struct sockaddr *sa, socklen_t *lenp)
{
	socklen_t buflen = lenp ? *lenp : 0;
	int ret;

	setup();
	ret = real.getsockname(fd, sa, lenp);
	if (ret == 0)
		addr_out(sa, buflen, *lenp);
	return ret;
}

EXPORT int getpeername(int fd, struct sockaddr *sa, socklen_t *lenp)
{
	socklen_t buflen = lenp ? *lenp : 0;
	int ret;

	setup();
	ret = real.getpeername(fd, sa, lenp);
	if (ret == 0)
		addr_out(sa, buflen, *lenp);
	return ret;
}

EXPORT int getsockopt(int fd, int level, int opt, void *val, socklen_t *lenp)
{
	int ret, dom;

	setup();
	ret = real.getsockopt(fd, level, opt, val, lenp);
	if (ret == 0 && level == SOL_SOCKET && opt == SO_DOMAIN &&
	    punix_family >= 0 && *lenp >= sizeof(dom)) {
		memcpy(&dom, val, sizeof(dom));
		if (dom == punix_family) {
			dom = AF_UNIX;
			memcpy(val, &dom, sizeof(dom));
		}
	}
	return ret;
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
		      const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_un copy;

	setup();
	return real.sendto(fd, buf, n, flags, addr_in(fd, sa, len, &copy, 1),
			   len);
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
			struct sockaddr *sa, socklen_t *lenp)
{
	socklen_t buflen = lenp ? *lenp : 0;
	ssize_t ret;

	setup();
	ret = real.recvfrom(fd, buf, n, flags, sa, lenp);
	if (ret >= 0 && sa && lenp)
		addr_out(sa, buflen, *lenp);
	return ret;
}

/* The fortified recvfrom (_FORTIFY_SOURCE): glibc's calls its own copy. */
EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen,
			      int flags, struct sockaddr *sa, socklen_t *lenp)
{
	if (n > buflen) {
		static const char msg[] =
			"*** buffer overflow detected ***: terminated\n";

		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			abort();
		abort();
	}
	return recvfrom(fd, buf, n, flags, sa, lenp);
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct sockaddr_un copy;
	struct msghdr m;

	setup();
	if (!msg || !msg->msg_name)
		return real.sendmsg(fd, msg, flags);
	m = *msg;
	m.msg_name = (void *)addr_in(fd, msg->msg_name, msg->msg_namelen,
				     &copy, 1);
	return real.sendmsg(fd, &m, flags);
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	socklen_t buflen = msg ? msg->msg_namelen : 0;
	ssize_t ret;

	setup();
	ret = real.recvmsg(fd, msg, flags);
	if (ret >= 0 && msg->msg_name)
		addr_out(msg->msg_name, buflen, msg->msg_namelen);
	return ret;
}

EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	struct sockaddr_un *copies;
	struct mmsghdr *v;
	unsigned int i;
	int ret, any = 0;

	setup();
	if (!vec)
		return real.sendmmsg(fd, vec, vlen, flags);
	for (i = 0; i < vlen && !any; i++)
		any = vec[i].msg_hdr.msg_name &&
		      vec[i].msg_hdr.msg_namelen >= sizeof(sa_family_t) &&
		      ((struct sockaddr *)vec[i].msg_hdr.msg_name)->sa_family ==
		      AF_UNIX;
	if (!any || !is_punix(fd))
		return real.sendmmsg(fd, vec, vlen, flags);
	/* The kernel caps vlen at UIO_MAXIOV; copy no more than that. */
	if (vlen > 1024)
		vlen = 1024;
	v = malloc(vlen * sizeof(*v));
	copies = malloc(vlen * sizeof(*copies));
	if (!v || !copies) {
		free(v);
		free(copies);
		errno = ENOMEM;
		return -1;
	}
	memcpy(v, vec, vlen * sizeof(*v));
	/*
	 * Only the first message's address may move the socket back to
	 * AF_UNIX: the later ones then follow the socket's family.
	 */
	for (i = 0; i < vlen; i++)
		v[i].msg_hdr.msg_name =
			(void *)addr_in(fd, vec[i].msg_hdr.msg_name,
					vec[i].msg_hdr.msg_namelen, &copies[i],
					i == 0);
	ret = real.sendmmsg(fd, v, vlen, flags);
	for (i = 0; ret > 0 && i < (unsigned int)ret; i++)
		vec[i].msg_len = v[i].msg_len;
	free(v);
	free(copies);
	return ret;
}

EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
		    struct timespec *timeout)
{
	socklen_t *buflens = NULL;
	unsigned int i, n = vlen > 1024 ? 1024 : vlen;
	int ret;

	setup();
	if (vec && n && punix_family >= 0) {
		buflens = malloc(n * sizeof(*buflens));
		if (!buflens) {
			errno = ENOMEM;
			return -1;
		}
		for (i = 0; i < n; i++)
			buflens[i] = vec[i].msg_hdr.msg_namelen;
	}
	ret = real.recvmmsg(fd, vec, vlen, flags, timeout);
	for (i = 0; buflens && ret > 0 && i < (unsigned int)ret; i++)
		if (vec[i].msg_hdr.msg_name)
			addr_out(vec[i].msg_hdr.msg_name, buflens[i],
				 vec[i].msg_hdr.msg_namelen);
	free(buflens);
	return ret;
}
