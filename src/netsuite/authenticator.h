// Authenticators: put NetSuite credentials on each request attempt.
//
// Oauth2Authenticator (machine-to-machine client credentials, netsuite.md 6.1) signs a JWT
// client assertion, posts it to {base}/services/rest/auth/oauth2/v1/token and caches the access
// token. The token is refreshed once it is older than `refresh_after` (default 59 minutes of its
// 60): ONE caller fetches while the others keep using the still-valid token; callers only wait
// when there is no valid token at all. After a 401 the client calls Invalidate(token) and asks
// again: the next Authorize fetches a fresh one (a stale invalidation for an already replaced
// token is ignored). Every fetch is counted and reported to the audit hook.
//
// TbaAuthenticator (OAuth 1.0a HMAC-SHA256, netsuite.md 6.3) signs every attempt afresh with a
// new nonce and timestamp, so a retry never replays a nonce.
//
// Key material arrives as in-memory values from the caller (who reads the vault or the
// environment) and is registered with RegisterSecret on construction; every obtained token is
// registered the moment it is received.
//
// Thread safety: Authorize/Invalidate/stats may be called from any thread. The HttpClient and
// Clock must outlive the authenticator.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/http_client.h"
#include "common/status.h"
#include "netsuite/auth.h"

namespace mlc::netsuite {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Adds the Authorization header to `request` (its method and final URL must be set). Returns
  // an opaque credential handle to pass to Invalidate when the server answers 401.
  // Errors: those of obtaining a token (UNAUTHENTICATED/PERMISSION_DENIED for refused
  // credentials, UNAVAILABLE/DEADLINE_EXCEEDED for transport trouble, INVALID_ARGUMENT for
  // unusable key material).
  virtual Result<std::string> Authorize(HttpRequest& request) = 0;
  // The credential given by Authorize was refused (401): forget it if it is still current.
  virtual void Invalidate(std::string_view credential) = 0;
};

// One token event, for the audit trail.
struct TokenEvent {
  enum class Kind : uint8_t { kFetched, kFetchFailed, kInvalidated };
  Kind kind = Kind::kFetched;
  std::string reason;  // "no token", "refresh margin", "expired", "rejected with 401", or error
  Instant at;
};

struct Oauth2Options {
  std::string base_url;  // "https://1234567-sb1.suitetalk.api.netsuite.com"
  std::string client_id;
  std::string certificate_id;
  std::string private_key_pem;
  JwtAlgorithm algorithm = JwtAlgorithm::kPs256;
  std::vector<std::string> scopes{"rest_webservices"};
  // The `aud` claim; empty = the token endpoint URL.
  std::string audience;
  std::chrono::seconds assertion_lifetime{300};
  // Refresh a token once it is this old (the token's own lifetime comes from expires_in).
  std::chrono::milliseconds refresh_after{std::chrono::minutes(59)};
  std::chrono::milliseconds request_timeout{30000};
  std::function<void(const TokenEvent&)> audit;  // optional
};

struct TokenStats {
  int64_t fetches = 0;        // successful token requests
  int64_t failures = 0;       // failed token requests
  int64_t invalidations = 0;  // tokens dropped after a 401
  int64_t waits = 0;          // callers that had to wait for a fetch by another caller
};

// The token endpoint's 200 answer (netsuite.md 6.1):
//   {"access_token": "eyJ...", "expires_in": 3600, "token_type": "Bearer"}
// expires_in may also come as a numeric string; when it is absent, unreadable or not positive
// it is taken as 3600, and it is capped at kMaxTokenLifetime (so no later time arithmetic can
// overflow on a hostile value). The token is NOT registered as a secret here (the caller does).
// Errors: DATA_LOSS when the body is not a JSON object with a non-empty string access_token.
inline constexpr std::chrono::seconds kMaxTokenLifetime{24 * 3600};
struct TokenResponse {
  std::string access_token;
  std::chrono::seconds expires_in{3600};
};
Result<TokenResponse> ParseTokenResponse(std::string_view body);

class Oauth2Authenticator final : public Authenticator {
 public:
  Oauth2Authenticator(HttpClient& http, Oauth2Options options,
                      const Clock& clock = SystemClock::Get());

  Result<std::string> Authorize(HttpRequest& request) override;
  void Invalidate(std::string_view credential) override;

  // A valid access token, fetching when needed (see the header comment).
  Result<std::string> Token();
  TokenStats stats() const;
  std::string token_endpoint() const;

 private:
  struct Fetched {
    std::string token;
    std::chrono::milliseconds lifetime;
  };
  Result<Fetched> Fetch();
  void Audit(TokenEvent::Kind kind, std::string reason);

  HttpClient& http_;
  Oauth2Options options_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string token_;  // empty: none
  std::chrono::steady_clock::time_point obtained_{};
  std::chrono::milliseconds lifetime_{0};
  bool fetching_ = false;
  uint64_t generation_ = 0;  // completed fetches, successful or not
  Status last_fetch_error_;
  TokenStats stats_;
};

struct TbaOptions {
  std::string account_id;  // either form; the realm is derived
  TbaCredentials credentials;
  // Nonce source; default RandomHex(10) (20 characters). Tests may fix it.
  std::function<std::string()> nonce;
};

class TbaAuthenticator final : public Authenticator {
 public:
  // Errors surface on Authorize (an unusable account id is INVALID_ARGUMENT).
  explicit TbaAuthenticator(TbaOptions options, const Clock& clock = SystemClock::Get());

  Result<std::string> Authorize(HttpRequest& request) override;
  void Invalidate(std::string_view) override {}

  int64_t signatures() const;

 private:
  TbaOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  int64_t signatures_ = 0;
};

}  // namespace mlc::netsuite
