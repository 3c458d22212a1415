#include "io/input_stream.hpp"

#include "base/utf8.hpp"

#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/unique_fd.hpp"

namespace hyperpipe::io {
namespace {

constexpr std::size_t k_chunk = 1U << 16U;

class MemoryInput final : public InputStream {
public:
  explicit MemoryInput(std::string bytes) : m_bytes(std::move(bytes)) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min(size, m_bytes.size() - m_offset);
    std::memcpy(buffer, m_bytes.data() + m_offset, n);
    m_offset += n;
    return n;
  }

private:
  std::string m_bytes;
  std::size_t m_offset = 0;
};

class FileInput final : public InputStream {
public:
  FileInput(base::UniqueFd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    for (;;) {
      const ssize_t got = ::read(m_fd.get(), buffer, size);
      if (got >= 0) {
        return static_cast<std::size_t>(got);
      }
      if (errno != EINTR) {
        return make_error(ErrorKind::io, fmt::format("{}: read failed: {}", m_path, std::strerror(errno)));
      }
    }
  }

private:
  base::UniqueFd m_fd;
  std::string m_path;
};

// Replays bytes already read (for sniffing magic numbers and BOMs), then the rest of a stream.
class PrefixedInput final : public InputStream {
public:
  PrefixedInput(std::string prefix, std::unique_ptr<InputStream> rest)
      : m_prefix(std::move(prefix)), m_rest(std::move(rest)) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (m_offset < m_prefix.size()) {
      const std::size_t n = std::min(size, m_prefix.size() - m_offset);
      std::memcpy(buffer, m_prefix.data() + m_offset, n);
      m_offset += n;
      return n;
    }
    return m_rest->read(buffer, size);
  }

private:
  std::string m_prefix;
  std::size_t m_offset = 0;
  std::unique_ptr<InputStream> m_rest;
};

