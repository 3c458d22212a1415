#include "hyper/process/memory_limit.hpp"

#include "base/whole_number.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hyperpipe::hyper {
namespace {

std::optional<std::uint64_t> whole_number(std::string_view text) {
  auto parsed = base::parse_whole_number<std::uint64_t>(text, "a size");
  return parsed ? std::optional<std::uint64_t>(*parsed) : std::nullopt;
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

namespace {

// The path after `prefix` on the line of /proc/self/cgroup that has it ("0::", ":memory:").
std::optional<std::string> cgroup_line(std::string_view text, std::string_view marker, bool at_start) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto line = text.substr(start, end - start);
    const auto at = line.find(marker);
    if (at != std::string_view::npos && (!at_start || at == 0) && line.size() > at + marker.size() &&
        line[at + marker.size()] == '/') {
      return std::string(line.substr(at + marker.size()));
    }
    start = end + 1;
  }
  return std::nullopt;
}

// The smallest of `file` in `dir` and in each of its parents up to `root`: a systemd MemoryMax=
// sits on the unit, a container's limit on an ancestor.
std::optional<std::uint64_t> smallest_up_to(const std::filesystem::path& root, const std::string& path,
                                            const char* file) {
  std::optional<std::uint64_t> smallest;
  std::filesystem::path dir = root / std::filesystem::path(path).relative_path();
  for (;;) {
    if (const auto limit = cgroup_memory_max(read_small_file((dir / file).c_str()))) {
      smallest = smallest ? std::min(*smallest, *limit) : *limit;
    }
    if (dir == root || !dir.has_parent_path() || dir.parent_path() == dir) {
      return smallest;
    }
    dir = dir.parent_path();
  }
}

} // namespace

std::optional<std::string> cgroup_v2_path(std::string_view proc_self_cgroup) {
  return cgroup_line(proc_self_cgroup, "0::", true);
}

std::optional<std::string> cgroup_v1_memory_path(std::string_view proc_self_cgroup) {
  return cgroup_line(proc_self_cgroup, ":memory:", false);
}

std::string machine_default_memory_limit() {
  const auto machine = meminfo_total(read_small_file("/proc/meminfo"));
  const std::string cgroups = read_small_file("/proc/self/cgroup");
  auto cgroup = smallest_up_to("/sys/fs/cgroup", cgroup_v2_path(cgroups).value_or("/"), "memory.max");
  // cgroup v1 (its "unlimited" is a huge number, which the minimum with the machine ignores).
  if (const auto v1 = smallest_up_to("/sys/fs/cgroup/memory", cgroup_v1_memory_path(cgroups).value_or("/"),
                                     "memory.limit_in_bytes")) {
    cgroup = cgroup ? std::min(*cgroup, *v1) : *v1;
  }
  if (!machine && !cgroup) {
    return "50%"; // hyperd works the share out itself
  }
  return default_memory_limit(machine.value_or(UINT64_MAX), cgroup);
}

} // namespace hyperpipe::hyper
