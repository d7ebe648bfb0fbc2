// The declaration of ml-connector's configuration file, the cross-field rules, and the loader.
// Every key is declared exactly once below; parsing, validation and docs/config.md follow from it.
#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/spec.h"

namespace mlc::config {
namespace {

// --- checks used by several keys ------------------------------------------------------------

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool IsIdChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }
bool IsDigitChar(char c) { return c >= '0' && c <= '9'; }
bool IsPrintable(char c) { return c >= ' ' && c <= '~'; }

// NetSuite account ids: "1234567", "1234567_SB1", "1234567_RP", "TSTDRV1234567"
// (reference/netsuite.md §1: sandbox and release-preview ids carry _SBn / _RP).
Status CheckAccountId(std::string_view s) {
  std::string_view base = s.substr(0, s.find('_'));
  std::string_view suffix = base.size() < s.size() ? s.substr(base.size() + 1) : "";
  auto is_alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  bool ok = !base.empty() && AllOf(base, is_alnum);
  if (base.size() < s.size()) {
    std::string up(suffix);
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ok = ok && (up.rfind("SB", 0) == 0 || up.rfind("RP", 0) == 0) &&
         AllOf(std::string_view(up).substr(2), IsDigitChar);
  }
  if (!ok) return InvalidArgumentError("expected a NetSuite account id like 1234567 or 1234567_SB1, got '{}'", s);
  return Status::Ok();
}

Status CheckPartnerId(std::string_view s) {
  if (s.size() > 32 || !AllOf(s, IsIdChar)) {
    return InvalidArgumentError(
        "partner ids use letters, digits, '_' and '-' (at most 32; they appear in file names "
        "and NetSuite external ids), got '{}'", s);
  }
  return Status::Ok();
}

Status CheckDigits(std::string_view s) {
  if (!AllOf(s, IsDigitChar)) return InvalidArgumentError("expected a NetSuite internal id (digits), got '{}'", s);
  return Status::Ok();
}

// ISA05/ISA07: ID 2/2 (01 DUNS, 08, 12, 14, 16, ZZ mutually defined, ...).
Status CheckIsaQualifier(std::string_view s) {
  auto is_alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (s.size() != 2 || !AllOf(s, is_alnum)) {
    return InvalidArgumentError("expected a 2-character ISA qualifier like ZZ or 01, got '{}'", s);
  }
  return Status::Ok();
}

// ISA06/ISA08: AN 15/15, space padded by the writer; GS02/GS03: AN 2/15.
Status CheckEdiId(std::string_view s, size_t min_len) {
  if (s.size() < min_len || s.size() > 15 || !AllOf(s, IsPrintable) || s.front() == ' ' ||
      s.back() == ' ') {
    return InvalidArgumentError("expected {}-15 printable characters without surrounding spaces, got '{}'",
                                min_len, s);
  }
  return Status::Ok();
}

Status CheckDelimiter(std::string_view s) {
  if (s.size() != 1 || std::isalnum(static_cast<unsigned char>(s[0])) || s[0] == ' ') {
    return InvalidArgumentError("expected one character that is not a letter, digit or space, got '{}'", s);
  }
  return Status::Ok();
}

Status CheckNonNegativeDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') return InvalidArgumentError("must not be negative, got '{}'", s);
  return Status::Ok();
}

Status CheckTimezone(std::string_view s) {
  // Shape only ("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"); the daemon resolves it.
  auto ok_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
           c == '+';
  };
  if (s.empty() || s.front() == '/' || s.find("..") != std::string_view::npos ||
      !AllOf(s, +ok_char)) {
    return InvalidArgumentError("expected an IANA time zone like UTC or Europe/Berlin, got '{}'", s);
  }
  return Status::Ok();
}

Status CheckWebPath(std::string_view s) {
  if (s.empty() || s[0] != '/' || !AllOf(s, IsPrintable) || s.find(' ') != std::string_view::npos) {
    return InvalidArgumentError("expected an absolute URL path like /webhook/netsuite, got '{}'", s);
  }
  return Status::Ok();
}

// --- the declarations -----------------------------------------------------------------------
// Each function builds its Spec once; the Spec lives for the process (never destroyed, so it is
// safe to use from static destructors and other threads).

const Spec<VaultConfig>& VaultSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<VaultConfig>(
        "Where the master key of the encrypted secrets vault comes from. The vault (in the "
        "store) holds the values that `vault:NAME` references point to; manage it with "
        "`ml-connector secrets set|list|rotate-key`.");
    s->String("master_key_env", &VaultConfig::master_key_env)
        .Default("MLC_VAULT_KEY")
        .Doc("Name of the environment variable that holds the master key.");
    s->Path("master_key_file", &VaultConfig::master_key_file)
        .Doc("A file holding the master key (mode 0600). When set, it is used instead of the "
             "environment variable.");
    return s;
  }();
  return *spec;
}

