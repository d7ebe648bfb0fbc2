// The vault: credentials (NetSuite private key and client id, Cleo password, console tokens)
// sealed with libsodium's XChaCha20-Poly1305 (IETF AEAD) under a 32-byte master key, stored in
// the store's `secrets` table. The config refers to them as `vault:NAME`.
//
// Each secret has its own random 24-byte nonce; the associated data is the secret's name, so a
// ciphertext copied onto another name does not open. Rows also carry the key id (the first 8
// bytes of BLAKE2b(master key), hex) so a wrong key is named as such instead of looking like
// corruption. Every value opened is registered with mlc::RegisterSecret before it is returned.
//
// The master key comes from a file (mode 0600 or stricter, else refused) or an environment
// variable, as 64 hex digits or standard base64 of 32 bytes. MasterKey wipes its bytes with
// sodium_memzero when destroyed.
//
// Errors never contain a secret's value: a wrong key gives FAILED_PRECONDITION naming the secret
// and both key ids; a tampered ciphertext DATA_LOSS; a missing key FAILED_PRECONDITION. Nothing
// is written when an operation fails.
//
// Thread safety: a Vault may be used from several threads (it holds no mutable state besides the
// key, which only RotateKey changes: do not rotate while other threads use the same Vault).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace mlc::store {

class MasterKey {
 public:
  static constexpr size_t kSize = 32;

  // Parses 64 hex digits or base64 (surrounding whitespace ignored). `source` names where the
  // text came from, for the error message (INVALID_ARGUMENT; the text itself is never quoted).
  static Result<MasterKey> Parse(std::string_view text, std::string_view source);
  // Reads a key file; FAILED_PRECONDITION when its mode lets group or others read it.
  static Result<MasterKey> FromFile(const std::string& path);
  // Reads the environment variable; FAILED_PRECONDITION when unset or empty.
  static Result<MasterKey> FromEnv(const std::string& variable);
  // The file when `file` is not empty, else the variable (the config's vault section).
  static Result<MasterKey> Load(const std::string& file, const std::string& variable);
  // A fresh random key.
  static MasterKey Generate();

  MasterKey(MasterKey&& o) noexcept;
  MasterKey& operator=(MasterKey&& o) noexcept;
  MasterKey(const MasterKey&) = delete;
  MasterKey& operator=(const MasterKey&) = delete;
  ~MasterKey();

  // 16 hex digits identifying the key (not secret: a hash prefix).
  const std::string& id() const { return id_; }
  const unsigned char* bytes() const { return bytes_.get(); }
  // The key as base64 (for writing a new key file); the caller wipes the string.
  std::string ToBase64() const;

 private:
  MasterKey();
  std::unique_ptr<unsigned char[]> bytes_;
  std::string id_;
};

struct SecretInfo {
  std::string name;
  std::string key_id;
  Instant created_at;
  Instant updated_at;
};

class Vault {
 public:
  // Keeps a reference to `store`, which must outlive the vault.
  Vault(Store& store, MasterKey key);

  // Seals and stores `value` under `name` ([A-Za-z0-9_.-], 1..128 chars; INVALID_ARGUMENT).
  // FAILED_PRECONDITION when the vault already holds secrets sealed under another key.
  Status Set(std::string_view name, std::string_view value);
  // Opens a secret and registers it for redaction. NOT_FOUND, FAILED_PRECONDITION (wrong key),
  // DATA_LOSS (tampered or corrupt).
  Result<std::string> Get(std::string_view name);
  // Names, key ids and dates; never values.
  Result<std::vector<SecretInfo>> List();
  // Opens every secret with the current key and re-seals it under `new_key`, all in one
  // transaction; on any failure nothing changes and the vault keeps its key.
  Status RotateKey(MasterKey new_key);

  const std::string& key_id() const { return key_.id(); }

 private:
  Result<std::string> Open(const SealedSecret& s) const;
  SealedSecret Seal(std::string_view name, std::string_view value, const MasterKey& key) const;

  Store& store_;
  MasterKey key_;
};

}  // namespace mlc::store
