// Pure parts of the process layer. The lifecycle against a real hyperd (refused flag, parent
// killed, clean shutdown) is in tests/integration/hyperd_process_test.cpp.
#include "hyper/process/hyperd_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hyperpipe::hyper {
namespace {

bool contains(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

TEST(HyperdArguments, CallbackUserVersionAndNoLogByDefault) {
  HyperdOptions options;
  options.binary = "/x/hyperd";
  options.default_file_version = 3;
  const auto args = hyperd_arguments(options, 4242);
  EXPECT_EQ(args[0], "/x/hyperd");
  EXPECT_EQ(args[1], "run");
  EXPECT_TRUE(contains(args, "--callback-connection=tab.tcp://127.0.0.1:4242"));
  EXPECT_TRUE(contains(args, "--listen-connection=tab.tcp://127.0.0.1:0"));
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
  const auto args = hyperd_arguments(options, 1);
  EXPECT_TRUE(contains(args, "--log-dir=/var/log/hp"));
  EXPECT_TRUE(contains(args, "--memory-limit=4g"));
  EXPECT_TRUE(contains(args, "--some-flag"));
}

TEST(CallbackDescriptor, ParsesHostAndPortWithTrailingNul) {
  const auto parsed = parse_callback_descriptor(std::string("tab.tcp://127.0.0.1:38479\0", 26));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->first, "127.0.0.1");
  EXPECT_EQ(parsed->second, 38479);
}

TEST(CallbackDescriptor, RejectsOtherTransportsAndBadPorts) {
  EXPECT_FALSE(parse_callback_descriptor("tab.domain:///tmp/domain/x").ok());
  EXPECT_FALSE(parse_callback_descriptor("tab.tcp://127.0.0.1:").ok());
  EXPECT_FALSE(parse_callback_descriptor("tab.tcp://127.0.0.1:99999").ok());
  EXPECT_EQ(parse_callback_descriptor("garbage").error().message,
            "unexpected endpoint from hyperd's callback: \"garbage\"");
}

} // namespace
} // namespace hyperpipe::hyper
