#include "hyper/process/memory_limit.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::hyper {
namespace {

TEST(MemoryLimit, AcceptsSizesAndSharesInHyperdsForm) {
  EXPECT_EQ(check_memory_limit("4G").value(), "4g");
  EXPECT_EQ(check_memory_limit("512m").value(), "512m");
  EXPECT_EQ(check_memory_limit("50%").value(), "50%");
  EXPECT_EQ(check_memory_limit("1073741824").value(), "1073741824");
}

TEST(MemoryLimit, RefusesWhatHyperdWouldMisread) {
  for (const char* bad : {"", "4 g", "4gb", "-1g", "0%", "101%", "g", "1.5g", "0", "abc"}) {
    const auto checked = check_memory_limit(bad);
    ASSERT_FALSE(checked.ok()) << bad;
    EXPECT_NE(checked.error().message.find(bad), std::string::npos) << checked.error().message;
    EXPECT_EQ(checked.error().kind, ErrorKind::invalid_argument);
  }
  EXPECT_NE(check_memory_limit("1m").error().message.find("below 128m"), std::string::npos);
  EXPECT_NE(check_memory_limit("99999999999t").error().message.find("too large"), std::string::npos);
}

TEST(MemoryLimit, DefaultIsHalfOfTheSmallerOfMachineAndCgroup) {
  constexpr std::uint64_t gib = 1ULL << 30U;
  EXPECT_EQ(default_memory_limit(24 * gib, std::nullopt), "12288m");
  EXPECT_EQ(default_memory_limit(24 * gib, 4 * gib), "2048m");
  EXPECT_EQ(default_memory_limit(2 * gib, 64 * gib), "1024m");
  EXPECT_EQ(default_memory_limit(100ULL << 20U, std::nullopt), "256m"); // never below what a query needs
}

TEST(MemoryLimit, ReadsMeminfoAndCgroupText) {
  EXPECT_EQ(meminfo_total("MemTotal:       24564112 kB\nMemFree:  1 kB\n"), 24564112ULL * 1024);
  EXPECT_FALSE(meminfo_total("MemFree: 1 kB\n").has_value());
  EXPECT_EQ(cgroup_memory_max("4294967296\n"), 4294967296ULL);
  EXPECT_FALSE(cgroup_memory_max("max\n").has_value());
  EXPECT_FALSE(cgroup_memory_max("").has_value());
  EXPECT_EQ(cgroup_v2_path("12:cpu:/old\n0::/system.slice/hyperpipe.service\n"), "/system.slice/hyperpipe.service");
  EXPECT_EQ(cgroup_v2_path("0::/\n"), "/");
  EXPECT_FALSE(cgroup_v2_path("4:memory:/docker/abc\n").has_value());
  EXPECT_EQ(cgroup_v1_memory_path("5:devices:/\n4:memory:/docker/abc\n0::/\n"), "/docker/abc");
  EXPECT_FALSE(cgroup_v1_memory_path("0::/\n").has_value());
}

} // namespace
} // namespace hyperpipe::hyper
