/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Formatting flows and expectations as text, field for field the way
 * `conntrack -L` prints them (conntrack-tools 1.4.7 over
 * libnetfilter_conntrack 1.0.9), so eyes and scripts can switch tools.
 * The rules were read off that program's output on real tables; where a
 * rule looks odd, it is because conntrack does it so (see the comments).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/*
 * Appends to a buffer, counting what would not fit, as snprintf counts:
 * hand-written appenders, no format string to interpret per field (a
 * table of 250,000 entries is formatted in a few tens of ms). The buffer
 * is kept terminated where it ends.
 */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

/* What does not fit: the part that does, and the count. */
static void put_mem_slow(struct out *o, const char *s, size_t n)
{
	if (o->len + 1 < o->size)
		memcpy(o->buf + o->len, s, o->size - o->len - 1);
	o->len += n;
}

static inline void put_mem(struct out *o, const char *s, size_t n)
{
	if (__builtin_expect(o->len + n < o->size, 1)) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
		return;
	}
	put_mem_slow(o, s, n);
}

/* A string literal: its length is known at compile time, and the copy
 * becomes a few moves. */
#define PUT(o, lit) put_mem((o), (lit), sizeof(lit) - 1)

static inline void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static inline void put_char(struct out *o, char c)
{
	if (__builtin_expect(o->len + 1 < o->size, 1))
		o->buf[o->len++] = c;
	else
		put_mem_slow(o, &c, 1);
}

/* Two digits at a time, from the right. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930"
	"31323334353637383940414243444546474849505152535455565758596061"
	"62636465666768697071727374757677787980818283848586878889909192"
	"939495969798990";

static void put_u64(struct out *o, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	while (v >= 100) {
		const char *pair = &digit_pairs[(v % 100) * 2];

		v /= 100;
		digits[sizeof(digits) - ++n] = pair[1];
		digits[sizeof(digits) - ++n] = pair[0];
	}
	if (v >= 10) {
		digits[sizeof(digits) - ++n] = digit_pairs[v * 2 + 1];
		digits[sizeof(digits) - ++n] = digit_pairs[v * 2];
	} else {
		digits[sizeof(digits) - ++n] = (char)('0' + v);
	}
	put_mem(o, digits + sizeof(digits) - n, n);
}

static void put_hex(struct out *o, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = hex[v & 15];
		v >>= 4;
	} while (v);
	put_mem(o, digits + sizeof(digits) - n, n);
}

/* "NAME=VALUE " (NAME with its '=' a literal). */
#define PUT_FIELD(o, name_eq, v)                                             \
	do {                                                                 \
		PUT(o, name_eq);                                             \
		put_u64(o, v);                                               \
		put_char(o, ' ');                                            \
	} while (0)

/* @s left-aligned in @width columns (printf's %-Ns). */
static void put_padded(struct out *o, const char *s, size_t width)
{
	static const char spaces[] = "         ";
	size_t n = strlen(s);

	put_mem(o, s, n);
	if (n < width)
		put_mem(o, spaces, width - n);
}

/* An IPv4 address by hand, an IPv6 one as inet_ntop writes it. */
/* The decimal digits of @b at @out; their number. */
static size_t ip4_byte(char *out, unsigned int b)
{
	size_t n = 0;

	if (b >= 100)
		out[n++] = (char)('0' + b / 100);
	if (b >= 10)
		out[n++] = (char)('0' + b / 10 % 10);
	out[n++] = (char)('0' + b % 10);
	return n;
}

static size_t ip4_text(char *out, const uint8_t *a)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			out[n++] = '.';
		n += ip4_byte(out + n, a[i]);
	}
	return n;
}

/* The longest run of two or more zero groups (the first of equals), as
 * inet_ntop() compresses it; *@len 0 when there is none. */
static int zero_run(const uint16_t *g, int *len)
{
	int best = -1, best_len = 0;

	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	*len = best_len;
	return best;
}

/* An IPv6 address as glibc's inet_ntop() writes it: lower-case hex
 * groups, the longest zero run as "::", an IPv4-compatible or -mapped
 * address with its last 32 bits dotted. No stdio. */
