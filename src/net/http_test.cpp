// The URL policy every request goes through.
#include "net/http.hpp"

#include <gtest/gtest.h>

namespace hyperpipe::net {
namespace {

TEST(UrlPolicy, HttpsAlwaysPlainHttpOnlyWhenAllowed) {
  EXPECT_EQ(check_url("https://tableau.example.com", false), UrlCheck::https);
  EXPECT_EQ(check_url("http://127.0.0.1:8800", false), UrlCheck::refused_http);
  EXPECT_EQ(check_url("http://127.0.0.1:8800", true), UrlCheck::allowed_http);
  EXPECT_EQ(check_url("ftp://files.example.com/x", true), UrlCheck::not_http);
  EXPECT_EQ(check_url("/relative/path", true), UrlCheck::not_http);
  EXPECT_TRUE(is_http_url("https://x"));
  EXPECT_FALSE(is_http_url("file:///etc/passwd"));
}

} // namespace
} // namespace hyperpipe::net
