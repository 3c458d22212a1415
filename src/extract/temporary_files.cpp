#include "extract/temporary_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>

#include <fmt/format.h>
#include <string>

#include "extract/atomic_file.hpp"
#include "hyper/process/private_dir.hpp"
#include "hyperpipe/extract.hpp"

namespace hyperpipe::extract {
namespace fs = std::filesystem;
namespace {

// Fixed storage the signal handler can read without allocating or locking.
struct Slot {
  std::atomic<bool> used{false};
  char path[PATH_MAX];
};
constexpr std::size_t k_slots = 64;
std::array<Slot, k_slots> g_slots;
std::mutex g_slots_mutex;

extern "C" void remove_tracked_and_reraise(int signal_number) {
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_acquire)) {
      ::unlink(slot.path); // async-signal-safe
    }
  }
  hyper::remove_private_dirs_now(); // hyperd's socket folders

  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

bool process_exists(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

} // namespace

void track_temporary(const fs::path& path) {
  const std::string text = path.string();
  if (text.size() >= PATH_MAX) {
    return;
  }
  std::lock_guard lock(g_slots_mutex);
  for (auto& slot : g_slots) {
    if (!slot.used.load(std::memory_order_relaxed)) {
      std::memcpy(slot.path, text.c_str(), text.size() + 1);
      slot.used.store(true, std::memory_order_release);
      return;
    }
  }
}

void untrack_temporary(const fs::path& path) {
  const std::string text = path.string();
  std::lock_guard lock(g_slots_mutex);
  for (auto& slot : g_slots) {
    if (slot.used.load(std::memory_order_relaxed) && text == slot.path) {
      slot.used.store(false, std::memory_order_release);
      return;
    }
  }
}

void remove_stale_temporaries(const fs::path& target) {
  // Only this host's files: a pid means nothing on another machine sharing the directory.
  const std::string prefix = fmt::format(".{}.{}.", target.filename().string(), host_tag());
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(".tmp")) {
      continue;
    }
    // What follows the prefix is "<pid>-<n>.tmp".
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (pid > 0 && end != nullptr && *end == '-' && !process_exists(pid)) {
      fs::remove(entry.path(), ec);
    }
  }
}

} // namespace hyperpipe::extract

namespace hyperpipe {

void install_interrupt_cleanup() {
  struct sigaction action {};
  action.sa_handler = extract::remove_tracked_and_reraise;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    ::sigaction(signal_number, &action, nullptr);
  }
}

} // namespace hyperpipe
