// Atomic writes, create modes, appends with schema checks, file versions, multi-table keys.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>

#include "engine_fixture.hpp"
#include "extract/atomic_file.hpp"
#include "hyperpipe/extract.hpp"

namespace hyperpipe::testing {
namespace fs = std::filesystem;
namespace {
namespace fs = std::filesystem;

class ExtractWriterTest : public EngineTest {
protected:
  static TableDefinition people() {
    TableDefinition table;
    table.add("id", SqlType::big_int(), Nullability::not_null).add("name", SqlType::text());
    return table;
  }

  // Writes `count` rows (ids first_id, first_id+1, ...) into "Extract"."Extract" of `path`.
  Status write_people(const fs::path& path, CreateMode mode, std::int64_t first_id, int count) {
    HP_ASSIGN_OR_RETURN(auto writer, ExtractWriter::open(engine(), path, {mode, {}}));
    HP_TRY(writer.ensure_table(people()));
    HP_ASSIGN_OR_RETURN(auto rows, writer.write_to(people().name));
    ColumnBatch batch(people());
    for (int i = 0; i < count; ++i) {
      HP_TRY(batch.append_row({first_id + i, "person " + std::to_string(first_id + i)}));
    }
    HP_TRY(rows.write(batch));
    HP_TRY(rows.finish());
    return writer.commit();
  }

  std::string count_rows(const fs::path& path) {
    return engine().query(path, "SELECT count(*) FROM \"Extract\".\"Extract\"").value().rows[0][0].value();
  }

  std::vector<std::string> directory_listing() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(m_dir.path())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(ExtractWriterTest, ReplaceWritesAFreshFile) {
  const auto path = m_dir / "p.hyper";
  ASSERT_TRUE(write_people(path, CreateMode::replace, 1, 3).ok());
  ASSERT_TRUE(write_people(path, CreateMode::replace, 10, 2).ok());
  EXPECT_EQ(count_rows(path), "2");
  EXPECT_EQ(directory_listing(), std::vector<std::string>{"p.hyper"});
}

TEST_F(ExtractWriterTest, AFailedRunLeavesThePreviousFileUntouchedAndNoLitter) {
  const auto path = m_dir / "p.hyper";
  ASSERT_TRUE(write_people(path, CreateMode::replace, 1, 3).ok());
  const auto before = fs::last_write_time(path);
  {
    auto writer = ExtractWriter::open(engine(), path, {CreateMode::replace, {}}).value();
    ASSERT_TRUE(writer.add_table(people()).ok());
    auto rows = writer.write_to(people().name).value();
    ColumnBatch batch(people());
    ASSERT_TRUE(batch.append_row({std::int64_t{99}, std::string("new")}).ok());
    ASSERT_TRUE(rows.write(batch).ok());
    // Destroyed without finish() and commit(): an interrupted run.
  }
  EXPECT_EQ(count_rows(path), "3");
  EXPECT_EQ(fs::last_write_time(path), before);
  EXPECT_EQ(directory_listing(), std::vector<std::string>{"p.hyper"});
}

TEST_F(ExtractWriterTest, ASqlErrorCarriesSqlstateAndStatement) {
  const auto path = m_dir / "p.hyper";
  ASSERT_TRUE(write_people(path, CreateMode::replace, 1, 3).ok());
  auto writer = ExtractWriter::open(engine(), path, {CreateMode::replace, {}}).value();
  ASSERT_TRUE(writer.add_table(people()).ok());
  auto failed = writer.execute("INSERT INTO \"Extract\".\"Extract\" VALUES (NULL, 'x')");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::sql);
  EXPECT_EQ(failed.error().statement, "INSERT INTO \"Extract\".\"Extract\" VALUES (NULL, 'x')");
  EXPECT_FALSE(failed.error().sqlstate.empty());
}

TEST_F(ExtractWriterTest, CreateRefusesAnExistingFile) {
  const auto path = m_dir / "p.hyper";
  ASSERT_TRUE(write_people(path, CreateMode::replace, 1, 1).ok());
  const auto status = write_people(path, CreateMode::create, 1, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::already_exists);
  EXPECT_EQ(count_rows(path), "1");
}

TEST_F(ExtractWriterTest, OpenExistingRequiresTheFile) {
  const auto status = write_people(m_dir / "missing.hyper", CreateMode::open_existing, 1, 1);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::not_found);
  EXPECT_TRUE(directory_listing().empty());
}

TEST_F(ExtractWriterTest, AppendAddsRowsWhenTheSchemaMatches) {
  const auto path = m_dir / "p.hyper";
  ASSERT_TRUE(write_people(path, CreateMode::replace, 1, 3).ok());
  ASSERT_TRUE(write_people(path, CreateMode::open_existing, 4, 2).ok());
  ASSERT_TRUE(write_people(path, CreateMode::create_if_missing, 6, 1).ok());
  EXPECT_EQ(count_rows(path), "6");
  EXPECT_EQ(engine().query(path, "SELECT max(id) FROM \"Extract\".\"Extract\"").value().rows[0][0], "6");
}

TEST_F(ExtractWriterTest, AppendWithDifferentColumnsNamesThem) {
  const auto path = m_dir / "p.hyper";
  ASSERT_TRUE(write_people(path, CreateMode::replace, 1, 3).ok());
  auto writer = ExtractWriter::open(engine(), path, {CreateMode::open_existing, {}}).value();
  TableDefinition changed;
  changed.add("id", SqlType::integer(), Nullability::not_null).add("name", SqlType::text()).add("age", SqlType::small_int());
  const auto status = writer.ensure_table(changed);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::schema_mismatch);
  EXPECT_EQ(status.error().message,
            "cannot append to \"Extract\".\"Extract\" in " + path.string() +
                ": column \"id\" is BIGINT NOT NULL in the existing table but INTEGER NOT NULL in the new data; "
                "column \"age\" (SMALLINT) is not in the existing table");
}

