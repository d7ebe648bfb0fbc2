// Shared set-up for the NetSuite integration suite and the read-figures tool: an in-process
// NetsuiteSandbox on a loopback port 0, and the real client (CurlHttpClient + authenticator)
// pointed at it.
#pragma once

#include <memory>
#include <string>

#include "common/curl_http_client.h"
#include "netsuite/authenticator.h"
#include "netsuite/client.h"
#include "sandbox/netsuite/credentials.h"
#include "sandbox/netsuite/netsuite_sandbox.h"

namespace mlc::netsuite::testing {

struct Rig {
  sandbox::netsuite::SandboxCredentials creds;
  std::unique_ptr<sandbox::netsuite::NetsuiteSandbox> sandbox;
  std::unique_ptr<CurlHttpClient> http;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Client> client;

  Oauth2Authenticator& oauth() { return static_cast<Oauth2Authenticator&>(*auth); }
};

enum class Scheme { kOauth2, kTba };

// Starts a sandbox with `options` (credentials added) and a client with `client_options`
// (base_url filled in). Aborts the test binary on set-up failure: nothing can be tested then.
inline std::unique_ptr<Rig> MakeRig(sandbox::netsuite::SandboxOptions options,
                                    ClientOptions client_options = {},
                                    Scheme scheme = Scheme::kOauth2) {
  auto rig = std::make_unique<Rig>();
  auto creds = sandbox::netsuite::GenerateCredentials();
  if (!creds.ok()) std::abort();
  rig->creds = *creds;
  rig->creds.AddTo(options);
  auto sb = sandbox::netsuite::NetsuiteSandbox::Create(std::move(options));
  if (!sb.ok() || !(*sb)->Start().ok()) std::abort();
  rig->sandbox = std::move(*sb);
  rig->http = std::make_unique<CurlHttpClient>();
  if (scheme == Scheme::kOauth2) {
    Oauth2Options o;
    o.base_url = rig->sandbox->base_url();
    o.client_id = rig->creds.client_id;
    o.certificate_id = rig->creds.certificate_id;
    o.private_key_pem = rig->creds.private_key_pem;
    o.algorithm = rig->creds.algorithm;
    rig->auth = std::make_unique<Oauth2Authenticator>(*rig->http, o);
  } else {
    TbaOptions t;
    t.account_id = rig->creds.account_id;
    t.credentials = rig->creds.tba;
    rig->auth = std::make_unique<TbaAuthenticator>(t);
  }
  client_options.base_url = rig->sandbox->base_url();
  rig->client = std::make_unique<Client>(*rig->http, *rig->auth, client_options);
  return rig;
}

}  // namespace mlc::netsuite::testing
