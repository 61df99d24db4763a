/* The initial stack image: strings from the top down, then the vectors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/exec/stack.h"

struct builder {
	uint64_t top;  /* guest address of buf + size */
	uint8_t *buf;
	size_t size;
	uint64_t p;    /* current lowest used guest address */
};

static uint8_t *at(struct builder *b, uint64_t addr)
{
	return b->buf + (addr - (b->top - b->size));
}

/* Places len bytes below the current position; 0 when out of room. */
static uint64_t push(struct builder *b, const void *data, size_t len)
{
	if (len > b->p - (b->top - b->size))
		return 0;
	b->p -= len;
	memcpy(at(b, b->p), data, len);
	return b->p;
}

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Pushes strings last first, so v[0] ends lowest; fills addr[]. */
static int push_strings(struct builder *b, char *const *v, size_t n, uint64_t *addr)
{
	for (size_t i = n; i-- > 0;) {
		addr[i] = push(b, v[i], strlen(v[i]) + 1);
		if (!addr[i])
			return -E2BIG;
	}
	return 0;
}

static void set_aux(struct linux_auxv *aux, size_t *n, uint64_t type, uint64_t val)
{
	for (size_t i = 0; i < *n; i++) {
		if (aux[i].type == type) {
			aux[i].val = val;
			return;
		}
	}
	aux[(*n)++] = (struct linux_auxv){ type, val };
}

static int push_vectors(struct builder *b, const uint64_t *argp, size_t argc,
			const uint64_t *envp, size_t envc, const struct linux_auxv *aux,
			size_t naux)
{
	size_t words = 1 + argc + 1 + envc + 1 + 2 * (naux + 1);
	uint64_t sp = (b->p - words * 8) & ~15ULL;
	uint64_t *w;

	if (b->p < b->top - b->size + words * 8 + 16)
		return -E2BIG;
	b->p = sp;
	w = (uint64_t *)(void *)at(b, sp);
	*w++ = argc;
	memcpy(w, argp, argc * 8);
	w += argc;
	*w++ = 0;
	memcpy(w, envp, envc * 8);
	w += envc;
	*w++ = 0;
	memcpy(w, aux, naux * sizeof *aux);
	w += 2 * naux;
	w[0] = LINUX_AT_NULL;
	w[1] = 0;
	return 0;
}

/* The strings lie argv first, then envp, then execfn, each list contiguous. */
static void record(struct stack_result *out, const uint64_t *argp, size_t argc,
		   const uint64_t *envp, size_t envc, uint64_t execfn,
		   const struct linux_auxv *aux, size_t naux)
{
	out->env_end = execfn;
	out->env_start = out->arg_end = envc ? envp[0] : execfn;
	out->arg_start = argc ? argp[0] : out->arg_end;
	memcpy(out->auxv, aux, naux * sizeof *aux);
	out->auxv[naux] = (struct linux_auxv){ LINUX_AT_NULL, 0 };
	out->nauxv = naux + 1;
}

int64_t stack_build(const struct stack_spec *spec, uint64_t top, uint8_t *buf, size_t size,
		    struct stack_result *out)
{
	struct builder b = { top, buf, size, top };
	size_t argc = count(spec->argv), envc = count(spec->envp), naux = spec->nauxv;
	uint64_t zero = 0, execfn, platform, random, *argp, *envp;
	struct linux_auxv aux[STACK_MAX_AUXV + 3];
	int err = 0;

	if (naux > STACK_MAX_AUXV || size < 64 || (top & 15))
		return -EINVAL;
	/* Each string takes a byte and a pointer at least: refuse what cannot
	 * fit before sizing anything by the guest's counts. */
	if (argc + envc > size / 9)
		return -E2BIG;
	if (!push(&b, &zero, sizeof zero) || !(execfn = push(&b, spec->execfn, strlen(spec->execfn) + 1)))
		return -E2BIG;
	argp = malloc((argc + envc + 2) * sizeof *argp);
	if (!argp)
		return -ENOMEM;
	envp = argp + argc + 1;
	err = push_strings(&b, spec->envp, envc, envp);
	if (!err)
		err = push_strings(&b, spec->argv, argc, argp);
	platform = err ? 0 : push(&b, spec->platform, strlen(spec->platform) + 1);
	random = platform ? push(&b, spec->random, sizeof spec->random) : 0;
	if (!err && (!platform || !random))
		err = -E2BIG;
	if (!err) {
		b.p &= ~15ULL;
		memcpy(aux, spec->auxv, naux * sizeof *aux);
		set_aux(aux, &naux, LINUX_AT_RANDOM, random);
		set_aux(aux, &naux, LINUX_AT_EXECFN, execfn);
		set_aux(aux, &naux, LINUX_AT_PLATFORM, platform);
		err = push_vectors(&b, argp, argc, envp, envc, aux, naux);
	}
	if (!err && out)
		record(out, argp, argc, envp, envc, execfn, aux, naux);
	free(argp);
	return err ? err : (int64_t)b.p;
}
