/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile input, through the whole stack: a conntrack handle opened over
 * the fake syscall table reads replies no kernel should send, or that did
 * not come from the kernel at all. Each is refused with its documented
 * error (see <ctnl/sock.h> and <ctnl/conntrack.h>), the list asked for is
 * left untouched and nothing allocated, and the handle then reads a good
 * reply as if nothing had happened (the teardown proves nothing leaked).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctnl/conntrack.h>
#include <ctnl/mocks.h>

#include "endless.h"
#include "entry.h"
#include "helpers.h"
#include "ct/internal.h"
#include "sock/internal.h"

struct hfx {
	size_t heap_before;
	struct ctnl_fake_sys *fake;
	struct ctnl_ct *ct;
	size_t len;		/* bytes of the datagram being built */
	uint8_t buf[8192];
};

static int setup(void **state)
{
	size_t before = heap_in_use();
	struct hfx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->heap_before = before;
	assert_int_equal(ctnl_fake_sys_new(&fx->fake), 0);
	assert_int_equal(ctnl_ct_open(ctnl_fake_sys_syscalls(fx->fake), NULL,
				      &fx->ct), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct hfx *fx = *state;
	size_t before = fx->heap_before;

	ctnl_ct_close(fx->ct);
	fake_sys_free_checked(fx->fake);
	free(fx);
	assert_int_equal(heap_in_use(), before);
	return 0;
}

static struct nl_sock *sock_of(struct hfx *fx)
{
	return ((struct ct_handle *)fx->ct->ctx)->sock->ctx;
}

/* ---- Building replies ---- */

/* A good entry, as a dump carries it, appended to the datagram. */
static struct nlmsghdr *good_entry(struct hfx *fx)
{
	struct ctnl_flow f = {
		.attrs = CTNL_ATTR_ORIG | CTNL_ATTR_TIMEOUT | CTNL_ATTR_ID,
		.orig = tuple_of("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 1000, 80),
		.timeout = 100,
		.id = 1,
	};
	struct nlmsghdr *nlh = (void *)(fx->buf + fx->len);

	fx->len += put_entry_msg(nlh, sizeof(fx->buf) - fx->len, &f,
				 NLM_F_MULTI);
	return nlh;
}

/* An empty conntrack message of @family, appended; the caller adds
 * attributes, then end_msg(). */
static struct nlmsghdr *bare_entry(struct hfx *fx, uint8_t family)
{
	return put_nfmsg(fx->buf + fx->len,
			 (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
			 NLM_F_MULTI, family);
}

static void end_msg(struct hfx *fx, const struct nlmsghdr *nlh)
{
	fx->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* Queues the datagram built so far, stamped as the reply to the next
 * request, and the dump's end after it. */
static void queue_dump(struct hfx *fx)
{
	ctnl_fake_sys_queue(fx->fake, fx->buf, fx->len);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	fx->len = 0;
}

/* ---- Checking ---- */

/* The list fails with @err, leaves its output alone, and the handle then
 * lists a good dump: nothing of the bad one was left behind. */
static void expect_list_fails(struct hfx *fx, int err)
{
	struct ctnl_list list = { .count = 12345 }, before = list;

	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 err);
	assert_memory_equal(&list, &before, sizeof(list));
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);

	good_entry(fx);
	queue_dump(fx);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 1);
	assert_int_equal(list.flows[0].id, 1);
	ctnl_list_free(&list);
}

/* ---- Who is talking ---- */

static void test_reply_from_another_sender_is_eperm(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = good_entry(fx);

	/* Our port id and sequence number: only the sender is wrong. */
	nlh->nlmsg_seq = 1;
	nlh->nlmsg_pid = CTNL_FAKE_PORTID;
	ctnl_fake_sys_queue_raw(fx->fake, 4321, 0, fx->buf, fx->len);
	fx->len = 0;
	ctnl_fake_sys_queue_done(fx->fake, 0);
	expect_list_fails(fx, -EPERM);
}

static void test_reply_with_foreign_sequence_number_is_eproto(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = good_entry(fx);

	nlh->nlmsg_seq = 77;
	nlh->nlmsg_pid = CTNL_FAKE_PORTID;
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, fx->buf, fx->len);
	fx->len = 0;
	ctnl_fake_sys_queue_done(fx->fake, 0);
	expect_list_fails(fx, -EPROTO);
}

