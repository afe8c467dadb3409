// The question parser on any bytes: the check gives a verdict with a reason,
// and the tokens lie inside the question, in order.
#include "fuzz_input.h"
#include "generate/question_parser.h"

using namespace t2sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text = fuzz::as_text(data, size);
  QuestionCheck check = check_question(text);
  if (check.verdict != QuestionVerdict::kOk && check.reason.empty()) fuzz::broken("a refusal without a reason");
  size_t last = 0;
  for (const QuestionToken& t : tokenize_question(text)) {
    if (t.begin > t.end || t.end > text.size()) fuzz::broken("a token's offsets lie outside the question");
    if (t.begin < last) fuzz::broken("tokens out of order");
    last = t.begin;
  }
  return 0;
}
