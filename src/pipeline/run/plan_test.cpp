// Unit tests of make_plan() and Plan::describe(): what a run does, worked out from a pipeline
// parsed from YAML text (no files, no hyperd).
#include <gtest/gtest.h>

#include <map>

#include "pipeline/run/plan.hpp"
#include "pipeline/run/watermark.hpp"

namespace hyperpipe::pipeline {
namespace {

PipelineSpec spec_of(std::string_view yaml, std::map<std::string, std::string> variables = {}) {
  const Environment environment = [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    return found == variables.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  auto parsed = parse_pipeline(yaml, "/pipelines/p.yaml", environment);
  if (!parsed.spec) {
    ADD_FAILURE() << parsed.diagnostics.describe("p.yaml");
    return {};
  }
  return std::move(*parsed.spec);
}

const char* const k_pipeline = R"yaml(version: 1
sources:
  orders: {type: csv, path: data/orders.csv}
  customers: {type: json, path: /srv/customers.json}
transforms:
  - name: big_orders
    sql: |
      SELECT * FROM orders WHERE amount > 100;
  - name: totals
    sql: "  SELECT customer_id, SUM(amount) AS total FROM big_orders GROUP BY 1 ;; "
outputs:
  sales:
    file: out/sales.hyper
    tables:
      - {name: Extract.customers, from: customers}
      - name: Extract.totals
        sql: |
          SELECT * FROM totals;
    publish:
      server: tableau.example.com
      project: Finance
  orders:
    file: out/orders.hyper
    file_version: 2
    tables:
      - {name: Extract.Extract, from: big_orders, mode: append}
    publish:
      - {server: https://a.example.com, name: Orders A, mode: replace}
      - {server: https://b.example.com, mode: createnew}
  keyed:
    file: out/keyed.hyper
    tables:
      - {name: t, from: orders}
      - {name: u, from: orders, mode: replace_by_key, key: [order_id, line]}
)yaml";

TEST(Plan, StepsInFileOrder) {
  const PipelineSpec spec = spec_of(k_pipeline);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  ASSERT_EQ(plan->sources.size(), 2U);
  EXPECT_EQ(plan->sources[0], &spec.sources[0]);
  EXPECT_EQ(plan->sources[1], &spec.sources[1]);
  ASSERT_EQ(plan->transforms.size(), 2U);
  EXPECT_EQ(plan->transforms[0].spec, &spec.transforms[0]);
  EXPECT_EQ(plan->transforms[1].spec, &spec.transforms[1]);
  ASSERT_EQ(plan->outputs.size(), 3U);
  EXPECT_EQ(plan->outputs[0].spec->name, "sales");
  EXPECT_EQ(plan->outputs[1].spec->name, "orders");
  EXPECT_EQ(plan->outputs[2].spec->name, "keyed");
  ASSERT_EQ(plan->outputs[0].tables.size(), 2U);
  EXPECT_EQ(plan->outputs[0].tables[0].spec, &spec.outputs[0].tables[0]);
  EXPECT_EQ(plan->outputs[0].tables[1].spec, &spec.outputs[0].tables[1]);
  ASSERT_EQ(plan->publishes.size(), 3U);
  EXPECT_EQ(plan->publishes[0].output, &spec.outputs[0]);
  EXPECT_EQ(plan->publishes[0].target, &spec.outputs[0].publish[0]);
  EXPECT_EQ(plan->publishes[1].output, &spec.outputs[1]);
  EXPECT_EQ(plan->publishes[1].target, &spec.outputs[1].publish[0]);
  EXPECT_EQ(plan->publishes[2].target, &spec.outputs[1].publish[1]);
}

TEST(Plan, TransformSqlCreatesTheNamedTable) {
  const PipelineSpec spec = spec_of(k_pipeline);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->transforms[0].sql, "CREATE TABLE \"big_orders\" AS (SELECT * FROM orders WHERE amount > 100)");
  EXPECT_EQ(plan->transforms[1].sql,
            "CREATE TABLE \"totals\" AS (SELECT customer_id, SUM(amount) AS total FROM big_orders GROUP BY 1)");
}

TEST(Plan, TablesSelectFromTheirStepOrRunTheirQuery) {
  const PipelineSpec spec = spec_of(k_pipeline);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->outputs[0].tables[0].select, "SELECT * FROM \"customers\"");
  EXPECT_EQ(plan->outputs[0].tables[1].select, "SELECT * FROM totals");
  EXPECT_EQ(plan->outputs[1].tables[0].select, "SELECT * FROM \"big_orders\"");
}

TEST(Plan, FromNamesAreQuotedIdentifiers) {
  const PipelineSpec spec = spec_of("version: 1\n"
                                    "sources:\n"
                                    "  Orders: {type: json, path: a.json}\n"
                                    "outputs:\n"
                                    "  out:\n"
                                    "    file: out.hyper\n"
                                    "    tables:\n"
                                    "      - {name: a, from: Orders}\n"
                                    "      - {name: b, from: Orders_items}\n");
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->outputs[0].tables[0].select, "SELECT * FROM \"Orders\"");
  EXPECT_EQ(plan->outputs[0].tables[1].select, "SELECT * FROM \"Orders_items\"");
}

TEST(Plan, CreateModeReplacesUnlessATableKeepsRows) {
  const PipelineSpec spec = spec_of(k_pipeline);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->outputs[0].mode, CreateMode::replace);           // every table replace
  EXPECT_EQ(plan->outputs[1].mode, CreateMode::create_if_missing); // append
  EXPECT_EQ(plan->outputs[2].mode, CreateMode::create_if_missing); // one table replace_by_key
}

