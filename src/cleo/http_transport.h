// HttpTransport: a partner mailbox through the Harmony/VLTrader HTTP server commands on the
// `/server` resource, authenticated (HTTP Basic) as the mailbox's Local HTTP User (cleo.md
// section 2.3, from Cleo's "HTTP Server Command Reference"):
//
//   POST {base}/server?request=list&directory=inbox/                       -> one name per line
//   POST {base}/server?request=receive&directory=inbox/&filename=X         -> the bytes
//   POST {base}/server?request=send&directory=outbox/&filename=X  body=the bytes
//   POST {base}/server?request=delete&directory=inbox/&filename=X
//
// Parameters go on the POST line as in Cleo's captures; the upload body is the raw file
// (application/octet-stream). Cleo's own defaults are the partner's view (send -> inbox/,
// list/receive/delete -> outbox/payload/); the connector names every directory explicitly, and
// which directory plays our inbox and outbox is configurable. Cleo documents no listing format:
// we read one file name per line (CR/LF tolerated, blank lines ignored) - an assumption to check
// against a real server.
//
// PutOutbox first lists the outbox and sentbox and, when the name is there, fetches it and
// compares (transport.h); only then sends. A 409 on the send (the file appeared meanwhile, e.g.
// our own earlier attempt whose response was lost) is settled the same way: fetch and compare.
// Archive re-uploads the file into `archive_dir` and deletes it from the inbox (no move command
// exists); with an empty archive_dir it only deletes. Transient failures (transport errors, 5xx,
// 429) are retried with `retry`; every attempt and retry is counted in a CallStats
// (call_stats.h). The mailbox password is registered as a secret, as is the Basic
// credential built from it.
//
// Thread safety: every member function may be called from any thread. The HttpClient must
// outlive the transport.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cleo/call_stats.h"
#include "cleo/session.h"
#include "cleo/transport.h"
#include "common/http_client.h"
#include "common/retry.h"

namespace mlc::cleo {

struct HttpTransportOptions {
  std::string base_url;  // "https://harmony.example.com:5443"
  std::string resource = "/server";
  std::string username;  // the Local HTTP User (mailbox)
  std::string password;
  std::string inbox_dir = "inbox/";
  std::string outbox_dir = "outbox/";
  std::string sentbox_dir = "sentbox/";      // empty: not checked
  std::string archive_dir = "receivedbox/";  // empty: Archive only deletes
  std::chrono::milliseconds request_timeout{60000};
  std::chrono::milliseconds connect_timeout{10000};
  BackoffPolicy retry{.initial = std::chrono::milliseconds(200),
                      .multiplier = 2.0,
                      .max_delay = std::chrono::milliseconds(5000),
                      .max_attempts = 4};
  RetryLoop::Sleeper sleeper;  // null: really sleep
  bool refuse_vulnerable_server = false;
  CallStats* stats = nullptr;  // null: ProcessCallStats() (call_stats.h)
};

class HttpTransport final : public FileTransport {
 public:
  // Validates the directories (ValidateMailboxDirectory: never autorun). Errors:
  // INVALID_ARGUMENT / PERMISSION_DENIED.
  static Result<std::unique_ptr<HttpTransport>> Create(HttpClient& http,
                                                       HttpTransportOptions options,
                                                       TransportLimits limits = {});

  std::string_view kind() const override { return "http"; }
  std::optional<ServerVersion> server_version() const { return guard_.version(); }
  // Where this transport's calls are counted.
  const CallStats& stats() const { return *stats_; }

 protected:
  Result<std::vector<RemoteFile>> DoListInbox() override;
  Result<std::string> DoFetch(const std::string& name) override;
  Status DoPutOutbox(const std::string& name, std::string_view content) override;
  Status DoArchive(const std::string& name) override;
  Status DoDelete(const std::string& name) override;

 private:
  HttpTransport(HttpClient& http, HttpTransportOptions options, TransportLimits limits);
  // One command; returns the 2xx response or the mapped error (after retries).
  Result<HttpResponse> Command(std::string_view request, const std::string& directory,
                               const std::string& filename, std::string body = "");
  Result<std::vector<std::string>> List(const std::string& directory);

  HttpClient& http_;
  HttpTransportOptions options_;
  std::string authorization_;  // "Basic ..."
  ServerVersionGuard guard_;
  CallStats* stats_;
};

// Parses a `request=list` body: one name per line.
std::vector<std::string> ParseServerListing(std::string_view body);

}  // namespace mlc::cleo
