#include "actors/signals.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace b2k {

namespace {

// How long one ask waits for a first new signal, and how many it takes.
constexpr auto signal_wait = std::chrono::milliseconds(200);
constexpr size_t signals_per_ask = 100;

std::string line_of(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace

signal_actor::behavior_type
signals(signal_actor::stateful_pointer<signals_state> self,
        settings_ptr settings) {
  auto& st = self->state;
  st.topic = kafka::signal_topic_name(settings->name);
  st.reader = std::make_unique<kafka::signal_reader>(settings->kafka.brokers,
                                                     settings->kafka.properties,
                                                     st.topic);
  return {
    [self](atom::signals, int64_t from) -> caf::result<signal_batch> {
      auto& st = self->state;
      std::vector<kafka::raw_signal> raw;
      signal_batch out;
      if (auto err = st.reader->read(from, signals_per_ask, signal_wait, raw,
                                     out.next_offset)) {
        if (!st.failing)
          spdlog::warn("signals: {} (trying again every second)", line_of(err));
        st.failing = true;
        if (raw.empty())
          return err;
      } else if (st.failing) {
        spdlog::info("signals: reading {} again", st.topic);
        st.failing = false;
      }
      for (auto& r : raw) {
        if (r.null)
          continue; // nothing asked
        snapshot_signal s;
        std::string why;
        if (!parse_signal(r.value, s, why)) {
          spdlog::warn("signals: ignored the message at offset {} of {}: {}",
                       r.offset, st.topic, why);
          continue;
        }
        s.offset = r.offset;
        out.signals.push_back(std::move(s));
      }
      return out;
    },
  };
}

} // namespace b2k
