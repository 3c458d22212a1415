// `hyperpipe schedule`: the daemon (schedule_daemon.cpp), `schedule next "CRON"` to check a
// schedule before trusting it with a pipeline, and `schedule install` for the OS's scheduler.

#include <fmt/format.h>

#include <date/tz.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "cli/commands.hpp"
#include "cli/pipeline_file.hpp"
#include "cli/exit_codes.hpp"
#include "cli/schedule_daemon.hpp"
#include "schedule/cron.hpp"

namespace hyperpipe::cli {

namespace {

std::filesystem::path own_binary() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("hyperpipe") : path;
}

// systemd quotes arguments with spaces; paths are quoted always.
std::string quoted(const std::filesystem::path& path) { return fmt::format("\"{}\"", path.string()); }

struct Units {
  std::string service;
  std::string timer;
};

Units systemd_units(const pipeline::PipelineSpec& spec, const std::vector<std::string>& calendar) {
  const auto binary = own_binary();
  Units units;
  units.service = fmt::format(
      "# Written by hyperpipe schedule install: runs pipeline {} once.\n"
      "[Unit]\nDescription=hyperpipe pipeline {}\nWants=network-online.target\nAfter=network-online.target\n\n"
      "[Service]\nType=oneshot\nWorkingDirectory={}\nExecStart={} run {} --progress never --log-format json\n",
      spec.name, spec.name, spec.file.parent_path().string(), quoted(binary), quoted(spec.file)); // WorkingDirectory takes no quotes
  std::string on_calendar;
  for (const auto& line : calendar) {
    on_calendar += fmt::format("OnCalendar={}\n", line);
  }
  units.timer = fmt::format(
      "# Written by hyperpipe schedule install from: cron \"{}\", time zone {}.\n"
      "[Unit]\nDescription=Schedule of hyperpipe pipeline {}\n\n"
      "[Timer]\n{}Persistent=false\nUnit=hyperpipe-{}.service\n\n[Install]\nWantedBy=timers.target\n",
      spec.schedule->cron, spec.schedule->timezone, spec.name, on_calendar, spec.name);
  return units;
}

std::string crontab_line(const pipeline::PipelineSpec& spec) {
  return fmt::format("CRON_TZ={}\n{} cd {} && {} run {} --progress never --log-format json >> {} 2>&1\n",
                     spec.schedule->timezone, spec.schedule->cron, quoted(spec.file.parent_path()), quoted(own_binary()),
                     quoted(spec.file), quoted(spec.state_dir / (spec.name + ".cron.log")));
}

} // namespace

