#include "common/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <vector>

#include "common/redact.h"

namespace mlc {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearSecretsForTest(); }
  void TearDown() override {
    ClearSecretsForTest();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test-off"));  // no sinks
  }

  void Init(LogFormat format, LogLevel level = LogLevel::kInfo) {
    LogOptions o;
    o.format = format;
    o.level = level;
    o.sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    ASSERT_TRUE(InitLogging(o).ok());
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::ostringstream out_;
};

TEST_F(LogTest, HumanLine) {
  Init(LogFormat::kHuman);
  LogInfo("flow run finished", {{"flow", "po_outbound"}, {"sent", 12}, {"dry_run", false}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO flow run finished )"
                           R"(flow=po_outbound sent=12 dry_run=false)")))
      << lines[0];
}

TEST_F(LogTest, HumanQuotesAndEscapes) {
  Init(LogFormat::kHuman);
  LogWarn("two\nlines", {{"error", "item 'W-100' has \"no\" match"}, {"empty", ""}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"( WARN two\nlines error="item 'W-100' has \"no\" match" empty="")"),
            std::string::npos)
      << lines[0];
}

TEST_F(LogTest, JsonLinesParse) {
  Init(LogFormat::kJson, LogLevel::kDebug);
  LogInfo("flow run finished", {{"flow", "po_outbound"}, {"sent", 12}});
  LogDebug("odd \"quotes\" and \xff bytes", {{"msg", "collides"}});
  LogError("no fields");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "flow run finished");
  EXPECT_EQ(j["flow"], "po_outbound");
  EXPECT_EQ(j["sent"], "12");
  EXPECT_TRUE(std::regex_match(j["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(lines[0].rfind(R"({"ts":)", 0), 0u) << lines[0];
  auto j2 = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(j2["level"], "debug");
  EXPECT_EQ(j2["field_msg"], "collides");
  EXPECT_NE(j2["msg"].get<std::string>().find("odd \"quotes\""), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(lines[2])["level"], "error");
}

TEST_F(LogTest, SecretsAreRedactedInMessageFieldsAndRawSpdlog) {
  RegisterSecret("hunter2-pass");
  for (LogFormat format : {LogFormat::kHuman, LogFormat::kJson}) {
    out_.str("");
    Init(format);
    LogInfo("login with hunter2-pass", {{"password", "hunter2-pass"}, {"hunter2-pass", "k"}});
    spdlog::warn("raw spdlog call {}", "hunter2-pass");
    const std::string text = out_.str();
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_NE(text.find("***"), std::string::npos) << text;
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 2u);
    if (format == LogFormat::kJson) {
      auto j = nlohmann::json::parse(lines[0]);
      EXPECT_EQ(j["password"], "***");
      EXPECT_EQ(j["msg"], "login with ***");
      EXPECT_EQ(nlohmann::json::parse(lines[1])["msg"], "raw spdlog call ***");
    } else {
      EXPECT_NE(lines[0].find("login with *** password=***"), std::string::npos) << lines[0];
    }
  }
}

TEST_F(LogTest, SecretNeedingJsonEscapeIsRedacted) {
  RegisterSecret("pa\"ss\\word");
  Init(LogFormat::kJson);
  LogInfo("x", {{"p", "pa\"ss\\word"}});
  EXPECT_EQ(nlohmann::json::parse(Lines().at(0))["p"], "***");
}

TEST_F(LogTest, LevelsFilter) {
  Init(LogFormat::kHuman, LogLevel::kWarn);
  LogDebug("debug");
  LogInfo("info");
  spdlog::info("raw info");
  LogWarn("warn");
  LogError("error");
  Log(LogLevel::kOff, "never");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u) << out_.str();
  EXPECT_NE(lines[0].find(" WARN warn"), std::string::npos);
  EXPECT_NE(lines[1].find(" ERROR error"), std::string::npos);
}

TEST_F(LogTest, FileOutput) {
  const std::string path =
      ::testing::TempDir() + "/mlc_log_test_" + std::to_string(::getpid()) + ".log";
  std::remove(path.c_str());
  LogOptions o;
  o.file = path;
  ASSERT_TRUE(InitLogging(o).ok());
  LogInfo("to a file", {{"n", 1}});
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("INFO to a file n=1"), std::string::npos) << line;
  std::remove(path.c_str());
}

TEST_F(LogTest, UnopenableFileIsAnError) {
  // spdlog creates missing directories, so make the parent a regular file.
  const std::string parent =
      ::testing::TempDir() + "/mlc_log_test_not_a_dir_" + std::to_string(::getpid());
  std::ofstream(parent) << "x";
  LogOptions o;
  o.file = parent + "/y.log";
  Status s = InitLogging(o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  std::remove(parent.c_str());
}

TEST(ParseLogTest, LevelsAndFormats) {
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("off"), LogLevel::kOff);
  EXPECT_EQ(ParseLogLevel("INFO").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace mlc
