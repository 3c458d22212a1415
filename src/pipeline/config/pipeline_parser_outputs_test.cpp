// parse_pipeline() on outputs, their tables and publish targets, each problem with its line,
// column, path and message.
#include "pipeline/config/pipeline_parser_test_support.hpp"

namespace hyperpipe::pipeline {
namespace {

using namespace parser_test;

// ---------------------------------------------------------------------------------------------
// Outputs and their tables

TEST(PipelineParser, FromRefersToAnUnknownName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  orders: {type: csv, path: a.csv}\n"
                            "  customers: {type: csv, path: b.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - name: Extract.Extract\n"
                            "        from: ordres\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 10, 15, "outputs.out.tables[0].from",
                             "\"ordres\" is not a source or transform of this pipeline",
                             "known: customers, orders (transforms must come before the outputs that use them)"));

  const auto nothing_known = parse("version: 1\n"
                                   "outputs:\n"
                                   "  out:\n"
                                   "    file: out.hyper\n"
                                   "    tables: [{name: t, from: orders}]\n");
  EXPECT_TRUE(has_diagnostic(nothing_known, 5, 30, "outputs.out.tables[0].from", "\"orders\" is not a source or transform",
                             "define it under sources or transforms"));
}

TEST(PipelineParser, BothFromAndSql) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - name: t\n"
                            "        from: s\n"
                            "        sql: SELECT * FROM s\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 10, 14, "outputs.out.tables[0].sql", "a table takes either \"from\" or \"sql\", not both"));
}

TEST(PipelineParser, NeitherFromNorSql) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - name: t\n"
                            "        mode: append\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 8, 9, "outputs.out.tables[0]",
                             "a table needs \"from\" (a source or transform) or \"sql\" (a query)"));
}

TEST(PipelineParser, BadTableMode) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: t, from: s, mode: upsert}\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 8, 34, "outputs.out.tables[0].mode", "\"upsert\" is not a table mode",
                             "use replace, append or replace_by_key"));
}

TEST(PipelineParser, ReplaceByKeyWithoutKey) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - name: t\n"
                            "        from: s\n"
                            "        mode: replace_by_key\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 10, 15, "outputs.out.tables[0].mode",
                             "replace_by_key needs \"key\": the columns that identify a row", "e.g. key: [order_id]"));
}

TEST(PipelineParser, KeyWithoutReplaceByKey) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - name: t\n"
                            "        from: s\n"
                            "        mode: append\n"
                            "        key: [id]\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 11, 14, "outputs.out.tables[0].key", "\"key\" is used only with mode: replace_by_key"));
}

TEST(PipelineParser, ForeignKeyToATableNotListedEarlier) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - name: Extract.orders\n"
                            "        from: s\n"
                            "        foreign_keys:\n"
                            "          - {columns: [customer_id], references: Extract.customers}\n"
                            "      - name: Extract.customers\n"
                            "        from: s\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 11, 50, "outputs.out.tables[0].foreign_keys[0].references",
                             "\"Extract\".\"customers\" is not a table listed before this one in output \"out\"",
                             "list the referenced table first"));
}

TEST(PipelineParser, ForeignKeyShapeErrors) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: a, from: s}\n"
                            "      - name: b\n"
                            "        from: s\n"
                            "        foreign_keys:\n"
                            "          - {columns: [x, y], references: a, referenced_columns: [z]}\n"
                            "          - {references: a}\n"
                            "          - {columns: [x]}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 12, 66, "outputs.out.tables[1].foreign_keys[0].referenced_columns",
                             "2 columns refer to 1 referenced columns"));
  EXPECT_TRUE(has_diagnostic(parsed, 13, 13, "outputs.out.tables[1].foreign_keys[1].columns", "\"columns\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 14, 13, "outputs.out.tables[1].foreign_keys[2].references",
                             "\"references\" is required"));
  EXPECT_EQ(parsed.diagnostics.items().size(), 3U) << all_diagnostics(parsed);
}

