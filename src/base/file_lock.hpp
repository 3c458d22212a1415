#pragma once
// An exclusive lock on a file (flock), held for as long as the FileLock lives. The kernel drops
// it when the process dies, so a crash or kill -9 never leaves it stuck. The holder writes a
// line about itself into the file, so whoever waits can say who it waits for. A symlink is never
// followed to a lock file (O_NOFOLLOW): nobody can make the holder truncate another file.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "hyperpipe/error.hpp"

namespace hyperpipe::base {

class FileLock {
public:
  /// One attempt. When another process holds the lock: kind already_exists, and `message()` of
  /// the error is the holder's line ("" when it wrote none).
  static Result<FileLock> try_acquire(const std::filesystem::path& file, const std::string& holder);
  /// Attempts until `timeout` has passed, sleeping through `sleep` between them (growing from
  /// 50 ms to 1 s). Still held after that: kind already_exists, as try_acquire says it.
  static Result<FileLock> acquire_within(const std::filesystem::path& file, const std::string& holder,
                                         std::chrono::milliseconds timeout,
                                         const std::function<void(std::chrono::milliseconds)>& sleep);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

} // namespace hyperpipe::base
