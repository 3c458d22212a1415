// Unit tests of the runner on fakes (no hyperd, no Tableau): the order of its steps, the
// statements it hands the engine (the planner's), its accounting, and what a failure at each
// step leaves behind — nothing committed before the commit, everything after it, secrets
// redacted from every message.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>

#include "pipeline/run/runner.hpp"
#include "pipeline/run/workspace_sql.hpp"
#include "pipeline/state/run_state.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::pipeline {
namespace {
namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// Records every call in order (sources are staged on several threads: under a lock); fails
// where told to.
class FakeEngine final : public RunEngine {
public:
  std::vector<std::string> calls;
  std::mutex mutex;
  std::set<std::string> failing_sources;
  std::string failing_statement; ///< a workspace statement containing this fails
  std::optional<std::size_t> failing_finish;
  std::uint64_t rows_per_source = 3;
  std::uint64_t rows_per_table = 7;
  /// inspect_staged describes each staged file as one nullable table of file version 2, as a
  /// source that can go straight into its output stages; otherwise as nothing.
  bool staged_files_fit = false;

  int default_file_version() const override { return 2; }

  Result<StageResult> stage(const ConfiguredSource&, StageContext context) override {
    const std::lock_guard lock(mutex);
    calls.push_back("stage " + context.table);
    if (context.engine != nullptr) {
      return make_error(ErrorKind::internal, "the runner must not hand sources an engine of its own");
    }
    if (failing_sources.contains(context.table)) {
      return make_error(ErrorKind::io, context.table + ".csv: no such file");
    }
    write_text(context.staging_file, "staged " + context.table);
    StageResult result;
    result.tables = {context.table};
    result.rows_read = rows_per_source + 1;
    result.rows_loaded = rows_per_source;
    result.rows_rejected = 1;
    result.bytes = 100;
    result.file_version = context.file_version; // as real sources stage: in the version asked for
    return result;
  }
  Result<QueryResult> query_staged(const fs::path& file, std::string_view sql) override {
    const std::lock_guard lock(mutex);
    calls.push_back(fmt::format("query {}: {}", file.filename().string(), sql));
    return QueryResult{{{"id", SqlType::big_int(), 0, -1}}, {}};
  }
  Result<ExtractInfo> inspect_staged(const fs::path& file) override {
    const std::lock_guard lock(mutex);
    calls.push_back("inspect " + file.filename().string());
    ExtractInfo info;
    if (staged_files_fit) {
      info.file_version = 2;
      TableDefinition table{TableName{"public", file.stem().string()}, {}, {}, {}};
      table.add("id", SqlType::big_int());
      info.tables.push_back({table, rows_per_source});
    }
    return info;
  }
  Status open_workspace(const fs::path& base) override {
    calls.push_back("workspace " + base.filename().string());
    return {};
  }
  Status gather(const fs::path& staged,
                const std::function<std::vector<std::string>(const std::string& alias)>& statements) override {
    calls.push_back("gather " + staged.filename().string());
    for (const auto& statement : statements("\"a1\"")) {
      calls.push_back("  " + statement);
    }
    return {};
  }
  Result<std::uint64_t> execute_in_workspace(std::string_view sql) override {
    calls.push_back(fmt::format("execute {}", sql));
    if (!failing_statement.empty() && sql.find(failing_statement) != std::string_view::npos) {
      return make_error(ErrorKind::sql, "column \"amount\" does not exist");
    }
    return std::uint64_t{0};
  }
  Result<QueryResult> query_in_workspace(std::string_view sql) override {
    calls.push_back(fmt::format("query {}", sql));
    return QueryResult{{{"count", SqlType::big_int(), 0, -1}}, {{std::to_string(rows_per_table)}}};
  }
  Result<std::vector<OutputTableReport>> write_output(const PlannedOutput& output,
                                                      const std::function<void(const PlannedTable&)>& on_table,
                                                      const std::optional<DirectTable>& direct) override {
    calls.push_back("write " + output.spec->name +
                    (direct ? fmt::format(" with table {} as staged in {}", direct->table, direct->staged.filename().string())
                            : ""));
    if (direct && fs::exists(direct->staged)) {
      fs::remove(direct->staged); // given up to the output
    }
    std::vector<OutputTableReport> reports;
    for (const auto& table : output.tables) {
      on_table(table);
      reports.push_back({table.spec->name.quoted(), "replace", rows_per_table, 0, rows_per_table});
    }
    written.push_back(output.spec->name);
    return reports;
  }
  Status finish_output(std::size_t index, const fs::path& staged) override {
    calls.push_back(fmt::format("finish {}", index));
    if (failing_finish == index) {
      return make_error(ErrorKind::io, "No space left on device");
    }
    write_text(staged, "new " + written.at(index));
    return {};
  }
  Result<ChangeSet> make_change_set(const ChangeSetRequest&) override {
    return make_error(ErrorKind::internal, "the fake engine computes no change sets");
  }
  void release() override { calls.push_back("release"); }

private:
  std::vector<std::string> written;
};

class FakePublisher final : public RunPublisher {
public:
  std::vector<std::string> published;
  bool fail = false;
  std::string fail_only; ///< fail just the target of this name

