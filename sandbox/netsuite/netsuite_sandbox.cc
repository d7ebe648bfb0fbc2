// The only sandbox/netsuite file that includes cpp-httplib (slow to compile).
#include "sandbox/netsuite/netsuite_sandbox.h"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "netsuite/auth.h"

namespace mlc::sandbox::netsuite {
namespace {

namespace ns = mlc::netsuite;

constexpr char kTokenPath[] = "/services/rest/auth/oauth2/v1/token";

void Send(httplib::Response& res, const Answer& a) {
  res.status = a.status;
  if (!a.location.empty()) res.set_header("Location", a.location);
  if (!a.body.empty()) res.set_content(a.body, a.content_type.c_str());
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The realm with '-' and '_' treated alike, upper case.
std::string NormalRealm(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return Upper(s);
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(SystemClock::Get().Now().time_since_epoch())
      .count();
}

}  // namespace

nlohmann::json SandboxStats::ToJson() const {
  return {{"requests", requests},           {"rejected_concurrency", rejected_concurrency},
          {"injected_errors", injected_errors}, {"dropped", dropped},
          {"tokens_issued", tokens_issued}, {"auth_failures", auth_failures},
          {"max_in_flight", max_in_flight}};
}

struct NetsuiteSandbox::Impl {
  SandboxOptions options;
  std::unique_ptr<State> state;
  httplib::Server http;
  std::thread thread;
  int port = 0;

  mutable std::mutex mu;  // guards everything below
  Faults faults;
  std::mt19937_64 rng;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens;  // token -> expiry
  std::set<std::string> nonces;
  int in_flight = 0;
  int64_t authenticated = 0;
  SandboxStats stats;

  double Draw() {
    std::lock_guard lock(mu);
    return std::uniform_real_distribution<double>(0, 1)(rng);
  }

  std::string BaseUrl(const httplib::Request& req) const {
    std::string host = req.get_header_value("Host");
    if (host.empty()) host = fmt::format("{}:{}", options.host, port);
    return "http://" + host;
  }

  // ---- authentication ----

