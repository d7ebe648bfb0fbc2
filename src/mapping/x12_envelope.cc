#include "mapping/x12_envelope.h"

#include <array>
#include <cctype>
#include <chrono>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/civil_time.h"

namespace mlc::mapping {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// Delimiters must be one character and usable as one: a letter, digit or space would be read as
// data (x12.md section 1; the config loader applies the same rule).
Result<char> OneDelimiter(const config::PartnerConfig& partner, std::string_view key,
                          std::string_view value) {
  if (value.size() != 1 || std::isalnum(static_cast<unsigned char>(value[0])) || value[0] == ' ') {
    return InvalidArgumentError(
        "partner {}: delimiters.{} must be one character that is not a letter, digit or space, "
        "got '{}'",
        partner.id, key, value);
  }
  return value[0];
}

// ISA12 for the partner's release: the envelope version follows the set version here (x12.md
// section 2: 00401 with 004010, 00501 with 005010).
Result<std::string> IsaVersion(const config::PartnerConfig& partner) {
  if (partner.x12_version == "004010") return std::string("00401");
  if (partner.x12_version == "005010") return std::string("00501");
  return InvalidArgumentError("partner {}: x12_version must be 004010 or 005010, got '{}'",
                              partner.id, partner.x12_version);
}

}  // namespace

Result<edi::WriterOptions> WriterOptionsFor(const config::PartnerConfig& partner) {
  edi::WriterOptions options;
  const config::DelimitersConfig& d = partner.delimiters;
  ASSIGN_OR_RETURN(options.delimiters.element, OneDelimiter(partner, "element", d.element));
  ASSIGN_OR_RETURN(options.delimiters.component, OneDelimiter(partner, "component", d.component));
  ASSIGN_OR_RETURN(options.delimiters.segment, OneDelimiter(partner, "segment", d.segment));
  std::vector<std::pair<std::string_view, char>> used = {
      {"element", options.delimiters.element},
      {"component", options.delimiters.component},
      {"segment", options.delimiters.segment}};
  // ISA11 is the repetition separator only from 00402 on; a 004010 envelope carries 'U' there
  // and has no repetition separator, so the profile's value is not used (nor judged).
  if (partner.x12_version != "004010") {
    ASSIGN_OR_RETURN(options.delimiters.repetition,
                     OneDelimiter(partner, "repetition", d.repetition));
    used.emplace_back("repetition", options.delimiters.repetition);
  }
  for (size_t i = 0; i < used.size(); ++i) {
    for (size_t j = i + 1; j < used.size(); ++j) {
      if (used[i].second == used[j].second) {
        return InvalidArgumentError("partner {}: delimiters.{} '{}' is the same as delimiters.{}",
                                    partner.id, used[j].first, used[j].second, used[i].first);
      }
    }
  }
  switch (partner.line_break) {
    case config::LineBreak::kNone:
      options.line_break = edi::LineBreak::kNone;
      break;
    case config::LineBreak::kLf:
      options.line_break = edi::LineBreak::kLf;
      break;
    case config::LineBreak::kCrlf:
      options.line_break = edi::LineBreak::kCrLf;
      break;
  }
  return options;
}

