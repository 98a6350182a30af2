// SPDX-License-Identifier: GPL-2.0
/*
 * punix-ss: list punix sockets the way "ss -x" lists AF_UNIX ones.
 *
 * The sockets come from the kernel over NETLINK_SOCK_DIAG, with the request
 * and attribute layout of unix_diag (struct unix_diag_req, UNIX_DIAG_*),
 * which punix's sock_diag handler answers for its own family. The output
 * reproduces iproute2 6.1's "ss -x" byte for byte for the options it takes:
 * the same columns, the same widths, the same fitting to the terminal.
 *
 * Output model (as in ss): every socket is one row of fields, one per
 * column; the whole table is measured first, then printed. When stdout is
 * not a terminal each column is exactly as wide as its widest field; on a
 * terminal the spare width of each screen line is spread over its columns.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#define PUNIX_SS_VERSION "1.0"
#define FAMILY_PARAM "/sys/module/punix/parameters/family"

/* Socket states, numbered like the kernel's TCP_* states unix sockets use. */
enum {
	ST_UNKNOWN, ST_ESTABLISHED, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1,
	ST_FIN_WAIT2, ST_TIME_WAIT, ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK,
	ST_LISTEN, ST_CLOSING, ST_MAX
};

#define ST_ALL ((1 << ST_MAX) - 1)
#define ST_CONN (ST_ALL & ~((1 << ST_LISTEN) | (1 << ST_CLOSE) | \
			    (1 << ST_TIME_WAIT) | (1 << ST_SYN_RECV)))

/* Printed state names (the State column). */
static const char * const state_label[ST_MAX] = {
	[ST_UNKNOWN] = "UNKNOWN", [ST_ESTABLISHED] = "ESTAB",
	[ST_SYN_SENT] = "SYN-SENT", [ST_SYN_RECV] = "SYN-RECV",
	[ST_FIN_WAIT1] = "FIN-WAIT-1", [ST_FIN_WAIT2] = "FIN-WAIT-2",
	[ST_TIME_WAIT] = "TIME-WAIT", [ST_CLOSE] = "UNCONN",
	[ST_CLOSE_WAIT] = "CLOSE-WAIT", [ST_LAST_ACK] = "LAST-ACK",
	[ST_LISTEN] = "LISTEN", [ST_CLOSING] = "CLOSING",
};

/* State names a filter accepts ("state NAME", "exclude NAME"). */
static const char * const state_word[ST_MAX] = {
	[ST_UNKNOWN] = "unknown", [ST_ESTABLISHED] = "established",
	[ST_SYN_SENT] = "syn-sent", [ST_SYN_RECV] = "syn-recv",
	[ST_FIN_WAIT1] = "fin-wait-1", [ST_FIN_WAIT2] = "fin-wait-2",
	[ST_TIME_WAIT] = "time-wait", [ST_CLOSE] = "unconnected",
	[ST_CLOSE_WAIT] = "close-wait", [ST_LAST_ACK] = "last-ack",
	[ST_LISTEN] = "listening", [ST_CLOSING] = "closing",
};

/* Socket types shown (ss's "socket tables"): one bit each. */
enum { T_STREAM = 1, T_DGRAM = 2, T_SEQPACKET = 4, T_ALL = 7 };

/* Columns, in order. The last one (after Process) only ends the row. */
enum { C_NETID, C_STATE, C_RECVQ, C_SENDQ, C_LADDR, C_LPORT, C_PADDR,
	C_PPORT, C_EXT, C_END, C_COUNT };

struct column {
	const char *title;
	const char *sep;	/* printed before the field unless it starts a line */
	bool right;		/* right-aligned */
	bool off;
	int longest;		/* longest field, title included */
	int width;
};

static struct column col[C_COUNT] = {
	[C_NETID] = { "Netid", "", false, false, 0, 0 },
	[C_STATE] = { "State", " ", false, false, 0, 0 },
	[C_RECVQ] = { "Recv-Q", " ", false, false, 0, 0 },
	[C_SENDQ] = { "Send-Q", " ", false, false, 0, 0 },
	[C_LADDR] = { "Local Address:", " ", true, false, 0, 0 },
	[C_LPORT] = { "Port", "", false, false, 0, 0 },
	[C_PADDR] = { "Peer Address:", " ", true, false, 0, 0 },
	[C_PPORT] = { "Port", "", false, false, 0, 0 },
	[C_EXT] = { "Process", "", false, false, 0, 0 },
	[C_END] = { "", "", false, false, 0, 0 },
};

