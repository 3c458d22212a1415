// parse_pipeline() on sources and transforms: names, types, incremental loading, and the options
// of file and web API sources, each problem with its line, column, path and message.
#include "pipeline/config/pipeline_parser_test_support.hpp"

namespace hyperpipe::pipeline {
namespace {

using namespace parser_test;

// ---------------------------------------------------------------------------------------------
// Sources and transforms

TEST(PipelineParser, UnknownSourceType) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: cvs, path: a.csv, delimiter: \";\"}\n" +
                            k_output_from_s);
  // Only the type: which other keys belong is unknown when the type is.
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 13, "sources.s.type", "unknown source type \"cvs\"",
                             "use one of: csv, json, xlsx, parquet, api"));
}

TEST(PipelineParser, MissingSourceType) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {path: a.csv}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 6, "sources.s.type", "\"type\" is required"));
}

TEST(PipelineParser, BadStepName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  1bad: {type: csv, path: a.csv}\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "transforms:\n"
                            "  - name: my-table\n"
                            "    sql: SELECT 1\n"
                            "  - name: " +
                            std::string(64, 'x') +
                            "\n"
                            "    sql: SELECT 1\n" +
                            k_output_from_s);
  const std::string hint = "use letters, digits and _ (not starting with a digit), at most 63 characters";
  EXPECT_TRUE(has_diagnostic(parsed, 3, 3, "sources.1bad", "\"1bad\" cannot be used as a table name in SQL", hint));
  EXPECT_TRUE(has_diagnostic(parsed, 6, 11, "transforms[0].name", "\"my-table\" cannot be used as a table name in SQL", hint));
  EXPECT_TRUE(has_diagnostic(parsed, 8, 11, "transforms[1].name", "cannot be used as a table name in SQL", hint));
  EXPECT_EQ(parsed.diagnostics.items().size(), 3U) << all_diagnostics(parsed);

  const std::string longest_name(63, 'x');
  const auto longest = parse("version: 1\n"
                             "sources:\n"
                             "  " +
                             longest_name +
                             ": {type: csv, path: a.csv}\n"
                             "  s: {type: csv, path: a.csv}\n" +
                             k_output_from_s);
  EXPECT_TRUE(longest.spec.has_value()) << all_diagnostics(longest);
}

// A problem with a source's or output's name is reported at the name, also in block style.
TEST(PipelineParser, BadNameInBlockStyleIsReportedAtTheName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  hp_orders:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  bad name:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: t, from: s}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 3, 3, "sources.hp_orders", "names starting with hp_ are reserved"));
  EXPECT_TRUE(has_diagnostic(parsed, 8, 3, "outputs.bad name", "\"bad name\" is not a usable output name"));
}

// An entry with nothing after its colon has no position of its own: problems point at its name.
TEST(PipelineParser, AnEmptySourceIsReportedAtItsName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "  t:\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 4, 3, "sources.t.type", "\"type\" is required"));
}

TEST(PipelineParser, ReservedHpName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  hp_orders: {type: csv, path: a.csv}\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "transforms:\n"
                            "  - {name: hp_x, sql: SELECT 1}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 3, "sources.hp_orders",
                             "\"hp_orders\": names starting with hp_ are reserved for hyperpipe"));
  EXPECT_TRUE(has_diagnostic(parsed, 6, 12, "transforms[0].name", "\"hp_x\": names starting with hp_ are reserved"));
}

TEST(PipelineParser, NameUsedTwice) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "transforms:\n"
                            "  - name: s\n"
                            "    sql: SELECT 1\n"
                            "  - name: t\n"
                            "    sql: SELECT 1\n"
                            "  - name: t\n"
                            "    sql: SELECT 2\n" +
                            k_output_from_s);
  const std::string hint = "sources and transforms share one namespace: the workspace's tables";
  EXPECT_TRUE(has_diagnostic(parsed, 5, 11, "transforms[0].name", "\"s\" is already the name of a source or transform", hint));
  EXPECT_TRUE(has_diagnostic(parsed, 9, 11, "transforms[2].name", "\"t\" is already the name of a source or transform", hint));
  EXPECT_EQ(parsed.diagnostics.items().size(), 2U) << all_diagnostics(parsed);
}

