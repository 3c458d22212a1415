// Unit tests of parse_pipeline(): a valid pipeline becomes the expected spec, and every problem a
// pipeline file can have is reported with its line, column, key path and a message that says
// what is wrong. The pipeline path is fake ("/pipelines/p.yaml"): parsing reads no file, and the
// environment is a map, not the process's.
#include <filesystem>

#include "pipeline/config/pipeline_parser_test_support.hpp"

namespace hyperpipe::pipeline {
namespace {

using namespace parser_test;

// ---------------------------------------------------------------------------------------------
// Valid pipelines

TEST(PipelineParser, ValidMultiSourcePipeline) {
  const std::string yaml = R"yaml(version: 1
name: sales-daily
state_dir: state
parallel_sources: 3
sources:
  orders:
    type: csv
    path: [data/orders.csv, "../shared/*.csv"]
    delimiter: ";"
    header: true
    null: [NA, "-"]
    columns: {amount: "numeric(10,2)"}
    incremental: {column: updated_at}
    on_error: reject
  customers:
    type: json
    path: /srv/customers.json
    records_path: data
  targets:
    type: xlsx
    path: ${DATA_DIR}/targets.xlsx
    sheet: Targets
  events:
    type: parquet
    path: events/./*.parquet
  tickets:
    type: api
    url: https://api.example.com/v1/tickets?since=${state.watermark}
    params: {status: open}
    records_path: data.items
    auth: {type: bearer, token: "${API_TOKEN}"}
    pagination: {type: token, token_path: meta.next, max_pages: 50}
    on_error: fail
transforms:
  - name: big_orders
    sql: |
      SELECT * FROM orders WHERE amount > 100;
  - name: open_tickets
    sql: SELECT * FROM tickets
outputs:
  sales:
    file: out/sales.hyper
    file_version: 2
    tables:
      - name: customers
        from: customers
        primary_key: customer_id
      - name: Sales.Orders
        from: big_orders
        mode: replace_by_key
        key: [order_id]
        primary_key: [order_id]
        foreign_keys:
          - columns: [customer_id]
            references: customers
    publish:
      server: tableau.example.com
      project: Finance
  tickets:
    file: ../shared/tickets.hyper
    tables:
      - name: Extract.Extract
        sql: SELECT * FROM open_tickets
        mode: append
    publish:
      - server: https://t1.example.com
        site: ops
        name: Open tickets
        description: from the help desk
        mode: replace
        credentials_file: secrets/tableau.env
        ca_bundle: /etc/ssl/ca.pem
        as_job: yes
      - server: http://localhost:8080
        allow_http: true
)yaml";
  const auto parsed = parse(yaml, {{"DATA_DIR", "/srv/data"}, {"API_TOKEN", "tok-123"}});
  ASSERT_TRUE(parsed.diagnostics.empty()) << all_diagnostics(parsed);
  ASSERT_TRUE(parsed.spec.has_value());
  const PipelineSpec& spec = *parsed.spec;
  EXPECT_EQ(spec.file, std::filesystem::path("/pipelines/p.yaml"));
  EXPECT_EQ(spec.name, "sales-daily");
  EXPECT_EQ(spec.state_dir, std::filesystem::path("/pipelines/state"));
  EXPECT_EQ(spec.parallel_sources, 3);

  ASSERT_EQ(spec.sources.size(), 5U);
  const std::vector<std::pair<std::string, std::string>> expected_sources = {
      {"orders", "csv"}, {"customers", "json"}, {"targets", "xlsx"}, {"events", "parquet"}, {"tickets", "api"}};
  for (std::size_t i = 0; i < expected_sources.size(); ++i) {
    EXPECT_EQ(spec.sources[i].name, expected_sources[i].first);
    EXPECT_EQ(spec.sources[i].type, expected_sources[i].second);
    ASSERT_NE(spec.sources[i].source, nullptr) << spec.sources[i].name;
  }
  // Relative paths resolve against the pipeline file's folder; absolute ones stay.
  EXPECT_EQ(spec.sources[0].source->describe(), "csv /pipelines/data/orders.csv /shared/*.csv");
  EXPECT_EQ(spec.sources[1].source->describe(), "json /srv/customers.json");
  EXPECT_EQ(spec.sources[2].source->describe(), "xlsx /srv/data/targets.xlsx");
  EXPECT_EQ(spec.sources[3].source->describe(), "parquet /pipelines/events/*.parquet");
  EXPECT_EQ(spec.sources[4].source->describe(), "api GET https://api.example.com/v1/tickets?since=${state.watermark}");
  EXPECT_EQ(spec.sources[0].incremental_column, std::optional<std::string>("updated_at"));
  EXPECT_TRUE(spec.sources[0].keep_rejects);
  EXPECT_FALSE(spec.sources[1].incremental_column.has_value());
  EXPECT_FALSE(spec.sources[4].keep_rejects);
  EXPECT_EQ(spec.sources[0].mark.line, 7); // the source's mapping

  ASSERT_EQ(spec.transforms.size(), 2U);
  EXPECT_EQ(spec.transforms[0].name, "big_orders");
  EXPECT_EQ(spec.transforms[0].sql, "SELECT * FROM orders WHERE amount > 100;\n");
  EXPECT_EQ(spec.transforms[1].name, "open_tickets");
  EXPECT_EQ(spec.transforms[1].sql, "SELECT * FROM tickets");

  ASSERT_EQ(spec.outputs.size(), 2U);
  const OutputSpec& sales = spec.outputs[0];
  EXPECT_EQ(sales.name, "sales");
  EXPECT_EQ(sales.file, std::filesystem::path("/pipelines/out/sales.hyper"));
  EXPECT_EQ(sales.file_version, std::optional<int>(2));
  ASSERT_EQ(sales.tables.size(), 2U);
  EXPECT_EQ(sales.tables[0].name, (TableName{"Extract", "customers"}));
  EXPECT_EQ(sales.tables[0].from, "customers");
  EXPECT_EQ(sales.tables[0].sql, "");
  EXPECT_EQ(sales.tables[0].mode, TableMode::replace);
  EXPECT_EQ(sales.tables[0].primary_key, std::vector<std::string>{"customer_id"});
  EXPECT_TRUE(sales.tables[0].key.empty());
  EXPECT_EQ(sales.tables[1].name, (TableName{"Sales", "Orders"}));
  EXPECT_EQ(sales.tables[1].from, "big_orders");
  EXPECT_EQ(sales.tables[1].mode, TableMode::replace_by_key);
  EXPECT_EQ(sales.tables[1].key, std::vector<std::string>{"order_id"});
  EXPECT_EQ(sales.tables[1].primary_key, std::vector<std::string>{"order_id"});
  ASSERT_EQ(sales.tables[1].foreign_keys.size(), 1U);
  EXPECT_EQ(sales.tables[1].foreign_keys[0].columns, std::vector<std::string>{"customer_id"});
  EXPECT_EQ(sales.tables[1].foreign_keys[0].target, (TableName{"Extract", "customers"}));
  EXPECT_EQ(sales.tables[1].foreign_keys[0].target_columns, std::vector<std::string>{"customer_id"});
  ASSERT_EQ(sales.publish.size(), 1U);
  // Defaults: https:// added, no site or project, the file's stem as name, overwrite.
  EXPECT_EQ(sales.publish[0].server, "https://tableau.example.com");
  EXPECT_EQ(sales.publish[0].site, "");
  EXPECT_EQ(sales.publish[0].project, "Finance");
  EXPECT_EQ(sales.publish[0].name, "sales");
  EXPECT_EQ(sales.publish[0].description, "");
  EXPECT_EQ(sales.publish[0].mode, publish::PublishMode::overwrite);
  EXPECT_FALSE(sales.publish[0].credentials_file.has_value());
  EXPECT_FALSE(sales.publish[0].ca_bundle.has_value());
  EXPECT_FALSE(sales.publish[0].allow_http);
  EXPECT_FALSE(sales.publish[0].as_job);

  const OutputSpec& tickets = spec.outputs[1];
  EXPECT_EQ(tickets.name, "tickets");
  EXPECT_EQ(tickets.file, std::filesystem::path("/shared/tickets.hyper"));
  EXPECT_FALSE(tickets.file_version.has_value());
  ASSERT_EQ(tickets.tables.size(), 1U);
  EXPECT_EQ(tickets.tables[0].name, TableName{});
  EXPECT_EQ(tickets.tables[0].sql, "SELECT * FROM open_tickets");
  EXPECT_EQ(tickets.tables[0].from, "");
  EXPECT_EQ(tickets.tables[0].mode, TableMode::append);
  ASSERT_EQ(tickets.publish.size(), 2U);
  EXPECT_EQ(tickets.publish[0].server, "https://t1.example.com");
  EXPECT_EQ(tickets.publish[0].site, "ops");
  EXPECT_EQ(tickets.publish[0].name, "Open tickets");
  EXPECT_EQ(tickets.publish[0].description, "from the help desk");
  EXPECT_EQ(tickets.publish[0].mode, publish::PublishMode::replace);
  EXPECT_EQ(tickets.publish[0].credentials_file, std::optional<std::filesystem::path>("/pipelines/secrets/tableau.env"));
  EXPECT_EQ(tickets.publish[0].ca_bundle, std::optional<std::filesystem::path>("/etc/ssl/ca.pem"));
  EXPECT_TRUE(tickets.publish[0].as_job);
  EXPECT_EQ(tickets.publish[1].server, "http://localhost:8080");
  EXPECT_TRUE(tickets.publish[1].allow_http);
  EXPECT_EQ(tickets.publish[1].name, "tickets");

  EXPECT_EQ(spec.find_output("tickets"), &spec.outputs[1]);
  EXPECT_EQ(spec.find_output("nope"), nullptr);
  EXPECT_TRUE(contains(spec.secrets, "tok-123"));
  EXPECT_FALSE(contains(spec.secrets, "/srv/data"));
}

TEST(PipelineParser, DefaultsOfAMinimalPipeline) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n" +
                            k_output_from_s);
  ASSERT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
  const PipelineSpec& spec = *parsed.spec;
  EXPECT_EQ(spec.name, "p"); // the file's stem
  EXPECT_EQ(spec.state_dir, std::filesystem::path("/pipelines/.hyperpipe"));
  EXPECT_EQ(spec.parallel_sources, 3);
  EXPECT_TRUE(spec.transforms.empty());
  EXPECT_TRUE(spec.secrets.empty());
  ASSERT_EQ(spec.outputs.size(), 1U);
  EXPECT_EQ(spec.outputs[0].file, std::filesystem::path("/pipelines/out.hyper"));
  EXPECT_FALSE(spec.outputs[0].file_version.has_value());
  EXPECT_TRUE(spec.outputs[0].publish.empty());
  ASSERT_EQ(spec.outputs[0].tables.size(), 1U);
  EXPECT_EQ(spec.outputs[0].tables[0].mode, TableMode::replace);
  EXPECT_EQ(spec.outputs[0].tables[0].name, TableName{});
  EXPECT_FALSE(spec.sources[0].keep_rejects);
  EXPECT_FALSE(spec.sources[0].incremental_column.has_value());
}

TEST(PipelineParser, MergeKeysShareAPublishTarget) {
  const auto parsed = parse(R"yaml(version: 1
sources:
  s: {type: csv, path: a.csv}
outputs:
  a:
    file: a.hyper
    tables: [{name: t, from: s}]
    publish: &tableau
      server: https://tableau.example.com
      project: Shared
      name: A
  b:
    file: b.hyper
    tables: [{name: t, from: s}]
    publish:
      <<: *tableau
      name: B
)yaml");
  ASSERT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
  const auto& b = parsed.spec->outputs[1].publish;
  ASSERT_EQ(b.size(), 1U);
  EXPECT_EQ(b[0].server, "https://tableau.example.com");
  EXPECT_EQ(b[0].project, "Shared");
  EXPECT_EQ(b[0].name, "B");
}

TEST(PipelineParser, FileSourcesDoNotTouchTheFilesystemAtParseTime) {
  // Neither the pipeline's folder nor any input exists; globs are kept, not expanded.
  const auto parsed = parse_pipeline("version: 1\n"
                                     "sources:\n"
                                     "  s: {type: csv, path: [\"in/*.csv\", /no/such/file.csv]}\n"
                                     "  x: {type: xlsx, path: book.xlsx, sheet: Missing}\n" +
                                         k_output_from_s,
                                     "/no/such/folder/p.yaml", fake_environment({}));
  ASSERT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
  EXPECT_EQ(parsed.spec->sources[0].source->describe(), "csv /no/such/folder/in/*.csv /no/such/file.csv");
  EXPECT_EQ(parsed.spec->sources[1].source->describe(), "xlsx /no/such/folder/book.xlsx");
  EXPECT_EQ(parsed.spec->outputs[0].file, std::filesystem::path("/no/such/folder/out.hyper"));
}

TEST(PipelineParser, ChildTablesOfASourceCanBeNamedInFrom) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: json, path: a.json}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: Extract.items, from: s_items}\n");
  ASSERT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
  EXPECT_EQ(parsed.spec->outputs[0].tables[0].from, "s_items");
}

TEST(PipelineParser, ApiSecretsFromTheEnvironmentAreCollected) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: api\n"
                            "    url: https://api.example.com/x\n"
                            "    auth: {type: basic, username: \"${API_USER}\", password: \"${API_PW}\"}\n" +
                                k_output_from_s,
                            {{"API_USER", "ann"}, {"API_PW", "pa55"}});
  ASSERT_TRUE(parsed.spec.has_value()) << all_diagnostics(parsed);
  // API_PW does not look secret by name, but a password is a secret wherever it comes from.
  EXPECT_TRUE(contains(parsed.spec->secrets, "pa55"));
  EXPECT_FALSE(contains(parsed.spec->secrets, "ann"));
}

// ---------------------------------------------------------------------------------------------
// The file as a whole

TEST(PipelineParser, YamlSyntaxError) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  a: b\n"
                            " c: d\n");
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 4, 2, "", "not valid YAML: end of map not found",
                             "check the indentation and quoting around this position"));

  const auto unclosed = parse("version: 1\n"
                              "sources: [x\n");
  EXPECT_TRUE(has_diagnostic(unclosed, 3, 1, "", "not valid YAML: end of sequence flow not found"));
}

TEST(PipelineParser, NotAMapping) {
  for (const char* yaml : {"- a\n- b\n", "", "just text\n"}) {
    const auto parsed = parse(yaml);
    ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << yaml;
    EXPECT_TRUE(has_diagnostic(parsed, 1, 1, "", "a pipeline file is a mapping with version, sources and outputs",
                               "see docs/pipeline.md"))
        << yaml;
  }
}

TEST(PipelineParser, MissingVersion) {
  const auto parsed = parse("sources:\n"
                            "  s: {type: csv, path: a.csv}\n" +
                            k_output_from_s);
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 1, 1, "version", "\"version\" is required"));
}

TEST(PipelineParser, UnsupportedVersion) {
  const auto two = parse("version: 2\n"
                         "sources:\n"
                         "  s: {type: csv, path: a.csv}\n" +
                         k_output_from_s);
  EXPECT_TRUE(has_diagnostic(two, 1, 10, "version", "2 is out of range", "use 1 to 1"));
  const auto word = parse("version: one\n"
                          "sources:\n"
                          "  s: {type: csv, path: a.csv}\n" +
                          k_output_from_s);
  EXPECT_TRUE(has_diagnostic(word, 1, 10, "version", "\"one\" is not a whole number"));
  // Reported once: not also as missing.
  EXPECT_EQ(word.diagnostics.items().size(), 1U) << all_diagnostics(word);
}

TEST(PipelineParser, UnknownTopLevelKeySuggestsTheClosest) {
  const auto parsed = parse("version: 1\n"
                            "parallel_source: 3\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n" +
                            k_output_from_s);
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 2, 1, "parallel_source", "unknown key \"parallel_source\"",
                             "did you mean \"parallel_sources\"?"));
}

TEST(PipelineParser, UnknownTopLevelKeyListsTheKnownOnes) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "cadence: daily\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 4, 1, "cadence", "unknown key \"cadence\"",
                             "known keys here: history_runs, name, notify, outputs, parallel_sources, schedule, sources, state_dir, transforms, version"));
}

TEST(PipelineParser, DuplicateKey) {
  const auto parsed = parse("version: 1\n"
                            "name: first\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "name: second\n" +
                            k_output_from_s);
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 5, 1, "name", "this key appears twice in the same mapping", "keep one"));

  const auto option = parse("version: 1\n"
                            "sources:\n"
                            "  s:\n"
                            "    type: csv\n"
                            "    path: a.csv\n"
                            "    path: b.csv\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(option, 6, 5, "sources.s.path", "this key appears twice in the same mapping"));
}

TEST(PipelineParser, DuplicateSourceName) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n"
                            "  s: {type: csv, path: b.csv}\n" +
                            k_output_from_s);
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 4, 3, "sources", "\"s\" appears twice", "names must be unique"));
}

TEST(PipelineParser, BadPipelineName) {
  const auto parsed = parse("version: 1\n"
                            "name: my pipeline\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 2, 7, "name", "\"my pipeline\" cannot name the state and report files",
                             "use letters, digits, '-', '_' and '.'"));
}

TEST(PipelineParser, ParallelSourcesOutOfRange) {
  const auto parsed = parse("version: 1\n"
                            "parallel_sources: 0\n"
                            "sources:\n"
                            "  s: {type: csv, path: a.csv}\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(parsed, 2, 19, "parallel_sources", "0 is out of range", "use 1 to 64"));
}

TEST(PipelineParser, MissingOrEmptySourcesAndOutputs) {
  const auto missing = parse("version: 1\n");
  EXPECT_TRUE(has_diagnostic(missing, 1, 1, "sources", "\"sources\" is required"));
  EXPECT_TRUE(has_diagnostic(missing, 1, 1, "outputs", "\"outputs\" is required"));

  const auto empty = parse("version: 1\n"
                           "sources: {}\n"
                           "outputs: {}\n");
  EXPECT_TRUE(has_diagnostic(empty, 2, 10, "sources", "no sources", "a pipeline needs at least one source"));
  EXPECT_TRUE(has_diagnostic(empty, 3, 10, "outputs", "no outputs", "a pipeline needs at least one output"));
}

TEST(PipelineParser, WrongShapes) {
  const auto parsed = parse("version: 1\n"
                            "sources: [s]\n"
                            "transforms: {a: 1}\n"
                            "outputs: 3\n");
  EXPECT_TRUE(has_diagnostic(parsed, 2, 10, "sources", "expected a mapping of names, found a list"));
  EXPECT_TRUE(has_diagnostic(parsed, 3, 13, "transforms", "expected a list, found a mapping", "start each item with \"- \""));
  EXPECT_TRUE(has_diagnostic(parsed, 4, 10, "outputs", "expected a mapping of names, found a value"));

  const auto source = parse("version: 1\n"
                            "sources:\n"
                            "  s: csv\n"
                            "  t:\n"
                            "    type: api\n"
                            "    url: [a]\n"
                            "    params: [a]\n"
                            "    incremental: updated_at\n" +
                            k_output_from_s);
  EXPECT_TRUE(has_diagnostic(source, 3, 6, "sources.s", "expected a mapping of keys, found a value"));
  EXPECT_TRUE(has_diagnostic(source, 6, 10, "sources.t.url", "expected a text value, found a list"));
  EXPECT_TRUE(has_diagnostic(source, 7, 13, "sources.t.params", "expected a mapping of names to values, found a list"));
  EXPECT_TRUE(has_diagnostic(source, 8, 18, "sources.t.incremental", "expected a mapping of keys, found a value"));
}


// ---------------------------------------------------------------------------------------------
// Reporting

TEST(PipelineParser, SeveralProblemsAreAllReported) {
  const auto parsed = parse("version: 1\n"
                            "sources:\n"
                            "  orders: {type: csv, path: a.csv, delimeter: \";\"}\n"
                            "  1bad: {type: excel, path: b.xlsx}\n"
                            "outputs:\n"
                            "  out:\n"
                            "    file: out.hyper\n"
                            "    tables:\n"
                            "      - {name: Extract.Extract, from: ordres, mode: upsert}\n");
  EXPECT_FALSE(parsed.spec.has_value());
  EXPECT_EQ(parsed.diagnostics.items().size(), 5U) << all_diagnostics(parsed);
  EXPECT_TRUE(has_diagnostic(parsed, 3, 36, "sources.orders.delimeter", "unknown key \"delimeter\"",
                             "did you mean \"delimiter\"?"));
  EXPECT_TRUE(has_diagnostic(parsed, 4, 3, "sources.1bad", "\"1bad\" cannot be used as a table name"));
  EXPECT_TRUE(has_diagnostic(parsed, 4, 16, "sources.1bad.type", "unknown source type \"excel\""));
  EXPECT_TRUE(has_diagnostic(parsed, 9, 39, "outputs.out.tables[0].from", "\"ordres\" is not a source or transform"));
  EXPECT_TRUE(has_diagnostic(parsed, 9, 53, "outputs.out.tables[0].mode", "\"upsert\" is not a table mode"));

  // describe() lists them by position, one per line.
  const std::string text = parsed.diagnostics.describe("p.yaml");
  const auto at = [&](std::string_view part) { return text.find(part); };
  EXPECT_LT(at("p.yaml:3:36:"), at("p.yaml:4:3:"));
  EXPECT_LT(at("p.yaml:4:3:"), at("p.yaml:4:16:"));
  EXPECT_LT(at("p.yaml:4:16:"), at("p.yaml:9:39:"));
  EXPECT_LT(at("p.yaml:9:39:"), at("p.yaml:9:53:"));
  EXPECT_NE(at("p.yaml:9:53:"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
}

TEST(PipelineParser, DiagnosticsDescribeSortsByPositionAndFormats) {
  Diagnostics diagnostics;
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(diagnostics.describe("p.yaml"), "");
  diagnostics.add({12, 5}, "sources.sales.delimiter", "delimiter takes one character, not \";;\"",
                  "write one character, or tab");
  diagnostics.add({3, 9}, "sources.1bad", "\"1bad\" cannot be used");
  diagnostics.add({12, 1}, "", "not valid YAML: oops", "check it");
  diagnostics.add({}, "", "cannot read the file", "check the path");
  diagnostics.add({3, 9}, "sources.1bad.type", "second at the same position");
  EXPECT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.items().size(), 5U);
  EXPECT_EQ(diagnostics.items()[0].path, "sources.sales.delimiter"); // items() keeps the order of adding
  EXPECT_EQ(diagnostics.describe("pipeline.yaml"),
            "pipeline.yaml: cannot read the file (hint: check the path)\n"
            "pipeline.yaml:3:9: sources.1bad: \"1bad\" cannot be used\n"
            "pipeline.yaml:3:9: sources.1bad.type: second at the same position\n"
            "pipeline.yaml:12:1: not valid YAML: oops (hint: check it)\n"
            "pipeline.yaml:12:5: sources.sales.delimiter: delimiter takes one character, not \";;\" "
            "(hint: write one character, or tab)\n");
  EXPECT_EQ(diagnostics.items()[0].describe("p.yaml"),
            "p.yaml:12:5: sources.sales.delimiter: delimiter takes one character, not \";;\" (hint: write one "
            "character, or tab)");
}

TEST(PipelineParser, LoadPipelineReportsAnUnreadableFile) {
  const auto parsed = load_pipeline("/no/such/folder/p.yaml", fake_environment({}));
  EXPECT_FALSE(parsed.spec.has_value());
  ASSERT_EQ(parsed.diagnostics.items().size(), 1U);
  EXPECT_EQ(parsed.diagnostics.items()[0].mark.line, 0);
  EXPECT_EQ(parsed.diagnostics.items()[0].message, "cannot read the file");
}

TEST(PipelineParser, TableModeNames) {
  EXPECT_EQ(table_mode_name(TableMode::replace), "replace");
  EXPECT_EQ(table_mode_name(TableMode::append), "append");
  EXPECT_EQ(table_mode_name(TableMode::replace_by_key), "replace_by_key");
}

} // namespace
} // namespace hyperpipe::pipeline
