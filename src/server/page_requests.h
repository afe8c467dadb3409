// The bodies of the page's own routes, read and checked: POST /api/sql (run
// a user's edit of an answer's SQL) and POST /api/feedback (a rating, or a
// corrected SQL to keep as the question's answer). Pure functions, as
// ask_request.h, so that they can be tested and fuzzed without HTTP.
#pragma once

#include <string>

#include "t2sql/feedback.h"
#include "t2sql/status.h"

namespace t2sql {

// {"question", "sql", "session"?, "svg"?}: both texts required.
struct SqlRunRequest {
  std::string question, sql, session;
  bool svg = false;
};
Result<SqlRunRequest> parse_sql_run_request(const std::string& body);

// {"question", "sql"?, "original_sql"?, "rating"? ("up" | "down"),
//  "accept"? (bool: keep question + sql as the answer), "engine"?, "comment"?}
// -> a checked FeedbackEntry (check_feedback_entry's rules).
Result<FeedbackEntry> parse_feedback_request(const std::string& body);

}  // namespace t2sql
