#include "cleo/http_transport.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cleo/client.h"
#include "common/fake_http_client.h"
#include "common/redact.h"

namespace mlc::cleo {
namespace {

HttpResponse Resp(int status, std::string body = "") {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

constexpr char kServer[] = "https://cleo.test:5443/server";

// A tiny in-memory /server: directories of files, driven by the query string.
class FakeServer {
 public:
  explicit FakeServer(FakeHttpClient& fake) {
    fake.On("POST", kServer).Handle([this](const HttpRequest& r) { return Serve(r); });
  }
  std::map<std::string, std::map<std::string, std::string>> dirs;
  std::string server_header;

 private:
  static std::string Param(const std::string& url, const std::string& key) {
    size_t q = url.find('?');
    std::string query = url.substr(q + 1);
    size_t at = 0;
    while (at < query.size()) {
      size_t amp = query.find('&', at);
      if (amp == std::string::npos) amp = query.size();
      std::string kv = query.substr(at, amp - at);
      if (kv.rfind(key + "=", 0) == 0) {
        std::string v = kv.substr(key.size() + 1), out;
        for (size_t i = 0; i < v.size(); ++i) {
          if (v[i] == '%' && i + 2 < v.size()) {
            out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
            i += 2;
          } else {
            out += v[i];
          }
        }
        return out;
      }
      at = amp + 1;
    }
    return "";
  }
  Result<HttpResponse> Serve(const HttpRequest& r) {
    HttpResponse resp;
    if (!server_header.empty()) resp.headers["Server"] = server_header;
    if (r.headers.at("Authorization") != "Basic bWJveDptYWlsYm94LXBhc3M=") {  // mbox:mailbox-pass
      resp.status = 401;
      return resp;
    }
    std::string req = Param(r.url, "request"), dir = Param(r.url, "directory"),
                name = Param(r.url, "filename");
    auto& files = dirs[dir];
    resp.status = 200;
    if (req == "list") {
      for (auto& [n, c] : files) resp.body += n + "\r\n";
    } else if (req == "receive") {
      if (!files.count(name)) return Resp(404, "no such file");
      resp.body = files[name];
    } else if (req == "send") {
      files[name] = r.body;
    } else if (req == "delete") {
      if (!files.erase(name)) return Resp(404, "no such file");
    } else {
      resp.status = 400;
    }
    return resp;
  }
};

class HttpTransportTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpTransport> Make(TransportLimits limits = {}) {
    HttpTransportOptions o;
    o.base_url = "https://cleo.test:5443/";
    o.username = "mbox";
    o.password = "mailbox-pass";
    o.sleeper = [](std::chrono::milliseconds) {};
    auto t = HttpTransport::Create(fake_, o, limits);
    EXPECT_TRUE(t.ok()) << t.status();
    return std::move(t).value();
  }
  void TearDown() override { ClearSecretsForTest(); }

  FakeHttpClient fake_;
  FakeServer server_{fake_};
};

TEST_F(HttpTransportTest, ListsFetchesAndSkipsUnsafeNames) {
  server_.dirs["inbox/"] = {{"b.x12", "B"}, {"a.x12", "A"}, {"../evil", "x"}, {".tmp", "x"}};
  auto t = Make();
  auto list = t->ListInbox();
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->files.size(), 2u);
  EXPECT_EQ(list->files[0].name, "a.x12");
  EXPECT_EQ(list->rejected, 2);
  auto f = t->Fetch("b.x12");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->content, "B");
  EXPECT_EQ(f->sha256, Sha256Hex("B"));
  EXPECT_NE(fake_.last_request().url.find("request=receive&directory=inbox%2F&filename=b.x12"),
            std::string::npos)
      << fake_.last_request().url;
  EXPECT_EQ(t->Fetch("missing").status().code(), StatusCode::kNotFound);
}

