#pragma once

// The reader-node link between `binlog2kafka run` (reader-node set) and
// `binlog2kafka reader-node`: CAF's middleman, over CAF's OpenSSL module
// (certificates checked on both sides) unless node-tls is off.

#include <cstdint>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/actors.hpp"
#include "config/settings.hpp"

namespace b2k {

/// Loads the middleman into `cfg`, and with node-tls on the OpenSSL module
/// with node-tls-cert, -key and -ca as CAF's openssl.* settings, after
/// checking that they load: "" or one line naming the option and the cause
/// (a file missing or unreadable, OpenSSL's reason, a key that is not the
/// certificate's).
std::string load_node_link(caf::actor_system_config& cfg, const settings& s);

/// The middleman actor that connects over the link (TLS or plaintext).
caf::io::middleman_actor node_link(caf::actor_system& sys, const settings& s);

/// Publishes the reader node at `s.reader_node_listen`; the port bound.
caf::expected<uint16_t> publish_reader_node(const reader_node_actor& node,
                                            const settings& s);

/// What a failed connect over the link means, in words: with TLS, a link
/// closed during the handshake is the other side refusing our certificate
/// (or we its), or the two sides disagreeing on node-tls.
std::string describe_link_failure(caf::actor_system& sys, const settings& s,
                                  const caf::error& err);

/// True for a failed connect that retrying cannot fix (see above).
bool link_refused(const caf::error& err);

} // namespace b2k
