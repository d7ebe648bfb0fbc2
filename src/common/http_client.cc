// Shared pieces of the HttpClient interface: header maps, trace rendering, URL/form encoding.
#include "common/http_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "common/redact.h"

namespace mlc {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

// Headers whose values are credentials or session state: never shown, whatever Redact knows.
bool IsSensitiveHeader(std::string_view name) {
  for (std::string_view s : {"authorization", "proxy-authorization", "cookie", "set-cookie"}) {
    if (EqualsIgnoreCase(name, s)) return true;
  }
  return false;
}

void AppendHeaders(std::string& out, const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    fmt::format_to(std::back_inserter(out), "{}: {}\n", name,
                   IsSensitiveHeader(name) ? kRedacted : std::string_view{value});
  }
}

void AppendBody(std::string& out, const std::string& body, size_t max_body) {
  if (body.empty()) return;
  out += '\n';
  if (body.size() <= max_body) {
    out += body;
  } else {
    out.append(body, 0, max_body);
    fmt::format_to(std::back_inserter(out), "... ({} more bytes)", body.size() - max_body);
  }
}

}  // namespace

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return Lower(x) < Lower(y); });
}

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string DescribeRequest(const HttpRequest& r, size_t max_body) {
  std::string out = fmt::format("{} {}\n", r.method, r.url);
  AppendHeaders(out, r.headers);
  AppendBody(out, r.body, max_body);
  // Redact last, over the whole text: a cut body may still hold a whole registered secret.
  return Redact(out);
}

std::string DescribeResponse(const HttpResponse& r, size_t max_body) {
  std::string out = fmt::format("HTTP {} ({} ms)\n", r.status, r.elapsed.count());
  AppendHeaders(out, r.headers);
  AppendBody(out, r.body, max_body);
  return Redact(out);
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    // RFC 3986 section 2.3 unreserved characters pass; everything else is %XX (uppercase hex,
    // as OAuth 1.0a signature base strings require).
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '&';
    out += UrlEncode(key);
    out += '=';
    out += UrlEncode(value);
  }
  return out;
}

}  // namespace mlc