  Result<publish::PublishResult> publish(const PublishSpec& target, const fs::path& file,
                                         const std::function<void(const std::string&)>& add_secret,
                                         const std::function<void(std::uint64_t, std::uint64_t)>& on_progress) override {
    add_secret("pat-s3cret");
    published.push_back(fmt::format("{} <- {} ({})", target.name, file.filename().string(), read_text(file)));
    on_progress(10, 10);
    if (fail || target.name == fail_only) {
      return make_error(ErrorKind::remote, "sign-in refused for token pat-s3cret");
    }
    publish::PublishResult result;
    result.datasource_id = "ds-" + target.name;
    return result;
  }

  Result<publish::SyncOutcome> send_changes(const PublishSpec&, const publish::SyncExpectation&,
                                            const std::vector<publish::ChangeBatch>&, const publish::BatchDone&,
                                            const std::function<void(const std::string&)>&) override {
    return make_error(ErrorKind::internal, "the fake publisher sends no changes");
  }

  std::vector<std::string> marked_stale;
  Result<std::string> mark_stale(const PublishSpec& target, const std::string& message,
                                 const std::function<void(const std::string&)>& add_secret) override {
    add_secret("pat-s3cret");
    marked_stale.push_back(target.name + ": " + message);
    return "marked " + target.name + " with pat-s3cret";
  }
};

class Events final : public RunObserver {
public:
  void on_event(const RunEvent& event) override { messages.push_back(event.step + ": " + event.message); }
  std::vector<std::string> messages;
};

const char* const k_pipeline = R"yaml(version: 1
sources:
  orders: {type: csv, path: orders.csv}
  customers: {type: csv, path: customers.csv}
transforms:
  - name: totals
    sql: SELECT customer_id, SUM(amount) AS total FROM orders GROUP BY 1
outputs:
  sales:
    file: out/sales.hyper
    tables:
      - {name: Extract.totals, from: totals}
      - {name: Extract.customers, from: customers}
    publish: {server: https://tableau.example.com, name: Sales}
  orders:
    file: out/orders.hyper
    tables:
      - {name: Extract.Extract, from: orders}
  audit:
    file: out/audit.hyper
    tables:
      - {name: Extract.Extract, from: orders}
)yaml";

// A parsed pipeline whose files and state live in a temporary folder; the outputs already hold
// an earlier run's extracts ("old ...").
struct Scene {
  testing::TempDir dir;
  PipelineSpec spec;
  FakeEngine engine;
  FakePublisher publisher;
  Events events;
  RunOptions options;

  Scene() {
    auto parsed = parse_pipeline(k_pipeline, dir / "p.yaml", [](const std::string&) { return std::nullopt; });
    EXPECT_TRUE(parsed.spec) << parsed.diagnostics.describe("p.yaml");
    spec = std::move(*parsed.spec);
    spec.state_dir = dir / "state";
    fs::create_directories(dir / "out");
    for (const auto& output : spec.outputs) {
      write_text(output.file, "old " + output.name);
    }
  }
  RunReport run() { return run_pipeline(engine, publisher, spec, options, events); }
  std::map<std::string, std::string> outputs() const {
    std::map<std::string, std::string> contents;
    for (const auto& output : spec.outputs) {
      contents[output.name] = read_text(output.file);
    }
    return contents;
  }
  std::map<std::string, std::string> old_outputs() const {
    return {{"sales", "old sales"}, {"orders", "old orders"}, {"audit", "old audit"}};
  }
  // Only the outputs themselves in their folder: nothing staged or kept was left behind.
  std::vector<std::string> out_folder() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir / "out")) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

