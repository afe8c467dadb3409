// The body of a /generate-sql answer, written as text straight from the
// AskResult: the same JSON document (keys in the same sorted order) that
// building an nlohmann tree from ask_result_to_json's text and dumping it
// gave, without serializing, parsing and serializing the answer again (which
// was a fifth of the CPU of a cheap question). Stage outputs and the chart
// spec, already JSON text, are spliced in after a syntax check.
//
// The body is made of two parts around the session id, so that the answer
// cache can keep one answer and hand it out under new session ids:
//
//   AnswerBody b = write_answer_body(result, {...});
//   std::string text = b.with_session(session_id);
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "t2sql/pipeline.h"

namespace t2sql {

struct AnswerBodyOptions {
  std::string mode;     // canonical mode of the request
  std::string model;    // the generator's name, when the result names no engine
  bool svg = false;     // also "chart_svg" (the request asked for it)
  bool cached = false;  // meta.cached: the answer comes from the answer cache
};

struct AnswerBody {
  std::string before_session;  // "{...,\"session\":"
  std::string after_session;   // ",\"sql\":...}"
  std::string with_session(const std::string& session_id) const;
};

AnswerBody write_answer_body(const AskResult& r, const AnswerBodyOptions& options);

// A string as a JSON string literal (invalid UTF-8 replaced by U+FFFD, as
// json_text does).
void append_json_string(std::string& out, const std::string& s);

}  // namespace t2sql
