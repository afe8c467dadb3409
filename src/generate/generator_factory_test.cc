// make_generator(): the modes it knows and the template rules it refuses to
// disable (the factory is in t2sql_generate, above the template engine's own tests).
#include <gtest/gtest.h>

#include "t2sql/catalog.h"
#include "t2sql/generator.h"

namespace t2sql {
namespace {

TEST(GeneratorFactoryTest, Modes) {
  Catalog catalog;
  catalog.engine = "sqlite";
  GeneratorOptions options;
  auto gen = make_generator(options, catalog, nullptr);
  ASSERT_TRUE(gen.ok());
  EXPECT_EQ((*gen)->name(), "template");
  auto out = (*gen)->generate({.question = "how many rows?"});
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->answered);  // an empty catalog has nothing to link

  options.mode = "llm";
  auto llm = make_generator(options, catalog, nullptr);
  EXPECT_FALSE(llm.ok());
  EXPECT_EQ(llm.status().code(), StatusCode::kInvalidArgument);
  options.mode = "bogus";
  EXPECT_EQ(make_generator(options, catalog, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST(TemplateRuleCatalogTest, RequiredAndUnknownRulesAreRefused) {
  GeneratorOptions options;
  options.disabled_rules = {"focus"};
  auto gen = make_generator(options, Catalog{}, nullptr);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.status().message().find("cannot be disabled"), std::string::npos) << gen.status().message();
  options.disabled_rules = {"no_such_rule"};
  gen = make_generator(options, Catalog{}, nullptr);
  ASSERT_FALSE(gen.ok());
  EXPECT_NE(gen.status().message().find("unknown template rule"), std::string::npos) << gen.status().message();
}

}  // namespace
}  // namespace t2sql
