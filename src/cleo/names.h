// File names, content hashes and server versions: the pure safety and idempotency rules of the
// Cleo client.
//
// Names that come from Cleo (a listing, a partner's upload) are untrusted: ValidateRemoteName
// accepts only a single plain path component, so a name can be joined to a local or remote
// directory without escaping it. Directories the client is configured to write to are checked by
// ValidateMailboxDirectory, which also refuses Harmony's `autorun` directory (CVE-2024-55956 used
// it to run commands; cleo.md section 1.2).
//
// Outbound names are deterministic (OutboundFileName): the same partner, document type and
// control numbers always give the same name, so a retried drop finds its own earlier file.
// Inbound files are identified by name plus SHA-256 of the content (InboundFileId).
//
// Thread safety: pure functions; no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mlc::cleo {

// Longest file name accepted (the usual file-system limit).
inline constexpr size_t kMaxFileNameBytes = 255;

// OK when `name` is a single, plain file name: not empty, at most kMaxFileNameBytes, not "." or
// "..", no '/' or '\\', no ':' (drive letters, NTFS streams), no control bytes (0x00-0x1f, 0x7f),
// no leading '.' (hidden files; our own temporaries start with one) and no leading or trailing
// space. Errors: INVALID_ARGUMENT naming the rule broken (the name is quoted with control bytes
// escaped, so a hostile name cannot forge log lines).
Status ValidateRemoteName(std::string_view name);

// OK when `dir` is a relative mailbox directory ("outbox", "outbox/payload/", "inbox/") made of
// components that each pass ValidateRemoteName. Errors: INVALID_ARGUMENT for an absolute path,
// "..", empty components in the middle, bad bytes; PERMISSION_DENIED when any component is
// "autorun" (any case).
Status ValidateMailboxDirectory(std::string_view dir);

// True when any component of the '/'- or '\\'-separated `path` is "autorun" (any case).
bool MentionsAutorun(std::string_view path);

// Returns `s` with control bytes and non-ASCII bytes escaped (\xNN), cut at `max` bytes with
// "...": safe to put inside an error message or a log field.
std::string Printable(std::string_view s, size_t max = 120);

// Lowercase hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);

// What identifies an outbound file.
struct OutboundNameParts {
  std::string partner_id;     // [A-Za-z0-9_-], 1..32 bytes
  std::string document_type;  // "850", "997", ... (3 digits)
  std::string isa13;          // 1..9 digits
  std::string gs06;           // 1..9 digits
  std::string st02;           // 4..9 digits; empty when the file holds several sets
};

// "<partner>_<doc>_<ISA13 9 digits>_<GS06>[_<ST02>].x12", e.g. "ACME_850_000000123_123_0001.x12".
// Errors: INVALID_ARGUMENT naming the part that breaks its rule.
Result<std::string> OutboundFileName(const OutboundNameParts& parts);

// An inbound file as the client knows it: its name and the hash of what it held.
struct InboundFileId {
  std::string name;
  std::string sha256;  // lowercase hex

  // "name#sha256", the key a store records so a file listed twice is processed once.
  std::string key() const { return name + "#" + sha256; }
  friend bool operator==(const InboundFileId&, const InboundFileId&) = default;
};

// A Harmony/VLTrader/LexiCom product version, e.g. Harmony 5.8.0.21.
struct ServerVersion {
  std::string product;  // "Harmony", "VLTrader", "LexiCom"
  std::array<int, 4> parts{0, 0, 0, 0};
  std::string ToString() const;  // "Harmony 5.8.0.21"
};

// Finds "<Product>/<a.b.c.d>" (product Harmony, VLTrader or LexiCom, optionally preceded by
// "Cleo ") in an HTTP Server header such as "Cleo Harmony/5.8.0.21 (Linux)". Unless its welcome
// message is customised, Harmony/VLTrader answers with its software version
// (https://vlex-562-userguide.s3.amazonaws.com/Tasks/ConfiguringLocalListenerResponses_task.html);
// the exact header layout is our assumption. nullopt when no version is found.
std::optional<ServerVersion> ParseServerVersion(std::string_view server_header);

// The first release with both 2024 file-write fixes (CVE-2024-50623, CVE-2024-55956): 5.8.0.24.
inline constexpr std::array<int, 4> kFirstSafeVersion{5, 8, 0, 24};

// True for a version before 5.8.0.24 (cleo.md section 1.2).
bool IsVulnerableVersion(const ServerVersion& version);

}  // namespace mlc::cleo
