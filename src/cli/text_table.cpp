#include "cli/text_table.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/utf8.hpp"

namespace hyperpipe::cli {
namespace {

constexpr std::string_view k_null_text = "NULL";

std::size_t display_width(std::string_view text) { return base::count_code_points(text); }

void pad_to(std::string& out, std::string_view text, std::size_t width) {
  out += text;
  out.append(width - std::min(width, display_width(text)), ' ');
}

bool needs_csv_quotes(std::string_view value) {
  return value.empty() || value.find_first_of(",\"\r\n") != std::string_view::npos || value.front() == ' ' ||
         value.back() == ' ';
}

nlohmann::ordered_json json_value(const std::optional<std::string>& text, const std::optional<SqlType>& type) {
  if (!text) {
    return nullptr;
  }
  const TypeKind kind = type ? type->kind() : TypeKind::text;
  const char* begin = text->data();
  const char* end = begin + text->size();
  switch (kind) {
  case TypeKind::boolean: return *text == "t" || *text == "true";
  case TypeKind::small_int:
  case TypeKind::integer:
  case TypeKind::big_int:
  case TypeKind::oid: {
    std::int64_t value = 0;
    if (auto [ptr, ec] = std::from_chars(begin, end, value); ec == std::errc() && ptr == end) {
      return value;
    }
    return *text;
  }
  case TypeKind::double_precision:
  case TypeKind::real: {
    double value = 0;
    if (auto [ptr, ec] = std::from_chars(begin, end, value); ec == std::errc() && ptr == end && std::isfinite(value)) {
      return value;
    }
    return *text; // NaN and Infinity have no JSON number form
  }
  default: return *text;
  }
}

} // namespace

std::string render_table(const QueryResult& result) {
  std::vector<std::size_t> widths;
  for (const auto& column : result.columns) {
    widths.push_back(display_width(column.name));
  }
  for (const auto& row : result.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c] ? std::string_view(*row[c]) : k_null_text));
    }
  }
  std::string out;
  for (std::size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) {
      out += " | ";
    }
    pad_to(out, result.columns[c].name, widths[c]);
  }
  out += '\n';
  for (std::size_t c = 0; c < widths.size(); ++c) {
    out += (c > 0 ? "-+-" : "") + std::string(widths[c], '-');
  }
  out += '\n';
  for (const auto& row : result.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) {
        out += " | ";
      }
      pad_to(out, row[c] ? std::string_view(*row[c]) : k_null_text, widths[c]);
    }
    out += '\n';
  }
  out += fmt::format("({} row{})\n", result.rows.size(), result.rows.size() == 1 ? "" : "s");
  return out;
}

std::string render_csv(const QueryResult& result) {
  std::string out;
  auto field = [&](std::string_view value, bool quote) {
    if (!quote) {
      out += value;
      return;
    }
    out += '"';
    for (char c : value) {
      out += c;
      if (c == '"') {
        out += '"';
      }
    }
    out += '"';
  };
  for (std::size_t c = 0; c < result.columns.size(); ++c) {
    if (c > 0) {
      out += ',';
    }
    field(result.columns[c].name, needs_csv_quotes(result.columns[c].name));
  }
  out += "\r\n";
  for (const auto& row : result.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) {
        out += ',';
      }
      if (row[c]) {
        field(*row[c], needs_csv_quotes(*row[c]));
      }
    }
    out += "\r\n";
  }
  return out;
}

std::string render_json(const QueryResult& result) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : result.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < row.size(); ++c) {
      object[result.columns[c].name] = json_value(row[c], result.columns[c].type);
    }
    rows.push_back(std::move(object));
  }
  return rows.dump(2) + "\n";
}

} // namespace hyperpipe::cli