/* A growing string. */
struct str {
	char *s;
	size_t len, cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "punix-ss: out of memory\n");
		exit(1);
	}
	return p;
}

__attribute__((format(printf, 2, 3)))
static void str_add(struct str *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += n;
			return;
		}
		b->cap = (b->cap + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
}

/* The table: rows of C_COUNT fields (NULL for a column that is off). */
struct row {
	char *field[C_COUNT];
};

static struct row *rows;
static size_t nrows, rows_cap;

static struct row *row_new(void)
{
	if (nrows == rows_cap) {
		rows_cap = rows_cap ? rows_cap * 2 : 64;
		rows = xrealloc(rows, rows_cap * sizeof(*rows));
	}
	memset(&rows[nrows], 0, sizeof(rows[nrows]));
	return &rows[nrows++];
}

__attribute__((format(printf, 3, 4)))
static void row_set(struct row *r, int c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (col[c].off)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "punix-ss: out of memory\n");
		exit(1);
	}
	va_end(ap);
	r->field[c] = s;
}

/* Options. */
static int opt_processes, opt_details, opt_mem, opt_header = 1;

/* -p: the sockets every process holds, from /proc/PID/fd. */
struct holder {
	unsigned int ino;
	int pid, fd;
	char task[16];
};

static struct holder *holders;
static size_t nholders, holders_cap;

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void scan_process(int pid)
{
	char path[64], link[64], task[16] = "";
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		unsigned int ino;
		ssize_t n;
		int fd;

		if (!all_digits(d->d_name))
			continue;
		fd = atoi(d->d_name);
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%u]", &ino) != 1)
			continue;
		if (!task[0]) {
			/* The command name, as /proc/PID/stat gives it. */
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			f = fopen(path, "r");
			if (f) {
				if (fscanf(f, "%*d (%15[^)])", task) != 1)
					task[0] = '\0';
				fclose(f);
			}
		}
		if (nholders == holders_cap) {
			holders_cap = holders_cap ? holders_cap * 2 : 256;
			holders = xrealloc(holders, holders_cap * sizeof(*holders));
		}
		holders[nholders].ino = ino;
		holders[nholders].pid = pid;
		holders[nholders].fd = fd;
		memcpy(holders[nholders].task, task, sizeof(task));
		nholders++;
	}
	closedir(dir);
}

static void scan_processes(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (all_digits(d->d_name))
			scan_process(atoi(d->d_name));
	closedir(dir);
}

/* " users:((...),(...))", the last holder found first (as ss lists them). */
static void add_users(struct str *ext, unsigned int ino)
{
	bool first = true;
	size_t i;

	if (!ino)
		return;
	for (i = nholders; i-- > 0;) {
		if (holders[i].ino != ino)
			continue;
		str_add(ext, "%s(\"%s\",pid=%d,fd=%d)", first ? " users:(" : ",",
			holders[i].task, holders[i].pid, holders[i].fd);
		first = false;
	}
	if (!first)
		str_add(ext, ")");
}

/* One socket of the dump. */
struct dump_ctx {
	int types;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= UNIX_DIAG_MAX && !tb[type])
		tb[type] = a;
	return MNL_CB_OK;
}

static const char *netid(unsigned int type)
{
	switch (type) {
	case SOCK_STREAM:
		return "u_str";
	case SOCK_SEQPACKET:
		return "u_seq";
	default:
		return "u_dgr";
	}
}

static bool type_hidden(unsigned int type, int types)
{
	return (type == SOCK_STREAM && !(types & T_STREAM)) ||
	       (type == SOCK_DGRAM && !(types & T_DGRAM)) ||
	       (type == SOCK_SEQPACKET && !(types & T_SEQPACKET));
}

