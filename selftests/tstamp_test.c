// SPDX-License-Identifier: GPL-2.0
/*
 * SO_TIMESTAMP, SO_TIMESTAMPNS, SO_TIMESTAMPING (old and new forms).
 *
 *   - received timestamps: af_unix stamps a datagram at send time when the
 *     receiver has SOCK_RCVTSTAMP (SO_TIMESTAMP or SO_TIMESTAMPNS) and
 *     puts the control messages of __sock_recv_timestamp() on it: the same
 *     cmsg types, lengths and times must come out of both families, for
 *     dgram and seqpacket; stream sockets give none, and SO_TIMESTAMPING
 *     alone gives none either (nothing stamps the skb).
 *   - the machine-wide receive-timestamp static key: the one known,
 *     asserted DIFFERENCE (see netstamp_key below).
 */
#include "punix_test.h"

#include <sys/mount.h>
#include <linux/net_tstamp.h>
#include <linux/time_types.h>

PUNIX_FIXTURE(tstamp);

#define TS_RX	(SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE)

struct ts_opt {
	int name, val;
};

struct ts_cmsg {
	int type;
	size_t len;	/* payload bytes: cmsg_len is CMSG_LEN(len) */
};

struct ts_case {
	const char *what;
	struct ts_opt opts[2];
	struct ts_cmsg want[3];	/* type 0 ends the list */
};

#define TV_LEN	sizeof(struct __kernel_old_timeval)
#define TS_LEN	sizeof(struct timespec)
#define STV_LEN	sizeof(struct __kernel_sock_timeval)
#define KTS_LEN	sizeof(struct __kernel_timespec)

static const struct ts_case ts_cases[] = {
	{ "timestamp_old", { { SO_TIMESTAMP_OLD, 1 } },
	  { { SO_TIMESTAMP_OLD, TV_LEN } } },
	{ "timestampns_old", { { SO_TIMESTAMPNS_OLD, 1 } },
	  { { SO_TIMESTAMPNS_OLD, TS_LEN } } },
	{ "timestamp_new", { { SO_TIMESTAMP_NEW, 1 } },
	  { { SO_TIMESTAMP_NEW, STV_LEN } } },
	{ "timestampns_new", { { SO_TIMESTAMPNS_NEW, 1 } },
	  { { SO_TIMESTAMPNS_NEW, KTS_LEN } } },
	/* Nothing stamps the skb without SOCK_RCVTSTAMP: no cmsg. */
	{ "timestamping_old_alone", { { SO_TIMESTAMPING_OLD, TS_RX } },
	  { { 0 } } },
	{ "timestamping_new_alone", { { SO_TIMESTAMPING_NEW, TS_RX } },
	  { { 0 } } },
	{ "timestamp_and_timestamping_old",
	  { { SO_TIMESTAMPING_OLD, TS_RX }, { SO_TIMESTAMP_OLD, 1 } },
	  { { SO_TIMESTAMP_OLD, TV_LEN },
	    { SO_TIMESTAMPING_OLD, 3 * TS_LEN } } },
	{ "timestampns_and_timestamping_new",
	  { { SO_TIMESTAMPING_NEW, TS_RX }, { SO_TIMESTAMPNS_NEW, 1 } },
	  { { SO_TIMESTAMPNS_NEW, KTS_LEN },
	    { SO_TIMESTAMPING_NEW, 3 * KTS_LEN } } },
};

