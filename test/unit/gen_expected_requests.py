#!/usr/bin/env python3
# Writes test/unit/expected_requests.h: the exact bytes of ctnetlink
# requests, encoded here independently of libctnl's C builders (by hand,
# from the kernel's attribute layout), for test_ct_build.c to compare
# against. Little-endian host order for netlink headers, as on x86 and
# arm64. Run from the repository root: python3 test/unit/gen_expected_requests.py
import socket
import struct

out = []
NESTED=0x8000
def attr(t, payload, nested=False):
    l=4+len(payload)
    b=struct.pack('<HH', l, t|(NESTED if nested else 0))+payload
    return b + b'\0'*((4-l%4)%4)
def nest(t, *children): return attr(t, b''.join(children), True)
def u8(t,v): return attr(t, bytes([v]))
def be16(t,v): return attr(t, struct.pack('>H',v))
def be32(t,v): return attr(t, struct.pack('>I',v))
# CTA_FILTER's flags are host-order u32 (nla_get_u32 in the kernel), unlike
# every other conntrack number.
def u32(t,v): return attr(t, struct.pack('<I',v))
def msg(typ, flags, family, attrs, version=0):
    payload=struct.pack('<BBH', family, version, 0)+b''.join(attrs)
    return struct.pack('<IHHII', 16+len(payload), typ, flags, 0, 0)+payload
def v4(t, a): return attr(t, socket.inet_pton(socket.AF_INET, a))
def v6(t, a): return attr(t, socket.inet_pton(socket.AF_INET6, a))
CTA_TUPLE_ORIG,CTA_TUPLE_REPLY,CTA_STATUS,CTA_PROTOINFO=1,2,3,4
CTA_TIMEOUT,CTA_MARK,CTA_ID,CTA_ZONE=7,8,12,18
CTA_LABELS,CTA_LABELS_MASK,CTA_FILTER,CTA_STATUS_MASK,CTA_MARK_MASK=22,23,25,26,21
def tuple4(t, s, d, proto, sp, dp):
    return nest(t, nest(1, v4(1,s), v4(2,d)), nest(2, u8(1,proto), be16(2,sp), be16(3,dp)))
def tuple6(t, s, d, proto, sp, dp):
    return nest(t, nest(1, v6(3,s), v6(4,d)), nest(2, u8(1,proto), be16(2,sp), be16(3,dp)))
def show(name, b):
    out.append('static const uint8_t expect_%s[%d] = {' % (name, len(b)))
    for i in range(0, len(b), 12):
        out.append('\t' + ' '.join('0x%02x,' % x for x in b[i:i + 12]))
    out.append('};')
    out.append('')
REQ=1; ACK=4; DUMP=0x300; CREATE=0x400; EXCL=0x200
# get v4 tcp
show('get_v4', msg(0x101, REQ, 2, [tuple4(1,'10.0.0.1','10.0.0.2',6,1000,80)]))
# update mark v6 udp, by orig, zone 7, id 99
show('update_mark_v6', msg(0x100, REQ, 10, [tuple6(1,'fd00::1','fd00::2',17,53,5353), be16(CTA_ZONE,7), be32(CTA_ID,99), be32(CTA_MARK,42)]))
# delete v4 by reply tuple
show('delete_reply_v4', msg(0x102, REQ, 2, [tuple4(2,'10.0.0.2','10.0.0.1',17,53,1000)]))
# flush ipv4 (version 1), flush all (version 0), flush expect ipv6
show('flush_v4', msg(0x102, REQ, 2, [], 1))
show('flush_all', msg(0x102, REQ, 0, [], 0))
show('flush_exp_all', msg(0x202, REQ, 0, [], 0))
# create v4 tcp established, mark 5, timeout 100, status ASSURED|SEEN_REPLY (+CONFIRMED)
show('create_v4', msg(0x100, REQ|CREATE|EXCL, 2, [tuple4(1,'10.0.0.1','10.0.0.2',6,1000,80), tuple4(2,'10.0.0.2','10.0.0.1',6,80,1000), be32(CTA_TIMEOUT,100), be32(CTA_STATUS, 0x2|0x4|0x8), be32(CTA_MARK,5), nest(CTA_PROTOINFO, nest(1, u8(1,3)))]))
# update labels: set bit 3, clear bit 0 of value bit 3 mask bits 0,3
labels=struct.pack('<IIII', 1<<3,0,0,0); mask=struct.pack('<IIII', (1<<3)|1,0,0,0)
show('update_labels_v4', msg(0x100, REQ, 2, [tuple4(1,'10.0.0.1','10.0.0.2',6,1000,80), attr(CTA_LABELS, labels), attr(CTA_LABELS_MASK, mask)]))
# dump v4 with mark filter and tuple filter orig src + proto tcp + dport 80;
# CTA_FILTER's flags are host order (the kernel's nla_get_u32)
show('dump_v4_filter', msg(0x101, REQ|DUMP, 2, [be32(CTA_MARK,0x10), be32(CTA_MARK_MASK,0xf0),
  nest(1, nest(1, v4(1,'10.0.0.1')), nest(2, u8(1,6), be16(3,80))),
  nest(CTA_FILTER, u32(1, (1<<0)|(1<<3)|(1<<5)), u32(2, 0))]))
