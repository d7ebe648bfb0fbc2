#include "app/connectors.h"

#include "common/file_system.h"

namespace mlc::app {

Result<std::unique_ptr<Connectors>> Connectors::Open(const config::Config& config,
                                                     SecretResolver& secrets) {
  std::unique_ptr<Connectors> c(new Connectors(config, secrets));
  ASSIGN_OR_RETURN(c->netsuite_, netsuite::Connect(config.netsuite, secrets.AsLookup())
                                     .WithContext("connecting to NetSuite"));
  c->cleo_http_ = std::make_unique<CurlHttpClient>(cleo::HttpOptionsFromConfig(config.cleo));
  ASSIGN_OR_RETURN(std::string password, secrets.Get(config.cleo.password, "cleo.password"));
  ASSIGN_OR_RETURN(cleo::SessionOptions so, cleo::SessionOptionsFromConfig(config.cleo, password));
  c->cleo_session_ = std::make_unique<cleo::Session>(*c->cleo_http_, std::move(so));
  c->cleo_api_ = std::make_unique<cleo::RestApi>(*c->cleo_session_);
  return c;
}

Result<cleo::FileTransport*> Connectors::Transport(const config::PartnerConfig& partner) {
  std::lock_guard lock(mu_);
  auto it = transports_.find(partner.id);
  if (it != transports_.end()) return it->second.get();
  std::string password;
  if (partner.transport.type == config::TransportType::kHttp) {
    const cleo::TransportPassword pw = cleo::TransportPasswordOf(config_.cleo, partner);
    ASSIGN_OR_RETURN(password, secrets_.Get(pw.ref, pw.key_path));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<cleo::FileTransport> t,
                   cleo::MakeTransport(config_.cleo, partner, password, *cleo_http_,
                                       RealFileSystem(),
                                       cleo::TransportLimitsFromConfig(config_.cleo)));
  return transports_.emplace(partner.id, std::move(t)).first->second.get();
}

Result<cleo::FileTransport*> Connectors::ReferenceExportTransport() {
  if (!config_.cleo.reference_export) {
    return FailedPreconditionError("cleo.reference_export is not configured");
  }
  return Transport(cleo::ReferenceExportProfile(config_.cleo));
}

flows::FlowEnv Connectors::Env(const config::Config& config) {
  flows::FlowEnv env;
  env.config = &config;
  env.netsuite = netsuite_->client.get();
  env.cleo_api = cleo_api_.get();
  env.transport = [this](const config::PartnerConfig& p) { return Transport(p); };
  return env;
}

}  // namespace mlc::app
