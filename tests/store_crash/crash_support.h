// Support shared by the store_crash and store_pg_concurrency suites: spawning the worker
// process (worker.cc) and reading its fake sink back.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "store/store.h"

extern char** environ;

namespace mlc::store::crash {

// Starts `path args...` with the current environment plus `extra_env` ("K=V"). Returns the pid,
// or -1.
inline pid_t Spawn(const std::string& path, const std::vector<std::string>& args,
                   const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (kv.rfind("MLC_CRASH_AT=", 0) == 0) continue;
    env_store.push_back(kv);
  }
  for (const auto& kv : extra_env) env_store.push_back(kv);
  std::vector<char*> envp;
  for (auto& kv : env_store) envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = {path};
  for (const auto& a : args) argv_store.push_back(a);
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
  return pid;
}

struct Exit {
  bool killed = false;  // by SIGKILL
  int code = -1;        // exit code when it exited
};

inline Exit Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  Exit e;
  if (WIFSIGNALED(status)) e.killed = WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
  return e;
}

struct SinkCounts {
  std::map<std::string, int> deliveries;  // key -> rows (must be 1)
  std::map<std::string, int> attempts;    // key -> tries
};

inline SinkCounts ReadSink(const std::string& path) {
  SinkCounts out;
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  auto read = [db](const char* sql, std::map<std::string, int>& into) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return;
    while (sqlite3_step(st) == SQLITE_ROW) {
      into[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
  };
  read("SELECT key, COUNT(*) FROM deliveries GROUP BY key", out.deliveries);
  read("SELECT key, n FROM attempts", out.attempts);
  sqlite3_close(db);
  return out;
}

// Inserts `n` documents (keys <prefix>-0 .. <prefix>-<n-1>) at step "deliver" in flow "crash"
// and sets the flow's cursor to the prefix.
inline Status SeedDocuments(Store& store, int n, const std::string& prefix = "doc") {
  IngestBatch b;
  b.flow = "crash";
  for (int i = 0; i < n; ++i) {
    NewDocument d;
    d.idempotency_key = prefix + "-" + std::to_string(i);
    d.type = "850";
    d.partner = "ACME";
    d.step = "deliver";
    d.payloads.push_back({"deliver", "input", "text/plain", "payload " + std::to_string(i)});
    b.documents.push_back(std::move(d));
  }
  b.cursor = prefix;
  return store.Ingest(b).status();
}

}  // namespace mlc::store::crash