const Spec<StoreConfig>& StoreSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<StoreConfig>(
        "The durable store: documents, audit trail, cursors, control numbers and the vault.");
    s->Url("url", &StoreConfig::url, {"sqlite", "postgresql", "postgres"})
        .Default("sqlite:///var/lib/ml-connector/state.db")
        .Doc("`sqlite:///absolute/path.db` (one machine) or `postgresql://host/db` (several "
             "processes share the work). Never put a password in the URL: use PGPASSWORD or "
             "~/.pgpass.");
    s->Section("vault", &StoreConfig::vault, VaultSpec());
    return s;
  }();
  return *spec;
}

const Spec<LoggingConfig>& LoggingSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<LoggingConfig>("Log output. Secrets are redacted from every line.");
    s->Enum("format", &LoggingConfig::format,
            {{"human", LogFormat::kHuman}, {"json", LogFormat::kJson}})
        .Default("human")
        .Doc("`human` for terminals, `json` (one object per line) for log collectors.");
    s->Enum("level", &LoggingConfig::level,
            {{"trace", LogLevel::kTrace},
             {"debug", LogLevel::kDebug},
             {"info", LogLevel::kInfo},
             {"warn", LogLevel::kWarn},
             {"error", LogLevel::kError}})
        .Default("info")
        .Doc("Lowest level written.");
    s->Path("file", &LoggingConfig::file).Doc("Log file; empty writes to standard error.");
    return s;
  }();
  return *spec;
}

const Spec<TimeoutsConfig>& TimeoutsSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<TimeoutsConfig>("Time limits for one HTTP call.");
    s->Duration("connect", &TimeoutsConfig::connect).Default("10s").Doc("TCP and TLS connect.");
    s->Duration("request", &TimeoutsConfig::request)
        .Default("120s")
        .Doc("The whole request, response body included.");
    return s;
  }();
  return *spec;
}

const Spec<RetryConfig>& RetrySpec() {
  static const auto* spec = [] {
    auto* s = new Spec<RetryConfig>(
        "Retries of retriable failures (network errors, 5xx, 429 and concurrency rejections), "
        "with exponential backoff and full jitter; `Retry-After` is honoured.");
    s->Int("max_attempts", &RetryConfig::max_attempts)
        .Range(1, 100)
        .Default("5")
        .Doc("Attempts per call, the first one included.");
    s->Duration("initial_backoff", &RetryConfig::initial_backoff).Default("1s");
    s->Duration("max_backoff", &RetryConfig::max_backoff).Default("60s");
    return s;
  }();
  return *spec;
}

const Spec<NetsuiteOauth2Config>& NetsuiteOauth2Spec() {
  static const auto* spec = [] {
    auto* s = new Spec<NetsuiteOauth2Config>(
        "OAuth 2.0 client credentials (machine to machine): a JWT assertion signed with the "
        "integration's private key, exchanged for a 60-minute access token.");
    s->Secret("client_id", &NetsuiteOauth2Config::client_id)
        .Required()
        .Doc("The integration record's client id.");
    s->String("certificate_id", &NetsuiteOauth2Config::certificate_id)
        .Required()
        .Doc("Certificate id shown in *OAuth 2.0 Client Credentials (M2M) Setup*; sent as the "
             "JWT `kid`.");
    s->Secret("private_key", &NetsuiteOauth2Config::private_key)
        .Required()
        .Doc("PEM private key matching the uploaded certificate.");
    s->Enum("algorithm", &NetsuiteOauth2Config::algorithm,
            {{"PS256", JwtAlgorithm::kPs256}, {"ES256", JwtAlgorithm::kEs256}})
        .Default("PS256")
        .Doc("JWT signature algorithm (NetSuite no longer accepts RS256).");
    s->List("scopes", &NetsuiteOauth2Config::scopes)
        .OneOf({"restlets", "rest_webservices", "suite_analytics"})
        .Default("[restlets, rest_webservices]");
    s->Duration("token_refresh_margin", &NetsuiteOauth2Config::token_refresh_margin)
        .Default("1m")
        .Doc("Refresh this long before the token expires (1m: after 59 of 60 minutes).");
    return s;
  }();
  return *spec;
}

const Spec<NetsuiteTbaConfig>& NetsuiteTbaSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<NetsuiteTbaConfig>(
        "Token-based authentication (OAuth 1.0a, HMAC-SHA256), still used by most existing "
        "integrations.");
    s->Secret("consumer_key", &NetsuiteTbaConfig::consumer_key).Required();
    s->Secret("consumer_secret", &NetsuiteTbaConfig::consumer_secret).Required();
    s->Secret("token_id", &NetsuiteTbaConfig::token_id).Required();
    s->Secret("token_secret", &NetsuiteTbaConfig::token_secret).Required();
    return s;
  }();
  return *spec;
}

