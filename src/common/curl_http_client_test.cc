// Real HTTP over loopback: a cpp-httplib server on port 0 in this process. httplib stays in this
// one translation unit (it is slow to compile).
#include "common/curl_http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/redact.h"

namespace mlc {
namespace {

using std::chrono::milliseconds;

// httplib's stop() does nothing before the accept loop has started, so a test that never
// connects would hang in TearDown; wait (bounded) for the loop first.
void WaitUntilRunning(httplib::Server& server) {
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_TRUE(server.is_running());
}

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClearSecretsForTest();
    server_.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Echo", req.get_header_value("X-Trace"));
      res.set_content("hello " + req.get_header_value("User-Agent"), "text/plain");
    });
    auto echo = [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_header("X-Method", req.method);
      res.set_header("X-Content-Type", req.get_header_value("Content-Type"));
      res.set_content(req.body, "application/json");
    };
    server_.Post("/echo", echo);
    server_.Put("/echo", echo);
    server_.Patch("/echo", echo);
    server_.Delete("/echo", echo);
    server_.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.remote_port), "text/plain");
    });
    server_.Get("/status/500", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content(R"({"error":"boom"})", "application/json");
    });
    server_.Get("/status/429", [](const httplib::Request&, httplib::Response& res) {
      res.status = 429;
      res.set_header("Retry-After", "3");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(milliseconds(800));
      res.set_content("late", "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(100000, 'x'), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    WaitUntilRunning(server_);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    ClearSecretsForTest();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  static CurlHttpClientOptions NoProxy() {
    CurlHttpClientOptions o;
    o.proxy = "";  // hermetic: ignore any http_proxy in the environment
    return o;
  }
  static HttpRequest Req(std::string method, std::string url, std::string body = "") {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    r.timeout = milliseconds(5000);
    return r;
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(CurlHttpClientTest, GetWithHeadersBothWays) {
  CurlHttpClient client(NoProxy());
  HttpRequest req = Req("GET", Url("/hello"));
  req.headers["X-Trace"] = "abc-123";
  auto r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello " + DefaultUserAgent());
  EXPECT_EQ(r->Header("x-echo"), "abc-123");
  EXPECT_EQ(r->Header("Content-Type"), "text/plain");
  EXPECT_EQ(DefaultUserAgent().rfind("ml-connector/", 0), 0u);
}

TEST_F(CurlHttpClientTest, BodyMethods) {
  CurlHttpClient client(NoProxy());
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    HttpRequest req = Req(method, Url("/echo"), std::string(R"({"method":")") + method + "\"}");
    req.headers["Content-Type"] = "application/json";
    auto r = client.Send(req);
    ASSERT_TRUE(r.ok()) << method << ": " << r.status();
    EXPECT_EQ(r->status, 201) << method;
    EXPECT_EQ(r->Header("X-Method"), method);
    EXPECT_EQ(r->Header("X-Content-Type"), "application/json") << method;
    EXPECT_EQ(r->body, req.body) << method;
  }
}

TEST_F(CurlHttpClientTest, LargeBodyWithoutContentTypeIsSentAsIs) {
  CurlHttpClient client(NoProxy());
  // > 1 MiB would make libcurl send "Expect: 100-continue" unless suppressed.
  std::string body(1500000, 'q');
  auto r = client.Send(Req("POST", Url("/echo"), body));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body.size(), body.size());
  EXPECT_EQ(r->Header("X-Content-Type"), "");  // libcurl did not invent a form content type
}

TEST_F(CurlHttpClientTest, ServerErrorsAreResponsesNotErrors) {
  CurlHttpClient client(NoProxy());
  auto r500 = client.Send(Req("GET", Url("/status/500")));
  ASSERT_TRUE(r500.ok()) << r500.status();
  EXPECT_EQ(r500->status, 500);
  EXPECT_EQ(r500->body, R"({"error":"boom"})");
  auto r429 = client.Send(Req("GET", Url("/status/429")));
  ASSERT_TRUE(r429.ok()) << r429.status();
  EXPECT_EQ(r429->status, 429);
  EXPECT_EQ(r429->Header("retry-after"), "3");
  auto r404 = client.Send(Req("GET", Url("/nothing-here")));
  ASSERT_TRUE(r404.ok());
  EXPECT_EQ(r404->status, 404);
}

TEST_F(CurlHttpClientTest, TimeoutIsDeadlineExceeded) {
  CurlHttpClient client(NoProxy());
  HttpRequest req = Req("GET", Url("/slow"));
  req.timeout = milliseconds(150);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kDeadlineExceeded) << r.error();
  EXPECT_TRUE(r.error().retriable());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(700));
  EXPECT_NE(r.error().message().find("GET " + Url("/slow")), std::string::npos) << r.error();
}

