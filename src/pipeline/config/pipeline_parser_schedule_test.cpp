// The schedule: and notify: keys of a pipeline file: what the daemon and the notifier are told,
// and every mistake reported where it was made.
#include "pipeline/config/pipeline_parser_test_support.hpp"

namespace hyperpipe::pipeline {
namespace {

using namespace parser_test;
using namespace std::chrono_literals;

constexpr std::string_view k_body = R"yaml(
sources:
  s: {type: csv, path: a.csv}
outputs:
  o: {file: o.hyper, tables: [{name: t, from: s}]}
)yaml";

ParsedPipeline parse_with(const std::string& head, std::map<std::string, std::string> variables = {}) {
  return parse("version: 1\n" + head + std::string(k_body), std::move(variables));
}

TEST(PipelineParserSchedule, EveryPolicyKey) {
  const auto parsed = parse_with(R"yaml(schedule:
  cron: "0 6 * * 1-5"
  timezone: Europe/Brussels
  overlap: queue
  catch_up: once
  max_run_time: 2h
  retries: 3
  retry_backoff: 5m
)yaml");
  ASSERT_TRUE(parsed.spec) << all_diagnostics(parsed);
  const ScheduleSpec& when = *parsed.spec->schedule;
  EXPECT_EQ(when.cron, "0 6 * * 1-5");
  EXPECT_EQ(when.timezone, "Europe/Brussels");
  EXPECT_EQ(when.overlap, schedule::Overlap::queue);
  EXPECT_EQ(when.catch_up, schedule::CatchUp::once);
  EXPECT_EQ(when.max_run_time, std::optional<std::chrono::seconds>(7200s));
  EXPECT_EQ(when.retries, 3);
  EXPECT_EQ(when.retry_backoff, 300s);
}

TEST(PipelineParserSchedule, DefaultsAreSkipNoneNoLimitNoRetries) {
  const auto parsed = parse_with("schedule: {cron: \"@daily\"}\n");
  ASSERT_TRUE(parsed.spec) << all_diagnostics(parsed);
  const ScheduleSpec& when = *parsed.spec->schedule;
  EXPECT_EQ(when.timezone, "UTC");
  EXPECT_EQ(when.overlap, schedule::Overlap::skip);
  EXPECT_EQ(when.catch_up, schedule::CatchUp::none);
  EXPECT_FALSE(when.max_run_time);
  EXPECT_EQ(when.retries, 0);
  EXPECT_EQ(when.retry_backoff, 60s);
  EXPECT_FALSE(parsed.spec->notify);
}

TEST(PipelineParserSchedule, BadPolicyValuesNameTheKeyAndWhatIsAllowed) {
  const auto parsed = parse_with(R"yaml(schedule:
  cron: "61 * * * *"
  timezone: Europe/Brusels
  overlap: wait
  catch_up: all
  max_run_time: 2 hours
  retries: -1
  retry_backoff: 0
  jitter: 5
)yaml");
  ASSERT_FALSE(parsed.spec);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 9, "schedule.cron", "minute", ""));
  EXPECT_TRUE(has_diagnostic(parsed, 4, 13, "schedule.timezone", "Europe/Brusels", ""));
  EXPECT_TRUE(has_diagnostic(parsed, 5, 12, "schedule.overlap", "\"wait\" is not one of skip, queue", "use skip or queue"));
  EXPECT_TRUE(has_diagnostic(parsed, 6, 13, "schedule.catch_up", "\"all\" is not one of none, once", "use none or once"));
  EXPECT_TRUE(has_diagnostic(parsed, 7, 17, "schedule.max_run_time", "\"2 hours\" is not a duration", "30m, 2h"));
  EXPECT_TRUE(has_diagnostic(parsed, 8, 12, "schedule.retries", "-1 is out of range", "use 0 to 100"));
  EXPECT_TRUE(has_diagnostic(parsed, 9, 18, "schedule.retry_backoff", "0 is out of range", ""));
  EXPECT_TRUE(has_diagnostic(parsed, 10, 3, "schedule.jitter", "unknown key \"jitter\"", ""));
}

TEST(PipelineParserNotify, WebhookAndCommandFromTheEnvironmentStaySecret) {
  const auto parsed = parse_with(R"yaml(notify:
  webhook: ${SLACK_WEBHOOK}
  command: [/usr/local/bin/page-me, --team, data]
  on_success: true
  timeout: 10s
)yaml",
                                 {{"SLACK_WEBHOOK", "https://hooks.example.com/services/T000/B000/XXXX"}});
  ASSERT_TRUE(parsed.spec) << all_diagnostics(parsed);
  const NotifySpec& notify = *parsed.spec->notify;
  EXPECT_EQ(notify.targets.webhook, std::optional<std::string>("https://hooks.example.com/services/T000/B000/XXXX"));
  EXPECT_EQ(notify.targets.command, (std::vector<std::string>{"/usr/local/bin/page-me", "--team", "data"}));
  EXPECT_TRUE(notify.targets.shell_command.empty());
  EXPECT_TRUE(notify.targets.on_success);
  EXPECT_EQ(notify.targets.timeout, 10s);
  // Anyone with a webhook URL can post to the channel: it is redacted like a password.
  EXPECT_TRUE(contains(parsed.spec->secrets, "https://hooks.example.com/services/T000/B000/XXXX"));
}

TEST(PipelineParserNotify, AShellCommandLine) {
  const auto parsed = parse_with("notify: {command: \"mail -s 'pipeline failed' data@example.com < \\\"$1\\\"\"}\n");
  ASSERT_TRUE(parsed.spec) << all_diagnostics(parsed);
  EXPECT_EQ(parsed.spec->notify->targets.shell_command, "mail -s 'pipeline failed' data@example.com < \"$1\"");
  EXPECT_TRUE(parsed.spec->notify->targets.command.empty());
  EXPECT_FALSE(parsed.spec->notify->targets.on_success);
}

TEST(PipelineParserNotify, PlainHttpNothingToNotifyAndEmptyCommandsAreErrors) {
  auto parsed = parse_with("notify: {webhook: \"http://hooks.example.com/x\"}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 2, 19, "notify.webhook", "refusing to send notifications over plain HTTP", "allow_http"));
  parsed = parse_with("notify: {webhook: \"http://127.0.0.1:9/x\", allow_http: true}\n");
  EXPECT_TRUE(parsed.spec) << all_diagnostics(parsed);
  parsed = parse_with("notify: {on_success: true}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 2, 9, "notify.webhook", "nothing to notify", "a webhook URL, a command, or both"));
  parsed = parse_with("notify: {command: []}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 2, 19, "notify.command", "empty command", ""));
  parsed = parse_with("notify: {webhook: hooks.example.com}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 2, 19, "notify.webhook", "not an http(s) URL", ""));
}

} // namespace
} // namespace hyperpipe::pipeline
