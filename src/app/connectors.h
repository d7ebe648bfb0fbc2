// Connectors: the live connections one config needs, built once and shared by every flow: the
// NetSuite client (with its authenticator and governor), the Cleo session and REST API, and one
// file transport per partner (built on first use, then kept, so an http mailbox logs in once).
//
// Secrets are resolved through the SecretResolver (vault or environment) and never stored here
// beyond the objects that need them. Ownership: Connectors owns everything it builds; it keeps
// references to the Config and the SecretResolver, which must outlive it.
// Thread safety: every method may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "app/secrets.h"
#include "cleo/client.h"
#include "common/curl_http_client.h"
#include "config/config.h"
#include "flows/env.h"
#include "netsuite/connection.h"

namespace mlc::app {

class Connectors {
 public:
  // Builds the NetSuite client (credentials resolved now, so a missing secret fails at start
  // with the key that names it) and the Cleo HTTP client and session. Nothing is contacted yet.
  static Result<std::unique_ptr<Connectors>> Open(const config::Config& config,
                                                  SecretResolver& secrets);

  netsuite::Client& netsuite() { return *netsuite_->client; }
  // The OAuth 2.0 authenticator (for its token stats), or null with TBA.
  const netsuite::Oauth2Authenticator* netsuite_oauth2() const { return netsuite_->oauth2(); }
  cleo::RestApi& cleo_api() { return *cleo_api_; }
  // The partner's transport. Errors: those of building it (a missing mailbox password, ...).
  Result<cleo::FileTransport*> Transport(const config::PartnerConfig& partner);

  // The transport of cleo.reference_export, kept like a partner's (cleo::ReferenceExportProfile).
  // FAILED_PRECONDITION when the config has no export; else the errors of building it.
  Result<cleo::FileTransport*> ReferenceExportTransport();
  // A FlowEnv over these connections (the caller sets store and worker id).
  flows::FlowEnv Env(const config::Config& config);

 private:
  Connectors(const config::Config& config, SecretResolver& secrets)
      : config_(config), secrets_(secrets) {}

  const config::Config& config_;
  SecretResolver& secrets_;
  std::unique_ptr<netsuite::Connection> netsuite_;
  std::unique_ptr<CurlHttpClient> cleo_http_;
  std::unique_ptr<cleo::Session> cleo_session_;
  std::unique_ptr<cleo::RestApi> cleo_api_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<cleo::FileTransport>, std::less<>> transports_;
};

}  // namespace mlc::app
