// Pure parts of the process layer. The lifecycle against a real hyperd (refused flag, parent
// killed, clean shutdown) is in tests/integration/hyperd_process_test.cpp.
#include "hyper/process/hyperd_process.hpp"
#include "hyper/process/private_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace hyperpipe::hyper {
namespace {

bool contains(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

TEST(HyperdArguments, CallbackUserVersionAndNoLogByDefault) {
  HyperdOptions options;
  options.binary = "/x/hyperd";
  options.default_file_version = 3;
  const auto args = hyperd_arguments(options, "/tmp/hyperpipe-AbC123");
  EXPECT_EQ(args[0], "/x/hyperd");
  EXPECT_EQ(args[1], "run");
  EXPECT_TRUE(contains(args, "--callback-connection=tab.domain:///tmp/hyperpipe-AbC123/domain/callback"));
  EXPECT_TRUE(contains(args, "--listen-connection=tab.domain:///tmp/hyperpipe-AbC123/domain/.s.PGSQL.1"));
  // Never a TCP listener: an unauthenticated engine on a port is open to every local user.
  EXPECT_FALSE(std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.find("tcp") != std::string::npos; }));
  EXPECT_TRUE(contains(args, "--init-user=tableau_internal_user"));
  EXPECT_TRUE(contains(args, "--default-database-version=3"));
  EXPECT_TRUE(contains(args, "--log-config="));
  EXPECT_FALSE(std::any_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("--log-dir"); }));
}

TEST(HyperdArguments, LogDirAndSettingsWithDashes) {
  HyperdOptions options;
  options.binary = "hyperd";
  options.log_dir = "/var/log/hp";
  options.settings = {{"memory_limit", "4g"}, {"some_flag", ""}};
  const auto args = hyperd_arguments(options, "/tmp/d");
  EXPECT_TRUE(contains(args, "--log-dir=/var/log/hp"));
  EXPECT_TRUE(contains(args, "--memory-limit=4g"));
  EXPECT_TRUE(contains(args, "--some-flag"));
}

TEST(HyperdArguments, MemoryLimitAndSpillingInsideThePrivateFolder) {
  HyperdOptions options;
  options.binary = "hyperd";
  options.memory_limit = "2048m";
  const auto args = hyperd_arguments(options, "/tmp/hp-x");
  EXPECT_TRUE(contains(args, "--memory-limit=2048m"));
  // Spilled rows are the user's data: only in the folder no one else can enter.
  EXPECT_TRUE(contains(args, "--hyper-temp-directory-override=/tmp/hp-x/spill"));
  options.memory_limit.clear();
  const auto defaulted = hyperd_arguments(options, "/tmp/hp-x");
  EXPECT_FALSE(std::any_of(defaulted.begin(), defaulted.end(), [](const std::string& a) { return a.starts_with("--memory-limit"); }));
}

TEST(CallbackDescriptor, ParsesTheSocketInOurFolderWithTrailingNul) {
  const auto parsed = parse_callback_descriptor(std::string("tab.domain:///tmp/hp-x/domain/.s.PGSQL.1\0", 41), "/tmp/hp-x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->socket_dir, "/tmp/hp-x");
  EXPECT_EQ(parsed->port, 1);
}

TEST(CallbackDescriptor, RefusesTcpOtherFoldersAndBadNumbers) {
  EXPECT_FALSE(parse_callback_descriptor("tab.tcp://127.0.0.1:38479", "/tmp/hp-x").ok());
  EXPECT_FALSE(parse_callback_descriptor("tab.domain:///tmp/elsewhere/domain/.s.PGSQL.1", "/tmp/hp-x").ok());
  EXPECT_FALSE(parse_callback_descriptor("tab.domain:///tmp/hp-x/domain/.s.PGSQL.", "/tmp/hp-x").ok());
  EXPECT_FALSE(parse_callback_descriptor("tab.domain:///tmp/hp-x/domain/.s.PGSQL.99999", "/tmp/hp-x").ok());
  EXPECT_EQ(parse_callback_descriptor("garbage", "/tmp/hp-x").error().message,
            "unexpected endpoint from hyperd's callback: \"garbage\"");
}

TEST(PrivateDir, IsOnlyOursAndGoesAwayWithItsContents) {
  std::filesystem::path where;
  {
    auto dir = PrivateDir::create();
    ASSERT_TRUE(dir.ok()) << dir.error().describe();
    where = dir->path();
    const auto permissions = std::filesystem::status(where).permissions();
    EXPECT_EQ(permissions, std::filesystem::perms::owner_all);
    std::filesystem::create_directory(where / "inner");
    EXPECT_TRUE(std::filesystem::exists(where / "inner"));
  }
  EXPECT_FALSE(std::filesystem::exists(where));
}

TEST(PrivateDir, ATooLongTmpdirFallsBackToTmp) {
  const char* previous = std::getenv("TMPDIR");
  const std::string saved = previous ? previous : "";
  ::setenv("TMPDIR", ("/" + std::string(200, 'x')).c_str(), 1);
  auto dir = PrivateDir::create();
  previous ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR");
  ASSERT_TRUE(dir.ok()) << dir.error().describe();
  EXPECT_EQ(dir->path().parent_path(), "/tmp");
}

} // namespace
} // namespace hyperpipe::hyper