TEST(Plan, OnlyKeepsTheNamedOutputsAndTheirPublishes) {
  const PipelineSpec spec = spec_of(k_pipeline);
  PlanOptions options;
  options.only = {"orders"};
  const auto plan = make_plan(spec, options);
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  // Every source and transform still runs: outputs may use any of them.
  EXPECT_EQ(plan->sources.size(), 2U);
  EXPECT_EQ(plan->transforms.size(), 2U);
  ASSERT_EQ(plan->outputs.size(), 1U);
  EXPECT_EQ(plan->outputs[0].spec->name, "orders");
  ASSERT_EQ(plan->publishes.size(), 2U);
  EXPECT_EQ(plan->publishes[0].output->name, "orders");
  EXPECT_EQ(plan->publishes[1].output->name, "orders");

  options.only = {"keyed", "sales"}; // file order, whatever the order asked in
  const auto two = make_plan(spec, options);
  ASSERT_TRUE(two.ok()) << two.error().describe();
  ASSERT_EQ(two->outputs.size(), 2U);
  EXPECT_EQ(two->outputs[0].spec->name, "sales");
  EXPECT_EQ(two->outputs[1].spec->name, "keyed");
  EXPECT_EQ(two->publishes.size(), 1U);
}

TEST(Plan, OnlyAnUnknownOutputListsTheKnownOnes) {
  const PipelineSpec spec = spec_of(k_pipeline);
  PlanOptions options;
  options.only = {"orders", "sale"};
  const auto plan = make_plan(spec, options);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(plan.error().message, "--only sale: the pipeline has no such output");
  EXPECT_EQ(plan.error().hint, "its outputs: sales, orders, keyed");
}

const char* const k_incremental = R"yaml(version: 1
sources:
  orders: {type: csv, path: a.csv, incremental: {column: updated_at}}
outputs:
  a: {file: a.hyper, tables: [{name: t, from: orders, mode: append}]}
  b: {file: b.hyper, tables: [{name: t, from: orders, mode: append}]}
)yaml";

TEST(Plan, OnlyIsRefusedWithIncrementalSources) {
  const PipelineSpec spec = spec_of(k_incremental);
  PlanOptions options;
  options.only = {"a"};
  const auto plan = make_plan(spec, options);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(plan.error().message, "--only cannot be used with incremental sources");
  EXPECT_NE(plan.error().hint.find("the watermark moves for the whole pipeline"), std::string::npos);

  // Naming every output is no subset.
  options.only = {"b", "a"};
  const auto every = make_plan(spec, options);
  ASSERT_TRUE(every.ok()) << every.error().describe();
  EXPECT_EQ(every->outputs.size(), 2U);
  EXPECT_TRUE(make_plan(spec, {}).ok());
}

