# SPDX-License-Identifier: LGPL-2.1-or-later
"""Builds ctnl._native, the cffi (API mode) module over libctnl.

cffi compiles the declarations below against libctnl's own headers, so every
struct layout and constant comes from the C compiler, not from this file:
the ``...;`` in a struct or enum lets the compiler fill in what is left out,
and a declaration that disagrees with the header fails the build.

Where libctnl is found, in this order:

``CTNL_BUILD_DIR``
    the absolute path of a CMake build tree of libctnl (``$PWD/build`` after
    ``cmake -S . -B build && cmake --build build``). The module links that
    tree's ``libctnl.so`` (found at run time through an rpath to the tree)
    and ``libctnl-mocks.a``, with the headers of the source tree the build
    came from. A coverage build (``-DCTNL_COVERAGE=ON``) is linked with
    ``--coverage``; a sanitizer or fuzzing build is refused.
``pkg-config libctnl``
    an installed libctnl (``cmake --install``, or Debian's libctnl-dev and
    libctnl-mocks-dev); ``PKG_CONFIG_PATH`` may point at a prefix.

``CTNL_LDFLAGS`` adds linker flags, ``CTNL_CFLAGS`` compiler flags.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent

CDEF = r"""
/* ---- common.h ---- */
#define CTNL_CB_OK ...
#define CTNL_CB_STOP ...
const char *ctnl_version(void);

/* ---- flow.h ---- */
enum ctnl_table { CTNL_TABLE_CONNTRACK, CTNL_TABLE_EXPECT, ... };
enum ctnl_dir { CTNL_DIR_ORIG, CTNL_DIR_REPLY, ... };

union ctnl_addr {
    uint32_t u32[4];
    uint8_t u8[16];
    ...;
};

struct ctnl_tuple {
    uint8_t family;
    uint8_t proto;
    uint16_t zone;
    union ctnl_addr src;
    union ctnl_addr dst;
    union {
        struct { uint16_t src; uint16_t dst; } port;
        struct { uint16_t id; uint8_t type; uint8_t code; } icmp;
    };
    ...;
};

bool ctnl_proto_has_ports(uint8_t proto);
bool ctnl_filter_match(const struct ctnl_filter *filter,
                       const struct ctnl_flow *flow);

#define CTNL_LABEL_BITS ...
struct ctnl_labels { uint32_t words[4]; };
#define CTNL_LABEL32_ENCRYPTED ...
#define CTNL_LABEL32_DECRYPTED ...

struct ctnl_counters { uint64_t packets; uint64_t bytes; };

#define CTNL_STATUS_EXPECTED ...
#define CTNL_STATUS_SEEN_REPLY ...
#define CTNL_STATUS_ASSURED ...
#define CTNL_STATUS_CONFIRMED ...
#define CTNL_STATUS_SRC_NAT ...
#define CTNL_STATUS_DST_NAT ...
#define CTNL_STATUS_SEQ_ADJUST ...
#define CTNL_STATUS_SRC_NAT_DONE ...
#define CTNL_STATUS_DST_NAT_DONE ...
#define CTNL_STATUS_DYING ...
#define CTNL_STATUS_FIXED_TIMEOUT ...
#define CTNL_STATUS_TEMPLATE ...
#define CTNL_STATUS_UNTRACKED ...
#define CTNL_STATUS_HELPER ...
#define CTNL_STATUS_OFFLOAD ...
#define CTNL_STATUS_HW_OFFLOAD ...

#define CTNL_TCP_NONE ...
#define CTNL_TCP_SYN_SENT ...
#define CTNL_TCP_SYN_RECV ...
#define CTNL_TCP_ESTABLISHED ...
#define CTNL_TCP_FIN_WAIT ...
#define CTNL_TCP_CLOSE_WAIT ...
#define CTNL_TCP_LAST_ACK ...
#define CTNL_TCP_TIME_WAIT ...
#define CTNL_TCP_CLOSE ...
#define CTNL_TCP_SYN_SENT2 ...
#define CTNL_TCP_STATE_MAX ...
#define CTNL_SCTP_STATE_MAX ...