TEST(PipelineParser, TableProblems) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: Extract.a, from: s}\n"
                            "      - {name: Extract.a, from: s}\n"
                            "      - {name: \"bad..name\", from: s}\n"
                            "      - {from: s}\n"
                            "  empty:\n"
                            "    file: empty.hyper\n"
                            "    tables: []\n"
                            "  none:\n"
                            "    file: none.hyper\n");
  EXPECT_TRUE(has_diagnostic(parsed, 9, 16, "outputs.out.tables[1].name",
                             "table \"Extract\".\"a\" is listed twice in output \"out\""));
  EXPECT_TRUE(has_diagnostic(parsed, 10, 16, "outputs.out.tables[2].name", "empty name part in \"bad..name\"",
                             "write SCHEMA.TABLE, e.g. Extract.Extract"));
  EXPECT_TRUE(has_diagnostic(parsed, 11, 9, "outputs.out.tables[3].name", "\"name\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 14, 13, "outputs.empty.tables", "an output needs at least one table"));
  EXPECT_TRUE(has_diagnostic(parsed, 16, 5, "outputs.none.tables", "\"tables\" is required"));
}

TEST(PipelineParser, OutputFileNotEndingInHyper) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out/sales.csv\n"
                            "    tables: [{name: t, from: s}]\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 6, 11, "outputs.out.file", "out/sales.csv does not end in .hyper",
                             "Tableau recognises extracts by the .hyper suffix"));
}

TEST(PipelineParser, TwoOutputsWriteTheSameFile) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  a:\n"
                            "    file: out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "  b:\n"
                            "    file: x/../out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "  c:\n"
                            "    file: /pipelines/other.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "  d:\n"
                            "    file: other.hyper\n"
                            "    tables: [{name: t, from: s}]\n");
  EXPECT_TRUE(has_diagnostic(parsed, 9, 11, "outputs.b.file", "output \"a\" writes the same file"));
  EXPECT_TRUE(has_diagnostic(parsed, 15, 11, "outputs.d.file", "output \"c\" writes the same file"));
  EXPECT_EQ(parsed.diagnostics.items().size(), 2U) << all_diagnostics(parsed);
}

TEST(PipelineParser, FileVersionOutOfRange) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    file_version: 5\n"
                            "    tables: [{name: t, from: s}]\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 7, 19, "outputs.out.file_version", "5 is out of range", "use 0 to 4"));
}

TEST(PipelineParser, BadOutputName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  ../escape: {file: out.hyper, tables: [{name: t, from: s}]}\n");
  EXPECT_TRUE(has_diagnostic(parsed, 5, 3, "outputs.../escape", "\"../escape\" is not a usable output name",
                             "use letters, digits, '-', '_' and '.'"));
}

// ---------------------------------------------------------------------------------------------
// Publish targets

TEST(PipelineParser, BadPublishMode) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "    publish:\n"
                            "      server: https://tableau.example.com\n"
                            "      mode: upsert\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 10, 13, "outputs.out.publish.mode", "unknown publish mode \"upsert\"",
                             "use createnew, overwrite, append, replace or sync"));
}

TEST(PipelineParser, HttpServerWithoutAllowHttp) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "    publish:\n"
                            "      - server: http://tableau.local\n"
                            "      - server: http://localhost:8080\n"
                            "        allow_http: true\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 9, 17, "outputs.out.publish[0].server",
                             "refusing to send Tableau credentials over plain HTTP to http://tableau.local",
                             "use an https:// address, or allow_http: true"));
}

TEST(PipelineParser, AppendPublishOnAMultiTableOutput) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: a, from: s}\n"
                            "      - {name: b, from: s}\n"
                            "    publish: {server: https://t, mode: append}\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 10, 40, "outputs.out.publish.mode",
                             "output \"out\" has 2 tables; Tableau appends only from a single-table extract",
                             "use overwrite"));
}