// Naming one output twice is still a subset of the outputs (the watermark guard must hold).
TEST(Plan, OnlyNamingOneOutputTwiceIsStillASubset) {
  const PipelineSpec spec = spec_of(k_incremental);
  PlanOptions options;
  options.only = {"a", "a"};
  const auto plan = make_plan(spec, options);
  ASSERT_FALSE(plan.ok()) << "planned " << plan->outputs.size() << " of 2 outputs";
  EXPECT_EQ(plan.error().message, "--only cannot be used with incremental sources");
}

TEST(Plan, NoPublishDropsPublishSteps) {
  const PipelineSpec spec = spec_of(k_pipeline);
  PlanOptions options;
  options.publish = false;
  const auto plan = make_plan(spec, options);
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_TRUE(plan->publishes.empty());
  EXPECT_EQ(plan->outputs.size(), 3U);
  EXPECT_EQ(plan->describe().find("publish"), std::string::npos);
}

TEST(Plan, Describe) {
  const PipelineSpec spec = spec_of(k_pipeline);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->describe(),
            "1. stage source orders (csv /pipelines/data/orders.csv) -> workspace table \"orders\"\n"
            "2. stage source customers (json /srv/customers.json) -> output sales table \"Extract\".\"customers\" as it is "
            "staged (no copy; if it stages as one table of the output's file version, else workspace table \"customers\")\n"
            "3. gather the staged tables, but those going straight into an output, into one workspace (the largest "
            "staged file becomes it):\n"
            "     SELECT * FROM \"public\".\"orders\" LIMIT 0  -- its columns, kept in the state\n"
            "     CREATE TABLE \"orders\" AS (SELECT * FROM <staged>.\"public\".\"orders\")  -- unless it is the workspace\n"
            "     SELECT * FROM \"public\".\"customers\" LIMIT 0  -- its columns, kept in the state\n"
            "     CREATE TABLE \"customers\" AS (SELECT * FROM <staged>.\"public\".\"customers\")  -- unless it is the "
            "workspace\n"
            "     DETACH DATABASE <staged>  -- after each staged file\n"
            "4. transform big_orders: CREATE TABLE \"big_orders\" AS (SELECT * FROM orders WHERE amount > 100)\n"
            "     SELECT COUNT(*) FROM \"big_orders\"\n"
            "5. transform totals: CREATE TABLE \"totals\" AS (SELECT customer_id, SUM(amount) AS total FROM big_orders "
            "GROUP BY 1)\n"
            "     SELECT COUNT(*) FROM \"totals\"\n"
            "6. write /pipelines/out/sales.hyper (new file)\n"
            "   table \"Extract\".\"customers\" [replace]:\n"
            "     -- source customers's staged file becomes this file, its table renamed (no rows copied); if it did not "
            "stage fit for that:\n"
            "     INSERT INTO \"<output>\".\"Extract\".\"customers\" SELECT * FROM (SELECT * FROM \"customers\") AS hp_rows\n"
            "   table \"Extract\".\"totals\" [replace]:\n"
            "     INSERT INTO \"<output>\".\"Extract\".\"totals\" SELECT * FROM (SELECT * FROM totals) AS hp_rows\n"
            "   DETACH DATABASE <workspace>\n"
            "7. write /pipelines/out/orders.hyper (update of the existing file, file version 2)\n"
            "   table \"Extract\".\"Extract\" [append]:\n"
            "     INSERT INTO \"<output>\".\"Extract\".\"Extract\" SELECT * FROM (SELECT * FROM \"big_orders\") AS hp_rows\n"
            "   DETACH DATABASE <workspace>\n"
            "8. write /pipelines/out/keyed.hyper (update of the existing file)\n"
            "   table \"Extract\".\"t\" [replace]:\n"
            "     DELETE FROM \"<output>\".\"Extract\".\"t\"  -- if the table has these columns; else re-created\n"
            "     INSERT INTO \"<output>\".\"Extract\".\"t\" SELECT * FROM (SELECT * FROM \"orders\") AS hp_rows\n"
            "   table \"Extract\".\"u\" [replace_by_key by order_id, line]:\n"
            "     CREATE TEMPORARY TABLE \"hp_batch\" AS (SELECT * FROM (SELECT * FROM \"orders\") AS hp_rows)\n"
            "     DELETE FROM \"<output>\".\"Extract\".\"u\" AS t WHERE EXISTS (SELECT 1 FROM \"hp_batch\" AS b WHERE "
            "b.\"order_id\" IS NOT DISTINCT FROM t.\"order_id\" AND b.\"line\" IS NOT DISTINCT FROM t.\"line\")\n"
            "     INSERT INTO \"<output>\".\"Extract\".\"u\" SELECT * FROM \"hp_batch\"\n"
            "     DROP TABLE \"hp_batch\"\n"
            "   DETACH DATABASE <workspace>\n"
            "9. publish sales to https://tableau.example.com as \"sales\" in project \"Finance\" (overwrite)\n"
            "10. publish orders to https://a.example.com as \"Orders A\" in project \"Default\" (replace)\n"
            "11. publish orders to https://b.example.com as \"orders\" in project \"Default\" (createnew)\n");
}

