// What unattended publishing relies on, without a server: project paths and names that a filter
// cannot carry, exact matching across pages, connected-app tokens, and the per-token session lock.
#include <gtest/gtest.h>

#include <jwt.h>

#include <fstream>
#include <map>
#include <thread>

#include "support/fake_http.hpp"
#include "publish/connected_app_token.hpp"
#include "publish/session_lock.hpp"
#include "publish/tableau_client.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::publish {
namespace {

using testing::FakeHttp;
using testing::RecordingSleeper;


const std::string k_signed_in =
    "<tsResponse><credentials token=\"T\"><site id=\"S\" contentUrl=\"\"/><user id=\"U\"/></credentials></tsResponse>";

TEST(ProjectPath, SlashesSeparateLevelsAndABackslashKeepsOneInAName) {
  EXPECT_TRUE(split_project_path("").empty());
  EXPECT_EQ(split_project_path("Sales"), (std::vector<std::string>{"Sales"}));
  EXPECT_EQ(split_project_path("Finance/Q1 & Q2, EMEA"), (std::vector<std::string>{"Finance", "Q1 & Q2, EMEA"}));
  EXPECT_EQ(split_project_path("A\\/B/C"), (std::vector<std::string>{"A/B", "C"}));
  EXPECT_EQ(split_project_path("A\\\\/B"), (std::vector<std::string>{"A\\", "B"}));
  EXPECT_EQ(split_project_path(" lead/trail "), (std::vector<std::string>{" lead", "trail "}));
}

TEST(FilterableName, OnlyNamesTheFilterSyntaxCarriesAsTheyAre) {
  EXPECT_TRUE(filterable_name("Sales 2026"));
  EXPECT_TRUE(filterable_name("Umsätze – 東京 \"quoted\" / slash"));
  for (const char* name : {"a,b", "a&b", "a:b", "[a]", " lead", "trail ", "", "tab\there"}) {
    EXPECT_FALSE(filterable_name(name)) << name;
  }
}

std::string page_of(int total, int page_number, const std::vector<std::pair<std::string, std::string>>& items) {
  std::string body = "<tsResponse><pagination pageNumber=\"" + std::to_string(page_number) +
                     "\" pageSize=\"1000\" totalAvailable=\"" + std::to_string(total) + "\"/><datasources>";
  for (const auto& [id, project] : items) {
    body += "<datasource id=\"" + id + "\" name=\"A, B &amp; C\"><project id=\"" + project + "\"/>"
            "<tags><tag label=\"t1\"/></tags></datasource>";
  }
  return body + "</datasources></tsResponse>";
}

TEST(FindDatasource, ANameNoFilterCarriesIsMatchedExactlyAcrossPagesInItsProjectOnly) {
  FakeHttp transport;
  RecordingSleeper sleeper;
  transport.add(200, k_signed_in);
  // 1001 same-named data sources in other projects: the one in project P is on page 2.
  std::vector<std::pair<std::string, std::string>> first;
  for (int i = 0; i < 1000; ++i) {
    first.emplace_back("other-" + std::to_string(i), "elsewhere");
  }
  transport.add(200, page_of(1002, 1, first));
  transport.add(200, page_of(1002, 2, {{"other-x", "elsewhere"}, {"mine", "P"}}));
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  const auto found = client.find_datasource("P", "A, B & C");
  ASSERT_TRUE(found.ok()) << found.error().describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "mine");
  EXPECT_EQ((*found)->tags, std::vector<std::string>{"t1"});
  ASSERT_EQ(transport.seen.size(), 3U);
  for (std::size_t i = 1; i < transport.seen.size(); ++i) {
    EXPECT_EQ(transport.seen[i].url.find("filter="), std::string::npos) << "a ',' or '&' cannot go into a filter";
  }
  EXPECT_NE(transport.seen[2].url.find("pageNumber=2"), std::string::npos);
}

