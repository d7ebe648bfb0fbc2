#include "common/redact.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace mlc {
namespace {

class RedactTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearSecretsForTest(); }
  void TearDown() override { ClearSecretsForTest(); }
};

TEST_F(RedactTest, NothingRegisteredLeavesTextAlone) {
  EXPECT_EQ(Redact("client_id=abc"), "client_id=abc");
}

TEST_F(RedactTest, ReplacesEveryOccurrence) {
  RegisterSecret("s3cr3t");
  EXPECT_EQ(Redact("a s3cr3t b s3cr3ts3cr3t"), "a *** b ******");
}

TEST_F(RedactTest, ReplacesPercentEncodedForm) {
  RegisterSecret("p@ss word&1");
  EXPECT_EQ(Redact("grant_type=password&password=p%40ss%20word%261"),
            "grant_type=password&password=***");
}

TEST_F(RedactTest, TooShortSecretsAreIgnored) {
  RegisterSecret("abc");
  EXPECT_EQ(RegisteredSecretCount(), 0u);
  EXPECT_EQ(Redact("abc"), "abc");
}

TEST_F(RedactTest, LongestSecretWins) {
  RegisterSecret("abcd");
  RegisterSecret("abcdef-longer");
  EXPECT_EQ(Redact("x abcdef-longer y abcd"), "x *** y ***");
}

TEST_F(RedactTest, EmptySecretIgnored) {
  RegisterSecret("");
  EXPECT_EQ(RegisteredSecretCount(), 0u);
  EXPECT_EQ(Redact("text"), "text");
}

TEST_F(RedactTest, ConcurrentRegisterAndRedact) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        RegisterSecret("token-" + std::to_string(t) + "-" + std::to_string(i));
        EXPECT_EQ(Redact("token-" + std::to_string(t) + "-" + std::to_string(i) + "!"), "***!");
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace mlc
