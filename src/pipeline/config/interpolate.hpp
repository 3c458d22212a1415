#pragma once
// ${NAME} in pipeline values: secrets and paths come from the environment, never from the file.
//
//   ${NAME}            the variable's value; an error if it is not set
//   ${NAME:-fallback}  the value, or the fallback when unset or empty
//   $$                 a literal $
//   ${state.NAME}      left as written: filled in at run time from the pipeline's state
//                      (for example ${state.watermark}, the last loaded value of a source)
//
// Pure: the environment is a function, so tests need no real environment.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::pipeline {

using Environment = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment (empty values count as unset).
Environment process_environment();

struct Interpolated {
  std::string text;
  /// Values taken from variables whose names say they are secret (…KEY, …TOKEN, …SECRET,
  /// …PASSWORD): they are redacted from every log line, message and report.
  std::vector<std::string> secrets;
  /// Every value taken from a variable, whatever its name: where a value is used as a credential
  /// (auth, headers, connection strings) these are secrets too — by use, not by name.
  std::vector<std::string> values;
};

Result<Interpolated> interpolate(std::string_view text, const Environment& environment);

/// Replaces ${state.NAME} with values[NAME]; unknown names are an error.
Result<std::string> fill_state_placeholders(std::string_view text,
                                            const std::function<std::optional<std::string>(const std::string&)>& values);

/// True when the text contains ${state.NAME}.
bool mentions_state(std::string_view text, std::string_view name);

/// A variable name that suggests a secret.
bool looks_secret(std::string_view variable);

} // namespace hyperpipe::pipeline
