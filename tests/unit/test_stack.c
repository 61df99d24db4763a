/* The initial process stack (sentry/exec/stack.h), decoded the way a guest's
 * _start and ld.so read it. */
#include <check.h>

#include "tests/unit/unit.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi/linux.h"
#include "sentry/exec/stack.h"

#define TOP 0x7ffff000ULL
#define SIZE 4096
#define GUARD 256
#define GUARD_BYTE 0xa5

/* The stack buffer between two guard zones that must stay untouched. A stack
 * of any size ends at buf + SIZE, which stands for TOP. */
static uint8_t mem[GUARD + SIZE + GUARD];
static uint8_t *const buf = mem + GUARD;
static uint64_t base; /* lowest guest address of the current stack */

#define HOST(addr) (buf + SIZE - (TOP - (addr)))

static void reset(size_t size)
{
	memset(mem, GUARD_BYTE, sizeof mem);
	base = TOP - size;
}

static void guards_intact(size_t size)
{
	for (size_t i = 0; i < GUARD; i++)
		ck_assert_msg(mem[i] == GUARD_BYTE, "wrote below the buffer at -%zu", GUARD - i);
	for (size_t i = GUARD + size; i < sizeof mem; i++)
		ck_assert_msg(mem[i] == GUARD_BYTE, "wrote above the buffer at +%zu",
			      i - GUARD - size);
}

static uint64_t word(uint64_t addr)
{
	uint64_t w;

	ck_assert_msg(addr >= base && addr + 8 <= TOP, "word at %#llx outside the stack",
		      (unsigned long long)addr);
	memcpy(&w, HOST(addr), 8);
	return w;
}

static const char *guest_str(uint64_t addr)
{
	const char *s;

	ck_assert_msg(addr >= base && addr < TOP, "string at %#llx outside the stack",
		      (unsigned long long)addr);
	s = (const char *)HOST(addr);
	ck_assert_msg(memchr(s, 0, TOP - addr), "string at %#llx unterminated",
		      (unsigned long long)addr);
	return s;
}

static char *const test_argv[] = { "prog", "-x", "some argument", NULL };
static char *const test_envp[] = { "HOME=/root", "PATH=/usr/bin:/bin", NULL };

static void fill_spec(struct stack_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->argv = test_argv;
	spec->envp = test_envp;
	spec->execfn = "/usr/bin/prog";
	spec->platform = "x86_64";
	for (int i = 0; i < 16; i++)
		spec->random[i] = (uint8_t)(0xf0 + i);
	spec->auxv[0] = (struct linux_auxv){ LINUX_AT_PAGESZ, 4096 };
	spec->auxv[1] = (struct linux_auxv){ LINUX_AT_ENTRY, 0x401020 };
	spec->auxv[2] = (struct linux_auxv){ LINUX_AT_PHNUM, 9 };
	spec->nauxv = 3;
}

/* What the guest finds from sp. */
struct decoded {
	uint64_t argc;
	uint64_t argv[8], envp[8]; /* string addresses */
	uint64_t nenv;
	struct linux_auxv aux[STACK_MAX_AUXV + 4];
	size_t naux;   /* without AT_NULL */
	uint64_t end;  /* first address above the AT_NULL pair */
};

static void decode(uint64_t sp, struct decoded *d)
{
	uint64_t p = sp;

	memset(d, 0, sizeof *d);
	d->argc = word(p);
	p += 8;
	ck_assert_uint_le(d->argc, 8);
	for (uint64_t i = 0; i < d->argc; i++, p += 8)
		d->argv[i] = word(p);
	ck_assert_msg(word(p) == 0, "argv not NULL-terminated");
	for (p += 8; word(p); p += 8) {
		ck_assert_uint_lt(d->nenv, 8);
		d->envp[d->nenv++] = word(p);
	}
	for (p += 8; word(p) != LINUX_AT_NULL; p += 16) {
		ck_assert_uint_lt(d->naux, STACK_MAX_AUXV + 4);
		d->aux[d->naux].type = word(p);
		d->aux[d->naux].val = word(p + 8);
		d->naux++;
	}
	ck_assert_uint_eq(word(p + 8), 0);
	d->end = p + 16;
}