const Spec<NetsuiteAuthConfig>& NetsuiteAuthSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<NetsuiteAuthConfig>("How ml-connector authenticates to NetSuite.");
    s->Enum("method", &NetsuiteAuthConfig::method,
            {{"oauth2_m2m", NetsuiteAuthMethod::kOauth2M2m}, {"tba", NetsuiteAuthMethod::kTba}})
        .Default("oauth2_m2m")
        .Doc("`oauth2_m2m` needs the `oauth2` section, `tba` the `tba` section.");
    s->OptionalSection("oauth2", &NetsuiteAuthConfig::oauth2, NetsuiteOauth2Spec());
    s->OptionalSection("tba", &NetsuiteAuthConfig::tba, NetsuiteTbaSpec());
    return s;
  }();
  return *spec;
}

const Spec<NetsuiteConfig>& NetsuiteSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<NetsuiteConfig>("The NetSuite account (REST web services and SuiteQL).");
    s->String("account_id", &NetsuiteConfig::account_id)
        .Required()
        .Check(&CheckAccountId, "e.g. 1234567 or 1234567_SB1")
        .Doc("Account id as shown in *Company Information*; sandboxes end in `_SB1`, `_SB2`.");
    s->Url("base_url", &NetsuiteConfig::base_url, {"https", "http"})
        .Doc("Overrides `https://<account>.suitetalk.api.netsuite.com` (for ml-sandbox).");
    s->Section("auth", &NetsuiteConfig::auth, NetsuiteAuthSpec()).Required();
    s->Int("concurrency_limit", &NetsuiteConfig::concurrency_limit)
        .Range(1, 100)
        .Default("5")
        .Doc("Most simultaneous requests. The account's limit: 5 on sandbox and standard "
             "accounts, more with higher service tiers and SuiteCloud Plus.");
    s->Section("timeouts", &NetsuiteConfig::timeouts, TimeoutsSpec());
    s->Section("retry", &NetsuiteConfig::retry, RetrySpec());
    s->Bool("status_fields", &NetsuiteConfig::status_fields)
        .Default("false")
        .Doc("The account has ml-connector's custom fields (docs/netsuite-setup.md): write the "
             "EDI status (`custbody_mlc_edi_status`: 850 sent, accepted or rejected by the "
             "997) and the 855 acknowledgment (`custbody_mlc_ack_*`, `custcol_mlc_*`) onto the "
             "purchase order. Off: kept in the store and console only.");
    s->Enum("po_detail", &NetsuiteConfig::po_detail,
            {{"suiteql", PoDetailSource::kSuiteQl}, {"record", PoDetailSource::kRecord}})
        .Default("suiteql")
        .Doc("How purchase orders are read in full: `suiteql` asks two SuiteQL queries (headers "
             "with addresses, lines) per 200 POs; `record` reads each PO with one Record API "
             "GET, which also gives `incoTerm` (for the 850's FOB) and takes line ids from the "
             "record itself (safer where PO lines were deleted and re-sequenced).");
    return s;
  }();
  return *spec;
}

const Spec<ReferenceExportConfig>& ReferenceExportSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<ReferenceExportConfig>(
        "The Cleo mailbox or shared folder that receives `mlc_partners_<hash>.csv` and "
        "`mlc_item_xref_<hash>.csv` whenever the reference data changed (the name carries the "
        "first 12 hex digits of the content's SHA-256, so a file is never overwritten and a "
        "retried drop is recognised).");
    s->Enum("type", &ReferenceExportConfig::type,
            {{"http", TransportType::kHttp}, {"folder", TransportType::kFolder}})
        .Required()
        .Doc("`http`: Cleo's HTTP file commands; `folder`: a directory shared with Harmony.");
    s->String("mailbox", &ReferenceExportConfig::mailbox)
        .Doc("http: the Cleo mailbox (required).");
    s->Path("outbox", &ReferenceExportConfig::outbox)
        .Doc("folder: the directory the files are dropped into (required).");
    s->String("run_action_after_drop", &ReferenceExportConfig::run_action_after_drop)
        .Doc("Cleo action to run right after a drop; empty: none.");
    s->Secret("password", &ReferenceExportConfig::password)
        .Doc("http: the mailbox's Local HTTP User password; absent: `cleo.password`.");
    return s;
  }();
  return *spec;
}

