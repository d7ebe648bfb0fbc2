// CurlHttpClient: the real HttpClient, on libcurl.
//
// Each Send takes a CURL easy handle from a small pool (or makes one) and has it to itself, so
// calls from several threads run in parallel; a returned handle keeps its open connections, so
// consecutive calls to the same host reuse the TCP/TLS connection. At most kMaxIdleHandles idle
// handles are kept. curl_global_init runs once per process,
// on first construction. libcurl is linked privately: this header does not include curl.h.
//
// Defaults: TLS peer and host verification ON (turning it off needs `insecure_skip_verify`, and
// logs a warning at construction); the system CA bundle unless `ca_file` is set; proxies from the
// environment (http_proxy, https_proxy, no_proxy) as libcurl reads them, unless `proxy` is set;
// redirects are NOT followed (NetSuite and Cleo do not redirect API calls; a 3xx comes back as a
// response); gzip/deflate responses are decoded; only http and https URLs are allowed.
//
// Errors (the message names the method and redacted URL, never header values or bodies):
//   connection refused or reset, DNS failure, empty reply, proxy failure  -> UNAVAILABLE
//   request or connect timeout                                           -> DEADLINE_EXCEEDED
//   malformed URL, unsupported scheme                                    -> INVALID_ARGUMENT
//   TLS certificate verification failed   -> UNAVAILABLE, "TLS certificate problem: ..."
//   response body larger than max_response_bytes                        -> OUT_OF_RANGE
// Any HTTP status, 4xx and 5xx included, is returned as an HttpResponse.
//
// Thread safety: Send may be called concurrently. The hooks are called on the calling thread
// and must themselves be thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_client.h"
#include "common/status.h"

namespace mlc {

// "ml-connector/<version>", the default User-Agent.
std::string DefaultUserAgent();

struct CurlHttpClientOptions {
  std::string user_agent = DefaultUserAgent();
  // Disables TLS peer and host verification. Only for a test server with a self-signed
  // certificate; the client logs a warning when constructed with it.
  bool insecure_skip_verify = false;
  // PEM bundle of trusted CAs; empty = the system default.
  std::string ca_file;
  // nullopt: proxies from the environment (libcurl's default). "": no proxy at all, whatever the
  // environment says. Otherwise a proxy URL such as "http://proxy:3128".
  std::optional<std::string> proxy;
  // Larger bodies fail the request with OUT_OF_RANGE.
  size_t max_response_bytes = 64u << 20;

  // Tracing hooks. on_request runs just before the transfer, on_response after it (also for
  // transport errors). `description` is DescribeRequest/DescribeResponse output (redacted, secret
  // headers masked); the raw objects are passed too, for hooks that need them - those must
  // not log them.
  std::function<void(const HttpRequest& request, const std::string& description)> on_request;
  std::function<void(const HttpRequest& request, const Result<HttpResponse>& response,
                     const std::string& description)>
      on_response;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

  const CurlHttpClientOptions& options() const { return options_; }

 private:
  struct Pool;

  CurlHttpClientOptions options_;
  std::unique_ptr<Pool> pool_;
};

namespace internal {
// Maps a libcurl error code (a CURLcode) to a Status naming `method` and `url`; `detail` is
// libcurl's error text. Exposed for tests of the cases a loopback server cannot produce.
Status CurlErrorToStatus(int curl_code, std::string_view method, std::string_view url,
                         std::string_view detail);
}  // namespace internal

}  // namespace mlc
