#!/usr/bin/env python3
# Writes the seeds made of the kernel fixtures (test/fixtures/*.bin,
# records of a 4-byte little-endian length and a datagram) into the
# fuzzers' corpora, in their input formats (fuzz_ops.h):
#
#  - corpus/event/fixture-*: the events_*.bin datagrams as multicast
#    datagrams from the kernel, under subscriptions, filters, overflows
#    and callbacks that make the event reader take each of its ways;
#  - corpus/reply/fixture-*: each ct_*.bin and exp_*.bin reply behind the
#    header of the operation it answers, one FUZZ_REC_STAMPED record per
#    datagram (the fake stamps each with the request's sequence number and
#    port id, so the captured ones do not matter).
#
#  - corpus/event/crafted-*: events made here, entry by entry, where a
#    filter's finer points decide: a mark under its mask, every one of
#    several labels.
#
# Run from the repository root: /usr/bin/python3 test/fuzz/seed_fixtures.py
import errno
import os
import struct

FIX = 'test/fixtures'
CORPUS = 'test/fuzz/corpus'

# fuzz_ops.h
(FUZZ_LIST, FUZZ_LIST_FILTERED, FUZZ_DUMP, FUZZ_GET, FUZZ_LIST_EXPECT,
 FUZZ_DUMP_EXPECT, FUZZ_CREATE_LABELS, FUZZ_BATCH, FUZZ_STATS,
 FUZZ_STATS_CPU, FUZZ_GET_EXPECT, FUZZ_UPDATE_MATCHING,
 FUZZ_DELETE_MATCHING) = range(13)
FUZZ_CFG_NONBLOCK, FUZZ_CFG_SMALLBUF = 0x01, 0x02
FAM_ANY, FAM_V4, FAM_V6 = 0 << 2, 1 << 2, 2 << 2
FUZZ_REC_STAMPED, FUZZ_REC_ERRNO, FUZZ_REC_DONE = 0, 3, 4

EV_ALL, EV_CT, EV_EXP, EV_NEW = 0x1f, 0x07, 0x18, 0x01
EV_NO_ENOBUFS, EV_RELIABLE, EV_SMALLBUF = 0x20, 0x40, 0x80
F_V4, F_V6, F_USER = 1, 2, 3
F_MARK, F_PROTO, F_DPORT, F_STATUS, F_ZONE, F_LABEL = (
    0x04, 0x08, 0x10, 0x20, 0x40, 0x80)
CB_FAIL, CB_LOOP = 0x40, 0x80
(REC_EVENT, REC_FOREIGN, REC_ERRNO, REC_DROP, REC_READ, REC_WAIT, REC_FAIL,
 REC_SUBSCRIBE) = range(8)
ENOBUFS, EAGAIN = 0, 1          # indexes into fuzz_event.c's ev_errnos
GETSOCKOPT, POLL = 1, 2         # ... and its ev_calls


def datagrams(name):
    data = open(os.path.join(FIX, name), 'rb').read()
    out, off = [], 0
    while off < len(data):
        (n,) = struct.unpack_from('<I', data, off)
        out.append(data[off + 4:off + 4 + n])
        off += 4 + n
    return out


def rec(kind, data=b''):
    return bytes([kind]) + struct.pack('<H', len(data)) + data


# The fake's port id (CTNL_FAKE_PORTID), and the requests a batch puts in
# one datagram over it: its receive queue (212992 bytes) over twice an
# error's size in it (sock.c's ERROR_TRUESIZE, 1024).
PORTID = 4242
BATCH_MSGS = 212992 // 2048
FUZZ_REC_KERNEL = 1


def ack(seq, error=0):
    """The kernel's capped acknowledgement of request @seq (an error when
    @error is a negative errno)."""
    req = struct.pack('<IHHII', 16, 0x0101, 0x5, seq, 0)
    return struct.pack('<IHHIIi', 36, 2, 0x100, seq, PORTID, error) + req


