#pragma once
// Finding the hyperd binary. The search order is the user's promise, so it is one pure function
// over a narrow view of the system (environment, filesystem, Python) that tests can fake.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::hyper {

/// The parts of the system the locator looks at.
class LocatorSystem {
public:
  virtual ~LocatorSystem() = default;
  virtual std::optional<std::string> environment(const std::string& name) const = 0;
  virtual bool is_executable_file(const std::filesystem::path& path) const = 0;
  /// Directories that may hold a project virtual environment (.venv) to search.
  virtual std::vector<std::filesystem::path> project_roots() const = 0;
  /// The directory of an importable `tableauhyperapi` package, asking the system's Python.
  virtual std::optional<std::filesystem::path> python_tableauhyperapi_dir() const = 0;
};

/// The real system: getenv, stat, the executable's ancestors and the source tree as project
/// roots, and `python3 -c "import tableauhyperapi"` as the last resort.
const LocatorSystem& real_locator_system();

/// Where hyperd was found, and by which rule (for `--version` and error messages).
struct LocatedHyperd {
  std::filesystem::path path;
  std::string found_by;
};

/// Finds hyperd, in order: `explicit_path` (a binary or a directory holding one), the
/// HYPERPIPE_HYPERD environment variable, the .venv of a checkout the running binary was built in
/// (found by walking up from the binary), any importable tableauhyperapi.
/// The error says what was tried and how to install hyperd.
Result<LocatedHyperd> locate_hyperd(const std::optional<std::filesystem::path>& explicit_path,
                                    const LocatorSystem& system = real_locator_system());

} // namespace hyperpipe::hyper