Result<std::string> WriteInterchange(const config::PartnerConfig& partner,
                                     const EnvelopeControl& control, Instant at,
                                     std::string_view functional_id, std::string_view set_id,
                                     std::span<const edi::SegmentData> segments) {
  ASSIGN_OR_RETURN(edi::WriterOptions options, WriterOptionsFor(partner));
  ASSIGN_OR_RETURN(std::string isa_version, IsaVersion(partner));
  if (partner.usage != 'P' && partner.usage != 'T') {
    return InvalidArgumentError("partner {}: usage must be P or T, got '{}'", partner.id,
                                partner.usage);
  }
  // ids() silently falls back to the production ids; a test interchange must never carry them.
  if (partner.usage == 'T' && !partner.test) {
    return InvalidArgumentError("partner {}: usage is T but the profile has no test ids",
                                partner.id);
  }
  const config::EnvelopeIds& ids = partner.ids();
  const std::string_view section = partner.usage == 'T' ? "test" : "production";
  const std::array<std::pair<std::string_view, const std::string*>, 6> required = {{
      {"our_isa_qualifier", &ids.our_isa_qualifier},
      {"our_isa_id", &ids.our_isa_id},
      {"their_isa_qualifier", &ids.their_isa_qualifier},
      {"their_isa_id", &ids.their_isa_id},
      {"our_gs_id", &ids.our_gs_id},
      {"their_gs_id", &ids.their_gs_id},
  }};
  for (const auto& [key, value] : required) {
    if (value->empty()) {
      return InvalidArgumentError("partner {}: {}.{} is empty", partner.id, section, key);
    }
  }
  if (!AllDigits(control.isa13) || control.isa13.size() > 9) {
    return InvalidArgumentError("partner {}: ISA13 control number '{}' must be 1 to 9 digits",
                                partner.id, control.isa13);
  }
  if (!AllDigits(control.gs06) || control.gs06.size() > 9) {
    return InvalidArgumentError("partner {}: GS06 control number '{}' must be 1 to 9 digits",
                                partner.id, control.gs06);
  }
  // ST02 is AN 4/9; we only ever allocate digits.
  if (!AllDigits(control.st02) || control.st02.size() < 4 || control.st02.size() > 9) {
    return InvalidArgumentError("partner {}: ST02 control number '{}' must be 4 to 9 digits",
                                partner.id, control.st02);
  }
  if (functional_id.size() != 2) {
    return InvalidArgumentError("partner {}: GS01 functional id '{}' must be 2 characters",
                                partner.id, functional_id);
  }
  if (set_id.size() != 3) {
    return InvalidArgumentError("partner {}: ST01 set id '{}' must be 3 characters", partner.id,
                                set_id);
  }

  const CivilDateTime utc = ToCivil(at);
  auto date6 = FormatEdiDate6(utc.date);
  if (!date6.ok()) {
    return InvalidArgumentError("partner {}: ISA09 for {}: {}", partner.id, FormatIso8601(at),
                                date6.status().message());
  }
  const std::string hhmm = FormatEdiTime(utc.time, 4);

  edi::IsaFields isa;
  isa.sender_qualifier = ids.our_isa_qualifier;
  isa.sender_id = ids.our_isa_id;
  isa.receiver_qualifier = ids.their_isa_qualifier;
  isa.receiver_id = ids.their_isa_id;
  isa.date = *date6;
  isa.time = hhmm;
  isa.version = isa_version;
  isa.control_number = control.isa13;
  isa.ack_requested = "0";  // we want 997s, not TA1s
  isa.usage_indicator = std::string(1, partner.usage);

  edi::GsFields gs;
  gs.functional_id = std::string(functional_id);
  gs.sender = ids.our_gs_id;
  gs.receiver = ids.their_gs_id;
  gs.date = FormatEdiDate8(utc.date);
  gs.time = hhmm;
  gs.control_number = control.gs06;
  gs.agency = "X";
  gs.version = partner.x12_version;

  edi::Writer writer(std::move(options));
  auto context = [&](Status s) {
    return s.WithContext(fmt::format("writing {} {} for partner {}", set_id, control.st02,
                                     partner.id));
  };
  if (Status s = writer.BeginInterchange(isa); !s.ok()) return context(std::move(s));
  if (Status s = writer.BeginGroup(gs); !s.ok()) return context(std::move(s));
  if (Status s = writer.BeginSet(set_id, control.st02); !s.ok()) return context(std::move(s));
  if (Status s = edi::AddSegments(writer, segments); !s.ok()) return context(std::move(s));
  if (Status s = writer.EndSet(); !s.ok()) return context(std::move(s));
  if (Status s = writer.EndGroup(); !s.ok()) return context(std::move(s));
  if (Status s = writer.EndInterchange(); !s.ok()) return context(std::move(s));
  return writer.Take();
}

}  // namespace mlc::mapping
