// SPDX-License-Identifier: GPL-2.0
#include "text_parse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "file_testing.h"

namespace ipvs_sim {
namespace {

TEST(TextParse, SplitWordsOnBlanksTabsAndCarriageReturns) {
  std::vector<std::string_view> w = SplitWords("  -A\t-t  10.0.0.1:80 \r");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "-A");
  EXPECT_EQ(w[1], "-t");
  EXPECT_EQ(w[2], "10.0.0.1:80");
  EXPECT_TRUE(SplitWords(" \t\r ").empty());
  EXPECT_TRUE(SplitWords("").empty());
}

TEST(TextParse, DecimalTakesDigitsUpToMaxAndNothingElse) {
  uint32_t v = 7;
  EXPECT_TRUE(ParseDecimal("65535", uint32_t{65535}, &v));
  EXPECT_EQ(v, 65535u);
  EXPECT_TRUE(ParseDecimal("0007", uint32_t{10}, &v));
  EXPECT_EQ(v, 7u);
  for (const char* bad : {"", "65536", "-1", "+1", " 1", "1 ", "1x", "0x10", "99999999999"}) {
    v = 3;
    EXPECT_FALSE(ParseDecimal(bad, uint32_t{65535}, &v)) << bad;
    EXPECT_EQ(v, 3u) << bad;  // untouched on failure
  }
  uint64_t big = 0;
  EXPECT_TRUE(ParseDecimal("18446744073709551615", UINT64_MAX, &big));
  EXPECT_EQ(big, UINT64_MAX);
  EXPECT_FALSE(ParseDecimal("18446744073709551616", UINT64_MAX, &big));
  EXPECT_TRUE(IsDigits("0123"));
  EXPECT_FALSE(IsDigits(""));
  EXPECT_FALSE(IsDigits("12a"));
}

TEST(TextParse, PortIsZeroTo65535) {
  uint16_t p = 9;
  EXPECT_TRUE(ParsePort("0", &p));
  EXPECT_EQ(p, 0);
  EXPECT_TRUE(ParsePort("65535", &p));
  EXPECT_EQ(p, 65535);
  EXPECT_FALSE(ParsePort("65536", &p));
  EXPECT_FALSE(ParsePort("", &p));
  EXPECT_FALSE(ParsePort("8o", &p));
  EXPECT_EQ(p, 65535);
}

TEST(TextParse, HexTakesBothCasesWithoutPrefix) {
  uint32_t v = 0;
  EXPECT_FALSE(ParseHex("1C0A8010a", UINT32_MAX, &v));  // above max
  EXPECT_TRUE(ParseHex("C0A8010a", UINT32_MAX, &v));
  EXPECT_EQ(v, 0xc0a8010au);
  EXPECT_TRUE(ParseHex("0050", uint32_t{0xffff}, &v));
  EXPECT_EQ(v, 0x50u);
  for (const char* bad : {"", "0x50", "g", "-1", "10000"}) {
    v = 1;
    EXPECT_FALSE(ParseHex(bad, uint32_t{0xffff}, &v)) << bad;
    EXPECT_EQ(v, 1u) << bad;
  }
  uint64_t w = 0;
  EXPECT_TRUE(ParseHex("ffffffffffffffff", UINT64_MAX, &w));
  EXPECT_EQ(w, UINT64_MAX);
}

TEST(TextParse, FixedIsAFiniteUnsignedDecimal) {
  double d = -1;
  EXPECT_TRUE(ParseFixed("1.5", &d));
  EXPECT_DOUBLE_EQ(d, 1.5);
  EXPECT_TRUE(ParseFixed("12", &d));
  EXPECT_DOUBLE_EQ(d, 12);
  for (const char* bad : {"", "-1", "+1", "1e3", "inf", "nan", "1.5x", ".", " 1"}) {
    d = 4;
    EXPECT_FALSE(ParseFixed(bad, &d)) << bad;
    EXPECT_DOUBLE_EQ(d, 4) << bad;
  }
}

using ReadWholeFileTest = file_testing::TempDirTest;

// A directory opens like a file and reads as an empty one: it must be an
// error, not an empty configuration or timeline.
TEST_F(ReadWholeFileTest, FileMissingFileAndDirectory) {
  std::string path = (root_ / "f").string();
  { std::ofstream(path, std::ios::binary) << std::string("a\0b\n", 4); }
  std::string text = "old", err;
  ASSERT_TRUE(ReadWholeFile(path, &text, &err)) << err;
  EXPECT_EQ(text, std::string("a\0b\n", 4));
  EXPECT_FALSE(ReadWholeFile(path + ".none", &text, &err));
  EXPECT_EQ(err, path + ".none: cannot open");
  EXPECT_FALSE(ReadWholeFile(root_.string(), &text, &err));
  EXPECT_EQ(err, root_.string() + ": is a directory");
  EXPECT_EQ(text, std::string("a\0b\n", 4));  // untouched
}

}  // namespace
}  // namespace ipvs_sim