static uint64_t aux_val(const struct decoded *d, uint64_t type)
{
	uint64_t val = 0;
	int seen = 0;

	for (size_t i = 0; i < d->naux; i++) {
		if (d->aux[i].type == type) {
			val = d->aux[i].val;
			seen++;
		}
	}
	ck_assert_msg(seen == 1, "auxv type %llu appears %d times", (unsigned long long)type,
		      seen);
	return val;
}

static struct stack_spec spec;
static struct decoded d;

START_TEST(vectors_decode)
{
	int64_t sp;

	fill_spec(&spec);
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, NULL);
	ck_assert_int_gt(sp, 0);
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_ge(sp, base);
	guards_intact(SIZE);
	decode((uint64_t)sp, &d);

	ck_assert_uint_eq(d.argc, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(guest_str(d.argv[i]), test_argv[i]);
	ck_assert_uint_eq(d.nenv, 2);
	for (int i = 0; i < 2; i++)
		ck_assert_str_eq(guest_str(d.envp[i]), test_envp[i]);
}
END_TEST

START_TEST(auxv_entries)
{
	int64_t sp;
	uint64_t random;

	fill_spec(&spec);
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, NULL);
	ck_assert_int_gt(sp, 0);
	decode((uint64_t)sp, &d);

	/* The caller's entries first, in its order, then the three placed ones. */
	ck_assert_uint_eq(d.naux, 3 + 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(d.aux[i].type, spec.auxv[i].type);
		ck_assert_uint_eq(d.aux[i].val, spec.auxv[i].val);
	}
	random = aux_val(&d, LINUX_AT_RANDOM);
	ck_assert_uint_ge(random, d.end);
	ck_assert_uint_le(random + 16, TOP);
	ck_assert_mem_eq(HOST(random), spec.random, 16);
	ck_assert_str_eq(guest_str(aux_val(&d, LINUX_AT_EXECFN)), "/usr/bin/prog");
	ck_assert_str_eq(guest_str(aux_val(&d, LINUX_AT_PLATFORM)), "x86_64");
}
END_TEST

/* A placeholder the caller passes for AT_RANDOM is filled in, not repeated. */
START_TEST(auxv_placeholders_filled)
{
	int64_t sp;
	uint64_t random;

	fill_spec(&spec);
	spec.auxv[1] = (struct linux_auxv){ LINUX_AT_RANDOM, 0 };
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, NULL);
	ck_assert_int_gt(sp, 0);
	decode((uint64_t)sp, &d);
	ck_assert_uint_eq(d.naux, 3 + 2);
	ck_assert_uint_eq(d.aux[1].type, LINUX_AT_RANDOM);
	random = aux_val(&d, LINUX_AT_RANDOM);
	ck_assert_uint_ne(random, 0);
	ck_assert_mem_eq(HOST(random), spec.random, 16);
}
END_TEST

/* Linux's order from the top: 8 zero bytes, execfn, envp strings, argv
 * strings (argv[0] lowest), then platform and random bytes, then vectors. */
START_TEST(string_area_order)
{
	int64_t sp;
	uint64_t execfn, platform, random;
	const uint8_t zero[8] = { 0 };

	fill_spec(&spec);
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, NULL);
	ck_assert_int_gt(sp, 0);
	decode((uint64_t)sp, &d);
	execfn = aux_val(&d, LINUX_AT_EXECFN);
	platform = aux_val(&d, LINUX_AT_PLATFORM);
	random = aux_val(&d, LINUX_AT_RANDOM);

	ck_assert_mem_eq(buf + SIZE - 8, zero, 8);
	ck_assert_uint_eq(execfn, TOP - 8 - sizeof "/usr/bin/prog");
	ck_assert_uint_eq(d.envp[1] + sizeof "PATH=/usr/bin:/bin", execfn);
	ck_assert_uint_eq(d.envp[0] + sizeof "HOME=/root", d.envp[1]);
	ck_assert_uint_eq(d.argv[2] + sizeof "some argument", d.envp[0]);
	ck_assert_uint_eq(d.argv[1] + sizeof "-x", d.argv[2]);
	ck_assert_uint_eq(d.argv[0] + sizeof "prog", d.argv[1]);
	ck_assert_uint_lt(platform, d.argv[0]);
	ck_assert_uint_lt(random, platform);
	ck_assert_uint_le(d.end, random);
	/* Vectors sit just below the strings, only alignment between them. */
	ck_assert_uint_lt(random - d.end, 32);
}
END_TEST