TEST_F(ExtractWriterTest, FileVersionIsEnforcedWithAClearError) {
  auto v2 = ExtractWriter::open(engine(), m_dir / "v2.hyper").value();
  EXPECT_EQ(v2.file_version(), 2);
  TableDefinition wide;
  wide.add("amount", SqlType::numeric(38, 2));
  const auto refused = v2.add_table(wide);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::unsupported);
  EXPECT_EQ(refused.error().message, "table \"Extract\".\"Extract\", column \"amount\": NUMERIC(38,2) needs file "
                                     "version 3, but this extract is version 2");
  TableDefinition real;
  real.add("ratio", SqlType::real());
  EXPECT_NE(v2.add_table(real).error().message.find("needs file version 4"), std::string::npos);

  auto v3 = ExtractWriter::open(engine(), m_dir / "v3.hyper", {CreateMode::replace, 3}).value();
  ASSERT_TRUE(v3.add_table(wide).ok());
  ASSERT_TRUE(v3.commit().ok());
  EXPECT_EQ(engine().inspect(m_dir / "v3.hyper").value().file_version, 3);
  for (int version : {0, 1, 4}) {
    auto writer = ExtractWriter::open(engine(), m_dir / "v.hyper", {CreateMode::replace, version}).value();
    ASSERT_TRUE(writer.add_table(people()).ok());
    ASSERT_TRUE(writer.commit().ok());
    EXPECT_EQ(engine().inspect(m_dir / "v.hyper").value().file_version, version);
  }
  EXPECT_FALSE(ExtractWriter::open(engine(), m_dir / "x.hyper", {CreateMode::replace, 5}).ok());
}

