#include "pipeline/load_options.hpp"

#include <fmt/format.h>

#include "pipeline/file_inputs.hpp"

namespace hyperpipe::pipeline {

Status LoadFilesOptions::set_character(CsvCharacter which, std::string_view setting, std::string_view text) {
  HP_ASSIGN_OR_RETURN(const char c, single_character(setting, text));
  switch (which) {
  case CsvCharacter::delimiter: csv.delimiter = c; break;
  case CsvCharacter::quote: csv.quote = c; break;
  case CsvCharacter::escape: csv.escape = c; break;
  }
  return {};
}

void LoadFilesOptions::set_header(std::optional<bool> header) {
  csv.header = header;
  xlsx.header = header.value_or(true);
}

Status LoadFilesOptions::set_encoding(std::string_view text) {
  HP_ASSIGN_OR_RETURN(const io::TextEncoding encoding, io::parse_text_encoding(text));
  csv.encoding = encoding;
  json.encoding = encoding;
  return {};
}

Status LoadFilesOptions::set_max_value_mb(std::int64_t megabytes) {
  if (megabytes < 1 || megabytes > k_max_value_mb_limit) {
    return make_error(ErrorKind::invalid_argument,
                      fmt::format("the largest value must be 1 to {} MiB, not {}", k_max_value_mb_limit, megabytes));
  }
  const std::size_t bytes = static_cast<std::size_t>(megabytes) << 20U;
  csv.values.max_value_bytes = bytes;
  json.values.max_value_bytes = bytes;
  xlsx.values.max_value_bytes = bytes;
  return {};
}

void LoadFilesOptions::set_value_formats(std::vector<std::string> date_formats, std::vector<std::string> timestamp_formats) {
  for (sources::TextValueOptions* values : {&csv.values, &json.values, &xlsx.values}) {
    values->date_formats = date_formats;
    values->timestamp_formats = timestamp_formats;
  }
}

Status LoadFilesOptions::set_column_type(const std::string& column, std::string_view type) {
  HP_ASSIGN_OR_RETURN(const SqlType parsed, SqlType::parse(type));
  column_types.insert_or_assign(column, parsed);
  return {};
}

Status LoadFilesOptions::set_on_error(std::string_view text) {
  if (text == "fail") {
    reject_file.reset();
    return {};
  }
  if (text.starts_with("reject=") && text.size() > 7) {
    reject_file = std::filesystem::path(text.substr(7));
    return {};
  }
  return make_error(ErrorKind::invalid_argument, fmt::format("--on-error {}: use fail or reject=FILE", text));
}

Status LoadFilesOptions::set_decimal(std::string_view text) {
  if (text != "." && text != ",") {
    return make_error(ErrorKind::invalid_argument, fmt::format("decimal mark \"{}\": use . or ,", text));
  }
  if (csv.regional.thousands == std::string(text)) {
    return make_error(ErrorKind::invalid_argument, fmt::format("'{}' cannot be both the decimal mark and the thousands separator", text));
  }
  csv.regional.decimal = text.front();
  xlsx.regional.decimal = text.front();
  return {};
}

Status LoadFilesOptions::set_thousands(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> k_names[] = {
      {"none", ""}, {",", ","}, {".", "."}, {"'", "'"}, {"space", " "}, {" ", " "}, {"nbsp", "\u00A0"},
      {"narrow-nbsp", "\u202F"}};
  for (const auto& [name, separator] : k_names) {
    if (text == name) {
      if (csv.regional.decimal && separator == std::string_view(&*csv.regional.decimal, 1)) {
        return make_error(ErrorKind::invalid_argument,
                          fmt::format("'{}' cannot be both the decimal mark and the thousands separator", text));
      }
      csv.regional.thousands = std::string(separator);
      xlsx.regional.thousands = std::string(separator);
      return {};
    }
  }
  return make_error(ErrorKind::invalid_argument, fmt::format("thousands separator \"{}\": use , . ' space nbsp narrow-nbsp or none", text));
}

void LoadFilesOptions::set_day_first(bool day_first) {
  csv.regional.day_first = day_first;
  xlsx.regional.day_first = day_first;
}

} // namespace hyperpipe::pipeline
