#include "actors/actors.hpp"

#include "messages/error.hpp"

namespace b2k {

void add_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::b2k>();
  cfg.add_message_types<caf::id_block::b2k_handles>();
  // sys.render(err) shows the error's own line where it has one.
  cfg.add_error_category(caf::atom("b2k"), [](uint8_t code, caf::atom_value,
                                              const caf::message& ctx) {
    if (ctx.match_elements<std::string>())
      return ctx.get_as<std::string>(0);
    return std::string{to_string(static_cast<ec>(code))};
  });
}

} // namespace b2k
