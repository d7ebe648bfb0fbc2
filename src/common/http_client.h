// HttpClient: the interface every outbound HTTP call goes through (NetSuite, Cleo).
//
// CurlHttpClient (curl_http_client.h) is the real implementation: libcurl, TLS verification on by
// default, proxies from the environment (libcurl honours http_proxy/https_proxy/no_proxy),
// connect and total timeouts. FakeHttpClient (fake_http_client.h) is a scriptable fake for unit
// tests. Request/response hooks let callers trace traffic; traces pass through Redact() and
// never show Authorization/Cookie header values.
//
// Transport failures are returned as Status (UNAVAILABLE for refused/reset/DNS, DEADLINE_EXCEEDED
// for timeouts, INVALID_ARGUMENT for a malformed URL); any HTTP status, including 4xx and 5xx,
// is a successful Result carrying the HttpResponse: interpreting it belongs to the caller, who
// knows the remote system's error bodies.
//
// Thread safety: Send may be called concurrently from several threads.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace mlc {

// Case-insensitive header names, as HTTP wants them.
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using HttpHeaders = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string url;             // absolute: https://host/path?query
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // whole request
  std::chrono::milliseconds connect_timeout{10000};
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds elapsed{0};

  // Returns the header value or "" when absent.
  std::string Header(const std::string& name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Renders a request or response for traces: method and URL (or status and elapsed time), one
// "Name: value" line per header with Authorization, Proxy-Authorization, Cookie and Set-Cookie
// values replaced by "***", then a blank line and the body cut at `max_body` bytes. The whole
// text is passed through Redact(), so registered secrets in the URL or body never show.
std::string DescribeRequest(const HttpRequest& r, size_t max_body = 512);
std::string DescribeResponse(const HttpResponse& r, size_t max_body = 512);

// Percent-encodes `s` for a query string or form body: RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~) are kept, every other byte becomes %XX with uppercase hex; a space is
// "%20", never "+".
std::string UrlEncode(std::string_view s);
// Builds "a=1&b=x%20y" from pairs, in the given order.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace mlc
