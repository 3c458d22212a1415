// The hyperd lifecycle against the real binary: readiness, refused flags, shutdown, and the
// dead-man's switch when the parent is SIGKILLed.
#include "hyper/process/hyperd_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "hyper/process/hyperd_locator.hpp"
#include "hyper/process/private_dir.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::hyper {
namespace {
using namespace std::chrono_literals;

std::filesystem::path hyperd_binary() {
  auto found = locate_hyperd(std::nullopt);
  EXPECT_TRUE(found.ok()) << "hyperd is required for integration tests: " << found.error().describe();
  return found ? found->path : std::filesystem::path("/hyperd-not-found");
}

bool process_alive(int pid) { return ::kill(pid, 0) == 0; }

bool wait_until_gone(int pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_alive(pid)) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return !process_alive(pid);
}

TEST(HyperdProcess, StartsReportsEndpointAndShutsDownCleanly) {
  HyperdOptions options;
  options.binary = hyperd_binary();
  auto process = HyperdProcess::start(options);
  ASSERT_TRUE(process.ok()) << process.error().describe();
  const std::filesystem::path folder = process->host();
  EXPECT_EQ(process->port(), k_listen_socket_number);
  const int pid = process->pid();
  EXPECT_TRUE(process_alive(pid));
  EXPECT_TRUE(std::filesystem::is_socket(folder / ".s.PGSQL.1"));
  EXPECT_TRUE(process->shutdown().ok());
  EXPECT_FALSE(process_alive(pid));
  EXPECT_FALSE(std::filesystem::exists(folder)) << "the private socket folder is removed with hyperd";
}

// The inodes of every listening TCP socket on this machine (IPv4 and IPv6).
std::set<std::string> listening_tcp_inodes() {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
      if (state == "0A") {
        inodes.insert(inode);
      }
    }
  }
  return inodes;
}

// The socket inodes a process holds open.
std::set<std::string> socket_inodes_of(int pid) {
  std::set<std::string> inodes;
  for (const auto& entry : std::filesystem::directory_iterator(fmt::format("/proc/{}/fd", pid))) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    if (!error && target.starts_with("socket:[")) {
      inodes.insert(target.substr(8, target.size() - 9));
    }
  }
  return inodes;
}

TEST(HyperdProcess, ReachableOnlyThroughAPrivateUnixSocketNeverTcp) {
  HyperdOptions options;
  options.binary = hyperd_binary();
  auto process = HyperdProcess::start(options);
  ASSERT_TRUE(process.ok()) << process.error().describe();
  const std::filesystem::path folder = process->host();
  struct stat info {};
  ASSERT_EQ(::stat(folder.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u) << "only the user who started hyperd may enter " << folder;
  EXPECT_EQ(info.st_uid, ::geteuid());
  const auto listening = listening_tcp_inodes();
  for (const auto& inode : socket_inodes_of(process->pid())) {
    EXPECT_EQ(listening.count(inode), 0u) << "hyperd listens on a TCP port (socket inode " << inode << ")";
  }
  EXPECT_TRUE(process->shutdown().ok());
}

// A stand-in for hyperd: before answering the callback itself, it has another process (its own
// child, so the same user) connect first and claim a different endpoint. hyperpipe must ignore
// the impostor and take only the answer of the process it started.
TEST(HyperdProcess, TheCallbackIsTakenOnlyFromTheProcessItStarted) {
  testing::TempDir scratch;
  const auto fake = scratch / "fake-hyperd";
  {
    std::ofstream script(fake);
    script << R"(#!/usr/bin/env python3
import os, socket, sys, time
arg = next(a for a in sys.argv if a.startswith("--callback-connection="))
folder = arg.split("tab.domain://", 1)[1].split("/domain/", 1)[0]
def answer(number):
    s = socket.socket(socket.AF_UNIX)
    s.connect(folder + "/callback")
    text = f"tab.domain://{folder}/domain/.s.PGSQL.{number}".encode() + b"\0"
    s.sendall(bytes([len(text)]) + text)
    return s
child = os.fork()
if child == 0:
    keep = answer(4242)
    time.sleep(2)
    os._exit(0)
time.sleep(0.5)
mine = answer(1)
mine.recv(1)  # until hyperpipe closes the callback
)";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  HyperdOptions options;
  options.binary = fake;
  options.shutdown_timeout = 200ms;
  auto process = HyperdProcess::start(options);
  ASSERT_TRUE(process.ok()) << process.error().describe();
  EXPECT_EQ(process->port(), 1) << "the impostor's endpoint was taken";
  (void)process->shutdown();
}

TEST(HyperdProcess, MissingBinaryIsAClearError) {
  HyperdOptions options;
  options.binary = "/nonexistent/hyperd";
  const auto process = HyperdProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.error().kind, ErrorKind::process);
  EXPECT_NE(process.error().message.find("cannot start /nonexistent/hyperd"), std::string::npos);
}

