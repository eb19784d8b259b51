// SPDX-License-Identifier: GPL-2.0
#include "trace_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ipvs_sim {
namespace {

std::vector<TraceFlow> ReadAll(TraceReader* r) {
  std::vector<TraceFlow> out;
  TraceFlow f;
  while (r->Next(&f)) out.push_back(f);
  return out;
}

// The error of reading @text to its end ("" if it read cleanly).
std::string ReadErr(const std::string& text) {
  auto r = TextTraceFromString(text, "t.txt");
  ReadAll(r.get());
  return r->error();
}

TEST(TextTrace, ParsesExampleLines) {
  auto r = TextTraceFromString(
      "# start proto client vip duration packets bytes\n"
      "0.000 tcp 10.1.2.3:40000 10.0.0.1:80 12.5 30 12000\n"
      "\n"
      "0.001\tudp  [2001:db8::5]:5353 [2001:db8::1]:53   # trailing comment\r\n"
      "0.001 SCTP 10.1.2.4:1 10.0.0.1:80 3\n"
      "7 tcp 255.255.255.255:65535 0.0.0.0:0",  // no final newline
      "t.txt");
  std::vector<TraceFlow> v = ReadAll(r.get());
  EXPECT_EQ(r->error(), "");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].start, 0);
  EXPECT_EQ(v[0].key.proto, Proto::kTcp);
  EXPECT_EQ(v[0].key.client.ToString(), "10.1.2.3:40000");
  EXPECT_EQ(v[0].key.vip.ToString(), "10.0.0.1:80");
  EXPECT_EQ(v[0].duration, 12.5);
  EXPECT_EQ(v[0].packets, 30u);
  EXPECT_EQ(v[0].bytes, 12000u);
  EXPECT_EQ(v[1].key.proto, Proto::kUdp);
  EXPECT_EQ(v[1].key.client.ToString(), "[2001:db8::5]:5353");
  EXPECT_EQ(v[1].key.vip.addr.family, Family::kV6);
  EXPECT_EQ(v[1].duration, 0);
  EXPECT_EQ(v[1].packets, 0u);
  EXPECT_EQ(v[2].key.proto, Proto::kSctp);
  EXPECT_EQ(v[2].duration, 3);
  EXPECT_EQ(v[3].start, 7);
  EXPECT_EQ(v[3].key.client.port, 65535);
  EXPECT_EQ(r->position(), r->size());
  EXPECT_FALSE(r->Next(&v[0]));  // stays at the end
}

// @line with every space doubled.
std::string Doubled(const std::string& line) {
  std::string out;
  for (char c : line) {
    out += c;
    if (c == ' ') out += ' ';
  }
  return out;
}

// Plain lines take a fast path; the same line with doubled spaces takes the
// general parser. Both must read every line alike, errors included.
TEST(TextTrace, FastPathAgreesWithGeneralParser) {
  const char* lines[] = {
      "0.000000 tcp 10.163.210.120:2410 10.0.0.1:80 0.096083 33 48180",
      "1 udp 0.0.0.0:0 255.255.255.255:65535",
      "2.5 tcp 00.000.01.010:00080 1.2.3.4:5 7",
      "3 tcp 1.2.3.256:1 1.2.3.4:5",
      "3 tcp 1.2.3.1234:1 1.2.3.4:5",
      "3 tcp 1.2.3.4:65536 1.2.3.4:5",
      "3 tcp 1.2.3.4:123456 1.2.3.4:5",
      "3 tcp 1.2.3:1 1.2.3.4:5",
      "3 sctp 1.2.3.4:1 1.2.3.4:5",
      "3 TCP 1.2.3.4:1 1.2.3.4:5",
      "4.1234567890123456789 tcp 1.2.3.4:1 1.2.3.4:5",
      "4.123456789012345678 tcp 1.2.3.4:1 1.2.3.4:5",
      "9007199254740993 tcp 1.2.3.4:1 1.2.3.4:5",
      "0.30000000000000004 tcp 1.2.3.4:1 1.2.3.4:5 0.1",
      "5. tcp 1.2.3.4:1 1.2.3.4:5",
      "5 tcp 1.2.3.4:1 1.2.3.4:5 .5",
      "5 tcp 1.2.3.4:1 1.2.3.4:5 1e3",
      "5 tcp 1.2.3.4:1 1.2.3.4:5 1 18446744073709551615 9999999999999999999",
      "5 tcp 1.2.3.4:1 1.2.3.4:5 1 18446744073709551616 1",
      "5 tcp 1.2.3.4:1 1.2.3.4:5 1 2",
      "5 tcp 1.2.3.4:1 [2001:db8::1]:53",
      "4 tcp 1.2.3.4:1 1.2.3.4:5",  // before the previous start
  };
  std::string fast, general;
  for (const char* l : lines) {
    fast += l;
    fast += '\n';
    general += Doubled(l) + "\n";
  }
  // One line at a time, each after a good first line, so that every
  // error is seen.
  for (size_t n = 0; n < std::size(lines); ++n) {
    std::string head = "0 tcp 1.1.1.1:1 2.2.2.2:2\n";
    auto a = TextTraceFromString(head + lines[n] + "\n", "t.txt");
    auto b = TextTraceFromString(head + Doubled(lines[n]) + "\n", "t.txt");
    std::vector<TraceFlow> va = ReadAll(a.get()), vb = ReadAll(b.get());
    ASSERT_EQ(a->error(), b->error()) << lines[n];
    ASSERT_EQ(va.size(), vb.size()) << lines[n];
    for (size_t i = 0; i < va.size(); ++i) {
      EXPECT_EQ(FormatTraceFlow(va[i]), FormatTraceFlow(vb[i])) << lines[n];
      EXPECT_EQ(va[i].start, vb[i].start) << lines[n];
      EXPECT_EQ(va[i].duration, vb[i].duration) << lines[n];
      EXPECT_EQ(va[i].packets, vb[i].packets) << lines[n];
      EXPECT_EQ(va[i].bytes, vb[i].bytes) << lines[n];
      EXPECT_EQ(va[i].key, vb[i].key) << lines[n];
    }
  }
  // All in one trace: stops at the first error, at the same line.
  auto a = TextTraceFromString(fast, "t.txt");
  auto b = TextTraceFromString(general, "t.txt");
  EXPECT_EQ(ReadAll(a.get()).size(), ReadAll(b.get()).size());
  EXPECT_EQ(a->error(), b->error());
  EXPECT_NE(a->error(), "");
}