static void test_reply_to_foreign_port_id_is_esrch(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = good_entry(fx);

	nlh->nlmsg_seq = 1;
	nlh->nlmsg_pid = CTNL_FAKE_PORTID + 1;
	ctnl_fake_sys_queue_raw(fx->fake, 0, 0, fx->buf, fx->len);
	fx->len = 0;
	ctnl_fake_sys_queue_done(fx->fake, 0);
	expect_list_fails(fx, -ESRCH);
}

/* ---- Datagram and message framing ---- */

/* Bigger than the receive buffer: the kernel cuts it (MSG_TRUNC). The
 * buffer grows to fit, so the next dump of the same size goes through. */
static void test_truncated_datagram_is_emsgsize_and_buffer_grows(void **state)
{
	struct hfx *fx = *state;
	size_t bufsize = sock_of(fx)->bufsize;
	uint8_t *big = calloc(1, bufsize + 4096);
	struct nlmsghdr *nlh;

	assert_non_null(big);
	nlh = put_msg(big, NLMSG_NOOP, NLM_F_MULTI, bufsize + 4096 - 16);
	ctnl_fake_sys_queue(fx->fake, nlh, nlh->nlmsg_len);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	expect_list_fails(fx, -EMSGSIZE);
	assert_int_equal(sock_of(fx)->bufsize, bufsize + 4096);
	free(big);
}

static void test_message_longer_than_its_datagram_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = good_entry(fx);

	nlh->nlmsg_len += 64;
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_zero_length_message_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;

	good_entry(fx)->nlmsg_len = 0;
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_empty_datagram_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;

	ctnl_fake_sys_queue(fx->fake, fx->buf, 0);
	ctnl_fake_sys_queue_done(fx->fake, 0);
	expect_list_fails(fx, -EBADMSG);
}

/* A message too short for the nfgenmsg header every ctnetlink message
 * starts with. */
static void test_message_without_nfgenmsg_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = put_msg(fx->buf, (NFNL_SUBSYS_CTNETLINK << 8) |
					       IPCTNL_MSG_CT_NEW,
				       NLM_F_MULTI, 2);

	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

/* ---- Attributes ---- */

static void test_attribute_past_end_of_message_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = bare_entry(fx, AF_INET);
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put_u32(nlh, CTA_MARK, htonl(7));
	attr->nla_len = 200;
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_zero_length_attribute_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = bare_entry(fx, AF_INET);
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put_u32(nlh, CTA_MARK, htonl(7));
	attr->nla_len = 0;
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_nested_attribute_past_end_of_nest_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = bare_entry(fx, AF_INET);
	struct nlattr *tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	struct nlattr *src = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(0x0a000001));
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, tuple);
	/* Still inside the message, past the end of its nest. */
	mnl_attr_put_u32(nlh, CTA_MARK, 0);
	src->nla_len = 12;
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

