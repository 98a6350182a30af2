// SPDX-License-Identifier: GPL-2.0
/*
 * MSG_OOB on SOCK_STREAM sockets (CONFIG_AF_UNIX_OOB): one byte of urgent
 * data, the last byte of a MSG_OOB send, kept aside until read with
 * recv(MSG_OOB) or skipped by a normal read; SIOCATMARK, SO_OOBINLINE,
 * SIGURG to the F_SETOWN owner, POLLPRI/EPOLLPRI; EOPNOTSUPP on message
 * sockets.
 *
 * AF_UNIX's OOB rules changed between the kernels punix runs on: 6.9-6.12
 * fixed how a normal read treats an OOB byte already read with MSG_OOB
 * (the "consumed" OOB skb left in the queue) and what SIOCATMARK says
 * then; Debian's 6.1.y has some of those fixes (the recv(MSG_OOB) side of
 * CVE-2025-38236) but not the others.  So most checks here are sequences
 * run by oob_run(): the same steps on an AF_UNIX socketpair first and on a
 * pair of the family under test second, every step's return value, errno,
 * bytes, msg_flags, SIGURG, poll mask, SIOCATMARK and SIOCINQ recorded and
 * compared.  Steps whose outcome is the same on every kernel also carry an
 * exact expectation (checked on both runs, so the native variant proves the
 * table); steps marked kernel-dependent ("K") are only compared with what
 * AF_UNIX did in the same test.
 */
#include "msg_util.h"

#include <pthread.h>
#include <sys/epoll.h>

PUNIX_FIXTURE(oob);

#define OOB_BUF		32
#define OOB_MAX_STEPS	24

enum { OP_END, OP_SEND, OP_RECV, OP_INLINE };

/*
 * One step.  OP_SEND sends @len bytes of @data with @flags; OP_RECV
 * receives into a buffer of @len bytes with @flags, expecting @data;
 * OP_INLINE sets SO_OOBINLINE on the receiver.  @want is the return value
 * (or -errno) of the call, @mark SIOCATMARK and @pri whether POLLPRI is
 * set afterwards (KD: kernel-dependent, not checked).  With @kdep no part
 * of the expectation is checked, with @kpeek not the MSG_PEEK call made
 * before a receive: only that the family under test does what AF_UNIX did.
 */
struct oob_step {
	int		op;
	const char	*data;
	int		len;
	int		flags;
	int		want;
	int		mark;
	int		pri;
	int		kdep;
	int		kpeek;
	int		line;
};

/* SIOCATMARK or POLLPRI whose value depends on the kernel. */
#define KD	-1

#define SEND(str, fl, mk, pr)						\
	{ .op = OP_SEND, .data = (str), .len = sizeof(str) - 1,		\
	  .flags = (fl), .want = sizeof(str) - 1, .mark = (mk),		\
	  .pri = (pr), .line = __LINE__ }
#define RECV(str, blen, fl, mk, pr)					\
	{ .op = OP_RECV, .data = (str), .len = (blen), .flags = (fl),	\
	  .want = sizeof(str) - 1, .mark = (mk), .pri = (pr),		\
	  .line = __LINE__ }
#define RECV_ERR(err, blen, fl, mk, pr)					\
	{ .op = OP_RECV, .data = "", .len = (blen), .flags = (fl),	\
	  .want = -(err), .mark = (mk), .pri = (pr), .line = __LINE__ }
/* The same receives, but the MSG_PEEK before it is kernel-dependent. */
#define RECV_KP(str, blen, fl, mk, pr)					\
	{ .op = OP_RECV, .data = (str), .len = (blen), .flags = (fl),	\
	  .want = sizeof(str) - 1, .mark = (mk), .pri = (pr),		\
	  .kpeek = 1, .line = __LINE__ }
#define RECV_ERR_KP(err, blen, fl, mk, pr)				\
	{ .op = OP_RECV, .data = "", .len = (blen), .flags = (fl),	\
	  .want = -(err), .mark = (mk), .pri = (pr), .kpeek = 1,	\
	  .line = __LINE__ }
#define SET_INLINE(mk, pr)						\
	{ .op = OP_INLINE, .mark = (mk), .pri = (pr), .line = __LINE__ }
/* A step whose outcome differs between kernels: compared only. */
#define K_RECV(blen, fl)						\
	{ .op = OP_RECV, .data = "", .len = (blen), .flags = (fl),	\
	  .kdep = 1, .line = __LINE__ }
#define K_SEND(str, fl)							\
	{ .op = OP_SEND, .data = (str), .len = sizeof(str) - 1,		\
	  .flags = (fl), .kdep = 1, .line = __LINE__ }
#define K_INLINE()							\
	{ .op = OP_INLINE, .kdep = 1, .line = __LINE__ }
#define END	{ .op = OP_END }

/* What one step did. */
struct oob_obs {
	int	ret, err;
	char	data[OOB_BUF];
	int	mflags;
	/* the same call with MSG_PEEK first (peek runs only) */
	int	pret, perr;
	char	pdata[OOB_BUF];
	int	pmflags;
	/* state after the step */
	int	sigurg;
	int	revents;
	int	mark_ret, mark;
	int	inq;
};

/* 1 if SIGURG is pending (and consume it), 0 if not, -1 on error. */
static int take_sigurg(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	if (sigpending(&set))
		return -1;
	if (!sigismember(&set, SIGURG))
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	return sigtimedwait(&set, NULL, &zero) == SIGURG ? 1 : -1;
}

static int block_sigurg(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

static int oob_recvmsg(int fd, char *buf, int len, int flags, int *mflags,
		       int *err)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int n;

	memset(buf, 0, OOB_BUF);
	errno = 0;
	n = recvmsg(fd, &msg, flags | MSG_DONTWAIT);
	*err = n < 0 ? errno : 0;
	*mflags = n < 0 ? -1 : msg.msg_flags;
	return n;
}

/*
 * Run @st on a fresh socketpair of @family, recording into @obs.  With
 * @peek, every receive is first made once more with MSG_PEEK.
 */