static size_t ip6_text(char *out, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	uint16_t g[8];
	int run_len, run;
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	run = zero_run(g, &run_len);
	for (int i = 0; i < 8; i++) {
		if (i == run) {
			out[n++] = ':';
			i += run_len - 1;
			if (i == 7)
				out[n++] = ':';
			continue;
		}
		if (i)
			out[n++] = ':';
		if (i == 6 && run == 0 &&
		    (run_len == 6 || (run_len == 5 && g[5] == 0xffff)))
			return n + ip4_text(out + n, a + 12);
		for (int shift = 12, lead = 1; shift >= 0; shift -= 4) {
			unsigned int d = (g[i] >> shift) & 15;

			if (d || !lead || shift == 0) {
				out[n++] = hex[d];
				lead = 0;
			}
		}
	}
	return n;
}

int ctnl_addr_to_text(uint8_t family, const union ctnl_addr *addr, char *buf,
		      size_t size)
{
	char text[CTNL_ADDR_TEXT_MAX];
	size_t n;

	if (!addr || (!buf && size) ||
	    (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	n = family == AF_INET ? ip4_text(text, addr->u8)
			      : ip6_text(text, addr->u8);
	if (size) {
		size_t copy = n < size ? n : size - 1;

		memcpy(buf, text, copy);
		buf[copy] = '\0';
	}
	return (int)n;
}

static void put_addr(struct out *o, uint8_t family, const union ctnl_addr *a)
{
	char text[CTNL_ADDR_TEXT_MAX];

	put_mem(o, text, family == AF_INET6 ? ip6_text(text, a->u8)
					    : ip4_text(text, a->u8));
}

/* Drops the last character (a separator) from the line. */
static void unemit(struct out *o)
{
	if (o->len == 0)
		return;
	o->len--;
	if (o->len < o->size)
		o->buf[o->len] = '\0';
}

static int done(struct out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
	return o->len > INT32_MAX ? INT32_MAX : (int)o->len;
}

static const char *l3_name(uint8_t family)
{
	switch (family) {
	case AF_INET: return "ipv4";
	case AF_INET6: return "ipv6";
	default: return "unknown";
	}
}

const char *ctnl__proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	default: return NULL;
	}
}

/* conntrack calls any other protocol "unknown". */
static const char *proto_name(uint8_t proto)
{
	const char *name = ctnl__proto_name(proto);

	return name ? name : "unknown";
}

#define NAME_OR_NULL(names, i)                                               \
	((i) < sizeof(names) / sizeof((names)[0]) ? (names)[i] : NULL)

const char *ctnl__state_name(uint8_t proto, uint8_t state)
{
	static const char *const tcp[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};
	static const char *const sctp[] = {
		"NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED",
		"ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD",
		"SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED",
	};
	static const char *const dccp[] = {
		"NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ",
		"CLOSING", "TIMEWAIT", "IGNORE", "INVALID",
	};

	switch (proto) {
	case IPPROTO_TCP: return NAME_OR_NULL(tcp, state);
	case IPPROTO_SCTP: return NAME_OR_NULL(sctp, state);
	case IPPROTO_DCCP: return NAME_OR_NULL(dccp, state);
	default: return NULL;
	}
}

/* A state beyond the table prints as NONE, as conntrack prints it. */
static const char *state_name(uint8_t proto, uint8_t state)
{
	const char *name = ctnl__state_name(proto, state);

	return name ? name : "NONE";
}

static void emit_addrs(struct out *o, const char *src, const char *dst,
		       const struct ctnl_tuple *t)
{
	/* conntrack prints no addresses for a family it does not know. */
	if (t->family != AF_INET && t->family != AF_INET6)
		return;
	put_str(o, src);
	put_char(o, '=');
	put_addr(o, t->family, &t->src);
	put_char(o, ' ');
	put_str(o, dst);
	put_char(o, '=');
	put_addr(o, t->family, &t->dst);
	put_char(o, ' ');
}

