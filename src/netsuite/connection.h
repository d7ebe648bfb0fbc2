// Connection: a NetSuite client built from the `netsuite` config section, with the HTTP client
// and authenticator it runs on.
//
//   ASSIGN_OR_RETURN(auto ns, netsuite::Connect(config.netsuite, secrets.AsLookup()));
//   ns->client->QueryPage(...);
//
// From the config: the REST base URL (`base_url`, else derived from `account_id`),
// `concurrency_limit`, `timeouts` (connect, request; the request timeout also bounds token
// requests), `retry` (attempts and backoff), and the auth method: oauth2_m2m (client id,
// certificate id, private key, algorithm, scopes, `token_refresh_margin`: a token is refreshed
// once it is older than 60 minutes minus the margin) or tba (the four secrets).
//
// Secrets come through `secret`, called once per secret with its config key path
// ("netsuite.auth.oauth2.private_key"); Connect never logs or echoes a value.
//
// Ownership: the Connection owns all three parts; the client refers to the authenticator and the
// HTTP client, the authenticator to the HTTP client (members are destroyed client first).
// Thread safety: as Client (every member may be called concurrently).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/http_client.h"
#include "common/retry.h"
#include "common/status.h"
#include "config/config.h"
#include "netsuite/authenticator.h"
#include "netsuite/client.h"

namespace mlc::netsuite {

// NetSuite access tokens (client credentials) are valid for 60 minutes (netsuite.md 6.1).
inline constexpr std::chrono::minutes kAccessTokenLifetime{60};

struct Connection {
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Client> client;

  // The OAuth 2.0 authenticator, or null for TBA.
  Oauth2Authenticator* oauth2() const { return dynamic_cast<Oauth2Authenticator*>(auth.get()); }
};

// Resolves one secret reference; `key_path` names the config key for error messages.
using SecretFn =
    std::function<Result<std::string>(const config::SecretRef& ref, std::string_view key_path)>;

// Test seams; the defaults are what the daemon uses.
struct ConnectOptions {
  std::unique_ptr<HttpClient> http;  // null: a CurlHttpClient with default options
  const Clock* clock = nullptr;      // null: SystemClock
  RetryLoop::Sleeper sleeper;        // null: really sleep between retries
};

// Builds the Connection. Nothing is sent: the first token is fetched on the first request.
// Errors: INVALID_ARGUMENT for an unusable account id / base URL or a missing auth section
// (message names the key path); the error of `secret` for a secret that cannot be resolved, and
// FAILED_PRECONDITION for one that resolves to an empty value (both prefixed by the key path).
Result<std::unique_ptr<Connection>> Connect(const config::NetsuiteConfig& config,
                                            const SecretFn& secret, ConnectOptions options = {});

}  // namespace mlc::netsuite
