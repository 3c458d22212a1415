// Unit tests of the publisher's pure parts and of its retry rules, with a scripted transport
// and a recording sleeper: no network, no clock.
#include <gtest/gtest.h>

#include <deque>
#include <fstream>

#include "publish/credentials.hpp"
#include "publish/multipart.hpp"
#include "publish/tableau_client.hpp"
#include "publish/tableau_xml.hpp"
#include "support/fake_http.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::publish {
namespace {

std::string body_text(const std::vector<net::BodySegment>& segments) {
  std::string out;
  for (const auto& segment : segments) {
    if (segment.file.empty()) {
      out += segment.bytes;
    } else {
      std::ifstream in(segment.file, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(segment.offset));
      std::string part(segment.length, '\0');
      in.read(part.data(), static_cast<std::streamsize>(part.size()));
      out += part;
    }
  }
  return out;
}

TEST(Multipart, GoldenBodyWithAFileRange) {
  testing::TempDir dir;
  const auto file = dir / "data.bin";
  std::ofstream(file, std::ios::binary) << "0123456789";
  const auto body = make_multipart("B", "<tsRequest/>", "tableau_file", "file", file, 2, 5);
  EXPECT_EQ(body.content_type, "multipart/mixed; boundary=B");
  EXPECT_EQ(body_text(body.segments),
            "--B\r\nContent-Disposition: name=\"request_payload\"\r\nContent-Type: text/xml\r\n\r\n<tsRequest/>\r\n"
            "--B\r\nContent-Disposition: name=\"tableau_file\"; filename=\"file\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n23456\r\n--B--\r\n");
  const auto commit = make_multipart("B", "<x/>", "", "", {}, 0, 0);
  EXPECT_EQ(body_text(commit.segments),
            "--B\r\nContent-Disposition: name=\"request_payload\"\r\nContent-Type: text/xml\r\n\r\n<x/>\r\n--B--\r\n");
  EXPECT_EQ(random_boundary().size(), 32U);
}

TEST(TableauXml, RequestsEscapeEverything) {
  const Credentials token{Credentials::Kind::token, "ci\"<&>", "s&cret\""};
  const std::string xml = sign_in_request(token, "mar\"keting");
  EXPECT_NE(xml.find("personalAccessTokenName=\"ci&quot;&lt;&amp;&gt;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("personalAccessTokenSecret=\"s&amp;cret&quot;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<site contentUrl=\"mar&quot;keting\"/>"), std::string::npos) << xml;
  const std::string publish = publish_request("Sales & <Ops>", "", "p-1");
  EXPECT_NE(publish.find("<datasource name=\"Sales &amp; &lt;Ops&gt;\"><project id=\"p-1\"/></datasource>"),
            std::string::npos)
      << publish;
}

TEST(TableauXml, ParsesNamespacedResponsesAndErrors) {
  const std::string error_body =
      "<?xml version='1.0'?><tsResponse xmlns=\"http://tableau.com/api\"><error code=\"403007\">"
      "<summary>Forbidden</summary><detail>exists</detail></error></tsResponse>";
  const auto error = parse_error(error_body);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "403007");
  EXPECT_EQ(error->detail, "exists");
  EXPECT_FALSE(parse_error("<html>proxy error</html>").has_value());
  EXPECT_FALSE(parse_response("not xml at all").ok());
  const auto old_namespace = parse_response("<tsResponse xmlns=\"http://tableausoftware.com/api\"><credentials token=\"t\"/></tsResponse>");
  ASSERT_TRUE(old_namespace.ok());
  EXPECT_EQ(find_element(*old_namespace, "credentials")->attribute("token"), "t");
}

TEST(Credentials, FromEnvironmentInOrderAndRedacted) {
  std::map<std::string, std::string> env{{"HYPERPIPE_TABLEAU_TOKEN_NAME", "ci"},
                                         {"HYPERPIPE_TABLEAU_TOKEN_SECRET", "sec"},
                                         {"HYPERPIPE_TABLEAU_USERNAME", "ann"}};
  const auto lookup = [&](const std::string& key) -> std::optional<std::string> {
    auto found = env.find(key);
    return found == env.end() ? std::nullopt : std::optional(found->second);
  };
  const auto credentials = load_credentials(std::nullopt, lookup);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->kind, Credentials::Kind::token);
  EXPECT_EQ(credentials->describe(), "personal access token \"ci\"");
  EXPECT_EQ(redact("token=sec; again sec", *credentials), "token=[redacted]; again [redacted]");
  env.erase("HYPERPIPE_TABLEAU_TOKEN_SECRET");
  EXPECT_EQ(load_credentials(std::nullopt, lookup).error().message,
            "HYPERPIPE_TABLEAU_TOKEN_NAME is set but HYPERPIPE_TABLEAU_TOKEN_SECRET is not");
  testing::TempDir dir;
  std::ofstream(dir / "creds") << "# Tableau\nHYPERPIPE_TABLEAU_JWT=eyJ.x.y\n";
  const auto from_file = load_credentials(dir / "creds", lookup);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->kind, Credentials::Kind::jwt);
}

using ScriptedTransport = testing::FakeHttp;
using testing::RecordingSleeper;

net::HttpResponse answer(long status, std::string body = "<tsResponse/>", std::map<std::string, std::string> headers = {}) {
  return net::HttpResponse{status, std::move(headers), std::move(body)};
}

