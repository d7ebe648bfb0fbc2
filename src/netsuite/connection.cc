#include "netsuite/connection.h"

#include <algorithm>
#include <utility>

#include "common/curl_http_client.h"

namespace mlc::netsuite {
namespace {

// Resolves a secret that must have a value; errors name the key path.
Result<std::string> Required(const SecretFn& secret, const config::SecretRef& ref,
                             std::string_view key_path) {
  if (ref.empty()) return FailedPreconditionError("{}: no secret is configured", key_path);
  ASSIGN_OR_RETURN(std::string value, secret(ref, key_path));
  if (value.empty()) {
    return FailedPreconditionError("{}: secret {} resolved to an empty value", key_path,
                                   ref.ToString());
  }
  return value;
}

JwtAlgorithm AlgorithmOf(config::JwtAlgorithm a) {
  return a == config::JwtAlgorithm::kEs256 ? JwtAlgorithm::kEs256 : JwtAlgorithm::kPs256;
}

ClientOptions ClientOptionsOf(const config::NetsuiteConfig& c, std::string base_url) {
  ClientOptions o;
  o.base_url = std::move(base_url);
  // Zero means "not set" (a Config built in code rather than loaded, which applies defaults).
  if (c.concurrency_limit > 0) o.concurrency_limit = c.concurrency_limit;
  if (c.timeouts.connect.count() > 0) o.connect_timeout = c.timeouts.connect;
  if (c.timeouts.request.count() > 0) o.request_timeout = c.timeouts.request;
  if (c.retry.max_attempts > 0) o.retry.max_attempts = c.retry.max_attempts;
  if (c.retry.initial_backoff.count() > 0) o.retry.initial = c.retry.initial_backoff;
  if (c.retry.max_backoff.count() > 0) o.retry.max_delay = c.retry.max_backoff;
  return o;
}

Result<std::unique_ptr<Authenticator>> MakeAuthenticator(const config::NetsuiteConfig& c,
                                                         const std::string& base_url,
                                                         const SecretFn& secret, HttpClient& http,
                                                         const Clock& clock) {
  if (c.auth.method == config::NetsuiteAuthMethod::kTba) {
    if (!c.auth.tba) {
      return InvalidArgumentError("netsuite.auth.tba: required when netsuite.auth.method is tba");
    }
    const config::NetsuiteTbaConfig& t = *c.auth.tba;
    TbaOptions o;
    o.account_id = c.account_id;
    ASSIGN_OR_RETURN(o.credentials.consumer_key,
                     Required(secret, t.consumer_key, "netsuite.auth.tba.consumer_key"));
    ASSIGN_OR_RETURN(o.credentials.consumer_secret,
                     Required(secret, t.consumer_secret, "netsuite.auth.tba.consumer_secret"));
    ASSIGN_OR_RETURN(o.credentials.token_id,
                     Required(secret, t.token_id, "netsuite.auth.tba.token_id"));
    ASSIGN_OR_RETURN(o.credentials.token_secret,
                     Required(secret, t.token_secret, "netsuite.auth.tba.token_secret"));
    return std::unique_ptr<Authenticator>(std::make_unique<TbaAuthenticator>(std::move(o), clock));
  }
  if (!c.auth.oauth2) {
    return InvalidArgumentError(
        "netsuite.auth.oauth2: required when netsuite.auth.method is oauth2_m2m");
  }
  const config::NetsuiteOauth2Config& a = *c.auth.oauth2;
  Oauth2Options o;
  o.base_url = base_url;
  ASSIGN_OR_RETURN(o.client_id, Required(secret, a.client_id, "netsuite.auth.oauth2.client_id"));
  o.certificate_id = a.certificate_id;
  ASSIGN_OR_RETURN(o.private_key_pem,
                   Required(secret, a.private_key, "netsuite.auth.oauth2.private_key"));
  o.algorithm = AlgorithmOf(a.algorithm);
  if (!a.scopes.empty()) o.scopes = a.scopes;
  if (a.token_refresh_margin.count() > 0) {
    // The authenticator refreshes by age; a margin as long as the lifetime refreshes every call.
    o.refresh_after = std::max<std::chrono::milliseconds>(
        std::chrono::milliseconds(0), kAccessTokenLifetime - a.token_refresh_margin);
  }
  if (c.timeouts.request.count() > 0) o.request_timeout = c.timeouts.request;
  return std::unique_ptr<Authenticator>(
      std::make_unique<Oauth2Authenticator>(http, std::move(o), clock));
}

}  // namespace

Result<std::unique_ptr<Connection>> Connect(const config::NetsuiteConfig& config,
                                            const SecretFn& secret, ConnectOptions options) {
  ASSIGN_OR_RETURN(std::string base_url,
                   ResolveBaseUrl(config.account_id, config.base_url)
                       .WithContext("netsuite.account_id / netsuite.base_url"));
  const Clock& clock = options.clock ? *options.clock : SystemClock::Get();
  auto conn = std::make_unique<Connection>();
  conn->http = options.http ? std::move(options.http) : std::make_unique<CurlHttpClient>();
  ASSIGN_OR_RETURN(conn->auth, MakeAuthenticator(config, base_url, secret, *conn->http, clock));
  ClientOptions co = ClientOptionsOf(config, base_url);
  co.sleeper = std::move(options.sleeper);
  conn->client = std::make_unique<Client>(*conn->http, *conn->auth, std::move(co));
  return conn;
}

}  // namespace mlc::netsuite
