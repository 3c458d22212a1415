#pragma once
// Shared by the parse_pipeline() tests: a fake pipeline path and environment (parsing reads no
// file and no real environment), and an assertion on one diagnostic's position, path and text.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config/pipeline_spec.hpp"

namespace hyperpipe::pipeline::parser_test {

inline const std::filesystem::path k_file = "/pipelines/p.yaml";

inline Environment fake_environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    return found == variables.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

inline ParsedPipeline parse(std::string_view yaml, std::map<std::string, std::string> variables = {}) {
  return parse_pipeline(yaml, k_file, fake_environment(std::move(variables)));
}

inline std::string all_diagnostics(const ParsedPipeline& parsed) { return parsed.diagnostics.describe("p.yaml"); }

// A diagnostic with exactly this path whose message contains `message` (and whose hint contains
// `hint`), at exactly this line and column.
inline ::testing::AssertionResult has_diagnostic(const ParsedPipeline& parsed, int line, int column, std::string_view path,
                                          std::string_view message, std::string_view hint = {}) {
  const auto& items = parsed.diagnostics.items();
  const auto found = std::find_if(items.begin(), items.end(), [&](const Diagnostic& item) {
    return item.path == path && item.message.find(message) != std::string::npos;
  });
  if (found == items.end()) {
    return ::testing::AssertionFailure() << "no diagnostic at path \"" << path << "\" with \"" << message
                                         << "\"; got:\n"
                                         << all_diagnostics(parsed);
  }
  if (found->mark.line != line || found->mark.column != column) {
    return ::testing::AssertionFailure() << "\"" << found->message << "\" is at " << found->mark.line << ":"
                                         << found->mark.column << ", expected " << line << ":" << column;
  }
  if (found->hint.find(hint) == std::string::npos) {
    return ::testing::AssertionFailure() << "\"" << found->message << "\" has hint \"" << found->hint
                                         << "\", expected it to contain \"" << hint << "\"";
  }
  if (parsed.spec.has_value()) {
    return ::testing::AssertionFailure() << "a spec was produced despite diagnostics";
  }
  return ::testing::AssertionSuccess();
}

// Appended after the parts a test is about, so they do not move its line numbers.
inline const std::string k_output_from_s = "outputs:\n"
                                    "  out:\n"
                                    "    file: out.hyper\n"
                                    "    tables:\n"
                                    "      - {name: Extract.Extract, from: s}\n";

inline bool contains(const std::vector<std::string>& values, std::string_view wanted) {
  return std::find(values.begin(), values.end(), wanted) != values.end();
}

} // namespace hyperpipe::pipeline::parser_test