START_TEST(empty_argv_and_envp)
{
	int64_t sp;

	fill_spec(&spec);
	spec.argv = NULL;
	spec.envp = NULL;
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, NULL);
	ck_assert_int_gt(sp, 0);
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_eq(word(sp), 0);
	ck_assert_uint_eq(word(sp + 8), 0);
	ck_assert_uint_eq(word(sp + 16), 0);
	ck_assert_uint_eq(word(sp + 24), LINUX_AT_PAGESZ);
	decode((uint64_t)sp, &d);
	ck_assert_uint_eq(d.argc, 0);
	ck_assert_uint_eq(d.nenv, 0);
	ck_assert_str_eq(guest_str(aux_val(&d, LINUX_AT_EXECFN)), "/usr/bin/prog");
}
END_TEST

/* The bounds /proc/PID/cmdline and environ read: exactly the argument
 * strings, then exactly the environment strings, and the vector as placed. */
START_TEST(result_bounds_and_auxv)
{
	struct stack_result res;
	int64_t sp;
	size_t args = 0, envs = 0;

	fill_spec(&spec);
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, &res);
	ck_assert_int_gt(sp, 0);
	decode((uint64_t)sp, &d);
	for (int i = 0; test_argv[i]; i++)
		args += strlen(test_argv[i]) + 1;
	for (int i = 0; test_envp[i]; i++)
		envs += strlen(test_envp[i]) + 1;
	ck_assert_uint_eq(res.arg_start, d.argv[0]);
	ck_assert_uint_eq(res.arg_end - res.arg_start, args);
	ck_assert_uint_eq(res.env_start, res.arg_end);
	ck_assert_uint_eq(res.env_start, d.envp[0]);
	ck_assert_uint_eq(res.env_end - res.env_start, envs);
	ck_assert(!memcmp(HOST(res.arg_start), "prog\0-x\0some argument\0", args));
	ck_assert_uint_eq(res.nauxv, d.naux + 1);
	ck_assert(!memcmp(res.auxv, d.aux, d.naux * sizeof d.aux[0]));
	ck_assert_uint_eq(res.auxv[d.naux].type, LINUX_AT_NULL);

	/* No strings: empty ranges where the strings would start. */
	spec.argv = spec.envp = NULL;
	reset(SIZE);
	ck_assert_int_gt(stack_build(&spec, TOP, buf, SIZE, &res), 0);
	ck_assert_uint_eq(res.arg_start, res.arg_end);
	ck_assert_uint_eq(res.env_start, res.env_end);
	ck_assert_uint_eq(res.arg_end, res.env_start);
	ck_assert_str_eq((const char *)HOST(res.env_end), "/usr/bin/prog");
}
END_TEST

/* A full caller auxv still has room for the three the builder adds. */
START_TEST(full_auxv)
{
	int64_t sp;

	fill_spec(&spec);
	for (size_t i = 0; i < STACK_MAX_AUXV; i++)
		spec.auxv[i] = (struct linux_auxv){ 100 + i, i };
	spec.nauxv = STACK_MAX_AUXV;
	reset(SIZE);
	sp = stack_build(&spec, TOP, buf, SIZE, NULL);
	ck_assert_int_gt(sp, 0);
	guards_intact(SIZE);
	decode((uint64_t)sp, &d);
	ck_assert_uint_eq(d.naux, STACK_MAX_AUXV + 3);
	ck_assert_uint_eq(d.aux[STACK_MAX_AUXV - 1].type, 100 + STACK_MAX_AUXV - 1);
}
END_TEST

