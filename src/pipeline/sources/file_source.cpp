// File sources in pipelines: csv (any delimited text), json (JSON/NDJSON), xlsx and parquet.
// They stage through load_files, the same code as `hyperpipe load`, so a file behaves the same
// on the command line and in a pipeline.

#include <fmt/format.h>

#include <system_error>

#include "io/input_stream.hpp"
#include "pipeline/file_inputs.hpp"
#include "pipeline/load_files.hpp"
#include "pipeline/sources/file_source.hpp"

namespace hyperpipe::pipeline {
namespace fs = std::filesystem;
namespace {

// Each file named exists, is a file, and gives its first bytes.
Result<std::string> probe_files(const std::vector<std::string>& patterns) {
  HP_ASSIGN_OR_RETURN(const auto inputs, expand_inputs(patterns));
  std::uint64_t bytes = 0;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(input, ec)) {
      return make_error(ErrorKind::io, fmt::format("{}: not a file", input.string()), "name a file, or a glob of files");
    }
    auto stream = io::open_file(input);
    if (!stream) {
      Error error = std::move(stream).error();
      if (error.hint.empty()) {
        error.hint = "the user who runs hyperpipe must be able to read it: check its permissions and its folders'";
      }
      return error;
    }
    char first[64];
    HP_ASSIGN_OR_RETURN(std::size_t got, (*stream)->read(first, sizeof first));
    (void)got;
    bytes += fs::file_size(input, ec);
  }
  return fmt::format("{} file{} readable, {:.1f} MB", inputs.size(), inputs.size() == 1 ? "" : "s",
                     static_cast<double>(bytes) / 1e6);
}

class ConfiguredFileSource final : public ConfiguredSource {
public:
  std::string type;
  std::vector<std::string> patterns; ///< absolute, possibly globs
  LoadFilesOptions options;

  std::string describe() const override { return fmt::format("{} {}", type, fmt::join(patterns, " ")); }

  Result<std::string> probe(const fs::path&) const override { return probe_files(patterns); }

  Result<StageResult> stage(const StageContext& context) const override {
    LoadFilesOptions load = options;
    HP_ASSIGN_OR_RETURN(load.inputs, expand_inputs(patterns));
    load.output = context.staging_file;
    load.file_version = std::max(load.file_version.value_or(0), context.file_version);
    load.file_version_is_minimum = true; // a column type that needs a newer version raises it
    load.table = TableName{"public", context.table};
    load.reject_file = context.reject_file;
    const std::uint64_t bytes = total_size(load.inputs);
    if (context.on_progress) {
      load.on_progress = [&](std::uint64_t rows, std::uint64_t read) { context.on_progress(rows, read, bytes); };
    }
    HP_ASSIGN_OR_RETURN(LoadSummary summary, load_files(*context.engine, load));
    StageResult result;
    result.bytes = bytes;
    result.file_version = summary.file_version;
    for (const auto& table : summary.tables) {
      result.tables.push_back(table.name.table);
    }
    const TableName root{"public", context.table};
    for (const auto& file : summary.files) {
      if (file.table == root) {
        result.rows_read += file.rows_read;
        result.rows_loaded += file.rows_loaded;
        result.rows_rejected += file.rows_rejected;
      }
      for (const auto& note : file.notes) {
        result.notes.push_back(fmt::format("{}: {}", file.file.filename().string(), note));
      }
    }
    if (summary.widened_after_sample) {
      result.notes.emplace_back("types were inferred from every row (the sample was too narrow)");
    }
    return result;
  }
};

class FileSourceType final : public SourceType {
public:
  FileSourceType(std::string_view name, InputFormat format) : m_name(name), m_format(format) {}

  std::string_view name() const override { return m_name; }