static void emit_l4(struct out *o, const struct ctnl_tuple *t)
{
	switch (t->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		PUT_FIELD(o, "sport=", t->port.src);
		PUT_FIELD(o, "dport=", t->port.dst);
		break;
	case IPPROTO_GRE:
		PUT(o, "srckey=0x");
		put_hex(o, t->port.src);
		PUT(o, " dstkey=0x");
		put_hex(o, t->port.dst);
		put_char(o, ' ');
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		PUT_FIELD(o, "type=", t->icmp.type);
		PUT_FIELD(o, "code=", t->icmp.code);
		PUT_FIELD(o, "id=", t->icmp.id);
		break;
	}
}

static void emit_tuple(struct out *o, const char *src, const char *dst,
		       const struct ctnl_tuple *t)
{
	emit_addrs(o, src, dst, t);
	emit_l4(o, t);
}

static void emit_counters(struct out *o, const struct ctnl_flow *f, int dir)
{
	uint64_t bit = dir == CTNL_DIR_ORIG ? CTNL_ATTR_COUNTERS_ORIG
					    : CTNL_ATTR_COUNTERS_REPLY;

	if (!(f->attrs & bit))
		return;
	PUT_FIELD(o, "packets=", f->counters[dir].packets);
	PUT_FIELD(o, "bytes=", f->counters[dir].bytes);
}

static void emit_state(struct out *o, const struct ctnl_flow *f)
{
	const char *name = NULL;

	switch (f->orig.proto) {
	case IPPROTO_TCP:
		if (f->attrs & CTNL_ATTR_TCP_STATE)
			name = state_name(IPPROTO_TCP, f->tcp.state);
		break;
	case IPPROTO_SCTP:
		if (f->attrs & CTNL_ATTR_SCTP_STATE)
			name = state_name(IPPROTO_SCTP, f->sctp.state);
		break;
	case IPPROTO_DCCP:
		if (f->attrs & CTNL_ATTR_DCCP_STATE)
			name = state_name(IPPROTO_DCCP, f->dccp.state);
		break;
	}
	if (name) {
		put_str(o, name);
		put_char(o, ' ');
	}
}

static void emit_event(struct out *o, unsigned int event)
{
	const char *name = NULL;

	switch (event) {
	case CTNL_EVENT_NEW:
	case CTNL_EVENT_EXP_NEW:
		name = "[NEW]";
		break;
	case CTNL_EVENT_UPDATE:
		name = "[UPDATE]";
		break;
	case CTNL_EVENT_DESTROY:
	case CTNL_EVENT_EXP_DESTROY:
		name = "[DESTROY]";
		break;
	}
	/* Right-aligned in 9 columns, as printf's %9s. */
	if (name) {
		put_mem(o, "    ", 9 - strlen(name));
		put_str(o, name);
		put_char(o, ' ');
	}
}

/*
 * Seconds since the entry started: to its stop for a destroyed entry,
 * else to opts->now. Whole seconds on both sides, then subtracted, and
 * printed as an unsigned 64-bit number even if the clocks disagree, as
 * conntrack does. The library reads no clock: without a time given, a
 * live entry's field is left out.
 */
static void emit_delta_time(struct out *o, const struct ctnl_flow *f,
			    const struct ctnl_format_opts *opts)
{
	int64_t start = (int64_t)(f->start / 1000000000u);
	int64_t stop = CTNL_OPT(struct ctnl_format_opts, opts, now, 0);

	if ((f->attrs & CTNL_ATTR_STOP) && f->stop != 0)
		stop = (int64_t)(f->stop / 1000000000u);
	else if (stop == 0)
		return;
	PUT_FIELD(o, "delta-time=", (uint64_t)(stop - start));
}

/*
 * labels=NAME,NAME for the entry's labels that have a name. conntrack
 * writes "labels=" and a comma after each name, then takes the last
 * character back: with no named label it is the '=' that goes, and the
 * field reads "labels".
 */
static void emit_labels(struct out *o, const struct ctnl_flow *f,
			const char *const *names)
{
	PUT(o, "labels=");
	for (unsigned int bit = 0; bit < CTNL_LABEL_BITS; bit++) {
		if (!ctnl_labels_test(&f->labels, bit) || !names[bit] ||
		    names[bit][0] == '\0')
			continue;
		put_str(o, names[bit]);
		put_char(o, ',');
	}
	unemit(o);
	put_char(o, ' ');
}

