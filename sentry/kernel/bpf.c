/* Classic BPF for seccomp (bpf.h). The checker takes what
 * bpf_check_classic and seccomp_check_filter take: loads of seccomp_data
 * only as aligned 32-bit words, no packet loads, jumps inside the program,
 * no division by a constant 0, scratch memory in range and written before
 * it is read on every path, and a return at the end. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sentry/kernel/bpf.h"

/* include/uapi/linux/bpf_common.h, filter.h */
#define CLASS(c) ((c) & 0x07)
#define BPF_LD 0x00
#define BPF_LDX 0x01
#define BPF_ST 0x02
#define BPF_STX 0x03
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_RET 0x06
#define BPF_MISC 0x07
#define BPF_W 0x00
#define BPF_IMM 0x00
#define BPF_ABS 0x20
#define BPF_MEM 0x60
#define BPF_LEN 0x80
#define BPF_K 0x00
#define BPF_X 0x08
#define BPF_A 0x10
#define OP(c) ((c) & 0xf0)
#define BPF_ADD 0x00
#define BPF_SUB 0x10
#define BPF_MUL 0x20
#define BPF_DIV 0x30
#define BPF_OR 0x40
#define BPF_AND 0x50
#define BPF_LSH 0x60
#define BPF_RSH 0x70
#define BPF_NEG 0x80
#define BPF_MOD 0x90
#define BPF_XOR 0xa0
#define BPF_JA 0x00
#define BPF_JEQ 0x10
#define BPF_JGT 0x20
#define BPF_JGE 0x30
#define BPF_JSET 0x40
#define BPF_TAX 0x00
#define BPF_TXA 0x80
#define BPF_MEMWORDS 16
#define SECCOMP_DATA_SIZE 64

static bool alu_ok(uint16_t code, uint32_t k)
{
	switch (OP(code)) {
	case BPF_DIV:
	case BPF_MOD:
		return (code & BPF_X) || k != 0;
	case BPF_LSH:
	case BPF_RSH:
		return (code & BPF_X) || k < 32;
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_OR:
	case BPF_AND: case BPF_XOR: case BPF_NEG:
		return true;
	default:
		return false;
	}
}

static bool jump_ok(const struct linux_sock_filter *i, unsigned int pc, unsigned int len)
{
	switch (OP(i->code)) {
	case BPF_JA:
		return !(i->code & BPF_X) && i->k < len - pc - 1;
	case BPF_JEQ: case BPF_JGT: case BPF_JGE: case BPF_JSET:
		return pc + 1u + i->jt < len && pc + 1u + i->jf < len;
	default:
		return false;
	}
}

/* One instruction's form; what seccomp_check_filter lets through. */
static bool insn_ok(const struct linux_sock_filter *i, unsigned int pc, unsigned int len)
{
	switch (i->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return i->k < SECCOMP_DATA_SIZE && !(i->k & 3);
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
		return true;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return i->k < BPF_MEMWORDS;
	}
	if (CLASS(i->code) == BPF_ALU)
		return (i->code & ~0xf8u) == BPF_ALU && alu_ok(i->code, i->k);
	if (CLASS(i->code) == BPF_JMP)
		return (i->code & 0x07) == BPF_JMP && jump_ok(i, pc, len);
	return false;
}

/* check_load_and_stores(): along every path, M[k] is stored before it is
 * loaded. masks[pc]: the slots surely written when pc runs. */
static bool memory_ok(const struct linux_sock_filter *f, unsigned int len)
{
	static __thread uint16_t masks[BPF_MAXINSNS];
	uint16_t memvalid = 0;

	for (unsigned int pc = 0; pc < len; pc++)
		masks[pc] = 0xffff;
	for (unsigned int pc = 0; pc < len; pc++) {
		const struct linux_sock_filter *i = &f[pc];

		memvalid &= masks[pc];
		switch (i->code) {
		case BPF_ST:
		case BPF_STX:
			memvalid |= 1u << i->k;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(memvalid & (1u << i->k)))
				return false;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + i->k] &= memvalid;
			memvalid = 0xffff;
			break;
		default:
			if (CLASS(i->code) == BPF_JMP) {
				masks[pc + 1 + i->jt] &= memvalid;
				masks[pc + 1 + i->jf] &= memvalid;
				memvalid = 0xffff;
			}
		}
	}
	return true;
}

int bpf_check_seccomp(const struct linux_sock_filter *f, unsigned int len)
{
	if (!len || len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned int pc = 0; pc < len; pc++)
		if (!insn_ok(&f[pc], pc, len))
			return -EINVAL;
	if (CLASS(f[len - 1].code) != BPF_RET)
		return -EINVAL;
	return memory_ok(f, len) ? 0 : -EINVAL;
}

static uint32_t load_word(const struct bpf_seccomp_data *d, uint32_t k)
{
	uint32_t w;

	memcpy(&w, (const uint8_t *)d + k, sizeof w);
	return w;
}

static uint32_t alu(uint16_t code, uint32_t a, uint32_t x)
{
	switch (OP(code)) {
	case BPF_ADD: return a + x;
	case BPF_SUB: return a - x;
	case BPF_MUL: return a * x;
	case BPF_DIV: return x ? a / x : 0;
	case BPF_MOD: return x ? a % x : 0;
	case BPF_OR: return a | x;
	case BPF_AND: return a & x;
	case BPF_XOR: return a ^ x;
	case BPF_LSH: return x < 32 ? a << x : 0;
	case BPF_RSH: return x < 32 ? a >> x : 0;
	default: return -a; /* BPF_NEG */
	}
}

static bool cond(uint16_t code, uint32_t a, uint32_t v)
{
	switch (OP(code)) {
	case BPF_JEQ: return a == v;
	case BPF_JGT: return a > v;
	case BPF_JGE: return a >= v;
	default: return (a & v) != 0; /* BPF_JSET */
	}
}

uint32_t bpf_run(const struct linux_sock_filter *f, unsigned int len,
		 const struct bpf_seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (unsigned int pc = 0; pc < len; pc++) {
		const struct linux_sock_filter *i = &f[pc];
		uint32_t src = (i->code & BPF_X) ? x : i->k;

		switch (CLASS(i->code)) {
		case BPF_LD:
			a = (i->code & 0xe0) == BPF_ABS ? load_word(d, i->k)
			    : (i->code & 0xe0) == BPF_LEN ? SECCOMP_DATA_SIZE
			    : (i->code & 0xe0) == BPF_MEM ? mem[i->k] : i->k;
			break;
		case BPF_LDX:
			x = (i->code & 0xe0) == BPF_LEN ? SECCOMP_DATA_SIZE
			    : (i->code & 0xe0) == BPF_MEM ? mem[i->k] : i->k;
			break;
		case BPF_ST:
			mem[i->k] = a;
			break;
		case BPF_STX:
			mem[i->k] = x;
			break;
		case BPF_ALU:
			a = alu(i->code, a, src);
			break;
		case BPF_JMP:
			if (OP(i->code) == BPF_JA)
				pc += i->k;
			else
				pc += cond(i->code, a, src) ? i->jt : i->jf;
			break;
		case BPF_RET:
			return (i->code & BPF_A) ? a : i->k;
		default: /* BPF_MISC */
			if (OP(i->code) == BPF_TXA)
				a = x;
			else
				x = a;
		}
	}
	return 0; /* a checked program always returns before this */
}
