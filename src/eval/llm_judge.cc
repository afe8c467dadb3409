#include "eval/llm_judge.h"

#include <cctype>

namespace t2sql {

std::string judge_prompt(const std::string& question, const std::string& gold_sql, const std::string& predicted_sql) {
  return "Are these SQL queries functionally the same? Ignore differences in formatting, quotes, or order of "
         "clauses if they are not functionally significant. Answer with 1 if they are the same and 0 if they are "
         "not.\n\nQuestion: " +
         question + "\n\nQuery 1:\n" + gold_sql + "\n\nQuery 2:\n" + predicted_sql + "\n\nAnswer (1 or 0):";
}

Result<bool> parse_judge_answer(const std::string& answer) {
  for (size_t i = 0; i < answer.size(); ++i) {
    char c = answer[i];
    if (c != '0' && c != '1') continue;
    bool alone_before = i == 0 || !std::isalnum(static_cast<unsigned char>(answer[i - 1]));
    bool alone_after = i + 1 == answer.size() || !std::isalnum(static_cast<unsigned char>(answer[i + 1]));
    if (alone_before && alone_after) return c == '1';
  }
  return invalid_argument("the judge answered neither 1 nor 0: '" + answer.substr(0, 80) + "'");
}

SqlJudgeFn make_llm_judge(std::shared_ptr<LlmBackend> backend) {
  return [backend](const EvalCase& c, const std::string& predicted) -> Result<bool> {
    std::string text = judge_prompt(c.question, c.gold_sql, predicted);
    LlmRequest req;
    req.prompt = text;
    req.messages = {{"user", text}};
    // A grammar that allows only the two answers, where the backend honours one.
    req.grammar = "root ::= [01]";
    req.max_tokens = 4;
    req.stop_at_statement_end = false;
    auto out = backend->complete(req);
    if (!out.ok()) return out.status();
    return parse_judge_answer(out->text);
  };
}

}  // namespace t2sql
