#include "netsuite/authenticator.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/redact.h"
#include "netsuite/errors.h"

namespace mlc::netsuite {

Result<TokenResponse> ParseTokenResponse(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return DataLossError("NetSuite token response is not a JSON object");
  const auto token = j.find("access_token");
  if (token == j.end() || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    return DataLossError("NetSuite token response has no access_token");
  }
  int64_t expires_in = 0;
  if (const auto it = j.find("expires_in"); it != j.end()) {
    if (it->is_number_unsigned()) {
      const uint64_t v = it->get<uint64_t>();
      expires_in = v > static_cast<uint64_t>(kMaxTokenLifetime.count())
                       ? kMaxTokenLifetime.count()
                       : static_cast<int64_t>(v);
    } else if (it->is_number_integer()) {
      expires_in = it->get<int64_t>();
    } else if (it->is_string()) {
      const std::string& text = it->get_ref<const std::string&>();
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expires_in);
      if (ec == std::errc::result_out_of_range) {
        expires_in = text.starts_with('-') ? 0 : kMaxTokenLifetime.count();
      } else if (ec != std::errc() || end != text.data() + text.size()) {
        expires_in = 0;
      }
    }
  }
  TokenResponse out;
  out.access_token = token->get<std::string>();
  if (expires_in <= 0) expires_in = 3600;
  out.expires_in = std::chrono::seconds(std::min<int64_t>(expires_in, kMaxTokenLifetime.count()));
  return out;
}

Oauth2Authenticator::Oauth2Authenticator(HttpClient& http, Oauth2Options options,
                                         const Clock& clock)
    : http_(http), options_(std::move(options)), clock_(clock) {
  RegisterSecret(options_.private_key_pem);
  RegisterSecret(options_.client_id);
}

std::string Oauth2Authenticator::token_endpoint() const {
  return options_.base_url + "/services/rest/auth/oauth2/v1/token";
}

void Oauth2Authenticator::Audit(TokenEvent::Kind kind, std::string reason) {
  if (options_.audit) options_.audit(TokenEvent{kind, std::move(reason), clock_.Now()});
}

Result<Oauth2Authenticator::Fetched> Oauth2Authenticator::Fetch() {
  JwtAssertion a;
  a.client_id = options_.client_id;
  a.certificate_id = options_.certificate_id;
  a.scopes = options_.scopes;
  a.audience = options_.audience.empty() ? token_endpoint() : options_.audience;
  a.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                    clock_.Now().time_since_epoch())
                    .count();
  a.lifetime = options_.assertion_lifetime;
  ASSIGN_OR_RETURN(std::string jwt, SignJwtAssertion(a, options_.algorithm, options_.private_key_pem));
  RegisterSecret(jwt);
  HttpRequest req;
  req.method = "POST";
  req.url = token_endpoint();
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.headers["Accept"] = "application/json";
  req.timeout = options_.request_timeout;
  req.body = FormEncode({{"grant_type", "client_credentials"},
                         {"client_assertion_type",
                          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                         {"client_assertion", jwt}});
  ASSIGN_OR_RETURN(HttpResponse resp, http_.Send(req));
  if (resp.status != 200) {
    Status s = ErrorFromResponse(resp, "obtaining a NetSuite access token");
    // The token endpoint answers 400 invalid_grant / 401 invalid_client for refused
    // credentials: a person must fix the certificate mapping, retrying will not help.
    if (resp.status == 400 || resp.status == 401) {
      return Status(StatusCode::kPermissionDenied, s.message());
    }
    return s;
  }
  ASSIGN_OR_RETURN(TokenResponse parsed, ParseTokenResponse(resp.body));
  RegisterSecret(parsed.access_token);
  Fetched f;
  f.token = std::move(parsed.access_token);
  f.lifetime = parsed.expires_in;
  return f;
}

Result<std::string> Oauth2Authenticator::Token() {
  std::unique_lock lock(mu_);
  bool waited = false;
  for (;;) {
    const auto now = clock_.Steady();
    const bool have = !token_.empty();
    const auto age = now - obtained_;
    const bool valid = have && age < lifetime_;
    const auto margin = std::min<std::chrono::milliseconds>(options_.refresh_after, lifetime_);
    const bool due = !have || age >= margin;
    if (valid && (!due || fetching_)) {
      // Fresh enough, or someone else is already refreshing while this one still works.
      return token_;
    }
    if (!fetching_) {
      fetching_ = true;
      std::string reason = !have ? "no token" : (valid ? "refresh margin" : "expired");
      lock.unlock();
      Result<Fetched> f = Fetch();
      lock.lock();
      fetching_ = false;
      ++generation_;
      last_fetch_error_ = f.status();
      cv_.notify_all();
      if (!f.ok()) {
        ++stats_.failures;
        lock.unlock();
        Audit(TokenEvent::Kind::kFetchFailed, f.error().message());
        LogWarn("NetSuite token request failed", {{"error", f.error().ToString()}});
        lock.lock();
        // A still-valid token stays usable after a failed early refresh.
        if (!token_.empty() && clock_.Steady() - obtained_ < lifetime_) return token_;
        return f.error();
      }
      ++stats_.fetches;
      token_ = f->token;
      obtained_ = clock_.Steady();
      lifetime_ = f->lifetime;
      std::string t = token_;
      lock.unlock();
      Audit(TokenEvent::Kind::kFetched, reason);
      LogInfo("NetSuite access token obtained", {{"reason", reason}});
      return t;
    }
    if (!waited) {
      ++stats_.waits;
      waited = true;
    }
    const uint64_t generation = generation_;
    cv_.wait(lock, [&] { return !fetching_ || generation_ != generation; });
    // The fetch this caller waited for failed: share its error instead of stampeding the token
    // endpoint with one more request per waiting caller.
    if (generation_ != generation && !last_fetch_error_.ok() &&
        (token_.empty() || clock_.Steady() - obtained_ >= lifetime_)) {
      return last_fetch_error_;
    }
  }
}

Result<std::string> Oauth2Authenticator::Authorize(HttpRequest& request) {
  ASSIGN_OR_RETURN(std::string token, Token());
  request.headers["Authorization"] = "Bearer " + token;
  return token;
}

void Oauth2Authenticator::Invalidate(std::string_view credential) {
  {
    std::lock_guard lock(mu_);
    if (credential.empty() || credential != token_) return;  // already replaced
    token_.clear();
    ++stats_.invalidations;
  }
  Audit(TokenEvent::Kind::kInvalidated, "rejected with 401");
}

TokenStats Oauth2Authenticator::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

TbaAuthenticator::TbaAuthenticator(TbaOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  RegisterSecret(options_.credentials.consumer_key);
  RegisterSecret(options_.credentials.consumer_secret);
  RegisterSecret(options_.credentials.token_id);
  RegisterSecret(options_.credentials.token_secret);
}

Result<std::string> TbaAuthenticator::Authorize(HttpRequest& request) {
  ASSIGN_OR_RETURN(AccountId account, ParseAccountId(options_.account_id));
  const std::string nonce = options_.nonce ? options_.nonce() : RandomHex(10);
  const int64_t ts =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  ASSIGN_OR_RETURN(std::string header,
                   TbaAuthorizationHeader(options_.credentials, account.realm, request.method,
                                          request.url, nonce, ts));
  request.headers["Authorization"] = header;
  {
    std::lock_guard lock(mu_);
    ++signatures_;
  }
  return nonce;
}

int64_t TbaAuthenticator::signatures() const {
  std::lock_guard lock(mu_);
  return signatures_;
}

}  // namespace mlc::netsuite
