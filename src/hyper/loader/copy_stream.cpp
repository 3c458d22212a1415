#include "hyper/loader/copy_stream.hpp"

namespace hyperpipe::hyper {

Result<std::unique_ptr<CopyStream>> CopyStream::begin(Connection& connection, const std::string& copy_sql) {
  HP_TRY(connection.copy_begin(copy_sql));
  std::unique_ptr<CopyStream> stream(new CopyStream(connection));
  stream->m_sender = std::thread([raw = stream.get()] { raw->run(); });
  return stream;
}

CopyStream::CopyStream(Connection& connection) : m_connection(connection) {}

CopyStream::~CopyStream() {
  if (!m_done) {
    abort("hyperpipe abandoned the load");
  }
}

void CopyStream::run() {
  for (;;) {
    std::string buffer;
    bool failed = false;
    {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return !m_queue.empty() || m_closing; });
      if (m_queue.empty()) {
        return;
      }
      buffer = std::move(m_queue.front());
      m_queue.pop_front();
      failed = m_error.has_value();
    }
    // After a failure the rest is dropped: the COPY will be aborted anyway.
    Status sent = failed ? Status() : m_connection.copy_send(buffer);
    buffer.clear();
    std::lock_guard lock(m_mutex);
    if (!sent && !m_error) {
      m_error = std::move(sent).error();
    }
    m_spare.push_back(std::move(buffer));
    m_changed.notify_all();
  }
}

Status CopyStream::send(std::string buffer) {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_queue.size() < k_max_in_flight || m_error; });
  if (m_error) {
    return *m_error;
  }
  m_queue.push_back(std::move(buffer));
  m_changed.notify_all();
  return {};
}

std::string CopyStream::take_buffer() {
  std::lock_guard lock(m_mutex);
  if (m_spare.empty()) {
    return {};
  }
  std::string buffer = std::move(m_spare.front());
  m_spare.pop_front();
  return buffer;
}

void CopyStream::stop_sender() {
  {
    std::lock_guard lock(m_mutex);
    m_closing = true;
    m_changed.notify_all();
  }
  if (m_sender.joinable()) {
    m_sender.join();
  }
}

Result<std::uint64_t> CopyStream::finish() {
  stop_sender();
  m_done = true;
  if (m_error) {
    m_connection.copy_abort(m_error->message);
    return *m_error;
  }
  return m_connection.copy_end();
}

void CopyStream::abort(const std::string& reason) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.clear();
  }
  stop_sender();
  m_done = true;
  m_connection.copy_abort(reason);
}

} // namespace hyperpipe::hyper
