#include "config/config.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/redact.h"
#include "config/spec.h"

namespace mlc::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A small valid file; tests edit it with Replace() and find lines with LineOf().
constexpr std::string_view kMinimal = R"(netsuite:
  account_id: "1234567_SB1"
  auth:
    method: oauth2_m2m
    oauth2:
      client_id: vault:ns_client_id
      certificate_id: cert-1
      private_key: vault:ns_private_key
cleo:
  base_url: https://cleo.example.com
  username: api
  password: vault:cleo_password
partners:
  - id: ACME
    netsuite_vendor_id: "42"
    production:
      our_isa_qualifier: ZZ
      our_isa_id: MLBUYER
      their_isa_qualifier: ZZ
      their_isa_id: ACME
      our_gs_id: MLBUYER
      their_gs_id: ACME
    x12_version: "005010"
    documents: [850, 810]
    transport:
      type: http
      mailbox: ACME
flows:
  po_outbound: {}
)";

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: '" << from << "' not in text";
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

int LineOf(std::string_view text, std::string_view needle) {
  size_t pos = text.find(needle);
  EXPECT_NE(pos, std::string_view::npos) << "test bug: '" << needle << "' not in text";
  int line = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

LoadResult Load(std::string_view text, std::map<std::string, std::string> vars = {}) {
  return LoadConfigText(text, MapEnv(std::move(vars)));
}

std::vector<std::string> Messages(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(e.ToString());
  return out;
}

std::string All(const LoadResult& r) {
  std::string out;
  for (const auto& m : Messages(r)) out += m + "\n";
  return out;
}

TEST(ConfigTest, MinimalFileLoadsAndAppliesDefaults) {
  LoadResult r = Load(kMinimal);
  ASSERT_TRUE(r.ok()) << All(r);
  const Config& c = r.config;
  EXPECT_EQ(c.store.url, "sqlite:///var/lib/ml-connector/state.db");
  EXPECT_EQ(c.store.vault.master_key_env, "MLC_VAULT_KEY");
  EXPECT_EQ(c.logging.format, LogFormat::kHuman);
  EXPECT_EQ(c.logging.level, LogLevel::kInfo);
  EXPECT_EQ(c.netsuite.account_id, "1234567_SB1");
  EXPECT_EQ(c.netsuite.concurrency_limit, 5);
  EXPECT_EQ(c.netsuite.timeouts.connect, std::chrono::seconds(10));
  EXPECT_EQ(c.netsuite.retry.max_attempts, 5);
  ASSERT_TRUE(c.netsuite.auth.oauth2.has_value());
  EXPECT_FALSE(c.netsuite.auth.tba.has_value());
  const NetsuiteOauth2Config& o = *c.netsuite.auth.oauth2;
  EXPECT_EQ(o.client_id.kind, SecretRef::Kind::kVault);
  EXPECT_EQ(o.client_id.name, "ns_client_id");
  EXPECT_EQ(o.algorithm, JwtAlgorithm::kPs256);
  EXPECT_THAT(o.scopes, ElementsAre("restlets", "rest_webservices"));
  EXPECT_EQ(o.token_refresh_margin, std::chrono::minutes(1));
  EXPECT_TRUE(c.cleo.verify_tls);
  EXPECT_EQ(c.cleo.token_max_age, std::chrono::minutes(30));
  ASSERT_EQ(c.partners.size(), 1u);
  const PartnerConfig& p = c.partners[0];
  EXPECT_EQ(p.usage, 'P');
  EXPECT_EQ(p.x12_version, "005010");
  EXPECT_EQ(p.delimiters.element, "*");
  EXPECT_EQ(p.delimiters.component, ">");
  EXPECT_EQ(p.delimiters.segment, "~");
  EXPECT_EQ(p.delimiters.repetition, "^");
  EXPECT_EQ(p.line_break, LineBreak::kNone);
  EXPECT_EQ(p.send_ack, AckKind::k997);
  EXPECT_EQ(p.expect_997_within, std::chrono::hours(24));
  EXPECT_THAT(p.item_id_preference, ElementsAre("VP", "BP"));
  EXPECT_EQ(p.tolerances.price_amount, "0.00");
  EXPECT_EQ(p.on_mismatch, MismatchAction::kPark);
  EXPECT_TRUE(p.Exchanges("810"));
  EXPECT_FALSE(p.Exchanges("855"));
  EXPECT_EQ(c.FindPartner("ACME"), &c.partners[0]);
  EXPECT_EQ(c.FindPartner("NOPE"), nullptr);
  EXPECT_EQ(c.timezone, "UTC");
  ASSERT_EQ(c.flows.count("po_outbound"), 1u);
  const FlowConfig& f = c.flows.at("po_outbound");
  EXPECT_TRUE(f.enabled);
  EXPECT_EQ(f.schedule.kind, Schedule::Kind::kInterval);
  EXPECT_EQ(f.schedule.interval, std::chrono::minutes(5));
  EXPECT_EQ(f.lookback, std::chrono::minutes(10));
  EXPECT_EQ(f.settle, std::chrono::seconds(30));
  EXPECT_EQ(c.flows.count("invoice_inbound"), 0u);
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.webhook.path, "/webhook/netsuite");
  EXPECT_TRUE(c.server.webhook.allowed_cidrs.empty());
}

