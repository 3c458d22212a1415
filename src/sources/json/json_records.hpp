#pragma once
// The records of a JSON file, as simdjson elements: the elements of its records array (or the
// one object it is), or one record per NDJSON line, each with its position or line for
// messages. Integers beyond 64 bits are quoted and the text parsed again (sources/json/
// big_integers.hpp); an NDJSON line over the value limit fails at once.

#include <simdjson.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "hyperpipe/error.hpp"
#include "sources/json/json_source.hpp"

namespace hyperpipe::sources {

/// Parses one JSON text, quoting integers beyond 64 bits; `big_integers` counts them.
simdjson::error_code parse_json(simdjson::dom::parser& parser, std::string_view text, simdjson::dom::element& out,
                                std::uint64_t& big_integers);

/// "an array", "a number", ...: a JSON value's kind, for messages.
const char* type_name(simdjson::dom::element_type type);

/// One pass over a file's records. `document` holds the whole file in array / records-path mode
/// (it is replaced by its quoted text when it holds big integers, so later passes need not
/// quote again); NDJSON is streamed from `path`.
struct JsonRecords {
  const std::filesystem::path& path;
  const JsonOptions& options;
  simdjson::dom::parser& parser;
  simdjson::padded_string& document;
  bool ndjson;
  std::uint64_t& big_integers;

  /// Calls `visit` for every record with its line (NDJSON) or 1-based position (array).
  Status for_each(const std::string& name, const std::function<Status(simdjson::dom::element, std::uint64_t)>& visit);
};

} // namespace hyperpipe::sources
