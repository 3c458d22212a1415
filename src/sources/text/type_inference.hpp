#pragma once
// Choosing a column type from the text values seen so far. Each column walks up a small lattice
// as values arrive and never down:
//
//   (nothing yet) → boolean | integer → big integer → numeric(p,s) → double → text
//                   date → timestamp                 timestamp with time zone
//
// Anything that mixes families (a boolean among numbers, a date among numbers, naive and
// offset timestamps together) becomes text, so no value is ever forced into a type it is not.

#include <cstdint>
#include <string_view>

#include "hyperpipe/sql_type.hpp"
#include "sources/text/text_values.hpp"

namespace hyperpipe::sources {

class TypeInference {
public:
  /// Records one non-NULL value given as text (a CSV field).
  void observe(std::string_view text, const TextValueOptions& options);
  /// Records a JSON string: it may hold a date or timestamp, otherwise it is text. (Strings that
  /// look like numbers stay text: the producer chose to quote them.)
  void observe_string(std::string_view text, const TextValueOptions& options);
  /// Records an integer (a JSON number without fraction).
  void observe_integer(std::int64_t value);
  /// Records a floating-point number (a JSON number with a fraction or exponent).
  void observe_floating() { widen_to(Kind::floating); }
  /// Records a value that can only be text (a nested object or array kept as JSON).
  void observe_text() { m_kind = Kind::text; }
  /// Merges what another inference saw (the same column in another file).
  void merge(const TypeInference& other);
  /// The narrowest type that holds every value observed; TEXT when none was.
  SqlType type() const;
  bool saw_values() const { return m_kind != Kind::none; }

private:
  enum class Kind { none, boolean, integer, big_integer, decimal, floating, date, timestamp, timestamp_tz, text };
  static Kind join(Kind a, Kind b);
  /// Dates and timestamps (joined with what was seen); false if the text is neither.
  bool observe_temporal(std::string_view text, const TextValueOptions& options);
  void widen_to(Kind kind);

  Kind m_kind = Kind::none;
  int m_integer_digits = 0; ///< for decimal: most digits seen before the point
  int m_scale = 0;          ///< for decimal: most digits seen after the point
  int m_bool_words = 0;     ///< for boolean: 1 true/false, 2 yes/no, 3 y/n (0: none yet)
};

} // namespace hyperpipe::sources
