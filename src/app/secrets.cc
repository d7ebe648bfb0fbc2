#include "app/secrets.h"

#include <fmt/format.h>

#include <utility>

namespace mlc::app {

SecretResolver::SecretResolver(store::Store& store, const config::Config& config)
    : store_(store), config_(config) {}

Result<store::Vault*> SecretResolver::OpenVault() {
  std::lock_guard lock(mu_);
  if (!vault_) {
    ASSIGN_OR_RETURN(store::MasterKey key,
                     store::MasterKey::Load(config_.store.vault.master_key_file,
                                            config_.store.vault.master_key_env)
                         .WithContext("loading the vault master key (store.vault)"));
    vault_ = std::make_unique<store::Vault>(store_, std::move(key));
  }
  return vault_.get();
}

Result<std::string> SecretResolver::Get(const config::SecretRef& ref, std::string_view key_path) {
  switch (ref.kind) {
    case config::SecretRef::Kind::kNone:
      return FailedPreconditionError("{}: no secret is configured", key_path);
    case config::SecretRef::Kind::kEnv:
      if (ref.value.empty()) {
        return FailedPreconditionError("{}: environment variable {} (from {}) is not set or empty",
                                       key_path, ref.name, ref.ToString());
      }
      return ref.value;
    case config::SecretRef::Kind::kVault:
      break;
  }
  const std::string context = fmt::format("{} ({})", key_path, ref.ToString());
  ASSIGN_OR_RETURN(store::Vault * vault, OpenVault().WithContext(context));
  ASSIGN_OR_RETURN(std::string value, vault->Get(ref.name).WithContext(context));
  if (value.empty()) return FailedPreconditionError("{}: the vault entry is empty", context);
  return value;
}

Result<std::string> SecretResolver::GetOptional(const config::SecretRef& ref,
                                                std::string_view key_path) {
  if (ref.empty()) return std::string();
  return Get(ref, key_path);
}

SecretLookup SecretResolver::AsLookup() {
  return [this](const config::SecretRef& ref, std::string_view key_path) {
    return Get(ref, key_path);
  };
}

}  // namespace mlc::app