const Spec<CleoConfig>& CleoSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<CleoConfig>("Cleo Harmony / Cleo Integration Cloud (REST API and file "
                                   "transfer).");
    s->Url("base_url", &CleoConfig::base_url, {"https", "http"})
        .Required()
        .Doc("e.g. `https://harmony.example.com:6080`.");
    s->String("username", &CleoConfig::username).Required().Doc("API user (password grant).");
    s->Secret("password", &CleoConfig::password).Required();
    s->Duration("token_max_age", &CleoConfig::token_max_age)
        .Default("30m")
        .Doc("Log in again after this age. Cleo does not document its token lifetime "
             "(reference/cleo.md); a 401 also triggers a new login.");
    s->Bool("verify_tls", &CleoConfig::verify_tls)
        .Default("true")
        .Doc("Verify the server certificate. Turn off only for a test server.");
    s->Path("ca_file", &CleoConfig::ca_file)
        .Doc("PEM bundle to trust instead of the system store (self-signed Harmony).");
    s->Bool("refuse_vulnerable_server", &CleoConfig::refuse_vulnerable_server)
        .Default("false")
        .Doc("A Harmony/VLTrader before 5.8.0.24 (the 2024 unauthenticated file-write "
             "vulnerabilities, reference/cleo.md) is always reported at ERROR level; with true, "
             "every call to it is refused as well.");
    s->Int("max_file_size_mb", &CleoConfig::max_file_size_mb)
        .Range(1, 4096)
        .Default("32")
        .Doc("Largest file fetched from or dropped into a mailbox; larger ones are refused and "
             "reported, never truncated.");
    s->Section("timeouts", &CleoConfig::timeouts, TimeoutsSpec());
    s->Section("retry", &CleoConfig::retry, RetrySpec());
    s->OptionalSection("reference_export", &CleoConfig::reference_export, ReferenceExportSpec())
        .Doc("Where the reference_sync flow drops the partner ids and item cross references as "
             "CSV files for lookups on the Cleo side; absent: no export.");
    return s;
  }();
  return *spec;
}

const Spec<EnvelopeIds>& EnvelopeIdsSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<EnvelopeIds>(
        "Interchange (ISA) and group (GS) identifiers. Outbound we are the sender (ISA05/06, "
        "GS02); inbound files must carry the partner's ids as sender.");
    auto isa_id = [](std::string_view v) { return CheckEdiId(v, 1); };
    auto gs_id = [](std::string_view v) { return CheckEdiId(v, 2); };
    s->String("our_isa_qualifier", &EnvelopeIds::our_isa_qualifier)
        .Required()
        .Check(&CheckIsaQualifier, "2 characters");
    s->String("our_isa_id", &EnvelopeIds::our_isa_id).Required().Check(isa_id, "1-15 characters");
    s->String("their_isa_qualifier", &EnvelopeIds::their_isa_qualifier)
        .Required()
        .Check(&CheckIsaQualifier, "2 characters");
    s->String("their_isa_id", &EnvelopeIds::their_isa_id)
        .Required()
        .Check(isa_id, "1-15 characters");
    s->String("our_gs_id", &EnvelopeIds::our_gs_id).Required().Check(gs_id, "2-15 characters");
    s->String("their_gs_id", &EnvelopeIds::their_gs_id)
        .Required()
        .Check(gs_id, "2-15 characters");
    return s;
  }();
  return *spec;
}

const Spec<DelimitersConfig>& DelimitersSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<DelimitersConfig>(
        "Delimiters of the files we write (files we read declare their own in the ISA). Quote "
        "them in YAML: `*` starts an alias and `~` means null.");
    s->String("element", &DelimitersConfig::element).Default("\"*\"").Check(&CheckDelimiter, "1 character");
    s->String("component", &DelimitersConfig::component)
        .Default("\">\"")
        .Check(&CheckDelimiter, "1 character")
        .Doc("ISA16.");
    s->String("segment", &DelimitersConfig::segment).Default("\"~\"").Check(&CheckDelimiter, "1 character");
    s->String("repetition", &DelimitersConfig::repetition)
        .Default("\"^\"")
        .Check(&CheckDelimiter, "1 character")
        .Doc("ISA11 from 00402 on; 004010 files carry `U` there instead.");
    return s;
  }();
  return *spec;
}

const Spec<TransportConfig>& TransportSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<TransportConfig>("How files reach and leave this partner's Cleo mailbox.");
    s->Enum("type", &TransportConfig::type,
            {{"http", TransportType::kHttp}, {"folder", TransportType::kFolder}})
        .Required()
        .Doc("`http`: Cleo's HTTP file commands; `folder`: directories shared with Harmony.");
    s->String("mailbox", &TransportConfig::mailbox).Doc("http: the Cleo mailbox (required).");
    s->Path("inbox", &TransportConfig::inbox).Doc("folder: where partner files arrive (required).");
    s->Path("outbox", &TransportConfig::outbox)
        .Doc("folder: where ml-connector drops outbound files (required).");
    s->String("run_action_after_drop", &TransportConfig::run_action_after_drop)
        .Doc("Cleo action to run right after a drop (sends at once instead of at the next "
             "poll); empty: none.");
    s->Secret("password", &TransportConfig::password)
        .Doc("http: the password of the mailbox's Local HTTP User. Optional: when absent the "
             "`cleo.password` is used (as configs written before this key did).");
    return s;
  }();
  return *spec;
}

