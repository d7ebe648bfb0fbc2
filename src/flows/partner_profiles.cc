#include "flows/partner_profiles.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "common/strings.h"

namespace mlc::flows {
namespace {

std::string Qualified(std::string_view qualifier, std::string_view id) {
  return qualifier.empty() ? std::string(id) : fmt::format("{}:{}", qualifier, id);
}

// Indents every line of `text` by `n` spaces (the emitted list goes under `partners:`).
std::string Indent(const std::string& text, int n) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out += line.empty() ? "\n" : std::string(n, ' ') + line + "\n";
  }
  return out;
}

void EmitProfile(YAML::Emitter& y, const VendorRecord& v, const std::string& id,
                 const config::Config& config) {
  // Our side of the envelope is the same for every partner: copy it from the first profile.
  config::EnvelopeIds ours;
  if (!config.partners.empty()) ours = config.partners.front().production;
  const bool have_ours = !ours.our_isa_id.empty();
  const auto [qualifier, their_id] = SplitInterchangeId(v.edi_partner_id);
  // Without an EDI id in NetSuite: a placeholder that is valid config, unique per vendor (two
  // profiles may not share a sender id), and says what to do.
  const std::string their = their_id.empty() ? "CHANGE-ME-" + v.id : their_id;

  y << YAML::BeginMap;
  y << YAML::Key << "id" << YAML::Value << id;
  y << YAML::Key << "name" << YAML::Value << v.company_name;
  y << YAML::Key << "netsuite_vendor_id" << YAML::Value << YAML::DoubleQuoted << v.id;
  y << YAML::Key << "production" << YAML::Value << YAML::Flow << YAML::BeginMap;
  y << YAML::Key << "our_isa_qualifier" << YAML::Value
    << (have_ours ? ours.our_isa_qualifier : "ZZ");
  y << YAML::Key << "our_isa_id" << YAML::Value << (have_ours ? ours.our_isa_id : "CHANGE-ME");
  y << YAML::Key << "their_isa_qualifier" << YAML::Value << YAML::DoubleQuoted
    << (qualifier.empty() ? "ZZ" : qualifier);
  y << YAML::Key << "their_isa_id" << YAML::Value << YAML::DoubleQuoted << their;
  y << YAML::Key << "our_gs_id" << YAML::Value << (have_ours ? ours.our_gs_id : "CHANGE-ME");
  y << YAML::Key << "their_gs_id" << YAML::Value << YAML::DoubleQuoted << their;
  y << YAML::EndMap;
  y << YAML::Key << "x12_version" << YAML::Value << YAML::DoubleQuoted << "004010";
  y << YAML::Key << "documents" << YAML::Value << YAML::Flow << YAML::BeginSeq
    << YAML::DoubleQuoted << "850" << YAML::DoubleQuoted << "855" << YAML::DoubleQuoted << "810"
    << YAML::DoubleQuoted << "997" << YAML::EndSeq;
  std::string mailbox;
  for (char c : id) mailbox += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  y << YAML::Key << "transport" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
    << "type" << YAML::Value << "http" << YAML::Key << "mailbox" << YAML::Value << mailbox
    << YAML::EndMap;
  y << YAML::EndMap;
}

}  // namespace

std::pair<std::string, std::string> SplitInterchangeId(std::string_view value) {
  const std::string_view v = TrimWhitespace(value);
  const auto colon = v.find(':');
  if (colon == std::string_view::npos) return {"", std::string(v)};
  return {std::string(TrimWhitespace(v.substr(0, colon))),
          std::string(TrimWhitespace(v.substr(colon + 1)))};
}

std::string SuggestPartnerId(std::string_view company_name, std::string_view vendor_id,
                             const std::vector<std::string>& taken) {
  std::string id;
  bool gap = false;
  for (char c : company_name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 && u < 0x80) {
      if (gap && !id.empty()) id += '_';
      id += static_cast<char>(std::toupper(u));
      gap = false;
    } else {
      gap = true;
    }
    if (id.size() >= 20) break;
  }
  if (id.size() > 20) id.resize(20);
  if (id.empty()) id = fmt::format("VENDOR_{}", vendor_id);
  const std::string base = id;
  for (int n = 2; std::find(taken.begin(), taken.end(), id) != taken.end(); ++n) {
    id = fmt::format("{}_{}", base, n);
  }
  return id;
}

ProfileSuggestions SuggestProfiles(const ReferenceSnapshot& snapshot,
                                   const config::Config& config) {
  ProfileSuggestions out;
  std::vector<std::string> taken;
  for (const config::PartnerConfig& p : config.partners) taken.push_back(p.id);

  for (const config::PartnerConfig& p : config.partners) {
    auto v = std::find_if(snapshot.vendors.begin(), snapshot.vendors.end(),
                          [&](const VendorRecord& r) { return r.id == p.netsuite_vendor_id; });
    if (v == snapshot.vendors.end()) continue;  // reference_sync reports vendor_missing
    const std::string base = fmt::format("partners[id={}]", p.id);
    if (!p.name.empty() && !v->company_name.empty() && p.name != v->company_name) {
      out.differences.push_back(
          {p.id, base + ".name", p.name, v->company_name,
           fmt::format("partner {}: name is '{}' but NetSuite vendor {} is '{}'", p.id, p.name,
                       v->id, v->company_name)});
    }
    if (!v->edi_partner_id.empty()) {
      const auto [qualifier, id] = SplitInterchangeId(v->edi_partner_id);
      const config::EnvelopeIds& e = p.production;
      if (id != e.their_isa_id || (!qualifier.empty() && qualifier != e.their_isa_qualifier)) {
        const std::string profile = Qualified(e.their_isa_qualifier, e.their_isa_id);
        out.differences.push_back(
            {p.id, base + ".production.their_isa_id", profile, v->edi_partner_id,
             fmt::format("partner {}: interchange id is {} but NetSuite vendor {} has "
                         "custentity_mlc_edi_partner '{}'",
                         p.id, profile, v->id, v->edi_partner_id)});
      }
    }
  }

  YAML::Emitter y;
  y << YAML::BeginSeq;
  for (const VendorRecord& v : snapshot.vendors) {
    if (v.inactive || !v.edi_enabled) continue;
    const bool named = std::any_of(
        config.partners.begin(), config.partners.end(),
        [&](const config::PartnerConfig& p) { return p.netsuite_vendor_id == v.id; });
    if (named) continue;
    const std::string id = SuggestPartnerId(v.company_name, v.id, taken);
    taken.push_back(id);
    out.new_vendor_ids.push_back(v.id);
    y << YAML::Comment(fmt::format(
        "NetSuite vendor {} ({}) is EDI-enabled without a profile: review every value (version, "
        "documents, mailbox) before use",
        v.id, v.entity_id));
    EmitProfile(y, v, id, config);
  }
  y << YAML::EndSeq;
  if (!out.new_vendor_ids.empty()) out.new_profiles_yaml = Indent(y.c_str(), 2);
  return out;
}

}  // namespace mlc::flows
