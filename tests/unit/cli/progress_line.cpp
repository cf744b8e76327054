#define CAF_SUITE cli.progress_line

#include "cli/progress_line.hpp"

#include <cstdio>
#include <string>

#include <caf/test/unit_test.hpp>

using namespace b2k::cli;
using namespace std::chrono_literals;

namespace {

// What was written to a temporary file.
std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    out.append(buf, n);
  return out;
}

} // namespace

CAF_TEST(thousands get commas) {
  CAF_CHECK_EQUAL(with_commas(0), "0");
  CAF_CHECK_EQUAL(with_commas(999), "999");
  CAF_CHECK_EQUAL(with_commas(1000), "1,000");
  CAF_CHECK_EQUAL(with_commas(1234567), "1,234,567");
}

CAF_TEST(a disabled line writes nothing) {
  auto f = std::tmpfile();
  progress_line p{"dump", "rows", false, f};
  p.set_total(100);
  auto t = progress_line::clock::now();
  p.update_at(10, 10, t + 1s);
  p.clear();
  p.finish_at(100, 100, t + 2s);
  CAF_CHECK_EQUAL(contents(f), "");
  std::fclose(f);
}

CAF_TEST(the line is redrawn in place at most four times a second) {
  auto f = std::tmpfile();
  progress_line p{"dump", "rows", true, f};
  p.set_total(1000);
  auto t0 = progress_line::clock::now();
  p.update_at(100, 100, t0 + 100ms); // too soon after the start
  CAF_CHECK_EQUAL(contents(f), "");
  p.update_at(500, 250, t0 + 1s);
  auto first = contents(f);
  // 500 rows in 1 s, a quarter of the total, 3 s to go at that pace.
  CAF_CHECK_EQUAL(first, "\rdump: 500 rows (500 rows/s), 25%, 3 s left\x1b[K");
  p.update_at(600, 300, t0 + 1100ms); // too soon after the last draw
  CAF_CHECK_EQUAL(contents(f), first);
  p.update_at(1500, 500, t0 + 2s);
  auto second = contents(f).substr(first.size());
  CAF_CHECK(second.rfind("\rdump: 1,500 rows (", 0) == 0);
  CAF_CHECK(second.find("rows/s), 50%, 2 s left\x1b[K") != std::string::npos);
  p.finish_at(3000, 1000, t0 + 4s);
  auto last = contents(f).substr(first.size() + second.size());
  CAF_CHECK_EQUAL(last,
                  "\rdump: 3,000 rows in 4.0 s (750 rows/s), 100%\x1b[K\n");
  // Finished: nothing more.
  p.update_at(4000, 1000, t0 + 10s);
  CAF_CHECK_EQUAL(contents(f).size(),
                  first.size() + second.size() + last.size());
  std::fclose(f);
}

CAF_TEST(without a total there is no percent and clear erases the line) {
  auto f = std::tmpfile();
  progress_line p{"snapshot", "rows", true, f};
  auto t0 = progress_line::clock::now();
  p.update_at(2000, 0, t0 + 2s);
  CAF_CHECK_EQUAL(contents(f), "\rsnapshot: 2,000 rows (1,000 rows/s)\x1b[K");
  p.clear();
  CAF_CHECK_EQUAL(contents(f),
                  "\rsnapshot: 2,000 rows (1,000 rows/s)\x1b[K\r\x1b[K");
  std::fclose(f);
}