static void __oob_exec(struct __test_metadata *_metadata, int family,
		       const struct oob_step *st, bool peek,
		       struct oob_obs *obs)
{
	int sv[2], i, one = 1, pid = getpid();

	ASSERT_RET(0, socketpair(family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, block_sigurg());
	ASSERT_RET(0, fcntl(sv[1], F_SETOWN, pid));
	ASSERT_EQ(0, take_sigurg());

	for (i = 0; st[i].op != OP_END; i++) {
		struct oob_obs *o = &obs[i];

		ASSERT_GT(OOB_MAX_STEPS, i);
		memset(o, 0, sizeof(*o));
		switch (st[i].op) {
		case OP_SEND:
			errno = 0;
			o->ret = send(sv[0], st[i].data, st[i].len,
				      st[i].flags | MSG_DONTWAIT);
			o->err = o->ret < 0 ? errno : 0;
			break;
		case OP_RECV:
			ASSERT_GE(OOB_BUF, st[i].len);
			if (peek)
				o->pret = oob_recvmsg(sv[1], o->pdata,
						      st[i].len,
						      st[i].flags | MSG_PEEK,
						      &o->pmflags, &o->perr);
			o->ret = oob_recvmsg(sv[1], o->data, st[i].len,
					     st[i].flags, &o->mflags, &o->err);
			break;
		case OP_INLINE:
			errno = 0;
			o->ret = setsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE,
					    &one, sizeof(one));
			o->err = o->ret < 0 ? errno : 0;
			break;
		}
		o->sigurg = take_sigurg();
		o->revents = poll_now(sv[1]);
		o->mark = -1;
		errno = 0;
		o->mark_ret = ioctl(sv[1], SIOCATMARK, &o->mark);
		if (o->mark_ret)
			o->mark_ret = -errno;
		o->inq = sock_inq(sv[1]);
	}
	close(sv[0]);
	close(sv[1]);
}

/* Check @o, the outcome of @s, against the expectation of the table. */
static void __oob_expect(struct __test_metadata *_metadata,
			 const struct oob_step *s, const struct oob_obs *o,
			 bool peek, const char *who)
{
	int want_ret = s->want < 0 ? -1 : s->want;
	int want_err = s->want < 0 ? -s->want : 0;

	ASSERT_EQ(want_ret, o->ret) {
		TH_LOG("%s, step at line %d: returned %d (%s)", who, s->line,
		       o->ret, strerror(o->err));
	}
	ASSERT_EQ(want_err, o->err) {
		TH_LOG("%s, step at line %d: errno %s", who, s->line,
		       strerror(o->err));
	}
	if (s->op == OP_RECV && s->want >= 0) {
		ASSERT_EQ(0, memcmp(s->data, o->data, s->want)) {
			TH_LOG("%s, step at line %d: read \"%.*s\", wanted \"%s\"",
			       who, s->line, o->ret, o->data, s->data);
		}
		/* MSG_OOB in msg_flags exactly when the OOB byte is read */
		ASSERT_EQ(s->flags & MSG_OOB, o->mflags) {
			TH_LOG("%s, step at line %d: msg_flags %#x", who,
			       s->line, o->mflags);
		}
	}
	if (s->op == OP_RECV && peek && !s->kpeek) {
		ASSERT_EQ(want_ret, o->pret) {
			TH_LOG("%s, step at line %d: peek returned %d (%s)",
			       who, s->line, o->pret, strerror(o->perr));
		}
		ASSERT_EQ(want_err, o->perr);
		if (s->want >= 0)
			ASSERT_EQ(0, memcmp(s->data, o->pdata, s->want)) {
				TH_LOG("%s, step at line %d: peeked \"%.*s\"",
				       who, s->line, o->pret, o->pdata);
			}
	}
	ASSERT_EQ(s->op == OP_SEND && (s->flags & MSG_OOB) && s->want > 0,
		  o->sigurg) {
		TH_LOG("%s, step at line %d: SIGURG %d", who, s->line,
		       o->sigurg);
	}
	ASSERT_EQ(0, o->mark_ret);
	if (s->mark != KD)
		ASSERT_EQ(s->mark, o->mark) {
			TH_LOG("%s, step at line %d: SIOCATMARK %d", who,
			       s->line, o->mark);
		}
	if (s->pri != KD)
		ASSERT_EQ(s->pri ? POLLPRI : 0, o->revents & POLLPRI) {
			TH_LOG("%s, step at line %d: revents %#x", who,
			       s->line, o->revents);
		}
}

#define CMP_FIELD(f) \
	ASSERT_EQ(ref->f, got->f) {					\
		TH_LOG("step at line %d%s: " #f " is %d, AF_UNIX gave %d", \
		       s->line, s->kdep ? " (kernel-dependent)" : "",	\
		       got->f, ref->f);					\
	}

/* The family under test must have done exactly what AF_UNIX did. */
static void __oob_compare(struct __test_metadata *_metadata,
			  const struct oob_step *s, const struct oob_obs *ref,
			  const struct oob_obs *got)
{
	CMP_FIELD(ret);
	CMP_FIELD(err);
	CMP_FIELD(mflags);
	ASSERT_EQ(0, memcmp(ref->data, got->data, OOB_BUF)) {
		TH_LOG("step at line %d: read \"%s\", AF_UNIX read \"%s\"",
		       s->line, got->data, ref->data);
	}
	CMP_FIELD(pret);
	CMP_FIELD(perr);
	CMP_FIELD(pmflags);
	ASSERT_EQ(0, memcmp(ref->pdata, got->pdata, OOB_BUF)) {
		TH_LOG("step at line %d: peeked \"%s\", AF_UNIX peeked \"%s\"",
		       s->line, got->pdata, ref->pdata);
	}
	CMP_FIELD(sigurg);
	CMP_FIELD(revents);
	CMP_FIELD(mark_ret);
	CMP_FIELD(mark);
	CMP_FIELD(inq);
}

