#include "sources/csv/csv_reader.hpp"

#include <fmt/format.h>

#include <cstring>

namespace hyperpipe::sources {
namespace {
constexpr std::size_t k_read_size = 1U << 20U;
}

CsvReader::CsvReader(std::unique_ptr<io::InputStream> input, CsvDialect dialect, std::string name,
                     std::size_t max_record_bytes)
    : m_input(std::move(input)), m_dialect(dialect), m_name(std::move(name)), m_max_record_bytes(max_record_bytes) {
  m_buffer.resize(k_read_size);
}

Result<bool> CsvReader::fill() {
  if (m_eof) {
    return false;
  }
  HP_ASSIGN_OR_RETURN(std::size_t got, m_input->read(m_buffer.data(), m_buffer.size()));
  m_pos = 0;
  m_end = got;
  m_eof = got == 0;
  return got > 0;
}

bool CsvReader::next_simple(CsvRecord& record) {
  // Most records are one line with no quote characters and lie wholly in the buffer: split
  // them with memchr and hand out views into the buffer, no copying. Anything else (quotes, a
  // lone \r, a record crossing the buffer's end) takes the state machine below.
  const char* start = m_buffer.data() + m_pos;
  const auto length = static_cast<std::size_t>(m_end - m_pos);
  const auto* newline = static_cast<const char*>(std::memchr(start, '\n', length));
  if (newline == nullptr) {
    return false;
  }
  const auto line_length = static_cast<std::size_t>(newline - start);
  if (std::memchr(start, m_dialect.quote, line_length) != nullptr) {
    return false;
  }
  const char* line_end = newline;
  if (line_end > start && line_end[-1] == '\r') {
    --line_end;
  }
  if (std::memchr(start, '\r', static_cast<std::size_t>(line_end - start)) != nullptr) {
    return false;
  }
  const char* field = start;
  for (;;) {
    const auto* delimiter =
        static_cast<const char*>(std::memchr(field, m_dialect.delimiter, static_cast<std::size_t>(line_end - field)));
    const char* field_end = delimiter == nullptr ? line_end : delimiter;
    record.fields.emplace_back(field, static_cast<std::size_t>(field_end - field));
    record.quoted.push_back(false);
    if (delimiter == nullptr) {
      break;
    }
    field = delimiter + 1;
  }
  record.line = m_line;
  record.end_line = m_line;
  ++m_line;
  m_pos += line_length + 1;
  return true;
}

Result<bool> CsvReader::next(CsvRecord& record) {
  record.fields.clear();
  record.quoted.clear();
  m_field_bytes.clear();
  m_field_ends.clear();
  if (m_pos == m_end) {
    HP_ASSIGN_OR_RETURN(bool more, fill());
    if (!more) {
      return false;
    }
  }
  if (next_simple(record)) {
    return true;
  }
  record.line = m_line;
  enum class State { field_start, unquoted, quoted, quote_in_quoted, escape_in_quoted };
  State state = State::field_start;
  bool field_quoted = false;
  std::uint64_t quote_line = m_line;
  const char delimiter = m_dialect.delimiter;
  const char quote = m_dialect.quote;
  const char escape = m_dialect.escape;
  const auto end_field = [&] {
    m_field_ends.push_back(m_field_bytes.size());
    record.quoted.push_back(field_quoted);
    field_quoted = false;
  };
  bool record_done = false;
  while (!record_done) {
    if (m_pos == m_end) {
      // Checked once per buffer: a record may span many, but never more than the limit.
      if (m_field_bytes.size() + 8 * m_field_ends.size() > m_max_record_bytes) {
        return make_error(ErrorKind::value,
                          fmt::format("{}:{}: the record starting on this line is longer than {} MiB", m_name,
                                      record.line, m_max_record_bytes >> 20U),
                          "a damaged file or an unclosed quote is likely; if such records are real, raise the limit "
                          "with --max-value-mb (max_value_mb: in a pipeline)");
      }
      HP_ASSIGN_OR_RETURN(bool more, fill());
      if (!more) {
        if (state == State::quoted || state == State::escape_in_quoted) {
          return make_error(ErrorKind::value,
                            fmt::format("{}:{}: unterminated quoted field (the quote opened on line {} is never closed)",
                                        m_name, m_line, quote_line),
                            "check for a stray quote character, or pass --quote with the right character");
        }
        end_field();
        break;
      }
    }
    // Fast path: copy a run of ordinary bytes of an unquoted field in one go.
    if (state == State::unquoted) {
      const char* begin = m_buffer.data() + m_pos;
      const char* stop = begin;
      const char* limit = m_buffer.data() + m_end;
      while (stop < limit && *stop != delimiter && *stop != '\n' && *stop != '\r') {
        ++stop;
      }
      m_field_bytes.append(begin, static_cast<std::size_t>(stop - begin));
      m_pos += static_cast<std::size_t>(stop - begin);
      if (m_pos == m_end) {
        continue;
      }
    }
    const char c = m_buffer[m_pos++];
    switch (state) {
    case State::field_start:
      if (c == quote) {
        state = State::quoted;
        field_quoted = true;
        quote_line = m_line;
        break;
      }
      state = State::unquoted;
      [[fallthrough]];
    case State::unquoted:
      if (c == delimiter) {
        end_field();
        state = State::field_start;
      } else if (c == '\n' || c == '\r') {
        end_field();
        if (c == '\r') {
          // \r\n is one line end; a lone \r (classic Mac) is one too.
          if (m_pos == m_end) {
            HP_ASSIGN_OR_RETURN(bool more, fill());
            (void)more;
          }
          if (m_pos < m_end && m_buffer[m_pos] == '\n') {
            ++m_pos;
          }
        }
        record.end_line = m_line;
        ++m_line;
        record_done = true;
      } else {
        m_field_bytes += c;
      }
      break;
    case State::quoted:
      if (c == escape && escape != quote) {
        state = State::escape_in_quoted;
      } else if (c == quote) {
        state = State::quote_in_quoted;
      } else {
        if (c == '\n' || (c == '\r' && (m_pos == m_end || m_buffer[m_pos] != '\n'))) {
          ++m_line;
        }
        m_field_bytes += c;
      }
      break;
    case State::escape_in_quoted:
      m_field_bytes += c;
      state = State::quoted;
      break;
    case State::quote_in_quoted:
      if (c == quote && escape == quote) {
        m_field_bytes += quote; // doubled quote
        state = State::quoted;
      } else if (c == delimiter) {
        end_field();
        state = State::field_start;
      } else if (c == '\n' || c == '\r') {
        --m_pos; // let the unquoted state end the record
        state = State::unquoted;
      } else {
        m_field_bytes += c; // text after the closing quote: kept, as most readers do
        state = State::unquoted;
      }
      break;
    }
  }
  if (record.end_line == 0 || record_done == false) {
    record.end_line = m_line;
  }
  std::size_t begin = 0;
  for (std::size_t end : m_field_ends) {
    record.fields.emplace_back(m_field_bytes.data() + begin, end - begin);
    begin = end;
  }
  return true;
}

} // namespace hyperpipe::sources