const Spec<TolerancesConfig>& TolerancesSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<TolerancesConfig>(
        "Three-way match tolerances: an invoice line within them becomes a bill line, outside "
        "them an exception. Exact decimals, best quoted (\"0.5\").");
    s->Decimal("price_percent", &TolerancesConfig::price_percent)
        .Default("\"0\"")
        .Check(&CheckNonNegativeDecimal, "not negative")
        .Doc("Unit price may differ from the PO by this percentage...");
    s->Decimal("price_amount", &TolerancesConfig::price_amount)
        .Default("\"0.00\"")
        .Check(&CheckNonNegativeDecimal, "not negative")
        .Doc("...or by this amount per unit, in the PO currency (the larger wins).");
    s->Decimal("quantity_percent", &TolerancesConfig::quantity_percent)
        .Default("\"0\"")
        .Check(&CheckNonNegativeDecimal, "not negative")
        .Doc("Invoiced quantity may exceed the received quantity by this percentage.");
    return s;
  }();
  return *spec;
}

const Spec<AccountsConfig>& AccountsSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<AccountsConfig>("Default NetSuite accounts for this partner's bills.");
    s->String("expense", &AccountsConfig::expense)
        .Check(&CheckDigits, "internal id")
        .Doc("Expense account for charges (SAC) and lines without an item.");
    s->String("ap", &AccountsConfig::ap)
        .Check(&CheckDigits, "internal id")
        .Doc("A/P account; empty uses the vendor's default.");
    return s;
  }();
  return *spec;
}

const Spec<PartnerConfig>& PartnerSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<PartnerConfig>("One trading partner (supplier) profile.");
    s->String("id", &PartnerConfig::id)
        .Required()
        .Check(&CheckPartnerId, "letters, digits, _ and -")
        .Doc("Short stable id used in file names, external ids and the console.");
    s->String("name", &PartnerConfig::name).Doc("Display name.");
    s->String("netsuite_vendor_id", &PartnerConfig::netsuite_vendor_id)
        .Required()
        .Check(&CheckDigits, "internal id")
        .Doc("Internal id of the vendor record.");
    s->Section("production", &PartnerConfig::production, EnvelopeIdsSpec())
        .Required()
        .Doc("Ids used when `usage` is P.");
    s->OptionalSection("test", &PartnerConfig::test, EnvelopeIdsSpec())
        .Doc("Ids used when `usage` is T (required then).");
    s->Enum("usage", &PartnerConfig::usage, {{"P", 'P'}, {"T", 'T'}})
        .Default("P")
        .Doc("ISA15: P production, T test.");
    s->Enum("x12_version", &PartnerConfig::x12_version,
            {{"004010", std::string("004010")}, {"005010", std::string("005010")}})
        .Required()
        .Doc("X12 release (GS08 without the suffix).");
    s->Section("delimiters", &PartnerConfig::delimiters, DelimitersSpec());
    s->Enum("line_break", &PartnerConfig::line_break,
            {{"none", LineBreak::kNone}, {"lf", LineBreak::kLf}, {"crlf", LineBreak::kCrlf}})
        .Default("none")
        .Doc("Line break written after each segment terminator.");
    s->List("documents", &PartnerConfig::documents)
        .OneOf({"850", "860", "810", "855", "856", "997"})
        .Required()
        .Doc("Transaction sets exchanged with this partner.");
    s->Enum("po_change_as", &PartnerConfig::po_change_as,
            {{"850", std::string("850")}, {"860", std::string("860")}})
        .Default("850")
        .Doc("How a PO that changed after it was sent goes out: `850` a replacement 850 (BEG01 "
             "05, the revision in BEG04), or `860` a purchase order change (BCH01 04, the "
             "revision in BCH05, one POC per changed line); 860 needs `860` in `documents`.");
    s->Duration("expect_997_within", &PartnerConfig::expect_997_within)
        .Default("24h")
        .Doc("An 850 without a 997 after this long is flagged overdue.");
    s->Enum("send_ack", &PartnerConfig::send_ack,
            {{"997", AckKind::k997}, {"999", AckKind::k999}, {"none", AckKind::kNone}})
        .Default("997")
        .Doc("Acknowledgment we send for each group received (999 needs 005010).");
    s->Section("transport", &PartnerConfig::transport, TransportSpec()).Required();
    s->List("item_id_preference", &PartnerConfig::item_id_preference)
        .OneOf({"BP", "VP", "UP"})
        .Default("[VP, BP]")
        .Doc("Item identifiers to send and match on, best first: BP buyer part, VP vendor "
             "part, UP UPC.");
    s->Map("uom_map", &PartnerConfig::uom_map)
        .Doc("NetSuite unit of measure, as purchase order lines show it (the units type's "
             "abbreviation), to X12 unit code (355), e.g. `pal: PL`. Abbreviations that already "
             "are X12 codes (`ea`, `cs`, `bx`) need no entry; invoices are matched back through "
             "the same map.");
    s->Section("tolerances", &PartnerConfig::tolerances, TolerancesSpec());
    s->Section("default_accounts", &PartnerConfig::default_accounts, AccountsSpec());
    s->Enum("on_mismatch", &PartnerConfig::on_mismatch,
            {{"park", MismatchAction::kPark}, {"hold", MismatchAction::kHold}})
        .Default("park")
        .Doc("Outside tolerance (price, or quantity over what was received): `park` the invoice "
             "as an exception, or create the bill as invoiced on `hold` (payment hold) for "
             "approval. An invoice that cannot be billed as sent (unknown item, closed line, more "
             "than ordered, a total that does not add up) is always parked.");
    return s;
  }();
  return *spec;
}