def write(target, name, data):
    path = os.path.join(CORPUS, target, 'fixture-' + name)
    with open(path, 'wb') as f:
        f.write(data)


def events():
    nud = datagrams('events_new_update_destroy.bin')
    ping = datagrams('events_ping_v4.bin')
    exp = datagrams('events_exp.bin')

    def ev(dgrams):
        return b''.join(rec(REC_EVENT, d) for d in dgrams)

    seeds = {
        'nud-all': (bytes([EV_ALL, 0, 0, 0]), ev(nud)),
        'nud-mark42': (bytes([EV_ALL, F_MARK, 0, 42]), ev(nud)),
        'nud-v4-dport80': (bytes([EV_CT, F_V4 | F_DPORT, 0, 80]), ev(nud)),
        'nud-v6': (bytes([EV_CT, F_V6, 0, 0]), ev(nud)),
        'nud-stop-each': (bytes([EV_ALL, 0, 1, 0]), ev(nud)),
        'nud-fail-second-loop': (bytes([EV_ALL, 0, CB_LOOP | CB_FAIL | 2,
                                        0]), ev(nud)),
        'nud-enobufs': (bytes([EV_ALL, 0, 0, 0]),
                        ev(nud[:1]) + rec(REC_ERRNO, bytes([ENOBUFS])) +
                        ev(nud[1:])),
        'nud-drop': (bytes([EV_ALL, 0, 0, 0]),
                     ev(nud[:1]) + rec(REC_DROP, bytes([5])) + ev(nud[1:])),
        'nud-quiet-drop': (bytes([EV_ALL | EV_NO_ENOBUFS, 0, 0, 0]),
                           ev(nud[:1]) + rec(REC_DROP, bytes([3])) +
                           rec(REC_READ) + ev(nud[1:])),
        'nud-reliable-stats-fail': (
            bytes([EV_ALL | EV_RELIABLE, 0, 0, 0]),
            rec(REC_FAIL, bytes([GETSOCKOPT, 0, EAGAIN])) +
            rec(REC_DROP, bytes([1])) + rec(REC_WAIT) + ev(nud)),
        'nud-resubscribe': (
            bytes([EV_ALL, 0, 0, 0]),
            ev(nud[:1]) + rec(REC_SUBSCRIBE, bytes([EV_NEW, F_V4, 0, 0])) +
            ev(nud[1:]) + rec(REC_READ) +
            rec(REC_SUBSCRIBE, bytes([0, 0, 0, 0])) + rec(REC_READ)),
        'nud-foreign': (bytes([EV_ALL, 0, 0, 0]),
                        ev(nud[:1]) + rec(REC_FOREIGN, nud[1]) +
                        ev(nud[2:])),
        'ping-all': (bytes([EV_ALL, 0, 0, 0]), ev(ping)),
        'ping-seen-reply': (bytes([EV_CT, F_V4 | F_STATUS, 0, 0]), ev(ping)),
        'ping-small-buffer': (bytes([EV_ALL | EV_SMALLBUF, 0, 0, 0]),
                              ev(ping)),
        'ping-user-label-zone': (bytes([EV_ALL, F_USER | F_LABEL | F_ZONE,
                                        0, 0]), ev(ping)),
        'ping-poll-fails': (bytes([EV_ALL, F_PROTO, 0, 0]),
                            rec(REC_FAIL, bytes([POLL, 0, EAGAIN])) +
                            rec(REC_WAIT) + ev(ping) + rec(REC_WAIT)),
        'exp-all': (bytes([EV_EXP, 0, 0, 0]), ev(exp)),
        'exp-v6': (bytes([EV_EXP, F_V6, 0, 0]), ev(exp)),
        'exp-and-ct': (bytes([EV_ALL, F_V4 | F_MARK, 0, 0]),
                       ev(exp[:1] + nud + exp[1:])),
    }
    for name, (head, body) in seeds.items():
        write('event', name, head + body)
    print('event: %d fixture seeds' % len(seeds))


