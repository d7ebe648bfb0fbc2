#include "common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace mlc {

std::string FormatEta(std::chrono::seconds s) {
  const int64_t v = std::max<int64_t>(0, s.count());
  if (v < 60) return fmt::format("{}s", v);
  if (v < 3600) return fmt::format("{}m{:02}s", v / 60, v % 60);
  return fmt::format("{}h{:02}m", v / 3600, (v % 3600) / 60);
}

std::string FormatProgress(const ProgressState& s, size_t width) {
  const double secs = static_cast<double>(s.elapsed.count()) / 1000.0;
  const double rate = secs > 0 ? static_cast<double>(s.done) / secs : 0.0;
  std::string tail;
  if (s.total) {
    const int64_t total = *s.total;
    const int pct =
        total > 0 ? static_cast<int>(std::min<int64_t>(100, s.done * 100 / total)) : 100;
    tail = fmt::format("  {}/{}  {}%  {:.1f}/s", s.done, total, pct, rate);
    if (s.done >= total) {
      tail += "  done";
    } else if (rate > 0) {
      const auto eta = static_cast<int64_t>(static_cast<double>(total - s.done) / rate + 0.5);
      tail += "  ETA " + FormatEta(std::chrono::seconds(eta));
    } else {
      tail += "  ETA ?";
    }
  } else {
    tail = fmt::format("  {}  {:.1f}/s", s.done, rate);
  }
  std::string label = s.label;
  std::string bar;
  if (s.total) {
    constexpr size_t kBar = 20;
    const int64_t total = *s.total;
    const size_t filled = total > 0 ? static_cast<size_t>(std::min<int64_t>(
                                          kBar, s.done * static_cast<int64_t>(kBar) / total))
                                    : kBar;
    bar = " [" + std::string(filled, '#') + std::string(kBar - filled, '-') + "]";
  }
  // Shorten the label, then drop the bar, to fit the width.
  if (label.size() + bar.size() + tail.size() > width) {
    const size_t room = width > bar.size() + tail.size() ? width - bar.size() - tail.size() : 0;
    if (room >= 4) {
      label = label.substr(0, room - 3) + "...";
    } else {
      bar.clear();
      const size_t r2 = width > tail.size() ? width - tail.size() : 0;
      label = label.substr(0, r2);
    }
  }
  return label + bar + tail;
}

TerminalProgress::TerminalProgress(std::FILE* out, const Clock& clock, bool force,
                                   std::chrono::milliseconds min_interval)
    : out_(out),
      clock_(clock),
      enabled_(out != nullptr && (force || isatty(fileno(out)) == 1)),
      min_interval_(min_interval) {}

void TerminalProgress::Update(std::string_view label, int64_t done, std::optional<int64_t> total) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  const auto now = clock_.Steady();
  if (!active_ || label != state_.label) {
    if (active_) std::fputc('\n', out_);  // the previous phase keeps its last line
    active_ = true;
    state_.label = std::string(label);
    started_ = now;
    last_draw_ = {};
  }
  state_.done = done;
  state_.total = total;
  state_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_);
  Draw(false);
}

void TerminalProgress::Finish() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  if (!active_) return;
  Draw(true);
  std::fputc('\n', out_);
  std::fflush(out_);
  active_ = false;
}

void TerminalProgress::Draw(bool force) {
  const auto now = clock_.Steady();
  if (!force && last_draw_ != std::chrono::steady_clock::time_point{} &&
      now - last_draw_ < min_interval_) {
    return;
  }
  last_draw_ = now;
  // \r back to column 0, the line, then clear to the end of the line (a shorter redraw).
  std::fprintf(out_, "\r%s\x1b[K", FormatProgress(state_, 79).c_str());
  std::fflush(out_);
}

}  // namespace mlc