struct ctnl_tcp_info {
    uint8_t state;
    uint8_t wscale[2];
    uint8_t flags[2];
    uint8_t flags_mask[2];
};
struct ctnl_sctp_info { uint8_t state; uint32_t vtag[2]; };
struct ctnl_dccp_info { uint8_t state; uint8_t role; uint64_t handshake_seq; };

#define CTNL_ATTR_ORIG ...
#define CTNL_ATTR_REPLY ...
#define CTNL_ATTR_ID ...
#define CTNL_ATTR_STATUS ...
#define CTNL_ATTR_TIMEOUT ...
#define CTNL_ATTR_MARK ...
#define CTNL_ATTR_USE ...
#define CTNL_ATTR_LABELS ...
#define CTNL_ATTR_COUNTERS_ORIG ...
#define CTNL_ATTR_COUNTERS_REPLY ...
#define CTNL_ATTR_START ...
#define CTNL_ATTR_STOP ...
#define CTNL_ATTR_TCP_STATE ...
#define CTNL_ATTR_TCP_WSCALE ...
#define CTNL_ATTR_TCP_FLAGS ...
#define CTNL_ATTR_SCTP_STATE ...
#define CTNL_ATTR_SCTP_VTAG ...
#define CTNL_ATTR_DCCP_STATE ...
#define CTNL_ATTR_DCCP_ROLE ...
#define CTNL_ATTR_DCCP_HANDSHAKE_SEQ ...
#define CTNL_ATTR_HELPER ...

struct ctnl_flow {
    uint64_t attrs;
    struct ctnl_tuple orig;
    struct ctnl_tuple reply;
    uint32_t id;
    uint32_t status;
    uint32_t timeout;
    uint32_t mark;
    uint32_t use;
    struct ctnl_labels labels;
    struct ctnl_counters counters[2];
    uint64_t start;
    uint64_t stop;
    union {
        struct ctnl_tcp_info tcp;
        struct ctnl_sctp_info sctp;
        struct ctnl_dccp_info dccp;
    };
    char helper[16];
    ...;
};

#define CTNL_EXP_ATTR_MASTER ...
#define CTNL_EXP_ATTR_TUPLE ...
#define CTNL_EXP_ATTR_MASK ...
#define CTNL_EXP_ATTR_TIMEOUT ...
#define CTNL_EXP_ATTR_ID ...
#define CTNL_EXP_ATTR_HELPER ...
#define CTNL_EXP_ATTR_ZONE ...
#define CTNL_EXP_ATTR_FLAGS ...
#define CTNL_EXP_ATTR_CLASS ...
#define CTNL_EXP_ATTR_NAT ...
#define CTNL_EXP_ATTR_FN ...

struct ctnl_expect {
    uint64_t attrs;
    struct ctnl_tuple master;
    struct ctnl_tuple tuple;
    struct ctnl_tuple mask;
    uint32_t timeout;
    uint32_t id;
    uint32_t flags;
    uint32_t class;
    uint16_t zone;
    char helper[16];
    char fn[32];
    uint32_t nat_dir;
    struct ctnl_tuple nat_tuple;
    ...;
};

#define CTNL_MATCH_PROTO ...
#define CTNL_MATCH_ORIG_SRC ...
#define CTNL_MATCH_ORIG_DST ...
#define CTNL_MATCH_ORIG_SPORT ...
#define CTNL_MATCH_ORIG_DPORT ...
#define CTNL_MATCH_REPLY_SRC ...
#define CTNL_MATCH_REPLY_DST ...
#define CTNL_MATCH_REPLY_SPORT ...
#define CTNL_MATCH_REPLY_DPORT ...
#define CTNL_MATCH_MARK ...
#define CTNL_MATCH_STATUS ...
#define CTNL_MATCH_ZONE ...
#define CTNL_MATCH_TCP_STATE ...
#define CTNL_MATCH_LABELS ...
#define CTNL_MATCH_ALL ...
#define CTNL_MATCH_FAMILY ...
#define CTNL_FILTER_USERSPACE ...
#define CTNL_FILTER_UNCOUNTED ...