def replies():
    def stamped(name):
        return b''.join(rec(FUZZ_REC_STAMPED, d) for d in datagrams(name))

    seeds = {}
    for name, fam in [('ct_tcp_v4', FAM_V4), ('ct_tcp_v6', FAM_V6),
                      ('ct_udp_v4_mark', FAM_V4), ('ct_icmp_v4', FAM_V4),
                      ('ct_icmpv6', FAM_V6), ('ct_labels', FAM_V4),
                      ('ct_nat', FAM_V4), ('ct_helper_ftp', FAM_V4),
                      ('ct_nat_ftp', FAM_V4), ('ct_sctp', FAM_V4),
                      ('ct_zone', FAM_V4), ('ct_mixed_any', FAM_ANY),
                      ('ct_empty', FAM_V4)]:
        seeds[name + '-list'] = bytes([FUZZ_LIST, fam]) + stamped(name
                                                                  + '.bin')
        seeds[name + '-dump'] = bytes([FUZZ_DUMP, fam | 0x20]) + stamped(
            name + '.bin')
    # The big one: 600 entries in 8 datagrams, as a list, filtered, and
    # as what update_matching and delete_matching read before they
    # update or delete each entry in batches: the dump is request 1, the
    # entries requests 2-601, sent BATCH_MSGS to a datagram, and the
    # kernel acknowledges the last of each.
    many = stamped('ct_many_v4.bin')
    seeds['ct_many_v4-list'] = bytes([FUZZ_LIST, FAM_V4]) + many
    seeds['ct_many_v4-filtered'] = bytes([FUZZ_LIST_FILTERED, FAM_V4]) + many
    acks = b''.join(rec(FUZZ_REC_KERNEL, ack(min(last, 601)))
                    for last in range(1 + BATCH_MSGS, 601 + BATCH_MSGS,
                                      BATCH_MSGS))
    seeds['ct_many_v4-update-matching'] = bytes([FUZZ_UPDATE_MATCHING,
                                                 FAM_V4]) + many + acks
    seeds['ct_many_v4-delete-matching'] = bytes([FUZZ_DELETE_MATCHING,
                                                 FAM_V4]) + many + acks
    one = stamped('ct_tcp_v4.bin') + rec(FUZZ_REC_KERNEL, ack(2))
    seeds['ct_tcp_v4-update-matching'] = bytes([FUZZ_UPDATE_MATCHING,
                                                FAM_V4]) + one
    seeds['ct_tcp_v4-delete-matching'] = bytes([FUZZ_DELETE_MATCHING,
                                                FAM_V4]) + one
    # Uncounted: the probe of the kernel's flush, then the filtered flush,
    # each acknowledged; and the probe refused (-EINVAL, an older kernel).
    ok = rec(FUZZ_REC_STAMPED, datagrams('ct_get_reply.bin')[1])
    seeds['ct_empty-delete-uncounted'] = (
        bytes([FUZZ_DELETE_MATCHING, FAM_V4 | 0x10]) + ok + ok)
    seeds['ct_empty-delete-uncounted-old-kernel'] = (
        bytes([FUZZ_DELETE_MATCHING, FAM_V4 | 0x10]) +
        rec(FUZZ_REC_KERNEL, ack(1, -errno.EINVAL)))
    seeds['ct_get_reply'] = bytes([FUZZ_GET, 0]) + stamped('ct_get_reply.bin')
    seeds['ct_get_enoent'] = bytes([FUZZ_GET, 0]) + stamped(
        'ct_get_enoent.bin')
    for name in ['exp_empty', 'exp_ftp', 'exp_nat_ftp']:
        seeds[name + '-list'] = bytes([FUZZ_LIST_EXPECT, FAM_V4]) + stamped(
            name + '.bin')
        seeds[name + '-dump'] = bytes([FUZZ_DUMP_EXPECT, 0x10]) + stamped(
            name + '.bin')
    # A get of an expectation is answered as a dump entry is, then ACKed.
    seeds['exp_ftp-get'] = (bytes([FUZZ_GET_EXPECT, 0]) +
                            rec(FUZZ_REC_STAMPED, datagrams('exp_ftp.bin')[0])
                            + rec(FUZZ_REC_STAMPED,
                                  datagrams('ct_get_reply.bin')[1]))
    seeds['ct_stats'] = bytes([FUZZ_STATS, 0]) + stamped('ct_stats.bin')
    seeds['ct_stats_cpu'] = (bytes([FUZZ_STATS_CPU, 0]) +
                             stamped('ct_stats_cpu.bin') +
                             stamped('exp_stats_cpu.bin'))
    for name, data in seeds.items():
        write('reply', name, data)
    print('reply: %d fixture seeds' % len(seeds))


