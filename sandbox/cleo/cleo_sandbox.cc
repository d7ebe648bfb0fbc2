// The only translation unit of the Cleo sandbox that includes cpp-httplib (slow to compile).
#include "sandbox/cleo/cleo_sandbox.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <thread>

#include "cleo/names.h"
#include "common/file_system.h"

namespace mlc::sandbox::cleo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

void Error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(json{{"message", message}}.dump(), "application/json");
}

void Json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// A SCIM-like filter: `<attr> eq|ne|sw "<value>"`.
struct Filter {
  std::string attr, op, value;
  bool Matches(const json& item) const {
    if (attr.empty()) return true;
    auto it = item.find(attr);
    std::string v = it != item.end() && it->is_string() ? it->get<std::string>() : "";
    if (op == "eq") return v == value;
    if (op == "ne") return v != value;
    return v.rfind(value, 0) == 0;  // sw
  }
};

std::optional<Filter> ParseFilter(const std::string& text) {
  if (text.empty()) return Filter{};
  static const std::regex kFilter(R"re(^\s*(\w+)\s+(eq|ne|sw)\s+"([^"]*)"\s*$)re");
  std::smatch m;
  if (!std::regex_match(text, m, kFilter)) return std::nullopt;
  return Filter{m[1].str(), m[2].str(), m[3].str()};
}

}  // namespace

Result<CleoSeed> LoadCleoSeed(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return NotFoundError("seed file '{}' does not exist", file.string());
  try {
    YAML::Node root = YAML::LoadFile(file.string());
    CleoSeed seed;
    YAML::Node c = root["cleo"];
    if (!c) return seed;
    for (const auto& u : c["users"]) {
      seed.users.push_back({u["username"].as<std::string>(), u["password"].as<std::string>()});
    }
    for (const auto& m : c["mailboxes"]) {
      SandboxMailbox mb{m["name"].as<std::string>(), m["password"].as<std::string>("")};
      if (!mlc::cleo::ValidateRemoteName(mb.name).ok()) {
        return InvalidArgumentError("seed cleo.mailboxes: bad mailbox name '{}'",
                                    mlc::cleo::Printable(mb.name));
      }
      seed.mailboxes.push_back(mb);
    }
    for (const auto& a : c["actions"]) {
      seed.actions.push_back({a["id"].as<std::string>(), a["alias"].as<std::string>(),
                              a["mailbox"].as<std::string>()});
    }
    seed.filler_connections = c["filler_connections"].as<int>(0);
    return seed;
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("seed file '{}': {}", file.string(), e.what());
  }
}

struct CleoSandbox::Impl {
  explicit Impl(CleoSandboxOptions o) : options(std::move(o)), rng(options.fault_seed) {}

  CleoSandboxOptions options;
  httplib::Server server;
  std::thread thread;

  mutable std::mutex mu;
  std::map<std::string, std::chrono::steady_clock::time_point> tokens;  // token -> expiry
  std::mt19937_64 rng;
  std::vector<Fault> scripted;  // front first
  SandboxStats stats;
  std::atomic<uint64_t> token_counter{0};

  std::map<std::string, std::string> basic_to_mailbox;  // "Basic xxx" -> mailbox name

  fs::path Mailbox(const std::string& name) const { return options.root / name; }

  // Decides the fault for one request (or none).
  std::optional<Fault> DrawFault() {
    std::lock_guard lock(mu);
    ++stats.requests;
    if (!scripted.empty()) {
      Fault f = scripted.front();
      scripted.erase(scripted.begin());
      if (f == Fault::kNone) return std::nullopt;
      return f;
    }
    std::uniform_real_distribution<double> u(0.0, 1.0);
    double x = u(rng);
    if (x < options.error_rate) return Fault::k503;
    if (x < options.error_rate + options.drop_rate) return Fault::kDrop;
    return std::nullopt;
  }

  bool Authorized(const httplib::Request& req) {
    std::string h = req.get_header_value("Authorization");
    std::lock_guard lock(mu);
    if (h.rfind("Bearer ", 0) == 0) {
      auto it = tokens.find(h.substr(7));
      if (it != tokens.end() && std::chrono::steady_clock::now() < it->second) return true;
    }
    ++stats.unauthorized;
    return false;
  }

  json ConnectionJson(const std::string& id, const std::string& alias, const std::string& type,
                      const std::string& mailbox) const {
    json c = {{"id", id},
              {"alias", alias},
              {"type", type},
              {"enabled", true},
              {"meta", {{"type", "connection"}}},
              {"_links", {{"self", {{"href", "/api/connections/" + id}}}}}};
    if (!mailbox.empty()) {
      c["incoming"] = {{"storage", {{"inbox", mailbox + "/inbox/"}}}};
      c["outgoing"] = {{"storage", {{"outbox", mailbox + "/outbox/"}}}};
    }
    return c;
  }

  std::vector<json> Connections() const {
    std::vector<json> all;
    for (const auto& m : options.seed.mailboxes) {
      all.push_back(ConnectionJson("conn-" + m.name, m.name, "http", m.name));
    }
    for (int i = 0; i < options.seed.filler_connections; ++i) {
      std::string n = fmt::format("filler-{:04}", i);
      all.push_back(ConnectionJson("conn-" + n, n, i % 2 ? "sftp" : "as2", ""));
    }
    return all;
  }

  std::vector<json> Actions() const {
    std::vector<json> all;
    for (const auto& a : options.seed.actions) {
      all.push_back({{"id", a.id},
                     {"alias", a.alias},
                     {"type", "Commands"},
                     {"commands", {"PUT -DEL *"}},
                     {"mailbox", a.mailbox},
                     {"meta", {{"type", "action"}}},
                     {"_links", {{"run", {{"href", "/api/actions/" + a.id + "/run"}}}}}});
    }
    return all;
  }

  void Page(const httplib::Request& req, httplib::Response& res, const std::vector<json>& items) {
    auto filter = ParseFilter(req.get_param_value("filter"));
    if (!filter) return Error(res, 400, "invalid filter: " + req.get_param_value("filter"));
    long start = 0, count = 100;
    try {
      if (req.has_param("startIndex")) start = std::stol(req.get_param_value("startIndex"));
      if (req.has_param("count")) count = std::stol(req.get_param_value("count"));
    } catch (const std::exception&) {
      return Error(res, 400, "startIndex and count must be integers");
    }
    if (start < 0 || count < 1 || count > 1000) {
      return Error(res, 400, "startIndex must be >= 0 and count within 1..1000");
    }
    std::vector<json> matching;
    for (const auto& i : items) {
      if (filter->Matches(i)) matching.push_back(i);
    }
    json page = {{"totalResults", matching.size()},
                 {"startIndex", start},
                 {"itemsPerPage", 0},
                 {"resources", json::array()}};
    for (long i = start; i < static_cast<long>(matching.size()) && i < start + count; ++i) {
      page["resources"].push_back(matching[static_cast<size_t>(i)]);
    }
    page["itemsPerPage"] = page["resources"].size();
    Json(res, 200, page);
  }

  void Authenticate(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) {
      return Error(res, 400, "expected an application/x-www-form-urlencoded body");
    }
    if (req.get_param_value("grant_type") != "password") {
      return Error(res, 400, "unsupported grant_type");
    }
    const std::string user = req.get_param_value("username");
    const std::string pass = req.get_param_value("password");
    bool ok =
        std::any_of(options.seed.users.begin(), options.seed.users.end(),
                    [&](const SandboxUser& u) { return u.username == user && u.password == pass; });
    if (!ok) {
      std::lock_guard lock(mu);
      ++stats.unauthorized;
      return Error(res, 401, "invalid username or password");
    }
    std::random_device rd;
    std::string token =
        fmt::format("sbx-{:016x}{:08x}-{}", (uint64_t{rd()} << 32) | rd(), rd(), ++token_counter);
    {
      std::lock_guard lock(mu);
      tokens[token] = std::chrono::steady_clock::now() + options.token_lifetime;
      ++stats.token_grants;
    }
    Json(res, 200,
         {{"access_token", token},
          {"token_type", "Bearer"},
          {"expires_in",
           std::chrono::duration_cast<std::chrono::seconds>(options.token_lifetime).count()}});
  }

  void RunAction(const std::string& id, httplib::Response& res) {
    auto it = std::find_if(options.seed.actions.begin(), options.seed.actions.end(),
                           [&](const SandboxAction& a) { return a.id == id; });
    if (it == options.seed.actions.end()) return Error(res, 404, "action '" + id + "' not found");
    json messages = json::array();
    std::error_code ec;
    fs::path outbox = Mailbox(it->mailbox) / "outbox";
    fs::path sentbox = Mailbox(it->mailbox) / "sentbox";
    fs::create_directories(sentbox, ec);
    for (const auto& e : fs::directory_iterator(outbox, ec)) {
      std::string name = e.path().filename().string();
      if (!e.is_regular_file() || name.empty() || name[0] == '.') continue;
      fs::rename(e.path(), sentbox / name, ec);
      messages.push_back(ec ? "error sending " + name + ": " + ec.message() : "sent " + name);
    }
    Json(res, 200, {{"status", "completed"}, {"result", "success"}, {"messages", messages}});
  }

  void ServerCommand(const httplib::Request& req, httplib::Response& res) {
    res.set_header("WWW-Authenticate", "Basic realm=\"Cleo Harmony\"");
    std::string mailbox;
    {
      auto it = basic_to_mailbox.find(req.get_header_value("Authorization"));
      if (it != basic_to_mailbox.end()) mailbox = it->second;
    }
    if (mailbox.empty()) {
      std::lock_guard lock(mu);
      ++stats.unauthorized;
      return Error(res, 401, "authentication required");
    }
    const std::string request = req.get_param_value("request");
    std::string directory = req.get_param_value("directory");
    // Cleo's documented defaults (HTTP Server Command Reference).
    if (directory.empty()) directory = request == "send" ? "inbox/" : "outbox/payload/";
    Status dir_ok = mlc::cleo::ValidateMailboxDirectory(directory);
    if (dir_ok.code() == StatusCode::kPermissionDenied) {
      return Error(res, 403, "access denied: " + directory);
    }
    if (!dir_ok.ok()) return Error(res, 400, "invalid directory: " + dir_ok.message());
    const fs::path dir = Mailbox(mailbox) / directory;
    const std::string filename = req.get_param_value("filename");
    std::error_code ec;
    if (request == "connect0") {
      res.status = 200;
      return;
    }
    if (request == "list") {
      if (!fs::is_directory(dir, ec)) return Error(res, 404, "no such directory: " + directory);
      std::vector<std::string> names;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string n = e.path().filename().string();
        if (e.is_regular_file() && !n.empty() && n[0] != '.') names.push_back(n);
      }
      std::sort(names.begin(), names.end());
      std::string body;
      for (const auto& n : names) body += n + "\r\n";
      res.status = 200;
      res.set_content(body, "text/plain");
      return;
    }
    Status name_ok = mlc::cleo::ValidateRemoteName(filename);
    if (!name_ok.ok()) return Error(res, 400, name_ok.message());
    const fs::path file = dir / filename;
    if (request == "receive") {
      auto content = RealFileSystem().ReadFile(file);
      if (!content.ok()) return Error(res, 404, "no such file: " + directory + filename);
      res.status = 200;
      res.set_content(*content, "application/octet-stream");
      return;
    }
    if (request == "send") {
      if (req.body.size() > options.max_upload_bytes) {
        return Error(res, 413, "file larger than the server's limit");
      }
      if (!fs::is_directory(dir, ec)) return Error(res, 404, "no such directory: " + directory);
      if (!options.allow_overwrite && fs::exists(file, ec)) {
        return Error(res, 409, "file exists and overwriting is disabled: " + filename);
      }
      Status w = RealFileSystem().WriteFileAtomic(file, req.body);
      if (!w.ok()) return Error(res, 500, w.message());
      res.status = 200;
      return;
    }
    if (request == "delete") {
      if (!fs::remove(file, ec)) return Error(res, 404, "no such file: " + directory + filename);
      res.status = 200;
      return;
    }
    Error(res, 400, "unknown request '" + request + "'");
  }

  void Routes() {
    server.set_default_headers({{"Server", options.server_header}});
    server.set_payload_max_length(options.max_upload_bytes + 1024);
    // Idle keep-alive connections hold a worker until this timeout, and Stop() waits for them.
    server.set_keep_alive_timeout(1);
    server.set_pre_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      if (options.latency.count() > 0) std::this_thread::sleep_for(options.latency);
      std::optional<Fault> fault = DrawFault();
      if (!fault) return httplib::Server::HandlerResponse::Unhandled;
      std::lock_guard lock(mu);
      if (*fault == Fault::k503) {
        ++stats.injected_503;
        Error(res, 503, "injected fault: service unavailable");
      } else if (*fault == Fault::k401) {
        ++stats.unauthorized;
        Error(res, 401, "injected fault: token expired");
      } else if (*fault == Fault::kDropAfter) {
        ++stats.injected_drops;
        res.set_header("X-Sandbox-Drop", "after");  // seen by the post-routing handler
        return httplib::Server::HandlerResponse::Unhandled;
      } else {
        ++stats.injected_drops;
        // Promise 64 bytes and write none: the client sees the connection close mid-response.
        res.status = 200;
        res.set_content_provider(64, "application/json",
                                 [](size_t, size_t, httplib::DataSink&) { return false; });
      }
      return httplib::Server::HandlerResponse::Handled;
    });
    // Fault::kDropAfter: the request was handled; now its response is lost on the way.
    auto drop_after = [](httplib::Response& res) {
      if (!res.has_header("X-Sandbox-Drop")) return;
      res.status = 200;
      res.body.clear();
      res.set_content_provider(64, "application/json",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
    };
    server.Post("/api/authentication",
                [this, drop_after](const httplib::Request& req, httplib::Response& res) {
                  Authenticate(req, res);
                  drop_after(res);
                });
    server.Get("/api/connections", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorized(req)) return Error(res, 401, "missing or expired token");
      Page(req, res, Connections());
    });
    server.Get(R"(/api/connections/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (!Authorized(req)) return Error(res, 401, "missing or expired token");
                 for (const auto& c : Connections()) {
                   if (c["id"] == req.matches[1].str()) return Json(res, 200, c);
                 }
                 Error(res, 404, "connection not found");
               });
    server.Get("/api/actions", [this](const httplib::Request& req, httplib::Response& res) {
      if (!Authorized(req)) return Error(res, 401, "missing or expired token");
      Page(req, res, Actions());
    });
    server.Post(R"(/api/actions/([^/]+)/run)",
                [this, drop_after](const httplib::Request& req, httplib::Response& res) {
                  if (!Authorized(req)) return Error(res, 401, "missing or expired token");
                  RunAction(req.matches[1].str(), res);
                  drop_after(res);
                });
    server.Post("/server", [this, drop_after](const httplib::Request& req, httplib::Response& res) {
      ServerCommand(req, res);
      drop_after(res);
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        res.set_content(json{{"message", fmt::format("HTTP {}", res.status)}}.dump(),
                        "application/json");
      }
    });
  }
};

