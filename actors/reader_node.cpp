#include "actors/reader_node.hpp"

#include <caf/actor_system.hpp>
#include <spdlog/spdlog.h>

#include "messages/error.hpp"

namespace b2k {

reader_node_actor::behavior_type
reader_node(reader_node_actor::stateful_pointer<reader_node_state> self,
            settings_ptr settings, reader_factory spawn_reader) {
  self->state.settings = std::move(settings);
  self->state.spawn_reader = std::move(spawn_reader);
  return {
    [self](atom::launch, const std::string& name, binlog::position& start,
           uint64_t epoch, watcher_actor& watcher, producer_actor& producer,
           status_actor& status) -> caf::result<reader_actor> {
      auto& st = self->state;
      // Two configs that disagree on the name would write one source's
      // rows under another's commit log.
      if (name != st.settings->name)
        return caf::make_error(ec::config,
                               "this reader node serves '" + st.settings->name
                                 + "', not '" + name
                                 + "': give both sides the same name");
      reader_config cfg;
      cfg.settings = st.settings;
      cfg.start = std::move(start);
      cfg.epoch = epoch;
      cfg.status = std::move(status);
      ++st.launched;
      spdlog::info("reader node: starting reader {} for '{}' at {}",
                   st.launched, name,
                   cfg.start.empty()
                     ? "the server's "
                         + std::string{to_string(st.settings->source.initial)}
                     : binlog::to_string(cfg.start));
      return st.spawn_reader(self->system(), cfg, std::move(watcher),
                             std::move(producer));
    },
  };
}

} // namespace b2k