  std::shared_ptr<const ConfiguredSource> configure(ConfigReader& reader, const fs::path& base_dir) const override {
    auto source = std::make_shared<ConfiguredFileSource>();
    source->type = m_name;
    LoadFilesOptions& options = source->options;
    options.format = m_format;
    for (const auto& pattern : reader.texts("path")) {
      const fs::path path(pattern);
      source->patterns.push_back((path.is_absolute() ? path : base_dir / path).lexically_normal().string());
    }
    if (source->patterns.empty()) {
      const YAML::Node path = reader.raw("path");
      if (path.IsSequence() && path.size() == 0) {
        reader.error("path", "no file named", "give a path or a glob pattern");
      } else if (!reader.has("path")) {
        reader.missing("path");
      }
    }
    const bool one_file_only = m_format == InputFormat::json || m_format == InputFormat::xlsx;
    if (one_file_only && source->patterns.size() > 1) {
      reader.error("path", fmt::format("a {} source reads one file", m_name), "make one source per file and UNION them in a transform");
    }
    for (const auto& [column, type_text] : reader.text_map("columns")) {
      if (auto set = options.set_column_type(column, type_text); !set) {
        reader.error_at(reader.mark_in("columns", column), reader.path_of(fmt::format("columns.{}", column)),
                        set.error().message, set.error().hint);
      }
    }
    options.set_value_formats(reader.texts("date_formats"), reader.texts("timestamp_formats"));
    if (auto megabytes = reader.integer("max_value_mb", 1, k_max_value_mb_limit)) {
      if (auto set = options.set_max_value_mb(*megabytes); !set) {
        reader.error("max_value_mb", set.error().message, set.error().hint);
      }
    }
    switch (m_format) {
    case InputFormat::text: read_csv(reader, options); break;
    case InputFormat::json: read_json(reader, options); break;
    case InputFormat::xlsx: read_xlsx(reader, options); break;
    default: break;
    }
    return source;
  }

private:
  static void read_encoding(ConfigReader& reader, LoadFilesOptions& options) {
    if (auto text = reader.text("encoding")) {
      if (auto set = options.set_encoding(*text); !set) {
        reader.error("encoding", set.error().message, set.error().hint);
      }
    }
  }

  static void read_csv(ConfigReader& reader, LoadFilesOptions& options) {
    for (auto [key, which] : {std::pair{"delimiter", CsvCharacter::delimiter}, std::pair{"quote", CsvCharacter::quote},
                              std::pair{"escape", CsvCharacter::escape}}) {
      if (auto text = reader.text(key)) {
        if (auto set = options.set_character(which, key, *text); !set) {
          reader.error(key, set.error().message, "write one character, or tab");
        }
      }
    }
    options.set_header(reader.flag("header"));
    read_encoding(reader, options);
    options.csv.null_tokens = reader.texts("null");
    for (auto [key, set] : {std::pair{"decimal", &LoadFilesOptions::set_decimal},
                            std::pair{"thousands", &LoadFilesOptions::set_thousands}}) {
      if (auto text = reader.text(key)) {
        if (auto done = (options.*set)(*text); !done) {
          reader.error(key, done.error().message, done.error().hint);
        }
      }
    }
    if (auto day_first = reader.flag("day_first")) {
      options.set_day_first(*day_first);
    }
    if (auto rows = reader.integer("sample_rows", 0, 1'000'000'000)) {
      options.csv.sample_rows = static_cast<std::size_t>(*rows);
    }
    if (auto server_copy = reader.flag("server_copy")) {
      options.server_copy = *server_copy;
    }
  }

  static void read_json(ConfigReader& reader, LoadFilesOptions& options) {
    options.json.records_path = reader.text("records_path").value_or("");
    if (auto depth = reader.integer("max_depth", 0, 1000)) {
      options.json.max_depth = static_cast<int>(*depth);
    }
    read_encoding(reader, options);
  }

  static void read_xlsx(ConfigReader& reader, LoadFilesOptions& options) {
    options.xlsx.sheet = reader.text("sheet").value_or("");
    options.set_header(reader.flag("header"));
  }

  std::string_view m_name;
  InputFormat m_format;
};

} // namespace

const SourceType& csv_source_type() {
  static const FileSourceType type("csv", InputFormat::text);
  return type;
}
const SourceType& json_source_type() {
  static const FileSourceType type("json", InputFormat::json);
  return type;
}
const SourceType& xlsx_source_type() {
  static const FileSourceType type("xlsx", InputFormat::xlsx);
  return type;
}
const SourceType& parquet_source_type() {
  static const FileSourceType type("parquet", InputFormat::parquet);
  return type;
}

} // namespace hyperpipe::pipeline
