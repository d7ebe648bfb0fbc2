// Credentials for the NetSuite sandbox: one OAuth 2.0 client (client id, certificate id, key
// pair) and one TBA consumer/token, generated on first use and kept in a JSON file (mode 0600)
// so that `ml-sandbox netsuite` and the connector (or a test, or the bench) share them.
//
// The file holds a private key: it is for the sandbox only and never for a real account.
//
// Thread safety: pure functions plus file access.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "netsuite/auth.h"
#include "sandbox/netsuite/netsuite_sandbox.h"

namespace mlc::sandbox::netsuite {

struct SandboxCredentials {
  std::string account_id = "1234567_SB1";
  std::string client_id;
  std::string certificate_id;
  mlc::netsuite::JwtAlgorithm algorithm = mlc::netsuite::JwtAlgorithm::kEs256;
  std::string private_key_pem;
  std::string certificate_pem;
  mlc::netsuite::TbaCredentials tba;

  nlohmann::json ToJson() const;
  static Result<SandboxCredentials> FromJson(const nlohmann::json& j);
  // Registers the client and the TBA token with the sandbox options.
  void AddTo(SandboxOptions& options) const;
};

// Fresh random credentials (ES256 key pair, or PS256 with `alg`).
Result<SandboxCredentials> GenerateCredentials(
    mlc::netsuite::JwtAlgorithm alg = mlc::netsuite::JwtAlgorithm::kEs256);

// Reads `path`, or generates credentials and writes them there (0600) when it does not exist.
// Errors: INVALID_ARGUMENT for an unreadable file, UNAVAILABLE when it cannot be written.
Result<SandboxCredentials> LoadOrCreateCredentials(const std::string& path);

}  // namespace mlc::sandbox::netsuite
