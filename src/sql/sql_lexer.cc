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
// A $tag$ delimiter's tag: an identifier without '$'.
bool is_tag_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// PostgreSQL's U& escapes: e.g. \0061 (four hex digits), \+000061 (six), and
// the escape character doubled for itself. False on a malformed escape, a
// zero or a surrogate code point.
bool decode_unicode_escapes(const std::string& in, char escape, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != escape) {
      out += in[i];
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == escape) {
      out += escape;
      ++i;
      continue;
    }
    size_t digits = 4, from = i + 1;
    if (from < in.size() && in[from] == '+') {
      digits = 6;
      ++from;
    }
    if (from + digits > in.size()) return false;
    unsigned cp = 0;
    for (size_t k = 0; k < digits; ++k) {
      int h = hex_value(in[from + k]);
      if (h < 0) return false;
      cp = cp * 16 + static_cast<unsigned>(h);
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    append_utf8(out, cp);
    i = from + digits - 1;
  }
  return true;
}

// Removes the outer quotes and undoubles the closing quote inside.
std::string unquote(std::string_view quoted, char close, bool doubled) {
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    out += quoted[i];
    if (doubled && quoted[i] == close && i + 2 < quoted.size() && quoted[i + 1] == close) ++i;
  }
  return out;
}

// A ClickHouse quoted name without its quotes: a backslash takes the next
// character as it is (\n, \t and the like as the control characters), and a
// doubled quote stands for one.
std::string unescape_backslashes(std::string_view quoted, char close) {
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\' && i + 2 < quoted.size()) {
      char next = quoted[++i];
      switch (next) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        default: out += next;
      }
      continue;
    }
    out += c;
    if (c == close && i + 2 < quoted.size() && quoted[i + 1] == close) ++i;
  }
  return out;
}

class Lexer {
 public:
  Lexer(std::string_view sql, Dialect::Engine engine)
      : sql_(sql),
        n_(sql.size()),
        pg_(engine == Dialect::Engine::kDuckDb || engine == Dialect::Engine::kPostgres),
        ch_(engine == Dialect::Engine::kClickHouse) {}

  SqlLexResult run() {
    while (i_ < n_ && out_.error.empty()) step();
    if (pg_ && out_.error.empty()) merge_uescape();
    return std::move(out_);
  }

 private:
  void emit(SqlTokenKind kind, size_t start, size_t end, std::string value = {}) {
    out_.tokens.push_back({kind, std::string(sql_.substr(start, end - start)), start, std::move(value), true});
  }
  void fail(const std::string& what, size_t at) { out_.error = what + " at offset " + std::to_string(at); }
  char at(size_t k) const { return k < n_ ? sql_[k] : '\0'; }

  // From the opening quote at i_: the end (one past the closing quote), or npos.
  size_t quoted_end(char close, bool doubled, bool backslash) const {
    size_t k = i_ + 1;
    while (k < n_) {
      char c = sql_[k];
      if (backslash && c == '\\') {
        k += 2;
        continue;
      }
      if (c == close) {
        if (doubled && k + 1 < n_ && sql_[k + 1] == close) {
          k += 2;
          continue;
        }
        return k + 1;
      }
      ++k;
    }
    return std::string_view::npos;
  }

  // A string or quoted name whose opening quote is at i_; `start` includes a prefix (E, U&, X, ...).
  void quoted(size_t start, SqlTokenKind kind, char close, bool doubled, bool backslash) {
    size_t end = quoted_end(close, doubled, backslash);
    if (end == std::string_view::npos) {
      fail(kind == SqlTokenKind::kString ? "unterminated string" : "unterminated quoted name", start);
      return;
    }
    std::string_view body = sql_.substr(i_, end - i_);
    std::string value = kind == SqlTokenKind::kString ? std::string(body.substr(1, body.size() - 2))
                        : backslash                   ? unescape_backslashes(body, close)
                                                      : unquote(body, close, doubled);
    emit(kind, start, end, std::move(value));
    bool unicode = end - start > body.size() && (sql_[start] == 'u' || sql_[start] == 'U');
    if (unicode && kind == SqlTokenKind::kQuotedName) {
      SqlToken& t = out_.tokens.back();
      std::string decoded;
      t.value_ok = decode_unicode_escapes(t.value, '\\', decoded);
      t.value = decoded;
    }
    i_ = end;
  }