TEST(ConfigTest, ExampleFileLoads) {
  const std::string path = std::string(MLC_SOURCE_DIR) + "/examples/ml-connector.yaml";
  LoadResult r = LoadConfigFile(path, MapEnv({{"NETSUITE_ACCOUNT_ID", "7654321_SB2"},
                                              {"NETSUITE_CLIENT_ID", "client-id-example-1"},
                                              {"NETSUITE_PRIVATE_KEY", "pem-example-secret-2"}}));
  ASSERT_TRUE(r.ok()) << All(r);
  const Config& c = r.config;
  EXPECT_EQ(c.netsuite.account_id, "7654321_SB2");
  EXPECT_EQ(c.store.url, "sqlite:///var/lib/ml-connector/state.db");  // ${VAR:-default}
  ASSERT_EQ(c.partners.size(), 2u);
  EXPECT_EQ(c.partners[0].transport.type, TransportType::kHttp);
  EXPECT_EQ(c.partners[1].transport.type, TransportType::kFolder);
  EXPECT_EQ(c.partners[1].line_break, LineBreak::kCrlf);
  EXPECT_EQ(c.partners[1].uom_map.at("Hundred"), "HU");
  EXPECT_EQ(c.flows.size(), 6u);
  const Schedule& sync = c.flows.at("reference_sync").schedule;
  EXPECT_EQ(sync.kind, Schedule::Kind::kCron);
  EXPECT_EQ(sync.cron.minutes, uint64_t{1} << 30);
  EXPECT_EQ(sync.cron.days_of_week, 0b0111110);  // MON-FRI
  EXPECT_EQ(c.server.webhook.allowed_cidrs.size(), 2u);
  EXPECT_EQ(c.netsuite.auth.oauth2->private_key.value, "pem-example-secret-2");
  // env: secrets are registered for redaction the moment they are read.
  EXPECT_EQ(Redact("key=pem-example-secret-2"), "key=***");
}

TEST(ConfigTest, MissingRequiredKeyNamesPathAndLine) {
  std::string text = Replace(kMinimal, "      client_id: vault:ns_client_id\n", "");
  LoadResult r = Load(text);
  EXPECT_THAT(Messages(r),
              ElementsAre(fmt::format("netsuite.auth.oauth2.client_id: required key is missing "
                                      "(line {})",
                                      LineOf(text, "oauth2:"))));
}

TEST(ConfigTest, MissingRequiredSection) {
  std::string text = Replace(kMinimal, "cleo:", "cleoo:");
  LoadResult r = Load(text);
  EXPECT_THAT(Messages(r), ElementsAre("cleo: required key is missing",
                                       fmt::format("cleoo: unknown key (did you mean 'cleo'?) "
                                                   "(line {})",
                                                   LineOf(text, "cleoo:"))));
}

TEST(ConfigTest, RequiredKeyWithoutValue) {
  std::string text = Replace(kMinimal, "username: api", "username:");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(fmt::format("cleo.username: required key has no value (line {})",
                                      LineOf(text, "username:"))));
}