show('dump_all', msg(0x101, REQ|DUMP, 0, []))
# create v4 udp with the ftp helper: CTA_HELP { CTA_HELP_NAME "ftp\0" }
show('create_helper_v4', msg(0x100, REQ|CREATE|EXCL, 2, [tuple4(1,'10.0.0.1','10.0.0.2',17,1000,21), tuple4(2,'10.0.0.2','10.0.0.1',17,21,1000), be32(CTA_TIMEOUT,60), nest(5, attr(1, b'ftp\0'))]))
# create v4 tcp with destination NAT to 10.0.0.3:8080 and source NAT to
# 10.0.0.9-10.0.0.10 (no ports): CTA_NAT_DST (13) { V4_MINIP (1),
# V4_MAXIP (2), CTA_NAT_PROTO (3) { PORT_MIN (1), PORT_MAX (2) } },
# CTA_NAT_SRC (6) likewise, destination first, as the kernel sets them up
show('create_nat_v4', msg(0x100, REQ|CREATE|EXCL, 2, [tuple4(1,'10.0.0.1','10.0.0.2',6,1000,80), tuple4(2,'10.0.0.2','10.0.0.1',6,80,1000), be32(CTA_TIMEOUT,60),
  nest(13, v4(1,'10.0.0.3'), v4(2,'10.0.0.3'), nest(3, be16(1,8080), be16(2,8080))),
  nest(6, v4(1,'10.0.0.9'), v4(2,'10.0.0.10'))]))
# the same in IPv6, UDP, destination NAT to [fd00::3]:53-54: V6_MINIP (4),
# V6_MAXIP (5)
show('create_nat_v6', msg(0x100, REQ|CREATE|EXCL, 10, [tuple6(1,'fd00::1','fd00::2',17,1000,53), tuple6(2,'fd00::2','fd00::1',17,53,1000), be32(CTA_TIMEOUT,60),
  nest(13, v6(4,'fd00::3'), v6(5,'fd00::3'), nest(3, be16(1,53), be16(2,54)))]))
# filtered flush, ipv4 (version 1): mark/mask, status/mask, zone 7, orig tuple filter src + proto udp + dport 53
show('flush_filtered_v4', msg(0x102, REQ, 2, [be32(CTA_MARK,1), be32(CTA_MARK_MASK,3), be32(CTA_STATUS,4), be32(CTA_STATUS_MASK,4), be16(CTA_ZONE,7),
  nest(1, nest(1, v4(1,'10.0.0.1')), nest(2, u8(1,17), be16(3,53))),
  nest(CTA_FILTER, u32(1, (1<<0)|(1<<3)|(1<<5)), u32(2, 0))], 1))
# statistics: IPCTNL_MSG_CT_GET_STATS (5), per-CPU (4, dump), expectation per-CPU (subsys 2, msg 3, dump)
show('stats', msg(0x105, REQ, 0, []))
show('stats_cpu', msg(0x104, REQ|DUMP, 0, []))
show('stats_cpu_exp', msg(0x203, REQ|DUMP, 0, []))
# expectations: CTA_EXPECT_MASTER 1, TUPLE 2, MASK 3, TIMEOUT 4, ID 5, HELP_NAME 6, ZONE 7, FLAGS 8, CLASS 9, NAT 10, FN 11
show('get_expect_v4', msg(0x201, REQ, 2, [tuple4(2,'10.0.0.2','10.0.0.1',6,0,20000), be16(7,3), be32(5,0x1234)]))
show('delete_expect_v6', msg(0x202, REQ, 10, [tuple6(2,'fd00::2','fd00::1',6,0,20000)]))
show('create_expect_v4', msg(0x200, REQ|CREATE|EXCL, 2, [
  tuple4(1,'10.0.0.1','10.0.0.2',6,40000,21),
  tuple4(2,'10.0.0.2','10.0.0.1',6,0,20000),
  tuple4(3,'255.255.255.255','255.255.255.255',6,0,0xffff),
  be16(7,3), be32(4,300), attr(6, b'ftp\0'), be32(8,1), be32(9,0),
  nest(10, be32(1,1), tuple4(2,'10.0.0.9','0.0.0.0',6,2121,0)),
  attr(11, b'nat-follow-master\0')]))

with open('test/unit/expected_requests.h', 'w') as f:
    f.write('/* Generated by test/unit/gen_expected_requests.py: do not edit. */\n')
    f.write('#ifndef CTNL_TEST_EXPECTED_REQUESTS_H\n#define CTNL_TEST_EXPECTED_REQUESTS_H\n\n#include <stdint.h>\n\n')
    f.write('\n'.join(out))
    f.write('\n#endif\n')
