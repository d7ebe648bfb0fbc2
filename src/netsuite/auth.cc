#include "netsuite/auth.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include <fmt/format.h>

namespace mlc::netsuite {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Impl(std::string_view in, bool url) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto ch = [&](unsigned v) {
    char c = kB64[v & 63];
    if (url && c == '+') c = '-';
    if (url && c == '/') c = '_';
    out.push_back(c);
  };
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    ch(v >> 18), ch(v >> 12), ch(v >> 6), ch(v);
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    ch(v >> 18), ch(v >> 12);
    if (!url) out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    ch(v >> 18), ch(v >> 12), ch(v >> 6);
    if (!url) out += "=";
  }
  return out;
}

// The key material in PEM; never put it (or OpenSSL's text about it) into a message.
Result<PkeyPtr> LoadPrivateKey(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return InternalError("BIO_new_mem_buf failed");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return InvalidArgumentError("the private key is not a readable PEM private key");
  return key;
}

Result<PkeyPtr> LoadPublicKey(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return InternalError("BIO_new_mem_buf failed");
  if (pem.find("BEGIN CERTIFICATE") != std::string_view::npos) {
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (!cert) return InvalidArgumentError("the certificate is not readable PEM");
    PkeyPtr key(X509_get_pubkey(cert.get()));
    if (!key) return InvalidArgumentError("the certificate has no usable public key");
    return key;
  }
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return InvalidArgumentError("the public key is not readable PEM");
  return key;
}

const EVP_MD* DigestFor(std::string_view alg) {
  if (alg.ends_with("256")) return EVP_sha256();
  if (alg.ends_with("384")) return EVP_sha384();
  if (alg.ends_with("512")) return EVP_sha512();
  return nullptr;
}

int EcCoordinateBytes(std::string_view alg) {
  if (alg == "ES256") return 32;
  if (alg == "ES384") return 48;
  return 66;  // ES512 uses P-521
}

// Configures PSS on a DigestSign/DigestVerify context: salt = digest length, MGF1 = the digest
// (RFC 7518 3.5).
bool SetPss(EVP_PKEY_CTX* pctx, const EVP_MD* md) {
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX and '+' (form style) in a query component.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<AccountId> ParseAccountId(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("empty NetSuite account id");
  AccountId out;
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_' && c != '-') {
      return InvalidArgumentError("NetSuite account id '{}' may hold only letters, digits, '_', '-'",
                                  id);
    }
    out.realm.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(u)));
    out.host_label.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(u)));
  }
  return out;
}

std::string DefaultBaseUrl(const AccountId& account) {
  return fmt::format("https://{}.suitetalk.api.netsuite.com", account.host_label);
}

std::string Base64Encode(std::string_view bytes) { return Base64Impl(bytes, false); }
std::string Base64UrlEncode(std::string_view bytes) { return Base64Impl(bytes, true); }

Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else return InvalidArgumentError("invalid base64url character");
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string RandomHex(size_t n) {
  std::string bytes(n, '\0');
  // RAND_bytes fails only when the CSPRNG cannot be seeded, which a running Linux system does
  // not allow; the belief is that it succeeds.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    std::abort();
  }
  std::string out;
  out.reserve(2 * n);
  for (char b : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(b));
  return out;
}

std::string_view JwtAlgorithmName(JwtAlgorithm alg) {
  return alg == JwtAlgorithm::kPs256 ? "PS256" : "ES256";
}