TEST(PipelineParser, TransformProblems) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "transforms:\n"
                            "  - name: empty\n"
                            "    sql: \"  \"\n"
                            "  - sql: SELECT 1\n"
                            "  - name: nosql\n"
                            "    query: SELECT 1\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 10, "transforms[0].sql", "the query is empty"));
  EXPECT_TRUE(has_diagnostic(parsed, 7, 5, "transforms[1].name", "\"name\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 8, 5, "transforms[2].sql", "\"sql\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 9, 5, "transforms[2].query", "unknown key \"query\""));
}

TEST(PipelineParser, BadOnError) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv, on_error: skip}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 41, "sources.s.on_error", "\"skip\" is not fail or reject",
                             "reject sets bad rows aside"));
}

TEST(PipelineParser, IncrementalNeedsAColumn) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "    incremental: {colum: updated_at}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 18, "sources.s.incremental.column", "\"column\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 6, 19, "sources.s.incremental.colum", "unknown key \"colum\"",
                             "did you mean \"column\"?"));
}

TEST(PipelineParser, UnsetEnvironmentVariable) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: ${DATA_DIR}/a.csv\n" +
                                k_output_from_s,
                            {{"OTHER", "x"}});
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 5, 11, "sources.s.path", "environment variable DATA_DIR is not set",
                             "export DATA_DIR=..., or write ${DATA_DIR:-default}"));
}

TEST(PipelineParser, BadInterpolation) {
  const auto parsed = parse("version: 1\n"
                            "name: ${NAME\n"
                            "sources:\n"
                            "  s: {type: csv, path: \"${1X}\"}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 2, 7, "name", "\"${\" without a closing \"}\""));
  EXPECT_TRUE(has_diagnostic(parsed, 4, 24, "sources.s.path", "\"${1X}\" is not a variable reference"));
}

// ---------------------------------------------------------------------------------------------
// File source options

TEST(PipelineParser, CsvDelimiterOfTwoCharacters) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "    delimiter: \";;\"\n"
                            "    quote: \"''\"\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 16, "sources.s.delimiter", "delimiter takes one character, not \";;\"",
                             "write one character, or tab"));
  EXPECT_TRUE(has_diagnostic(parsed, 7, 12, "sources.s.quote", "quote takes one character, not \"''\""));
}

TEST(PipelineParser, CsvTabDelimiterIsOneCharacter) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.tsv, delimiter: tab, escape: \"\\\\\"}\n" +
                            k_output_from_s);
  EXPECT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
}

TEST(PipelineParser, UnknownKeyOnCsv) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "    sheet: Data\n"
                            "    delimeter: \";\"\n" +
                            k_output_from_s);
  ASSERT_EQ(parsed.diagnostics.items().size(), 2U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 5, "sources.s.sheet", "unknown key \"sheet\"", "known keys here: "));
  EXPECT_NE(parsed.diagnostics.items()[0].hint.find("delimiter"), std::string::npos);
  EXPECT_EQ(parsed.diagnostics.items()[0].hint.find("sheet"), std::string::npos);
  EXPECT_TRUE(has_diagnostic(parsed, 7, 5, "sources.s.delimeter", "unknown key \"delimeter\"", "did you mean \"delimiter\"?"));
}

TEST(PipelineParser, CsvOptionErrors) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "    header: maybe\n"
                            "    encoding: klingon\n"
                            "    sample_rows: -1\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 13, "sources.s.header", "\"maybe\" is not true or false"));
  EXPECT_TRUE(has_diagnostic(parsed, 7, 15, "sources.s.encoding", "unknown encoding \"klingon\""));
  EXPECT_TRUE(has_diagnostic(parsed, 8, 18, "sources.s.sample_rows", "-1 is out of range", "use 0 to 1000000000"));
}

