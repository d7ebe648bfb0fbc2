#include "cleo/client.h"

#include <utility>

#include "common/log.h"

namespace mlc::cleo {
namespace {

Result<std::string> PasswordOf(const config::CleoConfig& cleo, std::string_view resolved) {
  if (!resolved.empty()) return std::string(resolved);
  if (cleo.password.kind == config::SecretRef::Kind::kNone) {
    return InvalidArgumentError("cleo.password is not set");
  }
  if (cleo.password.value.empty()) {
    return FailedPreconditionError("cleo.password ({}) has not been resolved",
                                   cleo.password.ToString());
  }
  return cleo.password.value;
}

// The session settings without the password (the transport has its own).
Result<SessionOptions> SessionSettings(const config::CleoConfig& cleo) {
  if (cleo.base_url.empty()) return InvalidArgumentError("cleo.base_url is empty");
  if (cleo.username.empty()) return InvalidArgumentError("cleo.username is empty");
  SessionOptions o;
  o.base_url = cleo.base_url;
  o.username = cleo.username;
  if (cleo.token_max_age.count() > 0) o.token_max_age = cleo.token_max_age;
  if (cleo.timeouts.request.count() > 0) o.request_timeout = cleo.timeouts.request;
  if (cleo.timeouts.connect.count() > 0) o.connect_timeout = cleo.timeouts.connect;
  if (cleo.retry.max_attempts > 0) o.retry.max_attempts = cleo.retry.max_attempts;
  if (cleo.retry.initial_backoff.count() > 0) o.retry.initial = cleo.retry.initial_backoff;
  if (cleo.retry.max_backoff.count() > 0) o.retry.max_delay = cleo.retry.max_backoff;
  o.refuse_vulnerable_server = cleo.refuse_vulnerable_server;
  return o;
}

}  // namespace

Result<SessionOptions> SessionOptionsFromConfig(const config::CleoConfig& cleo,
                                                std::string_view password) {
  ASSIGN_OR_RETURN(SessionOptions o, SessionSettings(cleo));
  ASSIGN_OR_RETURN(o.password, PasswordOf(cleo, password));
  return o;
}

TransportPassword TransportPasswordOf(const config::CleoConfig& cleo,
                                      const config::PartnerConfig& partner) {
  if (!partner.transport.password.empty()) {
    return {partner.transport.password,
            partner.id == kReferenceExportId
                ? std::string(kReferenceExportId) + ".password"
                : fmt::format("partners[id={}].transport.password", partner.id)};
  }
  return {cleo.password, "cleo.password"};
}

config::PartnerConfig ReferenceExportProfile(const config::CleoConfig& cleo) {
  const config::ReferenceExportConfig& e = cleo.reference_export.value();
  config::PartnerConfig p;
  p.id = std::string(kReferenceExportId);
  p.transport.type = e.type;
  p.transport.mailbox = e.mailbox;
  p.transport.inbox = e.outbox;
  p.transport.outbox = e.outbox;
  p.transport.run_action_after_drop = e.run_action_after_drop;
  p.transport.password = e.password;
  return p;
}

TransportLimits TransportLimitsFromConfig(const config::CleoConfig& cleo) {
  TransportLimits l;
  l.max_file_bytes = static_cast<uint64_t>(cleo.max_file_size_mb) << 20;
  return l;
}

CurlHttpClientOptions HttpOptionsFromConfig(const config::CleoConfig& cleo) {
  CurlHttpClientOptions o;
  o.insecure_skip_verify = !cleo.verify_tls;
  o.ca_file = cleo.ca_file;
  return o;
}

Result<std::unique_ptr<FileTransport>> MakeTransport(const config::CleoConfig& cleo,
                                                     const config::PartnerConfig& partner,
                                                     std::string_view password, HttpClient& http,
                                                     FileSystem& fs, TransportLimits limits) {
  const std::string ctx = fmt::format("partner {} transport", partner.id);
  const auto& t = partner.transport;
  if (t.type == config::TransportType::kHttp) {
    ASSIGN_OR_RETURN(SessionOptions session, SessionSettings(cleo));
    if (password.empty()) {
      return FailedPreconditionError("{}: no password for mailbox '{}' ({} not resolved)", ctx,
                                     Printable(t.mailbox),
                                     TransportPasswordOf(cleo, partner).key_path);
    }
    HttpTransportOptions o;
    o.base_url = session.base_url;
    o.username = t.mailbox;
    o.password = std::string(password);
    o.request_timeout = session.request_timeout;
    o.connect_timeout = session.connect_timeout;
    o.retry = session.retry;
    o.refuse_vulnerable_server = cleo.refuse_vulnerable_server;
    ASSIGN_OR_RETURN(auto transport,
                     std::move(HttpTransport::Create(http, std::move(o), limits)).WithContext(ctx));
    return std::unique_ptr<FileTransport>(std::move(transport));
  }
  std::filesystem::path inbox = std::filesystem::path(t.inbox).lexically_normal();
  std::filesystem::path outbox = std::filesystem::path(t.outbox).lexically_normal();
  if (!inbox.has_filename()) inbox = inbox.parent_path();
  if (!outbox.has_filename()) outbox = outbox.parent_path();
  if (inbox.parent_path() != outbox.parent_path()) {
    return InvalidArgumentError("{}: folder inbox '{}' and outbox '{}' must be siblings", ctx,
                                Printable(t.inbox), Printable(t.outbox));
  }
  FolderTransportOptions o;
  o.root = inbox.parent_path();
  o.inbox = inbox.filename().string();
  o.outbox = outbox.filename().string();
  ASSIGN_OR_RETURN(auto transport,
                   std::move(FolderTransport::Create(fs, std::move(o), limits)).WithContext(ctx));
  return std::unique_ptr<FileTransport>(std::move(transport));
}

Status DropOutbound(FileTransport& transport, RestApi* api, std::string_view action_alias,
                    std::string_view name, std::string_view content) {
  Status put = transport.PutOutbox(name, content);
  if (!put.ok() && put.code() != StatusCode::kAlreadyExists) return put;
  if (action_alias.empty()) return put;
  if (api == nullptr) {
    return InternalError("dropping '{}': action '{}' configured but no REST API given",
                         Printable(name), Printable(action_alias));
  }
  ASSIGN_OR_RETURN(std::string id, api->FindActionId(action_alias));
  ASSIGN_OR_RETURN(ActionRun run, api->RunAction(id));
  LogInfo("ran the cleo send action after a drop",
          {{"file", Printable(name)}, {"action", Printable(action_alias)}, {"result", run.result}});
  return put;
}

bool MemorySeenFiles::Contains(const InboundFileId& id) const {
  std::lock_guard lock(mu_);
  return keys_.count(id.key()) > 0;
}

Status MemorySeenFiles::Add(const InboundFileId& id) {
  std::lock_guard lock(mu_);
  keys_.insert(id.key());
  return Status::Ok();
}

size_t MemorySeenFiles::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

Result<InboxBatch> FetchNewInbound(FileTransport& transport, const SeenFiles& seen) {
  ASSIGN_OR_RETURN(ListResult listing, transport.ListInbox());
  InboxBatch batch;
  batch.rejected_names = listing.rejected;
  std::set<std::string> this_round;
  for (const RemoteFile& f : listing.files) {
    Result<FetchedFile> fetched = transport.Fetch(f.name);
    if (!fetched.ok()) {
      batch.errors.push_back(fetched.error());
      continue;
    }
    const InboundFileId id = fetched->id();
    if (seen.Contains(id) || !this_round.insert(id.key()).second) {
      ++batch.already_seen;
      continue;
    }
    batch.files.push_back(std::move(fetched).value());
  }
  return batch;
}

}  // namespace mlc::cleo
