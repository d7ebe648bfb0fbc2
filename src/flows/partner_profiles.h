// Partner profiles refreshed from NetSuite vendor fields (issue 7, "Partner profiles ...
// refreshable from NetSuite vendor fields").
//
// The YAML config stays the one source the flows route by: a vendor field edited in NetSuite
// never re-routes EDI traffic by itself (an unknown sender is parked, never guessed). What
// NetSuite knows is brought to the profiles by a person, with `ml-connector partners pull`,
// which reads the vendors (the reference snapshot, reference_sync.h) and shows:
//   - for each profile, the values that differ from its vendor record: `name` against the
//     vendor's company name, the partner's interchange id against `custentity_mlc_edi_partner`
//     (`QQ:ID` = ISA qualifier and id, or just `ID`), whether the vendor is active and EDI-enabled;
//   - for each active EDI-enabled vendor that no profile names, a profile to review and paste
//     under `partners:` (YAML; our ids are copied from the first profile, transport and version
//     are defaults marked for review). The text loads as a valid config once pasted.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "flows/reference_sync.h"

namespace mlc::flows {

struct ProfileDifference {
  std::string partner;  // profile id
  std::string key;      // config key path, e.g. "partners[id=ACME].name"
  std::string profile_value;
  std::string netsuite_value;
  std::string message;  // one sentence naming what differs and where NetSuite says so
  friend bool operator==(const ProfileDifference&, const ProfileDifference&) = default;
};

struct ProfileSuggestions {
  std::vector<ProfileDifference> differences;  // in profile order
  std::vector<std::string> new_vendor_ids;     // vendors a new profile is suggested for
  std::string new_profiles_yaml;  // list items to paste under `partners:`; empty when none
};

// "QQ:ID" -> {"QQ", "ID"}; "ID" -> {"", "ID"}; surrounding blanks are dropped.
std::pair<std::string, std::string> SplitInterchangeId(std::string_view value);

// A profile id made from a company name: upper case letters and digits, other runs become '_',
// at most 20 characters, "VENDOR_<id>" when nothing is left; made unique against `taken`.
std::string SuggestPartnerId(std::string_view company_name, std::string_view vendor_id,
                             const std::vector<std::string>& taken);

ProfileSuggestions SuggestProfiles(const ReferenceSnapshot& snapshot,
                                   const config::Config& config);

}  // namespace mlc::flows