struct ctnl_filter {
    uint32_t match;
    uint32_t flags;
    uint8_t family;
    uint8_t proto;
    uint8_t tcp_state;
    uint8_t orig_src_len, orig_dst_len, reply_src_len, reply_dst_len;
    uint16_t zone;
    union ctnl_addr orig_src, orig_dst, reply_src, reply_dst;
    uint16_t orig_sport, orig_dport, reply_sport, reply_dport;
    uint32_t mark, mark_mask;
    uint32_t status, status_mask;
    struct ctnl_labels labels;
    ...;
};

struct ctnl_dump_info {
    uint32_t kernel;
    uint32_t user;
    uint64_t received;
    uint64_t matched;
    uint64_t duplicates;
    bool interrupted;
    bool kernel_flush;
    ...;
};

struct ctnl_change {
    uint64_t attrs;
    uint32_t mark;
    uint32_t timeout;
    uint32_t status;
    struct ctnl_labels labels;
    struct ctnl_labels labels_mask;
    ...;
};

enum ctnl_op { CTNL_OP_CREATE, CTNL_OP_UPDATE, CTNL_OP_DELETE, ... };

struct ctnl_stats { uint32_t count; uint32_t max; };
struct ctnl_cpu_stats {
    uint16_t cpu;
    uint32_t found, invalid, insert, insert_failed, drop, early_drop,
        error, search_restart, clash_resolve, chaintoolong;
    uint32_t exp_new, exp_create, exp_delete;
    ...;
};

/* ---- sock.h (what opening a handle needs) ---- */
#define CTNL_SOCK_NETNS_FD ...
struct ctnl_sock_config {
    size_t size;
    unsigned int flags;
    int rcvbuf;
    int sndbuf;
    size_t bufsize;
    const char *netns_path;
    int netns_fd;
    const char *netns_name;
    ...;
};

/* ---- events.h ---- */
enum ctnl_event_type {
    CTNL_EVENT_NEW, CTNL_EVENT_UPDATE, CTNL_EVENT_DESTROY,
    CTNL_EVENT_EXP_NEW, CTNL_EVENT_EXP_DESTROY, CTNL_EVENT_OVERFLOW,
    CTNL_EVENT_SYNC_BEGIN, CTNL_EVENT_SYNC, CTNL_EVENT_EXP_SYNC,
    CTNL_EVENT_SYNC_END, ...
};
#define CTNL_EVENT_CT_ALL ...
#define CTNL_EVENT_EXP_ALL ...
#define CTNL_EVENT_ALL ...

struct ctnl_event_overflow { uint64_t lost; uint64_t count; };
struct ctnl_event {
    enum ctnl_event_type type;
    uint32_t portid;
    union {
        struct ctnl_flow flow;
        struct ctnl_expect expect;
        struct ctnl_event_overflow overflow;
    };
    ...;
};

#define CTNL_EVENTS_NO_ENOBUFS ...
#define CTNL_EVENTS_RELIABLE ...
struct ctnl_events_config {
    size_t size;
    unsigned int events;
    unsigned int flags;
    int rcvbuf;
    const struct ctnl_filter *filter;
    ...;
};
struct ctnl_event_info {
    unsigned int events;
    unsigned int flags;
    struct ctnl_filter filter;
    uint32_t kernel;
    uint32_t user;
    uint32_t rcvbuf;
    uint64_t received;
    uint64_t delivered;
    uint64_t filtered;
    uint64_t overflows;
    uint64_t lost;
    ...;
};

