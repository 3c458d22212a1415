// `hyperpipe doctor [PIPELINE.yaml]`: each check one line (ok / FAIL, what was found), with the
// fix under a failure; --json for monitoring. Exit 1 when any check fails.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "cli/commands.hpp"
#include "cli/engine_flags.hpp"
#include "cli/exit_codes.hpp"
#include "cli/pipeline_file.hpp"
#include "pipeline/doctor/doctor.hpp"

namespace hyperpipe::cli {

Runner add_doctor_command(CLI::App& app) {
  struct Args {
    std::string file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand(
      "doctor", "Check what a run needs, without running it: hyperd, the state folder, sources, credentials, Tableau, the schedule");
  command->add_option("pipeline", args->file, "the pipeline file (YAML); none: check hyperd only");
  command->add_flag("--json", args->json, "one JSON array of checks (name, ok, verdict, fix)");
  auto engine_flags = add_engine_flags(*command);
  command->footer("Nothing is loaded or published. Credentials are named, never shown.");
  return [args, engine_flags] {
    std::optional<pipeline::PipelineSpec> spec;
    if (!args->file.empty()) {
      spec = load_or_report(args->file);
      if (!spec) {
        return static_cast<int>(k_exit_config);
      }
    }
    pipeline::DoctorOptions options;
    options.engine = engine_flags->options();
    const auto checks = pipeline::run_doctor(spec ? &*spec : nullptr, options);
    if (args->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& check : checks) {
        out.push_back({{"name", check.name}, {"ok", check.ok}, {"verdict", check.verdict}, {"fix", check.fix}});
      }
      fmt::print("{}\n", out.dump(2));
    } else {
      for (const auto& check : checks) {
        fmt::print("{:<5} {}: {}\n", check.ok ? "ok" : "FAIL", check.name, check.verdict);
        if (!check.ok) {
          fmt::print("      fix: {}\n", check.fix);
        }
      }
    }
    const bool all_ok = std::all_of(checks.begin(), checks.end(), [](const auto& check) { return check.ok; });
    return static_cast<int>(all_ok ? k_exit_ok : k_exit_failure);
  };
}

} // namespace hyperpipe::cli
