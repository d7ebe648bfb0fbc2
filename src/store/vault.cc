#include "store/vault.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/redact.h"
#include "common/strings.h"

namespace mlc::store {
namespace {

void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; -1 means no usable randomness source, in which
  // case no key could be generated safely: a belief about the platform, hence abort.
  static const int kInit = sodium_init();
  if (kInit < 0) std::abort();
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

MasterKey::MasterKey() : bytes_(new unsigned char[kSize]()) {}

MasterKey::MasterKey(MasterKey&& o) noexcept : bytes_(std::move(o.bytes_)), id_(std::move(o.id_)) {}

MasterKey& MasterKey::operator=(MasterKey&& o) noexcept {
  if (this != &o) {
    if (bytes_) sodium_memzero(bytes_.get(), kSize);
    bytes_ = std::move(o.bytes_);
    id_ = std::move(o.id_);
  }
  return *this;
}

MasterKey::~MasterKey() {
  if (bytes_) sodium_memzero(bytes_.get(), kSize);
}

Result<MasterKey> MasterKey::Parse(std::string_view text, std::string_view source) {
  EnsureSodium();
  text = TrimWhitespace(text);
  MasterKey key;
  size_t len = 0;
  int rc = -1;
  if (text.size() == 2 * kSize) {
    rc = sodium_hex2bin(key.bytes_.get(), kSize, text.data(), text.size(), nullptr, &len, nullptr);
  }
  if (rc != 0 || len != kSize) {
    rc = sodium_base642bin(key.bytes_.get(), kSize, text.data(), text.size(), nullptr, &len,
                           nullptr, sodium_base64_VARIANT_ORIGINAL);
  }
  if (rc != 0 || len != kSize) {
    return InvalidArgumentError(
        "the vault master key from {} is not 32 bytes as 64 hex digits or base64", source);
  }
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, key.bytes_.get(), kSize, nullptr, 0);
  char hex[2 * sizeof hash + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  key.id_ = hex;
  return key;
}

Result<MasterKey> MasterKey::FromFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return FailedPreconditionError("the vault master key file {} cannot be read: {}", path,
                                   std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(
        "the vault master key file {} has mode {:04o}: it must be readable by its owner only "
        "(chmod 600 {})",
        path, st.st_mode & 07777, path);
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return FailedPreconditionError("the vault master key file {} cannot be opened: {}", path,
                                   std::strerror(errno));
  }
  char buf[512];  // a key is 44 (base64) or 64 (hex) characters plus a newline
  size_t n = std::fread(buf, 1, sizeof buf, f);
  std::fclose(f);
  Result<MasterKey> key = n == sizeof buf ? Result<MasterKey>(InvalidArgumentError(
                                                "the vault master key file {} is too long", path))
                                          : Parse(std::string_view(buf, n), "file " + path);
  sodium_memzero(buf, sizeof buf);
  return key;
}

Result<MasterKey> MasterKey::FromEnv(const std::string& variable) {
  const char* v = variable.empty() ? nullptr : std::getenv(variable.c_str());
  if (v == nullptr || *v == '\0') {
    return FailedPreconditionError(
        "no vault master key: environment variable {} is not set (or set store.vault."
        "master_key_file)",
        variable.empty() ? "MLC_VAULT_KEY" : variable);
  }
  return Parse(v, "environment variable " + variable);
}

Result<MasterKey> MasterKey::Load(const std::string& file, const std::string& variable) {
  if (!file.empty()) return FromFile(file);
  return FromEnv(variable);
}

MasterKey MasterKey::Generate() {
  EnsureSodium();
  unsigned char raw[kSize];
  randombytes_buf(raw, kSize);
  char hex[2 * kSize + 1];
  sodium_bin2hex(hex, sizeof hex, raw, kSize);
  sodium_memzero(raw, kSize);
  // Parse cannot fail on what bin2hex wrote.
  Result<MasterKey> key = Parse(std::string_view(hex, 2 * kSize), "a generated key");
  sodium_memzero(hex, sizeof hex);
  return std::move(key).value();
}

std::string MasterKey::ToBase64() const {
  std::string out(sodium_base64_ENCODED_LEN(kSize, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_.get(), kSize, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Vault::Vault(Store& store, MasterKey key) : store_(store), key_(std::move(key)) { EnsureSodium(); }

SealedSecret Vault::Seal(std::string_view name, std::string_view value,
                         const MasterKey& key) const {
  SealedSecret s;
  s.name = std::string(name);
  s.key_id = key.id();
  s.nonce.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(s.nonce.data(), s.nonce.size());
  s.ciphertext.resize(value.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(s.ciphertext.data()), &len,
      reinterpret_cast<const unsigned char*>(value.data()), value.size(),
      reinterpret_cast<const unsigned char*>(name.data()), name.size(), nullptr,
      reinterpret_cast<const unsigned char*>(s.nonce.data()), key.bytes());
  s.ciphertext.resize(len);
  return s;
}

Result<std::string> Vault::Open(const SealedSecret& s) const {
  if (s.key_id != key_.id()) {
    return FailedPreconditionError(
        "secret '{}' was sealed under master key {}, but the key given is {}: wrong master key",
        s.name, s.key_id, key_.id());
  }
  if (s.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      s.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return DataLossError("secret '{}' is malformed in the store", s.name);
  }
  std::string plain(s.ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
      reinterpret_cast<const unsigned char*>(s.ciphertext.data()), s.ciphertext.size(),
      reinterpret_cast<const unsigned char*>(s.name.data()), s.name.size(),
      reinterpret_cast<const unsigned char*>(s.nonce.data()), key_.bytes());
  if (rc != 0) {
    return DataLossError(
        "secret '{}' does not open under master key {}: its ciphertext was altered or belongs "
        "to another name",
        s.name, key_.id());
  }
  plain.resize(len);
  RegisterSecret(plain);
  return plain;
}

Status Vault::Set(std::string_view name, std::string_view value) {
  if (!ValidName(name)) {
    return InvalidArgumentError("secret name '{}': use 1 to 128 of A-Z a-z 0-9 _ . -", name);
  }
  if (value.empty()) return InvalidArgumentError("secret '{}': the value is empty", name);
  RegisterSecret(value);
  // One vault, one key: sealing under another key than the others' would split it.
  ASSIGN_OR_RETURN(auto existing, store_.ListSecrets());
  for (const auto& s : existing) {
    if (s.key_id != key_.id()) {
      return FailedPreconditionError(
          "storing secret '{}': the vault is sealed under master key {} (secret '{}'), but the "
          "key given is {}: wrong master key",
          name, s.key_id, s.name, key_.id());
    }
  }
  return store_.PutSecret(Seal(name, value, key_))
      .WithContext(fmt::format("storing secret '{}'", name));
}

Result<std::string> Vault::Get(std::string_view name) {
  ASSIGN_OR_RETURN(SealedSecret s, store_.GetSecret(name));
  return Open(s);
}

Result<std::vector<SecretInfo>> Vault::List() {
  ASSIGN_OR_RETURN(auto all, store_.ListSecrets());
  std::vector<SecretInfo> out;
  out.reserve(all.size());
  for (auto& s : all) out.push_back({s.name, s.key_id, s.created_at, s.updated_at});
  return out;
}

Status Vault::RotateKey(MasterKey new_key) {
  ASSIGN_OR_RETURN(auto all, store_.ListSecrets());
  std::vector<SealedSecret> resealed;
  resealed.reserve(all.size());
  for (const auto& s : all) {
    ASSIGN_OR_RETURN(std::string plain, Open(s).WithContext("rotating the vault key"));
    resealed.push_back(Seal(s.name, plain, new_key));
    sodium_memzero(plain.data(), plain.size());
  }
  RETURN_IF_ERROR(store_.ReplaceSecrets(resealed).WithContext("rotating the vault key"));
  key_ = std::move(new_key);
  return Status::Ok();
}

}  // namespace mlc::store
