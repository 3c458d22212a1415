// `hyperpipe schedule next "CRON"`: the next fire times of a schedule, to check it before
// trusting it with a pipeline.

#include <fmt/format.h>

#include <date/tz.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "schedule/cron.hpp"

namespace hyperpipe::cli {

Runner add_schedule_command(CLI::App& app) {
  struct Args {
    std::string cron;
    std::string zone = "UTC";
    std::string from;
    int count = 5;
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand("schedule", "Check cron schedules");
  command->require_subcommand(1);
  CLI::App* next = command->add_subcommand("next", "Print the next fire times of a cron schedule, with UTC offsets");
  next->add_option("cron", args->cron, "five fields (\"0 6 * * 1-5\") or @hourly/@daily/@weekly/@monthly/@yearly")->required();
  next->add_option("--timezone", args->zone, "IANA time zone the schedule is read in (default: UTC)");
  next->add_option("--from", args->from, "start after this ISO 8601 time (default: now)");
  next->add_option("--count", args->count, "how many fire times (default: 5)")->check(CLI::Range(1, 1000));
  next->footer("Day of month and day of week both restricted: either matches (as in Vixie cron).\n"
               "A time skipped by a DST change fires at the first instant after the gap; a repeated hour fires once.");
  return [args] {
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
