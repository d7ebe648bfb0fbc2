#include "server/cidr.h"

#include <gtest/gtest.h>

namespace mlc::server {
namespace {

TEST(CidrTest, Ipv4Ranges) {
  auto c = Cidr::Parse("10.0.0.0/8");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->Contains("10.1.2.3"));
  EXPECT_TRUE(c->Contains("10.255.255.255"));
  EXPECT_FALSE(c->Contains("11.0.0.1"));
  EXPECT_FALSE(c->Contains("2001:db8::1"));
  EXPECT_FALSE(c->Contains("not an address"));
  EXPECT_EQ(c->ToString(), "10.0.0.0/8");
}

TEST(CidrTest, SingleHostAndOddPrefixes) {
  auto host = Cidr::Parse("127.0.0.1");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->ToString(), "127.0.0.1/32");
  EXPECT_TRUE(host->Contains("127.0.0.1"));
  EXPECT_FALSE(host->Contains("127.0.0.3"));
  auto odd = Cidr::Parse("192.168.4.0/22");  // 192.168.4.0 - 192.168.7.255
  ASSERT_TRUE(odd.ok()) << odd.status();
  EXPECT_TRUE(odd->Contains("192.168.7.200"));
  EXPECT_FALSE(odd->Contains("192.168.8.1"));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains("8.8.8.8"));
}

TEST(CidrTest, Ipv6AndMappedIpv4) {
  auto c = Cidr::Parse("2001:db8::/32");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->Contains("2001:db8:ffff::1"));
  EXPECT_FALSE(c->Contains("2001:db9::1"));
  EXPECT_TRUE(Cidr::Parse("::1")->Contains("::1"));
  EXPECT_TRUE(Cidr::Parse("10.0.0.0/8")->Contains("::ffff:10.9.8.7"));
}

TEST(CidrTest, BadInputNamesWhatIsWrong) {
  EXPECT_EQ(Cidr::Parse("10.0.0.0/33").status().message(),
            "'10.0.0.0/33': prefix length must be 0-32 for IPv4");
  EXPECT_EQ(Cidr::Parse("10.0.0/8").status().message(),
            "'10.0.0/8': '10.0.0' is not an IPv4 or IPv6 address");
  EXPECT_EQ(Cidr::Parse("10.1.2.3/8").status().message(),
            "'10.1.2.3/8': host bits are set; did you mean a /8 of a network address?");
  EXPECT_FALSE(Cidr::Parse("").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/").ok());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/x").ok());
  EXPECT_FALSE(Cidr::Parse("::/129").ok());
  EXPECT_FALSE(Cidr::Parse(std::string(100, '1')).ok());
}

TEST(AllowlistTest, EmptyAllowsNothingAndErrorsAreCollected) {
  EXPECT_FALSE(Allowlist().Allows("127.0.0.1"));
  auto bad = Allowlist::Parse({"10.0.0.0/8", "nope", "1.2.3.4/40"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "allowlist: 'nope': 'nope' is not an IPv4 or IPv6 address; '1.2.3.4/40': prefix "
            "length must be 0-32 for IPv4");
  auto ok = Allowlist::Parse({"10.0.0.0/8", "127.0.0.1/32"});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->Allows("127.0.0.1"));
  EXPECT_FALSE(ok->Allows("127.0.0.2"));
}

}  // namespace
}  // namespace mlc::server
