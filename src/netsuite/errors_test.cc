#include "netsuite/errors.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace mlc::netsuite {
namespace {

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(MLC_SAMPLES_DIR) + "/netsuite/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpResponse Resp(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ErrorBodyTest, ParsesTheRealUserErrorSample) {
  std::string body = Sample("error-400-USER_ERROR.json");
  ASSERT_FALSE(body.empty());
  auto e = ParseErrorBody(body);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->status, 400);
  EXPECT_EQ(e->title, "Bad Request");
  ASSERT_EQ(e->details.size(), 1u);
  EXPECT_EQ(e->details[0].error_code, "USER_ERROR");
  EXPECT_FALSE(e->IsConcurrencyLimit());
  Status s = ErrorFromResponse(Resp(400, body), "creating vendor");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind("creating vendor: HTTP 400 USER_ERROR: ", 0), 0u) << s.message();
}

TEST(ErrorBodyTest, ConcurrencyMockSampleIsResourceExhaustedEvenAs400) {
  std::string body = Sample("error-CONCURRENCY_LIMIT_EXCEEDED-mock.json");
  ASSERT_FALSE(body.empty());
  auto e = ParseErrorBody(body);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->IsConcurrencyLimit());
  EXPECT_TRUE(IsConcurrencyRejection(Resp(400, body)));
  EXPECT_EQ(ErrorFromResponse(Resp(400, body), "running SuiteQL query").code(),
            StatusCode::kResourceExhausted);
}

TEST(ErrorBodyTest, OracleConcurrencyExampleWith429AndTopLevelCode) {
  std::string body = R"({"type":"https://www.rfc-editor.org/rfc/rfc6585#section-4","title":
    "Too Many Requests","status":429,"o:errorCode":"USER_ERROR","o:errorDetails":[{"detail":
    "Concurrent request limit exceeded. Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]})";
  EXPECT_TRUE(IsConcurrencyRejection(Resp(429, body)));
  Status s = ErrorFromResponse(Resp(429, body), "getting purchaseOrder 7");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(s.retriable());
}

TEST(ErrorBodyTest, MapsEveryStatusAndCode) {
  auto body = [](const char* code, const char* detail, const char* path = "") {
    return fmt::format(
        R"({{"type":"t","title":"Bad Request","status":400,"o:errorDetails":[{{"detail":"{}","o:errorCode":"{}"{}}}]}})",
        detail, code, *path ? fmt::format(R"(,"o:errorPath":"{}")", path) : "");
  };
  Status invalid = ErrorFromResponse(
      Resp(400, body("INVALID_KEY_OR_REF", "Invalid Field Value 55", "item.items[0].item")),
      "creating vendorBill");
  EXPECT_EQ(invalid.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.message().find("(at item.items[0].item)"), std::string::npos);
  EXPECT_EQ(ErrorFromResponse(Resp(400, body("INVALID_CONTENT", "bad json")), "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse(Resp(400, body("IDEMPOTENCY_ERROR", "repeated key")), "x").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorFromResponse(Resp(400, body("USER_ERROR", "This entity already exists.")), "x")
                .code(),
            StatusCode::kAlreadyExists);
  std::string suiteql = R"({"type":"t","title":"Invalid search query.","status":400,
      "o:errorDetails":[{"detail":"Search error occurred: Field 'foo' not found.","o:errorCode":"USER_ERROR"}]})";
  EXPECT_EQ(ErrorFromResponse(Resp(400, suiteql), "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse(Resp(401, body("INVALID_LOGIN", "Invalid login attempt.")), "x")
                .code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(ErrorFromResponse(Resp(403, body("INSUFFICIENT_PERMISSION", "no")), "x").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorFromResponse(Resp(404, body("NONEXISTENT_ID", "gone")), "x").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ErrorFromResponse(Resp(500, body("UNEXPECTED_ERROR", "Error ID: 1")), "x").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(ErrorFromResponse(Resp(503, "<html>down</html>"), "x").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(ErrorFromResponse(Resp(418, ""), "x").code(), StatusCode::kUnknown);
  // OAuth token endpoint form.
  auto oauth = ParseErrorBody(R"({"error":"invalid_grant","error_description":"expired"})");
  ASSERT_TRUE(oauth.has_value());
  EXPECT_EQ(oauth->PrimaryCode(), "invalid_grant");
  // Not an error body at all.
  EXPECT_FALSE(ParseErrorBody("not json").has_value());
  EXPECT_FALSE(ParseErrorBody(R"({"a":1})").has_value());
  // Control characters from the body never reach the message.
  Status ctl = ErrorFromResponse(Resp(502, "line1\nline2\ttab"), "x");
  EXPECT_EQ(ctl.message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace mlc::netsuite