static long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The time a timestamp cmsg carries, in ns (-1: not a timestamp). */
static long long cmsg_time_ns(const struct cmsghdr *cm)
{
	const void *p = CMSG_DATA(cm);

	switch (cm->cmsg_type) {
	case SO_TIMESTAMP_OLD: {
		struct __kernel_old_timeval tv;

		memcpy(&tv, p, sizeof(tv));
		return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	}
	case SO_TIMESTAMP_NEW: {
		struct __kernel_sock_timeval tv;

		memcpy(&tv, p, sizeof(tv));
		return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	}
	case SO_TIMESTAMPNS_OLD:
	case SO_TIMESTAMPING_OLD: {
		struct timespec ts;

		memcpy(&ts, p, sizeof(ts));
		return ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	case SO_TIMESTAMPNS_NEW:
	case SO_TIMESTAMPING_NEW: {
		struct __kernel_timespec ts;

		memcpy(&ts, p, sizeof(ts));
		return ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	}
	return -1;
}

/* @msg for a one-byte read into *@byte with @clen bytes of control room. */
static void byte_msg(struct msghdr *msg, struct iovec *iov, char *byte,
		     void *ctl, size_t clen)
{
	memset(msg, 0, sizeof(*msg));
	iov->iov_base = byte;
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = ctl;
	msg->msg_controllen = clen;
}

/*
 * Every case on a socketpair of @type: the receiver sets the options, a
 * one-byte message goes across, and recvmsg() must give exactly the
 * expected control messages (stream: none), each time between the send
 * and the receive.
 */
static void check_cases(struct __test_metadata *_metadata, int family,
			int type)
{
	for (size_t i = 0; i < sizeof(ts_cases) / sizeof(ts_cases[0]); i++) {
		const struct ts_case *c = &ts_cases[i];
		union {
			char buf[512];
			struct cmsghdr align;
		} ctl;
		struct iovec iov;
		struct msghdr msg;
		struct cmsghdr *cm;
		long long t0, t1;
		int sv[2], n = 0;
		char byte;

		ASSERT_EQ(0, socketpair(family, type, 0, sv));
		for (int j = 0; j < 2 && c->opts[j].name; j++) {
			ASSERT_EQ(0, setsockopt(sv[1], SOL_SOCKET,
						c->opts[j].name,
						&c->opts[j].val,
						sizeof(int))) {
				TH_LOG("%s: option %d: %s", c->what,
				       c->opts[j].name, strerror(errno));
			}
		}
		t0 = realtime_ns();
		ASSERT_EQ(1, send(sv[0], "t", 1, 0));
		byte_msg(&msg, &iov, &byte, ctl.buf, sizeof(ctl.buf));
		ASSERT_EQ(1, recvmsg(sv[1], &msg, 0));
		t1 = realtime_ns();
		ASSERT_EQ(0, msg.msg_flags) TH_LOG("%s", c->what);

		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			long long t = cmsg_time_ns(cm);

			ASSERT_GT(2, n) TH_LOG("%s: extra cmsg", c->what);
			ASSERT_NE(SOCK_STREAM, type) {
				TH_LOG("%s: a cmsg on a stream socket",
				       c->what);
			}
			ASSERT_EQ(SOL_SOCKET, cm->cmsg_level);
			ASSERT_EQ(c->want[n].type, cm->cmsg_type) {
				TH_LOG("%s: cmsg %d", c->what, n);
			}
			ASSERT_EQ(CMSG_LEN(c->want[n].len), cm->cmsg_len) {
				TH_LOG("%s: cmsg %d", c->what, n);
			}
			/* Microseconds for the timeval forms. */
			ASSERT_LE(t0 - t0 % 1000, t) TH_LOG("%s", c->what);
			ASSERT_GE(t1, t) TH_LOG("%s", c->what);
			n++;
		}
		if (type != SOCK_STREAM) {
			ASSERT_EQ(0, c->want[n].type) {
				TH_LOG("%s: cmsg %d missing", c->what, n);
			}
		}
		close(sv[0]);
		close(sv[1]);
	}
}

TEST_F(tstamp, recv_cmsgs_dgram)
{
	check_cases(_metadata, self->family, SOCK_DGRAM);
}

TEST_F(tstamp, recv_cmsgs_seqpacket)
{
	check_cases(_metadata, self->family, SOCK_SEQPACKET);
}

TEST_F(tstamp, recv_cmsgs_stream)
{
	check_cases(_metadata, self->family, SOCK_STREAM);
}

/* Peeking gives the same stamp again, as often as asked. */
TEST_F(tstamp, peek_same_stamp)
{
	union {
		char buf[256];
		struct cmsghdr align;
	} ctl;
	long long first = -1;
	struct msghdr msg;
	struct iovec iov;
	int sv[2], one = 1;
	char byte;

	ASSERT_EQ(0, socketpair(self->family, SOCK_DGRAM, 0, sv));
	ASSERT_EQ(0, setsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMPNS_OLD, &one,
				sizeof(one)));
	ASSERT_EQ(1, send(sv[0], "p", 1, 0));
	for (int i = 0; i < 3; i++) {
		struct cmsghdr *cm;

		byte_msg(&msg, &iov, &byte, ctl.buf, sizeof(ctl.buf));
		ASSERT_EQ(1, recvmsg(sv[1], &msg, i < 2 ? MSG_PEEK : 0));
		cm = CMSG_FIRSTHDR(&msg);
		ASSERT_NE(NULL, cm);
		ASSERT_EQ(SO_TIMESTAMPNS_OLD, cm->cmsg_type);
		if (first < 0)
			first = cmsg_time_ns(cm);
		ASSERT_EQ(first, cmsg_time_ns(cm));
		ASSERT_EQ(NULL, CMSG_NXTHDR(&msg, cm));
	}
	/* A control buffer too small for the stamp: MSG_CTRUNC. */
	ASSERT_EQ(1, send(sv[0], "q", 1, 0));
	byte_msg(&msg, &iov, &byte, ctl.buf, CMSG_LEN(4));
	ASSERT_EQ(1, recvmsg(sv[1], &msg, 0));
	ASSERT_EQ(MSG_CTRUNC, msg.msg_flags);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The static key: enabling any receive timestamp on a socket calls
 * net_enable_timestamp() (and its release net_disable_timestamp()) unless
 * sock_needs_netstamp() exempts the socket's family, which it does for
 * AF_UNIX only.  SOL_SOCKET options never reach a protocol, so punix
 * cannot opt out: a punix socket with SO_TIMESTAMP* turns on
 * netstamp_needed_key, and every packet the machine receives is then
 * stamped, until the socket is closed.
 *
 * This is the one test that asserts a DIFFERENCE between the families, on
 * purpose: a kernel that exempts other families (or punix learning to
 * avoid it) makes it fail, so the README's statement is kept true.  It
 * counts calls with kprobes through tracefs (a kernel without kprobe
 * events, the debug kernel, cannot measure it: the test says so).
 */
#define TRACEFS		"/sys/kernel/tracing"

static int tracefs_write(const char *file, const char *text, bool append)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Hits of kprobe event @event so far (kprobe_profile), or -1. */
static long kprobe_hits(const char *event)
{
	char name[128];
	unsigned long hits, missed;
	long ret = -1;
	FILE *f;

	f = fopen(TRACEFS "/kprobe_profile", "re");
	if (!f)
		return -1;
	while (fscanf(f, "%127s %lu %lu", name, &hits, &missed) == 3)
		if (!strcmp(name, event))
			ret = hits;
	fclose(f);
	return ret;
}

static const char *const probes[][2] = {
	{ "punix_netstamp_on", "net_enable_timestamp" },
	{ "punix_netstamp_off", "net_disable_timestamp" },
};

static void probes_remove(void)
{
	char buf[128];

	for (size_t i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "events/kprobes/%s/enable",
			 probes[i][0]);
		tracefs_write(buf, "0", false);
		snprintf(buf, sizeof(buf), "-:kprobes/%s\n", probes[i][0]);
		tracefs_write("kprobe_events", buf, true);
	}
}

