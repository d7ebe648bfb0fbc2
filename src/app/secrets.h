// SecretResolver: the value behind a config SecretRef (`vault:NAME` or `env:VAR`).
//
// env: references were read by the config loader (and registered for redaction); their value is
// returned as is. vault: entries are opened from the store's vault, which is opened on the first
// vault reference with the master key named in `store.vault` (so a config without vault
// references needs no master key). Vault::Get registers every opened value with RegisterSecret.
//
// Errors name the config key path ("netsuite.auth.oauth2.private_key") and the reference
// ("vault:ns_key"), never the value.
//
// Ownership: keeps references to the Store and the Config, which must outlive the resolver.
// Thread safety: Get may be called from several threads (the vault is opened under a lock).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "config/config.h"
#include "store/store.h"
#include "store/vault.h"

namespace mlc::app {

// The shape of a secret lookup other areas accept (e.g. netsuite::Connect).
using SecretLookup =
    std::function<Result<std::string>(const config::SecretRef& ref, std::string_view key_path)>;

class SecretResolver {
 public:
  SecretResolver(store::Store& store, const config::Config& config);
  SecretResolver(const SecretResolver&) = delete;
  SecretResolver& operator=(const SecretResolver&) = delete;

  // The secret's value (never empty). Errors, each prefixed with `key_path`:
  //   FAILED_PRECONDITION  no reference configured, an env value that is empty, or the master
  //                        key cannot be loaded / does not match the vault
  //   NOT_FOUND            no vault entry of that name
  //   DATA_LOSS            a tampered or corrupt vault entry
  Result<std::string> Get(const config::SecretRef& ref, std::string_view key_path);

  // Like Get, but an absent reference (optional secrets) is an empty string, not an error.
  Result<std::string> GetOptional(const config::SecretRef& ref, std::string_view key_path);

  // Get as a SecretLookup; the resolver must outlive the function.
  SecretLookup AsLookup();

 private:
  Result<store::Vault*> OpenVault();

  store::Store& store_;
  const config::Config& config_;
  std::mutex mu_;
  std::unique_ptr<store::Vault> vault_;  // opened on the first vault reference
};

}  // namespace mlc::app
