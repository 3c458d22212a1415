#include "notify/notifier.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>


#include "base/child_process.hpp"

namespace hyperpipe::notify {
namespace {

std::string headline(const Notice& notice) {
  if (notice.status == "succeeded") {
    std::uint64_t rows = 0;
    for (const auto& output : notice.outputs) {
      rows += output.second;
    }
    return fmt::format("hyperpipe: pipeline {} succeeded in {:.1f} s ({} run): {} output{}, {} rows", notice.pipeline,
                       notice.seconds, notice.trigger, notice.outputs.size(), notice.outputs.size() == 1 ? "" : "s", rows);
  }
  return fmt::format("hyperpipe: pipeline {} FAILED ({} run) at {}: {}", notice.pipeline, notice.trigger,
                     notice.failed_step.empty() ? "start" : notice.failed_step, notice.error);
}

std::string post_webhook(const std::string& body, const Targets& targets, net::HttpTransport& http, net::Sleeper& sleeper) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = *targets.webhook;
  request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "hyperpipe"}};
  request.body.push_back(net::BodySegment{body, {}, 0, 0});
  net::RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_delay = targets.retry_pause;
  const auto response = net::send_with_retries(http, request, true, policy, sleeper);
  if (response && response->status >= 200 && response->status < 300) {
    return {};
  }
  const std::string problem = response ? fmt::format("HTTP {}", response->status) : response.error().message;
  return fmt::format("the webhook {} was not notified: {}", display_url(*targets.webhook), problem);
}

std::string run_command(const Notice& notice, const Targets& targets, const std::vector<std::string>& secrets) {
  base::SpawnOptions options;
  if (!targets.shell_command.empty()) {
    options.argv = {"/bin/sh", "-c", targets.shell_command, "hyperpipe-notify", notice.report};
  } else {
    options.argv = targets.command;
    options.argv.push_back(notice.report);
  }
  options.environment = {{"HYPERPIPE_PIPELINE", notice.pipeline}, {"HYPERPIPE_STATUS", notice.status},
                         {"HYPERPIPE_TRIGGER", notice.trigger}, {"HYPERPIPE_REPORT", notice.report},
                         {"HYPERPIPE_ERROR", net::redact(notice.error, secrets)}};
  options.own_process_group = true;
  options.output_fd = STDERR_FILENO; // stdout may be a machine-read log (--log-format json)
  auto pid = base::spawn_child(options);
  if (!pid) {
    return fmt::format("the notification command was not run: {}", pid.error().message);
  }
  const int status = base::wait_child(*pid, targets.timeout);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return {};
  }
  return fmt::format("the notification command {} ended with {}", targets.shell_command.empty() ? options.argv[0] : targets.shell_command,
                     base::describe_wait_status(status));
}

} // namespace

bool wanted(const Targets& targets, const Notice& notice) {
  return (targets.webhook || !targets.command.empty() || !targets.shell_command.empty()) && (notice.status != "succeeded" || targets.on_success);
}

std::string notice_json(const Notice& notice, const std::vector<std::string>& secrets) {
  const auto clean = [&secrets](const std::string& text) { return net::redact(text, secrets); };
  nlohmann::json outputs = nlohmann::json::array();
  for (const auto& [name, rows] : notice.outputs) {
    outputs.push_back({{"name", clean(name)}, {"rows", rows}});
  }
  const nlohmann::json body = {
      {"text", clean(headline(notice))}, {"pipeline", clean(notice.pipeline)}, {"status", notice.status},
      {"trigger", notice.trigger},       {"started", notice.started},          {"finished", notice.finished},
      {"seconds", notice.seconds},       {"failed_step", clean(notice.failed_step)}, {"error", clean(notice.error)},
      {"hint", clean(notice.hint)},      {"outputs", outputs},                 {"report", clean(notice.report)},
      {"host", clean(notice.host)}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string display_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    return "(webhook)";
  }
  const auto path = url.find('/', scheme + 3);
  const auto host_end = std::min(path, url.find_first_of("?#", scheme + 3));
  std::string host = url.substr(0, host_end);
  if (const auto at = host.find('@'); at != std::string::npos) { // user:password@host
    host = host.substr(0, scheme + 3) + host.substr(at + 1);
  }
  return host_end == std::string::npos ? host : host + "/…";
}

std::vector<std::string> send(const Notice& notice, const Targets& targets, const std::vector<std::string>& secrets,
                              net::HttpTransport& http, net::Sleeper& sleeper) {
  std::vector<std::string> problems;
  if (!wanted(targets, notice)) {
    return problems;
  }
  if (targets.webhook) {
    if (auto problem = post_webhook(notice_json(notice, secrets), targets, http, sleeper); !problem.empty()) {
      auto hidden = secrets;
      hidden.push_back(*targets.webhook); // a transport's message may quote the URL,
      hidden.push_back(targets.webhook->substr(0, targets.webhook->find('?'))); // or without its query
      problems.push_back(net::redact(problem, hidden));
    }
  }
  if (!targets.command.empty() || !targets.shell_command.empty()) {
    if (auto problem = run_command(notice, targets, secrets); !problem.empty()) {
      problems.push_back(net::redact(problem, secrets));
    }
  }
  return problems;
}

} // namespace hyperpipe::notify