TEST(ConfigTest, WrongTypes) {
  std::string text = Replace(kMinimal, "cleo:\n", "cleo:\n  verify_tls: maybe\n");
  text = Replace(text, "netsuite:\n", "netsuite:\n  concurrency_limit: five\n");
  LoadResult r = Load(text);
  EXPECT_THAT(
      Messages(r),
      ElementsAre(
          fmt::format("netsuite.concurrency_limit: expected an integer, got 'five' (line {})",
                      LineOf(text, "concurrency_limit")),
          fmt::format("cleo.verify_tls: expected true or false, got 'maybe' (line {})",
                      LineOf(text, "verify_tls"))));
}

TEST(ConfigTest, IntegerOutOfRange) {
  std::string text = Replace(kMinimal, "netsuite:\n", "netsuite:\n  concurrency_limit: 0\n");
  EXPECT_THAT(All(Load(text)),
              HasSubstr("netsuite.concurrency_limit: must be between 1 and 100, got 0 (line 2)"));
}

TEST(ConfigTest, BadEnumListsAllowedValues) {
  std::string text = Replace(kMinimal, "x12_version: \"005010\"", "x12_version: 4010");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(fmt::format("partners[0].x12_version: must be one of 004010, 005010, "
                                      "got '4010' (line {})",
                                      LineOf(text, "x12_version"))));
}

TEST(ConfigTest, EnumCaseHint) {
  std::string text = Replace(kMinimal, "method: oauth2_m2m", "method: TBA");
  EXPECT_THAT(All(Load(text)), HasSubstr("netsuite.auth.method: must be one of oauth2_m2m, tba, "
                                         "got 'TBA' (did you mean 'tba'?) (line 4)"));
}

TEST(ConfigTest, UnknownKeyWithAndWithoutHint) {
  std::string text = Replace(kMinimal, "      mailbox: ACME\n",
                             "      mailbox: ACME\n      mailbx: X\n      colour: red\n");
  LoadResult r = Load(text);
  EXPECT_THAT(
      Messages(r),
      ElementsAre(
          fmt::format("partners[0].transport.mailbx: unknown key (did you mean 'mailbox'?) "
                      "(line {})",
                      LineOf(text, "mailbx")),
          fmt::format("partners[0].transport.colour: unknown key (allowed: type, mailbox, "
                      "inbox, outbox, run_action_after_drop, password) (line {})",
                      LineOf(text, "colour"))));
}

TEST(ConfigTest, DuplicateKey) {
  std::string text = Replace(kMinimal, "  username: api\n", "  username: api\n  username: b\n");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(fmt::format("cleo.username: duplicate key (line {})",
                                      LineOf(text, "username: b"))));
}

TEST(ConfigTest, BadDuration) {
  std::string text = Replace(kMinimal, "po_outbound: {}", "po_outbound: {lookback: 10 min}");
  EXPECT_THAT(All(Load(text)),
              HasSubstr("flows.po_outbound.lookback: expected a duration like 30s, 5m, 1h30m or "
                        "150ms (units: ms, s, m, h, d), got '10 min' (line 29)"));
}

TEST(ConfigTest, BadUrl) {
  std::string text = Replace(kMinimal, "https://cleo.example.com", "htp:/x");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(fmt::format("cleo.base_url: expected a URL like https://host/path, got "
                                      "'htp:/x' (line {})",
                                      LineOf(text, "htp:/x"))));
}

TEST(ConfigTest, UrlWithPasswordIsRejectedWithoutEcho) {
  std::string text = "store:\n  url: postgresql://mlc:s3cretpw@db/mlc\n" + std::string(kMinimal);
  LoadResult r = Load(text);
  EXPECT_THAT(All(r), HasSubstr("store.url: URLs must not carry a password"));
  EXPECT_THAT(All(r), Not(HasSubstr("s3cretpw")));
}

TEST(ConfigTest, BadCidr) {
  std::string text = std::string(kMinimal) +
                     "server:\n  webhook:\n    allowed_cidrs: [10.1.0.0/16, 300.1.1.1/8, "
                     "10.0.0.1/8]\n";
  EXPECT_THAT(
      Messages(Load(text)),
      ElementsAre("server.webhook.allowed_cidrs[1]: expected a CIDR range like 10.0.0.0/8 or "
                  "fd00::/8, got '300.1.1.1/8' (line 32)",
                  "server.webhook.allowed_cidrs[2]: '10.0.0.1/8' has host bits set; did you mean "
                  "10.0.0.0/8? (line 32)"));
}