/* ---- conntrack.h ---- */
struct ctnl_ct;
struct ctnl_syscalls;

int ctnl_ct_open(const struct ctnl_syscalls *sys,
                 const struct ctnl_sock_config *config, struct ctnl_ct **ret);
int ctnl_ct_open_netns(const struct ctnl_syscalls *sys, const char *netns,
                       struct ctnl_ct **ret);
void ctnl_ct_close(struct ctnl_ct *ct);
const char *ctnl_ct_error_msg(struct ctnl_ct *ct);

struct ctnl_list {
    enum ctnl_table table;
    size_t count;
    size_t capacity;
    struct ctnl_flow *flows;
    struct ctnl_expect *expects;
    struct ctnl_dump_info info;
    ...;
};
#define CTNL_LIST_DEDUP ...
int ctnl_ct_list(struct ctnl_ct *ct, enum ctnl_table table, uint8_t family,
                 struct ctnl_list *out);
int ctnl_ct_list_filtered(struct ctnl_ct *ct, const struct ctnl_filter *filter,
                          unsigned int flags, struct ctnl_list *out);
void ctnl_list_free(struct ctnl_list *list);
int ctnl_ct_get(struct ctnl_ct *ct, const struct ctnl_flow *key,
                struct ctnl_flow *out);
int ctnl_ct_create(struct ctnl_ct *ct, const struct ctnl_flow *flow);
int ctnl_ct_update(struct ctnl_ct *ct, const struct ctnl_flow *key,
                   const struct ctnl_change *change);
int ctnl_ct_delete(struct ctnl_ct *ct, const struct ctnl_flow *key);
int ctnl_ct_batch(struct ctnl_ct *ct, enum ctnl_op op,
                  const struct ctnl_flow *flows, size_t count,
                  const struct ctnl_change *changes, size_t nchanges,
                  int *results);
int ctnl_ct_flush(struct ctnl_ct *ct, enum ctnl_table table, uint8_t family);
int ctnl_ct_update_matching(struct ctnl_ct *ct,
                            const struct ctnl_filter *filter,
                            const struct ctnl_change *change,
                            struct ctnl_dump_info *info);
int ctnl_ct_delete_matching(struct ctnl_ct *ct,
                            const struct ctnl_filter *filter,
                            struct ctnl_dump_info *info);
typedef int (*ctnl_flow_pred)(const struct ctnl_flow *flow, void *data);
struct ctnl_delete_stats {
    uint64_t seen;
    uint64_t matched;
    uint64_t deleted;
    uint64_t gone;
    uint32_t retries;
    uint64_t failed;
    bool interrupted;
    ...;
};
int ctnl_ct_delete_if(struct ctnl_ct *ct, const struct ctnl_filter *filter,
                      ctnl_flow_pred pred, void *data,
                      struct ctnl_delete_stats *stats);

struct ctnl_addr_set;
int ctnl_addr_set_new(struct ctnl_addr_set **ret);
void ctnl_addr_set_free(struct ctnl_addr_set *set);
int ctnl_addr_set_add(struct ctnl_addr_set *set, uint8_t family,
                      const union ctnl_addr *addr);
bool ctnl_addr_set_contains(const struct ctnl_addr_set *set, uint8_t family,
                            const union ctnl_addr *addr);
size_t ctnl_addr_set_count(const struct ctnl_addr_set *set);
void ctnl_addr_set_clear(struct ctnl_addr_set *set);
int ctnl_addr_set_has_src(const struct ctnl_flow *flow, void *set);
int ctnl_ct_stats(struct ctnl_ct *ct, enum ctnl_table table,
                  struct ctnl_stats *out);
int ctnl_ct_stats_cpu(struct ctnl_ct *ct, struct ctnl_cpu_stats *out,
                      size_t max);
int ctnl_ct_get_expect(struct ctnl_ct *ct, const struct ctnl_expect *key,
                       struct ctnl_expect *out);