const std::vector<std::string> k_only_outputs{"audit.hyper", "orders.hyper", "sales.hyper"};

TEST(Runner, ASourceGoingStraightIntoOneOutputIsNotCopiedThroughTheWorkspace) {
  Scene scene;
  scene.engine.staged_files_fit = true;
  const RunReport report = scene.run();
  ASSERT_TRUE(report.succeeded) << report.error;
  const Plan plan = make_plan(scene.spec, {}).value();
  // customers feeds only sales's second table, unchanged: its staged file becomes sales.hyper.
  // orders feeds a transform and two outputs: it is the workspace.
  ASSERT_TRUE(plan.direct_table_of("customers").has_value());
  EXPECT_FALSE(plan.direct_table_of("orders").has_value());
  const std::vector<std::string> expected{
      "inspect customers.hyper",
      "workspace orders.hyper",
      "execute " + plan.transforms[0].sql, "query " + plan.transforms[0].count_sql,
      "write sales with table 1 as staged in customers.hyper", "write orders", "write audit",
      "finish 0", "finish 1", "finish 2", "release"};
  EXPECT_EQ(std::vector<std::string>(scene.engine.calls.begin() + 4, scene.engine.calls.end()), expected);
  EXPECT_EQ(scene.outputs(), (std::map<std::string, std::string>{
                                 {"sales", "new sales"}, {"orders", "new orders"}, {"audit", "new audit"}}));
  EXPECT_NE(plan.describe().find("-> output sales table \"Extract\".\"customers\" as it is staged"),
            std::string::npos)
      << plan.describe();
}