TEST(Plan, DescribeShowsTheWatermark) {
  const PipelineSpec spec = spec_of(k_incremental);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  EXPECT_EQ(plan->describe().substr(0, plan->describe().find('\n')),
            "1. stage source orders (csv /pipelines/a.csv), rows past the watermark of \"updated_at\" -> workspace "
            "table \"orders\"");
}

TEST(Plan, TrimQuery) {
  EXPECT_EQ(trim_query("SELECT 1"), "SELECT 1");
  EXPECT_EQ(trim_query("SELECT 1;"), "SELECT 1");
  EXPECT_EQ(trim_query("SELECT 1 ; ;\n\t ;; \r\n"), "SELECT 1");
  EXPECT_EQ(trim_query("\n  \tSELECT 1\n"), "SELECT 1");
  EXPECT_EQ(trim_query("SELECT ';' AS s;"), "SELECT ';' AS s");
  EXPECT_EQ(trim_query("SELECT 1;\nSELECT 2;"), "SELECT 1;\nSELECT 2");
  EXPECT_EQ(trim_query(""), "");
  EXPECT_EQ(trim_query(" ;; "), "");
}

// A trailing "-- comment" must not swallow the parenthesis the query is wrapped in.
TEST(Plan, TrailingLineCommentDoesNotSwallowTheClosingParenthesis) {
  const PipelineSpec spec = spec_of("version: 1\n"
                                    "sources:\n"
                                    "  s: {type: csv, path: a.csv}\n"
                                    "transforms:\n"
                                    "  - name: t\n"
                                    "    sql: |\n"
                                    "      SELECT * FROM s -- every row\n"
                                    "outputs:\n"
                                    "  out:\n"
                                    "    file: out.hyper\n"
                                    "    tables:\n"
                                    "      - name: x\n"
                                    "        sql: |\n"
                                    "          SELECT * FROM t; -- done\n");
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  const auto last_line = [](const std::string& sql) {
    const auto newline = sql.rfind('\n');
    return newline == std::string::npos ? sql : sql.substr(newline + 1);
  };
  const std::string transform = plan->transforms[0].sql;
  EXPECT_EQ(last_line(transform).find("--"), std::string::npos) << transform;
  EXPECT_TRUE(transform.ends_with(")")) << transform;
  // The runner wraps a table's select the same way: "SELECT * FROM (<select>) AS hp_rows".
  const std::string wrapped = "SELECT * FROM (" + plan->outputs[0].tables[0].select + ") AS hp_rows";
  EXPECT_EQ(last_line(wrapped).find("--"), std::string::npos) << wrapped;
}

} // namespace
} // namespace hyperpipe::pipeline

namespace hyperpipe::pipeline {
namespace {

// --dry-run shows the watermark step's statements, built by the same functions the run uses.
TEST(Plan, DescribeShowsTheWatermarkStatements) {
  const PipelineSpec spec = spec_of(k_incremental);
  const auto plan = make_plan(spec, {});
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  const std::string text = plan->describe();
  const WatermarkInput input{spec.sources[0].name, *spec.sources[0].incremental_column, std::string("<watermark>"), {}, {}};
  EXPECT_NE(text.find(watermark_sql::delete_stale(input, "<watermark>", "<type>")), std::string::npos) << text;
  EXPECT_NE(text.find(watermark_sql::largest(input)), std::string::npos) << text;
}

} // namespace
} // namespace hyperpipe::pipeline
