// SPDX-License-Identifier: GPL-2.0
#include "text_lines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ipvs_sim {
namespace {

std::vector<std::string> All(std::string_view text, int* last) {
  LineSplitter s(text);
  std::vector<std::string> out;
  std::string_view line;
  while (s.Next(&line)) out.emplace_back(line);
  *last = s.lineno();
  return out;
}

TEST(LineSplitter, NumbersLinesAndKeepsEmptyOnes) {
  int last;
  EXPECT_EQ(All("a\n\nb\n", &last), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(last, 3);
  EXPECT_EQ(All("a\nb", &last), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(last, 2);
  EXPECT_EQ(All("", &last), std::vector<std::string>{});
  EXPECT_EQ(last, 0);
  EXPECT_EQ(All("\n", &last), std::vector<std::string>{""});
}

}  // namespace
}  // namespace ipvs_sim
