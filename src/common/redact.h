// The secret redaction registry.
//
// Every secret the process loads (NetSuite private key and client id, TBA token secrets, the Cleo
// password, console tokens, bearer tokens obtained at run time) is registered here the moment it
// is read. Redact() replaces every occurrence of every registered secret, and of its
// percent-encoded and base64 forms, by "***". Status messages (status.cc), every log line
// (log.cc) and HTTP traces go through Redact, so a secret cannot leave the process by those paths.
//
// Thread safety: all functions may be called from any thread; registration takes a write lock,
// Redact a read lock. Secrets are kept for the life of the process (tokens that expire stay
// registered: redacting a dead token costs nothing, leaking it might).
#pragma once

#include <string>
#include <string_view>

namespace mlc {

// Registers `secret` (and its encoded forms) for redaction. Strings shorter than
// kMinSecretLength are ignored: redacting every "a" or "12" would make logs unreadable, and a
// secret that short protects nothing (config warns about it; see config.cc).
void RegisterSecret(std::string_view secret);

inline constexpr size_t kMinSecretLength = 4;

// Returns `text` with every registered secret replaced by "***".
std::string Redact(std::string_view text);

// Number of distinct strings registered (for tests and `status`).
size_t RegisteredSecretCount();

// Test only: forgets every secret.
void ClearSecretsForTest();

inline constexpr std::string_view kRedacted = "***";

}  // namespace mlc
