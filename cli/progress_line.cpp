#include "cli/progress_line.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace b2k::cli {

namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(250);
constexpr auto rate_window = std::chrono::seconds(2);

} // namespace

uint64_t file_sizes(const std::vector<std::string>& paths) {
  uint64_t sum = 0;
  for (auto& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
      sum += static_cast<uint64_t>(st.st_size);
  }
  return sum;
}

std::string with_commas(uint64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

progress_line::progress_line(std::string label, std::string unit, bool enabled,
                             std::FILE* out)
  : label_(std::move(label)),
    unit_(std::move(unit)),
    enabled_(enabled),
    out_(out),
    started_(clock::now()),
    last_draw_(started_),
    rate_at_(started_) {
}

bool progress_line::default_enabled() {
  return isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 0;
}

std::string progress_line::text(uint64_t items, uint64_t done,
                                clock::time_point now, bool final) const {
  auto secs = std::chrono::duration<double>(now - started_).count();
  std::string line = label_ + ": " + with_commas(items) + " " + unit_;
  double rate = final ? (secs > 0 ? static_cast<double>(items) / secs : 0)
                      : rate_;
  char buf[64];
  if (final) {
    std::snprintf(buf, sizeof buf, " in %.1f s", secs);
    line += buf;
  }
  if (rate > 0 || final)
    line += " (" + with_commas(static_cast<uint64_t>(rate + 0.5)) + " " + unit_
            + "/s)";
  if (total_ > 0) {
    auto part = done >= total_
                  ? 1.0
                  : static_cast<double>(done) / static_cast<double>(total_);
    std::snprintf(buf, sizeof buf, ", %d%%", static_cast<int>(part * 100));
    line += buf;
    if (!final && part > 0.01 && part < 1.0 && secs >= 1.0) {
      // From the average pace so far: steadier than the recent rate.
      auto left = secs / part - secs;
      std::snprintf(buf, sizeof buf, ", %.0f s left", left);
      line += buf;
    }
  }
  return line;
}

void progress_line::update_at(uint64_t items, uint64_t done,
                              clock::time_point now) {
  if (!enabled_ || now - last_draw_ < redraw_interval)
    return;
  auto since = std::chrono::duration<double>(now - rate_at_).count();
  if (since > 0 && items >= rate_items_) {
    auto recent = static_cast<double>(items - rate_items_) / since;
    rate_ = rate_ == 0 ? recent : (rate_ + recent) / 2;
  }
  if (now - rate_at_ >= rate_window || rate_ == 0) {
    rate_at_ = now;
    rate_items_ = items;
  }
  last_draw_ = now;
  drawn_ = true;
  // \r and "erase to the end of the line": a shorter line leaves no rest.
  std::fprintf(out_, "\r%s\x1b[K", text(items, done, now, false).c_str());
  std::fflush(out_);
}

void progress_line::finish(uint64_t items, uint64_t done) {
  finish_at(items, done, clock::now());
}

void progress_line::finish_at(uint64_t items, uint64_t done,
                              clock::time_point now) {
  if (!enabled_)
    return;
  std::fprintf(out_, "\r%s\x1b[K\n", text(items, done, now, true).c_str());
  std::fflush(out_);
  enabled_ = false;
}

void progress_line::clear() {
  if (!enabled_ || !drawn_)
    return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

} // namespace b2k::cli
