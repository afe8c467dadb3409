// LlmJudge: the design documents' LLM-as-judge metric. Any LlmBackend is asked
// "Are these SQL queries functionally the same? ..." about a gold and a
// predicted query and must answer 1 or 0.
//
//   auto judge = make_llm_judge(backend);          // a SqlJudgeFn for EvalOptions::judge
//   auto same = judge(eval_case, predicted_sql);    // Result<bool>
//
// Holds a shared_ptr to the backend; as thread-safe as the backend.
// kInvalidArgument when the answer holds neither 1 nor 0; backend errors pass through.
#pragma once

#include <memory>
#include <string>

#include "eval/eval_runner.h"
#include "t2sql/llm_backend.h"

namespace t2sql {

// The judge's question about two queries (the design documents' wording).
std::string judge_prompt(const std::string& question, const std::string& gold_sql, const std::string& predicted_sql);

// 1 -> true, 0 -> false: the first 0 or 1 that stands alone in the answer.
Result<bool> parse_judge_answer(const std::string& answer);

SqlJudgeFn make_llm_judge(std::shared_ptr<LlmBackend> backend);

}  // namespace t2sql
