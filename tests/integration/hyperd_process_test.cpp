// The hyperd lifecycle against the real binary: readiness, refused flags, shutdown, and the
// dead-man's switch when the parent is SIGKILLed.
#include "hyper/process/hyperd_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "hyper/process/hyperd_locator.hpp"
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
  EXPECT_EQ(process->host(), "127.0.0.1");
  EXPECT_GT(process->port(), 0);
  const int pid = process->pid();
  EXPECT_TRUE(process_alive(pid));
  EXPECT_TRUE(process->shutdown().ok());
  EXPECT_FALSE(process_alive(pid));
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
    (void)!::write(pipe_fds[1], &pid, sizeof pid);
    ::pause();
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  int hyperd_pid = -1;
  ASSERT_EQ(::read(pipe_fds[0], &hyperd_pid, sizeof hyperd_pid), static_cast<ssize_t>(sizeof hyperd_pid));
  ::close(pipe_fds[0]);
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
}

} // namespace
} // namespace hyperpipe::hyper