static int sock_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[UNIX_DIAG_MAX + 1] = { NULL };
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct dump_ctx *ctx = data;
	int rq = 0, wq = 0, peer = 0;
	struct str ext = { NULL, 0, 0 };
	char name[128] = "*";
	struct row *r;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*m)))
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*m), attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	if (type_hidden(m->udiag_type, ctx->types))
		return MNL_CB_OK;

	if (tb[UNIX_DIAG_RQLEN] &&
	    mnl_attr_get_payload_len(tb[UNIX_DIAG_RQLEN]) >= sizeof(struct unix_diag_rqlen)) {
		const struct unix_diag_rqlen *q = mnl_attr_get_payload(tb[UNIX_DIAG_RQLEN]);

		rq = q->udiag_rqueue;
		wq = q->udiag_wqueue;
	}
	if (tb[UNIX_DIAG_NAME]) {
		size_t len = mnl_attr_get_payload_len(tb[UNIX_DIAG_NAME]), i;

		if (len > sizeof(name) - 1)
			len = sizeof(name) - 1;
		memcpy(name, mnl_attr_get_payload(tb[UNIX_DIAG_NAME]), len);
		name[len] = '\0';
		/* An abstract name: every NUL in it shows as '@'. */
		if (name[0] == '\0')
			for (i = 0; i < len; i++)
				if (name[i] == '\0')
					name[i] = '@';
	}
	if (tb[UNIX_DIAG_PEER] && mnl_attr_get_payload_len(tb[UNIX_DIAG_PEER]) >= 4)
		peer = (int)mnl_attr_get_u32(tb[UNIX_DIAG_PEER]);

	r = row_new();
	row_set(r, C_NETID, "%s", netid(m->udiag_type));
	row_set(r, C_STATE, "%s",
		m->udiag_state < ST_MAX ? state_label[m->udiag_state] : "UNKNOWN");
	row_set(r, C_RECVQ, "%-6d", rq);
	row_set(r, C_SENDQ, "%-6d", wq);
	row_set(r, C_LADDR, "%s ", name);
	row_set(r, C_LPORT, "%d", (int)m->udiag_ino);
	row_set(r, C_PADDR, "%s ", "*");
	row_set(r, C_PPORT, "%d", peer);

	if (opt_processes)
		add_users(&ext, m->udiag_ino);
	if (opt_mem && tb[UNIX_DIAG_MEMINFO]) {
		const uint32_t *mi = mnl_attr_get_payload(tb[UNIX_DIAG_MEMINFO]);
		size_t n = mnl_attr_get_payload_len(tb[UNIX_DIAG_MEMINFO]) / sizeof(*mi);

		if (n >= SK_MEMINFO_OPTMEM + 1) {
			str_add(&ext, " skmem:(r%u,rb%u,t%u,tb%u,f%u,w%u,o%u",
				mi[SK_MEMINFO_RMEM_ALLOC], mi[SK_MEMINFO_RCVBUF],
				mi[SK_MEMINFO_WMEM_ALLOC], mi[SK_MEMINFO_SNDBUF],
				mi[SK_MEMINFO_FWD_ALLOC], mi[SK_MEMINFO_WMEM_QUEUED],
				mi[SK_MEMINFO_OPTMEM]);
			if (n >= SK_MEMINFO_BACKLOG + 1)
				str_add(&ext, ",bl%u", mi[SK_MEMINFO_BACKLOG]);
			if (n >= SK_MEMINFO_DROPS + 1)
				str_add(&ext, ",d%u", mi[SK_MEMINFO_DROPS]);
			str_add(&ext, ")");
		}
	}
	if (opt_details) {
		if (tb[UNIX_DIAG_SHUTDOWN] &&
		    mnl_attr_get_payload_len(tb[UNIX_DIAG_SHUTDOWN]) >= 1) {
			uint8_t how = mnl_attr_get_u8(tb[UNIX_DIAG_SHUTDOWN]);

			/* "<->": '<' while it may still receive, '>' send. */
			str_add(&ext, " %c-%c", how & 1 ? '-' : '<', how & 2 ? '-' : '>');
		}
		if (tb[UNIX_DIAG_VFS] &&
		    mnl_attr_get_payload_len(tb[UNIX_DIAG_VFS]) >= sizeof(struct unix_diag_vfs)) {
			const struct unix_diag_vfs *v = mnl_attr_get_payload(tb[UNIX_DIAG_VFS]);

			str_add(&ext, " ino:%u dev:%u/%u", v->udiag_vfs_ino,
				major(v->udiag_vfs_dev), minor(v->udiag_vfs_dev));
		}
		if (tb[UNIX_DIAG_ICONS]) {
			const uint32_t *icons = mnl_attr_get_payload(tb[UNIX_DIAG_ICONS]);
			size_t i, n = mnl_attr_get_payload_len(tb[UNIX_DIAG_ICONS]) / 4;

			str_add(&ext, " peers:");
			for (i = 0; i < n; i++)
				str_add(&ext, " %u", icons[i]);
		}
	}
	row_set(r, C_EXT, "%s", ext.s ? ext.s : "");
	free(ext.s);
	return MNL_CB_OK;
}

