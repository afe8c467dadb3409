// QuestionParser: the first look at a question. It refuses what no engine
// should answer (empty text, over-long text, invalid UTF-8, requests to
// change data, languages the rule engine does not read) and splits the rest
// into words, numbers, quoted strings and punctuation, each with its
// normalized form. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace t2sql {

// Longest question the engines accept; longer text is refused, not cut.
inline constexpr size_t kMaxQuestionBytes = 4096;

enum class QuestionVerdict {
  kOk,
  kEmpty,
  kTooLong,
  kInvalidUtf8,
  kWritesData,      // "delete all sales from 2023"
  kOtherLanguage,   // mostly non-Latin script, or no English function words
};

struct QuestionCheck {
  QuestionVerdict verdict = QuestionVerdict::kOk;
  std::string reason;  // one line, empty when kOk
};

// Checks in the order of the verdicts above; the reason names the problem.
QuestionCheck check_question(std::string_view question);

enum class QuestionTokenKind { kWord, kNumber, kQuoted, kPunct };

struct QuestionToken {
  QuestionTokenKind kind = QuestionTokenKind::kWord;
  std::string text;   // as written (without quotes for kQuoted)
  std::string lower;  // lowercase
  std::string norm;   // lowercase singular (words); same as lower otherwise
  double number = 0;  // kNumber (also spelled-out "five", "twenty")
  bool capitalized = false;  // written with a capital first letter, not first word
  size_t begin = 0, end = 0;  // byte offsets in the question
};

// Words, numbers ("1,000", "3.5", "five"), quoted strings ('Hey', "New
// York") and punctuation. "2023-05-01" stays one kNumber token with text kept.
std::vector<QuestionToken> tokenize_question(std::string_view question);

}  // namespace t2sql