/* A nest where a number belongs, and a number where a nest belongs. */
static void test_nested_attribute_of_wrong_type_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *inner;

	nlh = bare_entry(fx, AF_INET);
	mnl_attr_put_u32(nlh, CTA_TUPLE_ORIG, 5);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);

	nlh = bare_entry(fx, AF_INET);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	mnl_attr_put_u32(nlh, CTA_TUPLE_IP, 5);
	mnl_attr_nest_end(nlh, nest);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);

	nlh = bare_entry(fx, AF_INET);
	nest = mnl_attr_nest_start(nlh, CTA_MARK);
	mnl_attr_put_u32(nlh, 1, 5);
	mnl_attr_nest_end(nlh, nest);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);

	nlh = bare_entry(fx, AF_INET);
	nest = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	inner = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u32(nlh, CTA_PROTOINFO_TCP_STATE, 3);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_address_of_other_family_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = bare_entry(fx, AF_INET);
	struct nlattr *tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	struct nlattr *ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	struct in6_addr a6 = IN6ADDR_LOOPBACK_INIT;

	mnl_attr_put(nlh, CTA_IP_V6_SRC, sizeof(a6), &a6);
	mnl_attr_nest_end(nlh, ip);
	mnl_attr_nest_end(nlh, tuple);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_unknown_family_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;

	end_msg(fx, bare_entry(fx, AF_UNIX));
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_unterminated_or_long_string_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = bare_entry(fx, AF_INET);
	nest = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put(nlh, CTA_HELP_NAME, 3, "ftp");
	mnl_attr_nest_end(nlh, nest);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);

	nlh = bare_entry(fx, AF_INET);
	nest = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, "a-helper-name-too-long");
	mnl_attr_nest_end(nlh, nest);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

static void test_labels_longer_than_128_bits_are_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = bare_entry(fx, AF_INET);
	uint32_t words[5] = { 1, 2, 3, 4, 5 };

	mnl_attr_put(nlh, CTA_LABELS, sizeof(words), words);
	end_msg(fx, nlh);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

/* What the model does not hold is skipped, not refused: newer kernels add
 * attributes. */
static void test_unknown_attributes_are_skipped(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh = good_entry(fx);
	struct ctnl_list list;

	fx->len -= NLMSG_ALIGN(nlh->nlmsg_len);
	mnl_attr_put_u32(nlh, 200, 1);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(9));
	end_msg(fx, nlh);
	queue_dump(fx);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 1);
	assert_int_equal(list.flows[0].mark, 9);
	ctnl_list_free(&list);
}

/* ---- Messages out of place ---- */

/* An expectation in a conntrack dump (or the other way round) is no entry
 * of the table asked for. */
static void test_message_of_other_table_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct ctnl_list list = { .count = 5 };

	good_entry(fx)->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) |
				     IPCTNL_MSG_EXP_NEW;
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);

	good_entry(fx);
	queue_dump(fx);
	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_EXPECT, 0, &list),
			 -EBADMSG);
	assert_int_equal(list.count, 5);
}

/* The kernel can end a dump with an error part-way (NLMSG_ERROR or an
 * NLMSG_DONE carrying one): the list fails with it, entries read before
 * are dropped, and nothing may follow the error in its datagram. */
static void test_error_inside_dump_fails_the_list(void **state)
{
	struct hfx *fx = *state;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	good_entry(fx);
	good_entry(fx);
	ctnl_fake_sys_queue(fx->fake, fx->buf, fx->len);
	fx->len = 0;
	ctnl_fake_sys_queue_ack(fx->fake, 0, -ENOMEM, "out of memory");
	expect_list_fails(fx, -ENOMEM);

	good_entry(fx);
	ctnl_fake_sys_queue(fx->fake, fx->buf, fx->len);
	fx->len = 0;
	ctnl_fake_sys_queue_done(fx->fake, -ENOBUFS);
	expect_list_fails(fx, -ENOBUFS);

	good_entry(fx);
	nlh = mnl_nlmsg_put_header(fx->buf + fx->len);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENOMEM;
	e->msg.nlmsg_len = NLMSG_HDRLEN;
	end_msg(fx, nlh);
	good_entry(fx);
	queue_dump(fx);
	expect_list_fails(fx, -EBADMSG);
}

/* One request, one entry: a get answered with two, or none, is refused
 * and the caller's flow left alone. */
