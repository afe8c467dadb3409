#include "eval/eval_mode.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(EvalModeTest, SideBySideWithAndWithoutRetrieval) {
  auto modes = parse_eval_modes("template, llm,llm+rag ,ensemble+rag", false);
  ASSERT_TRUE(modes.ok()) << modes.status().message();
  ASSERT_EQ(modes->size(), 4u);
  EXPECT_EQ((*modes)[0].label, "template");
  EXPECT_FALSE((*modes)[0].rag);
  EXPECT_EQ((*modes)[1].engine, "llm");
  EXPECT_FALSE((*modes)[1].rag);
  EXPECT_EQ((*modes)[2].engine, "llm");
  EXPECT_TRUE((*modes)[2].rag);
  EXPECT_EQ((*modes)[2].label, "llm+rag");
  EXPECT_EQ((*modes)[3].engine, "ensemble");
  EXPECT_TRUE((*modes)[3].rag);
}

TEST(EvalModeTest, RagDefaultTurnsRetrievalOnForGenerationModesOnly) {
  auto modes = parse_eval_modes("template,llm,ensemble,gold", true);
  ASSERT_TRUE(modes.ok());
  EXPECT_FALSE((*modes)[0].rag);
  EXPECT_EQ((*modes)[0].label, "template");
  EXPECT_TRUE((*modes)[1].rag);
  EXPECT_EQ((*modes)[1].label, "llm+rag");
  EXPECT_TRUE((*modes)[2].rag);
  EXPECT_FALSE((*modes)[3].rag);
  EXPECT_EQ((*modes)[3].label, "gold");
}

TEST(EvalModeTest, BothEnsembleOrdersAreModes) {
  auto modes = parse_eval_modes("ensemble,ensemble-llm-first+rag", false);
  ASSERT_TRUE(modes.ok()) << modes.status().message();
  ASSERT_EQ(modes->size(), 2u);
  EXPECT_EQ((*modes)[0].engine, "ensemble");
  EXPECT_EQ((*modes)[1].engine, "ensemble-llm-first");
  EXPECT_TRUE((*modes)[1].rag);
  EXPECT_EQ((*modes)[1].label, "ensemble-llm-first+rag");
}

TEST(EvalModeTest, BadEntriesAreNamed) {
  for (const char* bad : {"", " , ", "sql", "llm+fast", "template+rag", "gold+rag", "llm+"}) {
    auto modes = parse_eval_modes(bad, false);
    EXPECT_FALSE(modes.ok()) << bad;
  }
  auto modes = parse_eval_modes("template,llm+fast", false);
  ASSERT_FALSE(modes.ok());
  EXPECT_NE(modes.status().message().find("llm+fast"), std::string::npos) << modes.status().message();
}

}  // namespace
}  // namespace t2sql
