#pragma once
// What `hyperpipe validate` reports: every problem of a pipeline file, each with the line and
// column it sits at, the key path that leads to it, and a hint that says what to write instead.

#include <string>
#include <vector>

namespace hyperpipe::pipeline {

/// A position in the pipeline file, 1-based; line 0 means "the file as a whole".
struct Mark {
  int line = 0;
  int column = 0;
};

struct Diagnostic {
  Mark mark;
  std::string path; ///< key path, e.g. "sources.sales.delimiter"
  std::string message;
  std::string hint;

  /// "pipeline.yaml:12:5: sources.sales.delimiter: ... (hint: ...)"
  std::string describe(const std::string& file) const;
};

class Diagnostics {
public:
  void add(Mark mark, std::string path, std::string message, std::string hint = {});
  bool empty() const { return m_items.empty(); }
  const std::vector<Diagnostic>& items() const { return m_items; }
  /// Every diagnostic, one per line, sorted by position.
  std::string describe(const std::string& file) const;

private:
  std::vector<Diagnostic> m_items;
};

} // namespace hyperpipe::pipeline
