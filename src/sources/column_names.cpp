#include "sources/column_names.hpp"

#include <fmt/format.h>

#include <set>

#include "base/utf8.hpp"

namespace hyperpipe::sources {

Result<std::vector<std::string>> clean_column_names(const std::vector<std::string>& raw, std::vector<std::string>& notes,
                                                    std::string_view where) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string name = raw[i];
    const bool nul = name.find('\0') != std::string::npos;
    if (nul || !base::is_valid_utf8(name)) {
      return make_error(ErrorKind::value,
                        fmt::format("{}, column {}: the header name \"{}\" {}", where, i + 1, base::printable_excerpt(name),
                                    nul ? "holds a NUL byte" : "is not valid UTF-8"),
                        nul ? "the file is binary or damaged: check it, or load it with --no-header (names become column_N)"
                            : "give the file's encoding (--encoding latin1, encoding: in a pipeline), or fix the header row");
    }
    if (name.find_first_not_of(" \t") == std::string::npos) {
      name = fmt::format("column_{}", i + 1);
      notes.push_back(fmt::format("column {} has no name; named it \"{}\"", i + 1, name));
    }
    if (used.contains(name)) {
      std::string unique;
      for (int n = 2;; ++n) {
        unique = fmt::format("{}_{}", name, n);
        if (!used.contains(unique)) {
          break;
        }
      }
      notes.push_back(fmt::format("column {} repeats the name \"{}\"; named it \"{}\"", i + 1, name, unique));
      name = unique;
    }
    used.insert(name);
    names.push_back(std::move(name));
  }
  return names;
}

} // namespace hyperpipe::sources
