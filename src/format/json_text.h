// JSON as text, for every writer of JSON output (answers, HTTP bodies, files):
// invalid UTF-8 (a question, a database value or a URL path with stray bytes)
// becomes U+FFFD instead of nlohmann's type_error 316, which would otherwise
// abort the program from wherever the text is written.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace t2sql {

inline std::string json_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace t2sql
