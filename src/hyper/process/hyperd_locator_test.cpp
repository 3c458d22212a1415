#include "hyper/process/hyperd_locator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace hyperpipe::hyper {
namespace {
namespace fs = std::filesystem;

class FakeSystem final : public LocatorSystem {
public:
  std::map<std::string, std::string> env;
  std::set<fs::path> executables;
  std::vector<fs::path> roots;
  std::optional<fs::path> python_package;
  mutable int python_calls = 0;

  std::optional<std::string> environment(const std::string& name) const override {
    auto found = env.find(name);
    return found == env.end() ? std::nullopt : std::optional(found->second);
  }
  bool is_executable_file(const fs::path& path) const override { return executables.contains(path); }
  std::vector<fs::path> project_roots() const override { return roots; }
  std::optional<fs::path> python_tableauhyperapi_dir() const override {
    ++python_calls;
    return python_package;
  }
};

const fs::path k_venv_hyperd = "/proj/.venv/lib/python3.11/site-packages/tableauhyperapi/bin/hyper/hyperd";

TEST(HyperdLocator, ExplicitPathWinsAndMayNameTheFolder) {
  FakeSystem system;
  system.executables = {"/opt/hyper/hyperd", k_venv_hyperd};
  system.roots = {"/proj"};
  system.env["HYPERPIPE_HYPERD"] = "/elsewhere";
  const auto found = locate_hyperd(fs::path("/opt/hyper"), system);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->path, "/opt/hyper/hyperd");
  EXPECT_EQ(found->found_by, "--hyperd");
}

TEST(HyperdLocator, ABadExplicitPathIsAnErrorNotAFallThrough) {
  FakeSystem system;
  system.executables = {k_venv_hyperd};
  system.roots = {"/proj"};
  const auto found = locate_hyperd(fs::path("/nope"), system);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message, "--hyperd /nope: no executable hyperd there");
}

TEST(HyperdLocator, EnvironmentBeforeVenv) {
  FakeSystem system;
  system.executables = {"/env/hyperd", k_venv_hyperd};
  system.roots = {"/proj"};
  system.env["HYPERPIPE_HYPERD"] = "/env/hyperd";
  EXPECT_EQ(locate_hyperd(std::nullopt, system)->found_by, "HYPERPIPE_HYPERD");
}

TEST(HyperdLocator, VenvBeforePython) {
  FakeSystem system;
  system.executables = {k_venv_hyperd};
  system.roots = {"/proj/build", "/proj"};
  const auto found = locate_hyperd(std::nullopt, system);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->path, k_venv_hyperd);
  EXPECT_EQ(system.python_calls, 0);
}

TEST(HyperdLocator, FallsBackToImportableTableauhyperapi) {
  FakeSystem system;
  system.python_package = "/usr/lib/python3/site-packages/tableauhyperapi";
  system.executables = {"/usr/lib/python3/site-packages/tableauhyperapi/bin/hyper/hyperd"};
  const auto found = locate_hyperd(std::nullopt, system);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->found_by, "python tableauhyperapi");
}

TEST(HyperdLocator, NotFoundSaysHowToInstall) {
  FakeSystem system;
  const auto found = locate_hyperd(std::nullopt, system);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().kind, ErrorKind::process);
  EXPECT_EQ(found.error().message,
            "hyperd not found (tried: HYPERPIPE_HYPERD (not set), the project's .venv, python3's tableauhyperapi)");
  EXPECT_NE(found.error().hint.find("pip install tableauhyperapi"), std::string::npos);
}

} // namespace
} // namespace hyperpipe::hyper
