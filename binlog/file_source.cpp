#include "binlog/file_source.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlog/bytes.hpp"
#include "binlog/event.hpp"

namespace binlog {

namespace {

/// A read-only memory map of a whole file.
class mapped_file {
public:
  ~mapped_file() {
    if (data_ != nullptr && size_ > 0)
      munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0)
      close(fd_);
  }

  error open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      return {errc::io, "cannot open " + path + ": " + std::strerror(errno)};
    struct stat st;
    if (fstat(fd_, &st) != 0)
      return {errc::io, "cannot stat " + path + ": " + std::strerror(errno)};
    if (!S_ISREG(st.st_mode))
      return {errc::io, path + " is not a regular file"};
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0)
      return {};
    auto p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED)
      return {errc::io, "cannot map " + path + ": " + std::strerror(errno)};
    madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const uint8_t*>(p);
    return {};
  }

  const uint8_t* data() const {
    return data_;
  }

  /// Lets the kernel drop the pages before `offset`: they were read and a
  /// day of binlogs should not sit in our resident memory.
  void release_before(size_t offset) {
    constexpr size_t step = size_t{64} << 20;
    auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    auto end = offset / page * page;
    if (end < released_ + step)
      return;
    madvise(const_cast<uint8_t*>(data_) + released_, end - released_,
            MADV_DONTNEED);
    released_ = end;
  }
  size_t size() const {
    return size_;
  }

private:
  int fd_ = -1;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;
};

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

namespace {

// The event loop over a whole binlog in memory; `done(offset)` says that
// everything before offset was decoded.
template <class Done>
error decode_range(const uint8_t* data, size_t size, const std::string& path,
                   decoder& dec, uint64_t start_pos, uint64_t skip_rows,
                   Done done) {
  if (size < 4 || std::memcmp(data, binlog_magic, 4) != 0)
    return {errc::bad_magic,
            path + ": not a binlog file (no binlog magic number at offset 0)"};
  position from;
  from.file = base_name(path);
  from.pos = start_pos;
  from.skip_rows = skip_rows;
  dec.start_at(from);
  dec.set_origin(path); // errors name this file, even after a ROTATE
  dec.follow_rotate(false);
  auto next_event = [&](uint64_t offset, uint32_t& length) -> error {
    if (size - offset < header_size)
      return {errc::truncated, path + " at offset " + std::to_string(offset)
                                 + ": truncated event header ("
                                 + std::to_string(size - offset) + " of "
                                 + std::to_string(header_size) + " bytes)"};
    length = load_le32(data + offset + 9);
    if (length < header_size)
      return {errc::corrupt_event,
              path + " at offset " + std::to_string(offset) + ": event length "
                + std::to_string(length) + " is shorter than an event header"};
    if (length > size - offset)
      return {errc::truncated,
              path + " at offset " + std::to_string(offset) + ": event length "
                + std::to_string(length) + " runs past the end of the file ("
                + std::to_string(size - offset) + " bytes left)"};
    return {};
  };
  auto feed = [&](uint64_t offset, uint32_t length) -> error {
    return dec.consume(data + offset, length, offset);
  };
  uint64_t offset = 4;
  if (start_pos > 4) {
    // The FORMAT_DESCRIPTION says how to read the events after it.
    uint32_t length = 0;
    if (auto err = next_event(offset, length))
      return err;
    if (static_cast<event_type>(data[offset + 4])
        == event_type::format_description)
      if (auto err = feed(offset, length))
        return err;
    if (start_pos > size)
      return {errc::io, path + ": start position " + std::to_string(start_pos)
                          + " is past the end of the file ("
                          + std::to_string(size) + " bytes)"};
    offset = start_pos;
  }
  while (offset < size) {
    uint32_t length = 0;
    if (auto err = next_event(offset, length))
      return err;
    if (auto err = feed(offset, length))
      return err;
    offset += length;
    done(offset);
  }
  return {};
}

} // namespace

error decode_file(const std::string& path, decoder& dec, uint64_t start_pos,
                  uint64_t skip_rows, const file_progress& progress) {
  mapped_file file;
  if (auto err = file.open(path))
    return err;
  constexpr uint64_t progress_step = 1 << 20;
  uint64_t next_progress = progress_step;
  auto err = decode_range(file.data(), file.size(), path, dec, start_pos,
                          skip_rows, [&](uint64_t offset) {
                            file.release_before(offset);
                            if (progress && offset >= next_progress) {
                              progress(offset, file.size());
                              next_progress = offset + progress_step;
                            }
                          });
  if (!err && progress)
    progress(file.size(), file.size());
  return err;
}

error decode_buffer(const uint8_t* data, size_t size, const std::string& name,
                    decoder& dec, uint64_t start_pos, uint64_t skip_rows) {
  return decode_range(data, size, name, dec, start_pos, skip_rows,
                      [](uint64_t) {});
}

} // namespace binlog