TEST(ConfigTest, LiteralSecretIsRejectedAndNeverEchoed) {
  std::string text =
      Replace(kMinimal, "private_key: vault:ns_private_key", "private_key: MIIEvQIBADANBgkq");
  LoadResult r = Load(text);
  EXPECT_THAT(Messages(r),
              ElementsAre(fmt::format("netsuite.auth.oauth2.private_key: secrets must be a "
                                      "reference (vault:NAME or env:VAR), not a literal value "
                                      "(line {})",
                                      LineOf(text, "private_key"))));
  EXPECT_THAT(All(r), Not(HasSubstr("MIIEvQ")));
}

TEST(ConfigTest, SecretThatIsAMapIsRejected) {
  std::string text = Replace(kMinimal, "password: vault:cleo_password", "password: {a: 1}");
  EXPECT_THAT(All(Load(text)), HasSubstr("cleo.password: expected a secret reference "
                                         "(vault:NAME or env:VAR), got a map (line 12)"));
}

TEST(ConfigTest, EnvSecretIsReadAndRegistered) {
  ClearSecretsForTest();
  std::string text = Replace(kMinimal, "password: vault:cleo_password", "password: env:CLEO_PW");
  LoadResult r = Load(text, {{"CLEO_PW", "correct-horse-battery"}});
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.config.cleo.password.kind, SecretRef::Kind::kEnv);
  EXPECT_EQ(r.config.cleo.password.value, "correct-horse-battery");
  EXPECT_EQ(r.config.cleo.password.ToString(), "env:CLEO_PW");
  EXPECT_EQ(Redact("pw correct-horse-battery"), "pw ***");

  LoadResult unset = Load(text);
  EXPECT_THAT(Messages(unset),
              ElementsAre("cleo.password: environment variable CLEO_PW (from env:CLEO_PW) is not "
                          "set or empty (line 12)"));
}

TEST(ConfigTest, TransportPasswordIsOptionalAndOnlyForHttp) {
  LoadResult without = Load(kMinimal);
  ASSERT_TRUE(without.ok()) << All(without);
  EXPECT_TRUE(without.config.partners[0].transport.password.empty());

  std::string text =
      Replace(kMinimal, "      mailbox: ACME\n", "      mailbox: ACME\n      password: env:ACME_PW\n");
  LoadResult with = Load(text, {{"ACME_PW", "acme-mailbox-pass"}});
  ASSERT_TRUE(with.ok()) << All(with);
  EXPECT_EQ(with.config.partners[0].transport.password.ToString(), "env:ACME_PW");
  EXPECT_EQ(with.config.partners[0].transport.password.value, "acme-mailbox-pass");

  std::string folder = Replace(text, "      type: http\n      mailbox: ACME\n",
                               "      type: folder\n      inbox: /in\n      outbox: /out\n");
  EXPECT_THAT(Messages(Load(folder, {{"ACME_PW", "acme-mailbox-pass"}})),
              ElementsAre(fmt::format("partners[0].transport.password: only used when "
                                      "transport.type is http (line {})",
                                      LineOf(folder, "password: env:ACME_PW"))));
}

TEST(ConfigTest, ReferenceExportIsOptionalAndChecked) {
  LoadResult none = Load(kMinimal);
  ASSERT_TRUE(none.ok()) << All(none);
  EXPECT_FALSE(none.config.cleo.reference_export.has_value());

  const std::string http = Replace(kMinimal, "  password: vault:cleo_password\n",
                                   "  password: vault:cleo_password\n"
                                   "  reference_export:\n    type: http\n    mailbox: LOOKUPS\n");
  LoadResult h = Load(http);
  ASSERT_TRUE(h.ok()) << All(h);
  ASSERT_TRUE(h.config.cleo.reference_export.has_value());
  EXPECT_EQ(h.config.cleo.reference_export->type, TransportType::kHttp);
  EXPECT_EQ(h.config.cleo.reference_export->mailbox, "LOOKUPS");

  const std::string no_mailbox = Replace(http, "    mailbox: LOOKUPS\n", "");
  EXPECT_THAT(Messages(Load(no_mailbox)),
              ElementsAre(HasSubstr("cleo.reference_export.mailbox: required when type is http")));

  const std::string folder = Replace(http, "    type: http\n    mailbox: LOOKUPS\n",
                                     "    type: folder\n    outbox: /srv/cleo/lookups\n"
                                     "    password: env:X\n");
  EXPECT_THAT(Messages(Load(folder, {{"X", "some-long-password"}})),
              ElementsAre(fmt::format("cleo.reference_export.password: only used when type is "
                                      "http (line {})",
                                      LineOf(folder, "password: env:X"))));
}

