// ml-connector's configuration: the typed structs every area reads, and the loader that fills them
// from one YAML file.
//
// The keys, types, defaults and descriptions are declared once in config.cc (see spec.h for the
// DSL); that declaration parses, validates and documents (`ml-connector config docs`, committed as
// docs/config.md). Loading reports every problem at once, each with its key path and line:
//   netsuite.auth.oauth2.client_id: required key is missing (line 7)
//   partners[2].x12_version: must be one of 004010, 005010, got '4010' (line 31)
//
// Values may use ${VAR} and ${VAR:-default}; secrets are never written in the file, only
// referenced (vault:NAME, resolved by the store layer; env:VAR, read at load and registered with
// mlc::RegisterSecret at once).
//
// Ownership: a Config is a plain value; copy it freely. Thread safety: loading touches no shared
// state except the secret redaction registry (itself thread-safe) and the environment (read only).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/values.h"

namespace mlc::config {

// --- store, logging -------------------------------------------------------------------------

struct VaultConfig {
  std::string master_key_env;   // name of the environment variable holding the master key
  std::string master_key_file;  // or a key file (0600); when set it wins over the variable
};

struct StoreConfig {
  std::string url;  // sqlite:///path/state.db or postgresql://host/db
  VaultConfig vault;
};

enum class LogFormat : uint8_t { kHuman, kJson };
enum class LogLevel : uint8_t { kTrace, kDebug, kInfo, kWarn, kError };

struct LoggingConfig {
  LogFormat format = LogFormat::kHuman;
  LogLevel level = LogLevel::kInfo;
  std::string file;  // empty: standard error
};

// --- shared by the HTTP clients -------------------------------------------------------------

struct TimeoutsConfig {
  Duration connect{0};
  Duration request{0};
};

struct RetryConfig {
  int max_attempts = 0;
  Duration initial_backoff{0};
  Duration max_backoff{0};
};

// --- NetSuite -------------------------------------------------------------------------------

enum class NetsuiteAuthMethod : uint8_t { kOauth2M2m, kTba };
enum class JwtAlgorithm : uint8_t { kPs256, kEs256 };

struct NetsuiteOauth2Config {
  SecretRef client_id;
  std::string certificate_id;
  SecretRef private_key;
  JwtAlgorithm algorithm = JwtAlgorithm::kPs256;
  std::vector<std::string> scopes;  // restlets, rest_webservices, suite_analytics
  Duration token_refresh_margin{0};
};

struct NetsuiteTbaConfig {
  SecretRef consumer_key;
  SecretRef consumer_secret;
  SecretRef token_id;
  SecretRef token_secret;
};

struct NetsuiteAuthConfig {
  NetsuiteAuthMethod method = NetsuiteAuthMethod::kOauth2M2m;
  std::optional<NetsuiteOauth2Config> oauth2;  // set when method is oauth2_m2m (validated)
  std::optional<NetsuiteTbaConfig> tba;        // set when method is tba (validated)
};

// How po_outbound reads a purchase order's header, addresses and lines (flows/po_detail.h).
enum class PoDetailSource : uint8_t {
  kSuiteQl,  // two SuiteQL queries per 200 POs
  kRecord,   // one Record API GET per PO (also gives incoTerm and exact REST line ids)
};

struct NetsuiteConfig {
  std::string account_id;  // "1234567" or "1234567_SB1"
  std::string base_url;    // empty: derived from account_id
  NetsuiteAuthConfig auth;
  int concurrency_limit = 0;
  TimeoutsConfig timeouts;
  RetryConfig retry;
  // The account has ml-connector's custom fields (docs/netsuite-setup.md): the flows write the
  // EDI and acknowledgment status onto purchase orders.
  bool status_fields = false;
  PoDetailSource po_detail = PoDetailSource::kSuiteQl;
};

// --- Cleo -----------------------------------------------------------------------------------

enum class TransportType : uint8_t { kHttp, kFolder };

// A Cleo mailbox (http) or a folder shared with Harmony that ml-connector only drops files into.
struct ReferenceExportConfig {
  TransportType type = TransportType::kHttp;
  std::string mailbox;                // http: the Cleo mailbox (Local HTTP User)
  std::string outbox;                 // folder: the directory files are dropped into
  std::string run_action_after_drop;  // Cleo action alias to run after a drop; empty = none
  SecretRef password;                 // http: the mailbox's password; unset = cleo.password
};

struct CleoConfig {
  std::string base_url;
  std::string username;
  SecretRef password;
  Duration token_max_age{0};
  bool verify_tls = true;
  std::string ca_file;
  bool refuse_vulnerable_server = false;
  int max_file_size_mb = 32;
  TimeoutsConfig timeouts;
  RetryConfig retry;
  // Where reference_sync drops the partner-id and item cross-reference CSV files for CIC-side
  // lookups; unset: no export.
  std::optional<ReferenceExportConfig> reference_export;
};

// --- partners -------------------------------------------------------------------------------

// ISA/GS identifiers for one usage (production or test).
struct EnvelopeIds {
  std::string our_isa_qualifier;    // ISA05 (outbound) / ISA07 (inbound)
  std::string our_isa_id;           // ISA06 / ISA08
  std::string their_isa_qualifier;  // ISA07 / ISA05
  std::string their_isa_id;         // ISA08 / ISA06
  std::string our_gs_id;            // GS02 / GS03
  std::string their_gs_id;          // GS03 / GS02
};

struct DelimitersConfig {
  std::string element;     // one character
  std::string component;   // one character
  std::string segment;     // one character
  std::string repetition;  // one character (ISA11 from 00402 on)
};

enum class LineBreak : uint8_t { kNone, kLf, kCrlf };
enum class AckKind : uint8_t { k997, k999, kNone };
enum class MismatchAction : uint8_t { kPark, kHold };

struct TransportConfig {
  TransportType type = TransportType::kHttp;
  std::string mailbox;                // http: the Cleo mailbox (HTTP user)
  std::string inbox;                  // folder: directory Cleo delivers partner files into
  std::string outbox;                 // folder: directory Cleo sends from
  std::string run_action_after_drop;  // Cleo action alias to run after a drop; empty = none
  SecretRef password;  // http: the mailbox's Local HTTP User password; unset = cleo.password
};

// Matching tolerances, exact decimals kept as text (parse with mlc::Decimal).
struct TolerancesConfig {
  std::string price_percent;
  std::string price_amount;
  std::string quantity_percent;
};

struct AccountsConfig {
  std::string expense;  // NetSuite internal id of the default expense account
  std::string ap;       // NetSuite internal id of the A/P account
};

struct PartnerConfig {
  std::string id;
  std::string name;
  std::string netsuite_vendor_id;
  EnvelopeIds production;
  std::optional<EnvelopeIds> test;
  char usage = 'P';              // ISA15: 'P' or 'T'
  std::string x12_version;       // "004010" or "005010"
  DelimitersConfig delimiters;
  LineBreak line_break = LineBreak::kNone;
  std::vector<std::string> documents;  // "850", "860", "810", "855", "856", "997"
  std::string po_change_as = "850";    // a changed PO goes out as an 850 replace or an 860
  Duration expect_997_within{0};
  AckKind send_ack = AckKind::k997;
  TransportConfig transport;
  std::vector<std::string> item_id_preference;  // "BP", "VP", "UP" in order of preference
  std::map<std::string, std::string> uom_map;   // NetSuite unit name -> X12 unit code
  TolerancesConfig tolerances;
  AccountsConfig default_accounts;
  MismatchAction on_mismatch = MismatchAction::kPark;