Result<std::string> SignJwtAssertion(const JwtAssertion& a, JwtAlgorithm alg,
                                     std::string_view private_key_pem) {
  if (a.client_id.empty() || a.certificate_id.empty() || a.audience.empty()) {
    return InvalidArgumentError("JWT assertion needs a client id, a certificate id and an audience");
  }
  if (a.lifetime.count() <= 0 || a.lifetime >= std::chrono::seconds(3600)) {
    return InvalidArgumentError("JWT assertion lifetime must be between 1 s and 3599 s, got {} s",
                                a.lifetime.count());
  }
  ASSIGN_OR_RETURN(PkeyPtr key, LoadPrivateKey(private_key_pem));
  const int key_type = EVP_PKEY_get_base_id(key.get());
  if (alg == JwtAlgorithm::kPs256 && key_type != EVP_PKEY_RSA) {
    return InvalidArgumentError("PS256 needs an RSA private key");
  }
  if (alg == JwtAlgorithm::kEs256 &&
      (key_type != EVP_PKEY_EC || EVP_PKEY_get_bits(key.get()) != 256)) {
    return InvalidArgumentError("ES256 needs an EC P-256 private key");
  }
  nlohmann::json header = {{"alg", JwtAlgorithmName(alg)}, {"typ", "JWT"}, {"kid", a.certificate_id}};
  std::string scope;
  for (const auto& s : a.scopes) scope += (scope.empty() ? "" : ",") + s;
  nlohmann::json payload = {{"iss", a.client_id},
                            {"scope", scope},
                            {"aud", a.audience},
                            {"iat", a.issued_at},
                            {"exp", a.issued_at + a.lifetime.count()},
                            {"jti", a.jti.empty() ? RandomHex(16) : a.jti}};
  const std::string signing_input =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());

  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1 ||
      (alg == JwtAlgorithm::kPs256 && !SetPss(pctx, EVP_sha256()))) {
    ERR_clear_error();
    return InternalError("cannot set up {} signing", JwtAlgorithmName(alg));
  }
  size_t sig_len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &sig_len, in, signing_input.size()) != 1) {
    ERR_clear_error();
    return InternalError("{} signing failed", JwtAlgorithmName(alg));
  }
  std::string sig(sig_len, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sig.data());
  if (EVP_DigestSign(ctx.get(), out, &sig_len, in, signing_input.size()) != 1) {
    ERR_clear_error();
    return InternalError("{} signing failed", JwtAlgorithmName(alg));
  }
  sig.resize(sig_len);
  if (alg == JwtAlgorithm::kEs256) {
    // OpenSSL produces DER (SEQUENCE {r, s}); JOSE wants fixed-width big-endian r || s.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    std::unique_ptr<ECDSA_SIG, SigFree> es(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    if (!es) return InternalError("ES256 signature is not DER");
    std::array<unsigned char, 64> raw{};
    if (BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), raw.data(), 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(es.get()), raw.data() + 32, 32) != 32) {
      return InternalError("ES256 signature does not fit 64 bytes");
    }
    sig.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
  }
  return signing_input + "." + Base64UrlEncode(sig);
}

Result<KeyPair> GenerateKeyPair(JwtAlgorithm alg, int rsa_bits) {
  PkeyPtr key(alg == JwtAlgorithm::kPs256
                  ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                  : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) {
    ERR_clear_error();
    return InternalError("key generation failed");
  }
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return InternalError("X509_new failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("ml-connector"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    ERR_clear_error();
    return InternalError("certificate signing failed");
  }
  auto to_pem = [](auto write) -> std::string {
    BioPtr bio(BIO_new(BIO_s_mem()));
    write(bio.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  };
  KeyPair out;
  out.private_key_pem = to_pem([&](BIO* b) {
    PEM_write_bio_PKCS8PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  out.certificate_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, cert.get()); });
  return out;
}

Result<DecodedJwt> VerifyJwt(std::string_view jwt, std::string_view public_pem) {
  const size_t d1 = jwt.find('.');
  const size_t d2 = d1 == std::string_view::npos ? d1 : jwt.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jwt.find('.', d2 + 1) != std::string_view::npos) {
    return InvalidArgumentError("a JWT has three dot-separated parts");
  }
  DecodedJwt out;
  ASSIGN_OR_RETURN(std::string header_text, Base64UrlDecode(jwt.substr(0, d1)));
  ASSIGN_OR_RETURN(std::string payload_text, Base64UrlDecode(jwt.substr(d1 + 1, d2 - d1 - 1)));
  ASSIGN_OR_RETURN(std::string sig, Base64UrlDecode(jwt.substr(d2 + 1)));
  out.header = nlohmann::json::parse(header_text, nullptr, false);
  out.payload = nlohmann::json::parse(payload_text, nullptr, false);
  if (!out.header.is_object() || !out.payload.is_object()) {
    return InvalidArgumentError("JWT header or payload is not a JSON object");
  }
  std::string alg = out.header.value("alg", "");
  const bool pss = alg == "PS256" || alg == "PS384" || alg == "PS512";
  const bool ec = alg == "ES256" || alg == "ES384" || alg == "ES512";
  if (!pss && !ec) return UnauthenticatedError("JWT algorithm '{}' is not accepted", alg);
  ASSIGN_OR_RETURN(PkeyPtr key, LoadPublicKey(public_pem));
  const int key_type = EVP_PKEY_get_base_id(key.get());
  if ((pss && key_type != EVP_PKEY_RSA) || (ec && key_type != EVP_PKEY_EC)) {
    return UnauthenticatedError("JWT algorithm {} does not match the registered key", alg);
  }
  const EVP_MD* md = DigestFor(alg);
  if (ec) {
    // JOSE r || s -> DER for OpenSSL.
    const int n = EcCoordinateBytes(alg);
    if (static_cast<int>(sig.size()) != 2 * n) return UnauthenticatedError("bad ECDSA signature size");
    std::unique_ptr<ECDSA_SIG, SigFree> es(ECDSA_SIG_new());
    const auto* raw = reinterpret_cast<const unsigned char*>(sig.data());
    BIGNUM* r = BN_bin2bn(raw, n, nullptr);
    BIGNUM* s = BN_bin2bn(raw + n, n, nullptr);
    if (!es || !r || !s || ECDSA_SIG_set0(es.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return InternalError("cannot build ECDSA signature");
    }
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(es.get(), &der);
    if (der_len <= 0) return InternalError("cannot encode ECDSA signature");
    sig.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
    OPENSSL_free(der);
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.get()) != 1 ||
      (pss && !SetPss(pctx, md))) {
    ERR_clear_error();
    return InternalError("cannot set up {} verification", alg);
  }
  const std::string_view signing_input = jwt.substr(0, d2);
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                                  sig.size(),
                                  reinterpret_cast<const unsigned char*>(signing_input.data()),
                                  signing_input.size());
  ERR_clear_error();
  if (ok != 1) return UnauthenticatedError("JWT signature does not verify");
  return out;
}