  void Token(const httplib::Request& req, httplib::Response& res) {
    auto fail = [&](int status, const char* error, const std::string& why) {
      {
        std::lock_guard lock(mu);
        ++stats.auth_failures;
      }
      res.status = status;
      if (status == 401) res.set_header("WWW-Authenticate", "Basic realm=\"NetSuite\"");
      res.set_content(nlohmann::json{{"error", error}, {"error_description", why}}.dump(),
                      "application/json");
    };
    if (req.get_param_value("grant_type") != "client_credentials") {
      return fail(400, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    if (req.get_param_value("client_assertion_type") !=
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return fail(400, "invalid_request", "client_assertion_type must be jwt-bearer");
    }
    const std::string jwt = req.get_param_value("client_assertion");
    // Find the client by kid, then verify against its certificate.
    auto parts = jwt.find('.');
    if (parts == std::string::npos) return fail(400, "invalid_request", "malformed assertion");
    auto header_text = ns::Base64UrlDecode(jwt.substr(0, parts));
    nlohmann::json header = header_text.ok() ? nlohmann::json::parse(*header_text, nullptr, false)
                                             : nlohmann::json();
    if (!header.is_object()) return fail(400, "invalid_request", "malformed assertion");
    const std::string kid = header.value("kid", "");
    const OauthClient* client = nullptr;
    for (const auto& c : options.oauth_clients) {
      if (c.certificate_id == kid) client = &c;
    }
    if (!client) return fail(401, "invalid_client", "unknown certificate id (kid)");
    auto verified = ns::VerifyJwt(jwt, client->certificate_pem);
    if (!verified.ok()) return fail(401, "invalid_client", verified.error().message());
    const auto& p = verified->payload;
    const int64_t now = NowSeconds();
    if (p.value("iss", "") != client->client_id) return fail(401, "invalid_client", "iss is not the client id");
    if (p.value("aud", "") != BaseUrl(req) + kTokenPath) return fail(400, "invalid_grant", "aud is not this token endpoint");
    if (!p.contains("iat") || !p.contains("exp") || !p["iat"].is_number_integer() || !p["exp"].is_number_integer()) {
      return fail(400, "invalid_grant", "iat and exp are required");
    }
    const int64_t iat = p["iat"].get<int64_t>(), exp = p["exp"].get<int64_t>();
    if (exp <= now) return fail(400, "invalid_grant", "the assertion has expired");
    // exp > now > 0 here, so exp - 3600 cannot overflow (exp - iat could, for a hostile iat).
    if (iat < exp - 3600 || iat > now + 300) return fail(400, "invalid_grant", "iat/exp out of range");
    const std::string scope = p.value("scope", "");
    if (scope.find("rest_webservices") == std::string::npos) {
      return fail(400, "invalid_scope", "scope must include rest_webservices");
    }
    const std::string token = "sbx." + ns::RandomHex(24);
    {
      std::lock_guard lock(mu);
      tokens[token] = std::chrono::steady_clock::now() + options.token_lifetime;
      ++stats.tokens_issued;
    }
    res.set_content(nlohmann::json{{"access_token", token},
                                   {"expires_in", options.token_lifetime.count()},
                                   {"token_type", "Bearer"}}
                        .dump(),
                    "application/json");
  }

  // OK or the 401 answer.
  std::optional<Answer> Authenticate(const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    auto invalid = [this](const char* why) {
      std::lock_guard lock(mu);
      ++stats.auth_failures;
      LogDebug("sandbox refused a login", {{"reason", why}});
      return ErrorAnswer(401, "INVALID_LOGIN",
                         "Invalid login attempt. For more details, see the Login Audit Trail in "
                         "the NetSuite UI at Setup > Users/Roles > User Management > View Login "
                         "Audit Trail.");
    };
    {
      std::lock_guard lock(mu);
      ++authenticated;
      if (faults.revoke_every > 0 && authenticated % faults.revoke_every == 0) tokens.clear();
    }
    if (auth.rfind("Bearer ", 0) == 0) {
      std::lock_guard lock(mu);
      auto it = tokens.find(auth.substr(7));
      if (it == tokens.end()) {
        ++stats.auth_failures;
        return ErrorAnswer(401, "INVALID_LOGIN", "Invalid login attempt. The access token is invalid or has been revoked.");
      }
      if (std::chrono::steady_clock::now() >= it->second) {
        tokens.erase(it);
        ++stats.auth_failures;
        return ErrorAnswer(401, "INVALID_LOGIN", "Invalid login attempt. The access token has expired.");
      }
      return std::nullopt;
    }
    if (auth.rfind("OAuth ", 0) == 0) {
      auto p = ns::ParseOauthHeader(auth);
      if (!p.ok()) return invalid("malformed OAuth header");
      auto get = [&](const char* k) {
        auto it = p->find(k);
        return it == p->end() ? std::string() : it->second;
      };
      if (NormalRealm(get("realm")) != NormalRealm(options.account_realm)) return invalid("realm");
      if (get("oauth_signature_method") != "HMAC-SHA256") return invalid("UnknownAlgorithm");
      if (get("oauth_version") != "1.0") return invalid("VersionRejected");
      const std::string nonce = get("oauth_nonce");
      if (nonce.size() < 6) return invalid("nonce_rejected");
      int64_t ts = 0;
      try {
        ts = std::stoll(get("oauth_timestamp"));
      } catch (...) {
        return invalid("InvalidTimestamp");
      }
      if (std::llabs(ts - NowSeconds()) > 300) return invalid("InvalidTimestamp");
      const ns::TbaCredentials* cred = nullptr;
      for (const auto& c : options.tba) {
        if (c.consumer_key == get("oauth_consumer_key") && c.token_id == get("oauth_token")) cred = &c;
      }
      if (!cred) return invalid("token_rejected");
      const std::string url = BaseUrl(req) + req.target;
      auto base = ns::OauthBaseString(req.method, url, *p);
      if (!base.ok() ||
          ns::OauthSignature(*base, cred->consumer_secret, cred->token_secret) != get("oauth_signature")) {
        return invalid("InvalidSignature");
      }
      std::lock_guard lock(mu);
      if (!nonces.insert(cred->consumer_key + ":" + nonce).second) {
        ++stats.auth_failures;
        return ErrorAnswer(401, "INVALID_LOGIN", "Invalid login attempt. (NonceUsed)");
      }
      return std::nullopt;
    }
    return invalid("no credentials");
  }

  // ---- dispatch ----

  void Serve(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path.rfind("/__sandbox/", 0) == 0) return Admin(req, res);
    if (path.rfind("/services/rest/", 0) != 0) {
      return Send(res, ErrorAnswer(404, "NONEXISTENT_ID", "The requested resource does not exist."));
    }
    Faults f;
    {
      std::lock_guard lock(mu);
      ++stats.requests;
      ++in_flight;
      if (in_flight > stats.max_in_flight) stats.max_in_flight = in_flight;
      f = faults;
    }
    struct Leave {
      Impl* i;
      ~Leave() {
        std::lock_guard lock(i->mu);
        --i->in_flight;
      }
    } leave{this};
    {
      std::lock_guard lock(mu);
      if (in_flight > options.concurrency_limit) {
        ++stats.rejected_concurrency;
        Answer a = ErrorAnswer(429, "CONCURRENCY_LIMIT_EXCEEDED",
                               "Concurrent request limit exceeded. Request blocked.", "",
                               "Too Many Requests");
        // Oracle's example also carries a top-level o:errorCode USER_ERROR.
        nlohmann::json j = nlohmann::json::parse(a.body);
        j["o:errorCode"] = "USER_ERROR";
        a.body = j.dump();
        return Send(res, a);
      }
    }
    if (f.latency.count() > 0) std::this_thread::sleep_for(f.latency);
    if (f.error_rate > 0 && Draw() < f.error_rate) {
      {
        std::lock_guard lock(mu);
        ++stats.injected_errors;
      }
      return Send(res, ErrorAnswer(503, "UNEXPECTED_ERROR",
                                   "An unexpected error occurred. Error ID: sbx" + ns::RandomHex(6)));
    }
    if (path == kTokenPath && req.method == "POST") {
      Token(req, res);
    } else {
      if (auto denied = Authenticate(req)) return Send(res, *denied);
      Send(res, Route(req));
    }
    if (f.drop_rate > 0 && Draw() < f.drop_rate) {
      {
        std::lock_guard lock(mu);
        ++stats.dropped;
      }
      // The work is done; the answer is lost: headers promise a body that never comes.
      const size_t promised = res.body.size() + 64;
      res.body.clear();
      res.set_content_provider(promised, "application/json",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
    }
  }

  Answer Route(const httplib::Request& req) {
    static const std::regex kSuiteQl(R"(^/services/rest/query/v1/suiteql$)");
    static const std::regex kRecord(R"(^/services/rest/record/v1/([A-Za-z]+)(?:/([^/]+))?(?:/!transform/([A-Za-z]+))?$)");
    std::smatch m;
    const std::string& path = req.path;
    if (std::regex_match(path, m, kSuiteQl)) {
      if (req.method != "POST") return ErrorAnswer(405, "INVALID_REQUEST", "SuiteQL takes POST.");
      if (req.get_header_value("Prefer") != "transient") {
        return ErrorAnswer(400, "INVALID_REQUEST", "The Prefer: transient header is required for SuiteQL.");
      }
      int64_t limit = -1, offset = 0;
      try {
        if (req.has_param("limit")) limit = std::stoll(req.get_param_value("limit"));
        if (req.has_param("offset")) offset = std::stoll(req.get_param_value("offset"));
      } catch (...) {
        return ErrorAnswer(400, "INVALID_PARAMETER", "Invalid query parameter value.");
      }
      return state->SuiteQl(req.body, limit, offset);
    }
    if (!std::regex_match(path, m, kRecord)) {
      return ErrorAnswer(404, "NONEXISTENT_ID", "The requested resource does not exist.");
    }
    const std::string type = m[1], id = m[2], target = m[3];
    const std::string key = req.get_header_value("X-NetSuite-Idempotency-Key");
    if (!target.empty()) {
      if (req.method != "POST" || id.empty()) return ErrorAnswer(405, "INVALID_REQUEST", "Transforms take POST.");
      return state->Transform(type, id, target, req.body, req.get_param_value("replace") == "item", key);
    }
    if (req.method == "GET") {
      if (id.empty()) return ErrorAnswer(400, "INVALID_REQUEST", "Collection listing is not supported by the sandbox; use SuiteQL.");
      return state->Get(type, id, req.get_param_value("expandSubResources") == "true");
    }
    if (req.method == "POST" && id.empty()) return state->Create(type, req.body, key);
    if (req.method == "PATCH" && !id.empty()) return state->Patch(type, id, req.body);
    if (req.method == "PUT" && id.rfind("eid:", 0) == 0) return state->Upsert(type, id.substr(4), req.body);
    return ErrorAnswer(405, "INVALID_REQUEST", "Method not allowed for this resource.");
  }

  void Admin(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path == "/__sandbox/stats") {
      std::lock_guard lock(mu);
      res.set_content(stats.ToJson().dump(), "application/json");
    } else if (path == "/__sandbox/reset-stats" && req.method == "POST") {
      std::lock_guard lock(mu);
      stats = SandboxStats{};
      res.status = 204;
    } else if (path == "/__sandbox/revoke-tokens" && req.method == "POST") {
      std::lock_guard lock(mu);
      tokens.clear();
      res.status = 204;
    } else if (path == "/__sandbox/faults" && req.method == "POST") {
      nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
      if (!j.is_object()) {
        res.status = 400;
        return;
      }
      std::lock_guard lock(mu);
      faults.latency = std::chrono::milliseconds(j.value("latency_ms", faults.latency.count()));
      faults.error_rate = j.value("error_rate", faults.error_rate);
      faults.drop_rate = j.value("drop_rate", faults.drop_rate);
      faults.revoke_every = j.value("revoke_every", faults.revoke_every);
      res.status = 204;
    } else if (path == "/__sandbox/count") {
      res.set_content(nlohmann::json{{"count", state->CountByExternalId(req.get_param_value("type"),
                                                                         req.get_param_value("externalId"))}}
                          .dump(),
                      "application/json");
    } else {
      res.status = 404;
    }
  }
};

Result<std::unique_ptr<NetsuiteSandbox>> NetsuiteSandbox::Create(SandboxOptions options) {
  std::unique_ptr<NetsuiteSandbox> sb(new NetsuiteSandbox());
  sb->impl_ = std::make_unique<Impl>();
  Impl& i = *sb->impl_;
  i.options = std::move(options);
  i.faults = i.options.faults;
  i.rng.seed(i.options.fault_seed);
  StateOptions so;
  so.db_path = i.options.db_path;
  so.user_utc_offset = i.options.user_utc_offset;
  ASSIGN_OR_RETURN(i.state, State::Open(so));
  if (i.options.seed_data) RETURN_IF_ERROR(i.state->Seed(i.options.seed));
  const int threads = std::max(i.options.threads, i.options.concurrency_limit + 4);
  i.http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  i.http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  i.http.set_payload_max_length(16u << 20);
  Impl* impl = &i;
  auto handler = [impl](const httplib::Request& req, httplib::Response& res) { impl->Serve(req, res); };
  i.http.Get(".*", handler);
  i.http.Post(".*", handler);
  i.http.Put(".*", handler);
  i.http.Patch(".*", handler);
  i.http.Delete(".*", handler);
  return sb;
}

NetsuiteSandbox::~NetsuiteSandbox() { Stop(); }

Status NetsuiteSandbox::Start() {
  Impl& i = *impl_;
  if (i.options.port == 0) {
    i.port = i.http.bind_to_any_port(i.options.host);
  } else {
    i.port = i.http.bind_to_port(i.options.host, i.options.port) ? i.options.port : -1;
  }
  if (i.port <= 0) {
    return UnavailableError("cannot listen on {}:{} (address in use or not available)", i.options.host,
                            i.options.port);
  }
  i.state->set_public_base_url(fmt::format("http://{}:{}", i.options.host, i.port));
  i.thread = std::thread([&i] { i.http.listen_after_bind(); });
  while (!i.http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void NetsuiteSandbox::Stop() {
  if (!impl_) return;
  if (impl_->thread.joinable()) {
    impl_->http.stop();
    impl_->thread.join();
  }
}

int NetsuiteSandbox::port() const { return impl_->port; }
std::string NetsuiteSandbox::base_url() const {
  return fmt::format("http://{}:{}", impl_->options.host, impl_->port);
}

void NetsuiteSandbox::SetFaults(const Faults& faults) {
  std::lock_guard lock(impl_->mu);
  impl_->faults = faults;
}

void NetsuiteSandbox::RevokeAllTokens() {
  std::lock_guard lock(impl_->mu);
  impl_->tokens.clear();
}

SandboxStats NetsuiteSandbox::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

void NetsuiteSandbox::ResetStats() {
  std::lock_guard lock(impl_->mu);
  impl_->stats = SandboxStats{};
}

State& NetsuiteSandbox::state() { return *impl_->state; }

}  // namespace mlc::sandbox::netsuite
