#include "config/modes.hpp"

#include <array>
#include <string>
#include <utility>

namespace b2k {

namespace {

template <class Mode, size_t N>
using names = std::array<std::pair<Mode, std::string_view>, N>;

constexpr names<initial_position, 2> initial_names{{
  {initial_position::end, "end"},
  {initial_position::start, "start"},
}};

constexpr names<delivery_mode, 2> delivery_names{{
  {delivery_mode::at_least_once, "at-least-once"},
  {delivery_mode::exactly_once, "exactly-once"},
}};

constexpr names<resume_mode, 3> resume_names{{
  {resume_mode::automatic, "auto"},
  {resume_mode::position, "position"},
  {resume_mode::gtid, "gtid"},
}};

constexpr names<tls_mode, 4> tls_names{{
  {tls_mode::off, "off"},
  {tls_mode::required, "required"},
  {tls_mode::verify_ca, "verify-ca"},
  {tls_mode::verify_identity, "verify-identity"},
}};

template <class Table, class Mode>
std::string_view name_of(const Table& table, Mode x) {
  for (auto& [mode, name] : table)
    if (mode == x)
      return name;
  return "?";
}

template <class Table>
auto mode_of(const Table& table, std::string_view text)
  -> std::optional<typename Table::value_type::first_type> {
  for (auto& [mode, name] : table)
    if (name == text)
      return mode;
  return std::nullopt;
}

/// "a, b or c"
template <class Table>
std::string choices(const Table& table) {
  std::string result;
  for (size_t i = 0; i < table.size(); ++i) {
    if (i > 0)
      result += i + 1 == table.size() ? " or " : ", ";
    result += table[i].second;
  }
  return result;
}

constexpr names<snapshot_mode, 4> snapshot_names{{
  {snapshot_mode::initial, "initial"},
  {snapshot_mode::never, "never"},
  {snapshot_mode::initial_only, "initial-only"},
  {snapshot_mode::when_needed, "when-needed"},
}};

constexpr names<oversize_mode, 3> oversize_names{{
  {oversize_mode::fail, "fail"},
  {oversize_mode::dead_letter, "dead-letter"},
  {oversize_mode::truncate_columns, "truncate-columns"},
}};

} // namespace

std::string_view to_string(oversize_mode x) {
  return name_of(oversize_names, x);
}

std::optional<oversize_mode> parse_oversize_mode(std::string_view text) {
  return mode_of(oversize_names, text);
}

template <>
std::string mode_choices<oversize_mode>() {
  return choices(oversize_names);
}

std::string_view to_string(snapshot_mode x) {
  return name_of(snapshot_names, x);
}

std::optional<snapshot_mode> parse_snapshot_mode(std::string_view text) {
  return mode_of(snapshot_names, text);
}

template <>
std::string mode_choices<snapshot_mode>() {
  return choices(snapshot_names);
}

std::string_view to_string(initial_position x) {
  return name_of(initial_names, x);
}

std::string_view to_string(delivery_mode x) {
  return name_of(delivery_names, x);
}

std::string_view to_string(resume_mode x) {
  return name_of(resume_names, x);
}

std::string_view to_string(tls_mode x) {
  return name_of(tls_names, x);
}

std::optional<initial_position> parse_initial_position(std::string_view text) {
  return mode_of(initial_names, text);
}

std::optional<delivery_mode> parse_delivery_mode(std::string_view text) {
  return mode_of(delivery_names, text);
}

std::optional<resume_mode> parse_resume_mode(std::string_view text) {
  return mode_of(resume_names, text);
}

std::optional<tls_mode> parse_tls_mode(std::string_view text) {
  return mode_of(tls_names, text);
}

template <>
std::string mode_choices<initial_position>() {
  return choices(initial_names);
}

template <>
std::string mode_choices<delivery_mode>() {
  return choices(delivery_names);
}

template <>
std::string mode_choices<resume_mode>() {
  return choices(resume_names);
}

template <>
std::string mode_choices<tls_mode>() {
  return choices(tls_names);
}

} // namespace b2k
