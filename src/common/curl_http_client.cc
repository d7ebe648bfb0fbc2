#include "common/curl_http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/redact.h"

#ifndef MLC_VERSION
#define MLC_VERSION "dev"
#endif

namespace mlc {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // CURL_GLOBAL_DEFAULT initialises TLS; it is not thread-safe itself, hence call_once. Never
    // cleaned up: handles may live in threads that outlast static destruction.
    curl_global_init(CURL_GLOBAL_DEFAULT);
  });
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// State shared with the libcurl callbacks of one transfer.
struct Transfer {
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nitems;
  std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after a 100 Continue or a proxy CONNECT): drop the earlier headers.
    t->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line ending the headers
  std::string name(Trim(line.substr(0, colon)));
  std::string value(Trim(line.substr(colon + 1)));
  auto [it, inserted] = t->response.headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;  // RFC 9110 5.3: repeated fields combine with ","
  return n;
}

long Millis(std::chrono::milliseconds d) { return static_cast<long>(d.count()); }

}  // namespace

std::string DefaultUserAgent() { return std::string("ml-connector/") + MLC_VERSION; }

namespace internal {

Status CurlErrorToStatus(int curl_code, std::string_view method, std::string_view url,
                         std::string_view detail) {
  const auto code = static_cast<CURLcode>(curl_code);
  const std::string what = fmt::format("{} {}", method, url);
  const std::string why = detail.empty() ? curl_easy_strerror(code) : std::string(detail);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError("{}: timed out ({})", what, why);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgumentError("{}: bad URL ({})", what, why);
    case CURLE_PEER_FAILED_VERIFICATION:
      return UnavailableError(
          "{}: TLS certificate problem: the server's certificate was not "
          "accepted ({})",
          what, why);
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
      return InvalidArgumentError(
          "{}: TLS certificate problem: cannot use the configured "
          "certificate files ({})",
          what, why);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return UnavailableError("{}: cannot resolve host ({})", what, why);
    case CURLE_COULDNT_CONNECT:
      return UnavailableError("{}: cannot connect ({})", what, why);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return UnavailableError("{}: connection dropped ({})", what, why);
    case CURLE_OUT_OF_MEMORY:
      return ResourceExhaustedError("{}: out of memory ({})", what, why);
    default:
      // TLS handshake failures, HTTP/2 framing errors, proxy errors, ...: transport trouble that
      // may clear up, so retriable.
      return UnavailableError("{}: transport error {} ({})", what, curl_code, why);
  }
}

}  // namespace internal

// Idle easy handles. curl_easy_reset clears a handle's options but keeps its connection cache,
// DNS cache and TLS session ids, which is what makes reuse worth it.
struct CurlHttpClient::Pool {
  static constexpr size_t kMaxIdleHandles = 8;

  std::unique_ptr<CURL, EasyDeleter> Take() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        std::unique_ptr<CURL, EasyDeleter> h = std::move(idle.back());
        idle.pop_back();
        return h;
      }
    }
    return std::unique_ptr<CURL, EasyDeleter>(curl_easy_init());
  }

  void Give(std::unique_ptr<CURL, EasyDeleter> h) {
    if (!h) return;
    curl_easy_reset(h.get());
    std::lock_guard lock(mu);
    if (idle.size() < kMaxIdleHandles) idle.push_back(std::move(h));
  }

  std::mutex mu;
  std::vector<std::unique_ptr<CURL, EasyDeleter>> idle;
};

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options)
    : options_(std::move(options)), pool_(std::make_unique<Pool>()) {
  GlobalInitOnce();
  if (options_.insecure_skip_verify) {
    LogWarn(
        "TLS certificate verification is off (insecure_skip_verify); use only against a "
        "test server");
  }
}

CurlHttpClient::~CurlHttpClient() = default;

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  if (options_.on_request) options_.on_request(request, DescribeRequest(request));
  const auto start = std::chrono::steady_clock::now();

  Transfer t;
  t.max_bytes = options_.max_response_bytes;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURLcode rc = CURLE_OK;
  std::unique_ptr<CURL, EasyDeleter> easy = pool_->Take();
  std::unique_ptr<curl_slist, SlistDeleter> headers;

  auto set = [&](CURLoption opt, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy.get(), opt, value);
  };
  if (!easy) {
    rc = CURLE_FAILED_INIT;
  } else {
    set(CURLOPT_ERRORBUFFER, errbuf);
    set(CURLOPT_URL, request.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: required with threads
    set(CURLOPT_TIMEOUT_MS, Millis(request.timeout));
    set(CURLOPT_CONNECTTIMEOUT_MS, Millis(request.connect_timeout));
    set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
    set(CURLOPT_SSL_VERIFYPEER, options_.insecure_skip_verify ? 0L : 1L);
    set(CURLOPT_SSL_VERIFYHOST, options_.insecure_skip_verify ? 0L : 2L);
    if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
    if (options_.proxy) set(CURLOPT_PROXY, options_.proxy->c_str());
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes));
    set(CURLOPT_WRITEFUNCTION, &OnBody);
    set(CURLOPT_WRITEDATA, &t);
    set(CURLOPT_HEADERFUNCTION, &OnHeader);
    set(CURLOPT_HEADERDATA, &t);

    if (request.method == "GET") {
      set(CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else {
      set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(CURLOPT_POSTFIELDS, request.body.data());
    }

    // "Expect:" stops libcurl's 100-continue round trip for large bodies; "Content-Type:"
    // stops it inventing application/x-www-form-urlencoded when the caller gave none.
    auto append = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next == nullptr) {
        rc = CURLE_OUT_OF_MEMORY;
        return;
      }
      (void)headers.release();  // `next` is the same list, one node longer
      headers.reset(next);
    };
    for (const auto& [name, value] : request.headers) {
      // "Name;" is libcurl's way to send a header with an empty value.
      std::string line = name;
      line += value.empty() ? ";" : ": ";
      line += value;
      append(line);
    }
    append("Expect:");
    if (request.headers.count("Content-Type") == 0) append("Content-Type:");
    set(CURLOPT_HTTPHEADER, headers.get());
    if (rc == CURLE_OK) rc = curl_easy_perform(easy.get());
  }

  Result<HttpResponse> result = HttpResponse{};
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    t.response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    result = std::move(t.response);
  } else if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    result = OutOfRangeError("{} {}: response body larger than {} bytes", request.method,
                             request.url, options_.max_response_bytes);
  } else {
    result = internal::CurlErrorToStatus(rc, request.method, request.url, errbuf);
  }
  pool_->Give(std::move(easy));

  if (options_.on_response) {
    options_.on_response(request, result,
                         result.ok() ? DescribeResponse(*result) : result.error().ToString());
  }
  return result;
}

}  // namespace mlc
