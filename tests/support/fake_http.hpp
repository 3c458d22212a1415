#pragma once
// The one fake HTTP transport of the unit tests (publishing, web API sources, notifications):
// answers from a script, in order, then from a route function; records every request. Safe to
// call from several threads (API sources send pages side by side).

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.hpp"
#include "net/retry.hpp"

namespace hyperpipe::testing {

class FakeHttp final : public net::HttpTransport {
public:
  /// Answered first, in order.
  std::deque<Result<net::HttpResponse>> answers;
  /// Answers once the script is used up; unset: an unexpected request fails the test.
  std::function<Result<net::HttpResponse>(const net::HttpRequest&)> route;
  /// Every request, in the order sent (read it when no request is in flight).
  std::vector<net::HttpRequest> seen;

  Result<net::HttpResponse> send(const net::HttpRequest& request) override {
    std::function<Result<net::HttpResponse>(const net::HttpRequest&)> routed;
    {
      std::lock_guard lock(m_mutex);
      seen.push_back(request);
      if (!answers.empty()) {
        auto answer = std::move(answers.front());
        answers.pop_front();
        return answer;
      }
      routed = route;
    }
    if (!routed) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return make_error(ErrorKind::internal, "no scripted answer left");
    }
    return routed(request);
  }

  /// Scripts an answer.
  void add(long status, std::string body = {}, std::map<std::string, std::string> headers = {}) {
    std::lock_guard lock(m_mutex);
    answers.emplace_back(net::HttpResponse{status, std::move(headers), std::move(body)});
  }
  /// Scripts a transport failure.
  void fail(Error error) {
    std::lock_guard lock(m_mutex);
    answers.emplace_back(std::move(error));
  }

  std::vector<std::string> urls() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    for (const auto& request : seen) {
      out.push_back(request.url);
    }
    return out;
  }
  /// Requests whose URL starts with `prefix`.
  std::size_t count(std::string_view prefix) const {
    std::lock_guard lock(m_mutex);
    return static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [&](const net::HttpRequest& request) {
      return request.url.starts_with(prefix);
    }));
  }

private:
  mutable std::mutex m_mutex;
};

/// A sleeper that records every wait instead of waiting.
class RecordingSleeper final : public net::Sleeper {
public:
  std::vector<std::chrono::milliseconds> slept;
  void sleep(std::chrono::milliseconds duration) override { slept.push_back(duration); }
};

} // namespace hyperpipe::testing
