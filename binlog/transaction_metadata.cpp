#include "binlog/transaction_metadata.hpp"

#include <charconv>

namespace binlog {

const std::string& transaction_metadata::id(const std::string& gtid,
                                            const position& start) {
  // Made at the first row, not at the start: the GTID event that opens a
  // transaction comes before its GTID is known.
  if (id_.empty()) {
    if (!gtid.empty()) {
      id_.assign(gtid);
    } else {
      char pos[24];
      auto end = std::to_chars(pos, pos + sizeof(pos), start.pos).ptr;
      id_.assign("file=");
      id_.append(start.file);
      id_.append(",pos=");
      id_.append(pos, static_cast<size_t>(end - pos));
    }
  }
  return id_;
}

uint64_t& transaction_metadata::table_events(table_info& table) {
  if (table.txn_serial == serial_)
    return collections_[table.txn_slot].events;
  // A new TABLE_MAP may give the same table another id: find it by name,
  // by hash (a linear search made transactions of many tables quadratic).
  auto [entry, fresh] = slots_.try_emplace(table.qualified_name);
  auto& known = entry->second;
  if (fresh || known.serial != serial_) {
    auto slot = collections_used_++;
    if (slot == collections_.size())
      collections_.emplace_back();
    collections_[slot].name.assign(table.qualified_name);
    collections_[slot].events = 0;
    known.serial = serial_;
    known.slot = static_cast<uint32_t>(slot);
  }
  table.txn_serial = serial_;
  table.txn_slot = known.slot;
  return collections_[known.slot].events;
}

} // namespace binlog