/* Dump every socket of FAMILY in the given states over NETLINK_SOCK_DIAG. */
static int dump(int family, int states, int types)
{
	struct dump_ctx ctx = { .types = types };
	size_t bufsz = 65536;
	char *buf = xrealloc(NULL, bufsz);
	struct unix_diag_req *req;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq, portid;
	int ret;

	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("punix-ss: netlink socket");
		return -1;
	}
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq = time(NULL);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->udiag_states = states;
	req->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
	if (opt_mem)
		req->udiag_show |= UDIAG_SHOW_MEMINFO;
	if (opt_details)
		req->udiag_show |= UDIAG_SHOW_VFS | UDIAG_SHOW_ICONS;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("punix-ss: netlink send");
		goto fail;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, bufsz);
		if (ret < 0)
			break;
		ret = mnl_cb_run(buf, ret, seq, portid, sock_cb, &ctx);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		int err = errno;

		if (err == ENOENT || err == EINVAL || err == EAFNOSUPPORT)
			fprintf(stderr, "punix-ss: family %d has no sock_diag handler "
				"(%s): is its module loaded with diagnostics?\n",
				family, strerror(err));
		else
			fprintf(stderr, "punix-ss: sock_diag dump of family %d: %s\n",
				family, strerror(err));
		goto fail;
	}
	mnl_socket_close(nl);
	free(buf);
	return 0;
fail:
	mnl_socket_close(nl);
	free(buf);
	return -1;
}

/* The terminal's width, or -1 when stdout is no terminal. */
static int screen_width(void)
{
	struct winsize w;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 &&
	    w.ws_col > 0)
		return w.ws_col;
	return -1;
}

static void fit_columns(void)
{
	int screen = screen_width(), c, line_len = 0, line_cols = 0, line_start = 0;
	bool first = true;
	size_t i;

	for (c = 0; c < C_COUNT; c++) {
		col[c].longest = 0;
		for (i = 0; i < nrows; i++) {
			int n = rows[i].field[c] ? (int)strlen(rows[i].field[c]) : 0;

			if (n > col[c].longest)
				col[c].longest = n;
		}
	}

	/*
	 * Each column is as wide as its longest field, plus its separator
	 * unless it is the first one shown; never wider than the screen.
	 */
	for (c = 0; c < C_COUNT; c++) {
		if (col[c].off)
			continue;
		col[c].width = col[c].longest;
		if (!first && col[c].longest)
			col[c].width += strlen(col[c].sep);
		if (screen > 0 && col[c].width > screen)
			col[c].width = screen;
		if (col[c].width)
			first = false;
	}
	if (screen < 0)
		return;

	/*
	 * On a terminal: cut the columns into screen lines, each line taking
	 * as many columns as fit, and spread the width left over on a line
	 * evenly over its columns (the remainder one by one from the right).
	 */
	for (c = 0; c < C_COUNT; c++) {
		int last = 1, k, pad, each, extra;

		if (!col[c].width)
			continue;
		line_cols++;
		line_len += col[c].width;
		for (k = c + 1; k < C_COUNT; k++)
			if (col[k].width) {
				last = 0;
				break;
			}
		if (!last && line_len < screen)
			continue;
		if (line_len > screen) {
			/* This column starts the next line. */
			line_len -= col[c].width;
			line_cols--;
			c--;
		}
		if (line_len != screen && line_cols) {
			pad = screen - line_len;
			each = pad / line_cols;
			extra = pad % line_cols;
			for (k = c; k >= line_start; k--) {
				if (!col[k].width)
					continue;
				col[k].width += each;
				if (extra) {
					col[k].width++;
					extra--;
				}
			}
		}
		line_start = c + 1;
		line_len = 0;
		line_cols = 0;
	}
}

