#include "hyper/process/memory_limit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace hyperpipe::hyper {
namespace {

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::uint64_t k_mib = 1024ULL * 1024ULL;

} // namespace

Result<std::string> check_memory_limit(std::string_view text) {
  std::string value(text);
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto refused = [&] {
    return make_error(ErrorKind::invalid_argument, fmt::format("engine memory limit \"{}\" is not a size", text),
                      "give bytes with an optional unit (e.g. 4g, 512m) or a share of the machine's memory (e.g. 50%)");
  };
  if (value.empty()) {
    return refused();
  }
  const char unit = value.back();
  if (unit == '%') {
    const auto percent = whole_number(std::string_view(value).substr(0, value.size() - 1));
    if (!percent || *percent < 1 || *percent > 100) {
      return refused();
    }
    return value;
  }
  const bool has_unit = unit == 'k' || unit == 'm' || unit == 'g' || unit == 't';
  const auto number = whole_number(std::string_view(value).substr(0, value.size() - (has_unit ? 1 : 0)));
  if (!number || *number == 0) {
    return refused();
  }
  const std::uint64_t scale = unit == 'k' ? 1ULL << 10U : unit == 'm' ? 1ULL << 20U : unit == 'g' ? 1ULL << 30U
                              : unit == 't'                        ? 1ULL << 40U
                                                                   : 1;
  if (*number > UINT64_MAX / scale || *number * scale < 128 * k_mib) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("engine memory limit \"{}\" is {}", text,
                                  *number > UINT64_MAX / scale ? "too large" : "below 128m"),
                      "hyperd needs at least 128m to write tables; give e.g. 512m, 4g or 50%");
  }
  return value;
}

std::string default_memory_limit(std::uint64_t machine_bytes, std::optional<std::uint64_t> cgroup_bytes) {
  std::uint64_t available = machine_bytes;
  if (cgroup_bytes && *cgroup_bytes < available) {
    available = *cgroup_bytes;
  }
  const std::uint64_t half_mib = std::max<std::uint64_t>(available / 2 / k_mib, 256);
  return fmt::format("{}m", half_mib);
}

std::optional<std::uint64_t> meminfo_total(std::string_view meminfo) {
  constexpr std::string_view key = "MemTotal:";
  const auto at = meminfo.find(key);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = meminfo.substr(at + key.size());
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  const auto digits = rest.substr(0, rest.find_first_not_of("0123456789"));
  const auto kib = whole_number(digits);
  if (!kib) {
    return std::nullopt;
  }
  return *kib * 1024;
}

std::optional<std::uint64_t> cgroup_memory_max(std::string_view memory_max) {
  while (!memory_max.empty() && std::isspace(static_cast<unsigned char>(memory_max.back())) != 0) {
    memory_max.remove_suffix(1);
  }
  return whole_number(memory_max); // "max" (no limit) is not a number
}

std::string machine_default_memory_limit() {
  const auto machine = meminfo_total(read_small_file("/proc/meminfo"));
  const auto cgroup = cgroup_memory_max(read_small_file("/sys/fs/cgroup/memory.max"));
  if (!machine && !cgroup) {
    return "50%"; // hyperd works the share out itself
  }
  return default_memory_limit(machine.value_or(UINT64_MAX), cgroup);
}

} // namespace hyperpipe::hyper
