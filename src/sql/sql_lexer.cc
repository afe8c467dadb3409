#include "sql/sql_lexer.h"

#include <cctype>

namespace t2sql {

namespace {

bool is_word_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool is_word_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

}  // namespace

bool SqlToken::is_word(std::string_view upper_word) const {
  if (kind != SqlTokenKind::kWord || text.size() != upper_word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != upper_word[i]) return false;
  }
  return true;
}

SqlLexResult lex_sql(std::string_view sql) {
  SqlLexResult out;
  size_t i = 0, n = sql.size();
  auto emit = [&](SqlTokenKind kind, size_t start, size_t end) {
    out.tokens.push_back({kind, std::string(sql.substr(start, end - start)), start});
  };
  while (i < n) {
    unsigned char c = sql[i];
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) {
        out.error = "unterminated comment at offset " + std::to_string(i);
        return out;
      }
      i = end + 2;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : static_cast<char>(c);
      size_t start = i++;
      bool closed = false;
      while (i < n) {
        if (sql[i] == close) {
          // A doubled quote is an escaped quote inside the literal.
          if (close != ']' && i + 1 < n && sql[i + 1] == close) {
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        ++i;
      }
      if (!closed) {
        out.error = std::string("unterminated ") + (c == '\'' ? "string" : "quoted name") + " at offset " +
                    std::to_string(start);
        return out;
      }
      emit(c == '\'' ? SqlTokenKind::kString : SqlTokenKind::kQuotedName, start, i);
      continue;
    }
    if (std::isdigit(c) || (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      size_t start = i;
      while (i < n && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.')) {
        // exponent sign: 1e-5
        if ((sql[i] == 'e' || sql[i] == 'E') && i + 1 < n && (sql[i + 1] == '-' || sql[i + 1] == '+')) ++i;
        ++i;
      }
      emit(SqlTokenKind::kNumber, start, i);
      continue;
    }
    if (is_word_start(c)) {
      size_t start = i;
      while (i < n && is_word_char(static_cast<unsigned char>(sql[i]))) ++i;
      emit(SqlTokenKind::kWord, start, i);
      continue;
    }
    if (c == '?' || ((c == '$' || c == ':' || c == '@') && i + 1 < n &&
                     is_word_char(static_cast<unsigned char>(sql[i + 1])) && !(c == ':' && sql[i + 1] == ':'))) {
      size_t start = i++;
      while (i < n && is_word_char(static_cast<unsigned char>(sql[i]))) ++i;
      emit(SqlTokenKind::kParam, start, i);
      continue;
    }
    // Two-character operators.
    static const char* kOps[] = {"<=", ">=", "<>", "!=", "==", "||", "::", "->"};
    bool two = false;
    if (i + 1 < n) {
      for (const char* op : kOps) {
        if (sql[i] == op[0] && sql[i + 1] == op[1]) {
          two = true;
          break;
        }
      }
    }
    emit(SqlTokenKind::kPunct, i, i + (two ? 2 : 1));
    i += two ? 2 : 1;
  }
  return out;
}

}  // namespace t2sql
