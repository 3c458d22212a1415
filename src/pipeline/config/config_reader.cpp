#include "pipeline/config/config_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <map>

namespace hyperpipe::pipeline {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const char* kind_name(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map: return "a mapping";
  case YAML::NodeType::Sequence: return "a list";
  case YAML::NodeType::Scalar: return "a value";
  case YAML::NodeType::Null: return "empty";
  default: return "nothing";
  }
}

} // namespace

Mark mark_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) {
    return {};
  }
  return {mark.line + 1, mark.column + 1};
}

std::string join_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

ConfigReader::ConfigReader(YAML::Node node, std::string path, ReaderContext& context)
    : m_node(std::move(node)), m_path(std::move(path)), m_context(&context) {
  if (!m_node.IsMap() && !m_node.IsNull()) {
    m_context->diagnostics.add(pipeline::mark_of(m_node), m_path, fmt::format("expected a mapping of keys, found {}", kind_name(m_node)));
  }
}

// YAML merge keys ("<<: *defaults"): yaml-cpp resolves the alias but not the merge, so a key
// missing from the mapping is looked up in the merged mapping(s).
YAML::Node ConfigReader::value_of(std::string_view key) const {
  if (!m_node.IsMap()) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const std::string name(key);
  for (const auto& entry : m_node) {
    if (entry.first.as<std::string>("") == name) {
      return entry.second;
    }
  }
  for (const auto& entry : m_node) {
    if (entry.first.as<std::string>("") != "<<") {
      continue;
    }
    const auto merged = entry.second.IsSequence() ? entry.second : YAML::Node(std::vector<YAML::Node>{entry.second});
    for (const auto& source : merged) {
      if (source.IsMap()) {
        for (const auto& inner : source) {
          if (inner.first.as<std::string>("") == name) {
            return inner.second;
          }
        }
      }
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool ConfigReader::has(std::string_view key) const {
  const YAML::Node value = value_of(key);
  return value.IsDefined() && !value.IsNull();
}

Mark ConfigReader::mark_of(std::string_view key) const {
  if (m_node.IsMap()) {
    const YAML::Node value = value_of(key);
    if (value.IsDefined() && !value.Mark().is_null()) {
      return pipeline::mark_of(value);
    }
  }
  return mark();
}

std::string ConfigReader::path_of(std::string_view key) const { return join_path(m_path, key); }

void ConfigReader::error_at(Mark mark, std::string path, std::string message, std::string hint) {
  m_context->diagnostics.add(mark, std::move(path), std::move(message), std::move(hint));
}

Mark ConfigReader::mark_in(std::string_view key, std::string_view name) const {
  const YAML::Node map = value_of(key);
  if (map.IsMap()) {
    for (const auto& entry : map) {
      if (entry.first.as<std::string>("") == name) {
        return pipeline::mark_of(entry.second);
      }
    }
  }
  return mark_of(key);
}

void ConfigReader::missing(std::string_view key) {
  // An empty entry ("name:" and nothing) has no position of its own: point at its name.
  m_context->diagnostics.add(m_node.IsNull() ? key_mark() : mark(), path_of(key), fmt::format("\"{}\" is required", key));
}

void ConfigReader::error(std::string_view key, std::string message, std::string hint) {
  m_context->diagnostics.add(mark_of(key), key.empty() ? m_path : path_of(key), std::move(message), std::move(hint));
}

std::optional<std::string> ConfigReader::scalar(std::string_view key, const YAML::Node& value, std::string_view what,
                                                bool sensitive) {
  if (!value.IsScalar()) {
    m_context->diagnostics.add(pipeline::mark_of(value), path_of(key), fmt::format("expected {}, found {}", what, kind_name(value)));
    return std::nullopt;
  }
  auto interpolated = interpolate(value.Scalar(), m_context->environment);
  if (!interpolated) {
    m_context->diagnostics.add(pipeline::mark_of(value), path_of(key), interpolated.error().message, interpolated.error().hint);
    return std::nullopt;
  }
  for (auto& secret : interpolated->secrets) {
    m_context->secrets.push_back(std::move(secret));
  }
  if (sensitive) {
    for (auto& secret : interpolated->values) {
      m_context->secrets.push_back(std::move(secret));
    }
  }
  return std::move(interpolated->text);
}

std::optional<std::string> ConfigReader::secret_text(std::string_view key, bool required) {
  auto value = read_text(key, required, true);
  if (value) {
    add_secret(*value);
  }
  return value;
}

std::optional<std::string> ConfigReader::text(std::string_view key, bool required) { return read_text(key, required, false); }

std::optional<std::string> ConfigReader::read_text(std::string_view key, bool required, bool sensitive) {
  m_known.emplace(key);
  if (!has(key)) {
    if (required) {
      missing(key);
    }
    return std::nullopt;
  }
  return scalar(key, value_of(key), "a text value", sensitive);
}

std::optional<bool> ConfigReader::flag(std::string_view key) {
  m_known.emplace(key);
  if (!has(key)) {
    return std::nullopt;
  }
  auto value = scalar(key, value_of(key), "true or false");
  if (!value) {
    return std::nullopt;
  }
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "yes" || lower == "on") {
    return true;
  }
  if (lower == "false" || lower == "no" || lower == "off") {
    return false;
  }
  error(key, fmt::format("\"{}\" is not true or false", *value));
  return std::nullopt;
}

std::optional<long long> ConfigReader::integer(std::string_view key, long long min, long long max) {
  m_known.emplace(key);
  if (!has(key)) {
    return std::nullopt;
  }
  auto value = scalar(key, value_of(key), "a whole number");
  if (!value) {
    return std::nullopt;
  }
  long long number = 0;
  const char* end = value->data() + value->size();
  const auto [stop, code] = std::from_chars(value->data(), end, number);
  if (code != std::errc() || stop != end) {
    error(key, fmt::format("\"{}\" is not a whole number", *value));
    return std::nullopt;
  }
  if (number < min || number > max) {
    error(key, fmt::format("{} is out of range", number), fmt::format("use {} to {}", min, max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::chrono::seconds> ConfigReader::duration(std::string_view key, std::chrono::seconds min,
                                                          std::chrono::seconds max) {
  m_known.emplace(key);
  if (!has(key)) {
    return std::nullopt;
  }
  auto value = scalar(key, value_of(key), "a duration");
  if (!value) {
    return std::nullopt;
  }
  long long number = 0;
  const char* end = value->data() + value->size();
  const auto [stop, code] = std::from_chars(value->data(), end, number);
  const std::string_view unit(stop, static_cast<std::size_t>(end - stop));
  long long scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1;
  } else if (unit == "m" || unit == "min") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else if (unit == "d") {
    scale = 86'400;
  }
  if (code != std::errc() || scale == 0 || number < 0) {
    error(key, fmt::format("\"{}\" is not a duration", *value), "write seconds (90), or a number with s, m, h or d (30m, 2h)");
    return std::nullopt;
  }
  const std::chrono::seconds seconds(number * scale);
  if (seconds < min || seconds > max) {
    error(key, fmt::format("{} is out of range", *value), fmt::format("use {} s to {} s", min.count(), max.count()));
    return std::nullopt;
  }
  return seconds;
}

std::optional<std::size_t> ConfigReader::choice(std::string_view key, const std::vector<std::string_view>& allowed) {
  auto value = text(key);
  if (!value) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (*value == allowed[i]) {
      return i;
    }
  }
  error(key, fmt::format("\"{}\" is not one of {}", *value, fmt::join(allowed, ", ")),
        fmt::format("use {}", fmt::join(allowed, " or ")));
  return std::nullopt;
}

std::optional<double> ConfigReader::number(std::string_view key, double min, double max) {
  m_known.emplace(key);
  if (!has(key)) {
    return std::nullopt;
  }
  auto value = scalar(key, value_of(key), "a number");
  if (!value) {
    return std::nullopt;
  }
  char* stop = nullptr;
  const double number = std::strtod(value->c_str(), &stop);
  if (value->empty() || stop != value->c_str() + value->size() || !std::isfinite(number)) {
    error(key, fmt::format("\"{}\" is not a number", *value));
    return std::nullopt;
  }
  if (number < min || number > max) {
    error(key, fmt::format("{} is out of range", *value), fmt::format("use {} to {}", min, max));
    return std::nullopt;
  }
  return number;
}

std::vector<std::string> ConfigReader::texts(std::string_view key) {
  m_known.emplace(key);
  std::vector<std::string> out;
  if (!has(key)) {
    return out;
  }
  const YAML::Node value = value_of(key);
  if (value.IsScalar()) {
    if (auto one = scalar(key, value, "a text value")) {
      out.push_back(std::move(*one));
    }
    return out;
  }
  if (!value.IsSequence()) {
    error(key, fmt::format("expected a value or a list of values, found {}", kind_name(value)));
    return out;
  }
  for (const auto& item : value) {
    if (auto one = scalar(key, item, "a text value")) {
      out.push_back(std::move(*one));
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigReader::text_map(std::string_view key, bool sensitive) {
  m_known.emplace(key);
  std::vector<std::pair<std::string, std::string>> out;
  if (!has(key)) {
    return out;
  }
  const YAML::Node value = value_of(key);
  if (!value.IsMap()) {
    error(key, fmt::format("expected a mapping of names to values, found {}", kind_name(value)));
    return out;
  }
  for (const auto& entry : value) {
    const std::string name = entry.first.as<std::string>("");
    if (auto text = scalar(join_path(key, name), entry.second, "a text value", sensitive)) {
      out.emplace_back(name, std::move(*text));
    }
  }
  return out;
}

std::optional<ConfigReader> ConfigReader::child(std::string_view key, bool required) {
  m_known.emplace(key);
  if (!has(key)) {
    if (required) {
      missing(key);
    }
    return std::nullopt;
  }
  const YAML::Node value = value_of(key);
  if (!value.IsMap()) {
    error(key, fmt::format("expected a mapping of keys, found {}", kind_name(value)));
    return std::nullopt;
  }
  return ConfigReader(value, path_of(key), *m_context);
}

std::vector<ConfigReader> ConfigReader::items(std::string_view key, bool required) {
  m_known.emplace(key);
  std::vector<ConfigReader> out;
  if (!has(key)) {
    if (required) {
      missing(key);
    }
    return out;
  }
  const YAML::Node value = value_of(key);
  if (!value.IsSequence()) {
    error(key, fmt::format("expected a list, found {}", kind_name(value)), "start each item with \"- \"");
    return out;
  }
  std::size_t index = 0;
  for (const auto& item : value) {
    out.emplace_back(item, fmt::format("{}[{}]", path_of(key), index++), *m_context);
  }
  return out;
}

std::vector<std::pair<std::string, ConfigReader>> ConfigReader::entries(std::string_view key, bool required) {
  m_known.emplace(key);
  std::vector<std::pair<std::string, ConfigReader>> out;
  if (!has(key)) {
    if (required) {
      missing(key);
    }
    return out;
  }
  const YAML::Node value = value_of(key);
  if (!value.IsMap()) {
    error(key, fmt::format("expected a mapping of names, found {}", kind_name(value)));
    return out;
  }
  std::set<std::string> seen;
  for (const auto& entry : value) {
    const std::string name = entry.first.as<std::string>("");
    if (!seen.insert(name).second) {
      m_context->diagnostics.add(pipeline::mark_of(entry.first), path_of(key), fmt::format("\"{}\" appears twice", name),
                                 "names must be unique");
      continue;
    }
    ConfigReader reader(entry.second, join_path(path_of(key), name), *m_context);
    reader.m_key_mark = pipeline::mark_of(entry.first);
    out.emplace_back(name, std::move(reader));
  }
  return out;
}

YAML::Node ConfigReader::raw(std::string_view key) {
  m_known.emplace(key);
  return m_node.IsMap() ? value_of(key) : YAML::Node();
}

void ConfigReader::finish() {
  if (!m_node.IsMap()) {
    return;
  }
  std::map<std::string, int> counts;
  for (const auto& entry : m_node) {
    const std::string key = entry.first.as<std::string>("");
    if (++counts[key] == 2) {
      m_context->diagnostics.add(pipeline::mark_of(entry.first), path_of(key), "this key appears twice in the same mapping",
                                 "keep one");
    }
    if (m_known.contains(key) || key == "<<") {
      continue;
    }
    std::string closest;
    std::size_t best = 3;
    for (const auto& known : m_known) {
      const std::size_t distance = edit_distance(key, known);
      if (distance < best) {
        best = distance;
        closest = known;
      }
    }
    std::vector<std::string> keys(m_known.begin(), m_known.end());
    m_context->diagnostics.add(pipeline::mark_of(entry.first), path_of(key), fmt::format("unknown key \"{}\"", key),
                               closest.empty() ? fmt::format("known keys here: {}", fmt::join(keys, ", "))
                                               : fmt::format("did you mean \"{}\"?", closest));
  }
}

} // namespace hyperpipe::pipeline
