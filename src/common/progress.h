// Progress reporting for long work (a first sync, a backfill of many POs) when a person watches
// a terminal: a one-line bar with count, rate and ETA, redrawn in place.
//
//   FormatProgress({.label = "po_outbound: polling", .done = 412, .total = 1000,
//                   .elapsed = 17.5s}, 80)
//   -> "po_outbound: polling [#########-----------]  412/1000  41%  23.5/s  ETA 25s"
// Without a total (the size of a SuiteQL keyset poll is unknown) it shows the count and the rate.
//
// TerminalProgress draws such lines on a stream only when that stream is a terminal (isatty):
// piped output, logs and --json stay clean. It redraws at most every `min_interval` and ends the
// line on Finish(). FormatProgress is pure; TerminalProgress's clock is a parameter for tests.
//
// Thread safety: FormatProgress is pure. TerminalProgress::Update/Finish lock; several threads
// may report, lines from them overwrite each other (one bar at a time is the intended use).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace mlc {

struct ProgressState {
  std::string label;
  int64_t done = 0;
  std::optional<int64_t> total;          // unknown: no bar, no ETA
  std::chrono::milliseconds elapsed{0};  // since the work started
};

// One line, at most `width` columns (the label is shortened when needed). Rate is done/elapsed;
// ETA is (total - done) / rate, shown as "ETA 25s", "ETA 3m05s", "ETA 1h02m", or "ETA ?" before
// any progress. A done count above the total is shown as is with a full bar.
std::string FormatProgress(const ProgressState& s, size_t width = 80);

// "25s", "3m05s", "1h02m".
std::string FormatEta(std::chrono::seconds s);

class TerminalProgress {
 public:
  // Draws on `out` when `force` or isatty(fileno(out)); otherwise every call is a no-op.
  explicit TerminalProgress(
      std::FILE* out, const Clock& clock = SystemClock::Get(), bool force = false,
      std::chrono::milliseconds min_interval = std::chrono::milliseconds(100));
  bool enabled() const { return enabled_; }

  // Reports progress of `label`; a new label restarts the rate's clock (a new phase).
  void Update(std::string_view label, int64_t done, std::optional<int64_t> total);
  // Draws the final state of the current phase and ends its line. No-op without a phase.
  void Finish();

 private:
  void Draw(bool force);

  std::FILE* out_;
  const Clock& clock_;
  bool enabled_;
  std::chrono::milliseconds min_interval_;
  std::mutex mu_;
  ProgressState state_;
  bool active_ = false;
  std::chrono::steady_clock::time_point started_, last_draw_;
};

}  // namespace mlc