# ---- Crafted events: where a filter's finer points decide ----

def nla(kind, payload, nested=False):
    n = 4 + len(payload)
    return (struct.pack('<HH', n, kind | (0x8000 if nested else 0)) +
            payload + bytes((4 - n % 4) % 4))


def tuple_v4(src, dst, sport, dport):
    ip = nla(1, nla(1, bytes(src)) + nla(2, bytes(dst)), True)
    proto = nla(2, nla(1, bytes([6])) + nla(2, struct.pack('>H', sport)) +
                nla(3, struct.pack('>H', dport)), True)
    return ip + proto


def ct_new(mark=None, labels=()):
    """A TCP entry's creation event, 10.0.0.1:1000 -> 10.0.0.2:80, as
    the kernel lays it out, with @mark and @labels if given."""
    a, b = [10, 0, 0, 1], [10, 0, 0, 2]
    body = (nla(1, tuple_v4(a, b, 1000, 80), True) +
            nla(2, tuple_v4(b, a, 80, 1000), True) +
            nla(3, struct.pack('>I', 0x8)))          # CTA_STATUS: CONFIRMED
    if mark is not None:
        body += nla(8, struct.pack('>I', mark))      # CTA_MARK
    if labels:
        words = [0, 0, 0, 0]
        for label in labels:
            words[label // 32] |= 1 << (label % 32)
        body += nla(22, struct.pack('<4I', *words))  # CTA_LABELS
    payload = struct.pack('<BBH', 2, 0, 0) + body    # nfgenmsg, AF_INET
    # IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL
    return struct.pack('<IHHII', 16 + len(payload), 0x100, 0x600, 0,
                       0) + payload


def crafted():
    def ev(dgrams):
        return b''.join(rec(REC_EVENT, d) for d in dgrams)

    # The mark 0x2a under the fuzzer's mask 0xff: 0x12a and 0x7fffff2a
    # pass, 0x2b and no mark (0) do not; in the kernel's socket filter and
    # in user space.
    marks = ev([ct_new(0x2a), ct_new(0x12a), ct_new(0x2b), ct_new(),
                ct_new(0x7fffff2a)])
    # Labels 5 and 69 (the fuzzer's filter sets label b3 and b3 + 64):
    # an entry needs both, not either.
    labels = ev([ct_new(labels=(5,)), ct_new(labels=(69,)),
                 ct_new(labels=(5, 69)), ct_new(labels=(5, 69, 100)),
                 ct_new()])
    seeds = {
        'mark-under-mask': bytes([EV_CT, F_V4 | F_MARK, 0, 0x2a]) + marks,
        'mark-under-mask-user': bytes([EV_CT, F_USER | F_MARK, 0, 0x2a]) +
        marks,
        'labels-every-one': bytes([EV_CT, F_USER | F_LABEL, 0, 5]) + labels,
        'labels-every-one-v4': bytes([EV_CT, F_V4 | F_LABEL, 0, 5]) + labels,
    }
    for name, data in seeds.items():
        with open(os.path.join(CORPUS, 'event', 'crafted-' + name),
                  'wb') as f:
            f.write(data)
    print('event: %d crafted seeds' % len(seeds))


events()
replies()
crafted()