int ctnl_ct_create_expect(struct ctnl_ct *ct, const struct ctnl_expect *exp);
int ctnl_ct_delete_expect(struct ctnl_ct *ct, const struct ctnl_expect *key);

int ctnl_ct_subscribe_config(struct ctnl_ct *ct,
                             const struct ctnl_events_config *cfg);
int ctnl_ct_event_fd(struct ctnl_ct *ct);
int ctnl_ct_event_wait(struct ctnl_ct *ct, int timeout_ms);
int ctnl_ct_event_info(struct ctnl_ct *ct, struct ctnl_event_info *out);
const char *ctnl_event_type_name(enum ctnl_event_type type);

/* ---- compat.h: the Go package's operations ---- */
int ctnl_ct_update_mark(struct ctnl_ct *ct, const char *src, const char *dst,
                        uint8_t proto, uint16_t sport, uint16_t dport,
                        uint32_t mark);
int ctnl_ct_update_mark_for_available_flow(
    struct ctnl_ct *ct, const struct ctnl_flow *flows, size_t count,
    const char *src, const char *dst, uint8_t proto, uint16_t sport,
    uint16_t dport, uint32_t mark);
int ctnl_ct_update_label(struct ctnl_ct *ct, enum ctnl_table table,
                         const struct ctnl_flow *flows, size_t count,
                         const char *src, const char *dst, uint8_t proto,
                         uint16_t sport, uint16_t dport,
                         const struct ctnl_labels *value,
                         const struct ctnl_labels *mask);
int ctnl_ct_update_label32(struct ctnl_ct *ct, enum ctnl_table table,
                           const struct ctnl_flow *flows, size_t count,
                           const char *src, const char *dst, uint8_t proto,
                           uint16_t sport, uint16_t dport, uint32_t labels);

/* ---- msg.h: formatting ---- */
#define CTNL_FORMAT_EXTENDED ...
#define CTNL_FORMAT_ID ...
struct ctnl_format_opts {
    size_t size;
    unsigned int flags;
    unsigned int event;
    int64_t now;
    const char *const *label_names;
    ...;
};
int ctnl_flow_format_opts(const struct ctnl_flow *flow,
                          const struct ctnl_format_opts *opts,
                          char *buf, size_t size);
int ctnl_expect_format_opts(const struct ctnl_expect *exp,
                            const struct ctnl_format_opts *opts,
                            char *buf, size_t size);

/* ---- mocks.h: the in-memory conntrack table ---- */
struct ctnl_fake_ct;
enum ctnl_fake_ct_slot {
    CTNL_FAKE_CT_DUMP, CTNL_FAKE_CT_GET, CTNL_FAKE_CT_CREATE,
    CTNL_FAKE_CT_UPDATE, CTNL_FAKE_CT_DEL, CTNL_FAKE_CT_BATCH,
    CTNL_FAKE_CT_FLUSH, CTNL_FAKE_CT_UPDATE_MATCHING,
    CTNL_FAKE_CT_DELETE_MATCHING, CTNL_FAKE_CT_STATS,
    CTNL_FAKE_CT_STATS_CPU, CTNL_FAKE_CT_DUMP_EXPECT,
    CTNL_FAKE_CT_GET_EXPECT, CTNL_FAKE_CT_CREATE_EXPECT,
    CTNL_FAKE_CT_DEL_EXPECT, CTNL_FAKE_CT_DELETE_IF, CTNL_FAKE_CT_NSLOTS, ...
};
#define CTNL_FAKE_CT_MAX ...
int ctnl_fake_ct_new(struct ctnl_fake_ct **ret);
void ctnl_fake_ct_free(struct ctnl_fake_ct *f);
struct ctnl_ct *ctnl_fake_ct_ct(struct ctnl_fake_ct *f);
bool ctnl_fake_ct_closed(const struct ctnl_fake_ct *f);
int ctnl_fake_ct_add(struct ctnl_fake_ct *f, const struct ctnl_flow *flow);
size_t ctnl_fake_ct_count(const struct ctnl_fake_ct *f);
const struct ctnl_flow *ctnl_fake_ct_flows(const struct ctnl_fake_ct *f,
                                           size_t *n);
