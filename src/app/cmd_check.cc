// `ml-connector check [--config FILE]`: proves that the configured systems answer with the
// configured credentials, without changing anything anywhere.
//
// Checks, in order (each prints one plain line, "ok   <what> (<detail>, <N>ms)" or
// "FAIL <what>: <reason>"):
//   store                  opens the store (vault secrets are read from it)
//   netsuite token         gets an OAuth 2.0 access token (oauth2_m2m only; TBA has no token)
//   netsuite suiteql       SELECT id FROM currency, one row (not run when the token failed)
//   cleo login             the REST API password grant as cleo.username
//   cleo mailboxes         the REST API's connections (paged) name every http partner mailbox
//   cleo <PARTNER> inbox   lists each partner's inbox through its transport (http: as the
//                          mailbox's Local HTTP User; folder: the directory)
//   cleo reference export  logs in to (or lists) cleo.reference_export's mailbox, when set
// then "check: all N passed" or "check: K of N failed". Remote calls get at most two attempts
// (the configured retry policy is cut short: a check reports, it does not wait). Exit 0 when all
// pass, 1 otherwise, 2 for an invalid config. Reasons are errors (Status); every secret is
// registered for redaction before it is used, so a reason never carries one.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "app/commands.h"
#include "app/secrets.h"
#include "cleo/client.h"
#include "cleo/session.h"
#include "common/clock.h"
#include "common/curl_http_client.h"
#include "common/file_system.h"
#include "config/config.h"
#include "netsuite/connection.h"
#include "store/store.h"

namespace mlc::app {
namespace {

class Checker {
 public:
  // Runs `check`, timing it; prints its line. `check` returns a detail for the ok line.
  // Returns whether it passed.
  bool Run(const std::string& what, const std::function<Result<std::string>()>& check) {
    const auto start = std::chrono::steady_clock::now();
    Result<std::string> r = check();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    ++total_;
    if (r.ok()) {
      std::printf("ok   %s (%s%s%lldms)\n", what.c_str(), r->c_str(), r->empty() ? "" : ", ",
                  static_cast<long long>(ms));
    } else {
      ++failed_;
      std::printf("FAIL %s: %s\n", what.c_str(), r.error().ToString().c_str());
    }
    std::fflush(stdout);
    return r.ok();
  }

  int Verdict() const {
    if (failed_ == 0) {
      std::printf("check: all %d passed\n", total_);
      return kExitOk;
    }
    std::printf("check: %d of %d failed\n", failed_, total_);
    return kExitFailure;
  }

