#include "common/log.h"

#include <spdlog/common.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/redact.h"

namespace mlc {
namespace {

// The fields of the Log() call running on this thread. The logger is synchronous, so the
// formatter runs on the same thread, inside that call; direct spdlog calls see none.
thread_local const LogFields* current_fields = nullptr;

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "TRACE";
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO";
    case spdlog::level::warn:
      return "WARN";
    case spdlog::level::err:
      return "ERROR";
    case spdlog::level::critical:
      return "CRITICAL";
    default:
      return "OFF";
  }
}

std::string Timestamp(spdlog::log_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  tm utc{};
  gmtime_r(&secs, &utc);
  char buf[96];  // room for any int the compiler can imagine, so no truncation warning
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buf;
}

// Escapes newlines and other control characters so one event stays one line.
void AppendEscaped(std::string& out, std::string_view s, bool quote) {
  if (quote) out += '"';
  for (char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
      case '\\':
        if (quote) out += '\\';
        out += c;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  if (quote) out += '"';
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

class RedactingFormatter final : public spdlog::formatter {
 public:
  explicit RedactingFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string message = Redact(std::string_view(msg.payload.data(), msg.payload.size()));
    const std::string line = format_ == LogFormat::kJson ? Json(msg, message) : Human(msg, message);
    // Once more over the whole line: a secret split across message and field, or one that only
    // appears after escaping, is caught here.
    const std::string redacted = Redact(line);
    dest.append(redacted.data(), redacted.data() + redacted.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<RedactingFormatter>(format_);
  }

 private:
  static std::string Human(const spdlog::details::log_msg& msg, const std::string& message) {
    std::string out = Timestamp(msg.time);
    out += ' ';
    out += LevelName(msg.level);
    out += ' ';
    AppendEscaped(out, message, false);
    if (current_fields != nullptr) {
      for (const LogField& f : *current_fields) {
        const std::string value = Redact(f.value);
        out += ' ';
        AppendEscaped(out, Redact(f.key), false);
        out += '=';
        AppendEscaped(out, value, NeedsQuotes(value));
      }
    }
    return out;
  }

  static std::string Json(const spdlog::details::log_msg& msg, const std::string& message) {
    nlohmann::ordered_json j;
    j["ts"] = Timestamp(msg.time);
    std::string level(LevelName(msg.level));
    for (char& c : level) c = static_cast<char>(c - 'A' + 'a');
    j["level"] = level;
    j["msg"] = message;
    if (current_fields != nullptr) {
      for (const LogField& f : *current_fields) {
        std::string key = Redact(f.key);
        if (key == "ts" || key == "level" || key == "msg") key.insert(0, "field_");
        j[key] = Redact(f.value);
      }
    }
    // Invalid UTF-8 is replaced (U+FFFD), never thrown.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  LogFormat format_;
};

}  // namespace

Status InitLogging(const LogOptions& options) {
  std::shared_ptr<spdlog::sinks::sink> sink = options.sink;
  if (!sink && !options.file.empty()) {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, /*truncate=*/false);
    } catch (const spdlog::spdlog_ex& e) {
      return InvalidArgumentError("opening log file '{}': {}", options.file, e.what());
    }
  }
  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("mlc", std::move(sink));
  logger->set_formatter(std::make_unique<RedactingFormatter>(options.format));
  logger->set_level(ToSpd(options.level));
  // Logs are quiet by design (STYLE.md), so flushing every line costs little and loses nothing
  // when the process is killed.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return Status();
}

Result<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "trace") return LogLevel::kTrace;
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  if (name == "off") return LogLevel::kOff;
  return InvalidArgumentError("log level '{}' is not one of trace, debug, info, warn, error, off",
                              name);
}

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "human") return LogFormat::kHuman;
  if (name == "json") return LogFormat::kJson;
  return InvalidArgumentError("log format '{}' is not one of human, json", name);
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  const auto spd_level = ToSpd(level);
  if (level == LogLevel::kOff || !logger->should_log(spd_level)) return;
  const LogFields* saved = current_fields;
  current_fields = &fields;
  logger->log(spd_level, spdlog::string_view_t(message.data(), message.size()));
  current_fields = saved;
}

}  // namespace mlc
