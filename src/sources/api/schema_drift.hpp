#pragma once
// Noticing when an API's records change shape between pages: a field the first page did not
// have, or a field whose JSON kind changes (integer to string, object to text...). Nested
// objects are followed as dotted names, like the flattening into columns. Null is compatible
// with every kind; an integer that becomes a fraction is reported too. Pure.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

namespace hyperpipe::sources {

class DriftTracker {
public:
  /// Observes one record of page `page` (1-based). Page 1 defines the shape.
  void observe(std::uint64_t page, simdjson::dom::element record);
  /// Changes seen so far, in order: "page 3: new field \"x\" (string)",
  /// "page 4: field \"views\" was integer, now string".
  const std::vector<std::string>& changes() const { return m_changes; }

private:
  void visit(std::uint64_t page, const std::string& name, simdjson::dom::element value, int depth);

  std::map<std::string, std::string> m_kinds; ///< field -> kind first seen
  std::vector<std::string> m_changes;
  std::map<std::string, bool> m_reported;
};

} // namespace hyperpipe::sources