/* 0, or -1 if this kernel cannot place the probes. */
static int probes_add(void)
{
	char buf[128];

	probes_remove();	/* left over by an earlier run */
	for (size_t i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "p:kprobes/%s %s\n", probes[i][0],
			 probes[i][1]);
		if (tracefs_write("kprobe_events", buf, true))
			return -1;
		snprintf(buf, sizeof(buf), "events/kprobes/%s/enable",
			 probes[i][0]);
		if (tracefs_write(buf, "1", false))
			return -1;
	}
	return 0;
}

TEST_F(tstamp, netstamp_key)
{
	static const struct ts_opt opts[] = {
		{ SO_TIMESTAMP_OLD, 1 }, { SO_TIMESTAMPNS_OLD, 1 },
		{ SO_TIMESTAMPING_OLD, TS_RX }, { SO_TIMESTAMP_NEW, 1 },
		{ SO_TIMESTAMPNS_NEW, 1 }, { SO_TIMESTAMPING_NEW, TS_RX },
	};
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	/* The known difference: AF_UNIX is exempt, punix is not. */
	long want = variant->punix ? 1 : 0;

	/*
	 * Every bench kernel has kprobe events (the debug kernel's config
	 * asks for CONFIG_KPROBE_EVENTS): a kernel without them fails.
	 */
	if (access(TRACEFS "/kprobe_events", F_OK))
		ASSERT_EQ(0, mount("tracefs", TRACEFS, "tracefs", 0, NULL));
	ASSERT_EQ(0, access(TRACEFS "/kprobe_events", F_OK)) {
		TH_LOG("no kprobe events in this kernel: nothing to count with");
	}
	ASSERT_EQ(0, probes_add()) {
		TH_LOG("kprobes on net_{en,dis}able_timestamp: %s",
		       strerror(errno));
		probes_remove();
	}
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			long on0, on1, on2, off0, off1;
			int fd;

			fd = socket(self->family, types[t], 0);
			ASSERT_LE(0, fd);
			on0 = kprobe_hits(probes[0][0]);
			ASSERT_LE(0, on0);
			ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, opts[i].name,
						&opts[i].val, sizeof(int)));
			on1 = kprobe_hits(probes[0][0]);
			/* Once per socket, not per option set. */
			ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, opts[i].name,
						&opts[i].val, sizeof(int)));
			on2 = kprobe_hits(probes[0][0]);
			off0 = kprobe_hits(probes[1][0]);
			close(fd);
			off1 = kprobe_hits(probes[1][0]);
			EXPECT_EQ(want, on1 - on0) {
				TH_LOG("type %d option %d: enable calls",
				       types[t], opts[i].name);
			}
			EXPECT_EQ(on1, on2);
			EXPECT_EQ(want, off1 - off0) {
				TH_LOG("type %d option %d: disable calls",
				       types[t], opts[i].name);
			}
		}
	}
	probes_remove();
}

TEST_HARNESS_MAIN