const Spec<FlowConfig>& FlowSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<FlowConfig>(
        "One flow's schedule. Flows not listed do not run.");
    s->Bool("enabled", &FlowConfig::enabled).Default("true");
    s->Schedule("schedule", &FlowConfig::schedule)
        .Default("every 5m")
        .Doc("`every <duration>` or a cron expression (`*/15 6-20 * * MON-FRI`) in "
             "`flows.timezone`.");
    s->Duration("lookback", &FlowConfig::lookback)
        .Default("10m")
        .Doc("Re-read this far behind the cursor to catch late updates.");
    s->Duration("settle", &FlowConfig::settle)
        .Default("30s")
        .Doc("Ignore changes younger than this (they may still be in flight).");
    s->Duration("lease", &FlowConfig::lease)
        .Default("5m")
        .Doc("How long one step may hold a document; a document whose worker died is taken up "
             "again after this. Longer than the slowest step.");
    return s;
  }();
  return *spec;
}

const Spec<WebhookConfig>& WebhookSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<WebhookConfig>(
        "NetSuite's purchase-order webhook. It only triggers a poll; polling stays the source "
        "of truth.");
    s->String("path", &WebhookConfig::path)
        .Default("/webhook/netsuite")
        .Check(&CheckWebPath, "starts with /");
    s->CidrList("allowed_cidrs", &WebhookConfig::allowed_cidrs)
        .Default("[]")
        .Doc("Callers allowed (NetSuite's egress ranges); empty disables the webhook.");
    s->Secret("shared_secret", &WebhookConfig::shared_secret)
        .Doc("Optional: callers must send it in the `X-MLC-Webhook-Secret` header.");
    return s;
  }();
  return *spec;
}

const Spec<ConsoleConfig>& ConsoleSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<ConsoleConfig>("The ops web console and its JSON API.");
    s->Secret("auth_token", &ConsoleConfig::auth_token)
        .Doc("Bearer token for the console; required when `listen` is not a loopback address.");
    return s;
  }();
  return *spec;
}

const Spec<ServerConfig>& ServerSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<ServerConfig>("The HTTP server: console, webhook, /metrics, /healthz.");
    s->HostPort("listen", &ServerConfig::listen)
        .Default("127.0.0.1:8080")
        .Doc("Address to bind; port 0 picks a free port.");
    s->Section("webhook", &ServerConfig::webhook, WebhookSpec());
    s->Section("console", &ServerConfig::console, ConsoleSpec());
    return s;
  }();
  return *spec;
}

}  // namespace

const Spec<Config>& RootSpec() {
  static const auto* spec = [] {
    auto* s = new Spec<Config>("");
    s->Section("store", &Config::store, StoreSpec());
    s->Section("logging", &Config::logging, LoggingSpec());
    s->Section("netsuite", &Config::netsuite, NetsuiteSpec()).Required();
    s->Section("cleo", &Config::cleo, CleoSpec()).Required();
    s->SectionList("partners", &Config::partners, PartnerSpec())
        .Doc("Trading partners; each needs a unique id and unique ISA ids.");
    s->String("timezone", &Config::timezone)
        .Default("UTC")
        .Check(&CheckTimezone, "IANA name")
        .Doc("Time zone of cron schedules.");
    s->SectionMap("flows", &Config::flows, FlowSpec())
        .OneOf(std::vector<std::string>(std::begin(kFlowNames), std::end(kFlowNames)))
        .Doc("Flows to run, by name, each with its schedule.");
    s->Section("server", &Config::server, ServerSpec());
    return s;
  }();
  return *spec;
}