TEST(ConfigTest, TooShortEnvSecretIsRefusedWithoutEcho) {
  std::string text = Replace(kMinimal, "password: vault:cleo_password", "password: env:CLEO_PW");
  LoadResult r = Load(text, {{"CLEO_PW", "pw1"}});
  EXPECT_THAT(Messages(r),
              ElementsAre("cleo.password: environment variable CLEO_PW (from env:CLEO_PW) is "
                          "shorter than 4 characters; that cannot be a real secret (line 12)"));
}

TEST(ConfigTest, SecretInterpolatedFromEnvIsStillALiteral) {
  std::string text = Replace(kMinimal, "password: vault:cleo_password", "password: ${CLEO_PW}");
  LoadResult r = Load(text, {{"CLEO_PW", "plain-text-pw"}});
  EXPECT_THAT(All(r), HasSubstr("cleo.password: secrets must be a reference"));
  EXPECT_THAT(All(r), Not(HasSubstr("plain-text-pw")));
}

TEST(ConfigTest, EnvInterpolation) {
  std::string text = Replace(kMinimal, "username: api", "username: ${CLEO_USER}-${SUFFIX:-x}");
  text = Replace(text, "certificate_id: cert-1", "certificate_id: \"$${literal}\"");
  LoadResult r = Load(text, {{"CLEO_USER", "ops"}});
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.config.cleo.username, "ops-x");
  EXPECT_EQ(r.config.netsuite.auth.oauth2->certificate_id, "${literal}");

  LoadResult r2 = Load(text, {{"CLEO_USER", "ops"}, {"SUFFIX", "y"}});
  ASSERT_TRUE(r2.ok()) << All(r2);
  EXPECT_EQ(r2.config.cleo.username, "ops-y");

  // An empty variable takes the default too (shell :- semantics).
  LoadResult r3 = Load(text, {{"CLEO_USER", "ops"}, {"SUFFIX", ""}});
  EXPECT_EQ(r3.config.cleo.username, "ops-x");
}

TEST(ConfigTest, UnsetEnvVarNamesKeyVariableAndLine) {
  std::string text = Replace(kMinimal, "username: api", "username: ${CLEO_USER}");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(fmt::format("cleo.username: environment variable CLEO_USER is not set "
                                      "(write ${{CLEO_USER:-value}} to give a default) (line {})",
                                      LineOf(text, "CLEO_USER"))));
}

TEST(ConfigTest, MalformedInterpolation) {
  std::string text = Replace(kMinimal, "username: api", "username: \"${CLEO USER}\"");
  EXPECT_THAT(All(Load(text)), HasSubstr("cleo.username: '${CLEO USER}' is not a valid reference"));
  text = Replace(kMinimal, "username: api", "username: \"${OPEN\"");
  EXPECT_THAT(All(Load(text)), HasSubstr("cleo.username: unterminated ${ in value"));
}

