// The jsonl sink's file: batches of whole lines appended (O_APPEND) in one write() each, under an
// exclusive flock(2) on the file, so that several processes can share it. Before each batch the
// file's end is checked: a partial last line (a writer killed inside its write(): Linux may stop
// a write that spans pages at a page boundary) is cut off, so every line a reader can see is
// whole. Rotation by size and by UTC day renames the file (rotated_files.hpp) under the same
// lock; a writer that finds the path moved reopens it.
//
//   JsonlLog log({.path = "audit.jsonl", .max_bytes = 64 << 20});   // throws JsonlLogError
//   log.append("{...}\n{...}\n");
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rotated_files.hpp"

namespace pipeline::metrics_jsonl {

// A file operation failed; `code` is a PL_* status, the message names the file.
class JsonlLogError : public std::runtime_error {
 public:
  JsonlLogError(int32_t code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int32_t code() const noexcept { return code_; }

 private:
  int32_t code_;
};

class JsonlLog {
 public:
  struct Options {
    std::filesystem::path path;
    std::int64_t max_bytes = 0;   // rotate before a batch would take the file past this; 0: never
    bool rotate_daily = false;    // rotate when the UTC day differs from the file's last write's
    std::int64_t max_files = 14;  // rotated files kept (the oldest go); 0: all
    bool fsync = false;           // fdatasync after every batch
  };

  // Opens (creating it and its folder) and repairs the end of the file.
  explicit JsonlLog(Options options);
  ~JsonlLog();
  JsonlLog(const JsonlLog&) = delete;
  JsonlLog& operator=(const JsonlLog&) = delete;

  // Appends whole lines (each ending in '\n') in one write(). On failure nothing of `lines` stays
  // in the file and JsonlLogError says why.
  void append(std::string_view lines);

 private:
  class Fd;
  class Lock;

  int open_path() const;
  void lock_current(Lock& lock);
  void repair_tail();
  bool rotate_if_due(Lock& lock, std::size_t incoming);
  [[noreturn]] void fail(int32_t code, const std::string& doing, int err) const;

  Options options_;
  RotatedFiles rotated_;
  int fd_ = -1;
  bool regular_ = true;  // a FIFO or a device (/dev/stdout) is written to, never locked or rotated
};

}  // namespace pipeline::metrics_jsonl
