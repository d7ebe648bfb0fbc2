#include "common/strings.h"

#include <gtest/gtest.h>

namespace mlc {
namespace {

TEST(TrimWhitespaceTest, DropsEveryKindOfWhitespaceAtBothEndsOnly) {
  EXPECT_EQ(TrimWhitespace(" \t\r\n a b \v\f\n"), "a b");
  EXPECT_EQ(TrimWhitespace("ab"), "ab");
  EXPECT_EQ(TrimWhitespace(" \n "), "");
  EXPECT_EQ(TrimWhitespace(""), "");
  EXPECT_EQ(TrimWhitespace("\xc3\xa9 "), "\xc3\xa9");  // bytes >= 0x80 are never whitespace
}

}  // namespace
}  // namespace mlc
