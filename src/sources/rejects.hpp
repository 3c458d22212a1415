#pragma once
// Where rows a source cannot load go: nowhere (the load stops with the error), or a reject file
// that records each row with its reason so nothing is silently lost.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hyperpipe/error.hpp"

namespace hyperpipe::sources {

struct RejectedRow {
  std::string source;            ///< file name
  std::uint64_t line = 0;        ///< where the row starts (or the record number, for sources without lines)
  std::string reason;            ///< the same text the error would have had
  std::vector<std::string> fields; ///< the row as read
};

class RejectSink {
public:
  virtual ~RejectSink() = default;
  /// Takes a bad row; returns the error to stop with when rows are not to be rejected.
  virtual Status reject(const RejectedRow& row) = 0;
  virtual std::uint64_t rejected() const = 0;
};

/// Rejects nothing: the first bad row stops the load with its reason.
std::unique_ptr<RejectSink> fail_on_error();

/// Writes rows as CSV (source, line, reason, then the row's fields) to `path`, created on the
/// first rejected row and flushed row by row.
std::unique_ptr<RejectSink> reject_to_file(const std::filesystem::path& path);

} // namespace hyperpipe::sources