Runner add_schedule_command(CLI::App& app) {
  struct Args {
    std::string cron;
    std::string zone = "UTC";
    std::string from;
    int count = 5;
    std::string pipeline;
    bool systemd = false;
    bool cron_table = false;
    bool print = false;
    std::string dir;
    std::vector<std::string> pipelines;
    std::string log_format = "text";
    std::string on_stop = "finish";
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("schedule", "Run pipelines on their schedules (a daemon), check schedules, or install them into systemd/cron");
  command->require_subcommand(0, 1);
  command->add_option("pipelines", args->pipelines, "pipeline files to run on their schedule: until SIGTERM/SIGINT");
  command->add_option("--log-format", args->log_format, "decisions as text (default) or json lines, on stdout")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--on-stop", args->on_stop, "on SIGTERM/SIGINT: finish (default) the runs going, or abort them; a second signal aborts")
      ->check(CLI::IsMember({"finish", "abort"}));
  command->footer("Each run is `hyperpipe run --trigger schedule` in a child process; its output goes to\n"
                  "STATE_DIR/logs/NAME/. Policies (overlap, catch_up, max_run_time, retries) are the pipeline's\n"
                  "schedule: keys; see docs/pipeline.md.");
  CLI::App* next = command->add_subcommand("next", "Print the next fire times of a cron schedule, with UTC offsets");
  next->add_option("cron", args->cron, "five fields (\"0 6 * * 1-5\") or @hourly/@daily/@weekly/@monthly/@yearly")->required();
  next->add_option("--timezone", args->zone, "IANA time zone the schedule is read in (default: UTC)");
  next->add_option("--from", args->from, "start after this ISO 8601 time (default: now)");
  next->add_option("--count", args->count, "how many fire times (default: 5)")->check(CLI::Range(1, 1000));
  next->footer("Day of month and day of week both restricted: either matches (as in Vixie cron).\n"
               "A time skipped by a DST change fires at the first instant after the gap; a repeated hour fires once.");
  CLI::App* install = command->add_subcommand("install", "Have the operating system run a pipeline on its schedule (systemd timer or crontab)");
  install->add_option("pipeline", args->pipeline, "the pipeline file; its schedule: {cron, timezone} is used")->required();
  auto* systemd = install->add_flag("--systemd", args->systemd, "a systemd service + timer (user units by default)");
  auto* cron = install->add_flag("--cron", args->cron_table, "a crontab entry (printed: add it with crontab -e)");
  systemd->excludes(cron);
  install->add_flag("--print", args->print, "print the units instead of writing them");
  install->add_option("--dir", args->dir, "where to write systemd units (default: ~/.config/systemd/user)");
  install->footer("Windows: hyperpipe runs inside WSL2; a Task Scheduler task runs \"wsl.exe -d Debian -- hyperpipe run PIPELINE.yaml\" (see README, Windows).");
  return [args, install, next] {
    if (!install->parsed() && !next->parsed()) {
      if (args->pipelines.empty()) {
        return report(make_error(ErrorKind::invalid_argument, "give the pipeline files to schedule",
                                 "hyperpipe schedule PIPELINE.yaml...; or schedule next / schedule install (--help)"));
      }
      DaemonOptions options;
      options.program = own_binary();
      options.json_log = args->log_format == "json";
      options.on_stop = args->on_stop == "abort" ? schedule::StopMode::abort : schedule::StopMode::finish;
      return run_schedule_daemon(args->pipelines, options);
    }
    if (install->parsed()) {
      if (!args->systemd && !args->cron_table) {
        return report(make_error(ErrorKind::invalid_argument, "say --systemd or --cron"));
      }
      auto spec = load_or_report(args->pipeline);
      if (!spec) {
        return static_cast<int>(k_exit_config);
      }
      if (!spec->schedule) {
        return report(make_error(ErrorKind::invalid_argument, fmt::format("{} has no schedule", args->pipeline),
                                 "add schedule: {cron: \"0 6 * * 1-5\", timezone: Europe/Brussels}"));
      }
      if (args->cron_table) {
        fmt::print("{}", crontab_line(*spec));
        return static_cast<int>(k_exit_ok);
      }
      const auto calendar = schedule::CronSchedule::parse(spec->schedule->cron).value().to_systemd_calendar(spec->schedule->timezone);
      const Units units = systemd_units(*spec, calendar);
      const std::string base = fmt::format("hyperpipe-{}", spec->name);
      if (args->print) {
        fmt::print("# {}.service\n{}\n# {}.timer\n{}", base, units.service, base, units.timer);
        return static_cast<int>(k_exit_ok);
      }
      std::filesystem::path dir = args->dir;
      if (dir.empty()) {
        const char* home = std::getenv("HOME");
        dir = std::filesystem::path(home != nullptr ? home : ".") / ".config" / "systemd" / "user";
      }
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      for (const auto& [name, text] : {std::pair{base + ".service", units.service}, std::pair{base + ".timer", units.timer}}) {
        std::ofstream out(dir / name, std::ios::trunc);
        out << text;
        if (!out) {
          return report(make_error(ErrorKind::io, fmt::format("cannot write {}", (dir / name).string())));
        }
        fmt::print("wrote {}\n", (dir / name).string());
      }
      fmt::print("enable it with: systemctl --user daemon-reload && systemctl --user enable --now {}.timer\n", base);
      return static_cast<int>(k_exit_ok);
    }
    auto schedule = schedule::CronSchedule::parse(args->cron);
    if (!schedule) {
      return report(schedule.error());
    }
    auto zone = schedule::find_zone(args->zone);
    if (!zone) {
      return report(zone.error());
    }
    schedule::Instant at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (!args->from.empty()) {
      auto from = schedule::parse_instant(args->from, **zone);
      if (!from) {
        return report(from.error());
      }
      at = *from;
    }
    for (int i = 0; i < args->count; ++i) {
      auto fire = schedule->next(at, **zone);
      if (!fire) {
        return report(fire.error());
      }
      fmt::print("{}\n", schedule::format_instant(*fire, **zone));
      at = *fire;
    }
    return static_cast<int>(k_exit_ok);
  };
}

} // namespace hyperpipe::cli