TEST(ConfigTest, MalformedYamlReportsLineAndColumn) {
  LoadResult r = Load("netsuite:\n  account_id: [1, 2\ncleo: {}\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("YAML syntax error"));
  EXPECT_GT(r.errors[0].line, 0);
  EXPECT_GT(r.errors[0].column, 0);
  EXPECT_THAT(r.errors[0].ToString(), testing::MatchesRegex(".*\\(line [0-9]+, column [0-9]+\\)"));

  LoadResult tab = Load("netsuite:\n\taccount_id: 1\n");
  ASSERT_EQ(tab.errors.size(), 1u);
  EXPECT_EQ(tab.errors[0].line, 2);
}

TEST(ConfigTest, EmptyFile) {
  for (std::string_view text : {"", "\n\n", "# only a comment\n", "---\n", "~\n"}) {
    LoadResult r = Load(text);
    EXPECT_THAT(Messages(r), ElementsAre(HasSubstr("config is empty"))) << "input: " << text;
  }
}

TEST(ConfigTest, TopLevelNotAMap) {
  EXPECT_THAT(Messages(Load("- a\n- b\n")),
              ElementsAre("expected a map of keys, got a list (line 1)"));
  EXPECT_THAT(Messages(Load("just text\n")),
              ElementsAre("expected a map of keys, got a single value (line 1)"));
}

TEST(ConfigTest, ListWhereMapExpected) {
  std::string text = Replace(kMinimal, "    transport:\n      type: http\n      mailbox: ACME\n",
                             "    transport:\n      - http\n");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(fmt::format("partners[0].transport: expected a map of keys, got a list "
                                      "(line {})",
                                      LineOf(text, "- http"))));
  EXPECT_THAT(Messages(Load("netsuite: [a]\ncleo: x\n")),
              ElementsAre("netsuite: expected a map of keys, got a list (line 1)",
                          "cleo: expected a map of keys, got a single value (line 2)"));
}

TEST(ConfigTest, MapWhereListExpected) {
  std::string text = Replace(kMinimal, "documents: [850, 810]", "documents: {a: 850}");
  EXPECT_THAT(All(Load(text)), HasSubstr("partners[0].documents: expected a list, got a map"));
}

TEST(ConfigTest, MoreThanOneDocument) {
  LoadResult r = Load(std::string(kMinimal) + "---\nfoo: 1\n");
  EXPECT_THAT(Messages(r), ElementsAre(HasSubstr("more than one YAML document")));
}

TEST(ConfigTest, AllErrorsReportedAtOnceInLineOrder) {
  std::string text = Replace(kMinimal, "account_id: \"1234567_SB1\"", "account_id: \"12 34\"");
  text = Replace(text, "certificate_id: cert-1", "certificate_idd: cert-1");
  text = Replace(text, "password: vault:cleo_password", "password: hunter2");
  text = Replace(text, "documents: [850, 810]", "documents: [850, 811, 850]");
  text = Replace(text, "po_outbound: {}", "po_outbound: {schedule: \"every 0s\"}");
  LoadResult r = Load(text);
  std::vector<std::string> m = Messages(r);
  ASSERT_EQ(m.size(), 7u) << All(r);
  EXPECT_THAT(m[0], HasSubstr("netsuite.account_id: expected a NetSuite account id"));
  EXPECT_THAT(m[1], HasSubstr("netsuite.auth.oauth2.certificate_id: required key is missing "
                              "(line 5)"));
  EXPECT_THAT(m[2], HasSubstr("netsuite.auth.oauth2.certificate_idd: unknown key (did you mean "
                              "'certificate_id'?) (line 7)"));
  EXPECT_THAT(m[3], HasSubstr("cleo.password: secrets must be a reference"));
  EXPECT_THAT(m[4], HasSubstr("partners[0].documents[1]: must be one of 850, 860, 810, 855, 856, 997"));
  EXPECT_THAT(m[5], HasSubstr("partners[0].documents[2]: '850' is listed twice"));
  EXPECT_THAT(m[6], HasSubstr("flows.po_outbound.schedule: schedule interval must be at least 1s"));
  for (size_t i = 1; i < r.errors.size(); ++i) EXPECT_LE(r.errors[i - 1].line, r.errors[i].line);
}

// --- cross-field rules ----------------------------------------------------------------------

std::string SecondPartner(std::string_view id, std::string_view their_isa) {
  return fmt::format(R"(  - id: {}
    netsuite_vendor_id: "43"
    production:
      our_isa_qualifier: ZZ
      our_isa_id: MLBUYER
      their_isa_qualifier: ZZ
      their_isa_id: {}
      our_gs_id: MLBUYER
      their_gs_id: OTHER
    x12_version: "004010"
    documents: [850]
    transport:
      type: folder
      inbox: /srv/in
      outbox: /srv/out
)",
                     id, their_isa);
}

