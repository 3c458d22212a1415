#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "net/http.hpp"
#include "pipeline/config/config_reader.hpp"
#include "pipeline/config/pipeline_spec.hpp"
#include "schedule/cron.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

// Sources and transforms become tables of the workspace, referred to by name in SQL; plain
// identifiers keep that SQL free of quoting.
bool valid_step_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || std::isdigit(static_cast<unsigned char>(name[0])) != 0) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

bool valid_file_name_part(std::string_view name) {
  return !name.empty() && name.size() <= 100 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
         });
}

fs::path resolve(const fs::path& base, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

std::vector<std::string> column_list(ConfigReader& reader, std::string_view key) { return reader.texts(key); }

std::optional<TableName> table_name(ConfigReader& reader, std::string_view key, bool required) {
  auto text = reader.text(key, required);
  if (!text) {
    return std::nullopt;
  }
  auto name = TableName::parse(*text);
  if (!name) {
    reader.error(key, name.error().message, "write SCHEMA.TABLE, e.g. Extract.Extract");
    return std::nullopt;
  }
  return *name;
}

class Parser {
public:
  Parser(const fs::path& file, const Environment& environment, ParsedPipeline& out)
      : m_file(file), m_base(fs::absolute(file).parent_path()), m_out(out),
        m_context{out.diagnostics, environment, m_secrets} {}

  void parse(const YAML::Node& root) {
    ConfigReader top(root, "", m_context);
    PipelineSpec spec;
    spec.file = fs::absolute(m_file);
    if (auto version = top.integer("version", 1, 1); !version && !top.has("version")) {
      top.missing("version");
    }
    spec.name = top.text("name").value_or(m_file.stem().string());
    if (!valid_file_name_part(spec.name)) {
      top.error("name", fmt::format("\"{}\" cannot name the state and report files", spec.name),
                "use letters, digits, '-', '_' and '.'");
    }
    spec.state_dir = resolve(m_base, top.text("state_dir").value_or(".hyperpipe"));
    spec.parallel_sources = static_cast<int>(top.integer("parallel_sources", 1, 64).value_or(3));
    spec.history_runs = static_cast<int>(top.integer("history_runs", 1, 1'000'000).value_or(1000));
    if (auto schedule = top.child("schedule")) {
      spec.schedule = read_schedule(*schedule);
    }
    if (auto notify = top.child("notify")) {
      spec.notify = read_notify(*notify);
    }

    for (auto& [name, reader] : top.entries("sources", true)) {
      read_source(name, reader, spec);
    }
    for (auto& reader : top.items("transforms")) {
      read_transform(reader, spec);
    }
    for (auto& [name, reader] : top.entries("outputs", true)) {
      read_output(name, reader, spec);
    }
    if (spec.sources.empty() && top.has("sources")) {
      top.error("sources", "no sources", "a pipeline needs at least one source");
    }
    if (spec.outputs.empty() && top.has("outputs")) {
      top.error("outputs", "no outputs", "a pipeline needs at least one output");
    }
    top.finish();
    spec.secrets = m_secrets;
    m_out.secrets = m_secrets;
    if (m_out.diagnostics.empty()) {
      m_out.spec = std::move(spec);
    }
  }

private:
  ScheduleSpec read_schedule(ConfigReader& reader) {
    using namespace std::chrono_literals;
    ScheduleSpec when;
    when.mark = reader.mark();
    when.cron = reader.text("cron", true).value_or("");
    when.timezone = reader.text("timezone").value_or("UTC");
    if (!when.cron.empty()) {
      if (auto parsed = schedule::CronSchedule::parse(when.cron); !parsed) {
        reader.error("cron", parsed.error().message, parsed.error().hint);
      }
    }
    if (auto zone = schedule::find_zone(when.timezone); !zone) {
      reader.error("timezone", zone.error().message, zone.error().hint);
    }
    if (auto overlap = reader.choice("overlap", {"skip", "queue"})) {
      when.overlap = *overlap == 0 ? schedule::Overlap::skip : schedule::Overlap::queue;
    }
    if (auto catch_up = reader.choice("catch_up", {"none", "once"})) {
      when.catch_up = *catch_up == 0 ? schedule::CatchUp::none : schedule::CatchUp::once;
    }
    when.max_run_time = reader.duration("max_run_time", 1s, std::chrono::seconds(7 * 86'400));
    when.retries = static_cast<int>(reader.integer("retries", 0, 100).value_or(0));
    when.retry_backoff = reader.duration("retry_backoff", 1s, 86'400s).value_or(60s);
    reader.finish();
    return when;
  }

  NotifySpec read_notify(ConfigReader& reader) {
    NotifySpec notify;
    notify.mark = reader.mark();
    notify.targets.on_success = reader.flag("on_success").value_or(false);
    notify.allow_http = reader.flag("allow_http").value_or(false);
    notify.targets.webhook = reader.text("webhook");
    if (notify.targets.webhook) {
      // A webhook URL is a credential (anyone holding it can post): kept out of logs and output.
      reader.add_secret(*notify.targets.webhook);
      reader.add_secret(notify.targets.webhook->substr(0, notify.targets.webhook->find('?'))); // as curl quotes it
      const auto& url = *notify.targets.webhook;
      const auto checked = net::check_url(url, notify.allow_http);
      if (checked == net::UrlCheck::refused_http) {
        reader.error("webhook", "refusing to send notifications over plain HTTP", "use https://, or allow_http: true for a test receiver");
      } else if (checked == net::UrlCheck::not_http) {
        reader.error("webhook", "not an http(s) URL", "write https://hooks.example.com/...");
      }
    }
    if (reader.has("command")) {
      if (reader.raw("command").IsSequence()) {
        notify.targets.command = reader.texts("command");
      } else {
        notify.targets.shell_command = reader.text("command").value_or("");
      }
      if (notify.targets.shell_command.empty() && (notify.targets.command.empty() || notify.targets.command[0].empty())) {
        reader.error("command", "empty command", "a list (program and arguments) or one shell command line");
      }
    }
    if (auto timeout = reader.duration("timeout", std::chrono::seconds(1), std::chrono::seconds(3600))) {
      notify.targets.timeout = *timeout;
    }
    if (auto ca = reader.text("ca_bundle")) {
      notify.ca_bundle = resolve(m_base, *ca);
    }
    if (!notify.targets.webhook && !reader.has("command")) {
      reader.error("webhook", "nothing to notify", "give a webhook URL, a command, or both");
    }
    reader.finish();
    return notify;
  }

  bool claim_step_name(const std::string& name, Mark mark, const std::string& path) {
    if (!valid_step_name(name)) {
      m_out.diagnostics.add(mark, path, fmt::format("\"{}\" cannot be used as a table name in SQL", name),
                            "use letters, digits and _ (not starting with a digit), at most 63 characters");
      return false;
    }
    if (name.starts_with("hp_")) {
      m_out.diagnostics.add(mark, path, fmt::format("\"{}\": names starting with hp_ are reserved for hyperpipe", name));
      return false;
    }
    if (!m_step_names.insert(name).second) {
      m_out.diagnostics.add(mark, path, fmt::format("\"{}\" is already the name of a source or transform", name),
                            "sources and transforms share one namespace: the workspace's tables");
      return false;
    }
    return true;
  }

  void read_source(const std::string& name, ConfigReader& reader, PipelineSpec& spec) {
    SourceSpec source;
    source.name = name;
    source.mark = reader.mark();
    claim_step_name(name, reader.key_mark(), reader.path());
    source.type = reader.text("type", true).value_or("");
    if (auto incremental = reader.child("incremental")) {
      source.incremental_column = incremental->text("column", true);
      incremental->finish();
    }
    if (auto on_error = reader.text("on_error")) {
      if (*on_error == "reject") {
        source.keep_rejects = true;
      } else if (*on_error != "fail") {
        reader.error("on_error", fmt::format("\"{}\" is not fail or reject", *on_error),
                     "fail stops at the first bad row; reject sets bad rows aside in a file and goes on");
      }
    }
    if (!source.type.empty()) {
      const SourceType* type = find_source_type(source.type);
      if (type == nullptr) {
        std::vector<std::string> names;
        for (const auto* known : source_types()) {
          names.emplace_back(known->name());
        }
        reader.error("type", fmt::format("unknown source type \"{}\"", source.type),
                     fmt::format("use one of: {}", fmt::join(names, ", ")));
      } else {
        source.source = type->configure(reader, m_base);
      }
    }
    if (source.source) {
      reader.finish(); // with an unknown type, which keys belong is unknown too
    }
    if (source.type == "json" || source.type == "api") {
      m_nested_sources.insert(name);
    }
    spec.sources.push_back(std::move(source));
  }

  void read_transform(ConfigReader& reader, PipelineSpec& spec) {
    TransformSpec transform;
    transform.mark = reader.mark();
    transform.name = reader.text("name", true).value_or("");
    if (!transform.name.empty()) {
      claim_step_name(transform.name, reader.mark_of("name"), reader.path_of("name"));
    }
    transform.sql = reader.text("sql", true).value_or("");
    if (reader.has("sql") && transform.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
      reader.error("sql", "the query is empty");
    }
    reader.finish();
    spec.transforms.push_back(std::move(transform));
  }

  bool known_table_source(const std::string& name) const {
    if (m_step_names.contains(name)) {
      return true;
    }
    // Child tables of JSON and API sources: "<source>_<array path>".
    return std::any_of(m_nested_sources.begin(), m_nested_sources.end(),
                       [&](const std::string& source) { return name.starts_with(source + "_"); });
  }

  void read_table(ConfigReader& reader, OutputSpec& output) {
    OutputTableSpec table;
    table.mark = reader.mark();
    table.name = table_name(reader, "name", true).value_or(TableName{});
    auto from = reader.text("from");
    auto sql = reader.text("sql");
    if (from && sql) {
      reader.error("sql", "a table takes either \"from\" or \"sql\", not both");
    } else if (!from && !sql && !reader.has("from") && !reader.has("sql")) {
      reader.error({}, "a table needs \"from\" (a source or transform) or \"sql\" (a query)");
    }
    if (from) {
      table.from = *from;
      if (!known_table_source(*from)) {
        std::vector<std::string> names(m_step_names.begin(), m_step_names.end());
        reader.error("from", fmt::format("\"{}\" is not a source or transform of this pipeline", *from),
                     names.empty() ? "define it under sources or transforms"
                                   : fmt::format("known: {} (transforms must come before the outputs that use them)",
                                                 fmt::join(names, ", ")));
      }
    }
    table.sql = sql.value_or("");
    if (auto mode = reader.text("mode")) {
      if (*mode == "replace") {
        table.mode = TableMode::replace;
      } else if (*mode == "append") {
        table.mode = TableMode::append;
      } else if (*mode == "replace_by_key") {
        table.mode = TableMode::replace_by_key;
      } else {
        reader.error("mode", fmt::format("\"{}\" is not a table mode", *mode), "use replace, append or replace_by_key");
      }
    }
    table.key = column_list(reader, "key");
    if (table.mode == TableMode::replace_by_key && table.key.empty()) {
      reader.error("mode", "replace_by_key needs \"key\": the columns that identify a row",
                   "e.g. key: [order_id]");
    }
    if (table.mode != TableMode::replace_by_key && !table.key.empty()) {
      reader.error("key", "\"key\" is used only with mode: replace_by_key");
    }
    table.primary_key = column_list(reader, "primary_key");
    for (auto& key_reader : reader.items("foreign_keys")) {
      ForeignKey key;
      key.columns = column_list(key_reader, "columns");
      if (key.columns.empty()) {
        key_reader.missing("columns");
      }
      key.target = table_name(key_reader, "references", true).value_or(TableName{});
      key.target_columns = column_list(key_reader, "referenced_columns");
      if (key.target_columns.empty()) {
        key.target_columns = key.columns;
      }
      if (key.target_columns.size() != key.columns.size()) {
        key_reader.error("referenced_columns", fmt::format("{} columns refer to {} referenced columns", key.columns.size(),
                                                           key.target_columns.size()));
      }
      const bool earlier = std::any_of(output.tables.begin(), output.tables.end(),
                                       [&](const OutputTableSpec& other) { return other.name == key.target; });
      if (key_reader.has("references") && !earlier) {
        key_reader.error("references", fmt::format("{} is not a table listed before this one in output \"{}\"",
                                                   key.target.quoted(), output.name),
                         "list the referenced table first");
      }
      key_reader.finish();
      table.foreign_keys.push_back(std::move(key));
    }
    for (const auto& other : output.tables) {
      if (other.name == table.name && reader.has("name")) {
        reader.error("name", fmt::format("table {} is listed twice in output \"{}\"", table.name.quoted(), output.name));
      }
    }
    reader.finish();
    output.tables.push_back(std::move(table));
  }

  void read_publish(ConfigReader& reader, OutputSpec& output) {
    PublishSpec target;
    target.mark = reader.mark();
    target.server = reader.text("server", true).value_or("");
    target.site = reader.text("site").value_or("");
    target.project = reader.text("project").value_or("");
    target.name = reader.text("name").value_or(output.file.stem().string());
    target.description = reader.text("description").value_or("");
    target.tags = reader.texts("tags");
    for (const auto& tag : target.tags) {
      if (tag.empty() || tag.find(',') != std::string::npos) {
        reader.error("tags", fmt::format("tag \"{}\" cannot be used", tag),
                     "a tag is a non-empty label without commas (Tableau separates tags with commas)");
      }
    }
    target.certified = reader.flag("certified");
    target.certification_note = reader.text("certification_note");
    if (target.certification_note && !target.certified) {
      reader.error("certification_note", "certification_note without certified",
                   "add certified: true (the note explains the certification)");
    }
    target.warn_on_failure = reader.flag("warn_on_failure").value_or(true);
    target.job_timeout = reader.duration("job_timeout", std::chrono::seconds(1), std::chrono::seconds(7 * 86'400)).value_or(target.job_timeout);
    if (auto limit = reader.integer("payload_limit_mb", 1, 10'000)) {
      target.update_payload_limit = static_cast<std::uint64_t>(*limit) << 20U;
    }
    target.session_wait = reader.duration("session_wait", std::chrono::seconds(1), std::chrono::seconds(86'400)).value_or(target.session_wait);
    target.allow_http = reader.flag("allow_http").value_or(false);
    target.as_job = reader.flag("as_job").value_or(false);
    target.connect_timeout = reader.duration("connect_timeout", std::chrono::seconds(1), std::chrono::seconds(3600)).value_or(target.connect_timeout);
    target.idle_timeout = reader.duration("idle_timeout", std::chrono::seconds(1), std::chrono::seconds(86'400)).value_or(target.idle_timeout);
    if (auto file = reader.text("credentials_file")) {
      target.credentials_file = resolve(m_base, *file);
    }
    if (auto file = reader.text("ca_bundle")) {
      target.ca_bundle = resolve(m_base, *file);
    }
    if (auto mode = reader.text("mode")) {
      auto parsed = publish::parse_publish_mode(*mode);
      if (!parsed) {
        reader.error("mode", parsed.error().message, "use createnew, overwrite, append, replace or sync");
      } else {
        target.mode = *parsed;
      }
    }
    if (auto normalized = target.normalize(); !normalized) {
      reader.error("server", normalized.error().message, normalized.error().hint);
    }
    if (target.mode == publish::PublishMode::append && output.tables.size() == 1 &&
        output.tables[0].mode != TableMode::replace) {
      reader.error("mode", fmt::format("output \"{}\" keeps earlier rows ({}); appending the whole file would add them to "
                                       "the data source again each run",
                                       output.name, table_mode_name(output.tables[0].mode)),
                   "publish with overwrite, or make the table mode replace so the file holds only the new rows");
    }
    if (target.mode == publish::PublishMode::append && output.tables.size() != 1) {
      reader.error("mode", fmt::format("output \"{}\" has {} tables; Tableau appends only from a single-table extract",
                                       output.name, output.tables.size()),
                   "use overwrite");
    }
    reader.finish();
    output.publish.push_back(std::move(target));
  }

  void read_output(const std::string& name, ConfigReader& reader, PipelineSpec& spec) {
    OutputSpec output;
    output.name = name;
    output.mark = reader.mark();
    if (!valid_file_name_part(name)) {
      m_out.diagnostics.add(reader.key_mark(), reader.path(), fmt::format("\"{}\" is not a usable output name", name),
                            "use letters, digits, '-', '_' and '.'");
    }
    if (auto file = reader.text("file", true)) {
      output.file = resolve(m_base, *file);
      if (output.file.extension() != ".hyper") {
        reader.error("file", fmt::format("{} does not end in .hyper", *file), "Tableau recognises extracts by the .hyper suffix");
      }
      for (const auto& other : spec.outputs) {
        if (other.file == output.file) {
          reader.error("file", fmt::format("output \"{}\" writes the same file", other.name));
        }
      }
    }
    if (auto version = reader.integer("file_version", 0, 4)) {
      output.file_version = static_cast<int>(*version);
    }
    for (auto& table : reader.items("tables", true)) {
      read_table(table, output);
    }
    if (reader.has("tables") && output.tables.empty()) {
      reader.error("tables", "an output needs at least one table");
    }
    reader.raw("publish"); // known even when left empty
    if (reader.has("publish")) {
      const YAML::Node node = reader.raw("publish");
      if (node.IsMap()) {
        ConfigReader target(node, reader.path_of("publish"), m_context);
        read_publish(target, output);
      } else {
        for (auto& target : reader.items("publish")) {
          read_publish(target, output);
        }
      }
    }
    reader.finish();
    spec.outputs.push_back(std::move(output));
  }

  fs::path m_file;
  fs::path m_base;
  ParsedPipeline& m_out;
  std::vector<std::string> m_secrets;
  ReaderContext m_context;
  std::set<std::string> m_step_names;
  std::set<std::string> m_nested_sources; ///< sources that may have child tables
};

} // namespace

std::string_view table_mode_name(TableMode mode) {
  switch (mode) {
  case TableMode::replace: return "replace";
  case TableMode::append: return "append";
  case TableMode::replace_by_key: return "replace_by_key";
  }
  return "replace";
}

const OutputSpec* PipelineSpec::find_output(std::string_view wanted) const {
  for (const auto& output : outputs) {
    if (output.name == wanted) {
      return &output;
    }
  }
  return nullptr;
}

ParsedPipeline parse_pipeline(std::string_view yaml, const fs::path& file, const Environment& environment) {
  ParsedPipeline out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& error) {
    out.diagnostics.add({error.mark.line + 1, error.mark.column + 1}, "", fmt::format("not valid YAML: {}", error.msg),
                        "check the indentation and quoting around this position");
    return out;
  }
  if (!root.IsMap()) {
    out.diagnostics.add({1, 1}, "", "a pipeline file is a mapping with version, sources and outputs",
                        "see docs/pipeline.md for an example");
    return out;
  }
  Parser(file, environment, out).parse(root);
  return out;
}

ParsedPipeline load_pipeline(const fs::path& file, const Environment& environment) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ParsedPipeline out;
    out.diagnostics.add({}, "", "cannot read the file", "check the path");
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_pipeline(text.str(), file, environment);
}

} // namespace hyperpipe::pipeline
