#include "cleo/http_transport.h"

#include <openssl/evp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "common/redact.h"

namespace mlc::cleo {
namespace {

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

std::vector<std::string> ParseServerListing(std::string_view body) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) names.emplace_back(line);
    start = end + 1;
  }
  return names;
}

HttpTransport::HttpTransport(HttpClient& http, HttpTransportOptions options, TransportLimits limits)
    : FileTransport(limits),
      http_(http),
      options_(std::move(options)),
      guard_(options_.refuse_vulnerable_server),
      stats_(options_.stats != nullptr ? options_.stats : &ProcessCallStats()) {
  RegisterSecret(options_.password);
  const std::string credential = Base64(options_.username + ":" + options_.password);
  RegisterSecret(credential);
  authorization_ = "Basic " + credential;
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(HttpClient& http,
                                                             HttpTransportOptions options,
                                                             TransportLimits limits) {
  if (options.base_url.empty()) return InvalidArgumentError("http transport: base_url is empty");
  if (options.username.empty()) return InvalidArgumentError("http transport: username is empty");
  for (const std::string* dir : {&options.inbox_dir, &options.outbox_dir}) {
    RETURN_IF_ERROR(ValidateMailboxDirectory(*dir).WithContext("http transport"));
  }
  for (const std::string* dir : {&options.sentbox_dir, &options.archive_dir}) {
    if (!dir->empty())
      RETURN_IF_ERROR(ValidateMailboxDirectory(*dir).WithContext("http transport"));
  }
  return std::unique_ptr<HttpTransport>(new HttpTransport(http, std::move(options), limits));
}

Result<HttpResponse> HttpTransport::Command(std::string_view request, const std::string& directory,
                                            const std::string& filename, std::string body) {
  std::vector<std::pair<std::string, std::string>> params = {{"request", std::string(request)},
                                                             {"directory", directory}};
  if (!filename.empty()) params.emplace_back("filename", filename);
  HttpRequest req;
  req.method = "POST";
  req.url = options_.base_url + options_.resource + "?" + FormEncode(params);
  req.headers["Authorization"] = authorization_;
  req.headers["Content-Type"] = "application/octet-stream";
  req.body = std::move(body);
  req.timeout = options_.request_timeout;
  req.connect_timeout = options_.connect_timeout;
  const std::string what =
      fmt::format("cleo /server request={} directory={}{}{}", request, Printable(directory),
                  filename.empty() ? "" : " filename=", Printable(filename));
  RetryLoop loop(options_.retry, options_.sleeper);
  return loop.Run([&](RetryAttempt& attempt) -> Result<HttpResponse> {
    if (attempt.number > 1) stats_->RecordRetry();
    Result<HttpResponse> sent = http_.Send(req);
    if (!sent.ok()) stats_->RecordTransportError();
    ASSIGN_OR_RETURN(HttpResponse resp, std::move(sent).WithContext(what));
    stats_->RecordResponse(resp.status);
    RETURN_IF_ERROR(guard_.Observe(resp));
    if (resp.status >= 200 && resp.status <= 299) return resp;
    if (resp.status == 429) {
      if (auto after = ParseRetryAfter(resp.Header("Retry-After"))) {
        attempt.retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(*after);
      }
    }
    Status s = ErrorFromResponse(resp, what);
    // Basic credentials do not expire: a 401 here means wrong credentials, not worth a retry.
    if (resp.status == 401) {
      return PermissionDeniedError("{}: the mailbox user '{}' was refused (HTTP 401)", what,
                                   Printable(options_.username));
    }
    return s;
  });
}

Result<std::vector<std::string>> HttpTransport::List(const std::string& directory) {
  ASSIGN_OR_RETURN(HttpResponse resp, Command("list", directory, ""));
  return ParseServerListing(resp.body);
}

Result<std::vector<RemoteFile>> HttpTransport::DoListInbox() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, List(options_.inbox_dir));
  std::vector<RemoteFile> out;
  out.reserve(names.size());
  for (std::string& n : names) out.push_back(RemoteFile{std::move(n), 0});
  return out;
}

Result<std::string> HttpTransport::DoFetch(const std::string& name) {
  ASSIGN_OR_RETURN(HttpResponse resp, Command("receive", options_.inbox_dir, name));
  return std::move(resp.body);
}

Status HttpTransport::DoPutOutbox(const std::string& name, std::string_view content) {
  for (const std::string* dir : {&options_.outbox_dir, &options_.sentbox_dir}) {
    if (dir->empty()) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> names, List(*dir));
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    ASSIGN_OR_RETURN(HttpResponse there, Command("receive", *dir, name));
    return CompareExistingOutbound(name, there.body, content);
  }
  Status sent = Command("send", options_.outbox_dir, name, std::string(content)).status();
  if (sent.code() != StatusCode::kAlreadyExists) return sent;
  // 409: the file appeared since the listing - typically our own earlier attempt whose response
  // was lost (the server wrote the file, then the connection dropped). Same bytes = delivered.
  ASSIGN_OR_RETURN(HttpResponse there, Command("receive", options_.outbox_dir, name));
  return CompareExistingOutbound(name, there.body, content);
}

Status HttpTransport::DoArchive(const std::string& name) {
  if (!options_.archive_dir.empty()) {
    ASSIGN_OR_RETURN(HttpResponse resp, Command("receive", options_.inbox_dir, name));
    Status copied = Command("send", options_.archive_dir, name, std::move(resp.body)).status();
    // An earlier archive of the same name (a retried Archive, or a partner reusing names) must
    // not keep the inbox file forever: the copy is best effort once it exists.
    if (!copied.ok() && copied.code() != StatusCode::kAlreadyExists) return copied;
  }
  return DoDelete(name);
}

Status HttpTransport::DoDelete(const std::string& name) {
  return Command("delete", options_.inbox_dir, name).status();
}

}  // namespace mlc::cleo