std::string OauthEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

Result<std::string> OauthBaseString(std::string_view method, std::string_view url,
                                    const std::map<std::string, std::string>& oauth_params) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgumentError("URL '{}' has no scheme", url);
  }
  const std::string scheme = ToLower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return InvalidArgumentError("URL '{}' is not http(s)", url);
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (size_t f = query.find('#'); f != std::string_view::npos) query = query.substr(0, f);
  const size_t slash = rest.find('/');
  std::string host = ToLower(rest.substr(0, slash));
  std::string path(slash == std::string_view::npos ? "/" : rest.substr(slash));
  // RFC 5849 3.4.1.2: default ports are left out.
  if ((scheme == "https" && host.ends_with(":443")) || (scheme == "http" && host.ends_with(":80"))) {
    host.resize(host.rfind(':'));
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [k, v] : oauth_params) {
    if (k == "oauth_signature" || k == "realm") continue;
    params.emplace_back(OauthEncode(k), OauthEncode(v));
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string k = PercentDecode(pair.substr(0, eq));
    std::string v = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    params.emplace_back(OauthEncode(k), OauthEncode(v));
  }
  std::sort(params.begin(), params.end());
  std::string normalized;
  for (const auto& [k, v] : params) {
    if (!normalized.empty()) normalized += '&';
    normalized += k + "=" + v;
  }
  std::string upper(method);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper + "&" + OauthEncode(scheme + "://" + host + path) + "&" + OauthEncode(normalized);
}

std::string OauthSignature(std::string_view base_string, std::string_view consumer_secret,
                           std::string_view token_secret) {
  const std::string key = OauthEncode(consumer_secret) + "&" + OauthEncode(token_secret);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(base_string.data()), base_string.size(), mac,
       &mac_len);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

Result<std::string> TbaAuthorizationHeader(const TbaCredentials& c, std::string_view realm,
                                           std::string_view method, std::string_view url,
                                           std::string_view nonce, int64_t timestamp) {
  std::map<std::string, std::string> p = {
      {"oauth_consumer_key", c.consumer_key},   {"oauth_token", c.token_id},
      {"oauth_signature_method", "HMAC-SHA256"}, {"oauth_timestamp", std::to_string(timestamp)},
      {"oauth_nonce", std::string(nonce)},       {"oauth_version", "1.0"}};
  ASSIGN_OR_RETURN(std::string base, OauthBaseString(method, url, p));
  const std::string sig = OauthSignature(base, c.consumer_secret, c.token_secret);
  return fmt::format(
      "OAuth realm=\"{}\", oauth_consumer_key=\"{}\", oauth_token=\"{}\", "
      "oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"{}\", oauth_nonce=\"{}\", "
      "oauth_version=\"1.0\", oauth_signature=\"{}\"",
      realm, OauthEncode(c.consumer_key), OauthEncode(c.token_id), timestamp, OauthEncode(nonce),
      OauthEncode(sig));
}

Result<std::map<std::string, std::string>> ParseOauthHeader(std::string_view h) {
  if (h.size() < 6 || ToLower(h.substr(0, 6)) != "oauth ") {
    return InvalidArgumentError("Authorization scheme is not OAuth");
  }
  std::map<std::string, std::string> out;
  size_t i = 6;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ',')) ++i;
    if (i >= h.size()) break;
    size_t eq = h.find('=', i);
    if (eq == std::string_view::npos) return InvalidArgumentError("OAuth parameter without '='");
    std::string key(h.substr(i, eq - i));
    if (eq + 1 >= h.size() || h[eq + 1] != '"') {
      return InvalidArgumentError("OAuth parameter {} is not quoted", key);
    }
    size_t end = h.find('"', eq + 2);
    if (end == std::string_view::npos) return InvalidArgumentError("unterminated OAuth parameter");
    std::string raw(h.substr(eq + 2, end - eq - 2));
    // '+' is literal inside header values; only %XX is decoded.
    std::string value;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '%' && k + 2 < raw.size() && HexValue(raw[k + 1]) >= 0 &&
          HexValue(raw[k + 2]) >= 0) {
        value.push_back(static_cast<char>(HexValue(raw[k + 1]) * 16 + HexValue(raw[k + 2])));
        k += 2;
      } else {
        value.push_back(raw[k]);
      }
    }
    out[key] = value;
    i = end + 1;
  }
  return out;
}

}  // namespace mlc::netsuite
