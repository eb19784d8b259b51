// SPDX-License-Identifier: GPL-2.0
#include "trace_readahead.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "trace_text.h"

namespace ipvs_sim {
namespace {

std::string Lines(int n, int bad_at = -1) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i == bad_at) {
      s += "oops\n";
      continue;
    }
    s += std::to_string(i) + " tcp 10.1." + std::to_string(i / 250) + "." +
         std::to_string(i % 250) + ":" + std::to_string(1024 + i % 5000) + " 10.0.0.1:80 " +
         std::to_string(i % 7) + "\n";
  }
  return s;
}

std::vector<TraceFlow> Drain(TraceReader* r, std::string* err) {
  std::vector<TraceFlow> out;
  TraceFlow f;
  while (r->Next(&f)) out.push_back(f);
  *err = r->error();
  return out;
}

void ExpectSame(const std::vector<TraceFlow>& a, const std::vector<TraceFlow>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].key, b[i].key) << i;
    EXPECT_EQ(a[i].start, b[i].start) << i;
    EXPECT_EQ(a[i].duration, b[i].duration) << i;
  }
}

TEST(ReadAhead, SameFlowsInTheSameOrderForAnyBatch) {
  std::string text = Lines(5000);
  std::string e1, e2;
  auto direct = TextTraceFromString(text, "t");
  auto want = Drain(direct.get(), &e1);
  ASSERT_EQ(want.size(), 5000u);
  for (size_t batch : {1, 3, 4999, 5000, 5001, 8192}) {
    auto ra = ReadAhead(TextTraceFromString(text, "t"), batch);
    auto got = Drain(ra.get(), &e2);
    ExpectSame(want, got);
    EXPECT_EQ(e2, "") << batch;
    TraceFlow f;
    EXPECT_FALSE(ra->Next(&f));  // stays at the end
  }
}

TEST(ReadAhead, ErrorComesAfterTheSameFlows) {
  std::string text = Lines(3000, 2345);
  std::string e1, e2;
  auto direct = TextTraceFromString(text, "t");
  auto want = Drain(direct.get(), &e1);
  ASSERT_EQ(want.size(), 2345u);
  ASSERT_NE(e1, "");
  for (size_t batch : {1, 100, 8192}) {
    auto ra = ReadAhead(TextTraceFromString(text, "t"), batch);
    auto got = Drain(ra.get(), &e2);
    ExpectSame(want, got);
    EXPECT_EQ(e2, e1);
  }
}

TEST(ReadAhead, StoppingEarlyDoesNotHang) {
  auto ra = ReadAhead(TextTraceFromString(Lines(100000), "t"), 64);
  TraceFlow f;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ra->Next(&f));
  ra.reset();  // joins the producer, which may be waiting for a free batch
  SUCCEED();
}

TEST(ReadAhead, EmptyTrace) {
  auto ra = ReadAhead(TextTraceFromString("", "t"));
  TraceFlow f;
  EXPECT_FALSE(ra->Next(&f));
  EXPECT_EQ(ra->error(), "");
}

}  // namespace
}  // namespace ipvs_sim
