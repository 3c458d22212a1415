#pragma once
// Byte streams that sources read from. Sources never open files themselves: they take an
// InputStream, so tests and fuzzers feed them bytes from memory.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "hyperpipe/error.hpp"

namespace hyperpipe::io {

class InputStream {
public:
  virtual ~InputStream() = default;
  /// Reads up to `size` bytes into `buffer`; 0 means the end of the stream.
  virtual Result<std::size_t> read(char* buffer, std::size_t size) = 0;
};

/// A stream over bytes in memory (the bytes are copied).
std::unique_ptr<InputStream> memory_input(std::string bytes);

/// A file, opened for reading. The error names the path.
Result<std::unique_ptr<InputStream>> open_file(const std::filesystem::path& path);

/// The last `max_bytes` bytes of a file (all of it when smaller), its first bytes (a magic
/// number, a byte-order mark) and its size.
struct FileTail {
  std::string bytes;
  std::uint64_t file_size = 0;
  std::string start; ///< up to 4 bytes
};
Result<FileTail> read_file_tail(const std::filesystem::path& path, std::size_t max_bytes);

/// Text encodings a text source may be in. Detection (BOM, gzip magic) happens in
/// open_text_input; `latin1` is never detected, only requested; `windows1252` (Excel's "CSV" on
/// Windows) is chosen by resolve_automatic_encoding.
enum class TextEncoding { automatic, utf8, utf16le, utf16be, latin1, windows1252 };

Result<TextEncoding> parse_text_encoding(std::string_view name);

/// Opens a text file as a UTF-8 stream: gunzips it if it starts with the gzip magic bytes,
/// drops a UTF-8 byte-order mark, and transcodes UTF-16 (by BOM, or as requested) and Latin-1
/// (as requested) to UTF-8.
Result<std::unique_ptr<InputStream>> open_text_input(const std::filesystem::path& path, TextEncoding encoding);

/// What `automatic` means for this file: itself (a BOM, or valid UTF-8 in its first MiB), or
/// windows1252 when those bytes are not UTF-8 but are all Windows-1252 characters.
Result<TextEncoding> resolve_automatic_encoding(const std::filesystem::path& path);

/// The same, counting the file's own bytes (before gunzipping or transcoding) into `file_bytes`
/// as they are read, for progress against the file's size. The counter must outlive the stream.
Result<std::unique_ptr<InputStream>> open_text_input(const std::filesystem::path& path, TextEncoding encoding,
                                                     std::atomic<std::uint64_t>& file_bytes);

/// The same, over any stream (for tests and fuzzers); `name` is used in error messages.
Result<std::unique_ptr<InputStream>> decode_text_input(std::unique_ptr<InputStream> raw, const std::string& name,
                                                       TextEncoding encoding);

} // namespace hyperpipe::io
