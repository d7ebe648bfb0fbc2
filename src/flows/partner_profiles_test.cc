#include "flows/partner_profiles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace mlc::flows {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kConfig = R"(netsuite:
  account_id: "1234567_SB1"
  auth:
    method: oauth2_m2m
    oauth2: {client_id: env:ID, certificate_id: cert-1, private_key: env:KEY}
cleo:
  base_url: https://cleo.example.com
  username: api
  password: env:CLEO
partners:
  - id: ACME
    name: Acme Industrial Supply
    netsuite_vendor_id: "1"
    production: {our_isa_qualifier: ZZ, our_isa_id: MLCONNECTOR, their_isa_qualifier: ZZ,
                 their_isa_id: ACMESUPPLY, our_gs_id: MLCONNECTOR, their_gs_id: ACMESUPPLY}
    x12_version: "004010"
    documents: ["850", "810"]
    transport: {type: http, mailbox: acme}
)";

config::Config LoadOrDie(const std::string& text) {
  auto loaded = config::LoadConfigText(text, [](const std::string&) -> std::optional<std::string> {
    return "a-long-enough-secret-value";
  });
  std::string errors;
  for (const auto& e : loaded.errors) errors += e.ToString() + "\n";
  EXPECT_TRUE(loaded.ok()) << errors << text;
  return loaded.config;
}

VendorRecord Vendor(std::string id, std::string name, std::string edi_id, bool enabled = true,
                    bool inactive = false) {
  VendorRecord v;
  v.id = std::move(id);
  v.entity_id = "V-" + v.id;
  v.company_name = std::move(name);
  v.edi_partner_id = std::move(edi_id);
  v.edi_enabled = enabled;
  v.inactive = inactive;
  return v;
}

TEST(SplitInterchangeIdTest, QualifierIsOptional) {
  EXPECT_EQ(SplitInterchangeId("ZZ:ACMESUPPLY"), std::make_pair(std::string("ZZ"),
                                                                std::string("ACMESUPPLY")));
  EXPECT_EQ(SplitInterchangeId(" 01 : 123456789 "), std::make_pair(std::string("01"),
                                                                   std::string("123456789")));
  EXPECT_EQ(SplitInterchangeId("ML0001EDI"), std::make_pair(std::string(), std::string("ML0001EDI")));
}

TEST(SuggestPartnerIdTest, FromTheCompanyNameUniqueAndBounded) {
  EXPECT_EQ(SuggestPartnerId("Keystone Plastics Inc", "11", {}), "KEYSTONE_PLASTICS_IN");
  EXPECT_EQ(SuggestPartnerId("Keystone Plastics Inc", "11", {"KEYSTONE_PLASTICS_IN"}),
            "KEYSTONE_PLASTICS_IN_2");
  EXPECT_EQ(SuggestPartnerId("Acme, Inc.", "11", {}), "ACME_INC");
  EXPECT_EQ(SuggestPartnerId("Ünïcode ☃", "12", {}), "N_CODE");
  EXPECT_EQ(SuggestPartnerId("☃", "12", {}), "VENDOR_12");
  EXPECT_LE(SuggestPartnerId("A Very Long Company Name That Goes On", "1", {}).size(), 20u);
}

TEST(SuggestProfilesTest, DifferencesOfExistingProfiles) {
  const config::Config c = LoadOrDie(std::string(kConfig));
  ReferenceSnapshot snap;
  snap.vendors = {Vendor("1", "Acme Industrial Supply Co", "ZZ:ACME")};
  const ProfileSuggestions s = SuggestProfiles(snap, c);
  ASSERT_EQ(s.differences.size(), 2u);
  EXPECT_EQ(s.differences[0].key, "partners[id=ACME].name");
  EXPECT_EQ(s.differences[0].netsuite_value, "Acme Industrial Supply Co");
  EXPECT_EQ(s.differences[1].key, "partners[id=ACME].production.their_isa_id");
  EXPECT_EQ(s.differences[1].message,
            "partner ACME: interchange id is ZZ:ACMESUPPLY but NetSuite vendor 1 has "
            "custentity_mlc_edi_partner 'ZZ:ACME'");
  EXPECT_TRUE(s.new_profiles_yaml.empty());

  // The same values, or an id without a qualifier that matches: nothing differs.
  snap.vendors = {Vendor("1", "Acme Industrial Supply", "ACMESUPPLY")};
  EXPECT_TRUE(SuggestProfiles(snap, c).differences.empty());
  // A different qualifier is a difference even when the id agrees.
  snap.vendors = {Vendor("1", "Acme Industrial Supply", "01:ACMESUPPLY")};
  EXPECT_EQ(SuggestProfiles(snap, c).differences.size(), 1u);
}

TEST(SuggestProfilesTest, NewProfilesLoadOncePasted) {
  const config::Config c = LoadOrDie(std::string(kConfig));
  ReferenceSnapshot snap;
  snap.vendors = {Vendor("1", "Acme Industrial Supply", "ZZ:ACMESUPPLY"),
                  Vendor("11", "Keystone Plastics: \"East\"", "01:123456789"),
                  Vendor("13", "Acme Industrial Supply", ""),  // no EDI id yet
                  Vendor("15", "Dormant Ltd", "ZZ:DORMANT", true, true),  // inactive
                  Vendor("17", "Paper Only", "ZZ:PAPER", false)};         // not EDI-enabled
  const ProfileSuggestions s = SuggestProfiles(snap, c);
  EXPECT_EQ(s.new_vendor_ids, (std::vector<std::string>{"11", "13"}));
  EXPECT_THAT(s.new_profiles_yaml, HasSubstr("NetSuite vendor 11 (V-11) is EDI-enabled"));

  // Pasted under `partners:` the suggestions load: every value is valid config.
  const config::Config merged = LoadOrDie(std::string(kConfig) + s.new_profiles_yaml);
  ASSERT_EQ(merged.partners.size(), 3u);
  const config::PartnerConfig& k = merged.partners[1];
  EXPECT_EQ(k.id, "KEYSTONE_PLASTICS_EA");
  EXPECT_EQ(k.name, "Keystone Plastics: \"East\"");
  EXPECT_EQ(k.netsuite_vendor_id, "11");
  EXPECT_EQ(k.production.their_isa_qualifier, "01");
  EXPECT_EQ(k.production.their_isa_id, "123456789");
  EXPECT_EQ(k.production.our_isa_id, "MLCONNECTOR");  // copied from the first profile
  EXPECT_EQ(k.x12_version, "004010");
  EXPECT_EQ(k.transport.mailbox, "keystone_plastics_ea");
  // No EDI id in NetSuite: a placeholder that is valid config but says what to do.
  EXPECT_EQ(merged.partners[2].production.their_isa_id, "CHANGE-ME-13");
  EXPECT_EQ(merged.partners[2].id, "ACME_INDUSTRIAL_SUPP");
}

}  // namespace
}  // namespace mlc::flows
