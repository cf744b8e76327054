#pragma once

// A progress line for long work on the command line (`dump` of large files,
// later `snapshot --wait`): items done, the rate and, when the total is
// known, the percent, redrawn in place on a terminal a few times a second.
// Off when stderr is not a terminal, so logs and pipes stay clean.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace b2k::cli {

class progress_line {
public:
  using clock = std::chrono::steady_clock;

  /// `label` starts the line ("dump"); `unit` names the items ("rows").
  /// Draws on `out` when `enabled`; default_enabled() says whether to.
  progress_line(std::string label, std::string unit, bool enabled,
                std::FILE* out = stderr);

  /// On when stderr is a terminal and stdout is not (records printed to
  /// the terminal show the progress themselves, and would break the line).
  static bool default_enabled();

  /// The amount of work in all (bytes of the files, rows of a table), for
  /// the percent; 0: unknown.
  void set_total(uint64_t total) {
    total_ = total;
  }

  /// `items` done so far and `done` of the total; redraws when the last
  /// draw is older than the redraw interval. Cheap enough to call per event.
  void update(uint64_t items, uint64_t done) {
    if (!enabled_ || (++calls_ & 255) != 0)
      return;
    update_at(items, done, clock::now());
  }

  /// The same with the time given (tests, and callers that have it).
  void update_at(uint64_t items, uint64_t done, clock::time_point now);

  /// Ends the line with a summary and a newline (when anything is shown).
  void finish(uint64_t items, uint64_t done);
  void finish_at(uint64_t items, uint64_t done, clock::time_point now);

  /// Erases the line, e.g. before an error message.
  void clear();

  bool enabled() const {
    return enabled_;
  }

  /// The text of the line (without the carriage return), for tests.
  std::string text(uint64_t items, uint64_t done, clock::time_point now,
                   bool final) const;

private:
  std::string label_;
  std::string unit_;
  bool enabled_;
  std::FILE* out_;
  uint64_t total_ = 0;
  uint32_t calls_ = 0;
  bool drawn_ = false;
  clock::time_point started_;
  clock::time_point last_draw_;
  // The rate over the last few draws, not since the start: a slow start
  // (a cold cache) should not weigh on it for ever.
  clock::time_point rate_at_;
  uint64_t rate_items_ = 0;
  double rate_ = 0;
};

/// The sizes of the files together (those that cannot be read count 0).
uint64_t file_sizes(const std::vector<std::string>& paths);

/// 1234567 → "1,234,567".
std::string with_commas(uint64_t n);

} // namespace b2k::cli
