#pragma once

// Shared test fixtures: a deterministic actor system with our message types.

#include <caf/actor_system_config.hpp>
#include <caf/test/dsl.hpp>

#include "actors/actors.hpp"
#include "messages/error.hpp"
#include "messages/type_ids.hpp"

namespace b2k::test {

struct test_config : caf::actor_system_config {
  test_config() {
    add_message_types<caf::id_block::b2k>();
    add_message_types<caf::id_block::b2k_handles>();
    add_error_category(caf::atom("b2k"),
                       [](uint8_t code, caf::atom_value, const caf::message&) {
                         return std::string{
                           to_string(static_cast<ec>(code))};
                       });
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

} // namespace b2k::test
