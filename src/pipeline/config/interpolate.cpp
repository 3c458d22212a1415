#include "pipeline/config/interpolate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>


namespace hyperpipe::pipeline {
namespace {

bool valid_variable(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

constexpr std::string_view k_state_prefix = "state.";

} // namespace

Environment process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
  };
}

bool looks_secret(std::string_view variable) {
  std::string upper(variable);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (std::string_view word : {"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "AUTH"}) {
    if (upper.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

Result<Interpolated> interpolate(std::string_view text, const Environment& environment) {
  Interpolated out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$') {
      out.text += c;
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out.text += '$';
      i += 2;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out.text += c; // a lone $ (e.g. in SQL or a regex) stays as written
      ++i;
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return make_error(ErrorKind::invalid_argument, fmt::format("\"${{\" without a closing \"}}\" in \"{}\"", text),
                        "write ${NAME}, or $$ for a literal $");
    }
    const std::string_view body = text.substr(i + 2, close - i - 2);
    if (body.starts_with(k_state_prefix)) {
      out.text.append(text.substr(i, close - i + 1)); // filled in at run time
      i = close + 1;
      continue;
    }
    const auto dash = body.find(":-");
    const std::string name(body.substr(0, dash));
    if (!valid_variable(name)) {
      return make_error(ErrorKind::invalid_argument, fmt::format("\"${{{}}}\" is not a variable reference", body),
                        "variable names are letters, digits and _; write $$ for a literal $");
    }
    auto value = environment(name);
    if (value && value->empty()) {
      value.reset(); // empty counts as unset, as in the shell's ${NAME:-fallback}
    }
    if (!value && dash != std::string_view::npos) {
      value = std::string(body.substr(dash + 2));
    } else if (!value) {
      return make_error(ErrorKind::not_found, fmt::format("environment variable {} is not set", name),
                        fmt::format("export {}=..., or write ${{{}:-default}}", name, name));
    } else if (looks_secret(name) && !value->empty()) {
      out.secrets.push_back(*value);
    }
    if (!value->empty()) {
      out.values.push_back(*value);
    }
    out.text += *value;
    i = close + 1;
  }
  return out;
}

Result<std::string> fill_state_placeholders(std::string_view text,
                                            const std::function<std::optional<std::string>(const std::string&)>& values) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto start = text.find("${state.", i);
    if (start == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, start - i));
    const auto close = text.find('}', start);
    if (close == std::string_view::npos) {
      return make_error(ErrorKind::invalid_argument, fmt::format("unclosed \"${{state.\" in \"{}\"", text));
    }
    const std::string name(text.substr(start + 8, close - start - 8));
    const auto value = values(name);
    if (!value) {
      return make_error(ErrorKind::invalid_argument, fmt::format("${{state.{}}} is not a state value", name),
                        "the state offers ${state.watermark}");
    }
    out += *value;
    i = close + 1;
  }
  return out;
}

bool mentions_state(std::string_view text, std::string_view name) {
  return text.find(fmt::format("${{state.{}}}", name)) != std::string_view::npos;
}

} // namespace hyperpipe::pipeline
