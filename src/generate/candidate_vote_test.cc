#include "generate/candidate_vote.h"

#include <gtest/gtest.h>

namespace t2sql {
namespace {

ResultSet rows_of(std::vector<std::vector<Value>> rows, size_t columns = 1) {
  ResultSet r;
  for (size_t i = 0; i < columns; ++i) r.columns.push_back("c" + std::to_string(i));
  r.rows = std::move(rows);
  return r;
}

VoteCandidate cand(const std::string& sql, double logprob, const std::string& error = "") {
  VoteCandidate c;
  c.sql = sql;
  c.mean_logprob = logprob;
  c.error = error;
  return c;
}

TEST(ResultSetKey, EqualResultsShareAKeyWhateverTheRowOrderAndNumberSpelling) {
  ResultSet a = rows_of({{Value::integer(1)}, {Value::integer(2)}});
  ResultSet b = rows_of({{Value::real(2.0)}, {Value::integer(1)}});
  EXPECT_EQ(result_set_key(a), result_set_key(b));
  // A different value, a NULL against an empty string, another column count: different.
  EXPECT_NE(result_set_key(a), result_set_key(rows_of({{Value::integer(1)}, {Value::integer(3)}})));
  EXPECT_NE(result_set_key(rows_of({{Value::null()}})), result_set_key(rows_of({{Value::text("")}})));
  EXPECT_NE(result_set_key(rows_of({})), result_set_key(rows_of({}, 2)));
  // The text "1" is not the number 1.
  EXPECT_NE(result_set_key(rows_of({{Value::text("1")}})), result_set_key(rows_of({{Value::integer(1)}})));
}

TEST(VoteOnResults, TheLargestGroupWinsAndItsLikeliestStatementIsChosen) {
  std::vector<VoteCandidate> c = {cand("greedy", -0.1), cand("a1", -0.9), cand("a2", -0.5),
                                  cand("bad", -0.01, "no such column")};
  std::vector<std::string> keys = {"X", "Y", "Y", ""};
  int chosen = vote_on_results(keys, &c);
  EXPECT_EQ(chosen, 2);  // group Y (two votes), its likelier statement
  EXPECT_TRUE(c[2].chosen);
  EXPECT_FALSE(c[1].chosen);
  EXPECT_EQ(c[0].group, 0);
  EXPECT_EQ(c[1].group, 1);
  EXPECT_EQ(c[2].group, 1);
  EXPECT_EQ(c[3].group, -1);  // an error takes no part
  EXPECT_EQ(c[0].votes, 1);
  EXPECT_EQ(c[1].votes, 2);
  EXPECT_EQ(c[3].votes, 0);
}

TEST(VoteOnResults, ATieGoesToTheGroupWithTheHigherMeanLogProbability) {
  std::vector<VoteCandidate> c = {cand("a", -2.0), cand("b", -0.2), cand("a2", -0.4), cand("b2", -1.0)};
  // Group A: mean -1.2; group B: mean -0.6.
  EXPECT_EQ(vote_on_results({"A", "B", "A", "B"}, &c), 1);
  c = {cand("a", -0.1), cand("b", -0.2), cand("a2", -0.4), cand("b2", -1.0)};
  // Group A: mean -0.25; group B: mean -0.6.
  EXPECT_EQ(vote_on_results({"A", "B", "A", "B"}, &c), 0);
}

TEST(VoteOnResults, NoCandidateWithoutAnErrorIsNoVote) {
  std::vector<VoteCandidate> c = {cand("x", -1, "did not end"), cand("y", -1, "failed to run")};
  EXPECT_EQ(vote_on_results({"", ""}, &c), -1);
  for (const auto& x : c) EXPECT_FALSE(x.chosen);
  std::vector<VoteCandidate> none;
  EXPECT_EQ(vote_on_results({}, &none), -1);
}

}  // namespace
}  // namespace t2sql
