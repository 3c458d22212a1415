#include "hyper/process/private_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

namespace hyperpipe::hyper {
namespace {

std::filesystem::path temp_root() {
  const char* tmpdir = std::getenv("TMPDIR");
  // "/hyperpipe-engine-XXXXXX/" + a socket name must fit sun_path with its NUL.
  constexpr std::size_t k_suffix = std::string_view("/hyperpipe-engine-XXXXXX/").size() + k_longest_socket_name + 1;
  if (tmpdir != nullptr && tmpdir[0] == '/' && std::strlen(tmpdir) + k_suffix <= sizeof(sockaddr_un{}.sun_path)) {
    return tmpdir;
  }
  return "/tmp";
}

// Engine folders of this user whose owner is gone: left by a process killed with SIGKILL (which
// cannot clean up). Each owner holds an flock on the folder's lock file for as long as it
// lives, and the kernel drops it with the process: a lock that can be taken means nobody owns
// the folder. A folder without the file yet (being set up right now) is left alone unless it
// is over an hour old.
void remove_stale_folders(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    struct stat info {};
    if (!name.starts_with("hyperpipe-engine-") || ::lstat(it->path().c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
        info.st_uid != ::geteuid()) {
      continue;
    }
    base::UniqueFd lock(::open((it->path() / k_lock_file_name).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    const bool gone = lock ? ::flock(lock.get(), LOCK_EX | LOCK_NB) == 0 : std::time(nullptr) - info.st_mtime > 3600;
    if (gone) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

// Fixed storage a signal handler can read without allocating or locking: the folders alive now.
struct Slot {
  std::atomic<bool> used{false};
  char path[sizeof(sockaddr_un{}.sun_path)];
};
std::array<Slot, 16> g_slots;
std::mutex g_slots_mutex;

void track(const std::string& path) {
  std::lock_guard lock(g_slots_mutex);
  for (auto& slot : g_slots) {
    if (!slot.used.load(std::memory_order_relaxed) && path.size() < sizeof slot.path) {
      std::memcpy(slot.path, path.c_str(), path.size() + 1);
      slot.used.store(true, std::memory_order_release);
      return;
    }
  }
}

void untrack(const std::string& path) {
  std::lock_guard lock(g_slots_mutex);
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_relaxed) && path == slot.path) {
      slot.used.store(false, std::memory_order_release);
      return;
    }
  }
}

} // namespace

void remove_private_dirs_now() noexcept {
  const int saved_errno = errno; // a signal handler must leave errno as it found it
  for (auto& slot : g_slots) {
    if (!slot.used.load(std::memory_order_acquire)) {
      continue;
    }
    const std::size_t length = std::strlen(slot.path);
    char entry[sizeof slot.path + k_longest_socket_name + 2];
    std::memcpy(entry, slot.path, length);
    entry[length] = '/';
    const auto path_of = [&](const char* name) {
      std::memcpy(entry + length + 1, name, std::strlen(name) + 1);
      return entry;
    };
    // The spill folder first: it is empty unless hyperd is spilling right now. If it is not,
    // the lock file stays, so the next start sees (by its flock, which dies with us) that the
    // folder is abandoned and removes it whole; without it, only after an hour.
    const bool spill_gone = ::rmdir(path_of(k_spill_folder_name)) == 0 || errno == ENOENT;
    for (const char* name : k_private_dir_entries) {
      if (spill_gone || std::strcmp(name, k_lock_file_name) != 0) {
        ::unlink(path_of(name)); // async-signal-safe, like rmdir
      }
    }
    ::rmdir(slot.path);
  }
  errno = saved_errno;
}

Result<PrivateDir> PrivateDir::create() {
  remove_stale_folders(temp_root());
  std::string pattern = (temp_root() / "hyperpipe-engine-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return make_error(ErrorKind::process,
                      fmt::format("cannot create a private folder for hyperd's sockets at {}: {}", pattern,
                                  std::strerror(errno)),
                      "set TMPDIR to a writable folder");
  }
  PrivateDir dir{std::filesystem::path(pattern)};
  // Held for the folder's whole life: how other processes tell a live folder from a stale one.
  dir.m_lock = base::UniqueFd(::open((dir.m_path / k_lock_file_name).c_str(),
                                     O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!dir.m_lock || ::flock(dir.m_lock.get(), LOCK_EX | LOCK_NB) != 0) {
    return make_error(ErrorKind::process, fmt::format("cannot lock the private folder {}: {}", pattern, std::strerror(errno)));
  }
  // mkdtemp makes it 0700; check rather than trust (an odd umask or file system must not leave
  // the engine open to others).
  struct stat info {};
  if (::lstat(pattern.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid() ||
      (info.st_mode & 0077) != 0) {
    return make_error(ErrorKind::process, fmt::format("the private folder {} is not private (mode {:o})", pattern,
                                                      info.st_mode & 07777));
  }
  track(dir.m_path.string());
  return dir;
}

PrivateDir::PrivateDir(PrivateDir&& other) noexcept
    : m_path(std::exchange(other.m_path, {})), m_lock(std::move(other.m_lock)) {}

PrivateDir& PrivateDir::operator=(PrivateDir&& other) noexcept {
  if (this != &other) {
    remove();
    m_path = std::exchange(other.m_path, {});
    m_lock = std::move(other.m_lock);
  }
  return *this;
}

PrivateDir::~PrivateDir() { remove(); }

void PrivateDir::remove() noexcept {
  if (!m_path.empty()) {
    untrack(m_path.string());
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
    m_path.clear();
    m_lock.reset(); // after the folder is gone, so nobody else removes it meanwhile
  }
}

} // namespace hyperpipe::hyper
