#include "base/pg_environment.hpp"

#include <cstdlib>

namespace hyperpipe::base {
namespace {

struct SetAside {
  bool done = false;
  std::optional<std::string> hostaddr;
  std::optional<std::string> service;
};

SetAside& set_aside() {
  static SetAside values;
  return values;
}

std::optional<std::string> non_empty(const char* text) {
  return text != nullptr && *text != '\0' ? std::optional<std::string>(text) : std::nullopt;
}

} // namespace

void set_aside_pg_redirects() {
  SetAside& values = set_aside();
  values.hostaddr = non_empty(std::getenv("PGHOSTADDR"));
  values.service = non_empty(std::getenv("PGSERVICE"));
  values.done = true;
  ::unsetenv("PGHOSTADDR");
  ::unsetenv("PGSERVICE");
}

std::optional<std::string> pghostaddr() {
  return set_aside().done ? set_aside().hostaddr : non_empty(std::getenv("PGHOSTADDR"));
}

std::optional<std::string> pgservice() {
  return set_aside().done ? set_aside().service : non_empty(std::getenv("PGSERVICE"));
}

} // namespace hyperpipe::base
