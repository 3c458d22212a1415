#include "cli/run_display.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
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

std::string rate(const RunEvent& event) {
  if (event.seconds <= 0) {
    return {};
  }
  if (event.rows == 0 && event.bytes > 0) { // an upload
    return fmt::format("{:.1f} MB/s", static_cast<double>(event.bytes) / 1e6 / event.seconds);
  }
  std::string text = fmt::format("{:.0f} rows/s", static_cast<double>(event.rows) / event.seconds);
  if (event.bytes > 0) {
    text += fmt::format(", {:.1f} MB/s", static_cast<double>(event.bytes) / 1e6 / event.seconds);
  }
  return text;
}

std::string amounts(const RunEvent& event) {
  if (event.rows == 0 && event.bytes > 0) { // an upload
    return fmt::format("{:.1f} MB sent", static_cast<double>(event.bytes) / 1e6);
  }
  std::string text = fmt::format("{} rows", event.rows);
  if (event.bytes > 0) {
    text += fmt::format(", {:.1f} MB", static_cast<double>(event.bytes) / 1e6);
  }
  return text;
}

class JsonLines final : public pipeline::RunObserver {
public:
  explicit JsonLines(std::FILE* out) : m_out(out) {}
  void on_event(const RunEvent& event) override {
    if (event.kind == RunEvent::Kind::progress) {
      const auto now = Clock::now();
      auto& last = m_last[event.step];
      if (now - last < std::chrono::seconds(5)) {
        return; // a log collector wants milestones, not a firehose
      }
      last = now;
    }
    nlohmann::json line = {{"time", pipeline::utc_now()}, {"event", kind_name(event.kind)}, {"step", event.step}};
    if (event.rows > 0 || event.kind == RunEvent::Kind::finished) {
      line["rows"] = event.rows;
    }
    if (event.bytes > 0) {
      line["bytes"] = event.bytes;
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

private:
  std::FILE* m_out;
  std::map<std::string, Clock::time_point> m_last;
};

class PlainLines final : public pipeline::RunObserver {
public:
  explicit PlainLines(std::FILE* out) : m_out(out) {}
  void on_event(const RunEvent& event) override {
    std::string text;
    switch (event.kind) {
    case RunEvent::Kind::started: text = event.message.empty() ? "started" : fmt::format("started ({})", event.message); break;
    case RunEvent::Kind::progress: {
      const auto now = Clock::now();
      auto& last = m_last[event.step];
      if (now - last < std::chrono::seconds(5)) {
        return;
      }
      last = now;
      text = fmt::format("{} ({})", amounts(event), rate(event));
      break;
    }
    case RunEvent::Kind::finished: text = fmt::format("done in {:.2f} s: {}", event.seconds, event.message); break;
    case RunEvent::Kind::failed: text = fmt::format("FAILED: {}", event.message); break;
    case RunEvent::Kind::note: text = event.message; break;
    }
    fmt::print(m_out, "{} {}: {}\n", pipeline::utc_now(), event.step, text);
    std::fflush(m_out);
  }

private:
  std::FILE* m_out;
  std::map<std::string, Clock::time_point> m_last;
};

// Steps in progress stay at the bottom, redrawn in place; finished steps scroll up as lines.
class LiveLines final : public pipeline::RunObserver {
public:
  explicit LiveLines(std::FILE* out) : m_out(out) {}
  ~LiveLines() override { clear(); }

  void on_event(const RunEvent& event) override {
    const auto now = Clock::now();
    switch (event.kind) {
    case RunEvent::Kind::started:
      m_active.push_back({event.step, fmt::format("{} ...", event.step)});
      break;
    case RunEvent::Kind::progress:
      set_line(event.step, fmt::format("{} {} {}  {}", event.step, bar(event), amounts(event), rate(event)));
      if (now - m_drawn < std::chrono::milliseconds(100)) {
        return;
      }
      break;
    case RunEvent::Kind::finished:
    case RunEvent::Kind::failed:
    case RunEvent::Kind::note:
      clear();
      remove(event.step);
      fmt::print(m_out, "{} {}: {}{}\n", event.kind == RunEvent::Kind::failed ? "✗" : "✓", event.step,
                 event.kind == RunEvent::Kind::finished ? fmt::format("{:.2f} s, ", event.seconds) : "", event.message);
      break;
    }
    redraw();
    m_drawn = now;
  }

private:
  struct Line {
    std::string step;
    std::string text;
  };

  static std::string bar(const RunEvent& event) {
    // Totals are not known while streaming: a spinner shows life instead of a fake percentage.
    static constexpr const char* k_frames[] = {"|", "/", "-", "\\"};
    return k_frames[(event.rows / 65'536 + event.bytes / 1'000'000) % 4];
  }

  void set_line(const std::string& step, std::string text) {
    for (auto& line : m_active) {
      if (line.step == step) {
        line.text = std::move(text);
        return;
      }
    }
    m_active.push_back({step, std::move(text)});
  }

  void remove(const std::string& step) {
    std::erase_if(m_active, [&](const Line& line) { return line.step == step; });
  }

  void clear() {
    for (std::size_t i = 0; i < m_drawn_lines; ++i) {
      fmt::print(m_out, "\x1b[1A\x1b[2K");
    }
    m_drawn_lines = 0;
  }

  void redraw() {
    clear();
    for (const auto& line : m_active) {
      fmt::print(m_out, "  {}\n", line.text);
    }
    m_drawn_lines = m_active.size();
    std::fflush(m_out);
  }

  std::FILE* m_out;
  std::vector<Line> m_active;
  std::size_t m_drawn_lines = 0;
  Clock::time_point m_drawn;
};

} // namespace

std::unique_ptr<pipeline::RunObserver> make_run_display(LogFormat format, bool live, std::FILE* out) {
  if (format == LogFormat::json) {
    return std::make_unique<JsonLines>(out);
  }
  if (live) {
    return std::make_unique<LiveLines>(out);
  }
  return std::make_unique<PlainLines>(out);
}

} // namespace hyperpipe::cli
