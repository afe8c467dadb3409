#include "server/ask_request.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

TEST(AskRequest, ReadsEveryField) {
  auto r = parse_ask_request(
      R"({"query": "total sales", "mode": "Fine-Tuned", "use_rag": true, "session": "a-1", "instructions": "x", "svg": true})",
      "template");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->query, "total sales");
  EXPECT_EQ(r->mode, "llm");
  EXPECT_EQ(r->use_rag, true);
  EXPECT_EQ(r->session, "a-1");
  EXPECT_EQ(r->instructions, "x");
  EXPECT_TRUE(r->svg);
  auto d = parse_ask_request(R"({"query": "q", "mode": null})", "ensemble");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->mode, "ensemble");
}

TEST(AskRequest, RefusesBadBodiesWithAMessage) {
  struct Case {
    const char* body;
    const char* message;
  };
  for (const Case& c :
       {Case{"{not json", "not valid JSON"}, Case{"[1]", "JSON object"}, Case{"{}", "missing field 'query'"},
        Case{R"({"query": 5})", "must be a string"}, Case{R"({"query": "  "})", "is empty"},
        Case{R"({"query": "q", "mode": 1})", "'mode'"}, Case{R"({"query": "q", "mode": "psychic"})", "unknown mode"},
        Case{R"({"query": "q", "use_rag": "yes"})", "'use_rag'"},
        Case{R"({"query": "q", "session": "a b"})", "'session'"},
        Case{R"({"query": "q", "instructions": []})", "'instructions'"},
        Case{R"({"query": "q", "candidates": 0})", "'candidates'"},
        Case{R"({"query": "q", "candidates": 17})", "'candidates'"},
        Case{R"({"query": "q", "candidates": 2.5})", "'candidates'"},
        Case{R"({"query": "q", "candidates": "5"})", "'candidates'"}}) {
    auto r = parse_ask_request(c.body, "template");
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << c.body << ": " << r.status().message();
  }
}

TEST(AskRequest, CandidatesAreAWholeNumberFromOneToTheLimit) {
  auto r = parse_ask_request(R"({"query": "q", "candidates": 5})", "llm");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->candidates, 5);
  auto none = parse_ask_request(R"({"query": "q"})", "llm");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->candidates.has_value());
}

TEST(AskRequest, InvalidUtf8IsRefusedOrKeptNeverThrown) {
  auto bad_json = parse_ask_request("{\"query\": \"sales \xff\"}", "template");
  EXPECT_FALSE(bad_json.ok());  // nlohmann refuses invalid UTF-8 in strings
  auto mode = parse_ask_request("{\"query\": \"q\", \"mode\": \"\\u00ff\xc3\"}", "template");
  EXPECT_FALSE(mode.ok());
}

}  // namespace
}  // namespace t2sql
