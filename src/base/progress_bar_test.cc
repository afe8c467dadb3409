#include "base/progress_bar.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

namespace t2sql {
namespace {

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(ProgressBarTest, PlainStyleWritesFewWholeLines) {
  std::ostringstream out;
  {
    ProgressBar bar(
        {.total = 100, .label = "eval", .unit = "q", .style = ProgressOptions::Style::kPlain, .plain_interval_s = 1000},
        out);
    for (int i = 0; i < 100; ++i) bar.advance();
    bar.finish();
  }
  std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  // Quarters 1..3 and the final line; never one line per item.
  EXPECT_EQ(count_lines(text), 4) << text;
  EXPECT_NE(text.find("eval 100/100 (100%)"), std::string::npos) << text;
  EXPECT_NE(text.find("q/s"), std::string::npos);
  EXPECT_NE(text.find("elapsed"), std::string::npos);
}

TEST(ProgressBarTest, TerminalStyleRedrawsInPlaceWithBarAndTimeLeft) {
  std::ostringstream out;
  ProgressBar bar({.total = 10, .label = "train", .style = ProgressOptions::Style::kTerminal}, out);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bar.advance(4);
  std::string line = bar.render();
  EXPECT_NE(line.find("[###########"), std::string::npos) << line;
  EXPECT_NE(line.find("4/10 (40%)"), std::string::npos) << line;
  EXPECT_NE(line.find("left"), std::string::npos) << line;
  EXPECT_GE(bar.eta_seconds(), 0);
  bar.finish();
  EXPECT_EQ(out.str().front(), '\r');
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(ProgressBarTest, UnknownTotalHasNoPercentage) {
  std::ostringstream out;
  ProgressBar bar({.total = 0, .label = "index", .style = ProgressOptions::Style::kPlain}, out);
  bar.advance(7, "tables");
  EXPECT_EQ(bar.render().find('%'), std::string::npos);
  EXPECT_NE(bar.render().find("index 7 "), std::string::npos);
  EXPECT_NE(bar.render().find("tables"), std::string::npos);
  EXPECT_LT(bar.eta_seconds(), 0);
}

TEST(ProgressBarTest, ConcurrentAdvanceCountsEveryItem) {
  std::ostringstream out;
  ProgressBar bar({.total = 4000, .label = "", .style = ProgressOptions::Style::kSilent}, out);
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) bar.advance();
    });
  }
  for (auto& w : workers) w.join();
  bar.finish();
  EXPECT_EQ(bar.done(), 4000);
  EXPECT_TRUE(out.str().empty());
}

TEST(ProgressBarTest, FormatsDurations) {
  EXPECT_EQ(ProgressBar::format_duration(0), "0:00");
  EXPECT_EQ(ProgressBar::format_duration(75), "1:15");
  EXPECT_EQ(ProgressBar::format_duration(3723), "1:02:03");
  EXPECT_EQ(ProgressBar::format_duration(-1), "?");
}

TEST(ProgressBarTest, FormatsMemoryInMiB) {
  EXPECT_EQ(ProgressBar::format_mib(0), "0.0 MiB");
  EXPECT_EQ(ProgressBar::format_mib(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
}

}  // namespace
}  // namespace t2sql