int ctnl_fake_ct_add_expect(struct ctnl_fake_ct *f,
                            const struct ctnl_expect *exp);
size_t ctnl_fake_ct_expect_count(const struct ctnl_fake_ct *f);
const struct ctnl_expect *ctnl_fake_ct_expects(const struct ctnl_fake_ct *f,
                                               size_t *n);
void ctnl_fake_ct_set_labels_enabled(struct ctnl_fake_ct *f, bool enabled);
void ctnl_fake_ct_set_max(struct ctnl_fake_ct *f, uint32_t max);
void ctnl_fake_ct_fail(struct ctnl_fake_ct *f, enum ctnl_fake_ct_slot slot,
                       unsigned int nth, int err);
unsigned int ctnl_fake_ct_calls(const struct ctnl_fake_ct *f,
                                enum ctnl_fake_ct_slot slot);

/* ---- the binding's own C half (csrc/shim.h) ---- */
enum pyctnl_walk {
    PYCTNL_WALK_FLOWS, PYCTNL_WALK_EXPECTS, PYCTNL_WALK_RESYNC, ...
};
struct pyctnl_cursor;
struct pyctnl_stack;
int pyctnl_stack_new(struct pyctnl_stack **ret);
void pyctnl_stack_free(struct pyctnl_stack *s);
int pyctnl_cursor_new(struct ctnl_ct *ct, int kind,
                      const struct ctnl_filter *filter, int family,
                      struct ctnl_ct *req, struct pyctnl_stack *stack,
                      struct pyctnl_cursor **ret);
int pyctnl_cursor_next(struct pyctnl_cursor *c, void *batch, size_t cap);
int pyctnl_cursor_result(const struct pyctnl_cursor *c);
const struct ctnl_dump_info *pyctnl_cursor_info(const struct pyctnl_cursor *c);
int pyctnl_cursor_active(const struct pyctnl_cursor *c);
void pyctnl_cursor_free(struct pyctnl_cursor *c);
int pyctnl_event_read(struct ctnl_ct *ct, struct ctnl_event *batch,
                      size_t cap, int *pending);
int pyctnl_unsubscribe(struct ctnl_ct *ct, struct ctnl_event *report);
size_t pyctnl_item_size(int kind);

