/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <time.h>

#include "progress.h"

static int64_t now_ms(const struct run_env *env)
{
	struct timespec ts;

	if (env->clock_ms)
		return env->clock_ms();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_begin(struct progress *p, const struct run_env *env,
		    const char *what, uint64_t total)
{
	*p = (struct progress){ .what = what, .total = total };
	if (!env->progress)
		return;
	p->env = env;
	p->start_ms = now_ms(env);
	p->last_ms = p->start_ms;
}

void progress_step(struct progress *p, uint64_t n)
{
	int64_t t, elapsed;
	uint64_t rate;

	p->done += n;
	if (!p->env)
		return;
	t = now_ms(p->env);
	elapsed = t - p->start_ms;
	if (elapsed < 1000 || (p->shown && t - p->last_ms < 100))
		return;
	p->last_ms = t;
	rate = p->done * 1000 / (uint64_t)elapsed;
	/* \r and "erase to the end of the line": one line, rewritten. */
	if (p->total)
		fprintf(p->env->err, "\r\033[Kctnl: %llu of %llu entries %s "
			"(%llu %%), %llu/s", (unsigned long long)p->done,
			(unsigned long long)p->total, p->what,
			(unsigned long long)(p->done * 100 / p->total),
			(unsigned long long)rate);
	else
		fprintf(p->env->err, "\r\033[Kctnl: %llu entries %s, %llu/s",
			(unsigned long long)p->done, p->what,
			(unsigned long long)rate);
	fflush(p->env->err);
	p->shown = true;
}

void progress_end(struct progress *p)
{
	if (p->env && p->shown) {
		fputs("\r\033[K", p->env->err);
		fflush(p->env->err);
	}
	p->shown = false;
}

int progress_batch(struct progress *p, struct ctnl_ct *ct, enum ctnl_op op,
		   const struct ctnl_flow *flows, size_t count,
		   const struct ctnl_change *changes, size_t nchanges,
		   int *results)
{
	size_t chunk = p->env ? PROGRESS_CHUNK : count;
	int ok = 0;

	for (size_t off = 0; off < count; off += chunk) {
		size_t n = count - off < chunk ? count - off : chunk;
		int ret = ctnl_ct_batch(ct, op, flows + off, n,
					nchanges > 1 ? changes + off : changes,
					nchanges > 1 ? n : nchanges,
					results + off);

		if (ret < 0) {
			/* The batch did not run: neither do the rest. */
			for (size_t i = off + n; i < count; i++)
				results[i] = ret;
			return ret;
		}
		ok += ret;
		progress_step(p, n);
	}
	return ok;
}