const std::string k_signed_in =
    "<tsResponse><credentials token=\"T\"><site id=\"S\" contentUrl=\"\"/><user id=\"U\"/></credentials></tsResponse>";

TEST(TableauClient, HonoursRetryAfterAndBacksOffWithJitter) {
  ScriptedTransport transport;
  RecordingSleeper sleeper;
  transport.answers.push_back(answer(429, "<tsResponse/>", {{"retry-after", "7"}}));
  transport.answers.push_back(answer(503));
  transport.answers.push_back(answer(503));
  transport.answers.push_back(answer(200, "<tsResponse><serverInfo><restApiVersion>3.9</restApiVersion></serverInfo></tsResponse>"));
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t", sleeper);
  ASSERT_TRUE(client.discover_version().ok());
  EXPECT_EQ(client.api_version(), "3.9");
  ASSERT_EQ(sleeper.slept.size(), 3U);
  EXPECT_EQ(sleeper.slept[0], std::chrono::milliseconds(7000));
  // Exponential from 0.5 s (1 s before the third attempt, 2 s before the fourth), jittered down
  // by up to half (net/retry.hpp).
  EXPECT_GE(sleeper.slept[1].count(), 500);
  EXPECT_LE(sleeper.slept[1].count(), 1000);
  EXPECT_GE(sleeper.slept[2].count(), 1000);
  EXPECT_LE(sleeper.slept[2].count(), 2000);
  EXPECT_EQ(transport.seen.front().url, "https://t/api/2.4/serverinfo");
}

TEST(TableauClient, NewerServersAreSpokenToInTheNewestKnownVersion) {
  ScriptedTransport transport;
  RecordingSleeper sleeper;
  transport.answers.push_back(answer(200, "<tsResponse><serverInfo><restApiVersion>4.1</restApiVersion></serverInfo></tsResponse>"));
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t/", sleeper);
  ASSERT_TRUE(client.discover_version().ok());
  EXPECT_EQ(client.api_version(), "3.27");
}

TEST(TableauClient, SignInIsSafeToRepeatAfterAServerErrorButNotAfterARefusal) {
  ScriptedTransport transport;
  RecordingSleeper sleeper;
  transport.answers.push_back(answer(503, "<tsResponse/>", {{"retry-after", "2"}}));
  transport.answers.push_back(answer(500, "<tsResponse><error code=\"500000\"><summary>Oops</summary><detail>d</detail></error></tsResponse>"));
  transport.answers.push_back(answer(200, k_signed_in));
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  EXPECT_EQ(transport.seen.size(), 3U);
  ASSERT_EQ(sleeper.slept.size(), 2U);
  EXPECT_EQ(sleeper.slept[0], std::chrono::milliseconds(2000)); // the server's Retry-After

  transport.answers.push_back(answer(401, "<tsResponse><error code=\"401001\"><summary>Signin Error</summary><detail>d</detail></error></tsResponse>"));
  const auto refused = client.sign_in("");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(transport.seen.size(), 4U) << "a refused sign-in is not repeated";
  EXPECT_NE(refused.error().message.find("Tableau error 401001"), std::string::npos);
}

TEST(TableauClient, ATransportFailureBeforeAnythingWasSentIsAlwaysRepeatable) {
  ScriptedTransport transport;
  RecordingSleeper sleeper;
  Error unsent = make_error(ErrorKind::connection, "POST https://t/x: Could not connect");
  unsent.unsent = true;
  transport.answers.push_back(unsent);
  transport.answers.push_back(answer(200, k_signed_in));
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  EXPECT_EQ(transport.seen.size(), 2U);
}

TEST(TableauClient, AnExpiredSessionSignsInAgainOnce) {
  ScriptedTransport transport;
  RecordingSleeper sleeper;
  const std::string expired =
      "<tsResponse><error code=\"401002\"><summary>Unauthorized</summary><detail>expired</detail></error></tsResponse>";
  transport.answers.push_back(answer(200, k_signed_in));
  transport.answers.push_back(answer(401, expired));
  transport.answers.push_back(answer(200, k_signed_in));
  transport.answers.push_back(answer(200, "<tsResponse><pagination totalAvailable=\"1\"/><projects>"
                                          "<project id=\"P\" name=\"Default\"/></projects></tsResponse>"));
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  const auto project = client.resolve_project("");
  ASSERT_TRUE(project.ok()) << project.error().describe();
  EXPECT_EQ(*project, "P");
  ASSERT_EQ(transport.seen.size(), 4U);
  EXPECT_NE(transport.seen[2].url.find("/auth/signin"), std::string::npos);
  for (const auto& request : transport.seen) {
    for (const auto& [name, value] : request.headers) {
      EXPECT_EQ(value.find("sec"), std::string::npos) << "a secret in a header";
    }
  }
}

} // namespace
} // namespace hyperpipe::publish

namespace hyperpipe::publish {
namespace {

TEST(Credentials, RedactionTerminatesWhenTheSecretIsPartOfTheMask) {
  const Credentials short_secret{Credentials::Kind::password, "u", "e"};
  EXPECT_EQ(redact("see here", short_secret), "s[redacted][redacted] h[redacted]r[redacted]");
}

} // namespace
} // namespace hyperpipe::publish