TEST(PipelineParser, PublishTargetProblems) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "    publish:\n"
                            "      - project: P\n"
                            "        allow_http: sure\n"
                            "        projet: Q\n");
  EXPECT_TRUE(has_diagnostic(parsed, 9, 9, "outputs.out.publish[0].server", "\"server\" is required"));
  EXPECT_TRUE(has_diagnostic(parsed, 10, 21, "outputs.out.publish[0].allow_http", "\"sure\" is not true or false"));
  EXPECT_TRUE(has_diagnostic(parsed, 11, 9, "outputs.out.publish[0].projet", "unknown key \"projet\"",
                             "did you mean \"project\"?"));
}

// Flags are true/false, yes/no or on/off, in any letter case.
TEST(PipelineParser, FlagsAreYesNoWordsInAnyCase) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv, header: \"no\"}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "    publish: {server: \"http://localhost:8080\", allow_http: on, as_job: True}\n");
  ASSERT_TRUE(parsed.diagnostics.empty()) << all_diagnostics(parsed);
  EXPECT_TRUE(parsed.spec->outputs[0].publish[0].as_job);
  EXPECT_FALSE(parsed.spec->sources.empty());
  const auto wrong = parse("version: 1\nsources:\n  s: {type: csv, path: a.csv, header: maybe}\n"
                           "outputs:\n  out: {file: out.hyper, tables: [{name: t, from: s}]}\n");
  EXPECT_TRUE(has_diagnostic(wrong, 3, 39, "sources.s.header", "\"maybe\" is not true or false"));
}


// Publishing an accumulating extract with mode append would add its old rows to the data
// source again on every run.
TEST(PipelineParser, PublishAppendNeedsAnOutputOfNewRowsOnly) {
  const auto parsed = parse(R"yaml(version: 1
sources:
  s: {type: csv, path: a.csv}
outputs:
  o:
    file: o.hyper
    tables: [{name: Extract.Extract, from: s, mode: append}]
    publish: {server: https://t.example.com, mode: append}
)yaml");
  EXPECT_TRUE(has_diagnostic(parsed, 8, 52, "outputs.o.publish.mode", "output \"o\" keeps earlier rows (append)",
                             "publish with overwrite"));
}

} // namespace
} // namespace hyperpipe::pipeline

namespace hyperpipe::pipeline {
namespace {

// What a publish target asks for besides the file, and what it refuses.
TEST(PipelineParser, PublishTargetsCarryTagsCertificationAndTheirOwnWait) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables: [{name: t, from: s}]\n"
                            "    publish:\n"
                            "      server: https://t\n"
                            "      project: 'R&D, Europe/Ops\\/Support'\n"
                            "      tags: [finance, hourly]\n"
                            "      certified: yes\n"
                            "      certification_note: Reconciled\n"
                            "      warn_on_failure: off\n"
                            "      session_wait: 10m\n");
  ASSERT_TRUE(parsed.diagnostics.empty()) << all_diagnostics(parsed);
  const auto& target = parsed.spec->outputs[0].publish[0];
  EXPECT_EQ(target.tags, (std::vector<std::string>{"finance", "hourly"}));
  EXPECT_EQ(target.certified, std::optional<bool>(true));
  EXPECT_EQ(target.certification_note, std::optional<std::string>("Reconciled"));
  EXPECT_FALSE(target.warn_on_failure);
  EXPECT_EQ(target.session_wait, std::chrono::seconds(600));
  EXPECT_EQ(publish::split_project_path(target.project), (std::vector<std::string>{"R&D, Europe", "Ops/Support"}));

  const auto wrong = parse("version: 1\n"
                           "sources:\n"
                           "  s: {type: csv, path: a.csv}\n"
                           "outputs:\n"
                           "  out:\n"
                           "    file: out.hyper\n"
                           "    tables: [{name: t, from: s}]\n"
                           "    publish: {server: https://t, tags: 'a,b', certification_note: why}\n");
  EXPECT_TRUE(has_diagnostic(wrong, 8, 40, "outputs.out.publish.tags", "tag \"a,b\" cannot be used"));
  EXPECT_TRUE(has_diagnostic(wrong, 8, 67, "outputs.out.publish.certification_note", "certification_note without certified"));
}

} // namespace
} // namespace hyperpipe::pipeline
