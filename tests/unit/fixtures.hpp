#pragma once

// Shared test fixtures: a deterministic actor system with our message types,
// settings for tests, and what mock actors use to fail on a message the test
// did not expect.

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include <caf/actor_system_config.hpp>
#include <caf/test/dsl.hpp>

#include "actors/actors.hpp"
#include "config/settings.hpp"
#include "messages/error.hpp"

namespace b2k::test {

struct test_config : caf::actor_system_config {
  test_config() {
    add_types(*this);
  }
};

using deterministic_fixture = test_coordinator_fixture<test_config>;

/// A position in file "binlog.000001" at `pos`, for readable tests.
inline binlog::position at(uint64_t pos, uint64_t skip_rows = 0) {
  binlog::position p;
  p.file = "binlog.000001";
  p.pos = pos;
  p.skip_rows = skip_rows;
  return p;
}

/// The defaults, changed by `change`, ready to hand to an actor.
template <class F>
settings_ptr make_settings(F change) {
  settings s;
  s.kafka.commit_topic = s.name + ".commits";
  // Tests that want a snapshot ask for one: it needs a server.
  s.snapshot.mode = snapshot_mode::never;
  change(s);
  return std::make_shared<const settings>(std::move(s));
}

inline settings_ptr make_settings() {
  return make_settings([](settings&) {});
}

/// A temporary file holding `text`; removed with the object.
struct temp_file {
  std::string path;
  explicit temp_file(const std::string& text) {
    char name[] = "/tmp/b2k-test-XXXXXX";
    int fd = mkstemp(name);
    CAF_REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream{path} << text;
  }
  ~temp_file() {
    std::remove(path.c_str());
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
};

} // namespace b2k::test

/// In a mock's handler that the test must not reach: fails the test (without
/// throwing from inside the actor) and names the message.
#define B2K_UNEXPECTED(what) CAF_ERROR("unexpected message: " << what)