TEST(TextTrace, Errors) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"0 tcp 10.1.2.3:1",
       "t.txt:1: expected START PROTO CLIENT VIP [DURATION [PACKETS BYTES]], "
       "got 3 fields"},
      {"0 tcp 10.1.2.3:1 10.0.0.1:80 1 2",
       "t.txt:1: expected START PROTO CLIENT VIP [DURATION [PACKETS BYTES]], got 6 fields"},
      {"0 tcp 10.1.2.3:1 10.0.0.1:80 1 2 3 4 5 6 7 8 9",
       "t.txt:1: expected START PROTO CLIENT VIP [DURATION [PACKETS BYTES]], got 13 fields"},
      {"x tcp 10.1.2.3:1 10.0.0.1:80", "t.txt:1: bad start time 'x'"},
      {"-1 tcp 10.1.2.3:1 10.0.0.1:80", "t.txt:1: bad start time '-1'"},
      {"inf tcp 10.1.2.3:1 10.0.0.1:80", "t.txt:1: bad start time 'inf'"},
      {"2 tcp 10.1.2.3:1 10.0.0.1:80\n#\n1.5 tcp 10.1.2.3:2 10.0.0.1:80",
       "t.txt:3: start time 1.5 is before the previous flow's 2 (starts must not decrease)"},
      {"0 icmp 10.1.2.3:1 10.0.0.1:80", "t.txt:1: bad protocol 'icmp' (tcp, udp or sctp)"},
      {"0 tcp 10.1.2.3 10.0.0.1:80",
       "t.txt:1: bad client address '10.1.2.3' (a.b.c.d:port or [v6]:port)"},
      {"0 tcp 10.1.2.256:1 10.0.0.1:80",
       "t.txt:1: bad client address '10.1.2.256:1' (a.b.c.d:port or [v6]:port)"},
      {"0 tcp 10.1.2.3:65536 10.0.0.1:80",
       "t.txt:1: bad client address '10.1.2.3:65536' (a.b.c.d:port or [v6]:port)"},
      {"0 tcp 2001:db8::1:5 10.0.0.1:80",
       "t.txt:1: bad client address '2001:db8::1:5' (a.b.c.d:port or [v6]:port)"},
      {"0 tcp [2001:db8::1] 10.0.0.1:80",
       "t.txt:1: bad client address '[2001:db8::1]' (a.b.c.d:port or [v6]:port)"},
      {"0 tcp 10.1.2.3:1 10.0.0:80",
       "t.txt:1: bad virtual service address '10.0.0:80' (a.b.c.d:port or [v6]:port)"},
      {"0 tcp 10.1.2.3:1 [2001:db8::1]:80",
       "t.txt:1: client and virtual service are of different address families"},
      {"0 tcp 10.1.2.3:1 10.0.0.1:80 -2", "t.txt:1: bad duration '-2'"},
      {"0 tcp 10.1.2.3:1 10.0.0.1:80 1s", "t.txt:1: bad duration '1s'"},
      {"0 tcp 10.1.2.3:1 10.0.0.1:80 1 x 5", "t.txt:1: bad packet count 'x'"},
      {"0 tcp 10.1.2.3:1 10.0.0.1:80 1 5 -5", "t.txt:1: bad byte count '-5'"},
  };
  for (const Case& c : cases) EXPECT_EQ(ReadErr(c.text), c.error) << c.text;
}

