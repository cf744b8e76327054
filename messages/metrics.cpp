#include "messages/metrics.hpp"

namespace b2k {

const char* to_string(pipeline_state x) {
  switch (x) {
    case pipeline_state::starting:
      return "starting";
    case pipeline_state::standby:
      return "standby";
    case pipeline_state::running:
      return "running";
    case pipeline_state::reconnecting:
      return "reconnecting";
    case pipeline_state::stopping:
      return "stopping";
    case pipeline_state::failed:
      return "failed";
  }
  return "unknown";
}

} // namespace b2k
