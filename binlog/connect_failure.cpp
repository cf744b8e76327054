#include "binlog/connect_failure.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace binlog {

namespace {

constexpr unsigned error_connection = 2002;   // CR_CONNECTION_ERROR
constexpr unsigned error_conn_host = 2003;    // CR_CONN_HOST_ERROR
constexpr unsigned error_unknown_host = 2005; // CR_UNKNOWN_HOST

/// The number in the message's last "(N)", or -1.
int system_error_of(std::string_view message) {
  auto close = message.rfind(')');
  if (close == std::string_view::npos)
    return -1;
  auto open = message.rfind('(', close);
  if (open == std::string_view::npos || close == open + 1)
    return -1;
  int result = 0;
  for (auto c : message.substr(open + 1, close - open - 1)) {
    if (c < '0' || c > '9')
      return -1;
    result = result * 10 + (c - '0');
  }
  return result;
}

/// One connect attempt to `ai` within `timeout`: its errno, 0 on success.
int try_connect(const addrinfo* ai, std::chrono::milliseconds timeout) {
  int fd = ::socket(ai->ai_family,
                    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
  if (fd < 0)
    return errno;
  int result = 0;
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    result = errno;
    if (result == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
      if (ready == 0) {
        result = ETIMEDOUT;
      } else {
        socklen_t len = sizeof(result);
        if (ready < 0
            || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &result, &len) != 0)
          result = errno;
      }
    }
  }
  ::close(fd);
  return result;
}

} // namespace

int probe_tcp(const std::string& host, unsigned port,
              std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0)
    return EHOSTUNREACH;
  int result = EHOSTUNREACH;
  for (auto ai = found; ai != nullptr; ai = ai->ai_next) {
    result = try_connect(ai, timeout);
    if (result == 0)
      break;
  }
  ::freeaddrinfo(found);
  return result;
}

std::string connect_failure_reason(unsigned code, std::string_view message,
                                   const std::string& host, unsigned port,
                                   std::chrono::milliseconds probe_timeout) {
  if (code == error_unknown_host)
    return "unknown host: the name in the source URL does not resolve";
  if (code != error_conn_host && code != error_connection)
    return {};
  auto endpoint = host + ":" + std::to_string(port);
  auto number = system_error_of(message);
  if (number == EINPROGRESS)
    number = probe_tcp(host, port, probe_timeout);
  switch (number) {
    case ECONNREFUSED:
      return "connection refused: nothing listens on " + endpoint
             + " (is the server running, and is the port right?)";
    case ETIMEDOUT:
      return "timed out: no answer from " + endpoint
             + " (is the host up? does a firewall drop the packets?)";
    case EHOSTUNREACH:
      return "no route to host " + endpoint;
    case ENETUNREACH:
      return "network unreachable on the way to " + endpoint;
    case ECONNRESET:
      return "the connection was reset by " + endpoint;
    case -1:
    case 0: // it answers now: the server may have been starting
      return {};
    default:
      return std::strerror(number);
  }
}

} // namespace binlog
