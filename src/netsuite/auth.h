// NetSuite authentication primitives: account-id forms, the OAuth 2.0 client-credentials JWT
// client assertion (PS256 / ES256 on OpenSSL EVP), and Token-Based Authentication (OAuth 1.0a,
// HMAC-SHA256). These are pure functions (plus OpenSSL's RNG for PSS salts and nonces); the token
// cache and request signing live in authenticator.h.
//
// Facts (reference netsuite.md 1, 6.1, 6.3):
//   - account "1234567_SB1": OAuth 1 realm "1234567_SB1", host label "1234567-sb1";
//   - JWT header {alg: PS256|ES256, typ: JWT, kid: <certificate id>}, claims iss = client id,
//     scope = comma-joined scopes, aud = token endpoint URL, iat, exp < iat + 3600, jti;
//   - TBA base string = METHOD & enc(scheme://host/path) & enc(sorted oauth_* + query params),
//     key = enc(consumer secret) & enc(token secret), signature = base64(HMAC-SHA256).
// The verification functions exist for the sandbox (sandbox/netsuite) and for tests.
//
// Thread safety: pure functions; OpenSSL 3 is thread-safe for these calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace mlc::netsuite {

// ---- account ids and hosts -------------------------------------------------------------------

struct AccountId {
  std::string realm;       // "1234567_SB1": OAuth 1 realm form (upper case, underscore)
  std::string host_label;  // "1234567-sb1": URL form (lower case, hyphen)
};

// Accepts either form ("1234567_SB1", "1234567-sb1", "1234567", "1234567_RP").
// Errors: INVALID_ARGUMENT for empty input or characters other than letters, digits, '_', '-'.
Result<AccountId> ParseAccountId(std::string_view account_id);
// "https://1234567-sb1.suitetalk.api.netsuite.com" (no trailing slash).
std::string DefaultBaseUrl(const AccountId& account);

// ---- encodings -------------------------------------------------------------------------------

std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding (JWT)
// Errors: INVALID_ARGUMENT for characters outside the alphabet.
Result<std::string> Base64UrlDecode(std::string_view text);
// `n` random bytes from OpenSSL's CSPRNG, as lower-case hex (2n characters).
std::string RandomHex(size_t n);

// ---- OAuth 2.0 client credentials: the JWT client assertion ---------------------------------

enum class JwtAlgorithm : uint8_t { kPs256, kEs256 };
std::string_view JwtAlgorithmName(JwtAlgorithm alg);  // "PS256"

struct JwtAssertion {
  std::string client_id;       // iss
  std::string certificate_id;  // kid
  std::vector<std::string> scopes{"rest_webservices"};
  std::string audience;        // the token endpoint URL
  int64_t issued_at = 0;       // iat, epoch seconds
  std::chrono::seconds lifetime{300};  // exp = iat + lifetime; must be < 3600
  std::string jti;             // unique id; RandomHex(16) when empty
};

// Signs the assertion with `private_key_pem` (PKCS#8 or traditional PEM; RSA for PS256 with
// RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length 32; EC P-256 for ES256, signature as the
// 64-byte r||s JOSE form). Errors: INVALID_ARGUMENT for an unreadable key, a key that does not
// fit the algorithm, a lifetime of 3600 s or more, or empty iss/kid/aud. The key is never echoed.
Result<std::string> SignJwtAssertion(const JwtAssertion& assertion, JwtAlgorithm alg,
                                     std::string_view private_key_pem);

struct DecodedJwt {
  nlohmann::json header;
  nlohmann::json payload;
};

// Checks the signature of a compact JWS with the public key in `public_pem` (an X.509
// certificate "BEGIN CERTIFICATE" or a "BEGIN PUBLIC KEY"). Only PS256/384/512 and
// ES256/384/512 are accepted (NetSuite refuses RS256). Does NOT check claims.
// Errors: INVALID_ARGUMENT for malformed tokens, UNAUTHENTICATED for a bad signature or a
// refused algorithm.
Result<DecodedJwt> VerifyJwt(std::string_view jwt, std::string_view public_pem);

struct KeyPair {
  std::string private_key_pem;  // PKCS#8
  std::string certificate_pem;  // self-signed X.509, CN=ml-connector, valid 1 year
};
// Generates a key pair for `alg` (RSA 3072 for PS256, P-256 for ES256; `rsa_bits` overrides the
// RSA size, e.g. 2048 to keep tests fast) and a self-signed certificate, as an integration
// administrator would upload to NetSuite. Errors: INTERNAL when OpenSSL fails.
Result<KeyPair> GenerateKeyPair(JwtAlgorithm alg, int rsa_bits = 3072);

// ---- Token-Based Authentication (OAuth 1.0a, HMAC-SHA256) ------------------------------------

struct TbaCredentials {
  std::string consumer_key;
  std::string consumer_secret;
  std::string token_id;
  std::string token_secret;
};

// RFC 3986 percent-encoding (unreserved kept, everything else %XX upper case).
std::string OauthEncode(std::string_view s);

// The signature base string: UPPER(method) & enc(normalized URL without query) &
// enc(sorted "k=v" pairs of `oauth_params` (without oauth_signature and realm) and of every
// query parameter of `url`, joined by '&'). Query parameters are decoded then re-encoded.
// Errors: INVALID_ARGUMENT for a URL that is not http(s)://host/...
Result<std::string> OauthBaseString(std::string_view method, std::string_view url,
                                    const std::map<std::string, std::string>& oauth_params);

// base64(HMAC-SHA256(enc(consumer_secret) & enc(token_secret), base_string)).
std::string OauthSignature(std::string_view base_string, std::string_view consumer_secret,
                           std::string_view token_secret);

// The whole Authorization header value:
//   OAuth realm="1234567_SB1", oauth_consumer_key="..", oauth_token="..",
//   oauth_signature_method="HMAC-SHA256", oauth_timestamp="..", oauth_nonce="..",
//   oauth_version="1.0", oauth_signature="<percent-encoded>"
Result<std::string> TbaAuthorizationHeader(const TbaCredentials& credentials,
                                           std::string_view realm, std::string_view method,
                                           std::string_view url, std::string_view nonce,
                                           int64_t timestamp);

// Parses an "OAuth k="v", ..." header into decoded parameters (realm included).
// Errors: INVALID_ARGUMENT when the scheme is not OAuth or a parameter is malformed.
Result<std::map<std::string, std::string>> ParseOauthHeader(std::string_view header);

}  // namespace mlc::netsuite