TEST_F(CurlHttpClientTest, ResponseTooLargeIsOutOfRange) {
  CurlHttpClientOptions o = NoProxy();
  o.max_response_bytes = 1000;
  CurlHttpClient client(o);
  auto r = client.Send(Req("GET", Url("/big")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kOutOfRange) << r.error();
}

TEST_F(CurlHttpClientTest, HooksSeeRedactedDescriptions) {
  RegisterSecret("sekret-token-42");
  std::vector<std::string> seen;
  int responses = 0;
  CurlHttpClientOptions o = NoProxy();
  o.on_request = [&](const HttpRequest& req, const std::string& description) {
    EXPECT_EQ(req.headers.at("Authorization"), "Bearer sekret-token-42");  // the raw object
    seen.push_back(description);
  };
  o.on_response = [&](const HttpRequest&, const Result<HttpResponse>& r,
                      const std::string& description) {
    ++responses;
    EXPECT_TRUE(r.ok());
    seen.push_back(description);
  };
  CurlHttpClient client(o);
  HttpRequest req = Req("POST", Url("/echo?api_key=sekret-token-42"), "pw=sekret-token-42");
  req.headers["Authorization"] = "Bearer sekret-token-42";
  req.headers["X-Other"] = "sekret-token-42";
  auto r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(responses, 1);
  ASSERT_EQ(seen.size(), 2u);
  for (const std::string& d : seen) {
    EXPECT_EQ(d.find("sekret-token-42"), std::string::npos) << d;
  }
  EXPECT_NE(seen[0].find("Authorization: ***"), std::string::npos) << seen[0];
  EXPECT_NE(seen[0].find("api_key=***"), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find("HTTP 201"), std::string::npos) << seen[1];
}

TEST_F(CurlHttpClientTest, ReusesConnections) {
  CurlHttpClient client(NoProxy());
  auto first = client.Send(Req("GET", Url("/port")));
  auto second = client.Send(Req("GET", Url("/port")));
  ASSERT_TRUE(first.ok() && second.ok());
  // The same client port: the second request went over the first one's connection.
  EXPECT_EQ(first->body, second->body);
}

TEST_F(CurlHttpClientTest, ConcurrentCalls) {
  CurlHttpClient client(NoProxy());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = client.Send(Req("GET", Url("/hello")));
        if (r.ok() && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
}

// A port that was just bound and closed again: nothing listens there.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(CurlHttpClientErrorsTest, ConnectionRefusedIsUnavailable) {
  ClearSecretsForTest();
  CurlHttpClientOptions o;
  o.proxy = "";
  CurlHttpClient client(o);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/x";
  req.headers["Authorization"] = "Bearer do-not-show";
  req.body = "body-do-not-show";
  auto r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kUnavailable) << r.error();
  EXPECT_NE(r.error().message().find("GET " + req.url), std::string::npos) << r.error();
  EXPECT_EQ(r.error().message().find("do-not-show"), std::string::npos) << r.error();
}

// A raw TCP server that reads the request, then closes (mode kClose) or resets (kReset).
class DroppingServer {
 public:
  enum class Mode { kClose, kReset };
  explicit DroppingServer(Mode mode) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, mode] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)read(c, buf, sizeof buf);
      if (mode == Mode::kReset) {
        linger l{1, 0};  // close with RST instead of FIN
        setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      }
      close(c);
    });
  }
  ~DroppingServer() {
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(CurlHttpClientErrorsTest, DroppedConnectionIsUnavailable) {
  for (auto mode : {DroppingServer::Mode::kClose, DroppingServer::Mode::kReset}) {
    DroppingServer server(mode);
    CurlHttpClientOptions o;
    o.proxy = "";
    CurlHttpClient client(o);
    HttpRequest req;
    req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/x";
    req.timeout = milliseconds(5000);
    auto r = client.Send(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), StatusCode::kUnavailable) << r.error();
    EXPECT_NE(r.error().message().find("connection dropped"), std::string::npos) << r.error();
  }
}

