#include "sandbox/netsuite/credentials.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mlc::sandbox::netsuite {

namespace ns = mlc::netsuite;

nlohmann::json SandboxCredentials::ToJson() const {
  return {{"account_id", account_id},
          {"client_id", client_id},
          {"certificate_id", certificate_id},
          {"algorithm", ns::JwtAlgorithmName(algorithm)},
          {"private_key_pem", private_key_pem},
          {"certificate_pem", certificate_pem},
          {"tba",
           {{"consumer_key", tba.consumer_key},
            {"consumer_secret", tba.consumer_secret},
            {"token_id", tba.token_id},
            {"token_secret", tba.token_secret}}}};
}

Result<SandboxCredentials> SandboxCredentials::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("tba") || !j["tba"].is_object()) {
    return InvalidArgumentError("sandbox credentials: not an object with a 'tba' member");
  }
  SandboxCredentials c;
  c.account_id = j.value("account_id", c.account_id);
  c.client_id = j.value("client_id", "");
  c.certificate_id = j.value("certificate_id", "");
  c.algorithm = j.value("algorithm", "ES256") == "PS256" ? ns::JwtAlgorithm::kPs256
                                                         : ns::JwtAlgorithm::kEs256;
  c.private_key_pem = j.value("private_key_pem", "");
  c.certificate_pem = j.value("certificate_pem", "");
  const auto& t = j["tba"];
  c.tba = {t.value("consumer_key", ""), t.value("consumer_secret", ""), t.value("token_id", ""),
           t.value("token_secret", "")};
  if (c.client_id.empty() || c.certificate_pem.empty() || c.tba.consumer_key.empty()) {
    return InvalidArgumentError("sandbox credentials: client_id, certificate_pem and tba are required");
  }
  return c;
}

void SandboxCredentials::AddTo(SandboxOptions& options) const {
  options.oauth_clients.push_back({client_id, certificate_id, certificate_pem});
  options.tba.push_back(tba);
  options.account_realm = account_id;
}

Result<SandboxCredentials> GenerateCredentials(ns::JwtAlgorithm alg) {
  ASSIGN_OR_RETURN(ns::KeyPair keys, ns::GenerateKeyPair(alg));
  SandboxCredentials c;
  c.client_id = ns::RandomHex(32);
  c.certificate_id = ns::RandomHex(20);
  c.algorithm = alg;
  c.private_key_pem = keys.private_key_pem;
  c.certificate_pem = keys.certificate_pem;
  c.tba = {ns::RandomHex(32), ns::RandomHex(32), ns::RandomHex(32), ns::RandomHex(32)};
  return c;
}

Result<SandboxCredentials> LoadOrCreateCredentials(const std::string& path) {
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
    auto c = SandboxCredentials::FromJson(j);
    if (!c.ok()) return c.error().WithContext(path);
    return c;
  }
  ASSIGN_OR_RETURN(SandboxCredentials c, GenerateCredentials());
  {
    std::ofstream out(path);
    if (!out) return UnavailableError("cannot write sandbox credentials to {}", path);
    out << c.ToJson().dump(2) << "\n";
  }
  ::chmod(path.c_str(), 0600);
  return c;
}

}  // namespace mlc::sandbox::netsuite
