#include "sources/database/query_text.hpp"

#include <algorithm>

namespace hyperpipe::sources::database {
namespace {

std::string quoted(std::string_view name, char quote) {
  std::string out(1, quote);
  for (const char c : name) {
    out += c;
    if (c == quote) {
      out += c;
    }
  }
  out += quote;
  return out;
}

} // namespace

std::string as_subquery(std::string_view query) {
  // Drop what may end a query but cannot end a subquery: semicolons, whitespace, and a -- comment
  // on the last line (not one inside a string: an odd number of quotes before it).
  for (std::size_t before = query.size() + 1; before != query.size();) {
    before = query.size();
    while (!query.empty() && (query.back() == ';' || query.back() == ' ' || query.back() == '\n' || query.back() == '\t' ||
                              query.back() == '\r')) {
      query.remove_suffix(1);
    }
    const auto line = query.rfind('\n') == std::string_view::npos ? 0 : query.rfind('\n') + 1;
    const auto comment = query.find("--", line);
    if (comment != std::string_view::npos) {
      // Only when the "--" is surely outside a string or identifier ('…', "…", $$…$$); a comment
      // left in place is harmless anyway, since the closing parenthesis gets a line of its own.
      const auto text = query.substr(line, comment - line);
      const bool outside = std::count(text.begin(), text.end(), '\'') % 2 == 0 &&
                           std::count(text.begin(), text.end(), '"') % 2 == 0 && text.find('$') == std::string_view::npos;
      if (outside) {
        query = query.substr(0, comment);
      }
    }
  }
  return "(\n" + std::string(query) + "\n)";
}

std::string table_reference(std::string_view table, char quote) {
  const auto dot = table.find('.');
  if (dot == std::string_view::npos) {
    return quoted(table, quote);
  }
  return quoted(table.substr(0, dot), quote) + "." + quoted(table.substr(dot + 1), quote);
}

} // namespace hyperpipe::sources::database