namespace {

// --- cross-field rules ----------------------------------------------------------------------

// Line of `path`, or of its nearest recorded ancestor.
int LineNear(const DecodeContext& ctx, std::string path) {
  while (!path.empty()) {
    if (int line = ctx.Line(path); line > 0) return line;
    size_t cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return 0;
}

void Fail(DecodeContext& ctx, const std::string& path, std::string message) {
  ctx.AddError(path, LineNear(ctx, path), std::move(message));
}

bool IsLoopbackListen(std::string_view listen) {
  std::string_view host = listen.substr(0, listen.rfind(':'));
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

void ValidatePartners(const Config& c, DecodeContext& ctx) {
  std::map<std::string, size_t> ids;
  std::map<std::string, std::string> senders;  // "ZZ/ACME" -> "partners[0].production"
  for (size_t i = 0; i < c.partners.size(); ++i) {
    const PartnerConfig& p = c.partners[i];
    const std::string base = "partners[" + std::to_string(i) + "]";
    if (!p.id.empty()) {
      auto [it, fresh] = ids.emplace(p.id, i);
      if (!fresh) {
        Fail(ctx, base + ".id",
             fmt::format("'{}' is already the id of partners[{}]", p.id, it->second));
      }
    }
    auto check_sender = [&](const EnvelopeIds& e, const std::string& which) {
      if (e.their_isa_id.empty()) return;
      // Inbound files are routed by the sender's ISA id: two partners may not share one.
      std::string key = e.their_isa_qualifier + "/" + e.their_isa_id;
      auto [it, fresh] = senders.emplace(key, base + "." + which);
      if (!fresh && it->second.rfind(base + ".", 0) != 0) {
        Fail(ctx, base + "." + which + ".their_isa_id",
             fmt::format("ISA id {} is already used by {}", key, it->second));
      }
    };
    check_sender(p.production, "production");
    if (p.test) check_sender(*p.test, "test");
    if (p.usage == 'T' && !p.test) {
      Fail(ctx, base + ".test", "required when usage is T");
    }
    const DelimitersConfig& d = p.delimiters;
    std::set<std::string> distinct{d.element, d.component, d.segment};
    if (p.x12_version != "004010") distinct.insert(d.repetition);
    const size_t expected = p.x12_version != "004010" ? 4 : 3;
    if (distinct.size() != expected && !d.element.empty()) {
      Fail(ctx, base + ".delimiters", "element, component, segment (and repetition) "
                                      "delimiters must all differ");
    }
    if (p.po_change_as == "860" && !p.Exchanges("860")) {
      Fail(ctx, base + ".po_change_as", "860 needs 860 in documents");
    }
    if (p.send_ack == AckKind::k999 && p.x12_version == "004010") {
      Fail(ctx, base + ".send_ack", "999 acknowledgments exist from 005010 on; use 997");
    }
    const TransportConfig& t = p.transport;
    if (t.type == TransportType::kFolder) {
      if (t.inbox.empty()) Fail(ctx, base + ".transport.inbox", "required when transport.type is folder");
      if (t.outbox.empty()) Fail(ctx, base + ".transport.outbox", "required when transport.type is folder");
      if (!t.inbox.empty() && t.inbox == t.outbox) {
        Fail(ctx, base + ".transport.outbox", "must differ from transport.inbox");
      }
    } else if (t.mailbox.empty() && ctx.Line(base + ".transport.type") > 0) {
      Fail(ctx, base + ".transport.mailbox", "required when transport.type is http");
    }
    if (t.type == TransportType::kFolder && !t.password.empty()) {
      Fail(ctx, base + ".transport.password", "only used when transport.type is http");
    }
  }
}

void Validate(const Config& c, DecodeContext& ctx) {
  const NetsuiteAuthConfig& auth = c.netsuite.auth;
  if (ctx.Line("netsuite.auth") > 0) {
    if (auth.method == NetsuiteAuthMethod::kOauth2M2m && !auth.oauth2) {
      Fail(ctx, "netsuite.auth.oauth2", "required when auth.method is oauth2_m2m");
    }
    if (auth.method == NetsuiteAuthMethod::kTba && !auth.tba) {
      Fail(ctx, "netsuite.auth.tba", "required when auth.method is tba");
    }
  }
  for (const RetryConfig* r : {&c.netsuite.retry, &c.cleo.retry}) {
    if (r->initial_backoff > r->max_backoff) {
      Fail(ctx, r == &c.netsuite.retry ? "netsuite.retry" : "cleo.retry",
           "initial_backoff must not exceed max_backoff");
    }
  }
  if (c.cleo.reference_export) {
    const ReferenceExportConfig& e = *c.cleo.reference_export;
    const std::string base = "cleo.reference_export";
    if (e.type == TransportType::kHttp) {
      if (e.mailbox.empty()) Fail(ctx, base + ".mailbox", "required when type is http");
      if (!e.outbox.empty()) Fail(ctx, base + ".outbox", "only used when type is folder");
    } else {
      if (e.outbox.empty()) Fail(ctx, base + ".outbox", "required when type is folder");
      if (!e.mailbox.empty()) Fail(ctx, base + ".mailbox", "only used when type is http");
      if (!e.password.empty()) Fail(ctx, base + ".password", "only used when type is http");
    }
  }
  if (!c.cleo.verify_tls && !c.cleo.ca_file.empty()) {
    Fail(ctx, "cleo.ca_file", "has no effect with verify_tls: false; remove one of them");
  }
  if (!c.server.listen.empty() && !IsLoopbackListen(c.server.listen) &&
      c.server.console.auth_token.empty()) {
    Fail(ctx, "server.console.auth_token",
         fmt::format("required when server.listen ({}) is not a loopback address",
                     c.server.listen));
  }
  ValidatePartners(c, ctx);
}

}  // namespace

// --- loading --------------------------------------------------------------------------------

bool PartnerConfig::Exchanges(std::string_view document) const {
  return std::find(documents.begin(), documents.end(), document) != documents.end();
}

const PartnerConfig* Config::FindPartner(std::string_view partner_id) const {
  for (const auto& p : partners) {
    if (p.id == partner_id) return &p;
  }
  return nullptr;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read only
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

LoadResult LoadConfigText(std::string_view text, const EnvLookup& env) {
  LoadResult result;
  auto fail = [&](int line, int column, std::string message) {
    result.errors.push_back(ConfigError{"", line, column, std::move(message)});
    return result;
  };
  constexpr size_t kMaxBytes = 4 << 20;
  if (text.size() > kMaxBytes) return fail(0, 0, "config file is larger than 4 MiB");
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::ParserException& e) {
    return fail(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    return fail(0, 0, std::string("YAML error: ") + e.what());
  }
  if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
    return fail(0, 0, "config is empty (expected a YAML map with netsuite, cleo, partners, ...)");
  }
  if (docs.size() > 1) {
    return fail(DecodeContext::LineOf(docs[1]), 0,
                "config holds more than one YAML document; remove the extra '---'");
  }
  DecodeContext ctx(env);
  try {
    RootSpec().Decode(docs[0], result.config, ctx, "", 0);
    // Cross-field rules only make sense on a map that decoded without running out of budget.
    const bool exhausted = ctx.exhausted();
    if (docs[0].IsMap() && !exhausted) {
      Validate(result.config, ctx);
    }
  } catch (const YAML::Exception& e) {
    ctx.AddError("", 0, std::string("YAML error: ") + e.what());
  }
  result.errors = ctx.TakeErrors();
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  return result;
}

LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back(ConfigError{"", 0, 0,
                                   fmt::format("cannot read config file {}: {}", path,
                                               std::strerror(errno))});
    return r;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return LoadConfigText(buf.str(), env);
}

Result<Config> LoadConfig(const std::string& path) {
  LoadResult r = LoadConfigFile(path);
  if (r.ok()) return std::move(r.config);
  std::string message = fmt::format("loading config {}: {} error(s)", path, r.errors.size());
  for (const auto& e : r.errors) message += "\n" + e.ToString();
  return InvalidArgumentError("{}", message);
}

std::string ConfigReferenceMarkdown() {
  std::string out =
      "# ml-connector configuration reference\n\n"
      "Generated by `ml-connector config docs` from the declarations in src/config/config.cc; "
      "do not edit by hand. `ml-connector config check FILE` validates a file against it. An "
      "annotated example: examples/ml-connector.yaml.\n\n"
      "## Conventions\n\n"
      "- **Environment variables**: any value may contain `${VAR}` (an error if VAR is unset) or "
      "`${VAR:-default}` (default when unset or empty); `$${` writes a literal `${`. Keys are "
      "never interpolated.\n"
      "- **Secret references**: keys of type *secret reference* never hold the secret itself, "
      "only `vault:NAME` (an entry of the encrypted vault, see `ml-connector secrets`) or "
      "`env:VAR` (read from the environment at start-up). A literal value is an error.\n"
      "- **Durations**: an integer and a unit, or several: `150ms`, `30s`, `59m`, `1h30m`, `2d`.\n"
      "- **Schedules**: `every <duration>` (at least 1s) or a five-field cron expression "
      "`minute hour day-of-month month day-of-week` with `*`, `a-b`, `a,b`, `*/n`, and names "
      "`JAN`-`DEC`, `SUN`-`SAT`.\n"
      "- **Decimals** are exact (never floating point): digits with an optional `-` and `.`; "
      "quote them (`\"0.5\"`).\n"
      "- Unknown keys are errors (with a *did you mean* hint); `key:` with no value means the "
      "default.\n\n"
      "## Top level\n\n";
  out += RenderMarkdown(RootSpec());
  return out;
}

}  // namespace mlc::config
