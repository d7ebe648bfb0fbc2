#include "cleo/names.h"

#include <gtest/gtest.h>

namespace mlc::cleo {
namespace {

TEST(ValidateRemoteNameTest, AcceptsPlainNames) {
  for (const char* n : {"a.x12", "ACME_850_000000123_123_0001.x12", "INV 2026-01.edi", "x"}) {
    EXPECT_TRUE(ValidateRemoteName(n).ok()) << n;
  }
}

TEST(ValidateRemoteNameTest, RejectsTraversalSeparatorsAndControls) {
  const std::string nul_name("a\0b", 3);
  for (std::string n : {std::string(""), std::string("."), std::string(".."), std::string("../x"),
                        std::string("a/../../etc/passwd"), std::string("/etc/passwd"),
                        std::string("..\\x"), std::string("C:x"), std::string("a\nb"),
                        std::string("a\rb"), nul_name, std::string("a\x7f"), std::string(".hidden"),
                        std::string(" lead"), std::string("trail "), std::string(256, 'a')}) {
    Status s = ValidateRemoteName(n);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << Printable(n);
  }
}

TEST(ValidateRemoteNameTest, MessageEscapesHostileBytes) {
  Status s = ValidateRemoteName("x\nINFO forged line");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_NE(s.message().find("\\x0a"), std::string::npos);
}

TEST(ValidateMailboxDirectoryTest, AcceptsRelativeDirectories) {
  for (const char* d : {"inbox", "inbox/", "outbox/payload/", "a/b/c"}) {
    EXPECT_TRUE(ValidateMailboxDirectory(d).ok()) << d;
  }
}

TEST(ValidateMailboxDirectoryTest, RejectsAutorunAbsoluteAndTraversal) {
  EXPECT_EQ(ValidateMailboxDirectory("autorun").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ValidateMailboxDirectory("AutoRun/").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ValidateMailboxDirectory("x/autorun/y").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ValidateMailboxDirectory("/outbox").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMailboxDirectory("outbox/../autorun").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ValidateMailboxDirectory("outbox/../x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMailboxDirectory("a//b").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMailboxDirectory("").code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(MentionsAutorun("autorunner/x"));
  EXPECT_TRUE(MentionsAutorun("C:\\Harmony\\autorun\\x"));
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(OutboundFileNameTest, DeterministicAndPadded) {
  OutboundNameParts p{"ACME", "850", "123", "123", "0001"};
  auto a = OutboundFileName(p);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, "ACME_850_000000123_123_0001.x12");
  EXPECT_EQ(*OutboundFileName(p), *a);
  p.st02.clear();
  EXPECT_EQ(*OutboundFileName(p), "ACME_850_000000123_123.x12");
  EXPECT_TRUE(ValidateRemoteName(*a).ok());
}

TEST(OutboundFileNameTest, RejectsBadParts) {
  EXPECT_FALSE(OutboundFileName({"../x", "850", "1", "1", ""}).ok());
  EXPECT_FALSE(OutboundFileName({"", "850", "1", "1", ""}).ok());
  EXPECT_FALSE(OutboundFileName({"A", "85", "1", "1", ""}).ok());
  EXPECT_FALSE(OutboundFileName({"A", "850", "1234567890", "1", ""}).ok());
  EXPECT_FALSE(OutboundFileName({"A", "850", "1", "x", ""}).ok());
  EXPECT_FALSE(OutboundFileName({"A", "850", "1", "1", "12"}).ok());
}

TEST(ServerVersionTest, ParsesAndJudges) {
  auto v = ParseServerVersion("Cleo Harmony/5.8.0.21 (Linux)");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ToString(), "Harmony 5.8.0.21");
  EXPECT_TRUE(IsVulnerableVersion(*v));
  auto safe = ParseServerVersion("Cleo VLTrader/5.8.0.24");
  ASSERT_TRUE(safe);
  EXPECT_FALSE(IsVulnerableVersion(*safe));
  auto newer = ParseServerVersion("Harmony/5.9");
  ASSERT_TRUE(newer);
  EXPECT_FALSE(IsVulnerableVersion(*newer));
  auto old = ParseServerVersion("LexiCom/5.7.0.3");
  ASSERT_TRUE(old);
  EXPECT_TRUE(IsVulnerableVersion(*old));
  EXPECT_FALSE(ParseServerVersion("nginx/1.25.3"));
  EXPECT_FALSE(ParseServerVersion(""));
}

}  // namespace
}  // namespace mlc::cleo
