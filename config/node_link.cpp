#include "config/node_link.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/sec.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace b2k {

namespace {

// OpenSSL's reasons for the last failures, oldest first.
std::string openssl_reason() {
  std::string out;
  while (auto code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty())
      out += "; ";
    out += buf;
  }
  return out.empty() ? std::string{"unknown reason"} : out;
}

std::string unreadable(const std::string& option, const std::string& path) {
  std::ifstream in{path};
  if (in)
    return {};
  return "binlog2kafka." + option + ": cannot read '" + path
         + "': " + std::strerror(errno);
}

// Loads the files as CAF's OpenSSL module will, so that a bad one is one
// line here rather than an exception in CAF's network thread.
std::string check_files(const settings::node_tls_settings& tls) {
  struct option {
    const char* name;
    const std::string& path;
  };
  for (auto [name, path] :
       {option{"node-tls-cert", tls.cert}, option{"node-tls-key", tls.key},
        option{"node-tls-ca", tls.ca}}) {
    if (path.empty())
      return std::string{"binlog2kafka."} + name
             + ": missing: the reader-node link runs over TLS (node-tls = "
               "on) and needs node-tls-cert, node-tls-key and node-tls-ca "
               "on both sides; or set node-tls = off on both (plaintext, no "
               "authentication: a trusted network only)";
    if (auto problem = unreadable(name, path); !problem.empty())
      return problem;
  }
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx{SSL_CTX_new(TLS_method()),
                                                   SSL_CTX_free};
  if (!ctx)
    return "cannot create an OpenSSL context: " + openssl_reason();
  ERR_clear_error();
  // The key first: a certificate loaded after it that does not match
  // drops it, which check_private_key names.
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key.c_str(), SSL_FILETYPE_PEM)
      != 1)
    return "binlog2kafka.node-tls-key: '" + tls.key
           + "' is not an unencrypted PEM private key: " + openssl_reason();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert.c_str()) != 1)
    return "binlog2kafka.node-tls-cert: '" + tls.cert
           + "' is not a PEM certificate: " + openssl_reason();
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return "binlog2kafka.node-tls-key: '" + tls.key
           + "' is not the key of node-tls-cert '" + tls.cert
           + "': " + openssl_reason();
  if (SSL_CTX_load_verify_locations(ctx.get(), tls.ca.c_str(), nullptr) != 1)
    return "binlog2kafka.node-tls-ca: '" + tls.ca
           + "' holds no PEM CA certificate: " + openssl_reason();
  return {};
}

} // namespace

std::string load_node_link(caf::actor_system_config& cfg, const settings& s) {
  cfg.load<caf::io::middleman>();
  if (!s.node_tls.tls)
    return {};
  if (auto problem = check_files(s.node_tls); !problem.empty())
    return problem;
  // CAF's module asks for a valid certificate on both sides as soon as one
  // of these is set (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
  cfg.openssl_certificate = s.node_tls.cert;
  cfg.openssl_key = s.node_tls.key;
  cfg.openssl_cafile = s.node_tls.ca;
  cfg.load<caf::openssl::manager>();
  return {};
}

caf::io::middleman_actor node_link(caf::actor_system& sys, const settings& s) {
  if (s.node_tls.tls)
    return sys.openssl_manager().actor_handle();
  return sys.middleman().actor_handle();
}

caf::expected<uint16_t> publish_reader_node(const reader_node_actor& node,
                                            const settings& s) {
  auto& listen = s.reader_node_listen;
  if (s.node_tls.tls)
    return caf::openssl::publish(node, listen.port, listen.host.c_str(), true);
  return node.home_system().middleman().publish(node, listen.port,
                                                listen.host.c_str(), true);
}

bool link_refused(const caf::error& err) {
  return err == caf::sec::disconnect_during_handshake;
}

std::string describe_link_failure(caf::actor_system& sys, const settings& s,
                                  const caf::error& err) {
  auto where = s.reader_node.to_string();
  if (!link_refused(err))
    return "reader node " + where + " unreachable: " + sys.render(err);
  if (s.node_tls.tls)
    return "reader node " + where
           + " closed the link during the handshake: the TLS handshake "
             "failed (each side's certificate must be signed by the other "
             "side's node-tls-ca, here '"
           + s.node_tls.ca
           + "'), or the node runs with node-tls = off; both sides need "
             "node-tls = on";
  return "reader node " + where
         + " closed the link during the handshake: it runs with node-tls = "
           "on, and this side with node-tls = off; set node-tls = on and its "
           "certificates here too";
}

} // namespace b2k