static void print_spaces(int n)
{
	while (n-- > 0)
		putchar(' ');
}

static void print_table(void)
{
	size_t i;
	int c;

	if (!nrows)
		return;
	fit_columns();
	for (i = 0; i < nrows; i++) {
		bool started = false;

		for (c = 0; c < C_COUNT; c++) {
			const char *f = rows[i].field[c] ? rows[i].field[c] : "";
			int len = strlen(f), done = 0;

			if (col[c].off)
				continue;
			if (started) {
				fputs(col[c].sep, stdout);
				done = strlen(col[c].sep);
			}
			started = true;
			if (col[c].width && col[c].right && col[c].width - len - done > 0) {
				print_spaces(col[c].width - len - done);
				done = col[c].width - len;
			}
			fwrite(f, 1, len, stdout);
			done += len;
			if (col[c].width && !col[c].right)
				print_spaces(col[c].width - done);
		}
		putchar('\n');
	}
}

static int parse_state(const char *s)
{
	int i;

	if (!strcasecmp(s, "close") || !strcasecmp(s, "closed"))
		return 1 << ST_CLOSE;
	if (!strcasecmp(s, "syn-rcv"))
		return 1 << ST_SYN_RECV;
	if (!strcasecmp(s, "all"))
		return ST_ALL;
	if (!strcasecmp(s, "connected"))
		return ST_ALL & ~((1 << ST_CLOSE) | (1 << ST_LISTEN));
	if (!strcasecmp(s, "synchronized"))
		return ST_ALL & ~((1 << ST_CLOSE) | (1 << ST_LISTEN) | (1 << ST_SYN_SENT));
	if (!strcasecmp(s, "bucket"))
		return (1 << ST_SYN_RECV) | (1 << ST_TIME_WAIT);
	if (!strcasecmp(s, "big"))
		return ST_ALL & ~((1 << ST_SYN_RECV) | (1 << ST_TIME_WAIT));
	for (i = 0; i < ST_MAX; i++)
		if (!strcasecmp(s, state_word[i]))
			return 1 << i;
	fprintf(stderr, "punix-ss: wrong state name: %s\n", s);
	exit(1);
}

static int parse_types(char *list)
{
	static const struct { const char *name; int types; } names[] = {
		{ "unix", T_ALL }, { "all", T_ALL },
		{ "unix_stream", T_STREAM }, { "u_str", T_STREAM },
		{ "unix_dgram", T_DGRAM }, { "u_dgr", T_DGRAM },
		{ "unix_seqpacket", T_SEQPACKET }, { "u_seq", T_SEQPACKET },
	};
	int types = 0;
	char *tok;

	for (tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "punix-ss: \"%s\" is illegal socket table id\n", tok);
			exit(1);
		}
		types |= names[i].types;
	}
	return types;
}

static int punix_family(void)
{
	FILE *f = fopen(FAMILY_PARAM, "r");
	int family;

	if (!f) {
		fprintf(stderr, "punix-ss: punix is not loaded (no %s); "
			"-F FAMILY queries another family\n", FAMILY_PARAM);
		exit(1);
	}
	if (fscanf(f, "%d", &family) != 1) {
		fprintf(stderr, "punix-ss: cannot read %s\n", FAMILY_PARAM);
		exit(1);
	}
	fclose(f);
	return family;
}

