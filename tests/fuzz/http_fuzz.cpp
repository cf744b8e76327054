// libFuzzer target over the status server's request handling: the bytes
// are one HTTP request (or a few, kept alive) fed to cpp-httplib's server
// with the /snapshots routes and the bearer-token checks installed
// (http/snapshot_api), and stand-ins for the signal topic and the status.
// A change is only ever sent with the right token, with a valid id and
// valid patterns; nothing crashes.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <httplib.h>

#include "http/snapshot_api.hpp"

namespace {

// The request bytes in, the response bytes discarded.
class fuzzed_stream : public httplib::Stream {
public:
  fuzzed_stream(const uint8_t* data, size_t size) : data_(data), size_(size) {
  }
  bool is_readable() const override {
    return true;
  }
  bool is_writable() const override {
    return true;
  }
  ssize_t read(char* ptr, size_t size) override {
    size = std::min(size, size_ - at_);
    std::memcpy(ptr, data_ + at_, size);
    at_ += size;
    return static_cast<ssize_t>(size);
  }
  ssize_t write(const char*, size_t size) override {
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8585;
  }
  socket_t socket() const override {
    return 0;
  }

private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

class fuzzed_server : public httplib::Server {
public:
  void serve(httplib::Stream& stream) {
    bool closed = false;
    process_request(stream, true, closed, nullptr);
  }
};

const std::string token = "s3cret-token";

fuzzed_server& server() {
  static fuzzed_server* s = [] {
    auto s = new fuzzed_server;
    b2k::http::access_policy policy;
    policy.token = token;
    policy.protect_reads = true;
    b2k::http::snapshot_control control;
    control.send = [](const b2k::snapshot_signal& sig) {
      // Only what the signal parser itself would accept goes out.
      b2k::snapshot_signal back;
      std::string why;
      if (!b2k::parse_signal(b2k::to_json(sig), back, why))
        std::abort();
      return std::string{};
    };
    control.list = [] { return std::string{"{\"running\":false}"}; };
    control.state_of = [](const std::string& id) {
      return id == "s-1" ? std::string{"running"} : std::string{};
    };
    b2k::http::install_snapshot_api(*s, policy, control);
    s->Get("/status.json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("{}", "application/json");
    });
    return s;
  }();
  return *s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzzed_stream stream{data, size};
  server().serve(stream);
  // The token check alone: only "Bearer TOKEN" (any case of the scheme)
  // passes.
  std::string header{reinterpret_cast<const char*>(data),
                     std::min<size_t>(size, 64)};
  b2k::http::access_policy policy{token, true};
  if (b2k::http::check_access(policy, header, true).code == 0) {
    std::string scheme = header.substr(0, 7);
    for (auto& c : scheme)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer " || header.substr(7) != token)
      std::abort();
  }
  return 0;
}