static void test_get_answered_with_two_entries_or_none_is_ebadmsg(void **state)
{
	struct hfx *fx = *state;
	struct ctnl_flow key = { .attrs = CTNL_ATTR_ORIG }, out, before;

	assert_int_equal(ctnl_tuple_from_text(&key.orig, "10.0.0.1",
					      "10.0.0.2", IPPROTO_TCP, 1000,
					      80), 0);
	memset(&out, 0x5a, sizeof(out));
	before = out;
	good_entry(fx);
	good_entry(fx);
	ctnl_fake_sys_queue(fx->fake, fx->buf, fx->len);
	fx->len = 0;
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -EBADMSG);
	ctnl_fake_sys_queue_ack(fx->fake, 0, 0, NULL);
	assert_int_equal(ctnl_ct_get(fx->ct, &key, &out), -EBADMSG);
	assert_memory_equal(&out, &before, sizeof(out));
	assert_int_equal(ctnl_fake_sys_queued(fx->fake), 0);
}

/* ---- A dump that never ends ---- */

/*
 * Only the kernel can send as port id 0 (a process needs CAP_NET_ADMIN to
 * send to our port at all, and its datagrams are refused), and a real
 * table is finite: a dump that never ends is a broken kernel or a fake.
 * The list still returns, with -EOVERFLOW, having held on to nothing;
 * then, the socket being out of step, every request is -EBADFD.
 */
static void test_endless_dump_is_bounded(void **state)
{
	size_t before = heap_in_use();
	struct hfx *fx = calloc(1, sizeof(*fx));
	struct ctnl_list list = { .count = 3 };

	(void)state;
	assert_non_null(fx);
	assert_int_equal(ctnl_fake_sys_new(&fx->fake), 0);
	good_entry(fx);
	good_entry(fx);
	assert_int_equal(ctnl_ct_open(endless_syscalls(fx->fake, fx->buf,
						       fx->len),
				      NULL, &fx->ct), 0);
	sock_of(fx)->replies_max = 10000;

	assert_int_equal(ctnl_ct_list(fx->ct, CTNL_TABLE_CONNTRACK, 0, &list),
			 -EOVERFLOW);
	assert_int_equal(list.count, 3);
	/* Two entries a datagram: message 10,001 is the first of the
	 * 5,001st datagram, and nothing is read past it. */
	assert_int_equal(endless.served, 5001);
	assert_int_equal(ctnl_ct_flush(fx->ct, CTNL_TABLE_CONNTRACK, 0),
			 -EBADFD);
	assert_int_equal(ctnl_fake_sys_sent_count(fx->fake), 1);
	fx->heap_before = before;
	*state = fx;
	teardown(state);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reply_from_another_sender_is_eperm),
		T(test_reply_with_foreign_sequence_number_is_eproto),
		T(test_reply_to_foreign_port_id_is_esrch),
		T(test_truncated_datagram_is_emsgsize_and_buffer_grows),
		T(test_message_longer_than_its_datagram_is_ebadmsg),
		T(test_zero_length_message_is_ebadmsg),
		T(test_empty_datagram_is_ebadmsg),
		T(test_message_without_nfgenmsg_is_ebadmsg),
		T(test_attribute_past_end_of_message_is_ebadmsg),
		T(test_zero_length_attribute_is_ebadmsg),
		T(test_nested_attribute_past_end_of_nest_is_ebadmsg),
		T(test_nested_attribute_of_wrong_type_is_ebadmsg),
		T(test_address_of_other_family_is_ebadmsg),
		T(test_unknown_family_is_ebadmsg),
		T(test_unterminated_or_long_string_is_ebadmsg),
		T(test_labels_longer_than_128_bits_are_ebadmsg),
		T(test_unknown_attributes_are_skipped),
		T(test_message_of_other_table_is_ebadmsg),
		T(test_error_inside_dump_fails_the_list),
		T(test_get_answered_with_two_entries_or_none_is_ebadmsg),
		cmocka_unit_test(test_endless_dump_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
