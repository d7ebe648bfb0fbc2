#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>

#include "common/redact.h"

namespace mlc {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.retry_class(), RetryClass::kNone);
}

TEST(StatusTest, ErrorsCarryRetryMeaning) {
  EXPECT_EQ(UnavailableError("x").retry_class(), RetryClass::kRetriable);
  EXPECT_EQ(DeadlineExceededError("x").retry_class(), RetryClass::kRetriable);
  EXPECT_EQ(ResourceExhaustedError("429").retry_class(), RetryClass::kRetriable);
  EXPECT_EQ(AbortedError("x").retry_class(), RetryClass::kRetriable);
  EXPECT_EQ(InvalidArgumentError("x").retry_class(), RetryClass::kPark);
  EXPECT_EQ(FailedPreconditionError("x").retry_class(), RetryClass::kPark);
  EXPECT_EQ(DataLossError("x").retry_class(), RetryClass::kPark);
  EXPECT_EQ(AlreadyExistsError("x").retry_class(), RetryClass::kDelivered);
  EXPECT_TRUE(UnavailableError("x").retriable());
  EXPECT_FALSE(NotFoundError("x").retriable());
}

TEST(StatusTest, EveryCodeHasAUniqueNameThatRoundTrips) {
  for (int i = 0; i <= static_cast<int>(StatusCode::kUnauthenticated); ++i) {
    const auto code = static_cast<StatusCode>(i);
    const auto name = StatusCodeName(code);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(StatusCodeFromName(name), code) << name;
  }
  EXPECT_EQ(StatusCodeFromName("NOPE"), std::nullopt);
}

TEST(StatusTest, FormatsArgumentsAndWrapsContext) {
  Status s = InvalidArgumentError("ISA13 '{}' is not numeric", "12a");
  EXPECT_EQ(s.message(), "ISA13 '12a' is not numeric");
  Status w = s.WithContext("reading interchange from ACME");
  EXPECT_EQ(w.message(), "reading interchange from ACME: ISA13 '12a' is not numeric");
  EXPECT_EQ(w.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w.ToString(), "INVALID_ARGUMENT: reading interchange from ACME: ISA13 '12a' is not numeric");
  EXPECT_TRUE(Status().WithContext("ignored").ok());
  EXPECT_EQ(std::move(s).WithContext("a").WithContext("b").message(),
            "b: a: ISA13 '12a' is not numeric");
}

TEST(StatusTest, MessagesAreRedacted) {
  ClearSecretsForTest();
  RegisterSecret("hunter2-password");
  Status s = UnauthenticatedError("login failed for password hunter2-password");
  EXPECT_EQ(s.message(), "login failed for password ***");
  EXPECT_EQ(s.WithContext("ctx hunter2-password").message(),
            "ctx ***: login failed for password ***");
  ClearSecretsForTest();
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(auto q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return Status::Ok();
}

TEST(ResultTest, ValueAndError) {
  Result<int> r = Half(8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4);
  EXPECT_TRUE(r.status().ok());
  Result<int> e = Half(3);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(e.value_or(-1), -1);
}

TEST(ResultTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).error().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(1).ok());
}

TEST(ResultTest, OkStatusIsNotAValue) {
  Result<int> r = Status::Ok();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInternal);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, WithContext) {
  Result<int> r = Half(5);
  EXPECT_EQ(std::move(r).WithContext("halving").error().message(), "halving: 5 is odd");
}

}  // namespace
}  // namespace mlc
