#pragma once
// One hyperd for a whole test suite (starting it per test would dominate the run time). A test
// binary that cannot find hyperd fails every test loudly: it never skips.

#include <gtest/gtest.h>

#include <memory>

#include "hyperpipe/engine.hpp"
#include "support/temp_dir.hpp"

namespace hyperpipe::testing {

class EngineTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    auto engine = HyperEngine::start();
    if (!engine) {
      s_start_error = engine.error().describe();
      return;
    }
    s_engine = std::make_unique<HyperEngine>(std::move(engine).value());
  }
  static void TearDownTestSuite() { s_engine.reset(); }
  void SetUp() override { ASSERT_TRUE(s_engine) << "hyperd is required for integration tests: " << s_start_error; }
  HyperEngine& engine() { return *s_engine; }

  TempDir m_dir;

private:
  static inline std::unique_ptr<HyperEngine> s_engine;
  static inline std::string s_start_error;
};

} // namespace hyperpipe::testing