/* Strings that do not fit. */
START_TEST(huge_argv_e2big)
{
	static char arg[64];
	static char *argv[201];

	memset(arg, 'a', sizeof arg - 1);
	for (int i = 0; i < 200; i++)
		argv[i] = arg;
	fill_spec(&spec);
	spec.argv = argv;
	reset(SIZE);
	ck_assert_int_eq(stack_build(&spec, TOP, buf, SIZE, NULL), -E2BIG);
	guards_intact(SIZE);
}
END_TEST

/* Strings that fit, but not with the pointers to them. */
START_TEST(vectors_e2big)
{
	static char *argv[1001];

	for (int i = 0; i < 1000; i++)
		argv[i] = "";
	fill_spec(&spec);
	spec.argv = argv;
	reset(SIZE);
	ck_assert_int_eq(stack_build(&spec, TOP, buf, SIZE, NULL), -E2BIG);
	guards_intact(SIZE);
}
END_TEST

START_TEST(long_execfn_e2big)
{
	static char execfn[SIZE];

	memset(execfn, '/', sizeof execfn - 1);
	fill_spec(&spec);
	spec.execfn = execfn;
	reset(SIZE);
	ck_assert_int_eq(stack_build(&spec, TOP, buf, SIZE, NULL), -E2BIG);
	guards_intact(SIZE);
}
END_TEST

/* Every size from nothing up: either -E2BIG/-EINVAL or a stack that decodes,
 * and never a byte outside the buffer. With one or two environment strings
 * the vectors take an odd or even number of words, so rounding sp down to 16
 * is tried both ways. */
START_TEST(every_size)
{
	int64_t sp;
	int fitted = 0;

	fill_spec(&spec);
	spec.envp = test_envp + _i;
	for (size_t size = 0; size <= 512; size += 8) {
		reset(size);
		sp = stack_build(&spec, TOP, buf + SIZE - size, size, NULL);
		if (sp < 0) {
			ck_assert_msg(sp == -E2BIG || (size < 64 && sp == -EINVAL),
				      "size %zu: %lld", size, (long long)sp);
			ck_assert_msg(!fitted, "size %zu fails after a smaller one fitted", size);
		} else {
			ck_assert_uint_ge(sp, base);
			decode((uint64_t)sp, &d);
			ck_assert_uint_eq(d.argc, 3);
			ck_assert_uint_eq(d.nenv, 2 - _i);
			fitted = 1;
		}
		for (size_t i = 0; i < GUARD + SIZE - size; i++)
			ck_assert_msg(mem[i] == GUARD_BYTE, "size %zu: wrote below", size);
		guards_intact(SIZE);
	}
	ck_assert(fitted);
}
END_TEST

START_TEST(misaligned_top_einval)
{
	fill_spec(&spec);
	reset(SIZE);
	ck_assert_int_eq(stack_build(&spec, TOP + 8, buf, SIZE, NULL), -EINVAL);
	ck_assert_int_eq(stack_build(&spec, TOP + 1, buf, SIZE, NULL), -EINVAL);
}
END_TEST

START_TEST(too_many_auxv_einval)
{
	fill_spec(&spec);
	spec.nauxv = STACK_MAX_AUXV + 1;
	reset(SIZE);
	ck_assert_int_eq(stack_build(&spec, TOP, buf, SIZE, NULL), -EINVAL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("stack");
	TCase *layout = tcase_create("layout");
	TCase *errors = tcase_create("errors");

	tcase_add_test(layout, vectors_decode);
	tcase_add_test(layout, auxv_entries);
	tcase_add_test(layout, auxv_placeholders_filled);
	tcase_add_test(layout, string_area_order);
	tcase_add_test(layout, empty_argv_and_envp);
	tcase_add_test(layout, full_auxv);
	tcase_add_test(layout, result_bounds_and_auxv);
	suite_add_tcase(s, layout);

	tcase_add_test(errors, huge_argv_e2big);
	tcase_add_test(errors, vectors_e2big);
	tcase_add_test(errors, long_execfn_e2big);
	tcase_add_loop_test(errors, every_size, 0, 2);
	tcase_add_test(errors, misaligned_top_einval);
	tcase_add_test(errors, too_many_auxv_einval);
	suite_add_tcase(s, errors);
	return s;
}
