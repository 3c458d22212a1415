#include "pipeline/run/run_report.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace hyperpipe::pipeline {

std::string_view failed_stage_name(FailedStage stage) {
  switch (stage) {
  case FailedStage::none: return "none";
  case FailedStage::configuration: return "configuration";
  case FailedStage::source: return "source";
  case FailedStage::transform: return "transform";
  case FailedStage::output: return "output";
  case FailedStage::publish: return "publish";
  case FailedStage::engine: return "engine";
  case FailedStage::busy: return "busy";
  }
  return "none";
}

std::string RunReport::to_json() const {
  using nlohmann::json;
  json out;
  out["format"] = "hyperpipe-run-report/1";
  out["pipeline"] = pipeline;
  out["pipeline_file"] = pipeline_file.string();
  out["started"] = started;
  out["finished"] = finished;
  out["seconds"] = seconds;
  out["status"] = succeeded ? "succeeded" : "failed";
  if (!succeeded) {
    out["error"] = {{"stage", failed_stage_name(failed_stage)}, {"step", failed_step}, {"message", error}, {"hint", hint}};
  }
  out["sources"] = json::array();
  for (const auto& source : sources) {
    json item = {{"name", source.name},
                 {"type", source.type},
                 {"rows_read", source.rows_read},
                 {"rows_loaded", source.rows_loaded},
                 {"rows_rejected", source.rows_rejected},
                 {"rows_skipped_by_watermark", source.rows_skipped},
                 {"bytes", source.bytes},
                 {"tables", source.tables},
                 {"notes", source.notes},
                 {"seconds", source.seconds}};
    if (source.watermark_before) {
      item["watermark_before"] = *source.watermark_before;
    }
    if (source.watermark_after) {
      item["watermark_after"] = *source.watermark_after;
    }
    out["sources"].push_back(std::move(item));
  }
  out["transforms"] = json::array();
  for (const auto& transform : transforms) {
    out["transforms"].push_back({{"name", transform.name}, {"rows", transform.rows}, {"seconds", transform.seconds}});
  }
  out["outputs"] = json::array();
  for (const auto& output : outputs) {
    json tables = json::array();
    for (const auto& table : output.tables) {
      tables.push_back({{"table", table.table},
                        {"mode", table.mode},
                        {"rows_written", table.rows_written},
                        {"rows_replaced", table.rows_replaced},
                        {"rows_total", table.rows_total}});
    }
    out["outputs"].push_back({{"name", output.name},
                              {"file", output.file.string()},
                              {"bytes", output.bytes},
                              {"tables", std::move(tables)},
                              {"seconds", output.seconds}});
  }
  out["publishes"] = json::array();
  for (const auto& publish : publishes) {
    json item{{"output", publish.output},
              {"server", publish.server},
              {"site", publish.site},
              {"project", publish.project},
              {"name", publish.name},
              {"mode", publish.mode},
              {"datasource_id", publish.datasource_id},
              {"url", publish.url},
              {"seconds", publish.seconds}};
    if (publish.sync) {
      json tables = json::array();
      for (const auto& table : publish.sync->tables) {
        tables.push_back({{"table", table.table},
                          {"inserted", table.inserted},
                          {"updated", table.updated},
                          {"deleted", table.deleted},
                          {"replaced", table.replaced}});
      }
      item["sync"] = {{"whole_file", publish.sync->whole_file},
                      {"why_whole_file", publish.sync->why_whole},
                      {"tables", std::move(tables)},
                      {"batches", publish.sync->batches},
                      {"bytes_uploaded", publish.sync->bytes_uploaded},
                      {"bytes_full_publish", publish.sync->bytes_full_publish}};
    }
    out["publishes"].push_back(std::move(item));
  }
  out["notes"] = notes;
  // Messages quote what servers sent; invalid UTF-8 in them is replaced, never fatal.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string RunReport::summary() const {
  std::string text;
  for (const auto& source : sources) {
    text += fmt::format("source {}: {} read, {} loaded, {} rejected{} in {:.2f} s\n", source.name, source.rows_read,
                        source.rows_loaded, source.rows_rejected,
                        source.rows_skipped > 0 ? fmt::format(", {} at or below the watermark", source.rows_skipped) : "",
                        source.seconds);
  }
  for (const auto& transform : transforms) {
    text += fmt::format("transform {}: {} rows in {:.2f} s\n", transform.name, transform.rows, transform.seconds);
  }
  for (const auto& output : outputs) {
    std::vector<std::string> tables;
    for (const auto& table : output.tables) {
      tables.push_back(fmt::format("{} {} rows", table.table, table.rows_total));
    }
    text += fmt::format("output {}: {} ({}) in {:.2f} s\n", output.name, output.file.string(), fmt::join(tables, ", "),
                        output.seconds);
  }
  for (const auto& publish : publishes) {
    text += fmt::format("published {} as \"{}\" ({}, {}) in {:.2f} s{}\n", publish.output, publish.name,
                        publish.datasource_id, publish.mode, publish.seconds,
                        publish.url.empty() ? "" : fmt::format(": {}", publish.url));
    if (publish.sync && publish.sync->whole_file) {
      text += fmt::format("  sent whole: {}\n", publish.sync->why_whole);
    } else if (publish.sync) {
      for (const auto& table : publish.sync->tables) {
        text += fmt::format("  {}: {} inserted, {} updated, {} deleted{}\n", table.table, table.inserted, table.updated,
                            table.deleted, table.replaced > 0 ? fmt::format(", {} replaced", table.replaced) : "");
      }
      text += fmt::format("  {} batch{}, {} bytes uploaded instead of {}\n", publish.sync->batches,
                          publish.sync->batches == 1 ? "" : "es", publish.sync->bytes_uploaded, publish.sync->bytes_full_publish);
    }
  }
  for (const auto& note : notes) {
    text += fmt::format("note: {}\n", note);
  }
  text += succeeded ? fmt::format("pipeline {} succeeded in {:.2f} s\n", pipeline, seconds)
                    : fmt::format("pipeline {} FAILED at {} after {:.2f} s\n", pipeline, failed_step, seconds);
  return text;
}

} // namespace hyperpipe::pipeline