TEST(PipelineParser, FileSourceNeedsAPath) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: parquet, paths: a.parquet}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 6, "sources.s.path", "\"path\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 3, 22, "sources.s.paths", "unknown key \"paths\"", "did you mean \"path\"?"));

  const auto mapping = parse("version: 1\n"
                             "sources:\n"
                             "  s: {type: json, path: {a: 1}, max_depth: lots}\n" +
                             k_output_from_s);
  EXPECT_TRUE(has_diagnostic(mapping, 3, 25, "sources.s.path", "expected a value or a list of values, found a mapping"));
  EXPECT_TRUE(has_diagnostic(mapping, 3, 44, "sources.s.max_depth", "\"lots\" is not a whole number"));
}

// A bad column type is reported at the type itself.
TEST(PipelineParser, UnknownColumnType) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "    columns: {amount: money}\n" +
                            k_output_from_s);
  const auto& items = parsed.diagnostics.items();
  ASSERT_EQ(items.size(), 1U) << all_diagnostics(parsed);
  EXPECT_EQ(items[0].path, "sources.s.columns.amount");
  EXPECT_NE(items[0].message.find("unknown column type \"money\""), std::string::npos) << items[0].message;
  EXPECT_EQ(items[0].mark.line, 6);
  EXPECT_EQ(items[0].mark.column, 23);
}

// "path: []" names no file: refused by validation, not left to fail at run time.
TEST(PipelineParser, FileSourceWithAnEmptyPathList) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: []\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 5, 11, "sources.s.path", "")) << "accepted a csv source without files";
}

// ---------------------------------------------------------------------------------------------
// API source options

TEST(PipelineParser, ApiSecretWrittenLiterally) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  a:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    auth: {type: bearer, token: abc123}\n"
                            "  b:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    auth: {type: api_key, name: key, value: \"k-1\"}\n"
                            "  s:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    auth:\n"
                            "      type: basic\n"
                            "      username: ann\n"
                            "      password: hunter2\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 33, "sources.a.auth.token",
                             "secrets belong in the environment, not in the pipeline file",
                             "write token: ${SOME_VARIABLE} and export it"));
  EXPECT_TRUE(has_diagnostic(parsed, 10, 45, "sources.b.auth.value", "secrets belong in the environment",
                             "write value: ${SOME_VARIABLE}"));
  EXPECT_TRUE(has_diagnostic(parsed, 17, 17, "sources.s.auth.password", "secrets belong in the environment",
                             "write password: ${SOME_VARIABLE}"));
  EXPECT_EQ(parsed.diagnostics.items().size(), 3U) << all_diagnostics(parsed);
}

TEST(PipelineParser, ApiHttpUrlWithoutAllowHttp) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: api\n"
                            "    url: http://api.example.com/items\n" +
                            k_output_from_s);
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 5, 10, "sources.s.url", "plain http:// sends the request (and any key) unencrypted",
                             "allow_http: true"));

  const auto allowed = parse("version: 1\n"
                             "sources:\n"
                             "  s: {type: api, url: \"http://127.0.0.1:8765/items\", allow_http: true}\n" +
                             k_output_from_s);
  EXPECT_TRUE(allowed.spec.has_value()) << all_diagnostics(allowed);

  const auto ftp = parse("version: 1\n"
                         "sources:\n"
                         "  s: {type: api, url: \"ftp://example.com/x\"}\n" +
                         k_output_from_s);
  EXPECT_TRUE(has_diagnostic(ftp, 3, 23, "sources.s.url", "\"ftp://example.com/x\" is not an http(s) URL"));
}

TEST(PipelineParser, BadPaginationType) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    pagination: {type: cursor, max_pages: 0}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 24, "sources.s.pagination.type", "\"cursor\" is not a pagination type",
                             "use none, token, page, offset, next_url or link"));
  EXPECT_TRUE(has_diagnostic(parsed, 6, 43, "sources.s.pagination.max_pages", "0 is out of range"));
}