TEST(ConfigTest, PartnerIdsAndIsaIdsMustBeUnique) {
  std::string text = Replace(kMinimal, "flows:\n", SecondPartner("ACME", "ACME") + "flows:\n");
  LoadResult r = Load(text);
  const int second = LineOf(text, "  - id: ACME\n    netsuite_vendor_id: \"43\"");
  EXPECT_THAT(Messages(r),
              ElementsAre(fmt::format("partners[1].id: 'ACME' is already the id of partners[0] "
                                      "(line {})",
                                      second),
                          fmt::format("partners[1].production.their_isa_id: ISA id ZZ/ACME is "
                                      "already used by partners[0].production (line {})",
                                      second + 6)));
  EXPECT_TRUE(Load(Replace(kMinimal, "flows:\n", SecondPartner("OTHER", "OTHERISA") + "flows:\n"))
                  .ok());
}

TEST(ConfigTest, FolderTransportNeedsPaths) {
  std::string p = SecondPartner("OTHER", "OTHERISA");
  p = Replace(p, "      inbox: /srv/in\n      outbox: /srv/out\n", "");
  std::string text = Replace(kMinimal, "flows:\n", p + "flows:\n");
  const int line = LineOf(text, "type: folder") - 1;
  EXPECT_THAT(
      Messages(Load(text)),
      ElementsAre(
          fmt::format("partners[1].transport.inbox: required when transport.type is folder "
                      "(line {})",
                      line),
          fmt::format("partners[1].transport.outbox: required when transport.type is folder "
                      "(line {})",
                      line)));
}

TEST(ConfigTest, HttpTransportNeedsMailbox) {
  std::string text = Replace(kMinimal, "      mailbox: ACME\n", "");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre(HasSubstr("partners[0].transport.mailbox: required when "
                                    "transport.type is http")));
}

TEST(ConfigTest, PartnerCrossRules) {
  std::string text = Replace(kMinimal, "    x12_version: \"005010\"\n",
                             "    x12_version: \"004010\"\n    send_ack: \"999\"\n"
                             "    usage: T\n    delimiters: {element: \"*\", segment: \"*\"}\n");
  EXPECT_THAT(All(Load(text)), HasSubstr("partners[0].test: required when usage is T"));
  EXPECT_THAT(All(Load(text)), HasSubstr("partners[0].send_ack: 999 acknowledgments exist from "
                                         "005010 on; use 997"));
  EXPECT_THAT(All(Load(text)), HasSubstr("partners[0].delimiters: element, component, segment"));
}

TEST(ConfigTest, PoChangeAs) {
  auto r = Load(std::string(kMinimal));
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.config.partners[0].po_change_as, "850");
  // 860 without 860 among the documents: an error naming the key.
  std::string text = Replace(kMinimal, "    documents: [850, 810]\n",
                             "    documents: [850, 810]\n    po_change_as: \"860\"\n");
  EXPECT_THAT(All(Load(text)), HasSubstr("partners[0].po_change_as: 860 needs 860 in documents"));
  text = Replace(kMinimal, "    documents: [850, 810]\n",
                 "    documents: [850, 860, 810]\n    po_change_as: \"860\"\n");
  r = Load(text);
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.config.partners[0].po_change_as, "860");
  text = Replace(kMinimal, "    documents: [850, 810]\n",
                 "    documents: [850, 810]\n    po_change_as: \"865\"\n");
  EXPECT_THAT(All(Load(text)), HasSubstr("partners[0].po_change_as: must be one of 850, 860"));
}

TEST(ConfigTest, NegativeAndNonDecimalTolerances) {
  std::string text = Replace(kMinimal, "    x12_version:",
                             "    tolerances: {price_percent: \"-1\", price_amount: 1e3, "
                             "quantity_percent: \"1,5\"}\n    x12_version:");
  LoadResult r = Load(text);
  EXPECT_THAT(All(r), HasSubstr("partners[0].tolerances.price_percent: must not be negative"));
  EXPECT_THAT(All(r), HasSubstr("partners[0].tolerances.price_amount: expected an exact decimal"));
  EXPECT_THAT(All(r), HasSubstr("partners[0].tolerances.quantity_percent: expected an exact "
                                "decimal"));
}

