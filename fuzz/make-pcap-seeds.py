#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the capture seeds of fuzz/corpus/trace_pcap (the committed files
came from it): python3 fuzz/make-pcap-seeds.py fuzz/corpus/trace_pcap

Each capture reaches one part of trace_pcap.cc: a TCP connection from SYN
to both FINs and a reusing SYN, idle timeouts, nanosecond and big-endian
files, timestamps going backwards, 802.1ad/802.1Q tags, IPv4 options and
fragments, IPv6 extension headers (hop-by-hop, fragment, AH, destination
options), every link type read (null, raw IPv4/IPv6, 101, 14, Linux cooked
v2), short captures, files cut in a header or a record, an unsupported
link type and pcapng."""
import os
import struct
import sys

out = sys.argv[1]

def ipv4(src, dst, proto, payload, ihl=5, frag=0, ident=1):
    opts = b'\x01' * ((ihl - 5) * 4)
    tot = 20 + len(opts) + len(payload)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, tot, ident, frag, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h + opts + payload

def ipv6(src, dst, nh, payload):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nh, 64, bytes(src), bytes(dst)) + payload

def tcp(sp, dp, flags, data=b''):
    return struct.pack('!HHIIBBHHH', sp, dp, 1, 0, 5 << 4, flags, 65535, 0, 0) + data

def udp(sp, dp, data=b''):
    return struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data

def sctp(sp, dp):
    return struct.pack('!HHII', sp, dp, 0, 0) + b'\x01\x00\x00\x04'

def eth(payload, etype=0x0800, tags=()):
    h = b'\x02' * 6 + b'\x04' * 6
    for tpid, vid in tags:
        h += struct.pack('!HH', tpid, vid)
    return h + struct.pack('!H', etype) + payload

A = [10, 1, 2, 3]; B = [10, 0, 0, 1]; C = [10, 1, 2, 4]
A6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [5]
B6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
SYN, ACK, FIN, RST, PSH = 2, 16, 1, 4, 8

def pcap(path, linktype, pkts, magic=0xa1b2c3d4, endian='<', snap=65535, trunc=0):
    d = struct.pack(endian + 'IHHiIII', magic, 2, 4, 0, 0, snap, linktype)
    for t, p, *rest in pkts:
        caplen = rest[0] if rest else len(p)
        sec = int(t); frac = t - sec
        sub = int(round(frac * (1e9 if magic == 0xa1b23c4d else 1e6)))
        d += struct.pack(endian + 'IIII', sec, sub, caplen, len(p)) + p[:caplen]
    if trunc: d = d[:-trunc]
    open(os.path.join(out, path), 'wb').write(d)

# A TCP connection from SYN to both FINs, the tuple reused by a new SYN, an RST.
conn = [
    (1.0, eth(ipv4(A, B, 6, tcp(40000, 80, SYN)))),
    (1.001, eth(ipv4(B, A, 6, tcp(80, 40000, SYN | ACK)))),
    (1.002, eth(ipv4(A, B, 6, tcp(40000, 80, ACK, b'GET / HTTP/1.0\r\n\r\n')))),
    (1.5, eth(ipv4(A, B, 6, tcp(40000, 80, FIN | ACK)))),
    (1.6, eth(ipv4(B, A, 6, tcp(80, 40000, FIN | ACK)))),
    (1.7, eth(ipv4(A, B, 6, tcp(40000, 80, SYN)))),
    (2.0, eth(ipv4(C, B, 6, tcp(40001, 80, SYN)))),
    (2.1, eth(ipv4(B, C, 6, tcp(80, 40001, RST)))),
    (70.0, eth(ipv4(C, B, 17, udp(5353, 53, b'q')))),
    (200.0, eth(ipv4(C, B, 17, udp(5353, 53, b'q')))),  # idle past 60 s: a new flow
]
pcap('tcp-lifecycle.pcap', 1, conn)
# The same in nanosecond resolution and big-endian byte order.
pcap('nsec-bigendian.pcap', 1, conn[:5], magic=0xa1b23c4d, endian='>')
# Timestamps going backwards are clamped.
pcap('time-backwards.pcap', 1, [(5.0, conn[0][1]), (3.0, conn[6][1]), (4.0, conn[8][1])])
# 802.1ad + 802.1Q double tag; IPv4 with options; fragments (first, then a
# non-first one without ports); an ICMP packet and an ARP frame (skipped).
pcap('qinq-options-frags.pcap', 1, [
    (0.0, eth(ipv4(A, B, 17, udp(1000, 53)), tags=((0x88a8, 100), (0x8100, 200)))),
    (0.1, eth(ipv4(A, B, 6, tcp(1001, 80, SYN), ihl=7))),
    (0.2, eth(ipv4(A, B, 17, udp(1002, 53, b'x' * 32), frag=0x2000))),
    (0.3, eth(ipv4(A, B, 17, b'x' * 16, frag=0x0004))),
    (0.4, eth(ipv4(A, B, 1, b'\x08\x00\x00\x00\x00\x01\x00\x01'))),
    (0.5, eth(b'\x00\x01\x08\x00\x06\x04\x00\x01' + b'\x00' * 20, etype=0x0806)),
])
# IPv6 extension headers: hop-by-hop, then a first fragment, then AH, then
# destination options, before UDP; a non-first fragment; SCTP.
hbh = bytes([44, 0]) + b'\x01\x04\x00\x00\x00\x00'
frag = bytes([51, 0, 0, 1]) + b'\x00\x00\x00\x07'
ah = bytes([60, 1]) + b'\x00\x00' + b'\x00' * 8
dst = bytes([17, 0]) + b'\x01\x04\x00\x00\x00\x00'
pcap('v6-ext-headers.pcap', 1, [
    (0.0, eth(ipv6(A6, B6, 0, hbh + frag + ah + dst + udp(5353, 53, b'q')), etype=0x86dd)),
    (0.1, eth(ipv6(A6, B6, 44, bytes([17, 0, 0x01, 0x00]) + b'\x00\x00\x00\x07' + b'x' * 8), etype=0x86dd)),
    (0.2, eth(ipv6(A6, B6, 132, sctp(3868, 3868)), etype=0x86dd)),
    (0.3, eth(ipv6(B6, A6, 132, sctp(3868, 3868)), etype=0x86dd)),
])
# Loopback (DLT_NULL: a 4-byte family), DLT_IPV4, DLT_IPV6, LINKTYPE_RAW
# 101, OpenBSD's DLT_RAW 14, Linux cooked v2.
lo = lambda p: struct.pack('<I', 2) + p
pcap('null-loopback.pcap', 0, [(0.0, lo(ipv4(A, B, 6, tcp(1, 80, SYN)))),
                               (0.1, struct.pack('<I', 30) + ipv6(A6, B6, 17, udp(1, 53)))])
pcap('dlt-ipv4.pcap', 228, [(0.0, ipv4(A, B, 17, udp(1, 53))), (0.5, ipv4(B, A, 17, udp(53, 1)))])
pcap('dlt-ipv6.pcap', 229, [(0.0, ipv6(A6, B6, 6, tcp(1, 443, SYN)))])
pcap('raw-101.pcap', 101, [(0.0, ipv4(A, B, 132, sctp(2905, 2905))), (0.0, ipv6(A6, B6, 17, udp(1, 53)))])
pcap('raw-14.pcap', 14, [(0.0, ipv4(A, B, 6, tcp(1, 80, SYN | ACK)))])
sll2 = lambda p, et=0x0800: struct.pack('!HHIHBB8s', et, 0, 2, 1, 0, 6, b'\x02' * 8) + p
pcap('sll2.pcap', 276, [(0.0, sll2(ipv4(A, B, 17, udp(1, 53)))),
                        (0.1, sll2(ipv6(A6, B6, 6, tcp(2, 80, SYN)), 0x86dd))])
# Short captures: an IP header cut, TCP cut one byte before its flags,
# UDP cut right after the ports (a flow), a snap length of 40.
p = eth(ipv4(A, B, 6, tcp(1, 80, SYN)))
u = eth(ipv4(A, B, 17, udp(2, 53, b'x' * 100)))
pcap('short-caplen.pcap', 1, [(0.0, p, 20), (0.1, p, 47), (0.2, u, 38), (0.3, p)], snap=40)
pcap('truncated-record.pcap', 1, [(0.0, p), (0.1, p)], trunc=10)
# The file header itself cut short.
with open(os.path.join(out, 'truncated-header.pcap'), 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)[:20])
# An unsupported link type (802.11).
pcap('unsupported-link.pcap', 105, [(0.0, b'\x00' * 40)])
# pcapng: section header, interface (Ethernet), two enhanced packet blocks.
def blk(t, body):
    body += b'\x00' * ((4 - len(body) % 4) % 4)
    n = 12 + len(body)
    return struct.pack('<II', t, n) + body + struct.pack('<I', n)
shb = blk(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
idb = blk(1, struct.pack('<HHI', 1, 0, 65535))
def epb(ts_us, p):
    return blk(6, struct.pack('<IIIII', 0, ts_us >> 32, ts_us & 0xffffffff, len(p), len(p)) + p)
open(os.path.join(out, 'pcapng.pcapng'), 'wb').write(
    shb + idb + epb(1000000, conn[0][1]) + epb(1500000, conn[1][1]) + epb(1600000, conn[8][1]))
