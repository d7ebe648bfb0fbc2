#include "common/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace mlc {
namespace {

using std::chrono::milliseconds;

TEST(FormatProgressTest, BarCountPercentRateAndEta) {
  EXPECT_EQ(FormatProgress({.label = "po_outbound: polling",
                            .done = 412,
                            .total = 1000,
                            .elapsed = milliseconds(17500)}),
            "po_outbound: polling [########------------]  412/1000  41%  23.5/s  ETA 25s");
}

TEST(FormatProgressTest, UnknownTotalShowsCountAndRateOnly) {
  EXPECT_EQ(
      FormatProgress(
          {.label = "polling", .done = 30, .total = std::nullopt, .elapsed = milliseconds(2000)}),
      "polling  30  15.0/s");
}

TEST(FormatProgressTest, NoProgressYetHasUnknownEtaAndNoDivisionByZero) {
  EXPECT_EQ(FormatProgress({.label = "x", .done = 0, .total = 10, .elapsed = milliseconds(0)}),
            "x [--------------------]  0/10  0%  0.0/s  ETA ?");
}

TEST(FormatProgressTest, CompleteAndOvershootShowDone) {
  EXPECT_EQ(FormatProgress({.label = "x", .done = 12, .total = 10, .elapsed = milliseconds(1000)}),
            "x [####################]  12/10  100%  12.0/s  done");
  EXPECT_EQ(FormatProgress({.label = "x", .done = 0, .total = 0, .elapsed = milliseconds(1000)}),
            "x [####################]  0/0  100%  0.0/s  done");
}

TEST(FormatProgressTest, LongEtasAndNarrowWidths) {
  EXPECT_EQ(FormatEta(std::chrono::seconds(185)), "3m05s");
  EXPECT_EQ(FormatEta(std::chrono::seconds(3720)), "1h02m");
  EXPECT_EQ(FormatEta(std::chrono::seconds(-5)), "0s");
  const ProgressState s{.label = "a very long label that does not fit",
                        .done = 1,
                        .total = 3600,
                        .elapsed = milliseconds(1000)};
  const std::string line = FormatProgress(s, 60);
  EXPECT_LE(line.size(), 60u);
  EXPECT_EQ(line, "a v... [--------------------]  1/3600  0%  1.0/s  ETA 59m59s");
  const std::string tiny = FormatProgress(s, 40);
  EXPECT_LE(tiny.size(), 40u);
  EXPECT_EQ(tiny.find('['), std::string::npos);  // the bar goes first
}

TEST(TerminalProgressTest, SilentWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  FakeClock clock;
  TerminalProgress p(f, clock);  // a regular file is not a tty
  EXPECT_FALSE(p.enabled());
  p.Update("x", 1, 2);
  p.Finish();
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

TEST(TerminalProgressTest, ThrottlesRedrawsAndEndsTheLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  FakeClock clock;
  TerminalProgress p(f, clock, /*force=*/true, milliseconds(100));
  p.Update("sync", 0, 4);
  clock.Advance(milliseconds(50));
  p.Update("sync", 1, 4);  // within 100 ms: not drawn
  clock.Advance(milliseconds(950));
  p.Update("sync", 2, 4);
  p.Finish();
  std::rewind(f);
  std::string out(4096, '\0');
  out.resize(std::fread(out.data(), 1, out.size(), f));
  std::fclose(f);
  EXPECT_EQ(out,
            "\rsync [--------------------]  0/4  0%  0.0/s  ETA ?\x1b[K"
            "\rsync [##########----------]  2/4  50%  2.0/s  ETA 1s\x1b[K"
            "\rsync [##########----------]  2/4  50%  2.0/s  ETA 1s\x1b[K\n");
}

}  // namespace
}  // namespace mlc
