// The store's commands:
//   ml-connector docs list [--state S] [--partner P] [--type T] [--since T] [--until T] [--json]
//   ml-connector docs show ID [--json]
//   ml-connector replay ID | --parked [--partner P]  [--by NAME] [--reason TEXT]
//   ml-connector audit ID [--json]
//   ml-connector secrets set NAME | list | rotate-key (--new-key-file F | --new-key-env V |
//                                                     --generate-key-file F)
// The store is `--store URL`, else $MLC_STORE_URL, else store.url of --config. The vault's master
// key: --key-file, else the config's store.vault, else $MLC_VAULT_KEY.
#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/commands.h"
#include "common/civil_time.h"
#include "config/config.h"
#include "store/store.h"
#include "store/vault.h"

namespace mlc::app {
namespace {

struct StoreArgs {
  std::string url;       // --store, $MLC_STORE_URL
  std::string key_file;  // --key-file
};

struct Opened {
  std::unique_ptr<store::Store> store;
  std::string key_file;
  std::string key_env = "MLC_VAULT_KEY";
};

// Opens the store named on the command line or in the config. Sets cli.exit_code on failure.
std::optional<Opened> Open(Cli& cli, const StoreArgs& args) {
  Opened o;
  std::string url = args.url;
  o.key_file = args.key_file;
  if (!cli.config_path.empty()) {
    Result<config::Config> c = config::LoadConfig(cli.config_path);
    if (!c.ok()) {
      std::fprintf(stderr, "%s\n", c.error().message().c_str());
      cli.exit_code = kExitUsage;
      return std::nullopt;
    }
    if (url.empty()) url = c->store.url;
    if (o.key_file.empty()) o.key_file = c->store.vault.master_key_file;
    if (!c->store.vault.master_key_env.empty()) o.key_env = c->store.vault.master_key_env;
  }
  if (url.empty()) {
    std::fprintf(stderr, "no store: pass --store URL, set MLC_STORE_URL, or give --config\n");
    cli.exit_code = kExitUsage;
    return std::nullopt;
  }
  auto s = store::OpenStore(url, SystemClock::Get());
  if (!s.ok()) {
    std::fprintf(stderr, "opening the store: %s\n", s.error().ToString().c_str());
    cli.exit_code = s.error().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    return std::nullopt;
  }
  o.store = std::move(s).value();
  return o;
}

void AddStoreOptions(CLI::App* app, StoreArgs& args) {
  app->add_option("--store", args.url, "store URL (sqlite:///path.db or postgresql://host/db)")
      ->envname("MLC_STORE_URL");
}

int Fail(Cli& cli, const Status& s, std::string_view what) {
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(what.size()), what.data(),
               s.ToString().c_str());
  cli.exit_code = kExitFailure;
  return kExitFailure;
}

// "2026-01-09" (midnight UTC) or a full ISO 8601 instant.
Result<Instant> ParseWhen(const std::string& s) {
  if (s.size() == 10) {
    ASSIGN_OR_RETURN(CivilDate d, ParseIsoDate(s));
    return ToInstant(d);
  }
  return ParseIso8601(s);
}

nlohmann::json DocJson(const store::Document& d) {
  nlohmann::json j = {{"id", d.id},
                      {"flow", d.flow},
                      {"idempotency_key", d.idempotency_key},
                      {"direction", store::DirectionName(d.direction)},
                      {"type", d.type},
                      {"partner", d.partner},
                      {"po_number", d.po_number},
                      {"invoice_number", d.invoice_number},
                      {"isa13", d.control.isa13},
                      {"gs06", d.control.gs06},
                      {"st02", d.control.st02},
                      {"step", d.step},
                      {"state", store::DocStateName(d.state)},
                      {"attempts", d.attempts},
                      {"next_attempt_at", FormatIso8601(d.next_attempt_at)},
                      {"lease_owner", d.lease_owner},
                      {"last_error_code", d.last_error_code},
                      {"last_error_message", d.last_error_message},
                      {"last_retry_class", d.last_retry_class},
                      {"created_at", FormatIso8601(d.created_at)},
                      {"updated_at", FormatIso8601(d.updated_at)}};
  return j;
}

nlohmann::json AuditJson(const store::AuditEvent& e) {
  return {{"id", e.id},
          {"document_id", e.document_id},
          {"at", FormatIso8601(e.at)},
          {"event", e.event},
          {"step", e.step},
          {"actor", e.actor},
          {"detail", e.detail},
          {"error_code", e.error_code},
          {"error_message", e.error_message},
          {"retry_class", e.retry_class}};
}

void PrintAudit(const std::vector<store::AuditEvent>& events) {
  for (const auto& e : events) {
    std::printf("%-20s %-16s %-12s %-14s %s", FormatIso8601(e.at, FractionDigits::kNone).c_str(),
                e.event.c_str(), e.step.c_str(), e.actor.c_str(), e.detail.c_str());
    if (!e.error_code.empty()) {
      std::printf(" [%s %s: %s]", e.retry_class.c_str(), e.error_code.c_str(),
                  e.error_message.c_str());
    }
    std::printf("\n");
  }
}

// Reads a secret value: a prompt without echo on a terminal, else all of stdin minus one
// trailing newline.
std::string ReadSecretValue(const std::string& name) {
  std::string value;
  if (isatty(STDIN_FILENO) != 0) {
    std::fprintf(stderr, "value for %s (not echoed): ", name.c_str());
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::getline(std::cin, value);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fprintf(stderr, "\n");
  } else {
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
  }
  return value;
}

void RegisterDocs(Cli& cli) {
  CLI::App* docs = cli.app.add_subcommand("docs", "list and inspect documents in the store");
  docs->require_subcommand(1);

  struct ListArgs {
    StoreArgs store;
    std::string state, partner, type, since, until;
    int limit = 100;
    int64_t after = 0;
    bool json = false;
  };
  auto la = std::make_shared<ListArgs>();
  CLI::App* list = docs->add_subcommand("list", "list documents, oldest first (page with --after)");
  AddStoreOptions(list, la->store);
  list->add_option("--state", la->state, "pending, in_flight, retry_wait, parked, done");
  list->add_option("--partner", la->partner, "trading partner id");
  list->add_option("--type", la->type, "document type: 850, 810, 855, 997, ...");
  list->add_option("--since", la->since, "created at or after (2026-01-09 or ISO 8601)");
  list->add_option("--until", la->until, "created before (2026-01-09 or ISO 8601)");
  list->add_option("--limit", la->limit, "at most this many (default 100)");
  list->add_option("--after", la->after, "only ids greater than this (paging)");
  list->add_flag("--json", la->json, "JSON lines instead of a table");
  list->callback([&cli, la] {
    store::DocumentQuery q;
    if (!la->state.empty()) {
      q.state = store::ParseDocState(la->state);
      if (!q.state) {
        std::fprintf(stderr, "--state: unknown state '%s'\n", la->state.c_str());
        cli.exit_code = kExitUsage;
        return;
      }
    }
    if (!la->partner.empty()) q.partner = la->partner;
    if (!la->type.empty()) q.type = la->type;
    for (auto [text, slot] : {std::pair{&la->since, &q.since}, std::pair{&la->until, &q.until}}) {
      if (text->empty()) continue;
      auto t = ParseWhen(*text);
      if (!t.ok()) {
        std::fprintf(stderr, "%s\n", t.error().message().c_str());
        cli.exit_code = kExitUsage;
        return;
      }
      *slot = *t;
    }
    q.limit = la->limit;
    q.after_id = la->after;
    auto o = Open(cli, la->store);
    if (!o) return;
    auto docs_found = o->store->ListDocuments(q);
    if (!docs_found.ok()) {
      Fail(cli, docs_found.error(), "listing documents");
      return;
    }
    if (la->json) {
      for (const auto& d : *docs_found) std::printf("%s\n", DocJson(d).dump().c_str());
    } else {
      std::printf("%-8s %-10s %-12s %-16s %-4s %-10s %-16s %-3s %-20s %s\n", "ID", "STATE", "STEP",
                  "FLOW", "TYPE", "PARTNER", "KEY", "TRY", "UPDATED", "ERROR");
      for (const auto& d : *docs_found) {
        std::string key = !d.po_number.empty() ? d.po_number : d.invoice_number;
        if (key.empty()) key = d.idempotency_key;
        std::printf("%-8lld %-10s %-12s %-16s %-4s %-10s %-16s %-3d %-20s %s\n",
                    static_cast<long long>(d.id), std::string(store::DocStateName(d.state)).c_str(),
                    d.step.c_str(), d.flow.c_str(), d.type.c_str(), d.partner.c_str(), key.c_str(),
                    d.attempts, FormatIso8601(d.updated_at, FractionDigits::kNone).c_str(),
                    d.last_error_code.empty()
                        ? ""
                        : (d.last_error_code + ": " + d.last_error_message).c_str());
      }
    }
    cli.exit_code = kExitOk;
  });

  struct ShowArgs {
    StoreArgs store;
    int64_t id = 0;
    bool json = false;
  };
  auto sa = std::make_shared<ShowArgs>();
  CLI::App* show = docs->add_subcommand("show", "one document: fields, payloads and audit trail");
  AddStoreOptions(show, sa->store);
  show->add_option("ID", sa->id, "document id")->required();
  show->add_flag("--json", sa->json, "JSON instead of text");
  show->callback([&cli, sa] {
    auto o = Open(cli, sa->store);
    if (!o) return;
    auto d = o->store->GetDocument(sa->id);
    if (!d.ok()) {
      Fail(cli, d.error(), "showing document");
      return;
    }
    auto payloads = o->store->ListPayloads(sa->id);
    auto audit = o->store->QueryAudit({.document_id = sa->id, .limit = 10000});
    if (!payloads.ok() || !audit.ok()) {
      Fail(cli, payloads.ok() ? audit.error() : payloads.error(), "showing document");
      return;
    }
    if (sa->json) {
      nlohmann::json j = DocJson(*d);
      j["payloads"] = nlohmann::json::array();
      for (const auto& p : *payloads) {
        j["payloads"].push_back({{"step", p.step},
                                 {"kind", p.kind},
                                 {"media_type", p.media_type},
                                 {"size", p.data.size()},
                                 {"stored_size", p.stored_size}});
      }
      j["audit"] = nlohmann::json::array();
      for (const auto& e : *audit) j["audit"].push_back(AuditJson(e));
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      const nlohmann::json fields = DocJson(*d);
      for (const auto& [k, v] : fields.items()) {
        std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        if (!text.empty()) std::printf("%-20s %s\n", k.c_str(), text.c_str());
      }
      std::printf("\npayloads:\n");
      for (const auto& p : *payloads) {
        std::printf("  %-12s %-10s %-28s %zu bytes (%lld stored)\n", p.step.c_str(), p.kind.c_str(),
                    p.media_type.c_str(), p.data.size(), static_cast<long long>(p.stored_size));
      }
      std::printf("\naudit:\n");
      PrintAudit(*audit);
    }
    cli.exit_code = kExitOk;
  });
}

void RegisterReplayAndAudit(Cli& cli) {
  struct ReplayArgs {
    StoreArgs store;
    int64_t id = 0;
    bool parked = false;
    std::string partner;
    std::string by;
    std::string reason = "replayed from the command line";
  };
  auto ra = std::make_shared<ReplayArgs>();
  CLI::App* replay = cli.app.add_subcommand(
      "replay", "put a parked (or waiting) document back to pending at its failed step");
  AddStoreOptions(replay, ra->store);
  replay->add_option("ID", ra->id, "document id");
  replay->add_flag("--parked", ra->parked, "replay every parked document");
  replay->add_option("--partner", ra->partner, "with --parked: only this partner's");
  replay->add_option("--by", ra->by, "who asked (recorded in the audit trail; default $USER)");
  replay->add_option("--reason", ra->reason, "why (recorded in the audit trail)");
  replay->callback([&cli, ra] {
    if ((ra->id == 0) == !ra->parked) {
      std::fprintf(stderr, "replay: give a document ID or --parked (not both)\n");
      cli.exit_code = kExitUsage;
      return;
    }
    std::string by = ra->by;
    if (by.empty()) {
      const char* user = std::getenv("USER");
      by = user != nullptr && *user != '\0' ? user : "unknown";
    }
    auto o = Open(cli, ra->store);
    if (!o) return;
    if (ra->parked) {
      std::optional<std::string> partner;
      if (!ra->partner.empty()) partner = ra->partner;
      auto n = o->store->ReplayParked(partner, by);
      if (!n.ok()) {
        Fail(cli, n.error(), "replaying parked documents");
        return;
      }
      std::printf("replayed %d parked document(s) as %s\n", *n, by.c_str());
    } else {
      Status s = o->store->Replay(ra->id, by, ra->reason);
      if (!s.ok()) {
        Fail(cli, s, "replay");
        return;
      }
      std::printf("document %lld is pending again (replayed by %s)\n",
                  static_cast<long long>(ra->id), by.c_str());
    }
    cli.exit_code = kExitOk;
  });

  struct AuditArgs {
    StoreArgs store;
    int64_t id = 0;
    bool json = false;
  };
  auto aa = std::make_shared<AuditArgs>();
  CLI::App* audit = cli.app.add_subcommand("audit", "a document's audit trail, oldest first");
  AddStoreOptions(audit, aa->store);
  audit->add_option("ID", aa->id, "document id")->required();
  audit->add_flag("--json", aa->json, "JSON lines instead of text");
  audit->callback([&cli, aa] {
    auto o = Open(cli, aa->store);
    if (!o) return;
    auto d = o->store->GetDocument(aa->id);
    if (!d.ok()) {
      Fail(cli, d.error(), "audit");
      return;
    }
    auto events = o->store->QueryAudit({.document_id = aa->id, .limit = 100000});
    if (!events.ok()) {
      Fail(cli, events.error(), "audit");
      return;
    }
    if (aa->json) {
      for (const auto& e : *events) std::printf("%s\n", AuditJson(e).dump().c_str());
    } else {
      PrintAudit(*events);
    }
    cli.exit_code = kExitOk;
  });
}

void RegisterSecrets(Cli& cli) {
  struct SecretArgs {
    StoreArgs store;
    std::string name;
    std::string new_key_file, new_key_env, generate_key_file;
  };
  auto a = std::make_shared<SecretArgs>();
  CLI::App* secrets = cli.app.add_subcommand("secrets", "the encrypted vault of credentials");
  secrets->require_subcommand(1);
  secrets->add_option("--key-file", a->store.key_file, "master key file (mode 0600)");
  AddStoreOptions(secrets, a->store);

  auto vault = [&cli, a]() -> std::optional<std::pair<Opened, store::Vault>> {
    auto o = Open(cli, a->store);
    if (!o) return std::nullopt;
    auto key = store::MasterKey::Load(o->key_file, o->key_env);
    if (!key.ok()) {
      std::fprintf(stderr, "%s\n", key.error().ToString().c_str());
      cli.exit_code = kExitUsage;
      return std::nullopt;
    }
    store::Vault v(*o->store, std::move(key).value());
    return std::optional<std::pair<Opened, store::Vault>>(std::in_place, std::move(*o),
                                                          std::move(v));
  };

  CLI::App* set = secrets->add_subcommand(
      "set", "seal a secret; the value is read from stdin (a prompt without echo on a terminal)");
  set->add_option("NAME", a->name, "secret name, referenced as vault:NAME in the config")
      ->required();
  set->callback([&cli, a, vault] {
    auto v = vault();
    if (!v) return;
    std::string value = ReadSecretValue(a->name);
    Status s = v->second.Set(a->name, value);
    sodium_memzero(value.data(), value.size());
    if (!s.ok()) {
      Fail(cli, s, "secrets set");
      return;
    }
    std::printf("secret %s sealed under key %s\n", a->name.c_str(), v->second.key_id().c_str());
    cli.exit_code = kExitOk;
  });

  CLI::App* list = secrets->add_subcommand("list", "names and dates of the sealed secrets");
  list->callback([&cli, a] {
    auto o = Open(cli, a->store);
    if (!o) return;
    auto all = o->store->ListSecrets();  // no key needed: values are never shown
    if (!all.ok()) {
      Fail(cli, all.error(), "secrets list");
      return;
    }
    std::printf("%-32s %-16s %-20s %s\n", "NAME", "KEY", "CREATED", "UPDATED");
    for (const auto& s : *all) {
      std::printf("%-32s %-16s %-20s %s\n", s.name.c_str(), s.key_id.c_str(),
                  FormatIso8601(s.created_at, FractionDigits::kNone).c_str(),
                  FormatIso8601(s.updated_at, FractionDigits::kNone).c_str());
    }
    cli.exit_code = kExitOk;
  });

  CLI::App* rotate = secrets->add_subcommand(
      "rotate-key", "re-seal every secret under a new master key, in one transaction");
  auto* src = rotate->add_option_group("new key", "where the new master key comes from");
  src->add_option("--new-key-file", a->new_key_file, "an existing key file (mode 0600)");
  src->add_option("--new-key-env", a->new_key_env, "an environment variable holding it");
  src->add_option("--generate-key-file", a->generate_key_file,
                  "generate a new key and write it to this new file (mode 0600)");
  src->require_option(1);
  rotate->callback([&cli, a, vault] {
    auto v = vault();
    if (!v) return;
    Result<store::MasterKey> next = UnavailableError("no new key");
    if (!a->new_key_file.empty()) {
      next = store::MasterKey::FromFile(a->new_key_file);
    } else if (!a->new_key_env.empty()) {
      next = store::MasterKey::FromEnv(a->new_key_env);
    } else {
      store::MasterKey k = store::MasterKey::Generate();
      int fd = ::open(a->generate_key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (fd < 0) {
        std::fprintf(stderr, "secrets rotate-key: cannot create %s (it must not exist yet)\n",
                     a->generate_key_file.c_str());
        cli.exit_code = kExitFailure;
        return;
      }
      std::string text = k.ToBase64() + "\n";
      bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                ::fsync(fd) == 0;
      ::close(fd);
      sodium_memzero(text.data(), text.size());
      if (!ok) {
        std::fprintf(stderr, "secrets rotate-key: writing %s failed\n",
                     a->generate_key_file.c_str());
        cli.exit_code = kExitFailure;
        return;
      }
      next = std::move(k);
    }
    if (!next.ok()) {
      std::fprintf(stderr, "%s\n", next.error().ToString().c_str());
      cli.exit_code = kExitUsage;
      return;
    }
    const std::string old_id = v->second.key_id();
    Status s = v->second.RotateKey(std::move(next).value());
    if (!s.ok()) {
      Fail(cli, s, "secrets rotate-key (nothing was changed)");
      return;
    }
    std::printf("every secret re-sealed: key %s -> %s; point the config at the new key now\n",
                old_id.c_str(), v->second.key_id().c_str());
    cli.exit_code = kExitOk;
  });
}

}  // namespace

void RegisterStoreCommands(Cli& cli) {
  RegisterDocs(cli);
  RegisterReplayAndAudit(cli);
  RegisterSecrets(cli);
}

}  // namespace mlc::app