TEST(FindDatasource, AFilterableNameIsFilteredButStillMatchedHere) {
  FakeHttp transport;
  RecordingSleeper sleeper;
  transport.add(200, k_signed_in);
  // A server whose filter is looser than equality (case-insensitive): the near-miss is skipped.
  transport.add(200, "<tsResponse><pagination pageNumber=\"1\" pageSize=\"1000\" totalAvailable=\"1\"/><datasources>"
                     "<datasource id=\"near\" name=\"sales\"><project id=\"P\"/></datasource></datasources></tsResponse>");
  TableauClient client(transport, {Credentials::Kind::token, "ci", "sec"}, "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  const auto found = client.find_datasource("P", "Sales");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_NE(transport.seen[1].url.find("filter=name:eq:Sales"), std::string::npos);
}

Credentials connected_app() {
  return {Credentials::Kind::connected_app, "ann@example.com", "the-secret-value-0123456789abcdef", "client-1", "secret-9"};
}

TEST(ConnectedAppToken, CarriesTheDirectTrustClaimsAndVerifiesWithTheSecretValueOnly) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const auto token = sign_connected_app_token(connected_app(), {now, "jti-1", {"tableau:content:read", "tableau:datasources:create"}});
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->find("the-secret-value"), std::string::npos);

  const std::string key = connected_app().secret;
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_decode(&raw, token->c_str(), reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size())), 0);
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  EXPECT_EQ(jwt_get_alg(jwt.get()), JWT_ALG_HS256);
  EXPECT_STREQ(jwt_get_header(jwt.get(), "kid"), "secret-9");
  EXPECT_STREQ(jwt_get_header(jwt.get(), "iss"), "client-1");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "iss"), "client-1");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "sub"), "ann@example.com");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "aud"), "tableau");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "jti"), "jti-1");
  EXPECT_EQ(jwt_get_grant_int(jwt.get(), "exp"), 1'800'000'000L + 300);
  char* scopes = jwt_get_grants_json(jwt.get(), "scp");
  ASSERT_NE(scopes, nullptr);
  EXPECT_STREQ(scopes, "[\"tableau:content:read\",\"tableau:datasources:create\"]");
  std::free(scopes);

  jwt_t* forged = nullptr;
  const std::string wrong = "another-secret-value-0123456789abc";
  EXPECT_NE(jwt_decode(&forged, token->c_str(), reinterpret_cast<const unsigned char*>(wrong.data()), static_cast<int>(wrong.size())), 0)
      << "a token must not verify with another key";
  jwt_free(forged);
}

TEST(ConnectedAppToken, EverySignInPresentsAFreshTokenAndNeverTheSecretValue) {
  FakeHttp transport;
  RecordingSleeper sleeper;
  transport.add(200, k_signed_in);
  transport.add(200, k_signed_in);
  TableauClient client(transport, connected_app(), "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  ASSERT_TRUE(client.sign_in("").ok());
  ASSERT_EQ(transport.seen.size(), 2U);
  std::vector<std::string> bodies;
  for (const auto& request : transport.seen) {
    std::string body;
    for (const auto& segment : request.body) {
      body += segment.bytes;
    }
    EXPECT_EQ(body.find("the-secret-value"), std::string::npos);
    EXPECT_NE(body.find("jwt=\""), std::string::npos) << body;
    bodies.push_back(body);
  }
  EXPECT_NE(bodies[0], bodies[1]) << "each sign-in signs a token of its own (a new jti)";
}

TEST(ConnectedAppToken, ASignInRetriedAfterAServerErrorPresentsANewToken) {
  FakeHttp transport;
  RecordingSleeper sleeper;
  transport.add(503, "<tsResponse/>");
  transport.add(200, k_signed_in);
  TableauClient client(transport, connected_app(), "https://t", sleeper);
  ASSERT_TRUE(client.sign_in("").ok());
  ASSERT_EQ(transport.seen.size(), 2U);
  EXPECT_NE(transport.seen[0].body.at(0).bytes, transport.seen[1].body.at(0).bytes)
      << "the answer may have been lost after the server took the first token";
}

TEST(ConnectedAppToken, PublishingScopesAreTheOnesItsCallsNeed) {
  const auto& scopes = publishing_scopes();
  for (const char* needed : {"tableau:content:read", "tableau:file_uploads:create", "tableau:datasources:create"}) {
    EXPECT_NE(std::find(scopes.begin(), scopes.end(), needed), scopes.end()) << needed;
  }
  for (const auto& scope : scopes) {
    EXPECT_EQ(scope.find('*'), std::string::npos) << "no wildcard: " << scope;
  }
}

TEST(SessionLock, ASecondHolderOfTheSameTokenWaitsAndIsToldWhoHoldsIt) {
  testing::TempDir dir;
  RecordingSleeper sleeper;
  const Credentials token{Credentials::Kind::token, "ci", "sec"};
  auto first = hold_session(dir.path(), "https://t", token, "pipeline \"a\"", std::chrono::seconds(1), sleeper);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto second = hold_session(dir.path(), "https://t", token, "pipeline \"b\"", std::chrono::seconds(2), sleeper);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("waited 2 s"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("pipeline \"a\""), std::string::npos) << second.error().message;
  std::chrono::milliseconds slept{0};
  for (const auto pause : sleeper.slept) {
    slept += pause;
  }
  EXPECT_EQ(slept, std::chrono::seconds(2)) << "bounded by the wait it was given";
  // Another token, or another server, is another session.
  const Credentials other{Credentials::Kind::token, "ci2", "sec"};
  EXPECT_TRUE(hold_session(dir.path(), "https://t", other, "c", std::chrono::seconds(0), sleeper).ok());
  EXPECT_TRUE(hold_session(dir.path(), "https://u", token, "c", std::chrono::seconds(0), sleeper).ok());
  first->reset();
  EXPECT_TRUE(hold_session(dir.path(), "https://t", token, "b", std::chrono::seconds(0), sleeper).ok()) << "free once let go";
}

TEST(SessionLock, OneServerWrittenTwoWaysIsOneLock) {
  const Credentials token{Credentials::Kind::token, "ci", "sec"};
  EXPECT_EQ(session_lock_file("/l", "https://Tableau.Example.com/", token),
            session_lock_file("/l", "https://tableau.example.com", token));
  EXPECT_NE(session_lock_file("/l", "https://tableau.example.com/a", token),
            session_lock_file("/l", "https://tableau.example.com/A", token)) << "a path stays case-sensitive";
}

TEST(SessionLock, AFolderThatIsASymlinkIsRefused) {
  testing::TempDir dir;
  RecordingSleeper sleeper;
  std::filesystem::create_directory(dir.path() / "real");
  std::filesystem::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  const Credentials token{Credentials::Kind::token, "ci", "sec"};
  const auto held = hold_session(dir.path() / "link", "https://t", token, "x", std::chrono::seconds(0), sleeper);
  ASSERT_FALSE(held.ok());
  EXPECT_NE(held.error().message.find("not a folder of this user's own"), std::string::npos) << held.error().message;
}

TEST(SessionLock, CredentialsWithASessionPerSignInTakeNoLock) {
  testing::TempDir dir;
  RecordingSleeper sleeper;
  for (const auto kind : {Credentials::Kind::password, Credentials::Kind::connected_app, Credentials::Kind::jwt}) {
    auto held = hold_session(dir.path(), "https://t", Credentials{kind, "u", "s", "c", "i"}, "x", std::chrono::seconds(0), sleeper);
    ASSERT_TRUE(held.ok());
    EXPECT_FALSE(held->has_value());
  }
}

} // namespace
} // namespace hyperpipe::publish