/* "NAME     N ": a name left-aligned in 8 columns and its number, as
 * conntrack begins a line. */
static void emit_number_name(struct out *o, const char *name, unsigned int n)
{
	put_padded(o, name, 8);
	put_char(o, ' ');
	put_u64(o, n);
	put_char(o, ' ');
}

/* The time as ctime() writes it, in local time, without its newline:
 * "Thu Dec  3 07:04:31 2026". */
static void put_ctime(struct out *o, uint64_t ns)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return;
	put_mem(o, days + 3 * tm.tm_wday, 3);
	put_char(o, ' ');
	put_mem(o, months + 3 * tm.tm_mon, 3);
	put_char(o, ' ');
	if (tm.tm_mday < 10)
		put_char(o, ' ');
	put_u64(o, (uint64_t)tm.tm_mday);
	for (int i = 0, v[3] = { tm.tm_hour, tm.tm_min, tm.tm_sec }; i < 3;
	     i++) {
		put_char(o, i ? ':' : ' ');
		put_char(o, (char)('0' + v[i] / 10));
		put_char(o, (char)('0' + v[i] % 10));
	}
	put_char(o, ' ');
	put_u64(o, (uint64_t)tm.tm_year + 1900);
}

/* -o ktimestamp: "[start=...] [stop=...] ", in local time. */
static void emit_timestamps(struct out *o, const struct ctnl_flow *f)
{
	if (f->attrs & CTNL_ATTR_START) {
		PUT(o, "[start=");
		put_ctime(o, f->start);
		PUT(o, "] ");
	}
	if (f->attrs & CTNL_ATTR_STOP) {
		PUT(o, "[stop=");
		put_ctime(o, f->stop);
		PUT(o, "] ");
	}
}

#define OPT(opts, field) CTNL_OPT(struct ctnl_format_opts, opts, field, 0)

/* A flag from a newer header would change the line: refused, as every
 * other options struct refuses what it does not know. */
static bool opts_ok(const struct ctnl_format_opts *opts)
{
	return !opts ||
	       (ctnl_opts_usable(opts, opts->size, sizeof(*opts)) &&
		!(OPT(opts, flags) & ~(CTNL_FORMAT_EXTENDED | CTNL_FORMAT_ID |
				       CTNL_FORMAT_TIMESTAMP)));
}

/* [HW_OFFLOAD], [OFFLOAD] or [ASSURED]: the first that applies. */
static void emit_assured(struct out *o, const struct ctnl_flow *f)
{
	if (!(f->attrs & CTNL_ATTR_STATUS))
		return;
	if (f->status & IPS_HW_OFFLOAD)
		PUT(o, "[HW_OFFLOAD] ");
	else if (f->status & IPS_OFFLOAD)
		PUT(o, "[OFFLOAD] ");
	else if (f->status & IPS_ASSURED)
		PUT(o, "[ASSURED] ");
}

