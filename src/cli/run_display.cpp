#include "cli/run_display.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/run/run_report.hpp"

namespace hyperpipe::cli {
namespace {

using pipeline::RunEvent;
using Clock = std::chrono::steady_clock;

const char* kind_name(RunEvent::Kind kind) {
  switch (kind) {
  case RunEvent::Kind::started: return "started";
  case RunEvent::Kind::progress: return "progress";
  case RunEvent::Kind::finished: return "finished";
  case RunEvent::Kind::failed: return "failed";
  case RunEvent::Kind::note: return "note";
  }
  return "note";
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string clock_text(double seconds) {
  const auto whole = static_cast<long long>(seconds + 0.5);
  if (whole >= 3600) {
    return fmt::format("{}:{:02}:{:02}", whole / 3600, whole / 60 % 60, whole % 60);
  }
  return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

// A running step: when it started and the last progress it reported.
struct Step {
  std::string name;
  Clock::time_point started;
  std::optional<RunEvent> progress;
  Clock::time_point shown; ///< when a line about it was last written (plain and JSON)
};

bool is_upload(const RunEvent& event) { return event.rows == 0 && event.bytes > 0; }

// "45% 4.4 GB of 9.8 GB, 1200000 rows (1.1 M rows/s, 120.0 MB/s), 0:45 left" — what is known.
std::string progress_text(const Step& step, Clock::time_point now) {
  const double elapsed = seconds_between(step.started, now);
  if (!step.progress) {
    return fmt::format("running for {}", clock_text(elapsed));
  }
  const RunEvent& event = *step.progress;
  const double seconds = event.seconds > 0 ? event.seconds : elapsed;
  std::vector<std::string> parts;
  if (event.total_bytes > 0) {
    const double share = std::min(1.0, static_cast<double>(event.bytes) / static_cast<double>(event.total_bytes));
    parts.push_back(fmt::format("{:.0f}% {} of {}", share * 100, human_bytes(event.bytes), human_bytes(event.total_bytes)));
  } else if (event.bytes > 0) {
    parts.push_back(human_bytes(event.bytes) + (is_upload(event) ? " sent" : ""));
  }
  std::vector<std::string> rates;
  if (event.rows > 0) {
    parts.push_back(fmt::format("{} rows", event.rows));
    if (seconds > 0) {
      rates.push_back(fmt::format("{:.0f} rows/s", static_cast<double>(event.rows) / seconds));
    }
  }
  if (event.bytes > 0 && seconds > 0) {
    rates.push_back(fmt::format("{:.1f} MB/s", static_cast<double>(event.bytes) / 1e6 / seconds));
  }
  std::string text = fmt::format("{}", fmt::join(parts, ", "));
  if (!rates.empty()) {
    text += fmt::format(" ({})", fmt::join(rates, ", "));
  }
  if (const auto left = time_left(event.bytes, event.total_bytes, seconds); !left.empty()) {
    text += fmt::format(", {} left", left);
  }
  return text;
}

// The display's shared part: the running steps, one lock for the runner's threads and the
// ticker, and the ticker itself, which makes a silent step visible.
class Display : public pipeline::RunObserver {
public:
  void on_event(const RunEvent& event) final {
    std::lock_guard lock(m_mutex);
    const auto now = Clock::now();
    switch (event.kind) {
    case RunEvent::Kind::started: m_steps.push_back({event.step, now, std::nullopt, now}); break;
    case RunEvent::Kind::progress: {
      Step& step = find_or_add(event.step, now);
      step.progress = event;
      break;
    }
    default: break;
    }
    if (event.kind == RunEvent::Kind::finished) {
      std::erase_if(m_steps, [&](const Step& step) { return step.name == event.step; });
    } else if (event.kind == RunEvent::Kind::failed) {
      m_steps.clear(); // a failure ends the run, whatever its step is called by then
    }
    handle(event, now);
  }

protected:
  virtual void handle(const RunEvent& event, Clock::time_point now) = 0;
  virtual void tick(Clock::time_point now) = 0;

  void start_ticker(std::chrono::milliseconds period) {
    m_ticker = std::thread([this, period] {
      std::unique_lock lock(m_mutex);
      while (!m_stop) {
        if (m_wake.wait_for(lock, period, [&] { return m_stop; })) {
          break;
        }
        tick(Clock::now());
      }
    });
  }
  /// Each derived destructor calls it first: the ticker must not call into a half-destroyed display.
  void stop_ticker() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    if (m_ticker.joinable()) {
      m_ticker.join();
    }
  }

  Step& find_or_add(const std::string& name, Clock::time_point now) {
    for (auto& step : m_steps) {
      if (step.name == name) {
        return step;
      }
    }
    m_steps.push_back({name, now, std::nullopt, now});
    return m_steps.back();
  }

  std::vector<Step> m_steps;
  std::mutex m_mutex;

private:
  std::thread m_ticker;
  std::condition_variable m_wake;
  bool m_stop = false;
};

class JsonLines final : public Display {
public:
  JsonLines(std::FILE* out, std::chrono::milliseconds interval) : m_out(out), m_interval(interval) {
    start_ticker(std::min<std::chrono::milliseconds>(interval, std::chrono::milliseconds(1000)));
  }
  ~JsonLines() override { stop_ticker(); }

private:
  void handle(const RunEvent& event, Clock::time_point now) override {
    if (event.kind == RunEvent::Kind::progress) {
      Step& step = find_or_add(event.step, now);
      if (now - step.shown < m_interval) {
        return; // a log collector wants milestones, not a firehose
      }
      step.shown = now;
    }
    write(event);
  }

  void tick(Clock::time_point now) override {
    for (auto& step : m_steps) {
      if (now - step.shown >= m_interval) {
        step.shown = now;
        RunEvent event = step.progress.value_or(RunEvent{RunEvent::Kind::progress, step.name});
        event.kind = RunEvent::Kind::progress;
        event.seconds = seconds_between(step.started, now);
        write(event);
      }
    }
  }

  void write(const RunEvent& event) {
    nlohmann::json line = {{"time", pipeline::utc_now()}, {"event", kind_name(event.kind)}, {"step", event.step}};
    if (event.rows > 0 || event.kind == RunEvent::Kind::finished) {
      line["rows"] = event.rows;
    }
    if (event.bytes > 0) {
      line["bytes"] = event.bytes;
    }
    if (event.total_bytes > 0) {
      line["total_bytes"] = event.total_bytes;
    }
    if (event.seconds > 0) {
      line["seconds"] = event.seconds;
    }
    if (!event.message.empty()) {
      line["message"] = event.message;
    }
    fmt::print(m_out, "{}\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    std::fflush(m_out);
  }

  std::FILE* m_out;
  std::chrono::milliseconds m_interval;
};

class PlainLines final : public Display {
public:
  PlainLines(std::FILE* out, std::chrono::milliseconds interval) : m_out(out), m_interval(interval) {
    start_ticker(std::min<std::chrono::milliseconds>(interval, std::chrono::milliseconds(1000)));
  }
  ~PlainLines() override { stop_ticker(); }

private:
  void handle(const RunEvent& event, Clock::time_point now) override {
    std::string text;
    switch (event.kind) {
    case RunEvent::Kind::started: text = event.message.empty() ? "started" : fmt::format("started ({})", event.message); break;
    case RunEvent::Kind::progress: {
      Step& step = find_or_add(event.step, now);
      if (now - step.shown < m_interval) {
        return;
      }
      step.shown = now;
      text = progress_text(step, now);
      break;
    }
    case RunEvent::Kind::finished: text = fmt::format("done in {:.2f} s: {}", event.seconds, event.message); break;
    case RunEvent::Kind::failed: text = fmt::format("FAILED: {}", event.message); break;
    case RunEvent::Kind::note: text = event.message; break;
    }
    line(event.step, text);
  }

  void tick(Clock::time_point now) override {
    for (auto& step : m_steps) {
      if (now - step.shown >= m_interval) {
        step.shown = now;
        line(step.name, progress_text(step, now));
      }
    }
  }

  void line(const std::string& step, const std::string& text) {
    fmt::print(m_out, "{} {}: {}\n", pipeline::utc_now(), step, text);
    std::fflush(m_out);
  }

  std::FILE* m_out;
  std::chrono::milliseconds m_interval;
};

// Running steps stay at the bottom, one line each, redrawn in place; finished steps scroll up.
class LiveLines final : public Display {
public:
  explicit LiveLines(std::FILE* out) : m_out(out) { start_ticker(std::chrono::milliseconds(1000)); }
  ~LiveLines() override {
    stop_ticker();
    clear();
    std::fflush(m_out);
  }

private:
  void handle(const RunEvent& event, Clock::time_point now) override {
    switch (event.kind) {
    case RunEvent::Kind::started: break;
    case RunEvent::Kind::progress:
      if (now - m_drawn < std::chrono::milliseconds(100)) {
        return;
      }
      break;
    case RunEvent::Kind::finished:
    case RunEvent::Kind::failed:
    case RunEvent::Kind::note:
      clear();
      fmt::print(m_out, "{} {}: {}{}\n", event.kind == RunEvent::Kind::failed ? "✗" : "✓", event.step,
                 event.kind == RunEvent::Kind::finished ? fmt::format("{:.2f} s, ", event.seconds) : "", event.message);
      break;
    }
    redraw(now);
  }

  void tick(Clock::time_point now) override {
    if (now - m_drawn >= std::chrono::milliseconds(900)) {
      redraw(now);
    }
  }

  // The live line, most telling first, so a narrow terminal cuts only the least of it:
  // "[#####---------------] 27% 2.6/9.8 GB  1:05 left  26.1M rows  0.9M rows/s  96 MB/s".
  static std::string live_text(const Step& step, Clock::time_point now) {
    if (!step.progress) {
      return "running";
    }
    const RunEvent& event = *step.progress;
    const double seconds = event.seconds > 0 ? event.seconds : seconds_between(step.started, now);
    std::vector<std::string> parts;
    if (event.total_bytes > 0) {
      const double share = std::min(1.0, static_cast<double>(event.bytes) / static_cast<double>(event.total_bytes));
      parts.push_back(fmt::format("{}{:.0f}% {} of {}", bar(share), share * 100, human_bytes(event.bytes),
                                  human_bytes(event.total_bytes)));
      if (const auto left = time_left(event.bytes, event.total_bytes, seconds); !left.empty()) {
        parts.push_back(left + " left");
      }
    } else if (event.bytes > 0) {
      parts.push_back(human_bytes(event.bytes) + (is_upload(event) ? " sent" : ""));
    }
    if (event.rows > 0) {
      parts.push_back(fmt::format("{} rows", human_count(static_cast<double>(event.rows))));
      if (seconds > 0) {
        parts.push_back(fmt::format("{} rows/s", human_count(static_cast<double>(event.rows) / seconds)));
      }
    }
    if (event.bytes > 0 && seconds > 0) {
      parts.push_back(fmt::format("{:.0f} MB/s", static_cast<double>(event.bytes) / 1e6 / seconds));
    }
    return fmt::format("{}", fmt::join(parts, "  "));
  }

  static std::string human_count(double count) {
    if (count >= 1e6) {
      return fmt::format("{:.1f}M", count / 1e6);
    }
    if (count >= 1e3) {
      return fmt::format("{:.1f}k", count / 1e3);
    }
    return fmt::format("{:.0f}", count);
  }

  static std::string bar(double share) {
    constexpr int k_width = 20;
    const int filled = static_cast<int>(share * k_width);
    return fmt::format("[{}{}] ", std::string(static_cast<std::size_t>(filled), '#'),
                       std::string(static_cast<std::size_t>(k_width - filled), '-'));
  }

  std::size_t columns() const {
    winsize size{};
    if (::ioctl(::fileno(m_out), TIOCGWINSZ, &size) == 0 && size.ws_col > 10) {
      return size.ws_col;
    }
    return 80;
  }

  void clear() {
    for (std::size_t i = 0; i < m_drawn_lines; ++i) {
      fmt::print(m_out, "\x1b[1A\x1b[2K");
    }
    m_drawn_lines = 0;
  }

  void redraw(Clock::time_point now) {
    clear();
    // A line wider than the terminal would wrap, and the next redraw would erase the wrong lines.
    const std::size_t width = columns() - 1;
    for (const auto& step : m_steps) {
      std::string text =
          fmt::format("  {} {} {}", clock_text(seconds_between(step.started, now)), step.name, live_text(step, now));
      if (text.size() > width) {
        text.resize(width); // ASCII apart from the step's name: a cut never hides the progress itself
      }
      fmt::print(m_out, "{}\n", text);
    }
    m_drawn_lines = m_steps.size();
    m_drawn = now;
    std::fflush(m_out);
  }

  std::FILE* m_out;
  std::size_t m_drawn_lines = 0;
  Clock::time_point m_drawn;
};

} // namespace

std::string human_bytes(std::uint64_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (value >= 1e9) {
    return fmt::format("{:.1f} GB", value / 1e9);
  }
  if (value >= 1e6) {
    return fmt::format("{:.1f} MB", value / 1e6);
  }
  if (value >= 1e3) {
    return fmt::format("{:.1f} kB", value / 1e3);
  }
  return fmt::format("{} B", bytes);
}

std::string time_left(std::uint64_t done, std::uint64_t total, double seconds) {
  if (total == 0 || done == 0 || done >= total || seconds <= 0) {
    return {};
  }
  return clock_text(seconds * static_cast<double>(total - done) / static_cast<double>(done));
}

DisplayOptions DisplayFlags::options(bool stderr_is_terminal) const {
  DisplayOptions options;
  options.format = log_format == "json" ? LogFormat::json : LogFormat::text;
  options.live = progress == "always" || (progress == "auto" && stderr_is_terminal);
  options.interval = std::chrono::milliseconds(static_cast<long long>(interval_seconds * 1000));
  return options;
}

std::shared_ptr<DisplayFlags> add_display_flags(CLI::App& command) {
  auto flags = std::make_shared<DisplayFlags>();
  command.add_option("--progress", flags->progress,
                     "auto (default: live lines on a terminal, plain lines otherwise), always (live) or never (plain)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command.add_option("--progress-interval", flags->interval_seconds,
                     "seconds between plain or JSON progress lines of a running step (default: 5)")
      ->check(CLI::Range(0.1, 3600.0));
  command.add_option("--log-format", flags->log_format, "text (default) or json (one JSON object per line, on stderr)")
      ->check(CLI::IsMember({"text", "json"}));
  return flags;
}

std::unique_ptr<pipeline::RunObserver> make_run_display(const DisplayOptions& options, std::FILE* out) {
  if (options.format == LogFormat::json) {
    return std::make_unique<JsonLines>(out, options.interval);
  }
  if (options.live) {
    return std::make_unique<LiveLines>(out);
  }
  return std::make_unique<PlainLines>(out, options.interval);
}

} // namespace hyperpipe::cli
