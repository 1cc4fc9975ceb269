/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Classic BPF socket filters, checked and run the way the kernel does it
 * (net/core/filter.c: bpf_check_classic(), and the netlink attribute
 * extensions SKF_AD_NLATTR and SKF_AD_NLATTR_NEST), so that the fakes can
 * drop what a real socket filter would drop: see <ctnl/mocks.h>.
 *
 * Loads from the packet are big-endian, as on the wire; a load past its
 * end, or a division by zero in X, ends the program with 0 (drop). Not
 * modelled: the kernel's refusal of scratch memory read before written.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/netlink.h>

#include <ctnl/mocks.h>

/* The ancillary loads this fake knows; other kernels' ones it refuses. */
static bool is_ancillary(uint32_t k)
{
	return k >= (uint32_t)SKF_AD_OFF;
}

static bool ancillary_known(uint32_t k)
{
	return k == (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR) ||
	       k == (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR_NEST);
}

static bool code_known(uint16_t code, uint32_t k)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
		return !is_ancillary(k) || ancillary_known(k);
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_IMM:
	case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_ALU | BPF_NEG:
	case BPF_JMP | BPF_JA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
		return true;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return k < BPF_MEMWORDS;
	}
	if (BPF_CLASS(code) == BPF_ALU) {
		switch (BPF_OP(code)) {
		case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_OR:
		case BPF_AND: case BPF_XOR:
			return true;
		case BPF_LSH: case BPF_RSH:
			return BPF_SRC(code) == BPF_X || k < 32;
		case BPF_DIV: case BPF_MOD:
			/* A constant divisor of 0 is refused up front. */
			return BPF_SRC(code) == BPF_X || k != 0;
		}
		return false;
	}
	if (BPF_CLASS(code) == BPF_JMP) {
		switch (BPF_OP(code)) {
		case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
			return true;
		}
	}
	return false;
}

int ctnl_fake_bpf_check(const struct sock_filter *prog, unsigned int len)
{
	if (!prog || len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned int pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];

		if (!code_known(f->code, f->k))
			return -EINVAL;
		if (f->code == (BPF_JMP | BPF_JA)) {
			if (f->k >= len - pc - 1)
				return -EINVAL;
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			if (pc + f->jt + 1 >= len || pc + f->jf + 1 >= len)
				return -EINVAL;
		}
	}
	/* Every path must end in a return: the last instruction is one. */
	return BPF_CLASS(prog[len - 1].code) == BPF_RET ? 0 : -EINVAL;
}

/* The kernel's nla_find(): the first attribute of type @type in the
 * region, or NULL. */
static const struct nlattr *find_attr(const uint8_t *head, size_t len,
				      uint32_t type)
{
	size_t rem = len;
	const uint8_t *p = head;

	while (rem >= sizeof(struct nlattr)) {
		struct nlattr a;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(a) || a.nla_len > rem)
			break;
		if ((uint32_t)(a.nla_type & NLA_TYPE_MASK) == type)
			return (const void *)p;
		if ((size_t)NLA_ALIGN(a.nla_len) >= rem)
			break;
		rem -= (size_t)NLA_ALIGN(a.nla_len);
		p += NLA_ALIGN(a.nla_len);
	}
	return NULL;
}

/* SKF_AD_NLATTR: the offset of attribute @x at or after offset @a. */
static uint32_t nlattr(const uint8_t *pkt, size_t len, uint32_t a, uint32_t x)
{
	const struct nlattr *n;

	if (len < sizeof(*n) || a > len - sizeof(*n))
		return 0;
	n = find_attr(pkt + a, len - a, x);
	return n ? (uint32_t)((const uint8_t *)n - pkt) : 0;
}

/* SKF_AD_NLATTR_NEST: attribute @x inside the attribute at offset @a. */
static uint32_t nlattr_nest(const uint8_t *pkt, size_t len, uint32_t a,
			    uint32_t x)
{
	const struct nlattr *n;
	struct nlattr nest;

	if (len < sizeof(nest) || a > len - sizeof(nest))
		return 0;
	memcpy(&nest, pkt + a, sizeof(nest));
	if (nest.nla_len > len - a || nest.nla_len < sizeof(nest))
		return 0;
	n = find_attr(pkt + a + NLA_HDRLEN, nest.nla_len - NLA_HDRLEN, x);
	return n ? (uint32_t)((const uint8_t *)n - pkt) : 0;
}

/* A big-endian load of @size bytes at @off into *@v; false past the end. */
static bool load(const uint8_t *pkt, size_t len, uint32_t off, int size,
		 uint32_t *v)
{
	unsigned int n = size == BPF_W ? 4 : size == BPF_H ? 2 : 1;

	if (off > len || len - off < n)
		return false;
	*v = 0;
	for (unsigned int i = 0; i < n; i++)
		*v = *v << 8 | pkt[off + i];
	return true;
}

static uint32_t alu(uint16_t op, uint32_t a, uint32_t b, bool *ok)
{
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & 31);	/* as the kernel masks X */
	case BPF_RSH: return a >> (b & 31);
	case BPF_DIV:
	case BPF_MOD:
		if (b == 0) {
			*ok = false;
			return 0;
		}
		return op == BPF_DIV ? a / b : a % b;
	}
	return -a;	/* BPF_NEG */
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t b)
{
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	}
	return (a & b) != 0;	/* BPF_JSET */
}

uint32_t ctnl_fake_bpf_run(const struct sock_filter *prog, unsigned int n,
			   const void *packet, size_t len)
{
	const uint8_t *pkt = packet;
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 }, v;
	bool ok = true;

	for (unsigned int pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &prog[pc];

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_IMM)) {
				a = f->k;
			} else if (f->code == (BPF_LD | BPF_MEM)) {
				a = mem[f->k];
			} else if (BPF_MODE(f->code) == BPF_LEN) {
				a = (uint32_t)len;
			} else if (BPF_MODE(f->code) == BPF_ABS &&
				   is_ancillary(f->k)) {
				a = f->k == (uint32_t)(SKF_AD_OFF + SKF_AD_NLATTR)
					    ? nlattr(pkt, len, a, x)
					    : nlattr_nest(pkt, len, a, x);
			} else {
				uint32_t off = f->k;

				if (BPF_MODE(f->code) == BPF_IND)
					off += x;
				if (!load(pkt, len, off, BPF_SIZE(f->code), &v))
					return 0;
				a = v;
			}
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else if (f->code == (BPF_LDX | BPF_MEM))
				x = mem[f->k];
			else if (BPF_MODE(f->code) == BPF_LEN)
				x = (uint32_t)len;
			else if (load(pkt, len, f->k, BPF_B, &v))
				x = 4 * (v & 0xf);	/* BPF_MSH */
			else
				return 0;
			break;
		case BPF_ST:
			mem[f->k] = a;
			break;
		case BPF_STX:
			mem[f->k] = x;
			break;
		case BPF_ALU:
			a = alu(BPF_OP(f->code), a,
				BPF_SRC(f->code) == BPF_X ? x : f->k, &ok);
			if (!ok)
				return 0;
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA)
				pc += f->k;
			else if (jump_taken(BPF_OP(f->code), a,
					    BPF_SRC(f->code) == BPF_X ? x
								      : f->k))
				pc += f->jt;
			else
				pc += f->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (f->code == (BPF_MISC | BPF_TAX))
				x = a;
			else
				a = x;
			break;
		}
	}
	return 0;	/* unreachable for a checked program */
}