namespace hyperpipe::publish {
namespace {

TEST(ConnectedAppCredentials, AreReadFromTheEnvironmentOrAFileAndNamedWithoutTheSecret) {
  std::map<std::string, std::string> env{{"HYPERPIPE_TABLEAU_CLIENT_ID", "client-1"},
                                         {"HYPERPIPE_TABLEAU_SECRET_ID", "secret-9"},
                                         {"HYPERPIPE_TABLEAU_SECRET_VALUE", "value-0123"},
                                         {"HYPERPIPE_TABLEAU_USERNAME", "ann"}};
  const auto lookup = [&](const std::string& key) -> std::optional<std::string> {
    auto found = env.find(key);
    return found == env.end() ? std::nullopt : std::optional(found->second);
  };
  const auto credentials = load_credentials(std::nullopt, lookup);
  ASSERT_TRUE(credentials.ok()) << credentials.error().describe();
  EXPECT_EQ(credentials->kind, Credentials::Kind::connected_app);
  EXPECT_EQ(credentials->describe(), "connected app \"client-1\" as user \"ann\"");
  EXPECT_EQ(redact("sig with value-0123", *credentials), "sig with [redacted]");
  env.erase("HYPERPIPE_TABLEAU_SECRET_VALUE");
  env.erase("HYPERPIPE_TABLEAU_USERNAME");
  const auto partial = load_credentials(std::nullopt, lookup);
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.error().message, "HYPERPIPE_TABLEAU_CLIENT_ID is set (a connected app) but "
                                     "HYPERPIPE_TABLEAU_SECRET_VALUE and HYPERPIPE_TABLEAU_USERNAME are not");
  testing::TempDir dir;
  std::ofstream(dir.path() / "creds") << "HYPERPIPE_TABLEAU_CLIENT_ID=c\nHYPERPIPE_TABLEAU_SECRET_ID=s\n"
                                         "HYPERPIPE_TABLEAU_SECRET_VALUE=v\nHYPERPIPE_TABLEAU_USERNAME=u\n";
  const auto from_file = load_credentials(dir.path() / "creds", lookup);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->kind, Credentials::Kind::connected_app);
  EXPECT_EQ(from_file->secret, "v");
}

} // namespace
} // namespace hyperpipe::publish