TEST(ConfigTest, AuthMethodNeedsItsSection) {
  std::string text = Replace(kMinimal, "method: oauth2_m2m", "method: tba");
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre("netsuite.auth.tba: required when auth.method is tba (line 3)"));
  std::string tba = Replace(text, "    oauth2:\n      client_id: vault:ns_client_id\n"
                                  "      certificate_id: cert-1\n"
                                  "      private_key: vault:ns_private_key\n",
                            "    tba:\n      consumer_key: vault:a\n      consumer_secret: "
                            "vault:b\n      token_id: vault:c\n      token_secret: vault:d\n");
  LoadResult r = Load(tba);
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.config.netsuite.auth.tba->token_secret.name, "d");
}

TEST(ConfigTest, PublicListenNeedsConsoleToken) {
  std::string text = std::string(kMinimal) + "server:\n  listen: 0.0.0.0:8080\n";
  EXPECT_THAT(Messages(Load(text)),
              ElementsAre("server.console.auth_token: required when server.listen "
                          "(0.0.0.0:8080) is not a loopback address (line 30)"));
  EXPECT_TRUE(Load(text + "  console:\n    auth_token: vault:console\n").ok());
}

TEST(ConfigTest, AliasExpansionIsBounded) {
  // Each level multiplies the documents list; decoding must stop with an error, not hang.
  std::string text = Replace(kMinimal, "documents: [850, 810]", "documents: *d9");
  std::string anchors = "x0: &d0 [850, 810, 855, 856, 997, 850, 810, 855, 856, 997]\n";
  for (int i = 1; i < 10; ++i) {
    anchors += fmt::format("x{}: &d{} [*d{}, *d{}, *d{}, *d{}, *d{}, *d{}, *d{}, *d{}]\n", i, i,
                           i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
  }
  LoadResult r = Load(anchors + text);
  EXPECT_FALSE(r.ok());
  std::string partners;
  for (int i = 0; i < 2000; ++i) partners += "  - *p\n";
  LoadResult big = Load(std::string(kMinimal) + "more: &p {a: 1}\n" + "partners2:\n" + partners);
  EXPECT_FALSE(big.ok());
}

TEST(ConfigTest, ErrorsAreCappedAtOneHundred) {
  std::string text(kMinimal);
  for (int i = 0; i < 300; ++i) text += fmt::format("unknown_{}: 1\n", i);
  LoadResult r = Load(text);
  EXPECT_EQ(r.errors.size(), 101u);
  EXPECT_THAT(All(r), HasSubstr("more than 100 errors; fix these first"));
}

// --- docs -----------------------------------------------------------------------------------

TEST(ConfigDocsTest, ReferenceMentionsEveryKey) {
  const std::string md = ConfigReferenceMarkdown();
  std::vector<std::string> paths = AllKeyPaths(RootSpec());
  EXPECT_GT(paths.size(), 80u);
  for (const std::string& path : paths) {
    size_t dot = path.find_last_of('.');
    std::string section = dot == std::string::npos ? "" : path.substr(0, dot);
    std::string name = dot == std::string::npos ? path : path.substr(dot + 1);
    if (!section.empty()) {
      EXPECT_THAT(md, HasSubstr("## `" + section + "`")) << path;
    }
    EXPECT_THAT(md, HasSubstr("| `" + name + "` |")) << path;
  }
  EXPECT_THAT(md, HasSubstr("## `partners[]`"));
  EXPECT_THAT(md, HasSubstr("## `flows.<name>`"));
  EXPECT_THAT(md, HasSubstr("| `x12_version` | one of `004010`, `005010` | **required** |"));
  EXPECT_THAT(md, HasSubstr("| `token_refresh_margin` | duration | `1m` |"));
}

TEST(ConfigDocsTest, CommittedReferenceIsUpToDate) {
  std::ifstream in(std::string(MLC_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md is missing: run `ml-connector config docs > docs/config.md`";
  std::stringstream buf;
  buf << in.rdbuf();
  EXPECT_EQ(buf.str(), ConfigReferenceMarkdown())
      << "docs/config.md is stale: run `ml-connector config docs > docs/config.md`";
}

}  // namespace
}  // namespace mlc::config