  bool skip_comment() {
    char c = sql_[i_];
    if (c == '-' && at(i_ + 1) == '-') {
      while (i_ < n_ && sql_[i_] != '\n') ++i_;
      return true;
    }
    if (c != '/' || at(i_ + 1) != '*') return false;
    size_t start = i_;
    int depth = 0;
    while (i_ < n_) {
      if (sql_[i_] == '/' && at(i_ + 1) == '*') {
        ++depth;
        i_ += 2;
        // SQLite's comments do not nest: the first */ ends it.
        if (!pg_ && depth > 1) depth = 1;
      } else if (sql_[i_] == '*' && at(i_ + 1) == '/') {
        i_ += 2;
        if (--depth == 0) return true;
      } else {
        ++i_;
      }
    }
    fail("unterminated comment", start);
    return true;
  }

  // $tag$ ... $tag$ (PostgreSQL, DuckDB); false when i_ does not open one.
  bool dollar_quoted() {
    size_t k = i_ + 1;
    if (k < n_ && std::isdigit(static_cast<unsigned char>(sql_[k]))) return false;
    while (k < n_ && is_tag_char(static_cast<unsigned char>(sql_[k]))) ++k;
    if (k >= n_ || sql_[k] != '$') return false;
    std::string_view delimiter = sql_.substr(i_, k + 1 - i_);
    size_t close = sql_.find(delimiter, k + 1);
    if (close == std::string_view::npos) {
      fail("unterminated $-quoted string", i_);
      return true;
    }
    size_t end = close + delimiter.size();
    emit(SqlTokenKind::kString, i_, end, std::string(sql_.substr(k + 1, close - k - 1)));
    i_ = end;
    return true;
  }

  void number() {
    size_t start = i_;
    if (!pg_) {
      // SQLite reads a number glued to letters as one (hex or illegal) token.
      while (i_ < n_ && (std::isalnum(static_cast<unsigned char>(sql_[i_])) || sql_[i_] == '.')) {
        if ((sql_[i_] == 'e' || sql_[i_] == 'E') && (at(i_ + 1) == '-' || at(i_ + 1) == '+')) ++i_;
        ++i_;
      }
      emit(SqlTokenKind::kNumber, start, i_);
      return;
    }
    // PostgreSQL: 12abc is the number 12 followed by the word abc.
    auto digits = [&] {
      while (i_ < n_ && std::isdigit(static_cast<unsigned char>(sql_[i_]))) ++i_;
    };
    digits();
    if (at(i_) == '.' && at(i_ + 1) != '.') {
      ++i_;
      digits();
    }
    if ((at(i_) == 'e' || at(i_) == 'E') &&
        (std::isdigit(static_cast<unsigned char>(at(i_ + 1))) ||
         ((at(i_ + 1) == '+' || at(i_ + 1) == '-') && std::isdigit(static_cast<unsigned char>(at(i_ + 2)))))) {
      i_ += 2;
      digits();
    }
    emit(SqlTokenKind::kNumber, start, i_);
  }

