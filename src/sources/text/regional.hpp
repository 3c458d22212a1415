#pragma once
// How a file's numbers and dates are written, worked out from the sample that types it: files
// exported by Excel or by business systems in their locale write "1.234,50", "(12,00)" and
// "05.12.2026". Pure: fields in, conventions and the notes that report them out. Every
// detection can be overridden (decimal, thousands, day_first), and nothing is decided row by row:
// a column whose values do not all fit the file's convention stays text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/text/text_values.hpp"

namespace hyperpipe::sources {

/// What the user said, which wins over detection.
struct RegionalSettings {
  std::optional<char> decimal;          ///< '.' or ','
  std::optional<std::string> thousands; ///< "" for none
  std::optional<bool> day_first;        ///< for dates that could be either
};

/// Watches a file's numbers (every column: one locale writes them all).
class NumberFormatDetector {
public:
  void observe(std::string_view field);
  /// The format, and a note for each thing detected (or left undecided).
  NumberFormat result(const RegionalSettings& settings, std::vector<std::string>& notes) const;

private:
  std::size_t m_decimal_comma = 0; ///< "1,5", "1.234,5": a comma that can only be a decimal mark
  std::size_t m_decimal_point = 0;
  std::size_t m_parentheses = 0;
  /// Per candidate separator: fields that group by three with it, and fields that use it otherwise.
  /// `ambiguous`: "1,234", which groups or has three decimals, whichever the file's decimal mark says.
  struct Grouping {
    std::string separator;
    std::size_t grouped = 0;
    std::size_t broken = 0;
    std::size_t ambiguous = 0;
  };
  std::vector<Grouping> m_groupings{{",", 0, 0, 0}, {".", 0, 0, 0}, {"'", 0, 0, 0}, {" ", 0, 0, 0},
                                    {"\u00A0", 0, 0, 0}, {"\u202F", 0, 0, 0}};
  std::vector<std::string_view> m_separators; ///< scratch, reused for every field
  std::vector<std::size_t> m_runs;
};

/// Watches one column's dates written with day and month in either order (25/12/2026,
/// 12/25/2026, 05.12.2026, 2026/12/25, each with an optional time).
class DateLayoutDetector {
public:
  void observe(std::string_view field);
  /// Layouts (date, then timestamps) to read this column with, or none; `column` names it in notes.
  struct Layouts {
    std::vector<std::string> dates;
    std::vector<std::string> timestamps;
  };
  Layouts result(const RegionalSettings& settings, std::string_view column, std::vector<std::string>& notes) const;

private:
  char m_separator = 0;    ///< of the first date seen; another one makes the column text
  bool m_year_first = false;
  bool m_mixed = false;    ///< layouts disagree
  std::size_t m_seen = 0;
  int m_largest_first = 0; ///< of the two parts that are not the year
  int m_largest_second = 0;
};

/// How each column's values are read once a sample has been watched, for CSV fields and Excel
/// text cells alike: `base` with the file's number `format` and the column's detected date layouts
/// (tried before `base`'s). Layouts the user gave in `base` decide alone: then `dates` are cleared,
/// so no column reports a detected order. True when anything regional was found.
bool regional_value_options(const TextValueOptions& base, const NumberFormat& format,
                            std::vector<DateLayoutDetector>& dates, const RegionalSettings& settings,
                            std::vector<TextValueOptions>& columns);

} // namespace hyperpipe::sources