TEST(Runner, SourcesStagedForAnOlderOutputAndUnfitForItGetANewWorkspaceOfTheirOwn) {
  // The only source was staged in the output's version 2 and turned out unfit (the fake's
  // inspect says so): it cannot be the workspace, which computes with 128-bit numerics. A new one
  // is made under a name no source can have, even a source called "workspace".
  testing::TempDir dir;
  auto parsed = parse_pipeline("version: 1\nsources:\n  workspace: {type: csv, path: w.csv}\n"
                               "outputs:\n  x: {file: out/x.hyper, tables: [{name: Extract.w, from: workspace}]}\n",
                               dir / "p.yaml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(parsed.spec) << parsed.diagnostics.describe("p.yaml");
  parsed.spec->state_dir = dir / "state";
  fs::create_directories(dir / "out");
  FakeEngine engine;
  FakePublisher publisher;
  Events events;
  const RunReport report = run_pipeline(engine, publisher, *parsed.spec, RunOptions{}, events);
  ASSERT_TRUE(report.succeeded) << report.error;
  const std::vector<std::string> expected{
      "inspect workspace.hyper", "workspace hp-workspace.hyper", "gather workspace.hyper",
      "  " + workspace_sql::copy_staged_table("\"a1\"", "workspace"), "write x", "finish 0", "release"};
  EXPECT_EQ(std::vector<std::string>(engine.calls.begin() + 2, engine.calls.end()), expected);
}

TEST(Runner, OnlyUnchangedSourcesReadByNothingElseGoStraightIntoAnOutput) {
  const auto plan_of = [](const std::string& yaml) {
    testing::TempDir dir;
    auto parsed = parse_pipeline(yaml, dir / "p.yaml", [](const std::string&) { return std::nullopt; });
    EXPECT_TRUE(parsed.spec) << parsed.diagnostics.describe("p.yaml");
    auto plan = make_plan(*parsed.spec, {}).value();
    std::vector<std::string> direct;
    for (const auto& output : plan.outputs) {
      for (const auto& table : output.tables) {
        direct.push_back(table.direct_source);
      }
    }
    return direct;
  };
  const std::string sources = "version: 1\nsources:\n  a: {type: csv, path: a.csv}\n  b: {type: csv, path: b.csv}\n";
  // Each from its own source, unchanged: both direct (one per output).
  EXPECT_EQ(plan_of(sources + "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a}]}\n"
                              "  y: {file: y.hyper, tables: [{name: Extract.b, from: b}]}\n"),
            (std::vector<std::string>{"a", "b"}));
  // Two tables of one output: only the first goes straight in (one file, one source).
  EXPECT_EQ(plan_of(sources + "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a}, {name: Extract.b, from: b}]}\n"),
            (std::vector<std::string>{"a", ""}));
  // Read by a query (any case, quoted or not), used twice, appended, or keyed: copied.
  EXPECT_EQ(plan_of(sources + "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a}, "
                              "{name: Extract.q, sql: 'SELECT COUNT(*) FROM \"A\"'}]}\n"),
            (std::vector<std::string>{"", ""}));
  EXPECT_EQ(plan_of(sources + "transforms:\n  - {name: t, sql: SELECT * FROM b JOIN a USING (id)}\n"
                              "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a}]}\n"),
            (std::vector<std::string>{""}));
  EXPECT_EQ(plan_of(sources + "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a}]}\n"
                              "  y: {file: y.hyper, tables: [{name: Extract.a, from: a}]}\n"),
            (std::vector<std::string>{"", ""}));
  EXPECT_EQ(plan_of(sources + "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a, mode: append}]}\n"),
            (std::vector<std::string>{""}));
  EXPECT_EQ(plan_of(sources + "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a, primary_key: [id]}]}\n"),
            (std::vector<std::string>{""}));
  // A column named like the source (a_id) is not the source.
  EXPECT_EQ(plan_of(sources + "transforms:\n  - {name: t, sql: SELECT a_id FROM b}\n"
                              "outputs:\n  x: {file: x.hyper, tables: [{name: Extract.a, from: a}, {name: Extract.t, from: t}]}\n"),
            (std::vector<std::string>{"a", ""}));
}

TEST(Runner, RunsThePlannedStatementsInOrderThenCommitsThenPublishes) {
  Scene scene;
  const RunReport report = scene.run();
  ASSERT_TRUE(report.succeeded) << report.error;
  const Plan plan = make_plan(scene.spec, {}).value();
  // Sources are staged two at a time: each one's steps in order, the two interleaved.
  ASSERT_GE(scene.engine.calls.size(), 4U);
  const std::vector<std::string> staged(scene.engine.calls.begin(), scene.engine.calls.begin() + 4);
  for (const std::string source : {"orders", "customers"}) {
    const auto stage = std::find(staged.begin(), staged.end(), "stage " + source);
    const auto shape = std::find(staged.begin(), staged.end(), "query " + source + ".hyper: " + workspace_sql::shape(source));
    EXPECT_TRUE(stage != staged.end() && shape != staged.end() && stage < shape) << source;
  }
  // customers could go straight into output sales, so it was staged in sales's file version (2);
  // the fake says it does not fit, so it is gathered, and orders, staged in version 3, becomes
  // the workspace (a version-2 file cannot: the workspace computes with 128-bit numerics).
  const std::vector<std::string> expected{
      "inspect customers.hyper",
      "workspace orders.hyper",
      "gather customers.hyper", "  " + workspace_sql::copy_staged_table("\"a1\"", "customers"),
      "execute " + plan.transforms[0].sql, "query " + plan.transforms[0].count_sql,
      "write sales", "write orders", "write audit",
      "finish 0", "finish 1", "finish 2", "release"};
  EXPECT_EQ(std::vector<std::string>(scene.engine.calls.begin() + 4, scene.engine.calls.end()), expected);
  EXPECT_EQ(scene.outputs(), (std::map<std::string, std::string>{
                                 {"sales", "new sales"}, {"orders", "new orders"}, {"audit", "new audit"}}));
  EXPECT_EQ(scene.publisher.published, std::vector<std::string>{"Sales <- sales.hyper (new sales)"});
  EXPECT_EQ(scene.out_folder(), k_only_outputs);
  EXPECT_TRUE(fs::exists(state_file_of(scene.spec)));
  for (const auto& entry : fs::directory_iterator(scene.spec.state_dir)) {
    EXPECT_NE(entry.path().extension(), ".work") << "the scratch folder is removed: " << entry.path();
  }
  EXPECT_TRUE(fs::exists(scene.spec.state_dir / (scene.spec.name + ".state.json")));
  // The accounting the report carries.
  ASSERT_EQ(report.sources.size(), 2U);
  EXPECT_EQ(report.sources[0].rows_read, 4U); // as the source staged them, passed on unchanged
  EXPECT_EQ(report.sources[0].rows_loaded, 3U);
  EXPECT_EQ(report.sources[0].rows_rejected, 1U);
  ASSERT_EQ(report.transforms.size(), 1U);
  EXPECT_EQ(report.transforms[0].rows, 7U);
  ASSERT_EQ(report.outputs.size(), 3U);
  EXPECT_EQ(report.outputs[0].tables.size(), 2U);
  EXPECT_GT(report.outputs[0].bytes, 0U) << "measured after the commit";
  ASSERT_EQ(report.publishes.size(), 1U);
  EXPECT_EQ(report.publishes[0].datasource_id, "ds-Sales");
}

TEST(Runner, AFailedSourceIsNamedAndNothingAfterItRuns) {
  Scene scene;
  scene.engine.failing_sources = {"customers"};
  const RunReport report = scene.run();
  EXPECT_FALSE(report.succeeded);
  EXPECT_EQ(report.failed_stage, FailedStage::source);
  EXPECT_EQ(report.failed_step, "source customers");
  EXPECT_EQ(report.error_kind, ErrorKind::io);
  EXPECT_TRUE(std::none_of(scene.engine.calls.begin(), scene.engine.calls.end(),
                           [](const std::string& call) { return call.starts_with("workspace"); }))
      << "no workspace is built once a source failed";
  EXPECT_EQ(scene.engine.calls.back(), "release") << "hyperd lets go before the scratch folder is removed";
  EXPECT_EQ(scene.outputs(), scene.old_outputs());
  EXPECT_FALSE(fs::exists(state_file_of(scene.spec)));
  EXPECT_TRUE(scene.publisher.published.empty());
}

TEST(Runner, AFailedTransformCommitsNothingAndPublishesNothing) {
  Scene scene;
  scene.engine.failing_statement = "SUM(amount)";
  const RunReport report = scene.run();
  EXPECT_FALSE(report.succeeded);
  EXPECT_EQ(report.failed_stage, FailedStage::transform);
  EXPECT_EQ(report.failed_step, "transform totals");
  EXPECT_NE(report.error.find("\"amount\" does not exist"), std::string::npos) << report.error;
  EXPECT_EQ(scene.outputs(), scene.old_outputs());
  EXPECT_EQ(scene.out_folder(), k_only_outputs);
  EXPECT_FALSE(fs::exists(state_file_of(scene.spec)));
  EXPECT_TRUE(scene.publisher.published.empty());
}

TEST(Runner, AnOutputThatCannotBeFinishedLeavesEveryOutputAsItWas) {
  Scene scene;
  scene.engine.failing_finish = 1; // the second of three
  const RunReport report = scene.run();
  EXPECT_FALSE(report.succeeded);
  EXPECT_EQ(report.failed_stage, FailedStage::output);
  EXPECT_EQ(report.failed_step, "output orders");
  EXPECT_EQ(scene.outputs(), scene.old_outputs());
  EXPECT_EQ(scene.out_folder(), k_only_outputs) << "the first output's finished file is removed too";
  EXPECT_FALSE(fs::exists(state_file_of(scene.spec)));
  EXPECT_TRUE(scene.publisher.published.empty());
}

TEST(Runner, APublishFailureComesAfterTheCommitAndKeepsTheSecretOut) {
  Scene scene;
  scene.publisher.fail = true;
  const RunReport report = scene.run();
  EXPECT_FALSE(report.succeeded);
  EXPECT_EQ(report.failed_stage, FailedStage::publish);
  EXPECT_EQ(report.failed_step, "publish sales");
  EXPECT_EQ(report.error_kind, ErrorKind::remote);
  EXPECT_EQ(report.error.find("pat-s3cret"), std::string::npos) << report.error;
  EXPECT_NE(report.error.find("sign-in refused"), std::string::npos) << report.error;
  for (const auto& message : scene.events.messages) {
    EXPECT_EQ(message.find("pat-s3cret"), std::string::npos) << message;
  }
  // The files were safe before publishing began: they and the state stay committed.
  EXPECT_EQ(scene.outputs(), (std::map<std::string, std::string>{
                                 {"sales", "new sales"}, {"orders", "new orders"}, {"audit", "new audit"}}));
  EXPECT_TRUE(fs::exists(state_file_of(scene.spec)));
}

TEST(Runner, TheLastSuccessfulShapeOfEachStagedTableIsKeptInTheState) {
  Scene scene;
  ASSERT_TRUE(scene.run().succeeded);
  const RunState state = read_run_state(state_file_of(scene.spec)).value();
  ASSERT_TRUE(state.sources.contains("orders"));
  ASSERT_EQ(state.sources.at("orders").tables.size(), 1U);
  EXPECT_EQ(state.sources.at("orders").tables[0].name, "orders");
  EXPECT_EQ(state.sources.at("orders").tables[0].columns.size(), 1U);
}

TEST(Runner, AFailedRunMarksThePublishedDataSourcesStaleWithTheStepAndNoSecret) {
  Scene scene;
  scene.engine.failing_sources = {"customers"};
  const RunReport report = scene.run();
  ASSERT_FALSE(report.succeeded);
  ASSERT_EQ(scene.publisher.marked_stale.size(), 1U);
  const std::string& warning = scene.publisher.marked_stale[0];
  EXPECT_TRUE(warning.starts_with("Sales: the run of pipeline \"p\" started ")) << warning;
  EXPECT_NE(warning.find("failed at source customers (io)."), std::string::npos) << warning;
  EXPECT_EQ(warning.find(report.error), std::string::npos) << "the message stays in the report, not on the data source";
  EXPECT_NE(warning.find(report.started), std::string::npos) << warning;
  const auto note = std::find_if(report.notes.begin(), report.notes.end(),
                                 [](const std::string& n) { return n.starts_with("publish sales: marked Sales"); });
  ASSERT_NE(note, report.notes.end());
  EXPECT_EQ(note->find("pat-s3cret"), std::string::npos) << *note;
}

TEST(Runner, OnlyTheTargetsNotPublishedInAFailedRunAreMarkedStale) {
  Scene scene;
  PublishSpec orders_target = scene.spec.outputs[0].publish[0];
  orders_target.name = "Orders";
  scene.spec.outputs[1].publish.push_back(orders_target);
  PublishSpec audit_target = orders_target;
  audit_target.name = "Audit";
  audit_target.warn_on_failure = false;
  scene.spec.outputs[2].publish.push_back(audit_target);
  scene.publisher.fail_only = "Orders";
  const RunReport report = scene.run();
  ASSERT_FALSE(report.succeeded);
  EXPECT_EQ(report.failed_step, "publish orders");
  ASSERT_EQ(scene.publisher.marked_stale.size(), 1U) << "Sales was published by this run; Audit asked for no warning";
  EXPECT_TRUE(scene.publisher.marked_stale[0].starts_with("Orders: ")) << scene.publisher.marked_stale[0];
}

TEST(Runner, ARunRefusedBecauseAnotherIsBusyMarksNothingStale) {
  Scene scene;
  fs::create_directories(scene.spec.state_dir);
  auto other = RunLock::acquire(run_lock_file_of(scene.spec), "busy", "");
  ASSERT_TRUE(other.ok());
  const RunReport report = scene.run();
  EXPECT_EQ(report.failed_stage, FailedStage::busy);
  EXPECT_TRUE(scene.publisher.marked_stale.empty());
}

TEST(Runner, ASuccessfulRunMarksNothingStale) {
  Scene scene;
  ASSERT_TRUE(scene.run().succeeded);
  EXPECT_TRUE(scene.publisher.marked_stale.empty());
}

} // namespace
} // namespace hyperpipe::pipeline