TEST_F(ExtractWriterTest, MultiTableWithAssumedKeysAndCollationIsInspectable) {
  const auto path = m_dir / "multi.hyper";
  auto writer = ExtractWriter::open(engine(), path).value();
  TableDefinition customers{{"Sales", "customers"}, {}, {"id"}, {}};
  customers.add("id", SqlType::integer(), Nullability::not_null).add("name", SqlType::text());
  customers.columns[1].collation = "en_US_CI";
  TableDefinition orders{{"Sales", "orders"}, {}, {}, {}};
  orders.add("order_id", SqlType::integer(), Nullability::not_null).add("customer", SqlType::integer());
  orders.foreign_keys.push_back({{"customer"}, customers.name, {"id"}});
  EXPECT_FALSE(writer.add_table(orders).ok()); // the referenced table must come first
  ASSERT_TRUE(writer.add_table(customers).ok());
  ASSERT_TRUE(writer.add_table(orders).ok());
  ASSERT_TRUE(writer.commit().ok());

  const auto info = engine().inspect(path).value();
  ASSERT_EQ(info.tables.size(), 2U);
  EXPECT_EQ(info.schemas, (std::vector<std::string>{"Sales", "public"}));
  const auto& c = info.tables[0].definition;
  EXPECT_EQ(c.name, customers.name);
  EXPECT_EQ(c.primary_key, std::vector<std::string>{"id"});
  EXPECT_EQ(c.columns[1].collation, "en_US_CI");
  const auto& o = info.tables[1].definition;
  ASSERT_EQ(o.foreign_keys.size(), 1U);
  EXPECT_EQ(o.foreign_keys[0].columns, std::vector<std::string>{"customer"});
  EXPECT_EQ(o.foreign_keys[0].target, customers.name);
  EXPECT_EQ(o.foreign_keys[0].target_columns, std::vector<std::string>{"id"});
}

TEST_F(ExtractWriterTest, QuotingSurvivesHostileNames) {
  const auto path = m_dir / "we\"ird 'name'.hyper";
  auto writer = ExtractWriter::open(engine(), path).value();
  TableDefinition table{{"sch\"ema", "ta'ble. \"x\""}, {}, {}, {}};
  table.add("col \"1\"", SqlType::text()).add("'; DROP TABLE x; --", SqlType::integer());
  ASSERT_TRUE(writer.add_table(table).ok());
  auto rows = writer.write_to(table.name).value();
  ColumnBatch batch(table);
  ASSERT_TRUE(batch.append_row({std::string("it's \"quoted\""), std::int64_t{7}}).ok());
  ASSERT_TRUE(rows.write(batch).ok());
  ASSERT_TRUE(rows.finish().ok());
  ASSERT_TRUE(writer.commit().ok());
  const auto info = engine().inspect(path).value();
  ASSERT_EQ(info.tables.size(), 1U);
  EXPECT_EQ(info.tables[0].definition.name, table.name);
  EXPECT_EQ(info.tables[0].definition.columns[1].name, "'; DROP TABLE x; --");
  const auto result = engine().query(path, "SELECT * FROM " + table.name.quoted()).value();
  EXPECT_EQ(result.rows[0][0], "it's \"quoted\"");
}

TEST_F(ExtractWriterTest, ABatchWithTheWrongLayoutIsRefusedBeforeItMisalignsTheStream) {
  auto writer = ExtractWriter::open(engine(), m_dir / "p.hyper").value();
  ASSERT_TRUE(writer.add_table(people()).ok());
  auto rows = writer.write_to(people().name).value();
  TableDefinition nullable_id;
  nullable_id.add("id", SqlType::big_int()).add("name", SqlType::text());
  ColumnBatch batch(nullable_id);
  ASSERT_TRUE(batch.append_row({std::int64_t{1}, std::string("a")}).ok());
  const auto status = rows.write(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "table \"Extract\".\"Extract\", column 1 (\"id\"): the table has BIGINT NOT NULL, the batch BIGINT");
}