/* The Python predicate of Conntrack.delete_if(), as a ctnl_flow_pred. */
extern "Python" int pyctnl_predicate(const struct ctnl_flow *, void *);
"""

SOURCE = r"""
#include <ctnl/ctnl.h>
#include <ctnl/mocks.h>
#include "shim.h"
"""


class BuildError(Exception):
    """libctnl could not be found, or the build tree cannot be used."""


def _cmake_cache(build: Path) -> dict[str, str]:
    cache = build / "CMakeCache.txt"
    if not cache.is_file():
        raise BuildError(f"CTNL_BUILD_DIR={build}: no CMakeCache.txt there; "
                         "build libctnl first (cmake -S . -B build && "
                         "cmake --build build)")
    values = {}
    for line in cache.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+):[A-Z]+=(.*)$", line)
        if m:
            values[m.group(1)] = m.group(2)
    return values


def _from_build_tree(build: Path) -> dict:
    cache = _cmake_cache(build)
    if cache.get("CTNL_SANITIZE") == "ON" or cache.get("CTNL_FUZZ") == "ON":
        raise BuildError(f"{build} is a sanitizer or fuzzing build: its "
                         "libctnl needs a sanitizer runtime that python3 "
                         "does not load; use another build tree")
    src = Path(cache.get("libctnl_SOURCE_DIR")
               or cache["CMAKE_HOME_DIRECTORY"])
    lib = build / "libctnl.so"
    mocks = build / "test" / "mocks" / "libctnl-mocks.a"
    for needed in (lib, mocks):
        if not needed.exists():
            raise BuildError(f"{needed} is missing: build libctnl in "
                             f"{build} first (cmake --build {build})")
    ldflags = ["--coverage"] if cache.get("CTNL_COVERAGE") == "ON" else []
    return {
        "include_dirs": [str(src / "include"),
                         str(src / "test" / "mocks" / "include")],
        # The mocks first: they call libctnl and libmnl.
        "extra_objects": [str(mocks)],
        "library_dirs": [str(build)],
        "libraries": ["ctnl", "mnl"],
        "runtime_library_dirs": [str(build)],
        "extra_link_args": ldflags,
    }


def _pkg_config(*args: str) -> list[str]:
    try:
        out = subprocess.run(["pkg-config", *args, "libctnl"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise BuildError(
            "libctnl not found: install it (cmake --install build), point "
            "PKG_CONFIG_PATH at its prefix, or set CTNL_BUILD_DIR to a "
            f"build tree of it ({e})") from None
    return shlex.split(out)


def _installed() -> dict:
    libdir = Path(_pkg_config("--variable=libdir")[0])
    mocks = libdir / "libctnl-mocks.a"
    if not mocks.exists():
        raise BuildError(f"{mocks} is missing: ctnl.testing needs "
                         "libctnl-mocks (Debian: libctnl-mocks-dev)")
    cflags = _pkg_config("--cflags")
    libs = _pkg_config("--libs")
    # The dynamic linker finds a library in the system's directories by
    # itself; one installed under another prefix needs an rpath.
    system = str(libdir).startswith(("/usr/lib", "/lib"))
    return {
        "runtime_library_dirs": [] if system else [str(libdir)],
        "include_dirs": [f[2:] for f in cflags if f.startswith("-I")],
        "extra_compile_args": [f for f in cflags if not f.startswith("-I")],
        "extra_objects": [str(mocks)],
        "library_dirs": [f[2:] for f in libs if f.startswith("-L")],
        "libraries": [f[2:] for f in libs if f.startswith("-l")] + ["mnl"],
        "extra_link_args": [f for f in libs if f[:2] not in ("-L", "-l")],
    }


def library_options() -> dict:
    """The compiler and linker options that find libctnl (see the module
    docstring for the order)."""
    build = os.environ.get("CTNL_BUILD_DIR")
    if build and not os.path.isabs(build):
        # pip runs this in its copy of the package, not where it was asked.
        raise BuildError(f"CTNL_BUILD_DIR={build}: give an absolute path "
                         "(such as CTNL_BUILD_DIR=$PWD/build)")
    opts = _from_build_tree(Path(build)) if build else _installed()
    opts.setdefault("extra_compile_args", [])
    opts.setdefault("extra_link_args", [])
    opts["include_dirs"].append(os.path.relpath(HERE / "csrc"))
    opts["extra_compile_args"] += ["-std=gnu11", "-Wall", "-Wextra",
                                   "-Wno-unused-parameter"]
    opts["extra_compile_args"] += shlex.split(os.environ.get("CTNL_CFLAGS",
                                                             ""))
    opts["extra_link_args"] += shlex.split(os.environ.get("CTNL_LDFLAGS", ""))
    return opts


def make_ffibuilder() -> FFI:
    ffi = FFI()
    ffi.cdef(CDEF)
    try:
        opts = library_options()
    except BuildError as e:
        sys.exit(f"ctnl: {e}")
    ffi.set_source("ctnl._native", SOURCE,
                   # setuptools wants sources relative to setup.py's
                   # directory, where it runs.
                   sources=[os.path.relpath(HERE / "csrc" / "shim.c")],
                   **opts)
    return ffi


ffibuilder = make_ffibuilder()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