static void usage(FILE *out, int status)
{
	fprintf(out,
"Usage: punix-ss [OPTIONS] [ state STATE | exclude STATE ]...\n"
"List punix sockets the way \"ss -x\" lists AF_UNIX ones, over sock_diag.\n"
"   -h, --help          this message\n"
"   -V, --version       the program's version\n"
"   -n, --numeric       numeric output (always: accepted for ss compatibility)\n"
"   -a, --all           sockets in every state\n"
"   -l, --listening     listening and unconnected sockets only\n"
"   -e, --extended      shutdown state, path inode and device, pending peers\n"
"   -m, --memory        socket memory (skmem)\n"
"   -p, --processes     the processes holding each socket\n"
"   -H, --no-header     no title line\n"
"   -x, --unix          accepted for ss compatibility (always)\n"
"   -A, --query=QUERY   socket types: unix, unix_stream (u_str),\n"
"                       unix_dgram (u_dgr), unix_seqpacket (u_seq), comma separated\n"
"   -F, --family=FAMILY query another family with the same unix_diag layout,\n"
"                       e.g. -F 1 lists AF_UNIX sockets, for comparison with ss -x\n"
"                       (default: punix's, from " FAMILY_PARAM ")\n"
"   STATE := {all|connected|synchronized|bucket|big|established|syn-sent|\n"
"             syn-recv|fin-wait-{1,2}|time-wait|closed|unconnected|close-wait|\n"
"             last-ack|listening|closing}\n");
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "listening", no_argument, NULL, 'l' },
		{ "extended", no_argument, NULL, 'e' },
		{ "memory", no_argument, NULL, 'm' },
		{ "processes", no_argument, NULL, 'p' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "unix", no_argument, NULL, 'x' },
		{ "query", required_argument, NULL, 'A' },
		{ "family", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int states = 0, types = 0, family = -1, ch;
	bool saw_state = false;
	char *end;
	long v;

	while ((ch = getopt_long(argc, argv, "hVnalempHxA:F:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("punix-ss %s\n", PUNIX_SS_VERSION);
			return 0;
		case 'n':
		case 'x':
			break;
		case 'a':
			states = ST_ALL;
			break;
		case 'l':
			states = (1 << ST_LISTEN) | (1 << ST_CLOSE);
			break;
		case 'e':
			opt_details = 1;
			break;
		case 'm':
			opt_mem = 1;
			break;
		case 'p':
			opt_processes = 1;
			break;
		case 'H':
			opt_header = 0;
			break;
		case 'A':
			types |= parse_types(optarg);
			break;
		case 'F':
			errno = 0;
			v = strtol(optarg, &end, 0);
			if (errno || *end || end == optarg || v < 0 || v > 255) {
				fprintf(stderr, "punix-ss: bad family number: %s\n", optarg);
				return 1;
			}
			family = v;
			break;
		default:
			usage(stderr, 1);
		}
	}
	for (argv += optind, argc -= optind; argc > 0; argv += 2, argc -= 2) {
		bool excl = !strcmp(argv[0], "exclude") || !strcmp(argv[0], "excl");

		if (strcmp(argv[0], "state") && !excl) {
			fprintf(stderr, "punix-ss: unknown filter: %s\n", argv[0]);
			usage(stderr, 1);
		}
		if (argc < 2) {
			fprintf(stderr, "punix-ss: %s needs a state name\n", argv[0]);
			return 1;
		}
		if (!saw_state)
			states = excl ? ST_ALL : 0;
		saw_state = true;
		if (excl)
			states &= ~parse_state(argv[1]);
		else
			states |= parse_state(argv[1]);
	}
	/* As ss: no states at all means the connected ones. */
	if (!states)
		states = ST_CONN;
	if (!types)
		types = T_ALL;
	if (family < 0)
		family = punix_family();

	/* One type or one state: that column says nothing, ss drops it. */
	if (!(types & (types - 1)))
		col[C_NETID].off = true;
	if (!(states & (states - 1)))
		col[C_STATE].off = true;

	if (opt_processes)
		scan_processes();
	if (opt_header) {
		struct row *r = row_new();
		int c;

		for (c = 0; c < C_END; c++)
			row_set(r, c, "%s", col[c].title);
	}
	if (dump(family, states, types) < 0)
		return 1;
	print_table();
	return fflush(stdout) ? 1 : 0;
}