TEST(TextTrace, StopsAtFirstError) {
  auto r =
      TextTraceFromString("0 tcp 10.1.2.3:1 10.0.0.1:80\nbad\n1 tcp 10.1.2.3:1 10.0.0.1:80\n", "t");
  TraceFlow f;
  EXPECT_TRUE(r->Next(&f));
  EXPECT_FALSE(r->Next(&f));
  EXPECT_FALSE(r->Next(&f));
  EXPECT_EQ(r->error(),
            "t:2: expected START PROTO CLIENT VIP [DURATION [PACKETS BYTES]], got 1 "
            "fields");
}

TEST(TextTrace, LineLongerThanBufferIsAnError) {
  std::string text = "0 tcp 10.1.2.3:1 10.0.0.1:80\n" + std::string(2 << 20, ' ') + "x\n";
  EXPECT_EQ(ReadErr(text), "t.txt:2: line longer than 1048576 bytes");
}

TEST(TextTrace, WriterRoundTrips) {
  std::vector<TraceFlow> in(3);
  in[0].start = 0.25;
  ASSERT_TRUE(Endpoint::Parse("10.9.8.7:1234", &in[0].key.client));
  ASSERT_TRUE(Endpoint::Parse("10.0.0.1:443", &in[0].key.vip));
  in[0].duration = 1.5;
  in[0].packets = 10;
  in[0].bytes = 9000;
  in[1].start = 1.000001;
  in[1].key.proto = Proto::kUdp;
  ASSERT_TRUE(Endpoint::Parse("[2001:db8::5]:53000", &in[1].key.client));
  ASSERT_TRUE(Endpoint::Parse("[2001:db8::1]:53", &in[1].key.vip));
  in[2] = in[1];
  in[2].key.proto = Proto::kSctp;
  in[2].start = 3600;
  EXPECT_EQ(FormatTraceFlow(in[0]), "0.250000 tcp 10.9.8.7:1234 10.0.0.1:443 1.500000 10 9000\n");
  EXPECT_EQ(FormatTraceFlow(in[1]), "1.000001 udp [2001:db8::5]:53000 [2001:db8::1]:53 0.000000\n");

  std::string path = ::testing::TempDir() + "/trace_text_test.txt";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  for (const TraceFlow& t : in) ASSERT_TRUE(WriteTraceFlow(f, t));
  fclose(f);
  std::string err;
  auto r = OpenTextTrace(path, &err);
  ASSERT_NE(r, nullptr) << err;
  std::vector<TraceFlow> out = ReadAll(r.get());
  EXPECT_EQ(r->error(), "");
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].key, in[i].key);
    EXPECT_NEAR(out[i].start, in[i].start, 1e-6);
    EXPECT_NEAR(out[i].duration, in[i].duration, 1e-6);
    EXPECT_EQ(out[i].packets, in[i].packets);
    EXPECT_EQ(out[i].bytes, in[i].bytes);
  }
  EXPECT_GT(r->size(), 0u);
  EXPECT_EQ(r->position(), r->size());

  std::ostringstream os;
  ASSERT_TRUE(WriteTraceFlow(os, in[0]));
  EXPECT_EQ(os.str(), FormatTraceFlow(in[0]));
  std::remove(path.c_str());

  EXPECT_EQ(OpenTextTrace(path, &err), nullptr);
  EXPECT_EQ(err, path + ": cannot open: No such file or directory");
}

TEST(TextTrace, ManyLinesAcrossBufferRefills) {
  // About 3 MiB: lines straddle the 1 MiB buffer boundary several times.
  std::string text;
  const int kFlows = 60000;
  for (int i = 0; i < kFlows; ++i) {
    TraceFlow t;
    t.start = i * 0.001;
    t.key.client = {IpAddr::V4(0x0a000000u + static_cast<uint32_t>(i)),
                    static_cast<uint16_t>(1024 + i % 60000)};
    t.key.vip = {IpAddr::V4(0x0a640001u), 80};
    t.duration = i % 17;
    t.packets = static_cast<uint64_t>(i);
    t.bytes = static_cast<uint64_t>(i) * 100;
    AppendTraceFlow(t, &text);
  }
  auto r = TextTraceFromString(text, "big");
  TraceFlow f;
  int n = 0;
  while (r->Next(&f)) {
    ASSERT_EQ(f.packets, static_cast<uint64_t>(n));
    ASSERT_EQ(f.key.client.addr.v4(), 0x0a000000u + static_cast<uint32_t>(n));
    ++n;
  }
  EXPECT_EQ(r->error(), "");
  EXPECT_EQ(n, kFlows);
}

}  // namespace
}  // namespace ipvs_sim