  bool Exchanges(std::string_view document) const;
  const EnvelopeIds& ids() const { return usage == 'T' && test ? *test : production; }
};

// --- flows, server --------------------------------------------------------------------------

struct FlowConfig {
  bool enabled = true;
  Schedule schedule;
  Duration lookback{0};
  Duration settle{0};
  Duration lease{0};  // how long a relay step may hold a document before others reclaim it
};

// The flows ml-connector knows (the keys allowed under `flows`).
inline constexpr std::string_view kFlowNames[] = {"po_outbound", "invoice_inbound", "ack_inbound",
                                                  "fa_inbound",  "fa_outbound",     "reference_sync"};

struct WebhookConfig {
  std::string path;
  std::vector<Cidr> allowed_cidrs;  // empty: the webhook is disabled
  SecretRef shared_secret;          // optional
};

struct ConsoleConfig {
  SecretRef auth_token;  // required unless `listen` is a loopback address
};

struct ServerConfig {
  std::string listen;  // host:port
  WebhookConfig webhook;
  ConsoleConfig console;
};

// --- the file -------------------------------------------------------------------------------

struct Config {
  StoreConfig store;
  LoggingConfig logging;
  NetsuiteConfig netsuite;
  CleoConfig cleo;
  std::vector<PartnerConfig> partners;
  std::string timezone;                      // for cron schedules
  std::map<std::string, FlowConfig> flows;  // keys from kFlowNames; absent flows do not run
  ServerConfig server;

  const PartnerConfig* FindPartner(std::string_view id) const;
};

// One problem found while loading. ToString(): "path: message (line N)"; for YAML syntax errors
// (no path) "message (line N, column C)".
struct ConfigError {
  std::string path;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; only for syntax errors
  std::string message;

  std::string ToString() const;
};

// Reads an environment variable; nullopt when unset. Tests pass a map-backed lookup.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

struct LoadResult {
  Config config;                    // meaningful only when errors is empty
  std::vector<ConfigError> errors;  // in file order
  bool ok() const { return errors.empty(); }
};

// Parses and validates YAML text. Never throws; every problem is in `errors`, sorted by line.
// env:VAR secrets are read through `env` and registered with RegisterSecret.
LoadResult LoadConfigText(std::string_view text, const EnvLookup& env = ProcessEnv());

// Reads `path` and calls LoadConfigText. An unreadable file is one error with an empty path.
LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env = ProcessEnv());

// Convenience for the daemon: the Config, or kInvalidArgument listing every error, one per line.
Result<Config> LoadConfig(const std::string& path);

// The Markdown reference generated from the declarations (docs/config.md).
std::string ConfigReferenceMarkdown();

}  // namespace mlc::config