TEST_F(ExtractWriterTest, InspectAndQueryRefuseFilesThatAreNotHyper) {
  const auto path = m_dir / "notes.hyper";
  std::ofstream(path) << "just text\n";
  const auto info = engine().inspect(path);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().kind, ErrorKind::io);
  EXPECT_NE(info.error().message.find("cannot open as a Hyper database"), std::string::npos);
  EXPECT_EQ(engine().inspect(m_dir / "absent.hyper").error().kind, ErrorKind::not_found);
  const auto appended = ExtractWriter::open(engine(), path, {CreateMode::open_existing, {}});
  ASSERT_FALSE(appended.ok());
  EXPECT_NE(appended.error().message.find("cannot open as a Hyper database"), std::string::npos);
  EXPECT_EQ(directory_listing(), std::vector<std::string>{"notes.hyper"});
}


namespace hyperpipe::testing {
namespace {

TEST_F(EngineTest, TemporariesOfDeadProcessesAreRemovedOnTheNextRun) {
  const auto path = m_dir / "p.hyper";
  const pid_t child = ::fork();
  if (child == 0) {
    ::_exit(0);
  }
  ::waitpid(child, nullptr, 0); // its pid now names no process
  const std::string host = extract::host_tag();
  const auto stale = m_dir / (".p.hyper." + host + "." + std::to_string(child) + "-0.tmp");
  const auto live = m_dir / (".p.hyper." + host + "." + std::to_string(::getpid()) + "-999.tmp");
  // Another machine's file in a shared directory: its pid means nothing here, so it stays.
  const auto other_host = m_dir / (".p.hyper.some-other-host." + std::to_string(child) + "-0.tmp");
  std::ofstream(stale) << "left by a killed run";
  std::ofstream(live) << "belongs to a running process";
  std::ofstream(other_host) << "belongs to another machine";
  auto writer = ExtractWriter::open(engine(), path).value();
  TableDefinition table;
  table.add("x", SqlType::integer());
  ASSERT_TRUE(writer.add_table(table).ok());
  ASSERT_TRUE(writer.commit().ok());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other_host));
}

} // namespace
} // namespace hyperpipe::testing

// The statements a pipeline runs: an extract reads another .hyper (the workspace) by unqualified
// names, writes its own tables by sql_name(), and replaces a table it already had.
TEST_F(ExtractWriterTest, ReadsAnAttachedDatabaseByUnqualifiedNames) {
  const auto workspace = m_dir / "workspace.hyper";
  ASSERT_TRUE(write_people(workspace, CreateMode::replace, 1, 5).ok());
  ASSERT_TRUE(engine().query(workspace, "CREATE TABLE public.extra AS (SELECT id * 10 AS id FROM \"Extract\".\"Extract\")").ok());
  const auto target = m_dir / "out.hyper";
  ASSERT_TRUE(write_people(target, CreateMode::replace, 100, 1).ok());

  auto writer = ExtractWriter::open(engine(), target, {CreateMode::open_existing, {}}).value();
  const std::string alias = writer.attach(workspace).value();
  ASSERT_TRUE(writer.resolve_unqualified_in(alias).ok());
  // Unqualified names resolve in the workspace's public schema, not in the extract.
  const auto found = writer.query("SELECT SUM(id) FROM extra").value();
  EXPECT_EQ(found.rows.at(0).at(0).value(), "150");
  EXPECT_FALSE(writer.query("SELECT * FROM \"Extract\".\"Missing\"").ok());

  ASSERT_TRUE(writer.drop_table(people().name).ok());
  EXPECT_EQ(writer.drop_table(people().name).error().kind, ErrorKind::not_found);
  TableDefinition copied;
  copied.add("id", SqlType::big_int());
  ASSERT_TRUE(writer.add_table(copied).ok());
  const auto inserted = writer.execute(fmt::format("INSERT INTO {} SELECT id FROM extra", writer.sql_name(copied.name)));
  EXPECT_EQ(inserted.value(), 5U);
  ASSERT_TRUE(writer.execute(fmt::format("DETACH DATABASE {}", alias)).ok());
  ASSERT_TRUE(writer.commit().ok());
  EXPECT_EQ(count_rows(target), "5");
  // The workspace is untouched by the writer that read it.
  EXPECT_EQ(count_rows(workspace), "5");
}

} // namespace
} // namespace hyperpipe::testing
