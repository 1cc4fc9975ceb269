/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fakes' classic BPF: checked and run as the kernel does, so a socket
 * filter that passes here behaves the same on a real socket (which the
 * kernel tests then confirm).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ctnl/mocks.h>

#include "helpers.h"

#define RUN(prog, pkt, len)                                                  \
	ctnl_fake_bpf_run(prog, sizeof(prog) / sizeof(prog[0]), pkt, len)
#define CHECK(prog) ctnl_fake_bpf_check(prog, sizeof(prog) / sizeof(prog[0]))

static void test_bpf_check_refuses_what_the_kernel_refuses(void **state)
{
	static const struct sock_filter no_ret[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 1),
	};
	static const struct sock_filter jump_out[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	static const struct sock_filter ja_out[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	static const struct sock_filter div_zero[] = {
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter bad_mem[] = {
		BPF_STMT(BPF_ST, BPF_MEMWORDS),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter other_ancillary[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_MARK),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter unknown_code[] = {
		BPF_STMT(0xffff, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter unknown_alu[] = {
		BPF_STMT(BPF_ALU | 0xf0, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter unknown_jump[] = {
		BPF_JUMP(BPF_JMP | 0x70, 0, 0, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};

	(void)state;
	assert_int_equal(ctnl_fake_bpf_check(NULL, 1), -EINVAL);
	assert_int_equal(ctnl_fake_bpf_check(no_ret, 0), -EINVAL);
	assert_int_equal(ctnl_fake_bpf_check(no_ret, BPF_MAXINSNS + 1),
			 -EINVAL);
	assert_int_equal(CHECK(no_ret), -EINVAL);
	assert_int_equal(CHECK(jump_out), -EINVAL);
	assert_int_equal(CHECK(ja_out), -EINVAL);
	assert_int_equal(CHECK(div_zero), -EINVAL);
	assert_int_equal(CHECK(bad_mem), -EINVAL);
	assert_int_equal(CHECK(other_ancillary), -EINVAL);
	assert_int_equal(CHECK(unknown_code), -EINVAL);
	assert_int_equal(CHECK(unknown_alu), -EINVAL);
	assert_int_equal(CHECK(unknown_jump), -EINVAL);
}

/* Loads are big-endian; past the end, the program ends with 0. */
static void test_bpf_loads_are_big_endian_and_bounded(void **state)
{
	static const struct sock_filter word[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter half_ind[] = {
		BPF_STMT(BPF_LDX | BPF_IMM, 2),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter msh[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter msh_out[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 9),
		BPF_STMT(BPF_RET | BPF_K, 1),
	};
	static const struct sock_filter lens[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	const uint8_t pkt[6] = { 0x45, 0x11, 0x22, 0x33, 0x44, 0x55 };

	(void)state;
	assert_int_equal(CHECK(word), 0);
	assert_int_equal(RUN(word, pkt, 6), 0x11223344);
	assert_int_equal(RUN(word, pkt, 4), 0);
	assert_int_equal(RUN(half_ind, pkt, 6), 0x3344);
	assert_int_equal(RUN(half_ind, pkt, 4), 0);
	assert_int_equal(RUN(msh, pkt, 6), 20);
	assert_int_equal(RUN(msh_out, pkt, 6), 0);
	assert_int_equal(RUN(lens, pkt, 6), 12);
}

static void test_bpf_alu_jumps_and_scratch_memory(void **state)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 7),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 6),		/* 42 */
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 2),		/* 40 */
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 3),		/* 13 */
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 8),		/* 5 */
		BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x10),	/* 21 */
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 1),		/* 20 */
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 2),		/* 80 */
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 1),		/* 40 */
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LDX | BPF_MEM, 3),
		BPF_STMT(BPF_ALU | BPF_NEG, 0),			/* -40 */
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),		/* 0 */
		BPF_STMT(BPF_STX, 4),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 2, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter div_x[] = {
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, 1),
	};
	static const struct sock_filter shift_far[] = {
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	/* A shift by X is taken modulo 32, as the kernel's runtime does. */
	static const struct sock_filter shift_x[] = {
		BPF_STMT(BPF_LDX | BPF_IMM, 33),
		BPF_STMT(BPF_LD | BPF_IMM, 6),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};

	(void)state;
	assert_int_equal(CHECK(prog), 0);
	assert_int_equal(RUN(prog, "", 0), 40);
	assert_int_equal(CHECK(div_x), 0);
	assert_int_equal(RUN(div_x, "", 0), 0);
	assert_int_equal(CHECK(shift_far), -EINVAL);
	assert_int_equal(CHECK(shift_x), 0);
	assert_int_equal(RUN(shift_x, "", 0), 3);
}

/* SKF_AD_NLATTR and SKF_AD_NLATTR_NEST find attributes as nla_find()
 * does, from offset A, of type X; 0 when absent or out of bounds. */
static void test_bpf_netlink_attribute_search(void **state)
{
	static const struct sock_filter find[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 20),
		BPF_STMT(BPF_LDX | BPF_IMM, 8),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter nested[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 20),
		BPF_STMT(BPF_LDX | BPF_IMM, 1),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR),
		BPF_STMT(BPF_LDX | BPF_IMM, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 SKF_AD_OFF + SKF_AD_NLATTR_NEST),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter nest_at[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 1000),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 SKF_AD_OFF + SKF_AD_NLATTR_NEST),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	static const struct sock_filter find_at[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 1000),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	uint8_t buf[256];
	struct nlmsghdr *nlh = put_nfmsg(buf, 0x100, 0, 2);
	struct nlattr *nest;

	(void)state;
	assert_int_equal(CHECK(find), 0);
	assert_int_equal(CHECK(nested), 0);
	mnl_attr_put_u32(nlh, 3, 1);			/* at 20 */
	nest = mnl_attr_nest_start(nlh, 1);		/* at 28 */
	mnl_attr_put_u8(nlh, 5, 1);	/* at 32 */
	mnl_attr_put_u16(nlh, 2, 7);			/* at 40 */
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, 8, 42);			/* at 48 */
	assert_int_equal(RUN(find, buf, nlh->nlmsg_len), 48);
	assert_int_equal(RUN(nested, buf, nlh->nlmsg_len), 40);
	/* Type 8 is gone once the message is cut before it. */
	assert_int_equal(RUN(find, buf, 48), 0);
	/* A nest that runs past the end, or an offset past it. */
	assert_int_equal(RUN(nested, buf, 36), 0);
	assert_int_equal(RUN(nest_at, buf, nlh->nlmsg_len), 0);
	assert_int_equal(RUN(find_at, buf, nlh->nlmsg_len), 0);
	assert_int_equal(RUN(find, buf, 2), 0);
	/* A malformed attribute ends the search. */
	((struct nlattr *)(buf + 20))->nla_len = 2;
	assert_int_equal(RUN(find, buf, nlh->nlmsg_len), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_check_refuses_what_the_kernel_refuses),
		cmocka_unit_test(test_bpf_loads_are_big_endian_and_bounded),
		cmocka_unit_test(test_bpf_alu_jumps_and_scratch_memory),
		cmocka_unit_test(test_bpf_netlink_attribute_search),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
