#pragma once
// How much memory hyperd may use. hyperd's own default is 80 % of the machine's RAM, counted
// from physical memory even inside a container whose cgroup allows far less, and it then
// competes with everything else on the box. hyperpipe passes a limit instead: half of what the
// machine (or its cgroup) really has, or the user's own (--engine-memory-limit,
// HYPERPIPE_ENGINE_MEMORY_LIMIT). At the limit hyperd spills what it can to its temporary folder
// (inside the private engine folder) rather than growing; what it cannot (measured: a GROUP BY
// written into a table) fails with "global memory limit ... exceeded", which the connection
// turns into a hint naming the flag. Below 128m hyperd cannot even write compressed blocks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hyperpipe/error.hpp"

namespace hyperpipe::hyper {

/// A limit as hyperd reads it: a whole number of bytes with an optional unit k, m, g or t
/// (binary: 1k = 1024), or a percentage of the machine's memory (1%..100%). Returned in the
/// form hyperd is given, lower case; anything else is refused, naming the value.
Result<std::string> check_memory_limit(std::string_view text);

/// The default: half of the smaller of the machine's memory and its cgroup's limit, in whole
/// MiB, at least 256 MiB ("m" units, as hyperd reads them).
std::string default_memory_limit(std::uint64_t machine_bytes, std::optional<std::uint64_t> cgroup_bytes);

/// "MemTotal:  24000000 kB" from /proc/meminfo's text, in bytes.
std::optional<std::uint64_t> meminfo_total(std::string_view meminfo);
/// cgroup v2's memory.max ("max" or a number of bytes); nullopt when unlimited or unreadable.
std::optional<std::uint64_t> cgroup_memory_max(std::string_view memory_max);
/// This process's cgroup v2 path from /proc/self/cgroup's text ("0::/system.slice/x.service").
std::optional<std::string> cgroup_v2_path(std::string_view proc_self_cgroup);
/// Its cgroup v1 memory controller's path ("4:memory:/docker/abc").
std::optional<std::string> cgroup_v1_memory_path(std::string_view proc_self_cgroup);

/// The default for this machine, read from /proc/meminfo and the smallest memory.max of this
/// process's cgroup and its parents (v2; v1's memory.limit_in_bytes too).
std::string machine_default_memory_limit();

} // namespace hyperpipe::hyper
