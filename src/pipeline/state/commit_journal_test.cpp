// The commit journal under a real crash at every step: a forked child commits and dies with
// SIGKILL right after step N; the parent then recovers, and every target must hold the old
// content (a crash before the journal) or the new one (after it) — all of them the same.
#include "pipeline/state/commit_journal.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace hyperpipe::pipeline {
namespace {
namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return in ? text.str() : "<missing>";
}

// Three targets: two that exist (old content), one that is new; each gets a staged file.
struct Scene {
  explicit Scene(const fs::path& root) {
    for (int i = 0; i < 3; ++i) {
      const fs::path target = root / fmt_name("out", i);
      if (i < 2) {
        write(target, "old " + std::to_string(i));
      }
      const fs::path staged = root / fmt_name("staged", i);
      write(staged, "new " + std::to_string(i));
      request.files.push_back({staged, target});
    }
    request.journal = root / "p.commit.json";
    request.tag = "p";
  }
  static std::string fmt_name(const char* stem, int i) { return std::string(stem) + std::to_string(i); }

  std::vector<std::string> contents() const {
    std::vector<std::string> out;
    for (const auto& file : request.files) {
      out.push_back(read(file.target));
    }
    return out;
  }
  CommitRequest request;
};

const std::vector<std::string> k_old{"old 0", "old 1", "<missing>"};
const std::vector<std::string> k_new{"new 0", "new 1", "new 2"};

// No file but the targets (and nothing else) remains once a commit is over or recovered.
void expect_only_targets(const fs::path& root, bool new_exists) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  const std::vector<std::string> expected =
      new_exists ? std::vector<std::string>{"out0", "out1", "out2"} : std::vector<std::string>{"out0", "out1"};
  EXPECT_EQ(names, expected);
}

TEST(CommitJournal, CommitsEveryFileAndLeavesNothingBehind) {
  testing::TempDir root;
  Scene scene(root.path());
  std::vector<std::string> steps;
  scene.request.after_step = [&](std::string_view step) { steps.emplace_back(step); };
  ASSERT_TRUE(commit_files(scene.request).ok());
  EXPECT_EQ(scene.contents(), k_new);
  expect_only_targets(root.path(), true);
  EXPECT_EQ(steps, (std::vector<std::string>{"kept 1", "kept 2", "kept 3", "journal", "renamed 1", "renamed 2",
                                             "renamed 3", "done"}));
  const auto recovery = recover_commit(scene.request.journal);
  ASSERT_TRUE(recovery.ok());
  EXPECT_FALSE(recovery->found);
}

TEST(CommitJournal, AKillAtAnyStepIsRecoveredAllOldOrAllNew) {
  const std::vector<std::string> steps{"kept 1", "kept 2", "kept 3", "journal", "renamed 1", "renamed 2", "renamed 3", "done"};
  for (std::size_t k = 0; k < steps.size(); ++k) {
    SCOPED_TRACE("killed after " + steps[k]);
    testing::TempDir root;
    Scene scene(root.path());
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      scene.request.after_step = [&](std::string_view step) {
        if (step == steps[k]) {
          ::raise(SIGKILL);
        }
      };
      (void)commit_files(scene.request);
      ::_exit(3); // not reached: the step always comes
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    const auto recovery = recover_commit(scene.request.journal);
    ASSERT_TRUE(recovery.ok()) << recovery.error().describe();
    const bool after_commit_point = k >= 3;
    EXPECT_EQ(scene.contents(), after_commit_point ? k_new : k_old);
    // Before the commit point the caller removes its staged files and kept links (the runner does,
    // by name); after it, recovery leaves only the targets.
    if (after_commit_point) {
      expect_only_targets(root.path(), true);
      EXPECT_EQ(recovery->found, k < 7);
    } else {
      EXPECT_FALSE(recovery->found);
    }
  }
}

TEST(CommitJournal, AFailedRenameRestoresEveryTarget) {
  testing::TempDir root;
  Scene scene(root.path());
  // The second staged file vanishes after the journal: its rename fails, the first is undone.
  scene.request.after_step = [&](std::string_view step) {
    if (step == "journal") {
      fs::remove(scene.request.files[1].staged);
    }
  };
  const auto status = commit_files(scene.request);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("cannot move the new"), std::string::npos) << status.error().message;
  EXPECT_EQ(scene.contents(), k_old);
  expect_only_targets(root.path(), false);
}

TEST(CommitJournal, AnUndoInterruptedByACrashIsFinishedBackwards) {
  testing::TempDir root;
  Scene scene(root.path());
  // A journal turned around after the first rename, as commit_files writes it before undoing.
  fs::create_hard_link(scene.request.files[0].target, root / "out0.p.previous");
  fs::create_hard_link(scene.request.files[1].target, root / "out1.p.previous");
  fs::rename(scene.request.files[0].staged, scene.request.files[0].target);
  write(scene.request.journal, R"({"format": "hyperpipe-commit/1", "direction": "back", "files": [
    {"staged": ")" + scene.request.files[0].staged.string() + R"(", "target": ")" + scene.request.files[0].target.string() +
                                     R"(", "previous": ")" + (root / "out0.p.previous").string() + R"("},
    {"staged": ")" + scene.request.files[1].staged.string() + R"(", "target": ")" + scene.request.files[1].target.string() +
                                     R"(", "previous": ")" + (root / "out1.p.previous").string() + R"("},
    {"staged": ")" + scene.request.files[2].staged.string() + R"(", "target": ")" + scene.request.files[2].target.string() +
                                     R"(", "previous": ""}]})");
  const auto recovery = recover_commit(scene.request.journal);
  ASSERT_TRUE(recovery.ok()) << recovery.error().describe();
  EXPECT_TRUE(recovery->found);
  EXPECT_FALSE(recovery->completed);
  EXPECT_EQ(scene.contents(), k_old);
  expect_only_targets(root.path(), false);
}

TEST(CommitJournal, AnUnreadableJournalIsAnErrorAndStays) {
  testing::TempDir root;
  write(root / "p.commit.json", "{not json");
  const auto recovery = recover_commit(root / "p.commit.json");
  ASSERT_FALSE(recovery.ok());
  EXPECT_NE(recovery.error().message.find("not a hyperpipe commit journal"), std::string::npos);
  EXPECT_TRUE(fs::exists(root / "p.commit.json"));
}

} // namespace
} // namespace hyperpipe::pipeline
