#include "pipeline/file_inputs.hpp"

#include <glob.h>

#include <fmt/format.h>

namespace hyperpipe::pipeline {

Result<std::vector<std::filesystem::path>> expand_inputs(const std::vector<std::string>& patterns,
                                                        const std::filesystem::path& base) {
  std::vector<std::filesystem::path> paths;
  for (const auto& pattern : patterns) {
    std::filesystem::path path(pattern);
    if (!base.empty() && path.is_relative()) {
      path = base / path;
    }
    if (pattern.find_first_of("*?[") == std::string::npos) {
      paths.push_back(std::move(path));
      continue;
    }
    glob_t matches{};
    const int status = ::glob(path.c_str(), 0, nullptr, &matches);
    if (status == GLOB_NOMATCH || (status == 0 && matches.gl_pathc == 0)) {
      globfree(&matches);
      return make_error(ErrorKind::not_found, fmt::format("{}: no file matches", path.string()));
    }
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      paths.emplace_back(matches.gl_pathv[i]);
    }
    globfree(&matches);
  }
  return paths;
}

std::uint64_t total_size(const std::vector<std::filesystem::path>& inputs) {
  std::uint64_t bytes = 0;
  for (const auto& input : inputs) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(input, ec);
    bytes += ec ? 0 : size;
  }
  return bytes;
}

Result<char> single_character(std::string_view what, std::string_view value) {
  if (value == "\\t" || value == "tab" || value == "\t") {
    return '\t';
  }
  if (value.size() != 1) {
    return make_error(ErrorKind::invalid_argument, fmt::format("{} takes one character, not \"{}\"", what, value));
  }
  return value[0];
}

Result<std::map<std::string, SqlType>> parse_column_types(std::string_view text) {
  std::map<std::string, SqlType> types;
  int depth = 0;
  std::string item;
  const auto flush = [&]() -> Status {
    if (item.find_first_not_of(' ') == std::string::npos) {
      item.clear();
      return {};
    }
    const auto equals = item.find('=');
    if (equals == std::string::npos) {
      return make_error(ErrorKind::invalid_argument, fmt::format("--schema: \"{}\" is not COLUMN=TYPE", item));
    }
    std::string name = item.substr(0, equals);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    HP_ASSIGN_OR_RETURN(SqlType type, SqlType::parse(item.substr(equals + 1)));
    types.insert_or_assign(name, type);
    item.clear();
    return {};
  };
  for (char c : text) {
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (c == ',' && depth == 0) {
      HP_TRY(flush());
    } else {
      item += c;
    }
  }
  HP_TRY(flush());
  return types;
}

} // namespace hyperpipe::pipeline
