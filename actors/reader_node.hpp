#pragma once

#include <cstdint>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "actors/reader.hpp"

namespace b2k {

struct reader_node_state {
  static inline const char* name = "reader_node";

  /// This node's settings: the source's address and password stay here.
  settings_ptr settings;
  /// spawn_detached_reader but in tests.
  reader_factory spawn_reader;
  uint64_t launched = 0;
};

reader_node_actor::behavior_type
reader_node(reader_node_actor::stateful_pointer<reader_node_state> self,
            settings_ptr settings, reader_factory spawn_reader);

} // namespace b2k