CleoSandbox::CleoSandbox(CleoSandboxOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

CleoSandbox::~CleoSandbox() { Stop(); }

Status CleoSandbox::Start() {
  auto& o = impl_->options;
  for (const auto& m : o.seed.mailboxes) {
    for (const char* sub : {"inbox", "outbox", "outbox/payload", "sentbox", "receivedbox"}) {
      RETURN_IF_ERROR(RealFileSystem().CreateDirs(o.root / m.name / sub));
    }
    impl_->basic_to_mailbox["Basic " + Base64(m.name + ":" + m.password)] = m.name;
  }
  impl_->Routes();
  if (o.port == 0) {
    port_ = impl_->server.bind_to_any_port(o.host);
  } else {
    port_ = impl_->server.bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (port_ <= 0) return UnavailableError("cleo sandbox: cannot bind {}:{}", o.host, o.port);
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // httplib's stop() does nothing before the accept loop runs: wait for it, so that a Stop()
  // right after Start() cannot leave the thread listening forever.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void CleoSandbox::Stop() {
  if (impl_->thread.joinable()) {
    impl_->server.stop();
    impl_->thread.join();
  }
}

std::string CleoSandbox::base_url() const {
  return fmt::format("http://{}:{}", impl_->options.host, port_);
}

fs::path CleoSandbox::MailboxDir(const std::string& mailbox) const {
  return impl_->Mailbox(mailbox);
}

void CleoSandbox::FailNext(int count, Fault fault) {
  std::lock_guard lock(impl_->mu);
  for (int i = 0; i < count; ++i) impl_->scripted.push_back(fault);
}

void CleoSandbox::ExpireAllTokens() {
  std::lock_guard lock(impl_->mu);
  for (auto& [token, expiry] : impl_->tokens) expiry = std::chrono::steady_clock::now();
}

SandboxStats CleoSandbox::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace mlc::sandbox::cleo
