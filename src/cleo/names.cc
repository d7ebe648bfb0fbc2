#include "cleo/names.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace mlc::cleo {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (IsControl(c) || c >= 0x80 || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

Status ValidateRemoteName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("unsafe file name '{}': {}", Printable(name), why);
  };
  if (name.empty()) return bad("empty");
  if (name.size() > kMaxFileNameBytes) return bad("longer than 255 bytes");
  if (name == "." || name == "..") return bad("a directory reference");
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '/' || c == '\\') return bad("contains a path separator");
    if (c == ':') return bad("contains ':'");
    if (IsControl(c)) return bad("contains a control character");
  }
  if (name.front() == '.') return bad("starts with '.'");
  if (name.front() == ' ' || name.back() == ' ') return bad("starts or ends with a space");
  return Status::Ok();
}

bool MentionsAutorun(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = path.size();
    if (EqualsIgnoreCase(path.substr(start, end - start), "autorun")) return true;
    start = end + 1;
  }
  return false;
}

Status ValidateMailboxDirectory(std::string_view dir) {
  if (dir.empty()) return InvalidArgumentError("mailbox directory is empty");
  if (dir.front() == '/' || dir.front() == '\\') {
    return InvalidArgumentError("mailbox directory '{}' is absolute", Printable(dir));
  }
  if (MentionsAutorun(dir)) {
    return PermissionDeniedError(
        "mailbox directory '{}' is Harmony's autorun directory: ml-connector never writes there",
        Printable(dir));
  }
  std::string_view rest = dir;
  if (rest.back() == '/') rest.remove_suffix(1);  // "outbox/payload/" is how Cleo writes them
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('/', start);
    if (end == std::string_view::npos) end = rest.size();
    Status s = ValidateRemoteName(rest.substr(start, end - start));
    if (!s.ok()) return s.WithContext(fmt::format("mailbox directory '{}'", Printable(dir)));
    start = end + 1;
  }
  return Status::Ok();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest with a fixed algorithm cannot fail short of memory exhaustion.
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

Result<std::string> OutboundFileName(const OutboundNameParts& p) {
  const bool partner_ok =
      !p.partner_id.empty() && p.partner_id.size() <= 32 &&
      std::all_of(p.partner_id.begin(), p.partner_id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      });
  if (!partner_ok) {
    return InvalidArgumentError("outbound name: partner id '{}' must be 1-32 of [A-Za-z0-9_-]",
                                Printable(p.partner_id));
  }
  if (p.document_type.size() != 3 || !AllDigits(p.document_type)) {
    return InvalidArgumentError("outbound name: document type '{}' must be 3 digits",
                                Printable(p.document_type));
  }
  if (p.isa13.size() > 9 || !AllDigits(p.isa13)) {
    return InvalidArgumentError("outbound name: ISA13 '{}' must be 1-9 digits", Printable(p.isa13));
  }
  if (p.gs06.size() > 9 || !AllDigits(p.gs06)) {
    return InvalidArgumentError("outbound name: GS06 '{}' must be 1-9 digits", Printable(p.gs06));
  }
  if (!p.st02.empty() && (p.st02.size() < 4 || p.st02.size() > 9 || !AllDigits(p.st02))) {
    return InvalidArgumentError("outbound name: ST02 '{}' must be 4-9 digits", Printable(p.st02));
  }
  std::string name = fmt::format("{}_{}_{:0>9}_{}", p.partner_id, p.document_type, p.isa13, p.gs06);
  if (!p.st02.empty()) name += "_" + p.st02;
  return name + ".x12";
}

std::string ServerVersion::ToString() const {
  return fmt::format("{} {}.{}.{}.{}", product, parts[0], parts[1], parts[2], parts[3]);
}

std::optional<ServerVersion> ParseServerVersion(std::string_view server_header) {
  static const std::regex kPattern(R"((Harmony|VLTrader|LexiCom)/(\d{1,4})(?:\.(\d{1,4}))?)"
                                   R"((?:\.(\d{1,4}))?(?:\.(\d{1,4}))?)",
                                   std::regex::icase);
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(server_header.begin(), server_header.end(), m, kPattern)) {
    return std::nullopt;
  }
  ServerVersion v;
  v.product = m[1].str();
  for (size_t i = 0; i < 4; ++i) {
    if (m[i + 2].matched) v.parts[i] = std::stoi(m[i + 2].str());
  }
  return v;
}

bool IsVulnerableVersion(const ServerVersion& version) { return version.parts < kFirstSafeVersion; }

}  // namespace mlc::cleo
