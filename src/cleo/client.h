// The Cleo client's entry points for flows: building sessions and transports from the config,
// dropping an outbound file (and running the send action), and fetching inbound files once.
//
//   Session session(http, *SessionOptionsFromConfig(config.cleo, cleo_password));
//   RestApi api(session);
//   TransportPassword pw = TransportPasswordOf(config.cleo, partner);  // which secret to resolve
//   auto transport = MakeTransport(config.cleo, partner, *secrets.Get(pw.ref, pw.key_path),
//                                  http, RealFileSystem());
//   Status s = DropOutbound(**transport, &api, partner.transport.run_action_after_drop, name, x12);
//   // s: OK (written), ALREADY_EXISTS (delivered earlier), or an error with its retry class
//
// "Processed once": inbound files are keyed by InboundFileId (name + SHA-256). The SeenFiles
// interface is what the store implements durably; MemorySeenFiles is for tests and one-shot runs.
//
// Thread safety: free functions are thread-safe when their arguments are; MemorySeenFiles is
// internally locked.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cleo/folder_transport.h"
#include "cleo/http_transport.h"
#include "cleo/rest_api.h"
#include "cleo/session.h"
#include "cleo/transport.h"
#include "common/curl_http_client.h"
#include "config/config.h"

namespace mlc::cleo {

// SessionOptions from the `cleo` section. `password` is the resolved `cleo.password`; when empty
// the reference's own value is used (env: references are read at config load).
// Errors: FAILED_PRECONDITION when no password is at hand (a vault reference not resolved);
// INVALID_ARGUMENT for an empty base_url or username.
Result<SessionOptions> SessionOptionsFromConfig(const config::CleoConfig& cleo,
                                                std::string_view password = {});

// The transport limits of the `cleo` section (max_file_size_mb).
TransportLimits TransportLimitsFromConfig(const config::CleoConfig& cleo);

// CurlHttpClient options for Cleo: TLS verification unless `verify_tls: false`, the CA file.
CurlHttpClientOptions HttpOptionsFromConfig(const config::CleoConfig& cleo);

// The secret an http transport logs in with: the partner's `transport.password`, or, when that
// is not set (configs written before the key existed), `cleo.password`. `key_path` names the
// chosen key for error messages (for ReferenceExportProfile: `cleo.reference_export.password`).
struct TransportPassword {
  const config::SecretRef& ref;
  std::string key_path;  // "partners[id=ACME].transport.password" or "cleo.password"
};
TransportPassword TransportPasswordOf(const config::CleoConfig& cleo,
                                      const config::PartnerConfig& partner);

// cleo.reference_export (which must be set) as a drop-only partner profile whose folder inbox is
// its outbox, so everything that serves a partner's mailbox (MakeTransport with its name and
// size checks, TransportPasswordOf, a per-profile transport cache) serves it too. Its id,
// kReferenceExportId, cannot be a partner's (partner ids have no '.').
inline constexpr std::string_view kReferenceExportId = "cleo.reference_export";
config::PartnerConfig ReferenceExportProfile(const config::CleoConfig& cleo);

// The transport a partner's config chooses:
//  - http: HttpTransport on cleo.base_url as the Local HTTP User `transport.mailbox`, logging in
//    with `password` (the resolved TransportPasswordOf secret; FAILED_PRECONDITION when empty);
//  - folder: FolderTransport whose root is the common parent of `transport.inbox` and
//    `transport.outbox` (INVALID_ARGUMENT when they do not share one); `password` is ignored.
Result<std::unique_ptr<FileTransport>> MakeTransport(const config::CleoConfig& cleo,
                                                     const config::PartnerConfig& partner,
                                                     std::string_view password, HttpClient& http,
                                                     FileSystem& fs, TransportLimits limits = {});

// Puts `content` into the outbox as `name`; when `action_alias` is not empty and the file is in
// place (written now, or found from an earlier attempt), runs that Cleo action so the file leaves
// at once. Returns the PutOutbox status (OK or ALREADY_EXISTS) when everything succeeded, else
// the first error. `api` may be null when no action is configured.
Status DropOutbound(FileTransport& transport, RestApi* api, std::string_view action_alias,
                    std::string_view name, std::string_view content);

// Which inbound files were processed already.
class SeenFiles {
 public:
  virtual ~SeenFiles() = default;
  virtual bool Contains(const InboundFileId& id) const = 0;
  virtual Status Add(const InboundFileId& id) = 0;
};

class MemorySeenFiles final : public SeenFiles {
 public:
  bool Contains(const InboundFileId& id) const override;
  Status Add(const InboundFileId& id) override;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::set<std::string> keys_;
};

struct InboxBatch {
  std::vector<FetchedFile> files;  // new files, in name order
  int already_seen = 0;            // listed and fetched, but processed before
  int rejected_names = 0;          // unsafe names skipped by the listing
  std::vector<Status> errors;      // per-file fetch errors (the file is skipped this round)
};

// Lists the inbox and fetches every file whose (name, content hash) is not in `seen`. A file that
// fails to fetch (too large, vanished) is reported in `errors` and does not stop the others.
// Errors: only the listing's.
Result<InboxBatch> FetchNewInbound(FileTransport& transport, const SeenFiles& seen);

}  // namespace mlc::cleo
