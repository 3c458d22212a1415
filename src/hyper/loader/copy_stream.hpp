#pragma once
// A COPY FROM STDIN whose bytes are sent on a background thread, so the caller encodes the next
// buffer while hyperd digests the previous one. At most `k_max_in_flight` buffers exist at once,
// so client memory stays flat whatever the row count.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "hyper/wire/connection.hpp"

namespace hyperpipe::hyper {

class CopyStream {
public:
  static constexpr std::size_t k_max_in_flight = 3;

  /// Issues the COPY statement; the connection belongs to the stream until finish/abort.
  static Result<std::unique_ptr<CopyStream>> begin(Connection& connection, const std::string& copy_sql);
  ~CopyStream(); ///< aborts the COPY if neither finish() nor abort() was called

  /// Queues a filled buffer (blocks while k_max_in_flight are queued). Returns the sender's
  /// error once one has happened.
  Status send(std::string buffer);
  /// An empty buffer to fill next, reusing the capacity of one already sent when possible.
  std::string take_buffer();
  /// Sends what is queued, ends the COPY and returns hyperd's row count.
  Result<std::uint64_t> finish();
  /// Discards the COPY; nothing of it is written.
  void abort(const std::string& reason);

private:
  explicit CopyStream(Connection& connection);
  void run();
  void stop_sender();

  Connection& m_connection;
  std::thread m_sender;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::string> m_queue;
  std::deque<std::string> m_spare;
  std::optional<Error> m_error;
  bool m_closing = false;
  bool m_done = false;
};

} // namespace hyperpipe::hyper