TEST(CurlHttpClientErrorsTest, BadUrlIsInvalidArgument) {
  CurlHttpClientOptions o;
  o.proxy = "";
  CurlHttpClient client(o);
  for (const char* url : {"not a url", "ftp://127.0.0.1/x", "http://[::1/x"}) {
    HttpRequest req;
    req.url = url;
    auto r = client.Send(req);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << url << ": " << r.error();
  }
}

TEST(CurlHttpClientErrorsTest, ErrorMapping) {
  using internal::CurlErrorToStatus;
  auto tls = CurlErrorToStatus(CURLE_PEER_FAILED_VERIFICATION, "GET", "https://x/", "bad cert");
  EXPECT_EQ(tls.code(), StatusCode::kUnavailable);
  EXPECT_NE(tls.message().find("TLS certificate problem"), std::string::npos) << tls;
  EXPECT_EQ(CurlErrorToStatus(CURLE_COULDNT_RESOLVE_HOST, "GET", "https://nx/", "").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(CurlErrorToStatus(CURLE_OPERATION_TIMEDOUT, "GET", "https://x/", "").code(),
            StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CurlErrorToStatus(CURLE_URL_MALFORMAT, "GET", "x", "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CurlErrorToStatus(CURLE_SSL_CACERT_BADFILE, "GET", "https://x/", "").code(),
            StatusCode::kInvalidArgument);
  RegisterSecret("url-secret-1");
  auto s = CurlErrorToStatus(CURLE_COULDNT_CONNECT, "POST", "https://x/?k=url-secret-1", "");
  EXPECT_EQ(s.message().find("url-secret-1"), std::string::npos) << s;
  ClearSecretsForTest();
}

TEST(CurlHttpClientErrorsTest, TlsAgainstPlainServerIsUnavailable) {
  // A TLS handshake against the plain-HTTP dropping server fails: transport trouble.
  DroppingServer server(DroppingServer::Mode::kClose);
  CurlHttpClientOptions o;
  o.proxy = "";
  CurlHttpClient client(o);
  HttpRequest req;
  req.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/x";
  auto r = client.Send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kUnavailable) << r.error();
}

// TLS against a self-signed certificate made for this test with the openssl command (installed
// with the openssl package that libssl depends on in practice).
class CurlTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("mlc_tls_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      GTEST_SKIP() << "the openssl command could not make a test certificate: " << cmd;
    }
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key_.c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("secure hello", "text/plain");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    WaitUntilRunning(*server_);
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }

  Result<HttpResponse> Get(CurlHttpClientOptions o) {
    o.proxy = "";
    CurlHttpClient client(o);
    HttpRequest req;
    req.url = "https://127.0.0.1:" + std::to_string(port_) + "/hello";
    req.timeout = milliseconds(5000);
    return client.Send(req);
  }

  std::filesystem::path dir_;
  std::string cert_, key_;
  std::unique_ptr<httplib::SSLServer> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(CurlTlsTest, UntrustedCertificateIsACertificateProblem) {
  auto r = Get({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kUnavailable) << r.error();
  EXPECT_NE(r.error().message().find("TLS certificate problem"), std::string::npos) << r.error();
}

TEST_F(CurlTlsTest, TrustedThroughCaFile) {
  CurlHttpClientOptions o;
  o.ca_file = cert_;
  auto r = Get(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secure hello");
}

TEST_F(CurlTlsTest, UnreadableCaFileIsInvalidArgument) {
  CurlHttpClientOptions o;
  o.ca_file = (dir_ / "missing.pem").string();
  auto r = Get(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error();
}

TEST_F(CurlTlsTest, InsecureSkipVerifyWorksAndWarns) {
  std::ostringstream log;
  LogOptions lo;
  lo.sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  ASSERT_TRUE(InitLogging(lo).ok());
  CurlHttpClientOptions o;
  o.insecure_skip_verify = true;
  auto r = Get(o);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test-off"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secure hello");
  EXPECT_NE(log.str().find("WARN TLS certificate verification is off"), std::string::npos)
      << log.str();
}

}  // namespace
}  // namespace mlc
