/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dispatch through the interface tables of every layer.
 */
#ifndef CTNL_SRC_OPS_H
#define CTNL_SRC_OPS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when the table @ops provides @slot: the implementer's struct was big
 * enough to hold it (tables built against an older header are shorter) and
 * the slot is not NULL. A missing slot is -ENOSYS at every call site.
 */
#define CTNL_HAS_OP(ops, slot)                                               \
	((ops) != NULL &&                                                    \
	 (ops)->size >= offsetof(__typeof__(*(ops)), slot) +                 \
				sizeof((ops)->slot) &&                       \
	 (ops)->slot != NULL)

/* Calls @slot of interface @iface (a struct with ops and ctx) with the
 * arguments that follow ctx, or evaluates to -ENOSYS. */
#define CTNL_CALL(iface, slot, ...)                                          \
	(CTNL_HAS_OP((iface)->ops, slot)                                     \
		 ? (iface)->ops->slot((iface)->ctx, __VA_ARGS__)             \
		 : -ENOSYS)

/*
 * Options structs carry their caller's sizeof as the first field. A caller
 * compiled against an older header passes a shorter struct: the fields it
 * lacks take defaults. One compiled against a newer header passes a longer
 * struct: usable only if the fields this library does not know are zero.
 */
static inline bool ctnl_opts_usable(const void *opts, size_t user_size,
				    size_t our_size)
{
	const unsigned char *p = opts;

	if (user_size < sizeof(size_t))
		return false;
	for (size_t i = our_size; i < user_size; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Field @field of options @opts of type @type, or @dflt when the caller's
 * struct is too short to hold it (or @opts is NULL). */
#define CTNL_OPT(type, opts, field, dflt)                                    \
	((opts) != NULL && (opts)->size >= offsetof(type, field) +           \
						  sizeof((opts)->field)      \
		 ? (opts)->field                                             \
		 : (dflt))

#endif /* CTNL_SRC_OPS_H */