TEST_F(HttpTransportTest, RefusesTraversalNamesWithoutARequest) {
  auto t = Make();
  for (const char* bad : {"../x", "a/b", "/etc/passwd", "..", "a\nb"}) {
    EXPECT_EQ(t->Fetch(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(t->PutOutbox(bad, "x").code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(t->Delete(bad).code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(t->Archive(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(fake_.request_count(), 0u);
}

TEST_F(HttpTransportTest, PutIsIdempotentByName) {
  auto t = Make();
  EXPECT_TRUE(t->PutOutbox("A_850_1.x12", "ISA...").ok());
  EXPECT_EQ(server_.dirs["outbox/"]["A_850_1.x12"], "ISA...");
  EXPECT_EQ(fake_.last_request().headers.at("Content-Type"), "application/octet-stream");
  EXPECT_EQ(t->PutOutbox("A_850_1.x12", "ISA...").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t->PutOutbox("A_850_1.x12", "other").code(), StatusCode::kFailedPrecondition);
  // Cleo has sent it on: the copy in sentbox still counts.
  server_.dirs["sentbox/"]["A_850_1.x12"] = server_.dirs["outbox/"]["A_850_1.x12"];
  server_.dirs["outbox/"].clear();
  EXPECT_EQ(t->PutOutbox("A_850_1.x12", "ISA...").code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(server_.dirs["outbox/"].empty());
}

TEST_F(HttpTransportTest, SizeLimitBothWays) {
  server_.dirs["inbox/"] = {{"big", std::string(11, 'x')}};
  auto t = Make(TransportLimits{.max_file_bytes = 10});
  EXPECT_EQ(t->Fetch("big").status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(t->PutOutbox("x", std::string(11, 'x')).code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(t->PutOutbox("x", std::string(10, 'x')).ok());
}

TEST_F(HttpTransportTest, ArchiveCopiesThenDeletes) {
  server_.dirs["inbox/"] = {{"i.x12", "I"}};
  auto t = Make();
  ASSERT_TRUE(t->Archive("i.x12").ok());
  EXPECT_TRUE(server_.dirs["inbox/"].empty());
  EXPECT_EQ(server_.dirs["receivedbox/"]["i.x12"], "I");
  EXPECT_EQ(t->Archive("i.x12").code(), StatusCode::kNotFound);
  server_.dirs["inbox/"] = {{"j.x12", "J"}};
  ASSERT_TRUE(t->Delete("j.x12").ok());
  EXPECT_TRUE(server_.dirs["inbox/"].empty());
  EXPECT_EQ(t->Delete("j.x12").code(), StatusCode::kNotFound);
}

TEST_F(HttpTransportTest, WrongCredentialsArePermissionDeniedWithoutSecrets) {
  HttpTransportOptions o;
  o.base_url = "https://cleo.test:5443";
  o.username = "mbox";
  o.password = "wrong-pass-123";
  auto t = HttpTransport::Create(fake_, o);
  ASSERT_TRUE(t.ok());
  auto r = (*t)->ListInbox();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message().find("wrong-pass-123"), std::string::npos);
  EXPECT_EQ(fake_.request_count(), 1u);  // not retried
  EXPECT_EQ(Redact(fake_.last_request().headers.at("Authorization")), "Basic ***");
}

TEST_F(HttpTransportTest, RetriesServerErrorsThenMapsErrorBodies) {
  auto t = Make();
  auto& rule = fake_.On("POST", std::string(kServer) + "?request=list")
                   .Reply(500, R"({"message":"disk hiccup"})")
                   .Fail(UnavailableError("connection reset by peer"))
                   .Reply(200, "a\nb\n");
  auto list = t->ListInbox();
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->files.size(), 2u);
  EXPECT_EQ(rule.calls(), 3);
  fake_.On("POST", std::string(kServer) + "?request=list").Reply(403, R"({"message":"read only"})");
  auto denied = t->ListInbox();
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.status().message().find("read only"), std::string::npos);
}

TEST_F(HttpTransportTest, NeverTargetsAutorun) {
  HttpTransportOptions o;
  o.base_url = "https://cleo.test";
  o.username = "u";
  o.outbox_dir = "autorun/";
  EXPECT_EQ(HttpTransport::Create(fake_, o).status().code(), StatusCode::kPermissionDenied);
  o.outbox_dir = "outbox/";
  o.archive_dir = "../autorun";
  EXPECT_EQ(HttpTransport::Create(fake_, o).status().code(), StatusCode::kPermissionDenied);
  o.archive_dir = "/abs";
  EXPECT_EQ(HttpTransport::Create(fake_, o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpTransportTest, ObservesServerVersion) {
  server_.server_header = "Cleo Harmony/5.8.0.21";
  auto t = Make();
  ASSERT_TRUE(t->ListInbox().ok());
  ASSERT_TRUE(t->server_version());
  EXPECT_EQ(t->server_version()->ToString(), "Harmony 5.8.0.21");
}

TEST_F(HttpTransportTest, DropOutboundRunsTheSendActionEvenOnRetry) {
  fake_.On("POST", "https://api.test/api/authentication")
      .Reply(200, R"({"access_token":"tok-static-1"})");
  fake_.On("GET", "https://api.test/api/actions")
      .Reply(200, R"({"totalResults":1,"resources":[{"id":"a1","alias":"send ACME"}]})");
  auto& run = fake_.On("POST", "https://api.test/api/actions/a1/run")
                  .Reply(200, R"({"status":"completed","result":"success"})");
  SessionOptions so;
  so.base_url = "https://api.test";
  so.username = "u";
  so.password = "api-pass-1";
  Session session(fake_, so);
  RestApi api(session);
  auto t = Make();
  EXPECT_TRUE(DropOutbound(*t, &api, "send ACME", "A.x12", "X").ok());
  EXPECT_EQ(DropOutbound(*t, &api, "send ACME", "A.x12", "X").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(run.calls(), 2);
  EXPECT_EQ(DropOutbound(*t, &api, "send ACME", "A.x12", "Y").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(run.calls(), 2);
  EXPECT_TRUE(DropOutbound(*t, nullptr, "", "B.x12", "X").ok());
  EXPECT_EQ(DropOutbound(*t, nullptr, "act", "C.x12", "X").code(), StatusCode::kInternal);
}

TEST_F(HttpTransportTest, ConflictOnSendIsSettledByComparing) {
  auto t = Make();
  // The listing does not show the file yet, but the send finds it (an earlier attempt landed).
  fake_.On("POST", std::string(kServer) + "?request=list").Reply(200, "");
  fake_.On("POST", std::string(kServer) + "?request=send")
      .Reply(409, R"({"message":"file exists"})");
  fake_.On("POST", std::string(kServer) + "?request=receive").Reply(200, "ISA-same");
  EXPECT_EQ(t->PutOutbox("A.x12", "ISA-same").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t->PutOutbox("A.x12", "ISA-other").code(), StatusCode::kFailedPrecondition);
}

TEST(ParseServerListingTest, LinesWithCrLfAndBlanks) {
  EXPECT_EQ(ParseServerListing("a\r\n\r\nb\nc"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(ParseServerListing("").empty());
}

}  // namespace
}  // namespace mlc::cleo
