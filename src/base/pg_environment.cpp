#include "base/pg_environment.hpp"

#include <cstdlib>

namespace hyperpipe::base {
namespace {

std::optional<std::string>& set_aside() {
  static std::optional<std::string> value;
  return value;
}

std::optional<std::string> non_empty(const char* text) {
  return text != nullptr && *text != '\0' ? std::optional<std::string>(text) : std::nullopt;
}

} // namespace

void set_aside_pghostaddr() {
  if (auto value = non_empty(std::getenv("PGHOSTADDR"))) {
    set_aside() = std::move(value);
  }
  ::unsetenv("PGHOSTADDR");
}

std::optional<std::string> pghostaddr() {
  return set_aside() ? set_aside() : non_empty(std::getenv("PGHOSTADDR"));
}

} // namespace hyperpipe::base