TEST(PipelineParser, ApiOptionErrors) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: api\n"
                            "    method: PUT\n"
                            "    requests_per_second: fast\n"
                            "    auth:\n"
                            "      type: api_key\n"
                            "      in: cookie\n"
                            "      value: \"${API_KEY}\"\n"
                            "  t:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    auth: {type: oauth}\n" +
                                k_output_from_s,
                            {{"API_KEY", "k"}});
  EXPECT_TRUE(has_diagnostic(parsed, 4, 5, "sources.s.url", "\"url\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 5, 13, "sources.s.method", "\"PUT\" is not GET or POST"));
  EXPECT_TRUE(has_diagnostic(parsed, 6, 26, "sources.s.requests_per_second", "\"fast\" is not a number"));
  EXPECT_TRUE(has_diagnostic(parsed, 9, 11, "sources.s.auth.in", "\"cookie\" is not query or header"));
  EXPECT_TRUE(has_diagnostic(parsed, 8, 7, "sources.s.auth.name", "\"name\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 14, 18, "sources.t.auth.type", "\"oauth\" is not an auth type",
                             "use bearer, api_key, basic or oauth2"));
  EXPECT_EQ(parsed.diagnostics.items().size(), 6U) << all_diagnostics(parsed);
}


TEST(PipelineParser, JsonAndExcelSourcesReadOneFile) {
  const auto parsed = parse(R"yaml(version: 1
sources:
  c: {type: json, path: [a.json, b.json]}
outputs:
  o:
    file: o.hyper
    tables: [{name: Extract.Extract, from: c}]
)yaml");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_NE(all_diagnostics(parsed).find("sources.c.path: a json source reads one file"), std::string::npos);
}


TEST(PipelineParser, ApiBaseUrlAndPaths) {
  const auto parsed = parse(R"yaml(version: 1
sources:
  v:
    type: api
    base_url: https://api.example.com/v3/
    url: /search
    fan_out: {url: /videos, id_path: id, id_param: id}
  w: {type: api, url: /nope}
  x:
    type: api
    url: https://api.example.com/x
    auth: {type: oauth2, token_url: "http://auth.example.com/token", client_id: c, client_secret: "${S}"}
outputs:
  o: {file: o.hyper, tables: [{name: Extract.Extract, from: v}]}
)yaml", {{"S", "s3cr3t"}});
  EXPECT_EQ(parsed.diagnostics.items().size(), 2U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 8, 23, "sources.w.url", "\"/nope\" is a path, but there is no base_url"));
  EXPECT_TRUE(has_diagnostic(parsed, 12, 11, "sources.x.auth", "the OAuth2 token_url is plain http://"));
  const auto good = parse(R"yaml(version: 1
sources:
  v:
    type: api
    base_url: https://api.example.com/v3/
    url: /search
outputs:
  o: {file: o.hyper, tables: [{name: Extract.Extract, from: v}]}
)yaml");
  ASSERT_TRUE(good.spec.has_value()) << all_diagnostics(good);
  EXPECT_EQ(good.spec->sources[0].source->describe(), "api GET https://api.example.com/v3/search");
}

TEST(PipelineParser, CredentialsAreSecretsByUseWhateverTheirVariablesAreCalled) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    params: {signature: \"${SIG}\", day: \"${DAY}\", assignee: \"${WHO}\"}\n"
                            "    headers: {Authorization: \"Bearer ${SVCVAL}\", X-Tenant: \"${TENANT}\", Accept: text/csv}\n"
                            "  d: {type: postgres, connection: \"${WAREHOUSE}\", table: t}\n" +
                                k_output_from_s,
                            {{"SIG", "sig-value"}, {"DAY", "2026-12-05"}, {"WHO", "maria"}, {"SVCVAL", "tok-value"}, {"TENANT", "tenant-7"},
                             {"WAREHOUSE", "postgresql://u:pw@db/x"}});
  ASSERT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
  for (const char* secret : {"sig-value", "tok-value", "Bearer tok-value", "tenant-7", "postgresql://u:pw@db/x"}) {
    EXPECT_TRUE(contains(parsed.spec->secrets, secret)) << secret;
  }
  EXPECT_FALSE(contains(parsed.spec->secrets, "2026-12-05")) << "a plain parameter is no credential";
  EXPECT_FALSE(contains(parsed.spec->secrets, "maria")) << "\"assignee\" only contains the letters s-i-g";
  EXPECT_FALSE(contains(parsed.spec->secrets, "text/csv"));
}

} // namespace
} // namespace hyperpipe::pipeline