class GzipInput final : public InputStream {
public:
  GzipInput(std::unique_ptr<InputStream> source, std::string name) : m_source(std::move(source)), m_name(std::move(name)) {
    m_input.resize(k_chunk);
    // 16 + MAX_WBITS: expect a gzip header; concatenated members are handled in read().
    m_ok = inflateInit2(&m_zs, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipInput() override { inflateEnd(&m_zs); }
  GzipInput(const GzipInput&) = delete;
  GzipInput& operator=(const GzipInput&) = delete;

  Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (!m_ok) {
      return make_error(ErrorKind::internal, "zlib could not be initialised");
    }
    const auto wanted = static_cast<uInt>(std::min<std::size_t>(size, 1U << 30U));
    m_zs.next_out = reinterpret_cast<Bytef*>(buffer);
    m_zs.avail_out = wanted;
    while (m_zs.avail_out == wanted) { // until some output, or the end
      if (m_zs.avail_in == 0) {
        if (m_source_done) {
          if (!m_member_ended) {
            return make_error(ErrorKind::value, fmt::format("{}: the gzip data is truncated", m_name));
          }
          return std::size_t{0};
        }
        HP_ASSIGN_OR_RETURN(std::size_t got, m_source->read(m_input.data(), m_input.size()));
        m_source_done = got == 0;
        m_zs.next_in = reinterpret_cast<Bytef*>(m_input.data());
        m_zs.avail_in = static_cast<uInt>(got);
        continue;
      }
      const int status = inflate(&m_zs, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        m_member_ended = true;
        inflateReset(&m_zs); // another gzip member may follow (as `cat a.gz b.gz` makes)
      } else if (status == Z_OK || status == Z_BUF_ERROR) {
        m_member_ended = false;
      } else {
        return make_error(ErrorKind::value, fmt::format("{}: corrupt gzip data ({})", m_name,
                                                        m_zs.msg != nullptr ? m_zs.msg : "inflate failed"));
      }
    }
    return static_cast<std::size_t>(wanted - m_zs.avail_out);
  }

private:
  std::unique_ptr<InputStream> m_source;
  std::string m_name;
  std::vector<char> m_input;
  z_stream m_zs{};
  bool m_ok = false;
  bool m_source_done = false;
  bool m_member_ended = false;
};

// Converts a stream in `from_encoding` to UTF-8 with iconv, reporting the byte offset of an
// invalid sequence.
class TranscodingInput final : public InputStream {
public:
  TranscodingInput(std::unique_ptr<InputStream> source, std::string name, const char* from_encoding)
      : m_source(std::move(source)), m_name(std::move(name)), m_from(from_encoding) {
    m_cd = iconv_open("UTF-8", from_encoding);
  }
  ~TranscodingInput() override {
    if (m_cd != reinterpret_cast<iconv_t>(-1)) {
      iconv_close(m_cd);
    }
  }
  TranscodingInput(const TranscodingInput&) = delete;
  TranscodingInput& operator=(const TranscodingInput&) = delete;

  Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (m_cd == reinterpret_cast<iconv_t>(-1)) {
      return make_error(ErrorKind::unsupported, fmt::format("cannot convert from {}: {}", m_from, std::strerror(errno)));
    }
    char* out = buffer;
    std::size_t out_left = size;
    while (out == buffer) {
      if (m_pending.size() < 4 && !m_done) {
        char chunk[k_chunk];
        HP_ASSIGN_OR_RETURN(std::size_t got, m_source->read(chunk, sizeof chunk));
        m_done = got == 0;
        m_pending.append(chunk, got);
      }
      if (m_pending.empty()) {
        return std::size_t{0};
      }
      char* in = m_pending.data();
      std::size_t in_left = m_pending.size();
      const std::size_t converted = iconv(m_cd, &in, &in_left, &out, &out_left);
      const std::size_t consumed = m_pending.size() - in_left;
      m_consumed_total += consumed;
      m_pending.erase(0, consumed);
      if (converted == static_cast<std::size_t>(-1)) {
        if (errno == EILSEQ || (errno == EINVAL && m_done)) {
          return make_error(ErrorKind::value, fmt::format("{}: byte offset {}: not valid {}", m_name, m_consumed_total,
                                                          m_from),
                            "pass the right --encoding");
        }
        if (errno == E2BIG && out == buffer) {
          return make_error(ErrorKind::internal, "transcoding buffer too small");
        }
      }
      if (m_done && m_pending.empty()) {
        break;
      }
    }
    return static_cast<std::size_t>(out - buffer);
  }

private:
  std::unique_ptr<InputStream> m_source;
  std::string m_name;
  std::string m_from;
  iconv_t m_cd;
  std::string m_pending;
  std::size_t m_consumed_total = 0;
  bool m_done = false;
};

// Reads up to `size` bytes (fewer only at the end of the stream).
Result<std::string> read_prefix(InputStream& stream, std::size_t size) {
  std::string prefix(size, '\0');
  std::size_t have = 0;
  while (have < size) {
    HP_ASSIGN_OR_RETURN(std::size_t got, stream.read(prefix.data() + have, size - have));
    if (got == 0) {
      break;
    }
    have += got;
  }
  prefix.resize(have);
  return prefix;
}

} // namespace

std::unique_ptr<InputStream> memory_input(std::string bytes) { return std::make_unique<MemoryInput>(std::move(bytes)); }

Result<std::unique_ptr<InputStream>> open_file(const std::filesystem::path& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int error = errno;
    return make_error(error == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                      fmt::format("{}: {}", path.string(), error == ENOENT ? "no such file" : std::strerror(error)));
  }
  return std::unique_ptr<InputStream>(std::make_unique<FileInput>(std::move(fd), path.string()));
}

