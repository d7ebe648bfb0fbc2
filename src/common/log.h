// Logging: spdlog with one redacting formatter, human or JSON-lines output.
//
//   InitLogging({.format = LogFormat::kJson, .level = LogLevel::kInfo});
//   LogInfo("flow run finished", {{"flow", "po_outbound"}, {"sent", 12}});
//
// human: 2026-01-02T03:04:05.123Z INFO flow run finished flow=po_outbound sent=12
// json:  {"ts":"2026-01-02T03:04:05.123Z","level":"info","msg":"flow run finished",
//         "flow":"po_outbound","sent":"12"}
//
// EVERY line passes through Redact(): the formatter installed by InitLogging redacts the
// message, each field key and value, and the finished line, so direct spdlog::info(...) calls
// are redacted as well. Human values that are empty or hold spaces, quotes, '=' or control
// characters are quoted with backslash escapes (logfmt style), so one event is one line.
// JSON field values are strings; a field named ts, level or msg becomes field_ts etc.
//
// Ownership and thread safety: InitLogging replaces spdlog's default logger; call it at start-up
// before other threads log (tests may call it again). The Log* functions and spdlog's own may be
// called from any thread. Before InitLogging, spdlog's unredacted default logger is in place.
#pragma once

#include <spdlog/sinks/sink.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"

namespace mlc {

enum class LogFormat { kHuman, kJson };
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

struct LogOptions {
  LogFormat format = LogFormat::kHuman;
  LogLevel level = LogLevel::kInfo;
  // Appends to this file; empty = stderr.
  std::string file;
  // When set, replaces file/stderr (tests capture output with an ostream_sink).
  std::shared_ptr<spdlog::sinks::sink> sink;
};

// Installs the default logger. Errors: INVALID_ARGUMENT if the log file cannot be opened.
Status InitLogging(const LogOptions& options);

// "trace", "debug", "info", "warn" (or "warning"), "error", "off"; INVALID_ARGUMENT otherwise.
Result<LogLevel> ParseLogLevel(std::string_view name);
// "human" or "json"; INVALID_ARGUMENT otherwise.
Result<LogFormat> ParseLogFormat(std::string_view name);

// One key=value field. Values are strings or integers (money is never logged: STYLE.md).
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  template <typename T,
            typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
  LogField(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}

  std::string key;
  std::string value;
};
using LogFields = std::vector<LogField>;

// Logs `message` with `fields` at `level` through the default logger.
void Log(LogLevel level, std::string_view message, const LogFields& fields = {});
inline void LogDebug(std::string_view m, const LogFields& f = {}) { Log(LogLevel::kDebug, m, f); }
inline void LogInfo(std::string_view m, const LogFields& f = {}) { Log(LogLevel::kInfo, m, f); }
inline void LogWarn(std::string_view m, const LogFields& f = {}) { Log(LogLevel::kWarn, m, f); }
inline void LogError(std::string_view m, const LogFields& f = {}) { Log(LogLevel::kError, m, f); }

}  // namespace mlc
