#include "sources/json/json_records.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "io/input_stream.hpp"
#include "sources/json/big_integers.hpp"

namespace hyperpipe::sources {
namespace dom = simdjson::dom;
namespace {

constexpr std::size_t k_read_chunk = 1U << 20U;

// simdjson 3.0 reports an integer beyond 64 bits as a number it cannot parse.
bool may_be_big_integer(simdjson::error_code error) {
  return error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE;
}

} // namespace

// simdjson stops at 64-bit integers; JSON does not, so such integers are quoted (kept exactly,
// as strings) and the text parsed again.
simdjson::error_code parse_json(dom::parser& parser, std::string_view text, dom::element& out, std::uint64_t& big_integers) {
  const auto error = parser.parse(text.data(), text.size()).get(out);
  if (!may_be_big_integer(error)) {
    return error;
  }
  std::size_t quoted = 0;
  const auto requoted = quote_big_integers(text, quoted);
  if (!requoted) {
    return error;
  }
  big_integers += quoted;
  return parser.parse(*requoted).get(out);
}


const char* type_name(dom::element_type type) {
  switch (type) {
  case dom::element_type::ARRAY: return "an array";
  case dom::element_type::OBJECT: return "an object";
  case dom::element_type::INT64:
  case dom::element_type::UINT64:
  case dom::element_type::DOUBLE: return "a number";
  case dom::element_type::STRING: return "a string";
  case dom::element_type::BOOL: return "a boolean";
  case dom::element_type::NULL_VALUE: return "null";
  }
  return "a value";
}


Status JsonRecords::for_each(const std::string& name, const std::function<Status(dom::element, std::uint64_t)>& visit) {
  if (!ndjson) {
    dom::element root;
    auto error = parser.parse(document).get(root);
    std::size_t quoted = 0;
    if (may_be_big_integer(error)) {
      if (auto requoted = quote_big_integers(std::string_view(document.data(), document.size()), quoted)) {
        big_integers += quoted;
        document = simdjson::padded_string(*requoted); // later passes read the quoted text
        error = parser.parse(document).get(root);
      }
    }
    if (error) {
      return make_error(ErrorKind::value, fmt::format("{}: invalid JSON: {}", name, simdjson::error_message(error)));
    }
    dom::element records = root;
    if (!options.records_path.empty()) {
      std::string_view rest = options.records_path;
      while (!rest.empty()) {
        const auto dot = rest.find('.');
        const std::string_view key = rest.substr(0, dot);
        if (records.at_key(key).get(records)) {
          return make_error(ErrorKind::value,
                            fmt::format("{}: no field \"{}\" on the way to the records path \"{}\"", name, key,
                                        options.records_path));
        }
        rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
      }
    }
    if (records.is_object() && options.records_path.empty()) {
      return visit(records, 1); // a single object is a single record
    }
    if (!records.is_array()) {
      return make_error(ErrorKind::value, fmt::format("{}: the records at \"{}\" are {}, not an array", name,
                                                      options.records_path.empty() ? "$" : options.records_path,
                                                      type_name(records.type())));
    }
    std::uint64_t position = 0;
    const dom::array array = records.get_array().value_unsafe();
    for (dom::element record : array) {
      HP_TRY(visit(record, ++position));
    }
    return {};
  }
  HP_ASSIGN_OR_RETURN(auto input, io::open_text_input(path, options.encoding));
  // `pending` holds unread input from `offset` on; consumed lines are dropped only when the
  // buffer is refilled, so each byte is moved at most once.
  std::string pending;
  std::size_t offset = 0;
  std::string chunk(k_read_chunk, '\0');
  std::uint64_t line = 0;
  bool done = false;
  while (!done || offset < pending.size()) {
    std::size_t newline = pending.find('\n', offset);
    if (newline == std::string::npos && pending.size() - offset > options.values.max_value_bytes) {
      return make_error(ErrorKind::value,
                        fmt::format("{}:{}: a line longer than {} MiB", name, line + 1, options.values.max_value_bytes >> 20U),
                        "a damaged file is likely; if such records are real, raise the limit with --max-value-mb "
                        "(max_value_mb: in a pipeline)");
    }
    if (newline == std::string::npos && !done) {
      pending.erase(0, offset);
      offset = 0;
      HP_ASSIGN_OR_RETURN(std::size_t got, input->read(chunk.data(), chunk.size()));
      done = got == 0;
      pending.append(chunk, 0, got);
      continue;
    }
    if (newline == std::string::npos) {
      newline = pending.size();
    }
    ++line;
    std::string_view text(pending.data() + offset, newline - offset);
    if (!text.empty() && text.back() == '\r') {
      text.remove_suffix(1);
    }
    if (text.find_first_not_of(" \t") != std::string_view::npos) {
      dom::element record;
      if (auto error = parse_json(parser, text, record, big_integers)) {
        return make_error(ErrorKind::value,
                          fmt::format("{}:{}: invalid JSON: {}", name, line, simdjson::error_message(error)),
                          "each line of an NDJSON file must be one complete JSON value");
      }
      HP_TRY(visit(record, line));
    }
    offset = std::min(newline + 1, pending.size());
  }
  return {};
}

} // namespace hyperpipe::sources