int ctnl_flow_format_opts(const struct ctnl_flow *f,
			  const struct ctnl_format_opts *opts, char *buf,
			  size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	const char *const *label_names = OPT(opts, label_names);
	unsigned int flags = OPT(opts, flags);
	bool same_zone;

	if (!f || !opts_ok(opts))
		return -EINVAL;
	if (o.size)
		o.buf[0] = '\0';
	same_zone = f->orig.zone == f->reply.zone;

	emit_event(&o, OPT(opts, event));
	if (flags & CTNL_FORMAT_EXTENDED)
		emit_number_name(&o, l3_name(f->orig.family), f->orig.family);
	emit_number_name(&o, proto_name(f->orig.proto), f->orig.proto);
	if (f->attrs & CTNL_ATTR_TIMEOUT) {
		put_u64(&o, f->timeout);
		put_char(&o, ' ');
	}
	emit_state(&o, f);

	emit_tuple(&o, "src", "dst", &f->orig);
	if (!same_zone && f->orig.zone)
		PUT_FIELD(&o, "zone-orig=", f->orig.zone);
	emit_counters(&o, f, CTNL_DIR_ORIG);
	if ((f->attrs & CTNL_ATTR_STATUS) && !(f->status & IPS_SEEN_REPLY))
		PUT(&o, "[UNREPLIED] ");

	/* conntrack prints the reply tuple's fields whether or not the
	 * message carried it: a zeroed one shows what it has, no address. */
	emit_tuple(&o, "src", "dst", &f->reply);
	if (!same_zone && f->reply.zone)
		PUT_FIELD(&o, "zone-reply=", f->reply.zone);
	emit_counters(&o, f, CTNL_DIR_REPLY);

	emit_assured(&o, f);
	if (f->attrs & CTNL_ATTR_MARK)
		PUT_FIELD(&o, "mark=", f->mark);
	if (same_zone && f->orig.zone)
		PUT_FIELD(&o, "zone=", f->orig.zone);
	if (f->attrs & CTNL_ATTR_START)
		emit_delta_time(&o, f, opts);
	if (flags & CTNL_FORMAT_TIMESTAMP)
		emit_timestamps(&o, f);
	if (f->attrs & CTNL_ATTR_HELPER) {
		PUT(&o, "helper=");
		put_str(&o, f->helper);
		put_char(&o, ' ');
	}
	if (f->attrs & CTNL_ATTR_USE)
		PUT_FIELD(&o, "use=", f->use);
	if ((flags & CTNL_FORMAT_ID) && (f->attrs & CTNL_ATTR_ID))
		PUT_FIELD(&o, "id=", f->id);
	if (label_names && (f->attrs & CTNL_ATTR_LABELS))
		emit_labels(&o, f, label_names);
	/* Every field ends with a space; the line does not. */
	unemit(&o);
	return done(&o);
}

int ctnl_flow_format(const struct ctnl_flow *flow, char *buf, size_t size)
{
	return ctnl_flow_format_opts(flow, NULL, buf, size);
}

int ctnl_expect_format_opts(const struct ctnl_expect *e,
			    const struct ctnl_format_opts *opts, char *buf,
			    size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	const char *delim = "";

	if (!e || !opts_ok(opts))
		return -EINVAL;
	if (o.size)
		o.buf[0] = '\0';
	emit_event(&o, OPT(opts, event));
	if (e->attrs & CTNL_EXP_ATTR_TIMEOUT) {
		put_u64(&o, e->timeout);
		put_char(&o, ' ');
	}
	PUT_FIELD(&o, "proto=", e->tuple.proto);
	emit_tuple(&o, "src", "dst", &e->tuple);
	emit_tuple(&o, "mask-src", "mask-dst", &e->mask);
	emit_tuple(&o, "master-src", "master-dst", &e->master);
	if (e->attrs & CTNL_EXP_ATTR_ZONE)
		PUT_FIELD(&o, "zone=", e->zone);
	if (e->flags & NF_CT_EXPECT_PERMANENT) {
		PUT(&o, "PERMANENT");
		delim = ",";
	}
	if (e->flags & NF_CT_EXPECT_INACTIVE) {
		put_str(&o, delim);
		PUT(&o, "INACTIVE");
		delim = ",";
	}
	if (e->flags & NF_CT_EXPECT_USERSPACE) {
		put_str(&o, delim);
		PUT(&o, "USERSPACE");
	}
	/* A space after the flags whenever any bit is set, known or not. */
	if (e->flags)
		put_char(&o, ' ');
	if (e->attrs & CTNL_EXP_ATTR_CLASS)
		PUT_FIELD(&o, "class=", e->class);
	if (e->attrs & CTNL_EXP_ATTR_HELPER) {
		PUT(&o, "helper=");
		put_str(&o, e->helper);
	}
	/* The last field's space goes; the helper has none. */
	if (o.len > 0 && !(e->attrs & CTNL_EXP_ATTR_HELPER))
		unemit(&o);
	return done(&o);
}

int ctnl_expect_format(const struct ctnl_expect *exp, char *buf, size_t size)
{
	return ctnl_expect_format_opts(exp, NULL, buf, size);
}