/*
 * Run @st without and with MSG_PEEK before each receive, on AF_UNIX and on
 * the family under test; check the expectations and compare.
 */
static void __oob_run(struct __test_metadata *_metadata, int family,
		      const struct oob_step *st)
{
	struct oob_obs ref[OOB_MAX_STEPS], got[OOB_MAX_STEPS];
	int pass, i;

	for (pass = 0; pass < 2; pass++) {
		bool peek = pass;

		__oob_exec(_metadata, AF_UNIX, st, peek, ref);
		__oob_exec(_metadata, family, st, peek, got);
		for (i = 0; st[i].op != OP_END; i++) {
			if (!st[i].kdep) {
				__oob_expect(_metadata, &st[i], &ref[i], peek,
					     "AF_UNIX");
				__oob_expect(_metadata, &st[i], &got[i], peek,
					     "tested family");
			}
			__oob_compare(_metadata, &st[i], &ref[i], &got[i]);
		}
	}
}
#define oob_run(st)	__oob_run(_metadata, self->family, (st))

/* "abc" with MSG_OOB: "ab" is normal data, "c" the urgent byte. */
TEST_F(oob, one_byte_of_urgent_data)
{
	static const struct oob_step st[] = {
		SEND("abc", MSG_OOB, 0, 1),
		RECV("ab", 10, 0, 1, 1),		/* stops at the mark */
		RECV("c", 1, MSG_OOB, KD, 0),
		RECV_ERR(EAGAIN, 10, 0, 0, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		END
	};

	oob_run(st);
}

/* The OOB byte first, then the normal data before it. */
TEST_F(oob, urgent_byte_read_first)
{
	static const struct oob_step st[] = {
		SEND("abc", MSG_OOB, 0, 1),
		RECV("c", 4, MSG_OOB, 0, 0),
		RECV("ab", 2, 0, KD, 0),
		K_RECV(4, 0),
		END
	};

	oob_run(st);
}

/* Normal data only: no mark, no POLLPRI, recv(MSG_OOB) EINVAL. */
TEST_F(oob, no_urgent_data)
{
	static const struct oob_step st[] = {
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		SEND("q", 0, 0, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		RECV("q", 1, 0, 0, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* A single OOB byte read with MSG_OOB: the mark stays at the head. */
TEST_F(oob, single_byte)
{
	static const struct oob_step st[] = {
		SEND("u", MSG_OOB, 1, 1),
		RECV("u", 1, MSG_OOB, KD, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, KD, 0),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* A normal read skips (drops) an unread OOB byte at the head. */
TEST_F(oob, normal_read_drops_urgent_byte)
{
	static const struct oob_step st[] = {
		SEND("u", MSG_OOB, 1, 1),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		END
	};

	oob_run(st);
}

/* A read stops at the mark even with room to spare. */
TEST_F(oob, read_stops_at_mark)
{
	static const struct oob_step st[] = {
		SEND("sunny", MSG_OOB, 0, 1),
		RECV("sunn", 5, 0, 1, 1),
		RECV("y", 1, MSG_OOB, KD, 0),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* It stops at an OOB byte already read with MSG_OOB too. */
TEST_F(oob, read_stops_at_consumed_mark)
{
	static const struct oob_step st[] = {
		SEND("sunny", MSG_OOB, 0, 1),
		SEND("days", 0, 0, 1),
		RECV("y", 1, MSG_OOB, 0, 0),
		RECV_KP("sunn", 12, 0, KD, 0),
		K_RECV(12, 0),
		K_RECV(12, 0),
		END
	};

	oob_run(st);
}

/* The unread OOB byte is dropped when the read passes it. */
TEST_F(oob, read_past_mark_drops_byte)
{
	static const struct oob_step st[] = {
		SEND("sunny", MSG_OOB, 0, 1),
		SEND("days", 0, 0, 1),
		RECV("sunn", 12, 0, 1, 1),
		RECV("days", 12, 0, 0, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		END
	};

	oob_run(st);
}

/*
 * A newer OOB byte replaces an unread one, which becomes normal data: the
 * read stops only at the newer mark.
 */
TEST_F(oob, newer_urgent_byte_replaces_older)
{
	static const struct oob_step st[] = {
		SEND("cloud", MSG_OOB, 0, 1),
		SEND("ful", MSG_OOB, 0, 1),
		SEND("ly", 0, 0, 1),
		RECV("cloudfu", 12, 0, 1, 1),
		RECV("l", 1, MSG_OOB, KD, 0),
		K_RECV(2, 0),
		K_RECV(2, 0),
		END
	};

	oob_run(st);
}

/* Two one-byte OOB sends back to back: the first becomes normal data. */
TEST_F(oob, older_urgent_byte_becomes_data)
{
	static const struct oob_step st[] = {
		SEND("p", MSG_OOB, 1, 1),
		K_SEND("q", MSG_OOB),
		K_RECV(1, 0),
		K_RECV(1, MSG_OOB),
		K_RECV(1, 0),
		END
	};

	oob_run(st);
}

/* The newer OOB byte read first; the older one is normal data. */
TEST_F(oob, older_urgent_byte_after_newer)
{
	static const struct oob_step st[] = {
		SEND("p", MSG_OOB, 1, 1),
		SEND("q", MSG_OOB, 0, 1),
		RECV("q", 1, MSG_OOB, 0, 0),
		K_RECV(1, 0),
		K_RECV(1, 0),
		END
	};

	oob_run(st);
}

/* OOB read, new OOB byte at the head behind the consumed one. */
TEST_F(oob, urgent_after_consumed_urgent)
{
	static const struct oob_step st[] = {
		SEND("p", MSG_OOB, 1, 1),
		RECV("p", 1, MSG_OOB, KD, 0),
		SEND("q", MSG_OOB, KD, 1),
		RECV_ERR_KP(EAGAIN, 1, 0, KD, KD),
		K_RECV(1, MSG_OOB),
		END
	};

	oob_run(st);
}

/* Consumed ex-OOB byte ahead, then a new OOB byte further on. */
TEST_F(oob, consumed_ex_urgent_then_new_urgent)
{
	static const struct oob_step st[] = {
		SEND("cloud", MSG_OOB, 0, 1),
		SEND("ful", MSG_OOB, 0, 1),
		RECV("l", 1, MSG_OOB, 0, 0),
		SEND("ly", MSG_OOB, 0, 1),
		K_RECV(12, 0),
		K_RECV(1, MSG_OOB),
		K_RECV(12, 0),
		END
	};

	oob_run(st);
}

/* SIOCATMARK with the consumed OOB byte ahead and a new one behind. */
TEST_F(oob, siocatmark_consumed_then_new)
{
	static const struct oob_step st[] = {
		SEND("sunny", MSG_OOB, 0, 1),
		RECV("y", 1, MSG_OOB, 0, 0),
		SEND("days", MSG_OOB, 0, 1),
		RECV("sunn", 4, 0, 0, 1),
		K_RECV(12, 0),
		K_RECV(1, MSG_OOB),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE: the OOB byte is read as normal data; MSG_OOB is EINVAL. */
TEST_F(oob, oobinline_single_byte)
{
	static const struct oob_step st[] = {
		SET_INLINE(0, 0),
		SEND("u", MSG_OOB, 1, 1),
		RECV_ERR(EINVAL, 1, MSG_OOB, 1, 1),
		RECV("u", 1, 0, 0, 0),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE: the read still stops at the mark, then reads the byte. */
TEST_F(oob, oobinline_stops_at_mark)
{
	static const struct oob_step st[] = {
		SET_INLINE(0, 0),
		SEND("sunny", MSG_OOB, 0, 1),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 1),
		RECV("sunn", 5, 0, 1, 1),
		RECV("y", 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE set after the OOB byte was read with MSG_OOB. */
TEST_F(oob, oobinline_after_consumed)
{
	static const struct oob_step st[] = {
		SEND("sunny", MSG_OOB, 0, 1),
		SEND("days", 0, 0, 1),
		RECV("y", 1, MSG_OOB, 0, 0),
		SET_INLINE(0, 0),
		RECV_KP("sunn", 9, 0, KD, 0),
		K_RECV(6, 0),
		K_RECV(6, 0),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE with an older OOB byte that became data. */
TEST_F(oob, oobinline_newer_urgent_byte)
{
	static const struct oob_step st[] = {
		SEND("cloud", MSG_OOB, 0, 1),
		SEND("ful", MSG_OOB, 0, 1),
		SEND("ly", 0, 0, 1),
		SET_INLINE(0, 1),
		RECV("cloudfu", 12, 0, 1, 1),
		RECV("lly", 3, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE set between two OOB sends: nothing is dropped. */
TEST_F(oob, oobinline_keeps_older_byte)
{
	static const struct oob_step st[] = {
		SEND("p", MSG_OOB, 1, 1),
		SET_INLINE(1, 1),
		K_SEND("q", MSG_OOB),
		K_RECV(1, 0),
		K_RECV(1, 0),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE set after two OOB sends. */
TEST_F(oob, oobinline_after_two_urgent)
{
	static const struct oob_step st[] = {
		SEND("p", MSG_OOB, 1, 1),
		SEND("q", MSG_OOB, 0, 1),
		SET_INLINE(0, 1),
		K_RECV(1, 0),
		K_RECV(1, 0),
		RECV_ERR(EAGAIN, 1, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* SO_OOBINLINE with a consumed OOB byte ahead of a new one. */
TEST_F(oob, oobinline_siocatmark_consumed_then_new)
{
	static const struct oob_step st[] = {
		SEND("sunny", MSG_OOB, 0, 1),
		RECV("y", 1, MSG_OOB, 0, 0),
		SET_INLINE(0, 0),
		SEND("days", MSG_OOB, 0, 1),
		RECV("sunn", 4, 0, 0, 1),
		K_RECV(12, 0),
		K_RECV(12, 0),
		END
	};

	oob_run(st);
}

/*
 * CVE-2025-38236: after two rounds of OOB send + recv(MSG_OOB), a third
 * OOB byte must not be readable by a normal recv (on a vulnerable kernel
 * this reads a freed skb).
 */
TEST_F(oob, cve_2025_38236_third_urgent_byte)
{
	static const struct oob_step st[] = {
		SEND("A", MSG_OOB, 1, 1),
		RECV("A", 1, MSG_OOB, KD, 0),
		SEND("B", MSG_OOB, KD, 1),
		RECV("B", 1, MSG_OOB, KD, 0),
		SEND("C", MSG_OOB, KD, 1),
		RECV_ERR_KP(EAGAIN, 1, 0, KD, KD),
		K_RECV(1, MSG_OOB),
		K_RECV(1, 0),
		END
	};

	oob_run(st);
}

/* The same, longer, with normal data in between. */
TEST_F(oob, consumed_urgent_bytes_in_a_row)
{
	static const struct oob_step st[] = {
		SEND("A", MSG_OOB, 1, 1),
		RECV("A", 1, MSG_OOB, KD, 0),
		SEND("B", MSG_OOB, KD, 1),
		RECV("B", 1, MSG_OOB, KD, 0),
		SEND("C", MSG_OOB, KD, 1),
		RECV("C", 1, MSG_OOB, KD, 0),
		SEND("D", MSG_OOB, KD, 1),
		RECV("D", 1, MSG_OOB, KD, 0),
		SEND("xyz", 0, KD, 0),
		K_RECV(8, 0),
		K_RECV(8, 0),
		RECV_ERR(EINVAL, 1, MSG_OOB, 0, 0),
		END
	};

	oob_run(st);
}

/* MSG_PEEK|MSG_OOB leaves the byte; the peek of normal data skips it. */
TEST_F(oob, peek_urgent_byte)
{
	static const struct oob_step st[] = {
		SEND("wind", MSG_OOB, 0, 1),
		RECV("d", 1, MSG_OOB | MSG_PEEK, 0, 1),
		RECV("d", 1, MSG_OOB | MSG_PEEK, 0, 1),
		RECV("win", 8, MSG_PEEK, 0, 1),
		SEND("y", 0, 0, 1),
		RECV("win", 8, MSG_PEEK, 0, 1),
		RECV("d", 1, MSG_OOB, 0, 0),
		RECV_KP("win", 8, 0, KD, 0),
		K_RECV(8, MSG_PEEK),
		K_RECV(8, 0),
		END
	};

	oob_run(st);
}

/* A peek of an OOB byte alone at the head, with and without data behind. */
TEST_F(oob, peek_skips_urgent_byte_at_head)
{
	static const struct oob_step st[] = {
		SEND("u", MSG_OOB, 1, 1),
		RECV_ERR(EAGAIN, 4, MSG_PEEK, 1, 1),
		SEND("vw", 0, 1, 1),
		RECV("vw", 4, MSG_PEEK, 1, 1),
		RECV("vw", 4, 0, 0, 0),
		END
	};

	oob_run(st);
}

/* A zero-length MSG_OOB send is EOPNOTSUPP; so on any socket state. */
TEST_F(oob, zero_length_send)
{
	int sv[2], u = new_typed(SOCK_STREAM);
	char c;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_ERRNO(EOPNOTSUPP, send(sv[0], "", 0, MSG_OOB));
	ASSERT_ERRNO(EOPNOTSUPP, send(u, "", 0, MSG_OOB));
	/* Unconnected: a real OOB byte is ENOTCONN, recv(MSG_OOB) EINVAL. */
	ASSERT_ERRNO(ENOTCONN, send(u, "x", 1, MSG_OOB));
	ASSERT_ERRNO(EINVAL, recv(u, &c, 1, MSG_OOB | MSG_DONTWAIT));
	/* Nothing was queued. */
	ASSERT_EQ(0, sock_inq(sv[1]));
	ASSERT_EQ(POLL_WR, poll_now(sv[1]));
	ASSERT_ERRNO(EINVAL, recv(sv[1], &c, 1, MSG_OOB | MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
	close(u);
}

/* SIOCATMARK of a stream socket that is not connected: 0. */
TEST_F(oob, siocatmark_unconnected_and_listener)
{
	char path[96];
	int u = new_typed(SOCK_STREAM), l, mark = -1;

	ASSERT_RET(0, ioctl(u, SIOCATMARK, &mark));
	ASSERT_EQ(0, mark);
	TPATH(path, "l");
	l = new_listener(self->family, path, 2);
	mark = -1;
	ASSERT_RET(0, ioctl(l, SIOCATMARK, &mark));
	ASSERT_EQ(0, mark);
	ASSERT_ERRNO(EINVAL, recv(l, path, 1, MSG_OOB | MSG_DONTWAIT));
	close(l);
	close(u);
}

/*
 * SIOCATMARK of a listener with a connection waiting: the queued
 * connection is an empty skb, which 6.12 reports as a mark and 6.1 does
 * not; compared with what an AF_UNIX listener says.
 */
static int listener_mark(struct __test_metadata *_metadata, int family,
			 const char *path)
{
	int l, c, mark = -1;

	unlink(path);
	l = __new_listener(_metadata, family, path, 2);
	c = __new_typed_client(_metadata, family, SOCK_STREAM, path);
	if (ioctl(l, SIOCATMARK, &mark))
		mark = -errno - 100;
	close(c);
	close(l);
	unlink(path);
	return mark;
}

TEST_F(oob, siocatmark_listener_with_connection)
{
	char path[96];
	int want, seen;

	TPATH(path, "l");
	want = listener_mark(_metadata, AF_UNIX, path);
	seen = listener_mark(_metadata, self->family, path);
	ASSERT_LE(0, want);
	ASSERT_GE(1, want);
	ASSERT_EQ(want, seen);
}

/* Message sockets have no urgent data: EOPNOTSUPP everywhere. */
TEST_F(oob, message_sockets_eopnotsupp)
{
	static const int types[] = { SOCK_SEQPACKET, SOCK_DGRAM };
	unsigned int i;
	char buf[4];

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int sv[2], mark = -1;

		ASSERT_RET(0, socketpair(self->family, types[i], 0, sv));
		ASSERT_ERRNO(EOPNOTSUPP, send(sv[0], "abc", 3, MSG_OOB));
		ASSERT_ERRNO(EOPNOTSUPP, send(sv[0], "", 0, MSG_OOB));
		ASSERT_ERRNO(EOPNOTSUPP, recv(sv[1], buf, 4,
					      MSG_OOB | MSG_DONTWAIT));
		ASSERT_ERRNO(EOPNOTSUPP, ioctl(sv[1], SIOCATMARK, &mark));
		ASSERT_EQ(-1, mark);
		/* Nothing was sent; data still flows; MSG_OOB recv refused. */
		ASSERT_ERRNO(EAGAIN, recv(sv[1], buf, 4, MSG_DONTWAIT));
		ASSERT_RET(3, send(sv[0], "abc", 3, 0));
		ASSERT_ERRNO(EOPNOTSUPP, recv(sv[1], buf, 4,
					      MSG_OOB | MSG_DONTWAIT));
		ASSERT_ERRNO(EOPNOTSUPP, recv(sv[1], buf, 4,
					      MSG_OOB | MSG_PEEK | MSG_DONTWAIT));
		ASSERT_RET(3, recv(sv[1], buf, 4, MSG_DONTWAIT));
		ASSERT_EQ(0, memcmp(buf, "abc", 3));
		close(sv[0]);
		close(sv[1]);
	}
}

/* An unconnected datagram socket: EOPNOTSUPP before any address check. */
TEST_F(oob, dgram_sendto_eopnotsupp)
{
	char path[96];
	int r, s = new_typed(SOCK_DGRAM);

	r = new_bound_at(SOCK_DGRAM, path, "r");
	ASSERT_ERRNO(EOPNOTSUPP, sendto_path(s, self->family, path, "x", 1,
					     MSG_OOB));
	ASSERT_ERRNO(EOPNOTSUPP, send(s, "x", 1, MSG_OOB));
	ASSERT_ERRNO(EAGAIN, recv(r, path, 1, MSG_DONTWAIT));
	close(r);
	close(s);
}

/*
 * EPIPE with SIGPIPE once the peer shut down reading (which shuts our
 * sending) or we shut down sending, for a lone OOB byte too; MSG_NOSIGNAL
 * keeps the signal back.
 */
TEST_F(oob, epipe_and_sigpipe)
{
	int sv[2];

	ASSERT_RET(0, block_sigpipe());
	ASSERT_EQ(0, take_sigpipe());
	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, shutdown(sv[1], SHUT_RD));
	ASSERT_ERRNO(EPIPE, send(sv[0], "x", 1, MSG_OOB));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_ERRNO(EPIPE, send(sv[0], "xy", 2, MSG_OOB));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_ERRNO(EPIPE, send(sv[0], "x", 1, MSG_OOB | MSG_NOSIGNAL));
	ASSERT_EQ(0, take_sigpipe());
	close(sv[0]);
	close(sv[1]);

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, shutdown(sv[0], SHUT_WR));
	ASSERT_ERRNO(EPIPE, send(sv[0], "x", 1, MSG_OOB));
	ASSERT_EQ(1, take_sigpipe());
	ASSERT_EQ(0, sock_inq(sv[1]));
	close(sv[0]);
	close(sv[1]);

	/* The peer closed: EPIPE and SIGPIPE too. */
	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	close(sv[1]);
	ASSERT_ERRNO(EPIPE, send(sv[0], "x", 1, MSG_OOB));
	ASSERT_EQ(1, take_sigpipe());
	close(sv[0]);
}

/*
 * Closing the receiver: an unread OOB byte is unread data (the sender sees
 * ECONNRESET), one read with MSG_OOB is not (plain EOF).
 */
TEST_F(oob, close_with_urgent_byte)
{
	int sv[2];
	char c;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(1, send(sv[0], "x", 1, MSG_OOB));
	close(sv[1]);
	ASSERT_ERRNO(ECONNRESET, recv(sv[0], &c, 1, MSG_DONTWAIT));
	ASSERT_RET(0, recv(sv[0], &c, 1, MSG_DONTWAIT));
	close(sv[0]);

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(1, send(sv[0], "x", 1, MSG_OOB));
	ASSERT_RET(1, recv(sv[1], &c, 1, MSG_OOB));
	ASSERT_EQ('x', c);
	close(sv[1]);
	ASSERT_RET(0, recv(sv[0], &c, 1, MSG_DONTWAIT));
	close(sv[0]);
}

/* SIGURG goes to the F_SETOWN owner of the receiving socket only. */
TEST_F(oob, sigurg_to_owner)
{
	int sv[2], ready[2];
	pid_t pid;
	char c;

	ASSERT_RET(0, block_sigurg());
	ASSERT_EQ(0, take_sigurg());
	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, pipe(ready));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct timespec ts = { LONG_TIMEO_MS / 1000, 0 };
		siginfo_t si;
		sigset_t set;

		/* SIGURG stays blocked (inherited): wait for it. */
		sigemptyset(&set);
		sigaddset(&set, SIGURG);
		if (write(ready[1], "r", 1) != 1)
			_exit(90);
		if (sigtimedwait(&set, &si, &ts) != SIGURG)
			_exit(91);
		/* exactly one */
		ts.tv_sec = 0;
		if (sigtimedwait(&set, &si, &ts) != -1 || errno != EAGAIN)
			_exit(92);
		_exit(0);
	}
	ASSERT_RET(1, read(ready[0], &c, 1));
	ASSERT_RET(0, fcntl(sv[1], F_SETOWN, pid));
	ASSERT_EQ(pid, fcntl(sv[1], F_GETOWN));
	/* Normal data raises nothing; OOB data raises SIGURG for the owner. */
	ASSERT_RET(2, send(sv[0], "ab", 2, 0));
	ASSERT_RET(2, send(sv[0], "cd", 2, MSG_OOB));
	ASSERT_EQ(0, wait_child(pid));
	/* Not for us, and not for the owner of the sending end. */
	ASSERT_EQ(0, take_sigurg());
	ASSERT_RET(0, fcntl(sv[0], F_SETOWN, getpid()));
	ASSERT_RET(1, send(sv[0], "e", 1, MSG_OOB));
	ASSERT_EQ(0, take_sigurg());
	close(ready[0]);
	close(ready[1]);
	close(sv[0]);
	close(sv[1]);
}

/* epoll: EPOLLPRI while an OOB byte is pending; a sleeper is woken. */
TEST_F(oob, epollpri)
{
	struct epoll_event ev = { .events = EPOLLPRI }, out;
	int sv[2], ep;
	pid_t pid;
	char c;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_RET(0, epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	ASSERT_RET(0, epoll_wait(ep, &out, 1, 0));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int n = epoll_wait(ep, &out, 1, LONG_TIMEO_MS);

		if (n != 1)
			_exit(90 + (n < 0 ? 0 : n));
		_exit(out.events == EPOLLPRI ? 0 : 98);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_epoll_wait));
	/* Normal data alone does not wake an EPOLLPRI waiter... */
	ASSERT_RET(1, send(sv[0], "a", 1, 0));
	ASSERT_RET(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_TRUE(child_running(pid));
	/* ...an OOB byte does. */
	ASSERT_RET(2, send(sv[0], "bc", 2, MSG_OOB));
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_RET(1, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ((uint32_t)EPOLLPRI, out.events);
	ASSERT_EQ(POLL_WR | POLL_RD | POLLPRI, poll_now(sv[1]));

	/* Reading the byte ends EPOLLPRI. */
	ASSERT_RET(1, recv(sv[1], &c, 1, MSG_OOB));
	ASSERT_EQ('c', c);
	ASSERT_RET(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(POLL_WR | POLL_RD, poll_now(sv[1]));
	close(ep);
	close(sv[0]);
	close(sv[1]);
}

/* poll() for POLLPRI alone is woken by an OOB send. */
TEST_F(oob, pollpri_wakeup)
{
	int sv[2];
	pid_t pid;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd pfd = { .fd = sv[1], .events = POLLPRI };
		int n = poll(&pfd, 1, LONG_TIMEO_MS);

		if (n != 1)
			_exit(90 + (n < 0 ? 0 : n));
		_exit(pfd.revents == POLLPRI ? 0 : 98);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_poll));
	ASSERT_RET(1, send(sv[0], "z", 1, MSG_OOB));
	ASSERT_EQ(0, wait_child(pid));
	close(sv[0]);
	close(sv[1]);
}

/*
 * A blocked reader woken by a lone OOB byte skips it and sleeps on; the
 * next normal byte is what it reads.
 */
TEST_F(oob, blocked_reader_skips_urgent_byte)
{
	int sv[2], i;
	pid_t pid;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[4];

		if (set_timeo(sv[1], SO_RCVTIMEO, LONG_TIMEO_MS))
			_exit(90);
		if (recv(sv[1], buf, sizeof(buf), 0) != 1)
			_exit(91);
		_exit(buf[0] == 'n' ? 0 : 92);
	}
	ASSERT_TRUE(wait_blocked_in(pid, SYS_recvfrom));
	ASSERT_RET(1, send(sv[0], "u", 1, MSG_OOB));
	/* The reader drops the byte: wait until it has (bounded). */
	for (i = 0; i < LONG_TIMEO_MS / 2 && (poll_now(sv[1]) & POLLPRI); i++)
		sleep_ms(2);
	ASSERT_EQ(0, poll_now(sv[1]) & POLLPRI);
	ASSERT_TRUE(wait_blocked_in(pid, SYS_recvfrom));
	ASSERT_TRUE(child_running(pid));
	ASSERT_RET(1, send(sv[0], "n", 1, 0));
	ASSERT_EQ(0, wait_child(pid));
	close(sv[0]);
	close(sv[1]);
}

/*
 * CVE-2024-36972 (oob_skb changed outside the queue lock: double free)
 * and its kin: OOB sends racing normal and MSG_OOB reads, SIOCATMARK and
 * poll.  Every call must give one of its legal results; a kernel with the
 * bug trips KASAN or crashes here.
 */
struct oob_race {
	int		fd;
	int		iters;
	int		bad_ret, bad_errno, bad_where;
};

static void *oob_race_reader(void *arg)
{
	struct oob_race *r = arg;
	char buf[16];
	int i, n, mark;

	for (i = 0; i < r->iters && !r->bad_where; i++) {
		n = recv(r->fd, buf, 1, MSG_OOB | MSG_DONTWAIT);
		if (n < 0 && errno != EINVAL && errno != EAGAIN) {
			r->bad_ret = n;
			r->bad_errno = errno;
			r->bad_where = 1;
		} else if (n > 0 && (n != 1 || buf[0] != 'o')) {
			r->bad_ret = n;
			r->bad_where = 2;
		}
		n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT |
			 (i & 1 ? MSG_PEEK : 0));
		if (n < 0 && errno != EAGAIN) {
			r->bad_ret = n;
			r->bad_errno = errno;
			r->bad_where = 3;
		}
		if (ioctl(r->fd, SIOCATMARK, &mark) || (mark & ~1)) {
			r->bad_errno = errno;
			r->bad_where = 4;
		}
		poll_now(r->fd);
	}
	return NULL;
}

TEST_F(oob, cve_2024_36972_race)
{
	struct oob_race r = { .iters = 3000 };
	int sv[2], i, n, oneinline = 0;
	pthread_t th[2];
	struct oob_race r2;

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET, SO_SNDBUF, 1 << 20));
	r.fd = sv[1];
	r2 = r;
	ASSERT_EQ(0, pthread_create(&th[0], NULL, oob_race_reader, &r));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, oob_race_reader, &r2));
	for (i = 0; i < r.iters; i++) {
		n = send(sv[0], i & 3 ? "o" : "do", i & 3 ? 1 : 2,
			 MSG_OOB | MSG_DONTWAIT);
		if (n < 0)
			ASSERT_EQ(EAGAIN, errno);
		if (i == r.iters / 2) {
			/* halfway: toggle SO_OOBINLINE under the readers */
			oneinline = 1;
			ASSERT_RET(0, set_int_opt(sv[1], SOL_SOCKET,
						  SO_OOBINLINE, oneinline));
		}
	}
	ASSERT_EQ(0, pthread_join(th[0], NULL));
	ASSERT_EQ(0, pthread_join(th[1], NULL));
	ASSERT_EQ(0, r.bad_where) {
		TH_LOG("reader 1: call %d returned %d (%s)", r.bad_where,
		       r.bad_ret, strerror(r.bad_errno));
	}
	ASSERT_EQ(0, r2.bad_where) {
		TH_LOG("reader 2: call %d returned %d (%s)", r2.bad_where,
		       r2.bad_ret, strerror(r2.bad_errno));
	}
	drain(sv[1]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * Files passed with MSG_OOB (SCM_RIGHTS).  The files of a send travel with
 * its first skb, so with the OOB byte when it is all the send has.
 * recv(MSG_OOB) hands out no control data; the files go when the skb is
 * freed, by a later read or on close.  What each step did is recorded for
 * AF_UNIX and for the family under test, and compared.
 */
static int send_oob_fd(int sock, const char *buf, int len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_OOB);
}

/*
 * recvmsg() with room for files: into @o, the return value or -errno, the
 * byte, msg_flags, msg_controllen and how many files came (closed again).
 */
static void recv_files(int sock, int flags, int *o)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))], buf[4] = "";
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int n, i, fd, nfds = 0;

	n = recvmsg(sock, &msg, flags | MSG_DONTWAIT);
	o[0] = n < 0 ? -errno : n;
	o[1] = buf[0];
	o[2] = n < 0 ? -1 : msg.msg_flags;
	o[3] = n < 0 ? -1 : (int)msg.msg_controllen;
	for (cm = n < 0 ? NULL : CMSG_FIRSTHDR(&msg); cm;
	     cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		     i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			close(fd);
			nfds++;
		}
	}
	o[4] = nfds;
}

/* 0 while the pipe's write end lives (in flight), 1 at EOF, else -errno. */
static int pipe_eof(int rfd)
{
	char c;
	int n = read(rfd, &c, 1);

	if (n == 0)
		return 1;
	return n < 0 && errno == EAGAIN ? 0 : -errno;
}

#define FILE_OBS	40

/*
 * @mode 0: "x" with a file, read with MSG_OOB, then a normal read;
 * 1: the same but the normal read comes first (drops the unread byte);
 * 2: "ab" with a file: the file goes with "a".
 */
static void __files_exec(struct __test_metadata *_metadata, int family,
			 int mode, int *o)
{
	int sv[2], p[2], k = 0;

	memset(o, 0, FILE_OBS * sizeof(*o));
	ASSERT_RET(0, socketpair(family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	o[k++] = send_oob_fd(sv[0], mode == 2 ? "ab" : "x", mode == 2 ? 2 : 1,
			     p[1]);
	close(p[1]);
	o[k++] = pipe_eof(p[0]);
	o[k++] = sock_inq(sv[1]);
	o[k++] = poll_now(sv[1]);
	if (mode != 1) {
		recv_files(sv[1], MSG_OOB, &o[k]);
		k += 5;
		o[k++] = pipe_eof(p[0]);
	}
	recv_files(sv[1], 0, &o[k]);
	k += 5;
	o[k++] = pipe_eof(p[0]);
	recv_files(sv[1], MSG_OOB, &o[k]);
	k += 5;
	o[k++] = pipe_eof(p[0]);
	o[k++] = sock_inq(sv[1]);
	o[k++] = poll_now(sv[1]);
	close(sv[0]);
	close(sv[1]);
	o[k++] = pipe_eof(p[0]);
	close(p[0]);
	ASSERT_GE(FILE_OBS, k);
}

static void __files_run(struct __test_metadata *_metadata, int family,
			int mode, int *got)
{
	int ref[FILE_OBS], i;

	__files_exec(_metadata, AF_UNIX, mode, ref);
	__files_exec(_metadata, family, mode, got);
	for (i = 0; i < FILE_OBS; i++) {
		int want = ref[i], seen = got[i], at = i;

		ASSERT_EQ(want, seen) {
			TH_LOG("observation %d: %d, AF_UNIX gave %d", at,
			       seen, want);
		}
	}
}

TEST_F(oob, urgent_byte_carries_file)
{
	int o[FILE_OBS];

	__files_run(_metadata, self->family, 0, o);
	ASSERT_EQ(1, o[0]);			/* sent */
	ASSERT_EQ(0, o[1]);			/* file in flight */
	ASSERT_EQ(1, o[4]);			/* recv(MSG_OOB): 1 */
	ASSERT_EQ('x', o[5]);
	ASSERT_EQ(MSG_OOB, o[6]);		/* no MSG_CTRUNC */
	ASSERT_EQ(0, o[7]);			/* no control data */
	ASSERT_EQ(0, o[8]);			/* no file */
	ASSERT_EQ(-EAGAIN, o[10]);		/* nothing left to read */
	ASSERT_EQ(0, o[14]);
	ASSERT_EQ(1, o[15]);			/* the file went with the skb */
	ASSERT_EQ(1, o[24]);
}

TEST_F(oob, unread_urgent_byte_drops_file)
{
	int o[FILE_OBS];

	__files_run(_metadata, self->family, 1, o);
	ASSERT_EQ(1, o[0]);
	ASSERT_EQ(0, o[1]);
	ASSERT_EQ(-EAGAIN, o[4]);		/* normal read drops the byte */
	ASSERT_EQ(0, o[8]);
	ASSERT_EQ(1, o[9]);			/* and its file */
	ASSERT_EQ(-EINVAL, o[10]);
}

TEST_F(oob, file_goes_with_first_byte)
{
	int o[FILE_OBS];

	__files_run(_metadata, self->family, 2, o);
	ASSERT_EQ(2, o[0]);
	ASSERT_EQ(1, o[4]);			/* recv(MSG_OOB): "b" */
	ASSERT_EQ('b', o[5]);
	ASSERT_EQ(0, o[8]);			/* without the file */
	ASSERT_EQ(0, o[9]);
	ASSERT_EQ(1, o[10]);			/* "a" with the file */
	ASSERT_EQ('a', o[11]);
	ASSERT_EQ(1, o[14]);
	ASSERT_EQ(1, o[15]);
}

/*
 * CVE-2024-26750: a socket whose only reference is the OOB skb in its own
 * receive queue is garbage; the collector must free it, OOB skb and all
 * (a pipe's write end riding along shows when).
 */
TEST_F(oob, gc_collects_urgent_byte_cycle)
{
	struct pollfd pfd;
	int sv[2], p[2];

	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	ASSERT_RET(0, pipe2(p, O_NONBLOCK));
	ASSERT_RET(1, send_oob_fd(sv[1], "y", 1, sv[0]));
	ASSERT_RET(1, send_oob_fd(sv[0], "z", 1, p[1]));
	ASSERT_RET(1, send_oob_fd(sv[1], "w", 1, sv[1]));
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	ASSERT_EQ(0, pipe_eof(p[0]));
	/*
	 * Nothing was released: the sockets live on in flight.  The
	 * collector runs when a socket of the family is; wait for the
	 * write end to go.
	 */
	ASSERT_RET(0, socketpair(self->family, SOCK_STREAM, 0, sv));
	close(sv[0]);
	close(sv[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	ASSERT_RET(1, poll(&pfd, 1, LONG_TIMEO_MS));
	ASSERT_EQ(POLLHUP, pfd.revents);
	ASSERT_EQ(1, pipe_eof(p[0]));
	close(p[0]);
}

TEST_HARNESS_MAIN