 private:
  int total_ = 0;
  int failed_ = 0;
};

int RunCheck(const std::string& path) {
  config::LoadResult loaded = config::LoadConfigFile(path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
    std::fprintf(stderr, "%s: %zu error(s)\n", path.c_str(), loaded.errors.size());
    return kExitUsage;
  }
  // A check reports, it does not wait out the daemon's retry policy: at most two attempts.
  config::Config& cfg = loaded.config;
  for (config::RetryConfig* r : {&cfg.netsuite.retry, &cfg.cleo.retry}) {
    r->max_attempts = std::min(r->max_attempts > 0 ? r->max_attempts : 2, 2);
  }
  Checker checker;

  // The store first: vault secrets live in it.
  std::unique_ptr<store::Store> store;
  checker.Run("store", [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(store, store::OpenStore(cfg.store.url, SystemClock::Get()));
    return std::string();
  });
  std::unique_ptr<SecretResolver> resolver;
  if (store) resolver = std::make_unique<SecretResolver>(*store, cfg);
  auto secret = [&](const config::SecretRef& ref, std::string_view key) -> Result<std::string> {
    if (resolver) return resolver->Get(ref, key);
    if (ref.kind == config::SecretRef::Kind::kEnv && !ref.value.empty()) return ref.value;
    return FailedPreconditionError("{} ({}): the store is not available to open the vault", key,
                                   ref.ToString());
  };

  // NetSuite.
  Result<std::unique_ptr<netsuite::Connection>> ns = netsuite::Connect(cfg.netsuite, secret);
  if (!ns.ok()) {
    checker.Run("netsuite client", [&]() -> Result<std::string> { return ns.error(); });
  } else {
    bool have_token = true;
    if (netsuite::Oauth2Authenticator* oauth = (*ns)->oauth2()) {
      have_token = checker.Run("netsuite token", [&]() -> Result<std::string> {
        RETURN_IF_ERROR(oauth->Token().status());
        return std::string();
      });
    }
    // Without a token the query can only repeat the token's failure.
    if (have_token)
      checker.Run("netsuite suiteql", [&]() -> Result<std::string> {
        ASSIGN_OR_RETURN(
            netsuite::SuiteQlPage page,
            (*ns)->client->QueryPage(netsuite::SuiteQl("SELECT id FROM currency"), 1, 0));
        return fmt::format("{} row(s)", page.rows.size());
      });
  }

  // Cleo.
  CurlHttpClient cleo_http(cleo::HttpOptionsFromConfig(cfg.cleo));
  std::unique_ptr<cleo::Session> session;
  checker.Run("cleo login", [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(std::string password, secret(cfg.cleo.password, "cleo.password"));
    ASSIGN_OR_RETURN(cleo::SessionOptions options,
                     cleo::SessionOptionsFromConfig(cfg.cleo, password));
    auto s = std::make_unique<cleo::Session>(cleo_http, std::move(options));
    RETURN_IF_ERROR(s->Token().status());
    session = std::move(s);  // the mailbox discovery below needs a working login
    return std::string();
  });
  // Discovery through the REST API: every http partner's mailbox must be a Cleo connection.
  std::vector<std::string> mailboxes;
  for (const config::PartnerConfig& p : cfg.partners) {
    if (p.transport.type == config::TransportType::kHttp) mailboxes.push_back(p.transport.mailbox);
  }
  if (session && !mailboxes.empty()) {
    checker.Run("cleo mailboxes", [&]() -> Result<std::string> {
      cleo::RestApi api(*session);
      ASSIGN_OR_RETURN(std::vector<cleo::Connection> connections, api.ListConnections());
      std::vector<std::string> missing;
      for (const std::string& m : mailboxes) {
        const bool found = std::any_of(connections.begin(), connections.end(),
                                       [&](const cleo::Connection& c) { return c.alias == m; });
        if (!found) missing.push_back(m);
      }
      if (!missing.empty()) {
        return FailedPreconditionError(
            "{} connection(s) listed, but no connection is named {} (transport.mailbox)",
            connections.size(), fmt::join(missing, ", "));
      }
      return fmt::format("{} connection(s); every partner mailbox found", connections.size());
    });
  }
  // Lists a mailbox's inbox through its transport (for the drop-only export: its outbox).
  auto list_inbox = [&](const config::PartnerConfig& p) -> Result<std::string> {
    std::string password;
    if (p.transport.type == config::TransportType::kHttp) {
      cleo::TransportPassword pw = cleo::TransportPasswordOf(cfg.cleo, p);
      ASSIGN_OR_RETURN(password, secret(pw.ref, pw.key_path));
    }
    ASSIGN_OR_RETURN(auto transport,
                     cleo::MakeTransport(cfg.cleo, p, password, cleo_http, RealFileSystem()));
    ASSIGN_OR_RETURN(cleo::ListResult listing, transport->ListInbox());
    const std::string& where = p.transport.type == config::TransportType::kHttp
                                   ? p.transport.mailbox
                                   : p.transport.inbox;
    return fmt::format("{} {}, {} file(s)", transport->kind(), where, listing.files.size());
  };
  for (const config::PartnerConfig& partner : cfg.partners) {
    checker.Run(fmt::format("cleo {} inbox", partner.id), [&] { return list_inbox(partner); });
  }
  if (cfg.cleo.reference_export) {
    const config::PartnerConfig profile = cleo::ReferenceExportProfile(cfg.cleo);
    checker.Run("cleo reference export", [&] { return list_inbox(profile); });
  }
  return checker.Verdict();
}

}  // namespace

void RegisterCheckCommands(Cli& cli) {
  auto file = std::make_shared<std::string>();
  CLI::App* check = cli.app.add_subcommand(
      "check",
      "check that NetSuite, Cleo and every partner mailbox answer with the configured "
      "credentials (exit 0 all ok, 1 a check failed, 2 invalid config)");
  check->add_option("FILE", *file, "config file (default: --config or $MLC_CONFIG)");
  check->callback([&cli, file] {
    const std::string path = file->empty() ? cli.config_path : *file;
    if (path.empty()) {
      std::fprintf(stderr, "check: no config file given (pass --config FILE)\n");
      cli.exit_code = kExitUsage;
      return;
    }
    cli.exit_code = RunCheck(path);
  });
}

}  // namespace mlc::app