TEST(HyperdProcess, ARefusedFlagSurfacesHyperdsOwnMessage) {
  HyperdOptions options;
  options.binary = hyperd_binary();
  options.settings = {{"no_such_setting_for_hyperpipe", "1"}};
  const auto started = std::chrono::steady_clock::now();
  const auto process = HyperdProcess::start(options);
  ASSERT_FALSE(process.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "early exit must not wait for the start timeout";
  EXPECT_NE(process.error().message.find("before becoming ready"), std::string::npos) << process.error().message;
  EXPECT_NE(process.error().message.find("No internal setting named 'no_such_setting_for_hyperpipe'"), std::string::npos) << process.error().message;
}

TEST(HyperdProcess, NoLogFilesUnlessAskedAndTheLogDirWhenAsked) {
  testing::TempDir cwd;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(cwd.path());
  {
    HyperdOptions options;
    options.binary = hyperd_binary();
    auto process = HyperdProcess::start(options);
    ASSERT_TRUE(process.ok());
    ASSERT_TRUE(process->shutdown().ok());
  }
  std::filesystem::current_path(previous);
  EXPECT_TRUE(std::filesystem::is_empty(cwd.path()));

  testing::TempDir logs;
  HyperdOptions options;
  options.binary = hyperd_binary();
  options.log_dir = logs.path();
  auto process = HyperdProcess::start(options);
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE(process->shutdown().ok());
  EXPECT_TRUE(std::filesystem::exists(logs / "hyperd.log"));
}

TEST(HyperdProcess, HyperdExitsWhenItsParentIsKilled) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const std::filesystem::path binary = hyperd_binary();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child owns a hyperd, reports its pid, then waits to be killed.
    ::close(pipe_fds[0]);
    HyperdOptions options;
    options.binary = binary;
    auto process = HyperdProcess::start(options);
    int pid = process ? process->pid() : -1;
    char folder[256] = {};
    if (process) {
      std::snprintf(folder, sizeof folder, "%s", process->host().c_str());
    }
    (void)!::write(pipe_fds[1], &pid, sizeof pid);
    (void)!::write(pipe_fds[1], folder, sizeof folder);
    ::pause();
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  int hyperd_pid = -1;
  ASSERT_EQ(::read(pipe_fds[0], &hyperd_pid, sizeof hyperd_pid), static_cast<ssize_t>(sizeof hyperd_pid));
  char folder[256] = {};
  ASSERT_EQ(::read(pipe_fds[0], folder, sizeof folder), static_cast<ssize_t>(sizeof folder));
  ::close(pipe_fds[0]);
  ASSERT_TRUE(std::filesystem::is_directory(folder)) << folder;
  ASSERT_GT(hyperd_pid, 0);
  EXPECT_TRUE(process_alive(hyperd_pid));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  // hyperd was the killed child's child: it is reparented, and must exit on its own.
  EXPECT_TRUE(wait_until_gone(hyperd_pid, 10s)) << "hyperd " << hyperd_pid << " outlived its parent";
  if (process_alive(hyperd_pid)) {
    ::kill(hyperd_pid, SIGKILL);
  }
  // The killed parent could not remove its socket folder; the next engine start does, and
  // leaves a live engine's folder alone.
  auto live = PrivateDir::create();
  ASSERT_TRUE(live.ok());
  auto next = PrivateDir::create();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(std::filesystem::exists(folder)) << folder << " was left behind by a killed run";
  EXPECT_TRUE(std::filesystem::is_directory(live->path())) << "a live folder was removed";
}

} // namespace
} // namespace hyperpipe::hyper
