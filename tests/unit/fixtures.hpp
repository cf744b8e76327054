#pragma once

// Shared test fixtures: a deterministic actor system with our message types,
// settings for tests, and what mock actors use to fail on a message the test
// did not expect.

#include <memory>

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
  change(s);
  return std::make_shared<const settings>(std::move(s));
}

inline settings_ptr make_settings() {
  return make_settings([](settings&) {});
}

} // namespace b2k::test

/// In a mock's handler that the test must not reach: fails the test (without
/// throwing from inside the actor) and names the message.
#define B2K_UNEXPECTED(what) CAF_ERROR("unexpected message: " << what)