Result<FileTail> read_file_tail(const std::filesystem::path& path, std::size_t max_bytes) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat info {};
  if (!fd || ::fstat(fd.get(), &info) != 0) {
    return make_error(ErrorKind::io, fmt::format("{}: {}", path.string(), std::strerror(errno)));
  }
  FileTail tail;
  tail.file_size = static_cast<std::uint64_t>(info.st_size);
  const std::uint64_t wanted = std::min<std::uint64_t>(max_bytes, tail.file_size);
  tail.bytes.resize(static_cast<std::size_t>(wanted));
  std::size_t have = 0;
  while (have < tail.bytes.size()) {
    const auto offset = static_cast<off_t>(tail.file_size - wanted + have);
    const ssize_t got = ::pread(fd.get(), tail.bytes.data() + have, tail.bytes.size() - have, offset);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return make_error(ErrorKind::io, fmt::format("{}: cannot read its end: {}", path.string(),
                                                   got < 0 ? std::strerror(errno) : "the file shrank"));
    }
    have += static_cast<std::size_t>(got);
  }
  tail.start.resize(static_cast<std::size_t>(std::min<std::uint64_t>(4, tail.file_size)));
  if (!tail.start.empty() && ::pread(fd.get(), tail.start.data(), tail.start.size(), 0) != static_cast<ssize_t>(tail.start.size())) {
    return make_error(ErrorKind::io, fmt::format("{}: cannot read its start: {}", path.string(), std::strerror(errno)));
  }
  return tail;
}