  void step() {
    unsigned char c = sql_[i_];
    if (std::isspace(c)) {
      ++i_;
      return;
    }
    if (skip_comment()) return;
    if (pg_ && (c == 'e' || c == 'E') && at(i_ + 1) == '\'') {
      size_t start = i_++;
      quoted(start, SqlTokenKind::kString, '\'', true, true);
      return;
    }
    if (pg_ && (c == 'u' || c == 'U') && at(i_ + 1) == '&' && (at(i_ + 2) == '\'' || at(i_ + 2) == '"')) {
      size_t start = i_;
      i_ += 2;
      bool name = sql_[i_] == '"';
      quoted(start, name ? SqlTokenKind::kQuotedName : SqlTokenKind::kString, sql_[i_], true, false);
      return;
    }
    if (!ch_ && (c == 'x' || c == 'X' || (pg_ && (c == 'b' || c == 'B' || c == 'n' || c == 'N'))) &&
        at(i_ + 1) == '\'') {
      size_t start = i_++;
      quoted(start, SqlTokenKind::kString, '\'', true, false);
      return;
    }
    // ClickHouse reads backslash escapes in strings and in quoted names alike.
    if (c == '\'') {
      quoted(i_, SqlTokenKind::kString, '\'', true, ch_);
      return;
    }
    if (c == '"' || (!pg_ && c == '`')) {
      quoted(i_, SqlTokenKind::kQuotedName, static_cast<char>(c), true, ch_);
      return;
    }
    // [ opens an array in ClickHouse, a quoted name in SQLite.
    if (!pg_ && !ch_ && c == '[') {
      quoted(i_, SqlTokenKind::kQuotedName, ']', false, false);
      return;
    }
    if (pg_ && c == '$' && dollar_quoted()) return;
    if (std::isdigit(c) || (c == '.' && std::isdigit(static_cast<unsigned char>(at(i_ + 1))))) {
      number();
      return;
    }
    if (is_word_start(c)) {
      size_t start = i_;
      while (i_ < n_ && is_word_char(static_cast<unsigned char>(sql_[i_]))) ++i_;
      emit(SqlTokenKind::kWord, start, i_);
      return;
    }
    bool param_start = pg_ ? c == '$' : ch_ ? c == '?' : (c == '?' || c == '$' || c == ':' || c == '@');
    if (param_start && (c == '?' || (is_word_char(static_cast<unsigned char>(at(i_ + 1))) && at(i_ + 1) != ':'))) {
      size_t start = i_++;
      while (i_ < n_ && is_word_char(static_cast<unsigned char>(sql_[i_]))) ++i_;
      emit(SqlTokenKind::kParam, start, i_);
      return;
    }
    static const char* kOps[] = {"<=", ">=", "<>", "!=", "==", "||", "::", "->"};
    bool two = false;
    for (const char* op : kOps) two = two || (sql_[i_] == op[0] && at(i_ + 1) == op[1]);
    emit(SqlTokenKind::kPunct, i_, i_ + (two ? 2 : 1));
    i_ += two ? 2 : 1;
  }

  // U&"..." UESCAPE '!' is one name: fold the clause into the token and
  // decode with its escape character.
  void merge_uescape() {
    auto& t = out_.tokens;
    for (size_t k = 0; k + 2 < t.size(); ++k) {
      bool unicode = (t[k].kind == SqlTokenKind::kQuotedName || t[k].kind == SqlTokenKind::kString) &&
                     t[k].text.size() > 2 && (t[k].text[0] == 'u' || t[k].text[0] == 'U') && t[k].text[1] == '&';
      if (!unicode || !t[k + 1].is_word("UESCAPE") || t[k + 2].kind != SqlTokenKind::kString) continue;
      const std::string& esc = t[k + 2].value;
      if (t[k].kind == SqlTokenKind::kQuotedName) {
        std::string raw = unquote(std::string_view(t[k].text).substr(2), '"', true);
        t[k].value_ok = esc.size() == 1 && decode_unicode_escapes(raw, esc[0], t[k].value);
      }
      t[k].text = std::string(sql_.substr(t[k].offset, t[k + 2].offset + t[k + 2].text.size() - t[k].offset));
      t.erase(t.begin() + static_cast<std::ptrdiff_t>(k) + 1, t.begin() + static_cast<std::ptrdiff_t>(k) + 3);
    }
  }

  std::string_view sql_;
  size_t n_;
  bool pg_;  // PostgreSQL's rules (also DuckDB's)
  bool ch_;  // ClickHouse's: SQLite's comments, backslash escapes in quotes, [ for arrays
  size_t i_ = 0;
  SqlLexResult out_;
};

}  // namespace

bool SqlToken::is_word(std::string_view upper_word) const {
  if (kind != SqlTokenKind::kWord || text.size() != upper_word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != upper_word[i]) return false;
  }
  return true;
}

SqlLexResult lex_sql(std::string_view sql, Dialect::Engine engine) {
  return Lexer(sql, engine).run();
}

}  // namespace t2sql
