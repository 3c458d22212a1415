#include "sources/rejects.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace hyperpipe::sources {
namespace {

class FailOnError final : public RejectSink {
public:
  Status reject(const RejectedRow& row) override {
    const bool encoding = row.reason.find("invalid UTF-8") != std::string::npos;
    return make_error(ErrorKind::value, fmt::format("{}:{}: {}", row.source, row.line, row.reason),
                      encoding ? "if the file is not UTF-8, pass --encoding latin1 (or utf-16le/utf-16be); or keep "
                                 "the bad rows aside with --on-error reject=FILE"
                               : "fix the input, override the column type with --schema, or keep the bad rows aside "
                                 "with --on-error reject=FILE");
  }
  std::uint64_t rejected() const override { return 0; }
};

std::string csv_field(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

class RejectFile final : public RejectSink {
public:
  explicit RejectFile(std::filesystem::path path) : m_path(std::move(path)) {}
  ~RejectFile() override {
    if (m_file != nullptr) {
      std::fclose(m_file);
    }
  }
  RejectFile(const RejectFile&) = delete;
  RejectFile& operator=(const RejectFile&) = delete;

  Status reject(const RejectedRow& row) override {
    if (m_file == nullptr) {
      m_file = std::fopen(m_path.c_str(), "w");
      if (m_file == nullptr) {
        return make_error(ErrorKind::io, fmt::format("cannot write the reject file {}", m_path.string()));
      }
      std::fputs("source,line,reason,fields...\n", m_file);
    }
    std::string line = fmt::format("{},{},{}", csv_field(row.source), row.line, csv_field(row.reason));
    for (const auto& field : row.fields) {
      line += ',';
      line += csv_field(field);
    }
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size() || std::fflush(m_file) != 0) {
      return make_error(ErrorKind::io, fmt::format("cannot write the reject file {}", m_path.string()));
    }
    ++m_count;
    return {};
  }
  std::uint64_t rejected() const override { return m_count; }

private:
  std::filesystem::path m_path;
  std::FILE* m_file = nullptr;
  std::uint64_t m_count = 0;
};

} // namespace

std::unique_ptr<RejectSink> fail_on_error() { return std::make_unique<FailOnError>(); }

std::unique_ptr<RejectSink> reject_to_file(const std::filesystem::path& path) {
  return std::make_unique<RejectFile>(path);
}

} // namespace hyperpipe::sources
