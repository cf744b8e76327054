// Micro benchmark of the binary JSON path: a typical ~200-byte document
// printed as a column value (the decoder's hot path), as plain text, only
// checked (what the decoder does per row before encoding), and patched by
// a PARTIAL_UPDATE_ROWS diff. Also counts heap allocations per document.
//
// Not built by default. Build against a release build of the library:
//   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build-rel b2k_binlog
//   g++ -std=c++17 -O2 -I. bench/json_binary_bench.cpp
//       build-rel/libb2k_binlog.a -o build-rel/json_binary_bench
//   build-rel/json_binary_bench

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>

#include <time.h>

#include "binlog/json_binary.hpp"
#include "binlog/json_diff.hpp"
#include "binlog/json_writer.hpp"
#include "tests/unit/binlog/json_encoder.hpp"

namespace {

std::atomic<uint64_t> allocations{0};

} // namespace

void* operator new(size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size))
    return p;
  throw std::bad_alloc{};
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace {

using namespace b2k::test;

// A row's document as applications store them: ids, names, flags, a
// number, a short array and a nested address.
bytes typical_document() {
  return doc(obj({
    {"id", {0x7, {0x39, 0x30, 0x00, 0x00}}}, // int32 12345
    {"tags", arr({str("new"), str("vip"), str("eu")})},
    {"email", str("alice@example.com")},
    {"score", dbl(87.5)},
    {"active", lit(1)},
    {"address", obj({{"zip", str("10115")},
                     {"city", str("Berlin")},
                     {"street", str("Unter den Linden 1")}})},
    {"created", str("2024-01-02 03:04:05")},
  }));
}

// CPU time of this thread: other work on the (shared) machine does not
// count, time slices taken away do not either.
double thread_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

template <class F>
double ns_per_call(uint64_t iterations, F&& f) {
  double start = thread_ns();
  for (uint64_t i = 0; i < iterations; ++i)
    f();
  return (thread_ns() - start) / static_cast<double>(iterations);
}

} // namespace

int main(int argc, char** argv) {
  uint64_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10)
                                 : 2000000;
  // Optionally only one case (its number), for profiling.
  int only = argc > 2 ? std::atoi(argv[2]) : -1;
  auto d = typical_document();
  std::string text;
  binlog::append_json_text(text, d.data(), d.size());
  std::printf("document: %zu bytes of binary JSON, %zu bytes of text\n%s\n",
              d.size(), text.size(), text.c_str());

  std::string out;
  out.reserve(4096);
  binlog::json_writer w{out};
  auto column = [&] {
    out.clear();
    binlog::write_json_binary(w, d.data(), d.size());
  };
  auto plain = [&] {
    text.clear();
    binlog::append_json_text(text, d.data(), d.size());
  };
  volatile bool sink = false;
  auto check = [&] { sink = binlog::check_json_binary(d.data(), d.size()); };

  // A REPLACE of $.score and an INSERT into $.tags, applied to the
  // document as the decoder does for a full before-image.
  bytes diff_list = {0, 7, '$', '.', 's', 'c', 'o', 'r', 'e', 9};
  auto value = doc(dbl(91.25));
  diff_list.insert(diff_list.end(), value.begin(), value.end());
  bytes insert = {1,   9,   '$', '.', 't',  'a',  'g', 's',
                  '[', '1', ']', 4,   0x0c, 0x02, 'u', 's'};
  diff_list.insert(diff_list.end(), insert.begin(), insert.end());
  binlog::json_patcher patcher;
  std::string patched;
  auto patch = [&] {
    patched.clear();
    if (patcher.apply(d.data(), d.size(), diff_list.data(), diff_list.size(),
                      patched))
      std::abort();
  };
  patch();
  std::string patched_text;
  binlog::append_json_text(patched_text,
                           reinterpret_cast<const uint8_t*>(patched.data()),
                           patched.size());
  std::printf("patched: %s\n\n", patched_text.c_str());

  struct {
    const char* name;
    std::function<void()> run;
  } cases[] = {
    {"column value (embedded string)", column},
    {"plain text", plain},
    {"check only", check},
    {"partial update (2 diffs applied)", patch},
  };
  int index = 0;
  for (auto& c : cases) {
    if (only >= 0 && index++ != only)
      continue;
    for (int i = 0; i < 1000; ++i) // warm up, grow the buffers
      c.run();
    auto before = allocations.load();
    double best = 1e30;
    for (int round = 0; round < 3; ++round)
      best = std::min(best, ns_per_call(iterations, c.run));
    double per_doc = static_cast<double>(allocations.load() - before)
                     / static_cast<double>(3 * iterations);
    std::printf("%-34s %8.1f ns/document  %6.1f MB/s in  %.3f allocations\n",
                c.name, best, static_cast<double>(d.size()) * 1e3 / best,
                per_doc);
  }
  return sink ? 0 : 1;
}