Result<TextEncoding> parse_text_encoding(std::string_view name) {
  std::string lower;
  for (char c : name) {
    if (c != '-' && c != '_') {
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (lower == "auto" || lower.empty()) return TextEncoding::automatic;
  if (lower == "utf8") return TextEncoding::utf8;
  if (lower == "utf16le") return TextEncoding::utf16le;
  if (lower == "utf16be") return TextEncoding::utf16be;
  if (lower == "latin1" || lower == "iso88591") return TextEncoding::latin1;
  if (lower == "windows1252" || lower == "cp1252") return TextEncoding::windows1252;
  return make_error(ErrorKind::invalid_argument, fmt::format("unknown encoding \"{}\"", name),
                    "use auto, utf-8, utf-16le, utf-16be, latin1 or windows-1252");
}

Result<std::unique_ptr<InputStream>> decode_text_input(std::unique_ptr<InputStream> raw, const std::string& name,
                                                       TextEncoding encoding) {
  HP_ASSIGN_OR_RETURN(std::string head, read_prefix(*raw, 2));
  std::unique_ptr<InputStream> stream = std::make_unique<PrefixedInput>(head, std::move(raw));
  if (head.size() == 2 && static_cast<unsigned char>(head[0]) == 0x1F && static_cast<unsigned char>(head[1]) == 0x8B) {
    stream = std::make_unique<GzipInput>(std::move(stream), name);
  }
  HP_ASSIGN_OR_RETURN(std::string bom, read_prefix(*stream, 3));
  const auto byte = [&](std::size_t i) { return i < bom.size() ? static_cast<unsigned char>(bom[i]) : 0U; };
  std::string keep = bom;
  if (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
    keep.clear(); // UTF-8 BOM: dropped
    if (encoding == TextEncoding::automatic) {
      encoding = TextEncoding::utf8;
    }
  } else if (byte(0) == 0xFF && byte(1) == 0xFE) {
    keep.erase(0, 2);
    encoding = TextEncoding::utf16le;
  } else if (byte(0) == 0xFE && byte(1) == 0xFF) {
    keep.erase(0, 2);
    encoding = TextEncoding::utf16be;
  }
  stream = std::make_unique<PrefixedInput>(keep, std::move(stream));
  switch (encoding) {
  case TextEncoding::utf16le: return std::unique_ptr<InputStream>(std::make_unique<TranscodingInput>(std::move(stream), name, "UTF-16LE"));
  case TextEncoding::utf16be: return std::unique_ptr<InputStream>(std::make_unique<TranscodingInput>(std::move(stream), name, "UTF-16BE"));
  case TextEncoding::latin1: return std::unique_ptr<InputStream>(std::make_unique<TranscodingInput>(std::move(stream), name, "ISO-8859-1"));
  case TextEncoding::windows1252:
    return std::unique_ptr<InputStream>(std::make_unique<TranscodingInput>(std::move(stream), name, "WINDOWS-1252"));
  case TextEncoding::automatic:
  case TextEncoding::utf8: break;
  }
  return stream;
}

Result<TextEncoding> resolve_automatic_encoding(const std::filesystem::path& path) {
  constexpr std::size_t k_probe_bytes = std::size_t{1} << 20U;
  HP_ASSIGN_OR_RETURN(auto raw, open_file(path));
  HP_ASSIGN_OR_RETURN(auto decoded, decode_text_input(std::move(raw), path.string(), TextEncoding::automatic));
  HP_ASSIGN_OR_RETURN(std::string head, read_prefix(*decoded, k_probe_bytes));
  // A character cut by the end of the probe is not a reason to doubt the rest.
  const std::size_t cut = head.size() == k_probe_bytes ? 3 : 0;
  for (std::size_t drop = 0; drop <= cut && drop <= head.size(); ++drop) {
    if (base::is_valid_utf8(std::string_view(head).substr(0, head.size() - drop))) {
      return TextEncoding::automatic;
    }
  }
  // Windows-1252 only when the bytes read as text in it: no UTF-8 sequence at all (that is damaged
  // UTF-8), no control characters, and no byte it leaves undefined or that is rare in text but
  // common in binary data (ÿ, þ). Anything else stays UTF-8, whose errors say where.
  const auto at = [&](std::size_t i) { return i < head.size() ? static_cast<unsigned char>(head[i]) : 0U; };
  const auto continuation = [&](std::size_t i) { return (at(i) & 0xC0U) == 0x80U; };
  for (std::size_t i = 0; i < head.size(); ++i) {
    const unsigned byte = at(i);
    const bool utf8_sequence = (byte >= 0xC2 && byte <= 0xDF && continuation(i + 1)) ||
                               (byte >= 0xE0 && byte <= 0xEF && continuation(i + 1) && continuation(i + 2)) ||
                               (byte >= 0xF0 && byte <= 0xF4 && continuation(i + 1) && continuation(i + 2) && continuation(i + 3));
    const bool control = byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r';
    const bool not_text = byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D || byte >= 0xFE;
    if (utf8_sequence || control || not_text) {
      return TextEncoding::automatic;
    }
  }
  return TextEncoding::windows1252;
}

Result<std::unique_ptr<InputStream>> open_text_input(const std::filesystem::path& path, TextEncoding encoding) {
  HP_ASSIGN_OR_RETURN(auto raw, open_file(path));
  return decode_text_input(std::move(raw), path.string(), encoding);
}

namespace {

class CountingInput final : public InputStream {
public:
  CountingInput(std::unique_ptr<InputStream> inner, std::atomic<std::uint64_t>& count)
      : m_inner(std::move(inner)), m_count(count) {}
  Result<std::size_t> read(char* buffer, std::size_t size) override {
    auto got = m_inner->read(buffer, size);
    if (got) {
      m_count.fetch_add(*got, std::memory_order_relaxed);
    }
    return got;
  }

private:
  std::unique_ptr<InputStream> m_inner;
  std::atomic<std::uint64_t>& m_count;
};

} // namespace

Result<std::unique_ptr<InputStream>> open_text_input(const std::filesystem::path& path, TextEncoding encoding,
                                                     std::atomic<std::uint64_t>& file_bytes) {
  HP_ASSIGN_OR_RETURN(auto raw, open_file(path));
  return decode_text_input(std::make_unique<CountingInput>(std::move(raw), file_bytes), path.string(), encoding);
}

} // namespace hyperpipe::io
