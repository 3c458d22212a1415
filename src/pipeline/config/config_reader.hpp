#pragma once
// Reading one mapping of a pipeline file with every mistake reported, not just the first: wrong
// types, missing keys, unknown keys (with the closest known one suggested), unset environment
// variables. Values are interpolated (${NAME}) as they are read. Source types read their own
// options through this, so a new source type gets the same error messages for free.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/config/diagnostics.hpp"
#include "pipeline/config/interpolate.hpp"

namespace hyperpipe::pipeline {

struct ReaderContext {
  Diagnostics& diagnostics;
  const Environment& environment;
  std::vector<std::string>& secrets; ///< interpolated secret values, for redaction
};

Mark mark_of(const YAML::Node& node);

class ConfigReader {
public:
  ConfigReader(YAML::Node node, std::string path, ReaderContext& context);

  const std::string& path() const { return m_path; }
  Mark mark() const { return pipeline::mark_of(m_node); }
  /// Where this mapping's name is, for an entry of entries() (else its own position).
  Mark key_mark() const { return m_key_mark.line > 0 ? m_key_mark : mark(); }
  /// The position of `name`'s value inside the mapping under `key`.
  Mark mark_in(std::string_view key, std::string_view name) const;
  void error_at(Mark mark, std::string path, std::string message, std::string hint = {});
  bool has(std::string_view key) const;
  Mark mark_of(std::string_view key) const; ///< the value's position (the mapping's if absent)
  std::string path_of(std::string_view key) const;

  std::optional<std::string> text(std::string_view key, bool required = false);
  std::optional<bool> flag(std::string_view key);
  std::optional<long long> integer(std::string_view key, long long min, long long max);
  std::optional<double> number(std::string_view key, double min, double max);
  /// Seconds (90), or a number with a unit: s, m (min), h, d ("30m", "2h").
  std::optional<std::chrono::seconds> duration(std::string_view key, std::chrono::seconds min, std::chrono::seconds max);
  /// The index of the value in `allowed`; anything else is an error listing them.
  std::optional<std::size_t> choice(std::string_view key, const std::vector<std::string_view>& allowed);
  /// One string or a list of strings.
  std::vector<std::string> texts(std::string_view key);
  /// A mapping of names to scalar values, in file order.
  /// `sensitive`: every value taken from a variable is a secret (HTTP headers).
  std::vector<std::pair<std::string, std::string>> text_map(std::string_view key, bool sensitive = false);
  /// A nested mapping.
  std::optional<ConfigReader> child(std::string_view key, bool required = false);
  /// A list of mappings.
  std::vector<ConfigReader> items(std::string_view key, bool required = false);
  /// A mapping of names to mappings ("sources: {sales: {...}}"), in file order.
  std::vector<std::pair<std::string, ConfigReader>> entries(std::string_view key, bool required = false);
  /// The raw node (for a source type's own parsing); marks the key known.
  YAML::Node raw(std::string_view key);

  /// text(), and the value is a secret whatever it is (a credential, recognised by its use, not
  /// by its variable's name: a connection string).
  std::optional<std::string> secret_text(std::string_view key, bool required = false);

  void error(std::string_view key, std::string message, std::string hint = {});
  void missing(std::string_view key);
  /// Marks a value as secret: it is redacted from every message, log line and report.
  void add_secret(const std::string& value) {
    if (!value.empty()) {
      m_context->secrets.push_back(value);
    }
  }
  /// Reports keys nobody read (typos) and duplicate keys. Call after reading everything.
  void finish();

private:
  YAML::Node value_of(std::string_view key) const;
  std::optional<std::string> scalar(std::string_view key, const YAML::Node& value, std::string_view what,
                                    bool sensitive = false);
  std::optional<std::string> read_text(std::string_view key, bool required, bool sensitive);

  YAML::Node m_node;
  std::string m_path;
  ReaderContext* m_context;
  std::set<std::string, std::less<>> m_known;
  Mark m_key_mark;
};

/// "parent.key" (or "key" at the top).
std::string join_path(std::string_view parent, std::string_view key);

} // namespace hyperpipe::pipeline
