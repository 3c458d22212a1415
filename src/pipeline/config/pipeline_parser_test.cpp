// Unit tests of parse_pipeline(): a valid pipeline becomes the expected spec, and every problem a
// pipeline file can have is reported with its line, column, key path and a message that says
// what is wrong. The pipeline path is fake ("/pipelines/p.yaml"): parsing reads no file, and the
// environment is a map, not the process's.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "pipeline/config/pipeline_spec.hpp"

namespace hyperpipe::pipeline {
namespace {

const std::filesystem::path k_file = "/pipelines/p.yaml";

Environment fake_environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    return found == variables.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

ParsedPipeline parse(std::string_view yaml, std::map<std::string, std::string> variables = {}) {
  return parse_pipeline(yaml, k_file, fake_environment(std::move(variables)));
}

std::string all_diagnostics(const ParsedPipeline& parsed) { return parsed.diagnostics.describe("p.yaml"); }

// A diagnostic with exactly this path whose message contains `message` (and whose hint contains
// `hint`), at exactly this line and column.
::testing::AssertionResult has_diagnostic(const ParsedPipeline& parsed, int line, int column, std::string_view path,
                                          std::string_view message, std::string_view hint = {}) {
  const auto& items = parsed.diagnostics.items();
  const auto found = std::find_if(items.begin(), items.end(), [&](const Diagnostic& item) {
    return item.path == path && item.message.find(message) != std::string::npos;
  });
  if (found == items.end()) {
    return ::testing::AssertionFailure() << "no diagnostic at path \"" << path << "\" with \"" << message
                                         << "\"; got:\n"
                                         << all_diagnostics(parsed);
  }
  if (found->mark.line != line || found->mark.column != column) {
    return ::testing::AssertionFailure() << "\"" << found->message << "\" is at " << found->mark.line << ":"
                                         << found->mark.column << ", expected " << line << ":" << column;
  }
  if (found->hint.find(hint) == std::string::npos) {
    return ::testing::AssertionFailure() << "\"" << found->message << "\" has hint \"" << found->hint
                                         << "\", expected it to contain \"" << hint << "\"";
  }
  if (parsed.spec.has_value()) {
    return ::testing::AssertionFailure() << "a spec was produced despite diagnostics";
  }
  return ::testing::AssertionSuccess();
}

// Appended after the parts a test is about, so they do not move its line numbers.
const std::string k_output_from_s = "outputs:\n"
                                    "  out:\n"
                                    "    file: out.hyper\n"
                                    "    tables:\n"
                                    "      - {name: Extract.Extract, from: s}\n";

bool contains(const std::vector<std::string>& values, std::string_view wanted) {
  return std::find(values.begin(), values.end(), wanted) != values.end();
}

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
                             "known keys here: history_runs, name, outputs, parallel_sources, schedule, sources, state_dir, transforms, version"));
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
                             "use createnew, overwrite, append or replace"));
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

// Flags are true/false, yes/no or on/off in lower case; docs/pipeline.md: "True is refused".
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

namespace hyperpipe::pipeline {
namespace {

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

} // namespace
} // namespace hyperpipe::pipeline

namespace hyperpipe::pipeline {
namespace {

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

} // namespace
} // namespace hyperpipe::pipeline

namespace hyperpipe::pipeline {
namespace {

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
