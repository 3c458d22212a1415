#include "hyper/process/hyperd_locator.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace hyperpipe::hyper {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_env_var = "HYPERPIPE_HYPERD";
// Where the tableauhyperapi wheel keeps the server, relative to the package directory.
const fs::path k_package_relative = fs::path("bin") / "hyper" / "hyperd";

// A path given by the user may name the binary or the folder holding it (as HyperProcess's
// hyper_path does).
std::optional<fs::path> as_binary(const fs::path& given, const LocatorSystem& system) {
  if (system.is_executable_file(given)) {
    return given;
  }
  if (system.is_executable_file(given / "hyperd")) {
    return given / "hyperd";
  }
  return std::nullopt;
}

class RealLocatorSystem final : public LocatorSystem {
public:
  std::optional<std::string> environment(const std::string& name) const override {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
      return std::nullopt;
    }
    return std::string(value);
  }

  bool is_executable_file(const fs::path& path) const override {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
  }

  std::vector<fs::path> project_roots() const override {
    std::vector<fs::path> roots;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
        roots.push_back(dir);
      }
    }
    // Only the folders above the running binary: a build in a checkout finds the checkout's
    // .venv; an installed binary (/usr/bin) never looks into the tree it was built in.
    return roots;
  }

  std::optional<fs::path> python_tableauhyperapi_dir() const override {
    // popen runs /bin/sh with a fixed command line: nothing user-controlled reaches the shell.
    FILE* pipe = ::popen("python3 -c 'import os, tableauhyperapi; "
                         "print(os.path.dirname(tableauhyperapi.__file__))' 2>/dev/null",
                         "r");
    if (pipe == nullptr) {
      return std::nullopt;
    }
    std::array<char, 4096> buffer{};
    std::string output;
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
      output += buffer.data();
    }
    const int status = ::pclose(pipe);
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
      output.pop_back();
    }
    if (status != 0 || output.empty()) {
      return std::nullopt;
    }
    return fs::path(output);
  }
};

} // namespace

const LocatorSystem& real_locator_system() {
  static const RealLocatorSystem system;
  return system;
}

Result<LocatedHyperd> locate_hyperd(const std::optional<fs::path>& explicit_path, const LocatorSystem& system) {
  std::vector<std::string> tried;
  if (explicit_path) {
    if (auto found = as_binary(*explicit_path, system)) {
      return LocatedHyperd{*found, "--hyperd"};
    }
    return make_error(ErrorKind::process,
                      fmt::format("--hyperd {}: no executable hyperd there", explicit_path->string()),
                      "pass the hyperd binary or the folder that contains it");
  }
  if (auto from_env = system.environment(k_env_var)) {
    if (auto found = as_binary(*from_env, system)) {
      return LocatedHyperd{*found, k_env_var};
    }
    return make_error(ErrorKind::process,
                      fmt::format("{}={}: no executable hyperd there", k_env_var, *from_env),
                      fmt::format("point {} at the hyperd binary or its folder, or unset it", k_env_var));
  }
  tried.push_back(fmt::format("{} (not set)", k_env_var));
  for (const fs::path& root : system.project_roots()) {
    const fs::path lib = root / ".venv" / "lib";
    // The venv's python3.X folder name depends on the interpreter that made it.
    for (const char* version : {"python3.11", "python3.12", "python3.13", "python3.10", "python3.9"}) {
      const fs::path candidate = lib / version / "site-packages" / "tableauhyperapi" / k_package_relative;
      if (system.is_executable_file(candidate)) {
        return LocatedHyperd{candidate, "project .venv"};
      }
    }
  }
  tried.emplace_back("the project's .venv");
  if (auto package = system.python_tableauhyperapi_dir()) {
    if (system.is_executable_file(*package / k_package_relative)) {
      return LocatedHyperd{*package / k_package_relative, "python tableauhyperapi"};
    }
  }
  tried.emplace_back("python3's tableauhyperapi");
  return make_error(ErrorKind::process,
                    fmt::format("hyperd not found (tried: {})", fmt::join(tried, ", ")),
                    "run scripts/bootstrap (it installs the pinned tableauhyperapi into .venv), or "
                    "`pip install tableauhyperapi`, or pass --hyperd PATH / set HYPERPIPE_HYPERD");
}

} // namespace hyperpipe::hyper
