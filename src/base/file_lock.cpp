#include "base/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace hyperpipe::base {
namespace {

std::string holder_of(int fd) {
  char buffer[512] = {};
  const auto n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string line = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.pop_back();
  }
  return line;
}

} // namespace

Result<FileLock> FileLock::try_acquire(const std::filesystem::path& file, const std::string& holder) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return make_error(ErrorKind::io, fmt::format("cannot open lock file {}: {}", file.string(), std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string who = holder_of(fd);
    ::close(fd);
    if (error != EWOULDBLOCK) {
      return make_error(ErrorKind::io, fmt::format("cannot lock {}: {}", file.string(), std::strerror(error)));
    }
    return make_error(ErrorKind::already_exists, std::move(who));
  }
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(fd, holder.data(), holder.size(), 0);
  }
  return FileLock(fd);
}

Result<FileLock> FileLock::acquire_within(const std::filesystem::path& file, const std::string& holder,
                                          std::chrono::milliseconds timeout,
                                          const std::function<void(std::chrono::milliseconds)>& sleep) {
  std::chrono::milliseconds waited{0};
  std::chrono::milliseconds pause{50};
  for (;;) {
    auto lock = try_acquire(file, holder);
    if (lock || lock.error().kind != ErrorKind::already_exists) {
      return lock;
    }
    if (waited >= timeout) {
      return lock; // still held: already_exists, with the holder's line
    }
    const auto step = std::min(pause, timeout - waited);
    sleep(step);
    waited += step;
    pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(1));
  }
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

} // namespace hyperpipe::base
