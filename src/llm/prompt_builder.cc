#include <llama.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "llm/prompt_schema.h"
#include "sql/sql_quote.h"
#include "t2sql/prompt.h"

namespace t2sql {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// The SQL as an answer writes it: trimmed, one final ";".
std::string answer_sql(const std::string& sql) {
  std::string s = trim(sql);
  while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back())))) s.pop_back();
  return s + ";";
}

std::string dialect_title(const std::string& dialect) {
  if (dialect == "duckdb") return "DuckDB";
  if (dialect == "postgresql" || dialect == "postgres") return "PostgreSQL";
  if (dialect == "clickhouse") return "ClickHouse";
  if (dialect == "sqlite" || dialect.empty()) return "SQLite";
  return dialect;
}

// What the prompt says besides the question: its domain instructions and the
// database values it mentions. After the schema, so the cached prefix holds.
std::string hints(const PromptInput& in) {
  std::string out;
  if (std::string text = trim(in.instructions); !text.empty()) out += "Instructions: " + text + "\n";
  if (in.linked_values.empty()) return out;
  out += "Values in the database that the question mentions:\n";
  for (const auto& v : in.linked_values) {
    out += "- " + v.table + "." + v.column + " = " + sql_quoted_literal(v.value) + "\n";
  }
  return out;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool word_at(const std::string& s, size_t i, const char* word) {
  size_t n = std::strlen(word);
  if (i + n > s.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    if (std::toupper(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
  }
  if (i > 0 && is_word_char(s[i - 1])) return false;
  return i + n == s.size() || !is_word_char(s[i + n]);
}

// Words that may begin a line inside one SELECT statement: after a blank line
// they mean the statement goes on, anything else is prose.
bool continues_statement(const std::string& s, size_t i) {
  static const char* kWords[] = {
      "SELECT", "FROM",  "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET",    "JOIN",   "LEFT",  "RIGHT", "INNER",
      "OUTER",  "CROSS", "FULL",  "ON",    "AND",   "OR",     "UNION", "INTERSECT", "EXCEPT", "WITH",  "CASE",  "WHEN",
      "THEN",   "ELSE",  "END",   "AS",    "NOT",   "IN",     "IS",    "BETWEEN",   "LIKE",   "USING", "WINDOW"};
  if (i >= s.size()) return false;
  char c = s[i];
  if (c == '(' || c == ')' || c == ',' || c == ';' || c == '\'' || c == '"') return true;
  for (const char* w : kWords) {
    if (word_at(s, i, w)) return true;
  }
  return false;
}

SchemaTextOptions schema_options(const PromptOptions& o) {
  bool rich = o.style == PromptStyle::kOmniSql || o.style == PromptStyle::kXiyan;
  return {.sample_values = std::max(0, o.sample_values.value_or(rich ? 3 : 0)),
          .descriptions = o.descriptions.value_or(rich || o.style == PromptStyle::kSqlCoder)};
}

// The schema as the style writes it: from the catalog when there is one (and
// the style has something to add to plain CREATE TABLEs), else the DDL given.
std::string schema_text(const PromptInput& in, const PromptOptions& o) {
  SchemaTextOptions so = schema_options(o);
  bool plain = o.style == PromptStyle::kT2sql && so.sample_values == 0 && !so.descriptions;
  if (in.catalog && !(plain && !trim(in.schema_ddl).empty())) {
    if (auto tables = prompt_tables(*in.catalog, in.schema_ddl)) {
      if (o.style == PromptStyle::kXiyan) return trim(m_schema(*tables, in.database_name, so));
      std::string ddl = trim(commented_ddl(*tables, so));
      if (o.style == PromptStyle::kSqlCoder) {
        if (std::string joins = join_lines(*tables); !joins.empty()) ddl += "\n\n" + trim(joins);
      }
      return ddl;
    }
  }
  return trim(in.schema_ddl);
}

// What a published style shows as its evidence besides the schema: the domain
// instructions, the database values the question mentions, and on a repair
// try the SQL that failed with the database's error. One item per line.
std::vector<std::string> evidence_lines(const PromptInput& in) {
  std::vector<std::string> out;
  std::string text = trim(in.instructions);
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (std::string line = trim(text.substr(start, nl - start)); !line.empty()) out.push_back(line);
    start = nl + 1;
  }
  if (!in.linked_values.empty()) {
    std::string line = "Values in the database that the question mentions:";
    for (size_t i = 0; i < in.linked_values.size(); ++i) {
      const auto& v = in.linked_values[i];
      line += (i ? ", " : " ") + v.table + "." + v.column + " = " + sql_quoted_literal(v.value);
    }
    out.push_back(line);
  }
  if (!in.failed_sql.empty() || !in.failed_error.empty()) {
    std::string sql = answer_sql(in.failed_sql);
    for (char& c : sql) c = c == '\n' ? ' ' : c;
    std::string error = trim(in.failed_error);
    for (char& c : error) c = c == '\n' ? ' ' : c;
    out.push_back("An earlier answer failed on the database: " + sql + " Error: " + error +
                  ". Write a corrected statement.");
  }
  return out;
}

std::string joined(const std::vector<std::string>& lines, const std::string& before, const std::string& after) {
  std::string out;
  for (const auto& l : lines) out += before + l + after;
  return out;
}

// A comment of DAIL's code representation must not close early.
std::string block_comment(std::string text) {
  for (size_t at = text.find("*/"); at != std::string::npos; at = text.find("*/", at)) text.replace(at, 2, "* /");
  return "/* " + text + " */";
}

// The examples and earlier turns a published style shows, in that order.
std::vector<SqlExample> shown_examples(const PromptInput& in) {
  std::vector<SqlExample> out = in.examples;
  for (const auto& [q, sql] : in.history) out.push_back({q, sql});
  return out;
}

std::string omnisql_text(const PromptInput& in, const std::string& schema) {
  std::string t =
      "Task Overview:\nYou are an expert in data science. Below are the schema of a database and a question in "
      "natural language; read the schema and write one valid SQL query that answers the question.\n\n";
  t += "Database Engine:\n" + dialect_title(in.dialect) + "\n\n";
  t += "Database Schema:\n" + schema + "\n";
  t += "The schema gives the database's tables and columns with their primary keys, foreign keys, relationships and "
       "constraints.\n\n";
  auto examples = shown_examples(in);
  if (!examples.empty()) {
    t += "Examples:\n";
    for (const auto& ex : examples) t += "Question: " + trim(ex.question) + "\nSQL: " + answer_sql(ex.sql) + "\n";
    t += "\n";
  }
  t += "Question:\n" + trim(in.question) + "\n" + joined(evidence_lines(in), "", "\n") + "\n";
  t += "Instructions:\n"
       "- Return just what the question asks for: when it names particular columns, select those and no others.\n"
       "- Leave out nothing the question asks for, and add nothing it does not.\n"
       "- Work out the steps of the query before you write the final SQL.\n\n";
  t += "Output Format:\nPut the SQL query in a code block:\n```sql\n-- the SQL query\n```\n\n";
  t += "Go step by step and find the right SQL query.";
  return t;
}

std::string xiyan_text(const PromptInput& in, const std::string& schema) {
  const std::string d = dialect_title(in.dialect);
  std::string t = "You are a " + d + " expert. Read the 【数据库schema】 below and the 【参考信息】 that may help, ";
  t += "then write the " + d + " SQL statement that answers the 【用户问题】.\n";
  t += "【用户问题】\n" + trim(in.question) + "\n\n";
  t += "【数据库schema】\n" + schema + "\n\n";
  std::string evidence = joined(evidence_lines(in), "", "\n");
  for (const auto& ex : shown_examples(in))
    evidence += "Example: " + trim(ex.question) + " -> " + answer_sql(ex.sql) + "\n";
  t += "【参考信息】\n" + evidence + "\n";
  t += "【用户问题】\n" + trim(in.question) + "\n\n```sql";
  return t;
}

std::string dail_text(const PromptInput& in, const std::string& schema) {
  std::string t;
  auto examples = shown_examples(in);
  if (!examples.empty()) {
    t += "/* Examples of similar questions with their SQL: */\n";
    for (const auto& ex : examples)
      t += block_comment("Answer this question: " + trim(ex.question)) + "\n" + answer_sql(ex.sql) + "\n\n";
  }
  t += "/* The database has this schema: */\n" + schema + "\n";
  for (const auto& line : evidence_lines(in)) t += block_comment(line) + "\n";
  t += block_comment("Answer this question: " + trim(in.question)) + "\n";
  return t;
}

std::string sqlcoder_text(const PromptInput& in, const std::string& schema) {
  const std::string q = "[QUESTION]" + trim(in.question) + "[/QUESTION]";
  std::string t = "### Task\nWrite a SQL query that answers " + q + "\n\n";
  if (auto lines = evidence_lines(in); !lines.empty()) t += "### Instructions\n" + joined(lines, "- ", "\n") + "\n";
  t += "### Database Schema\nThe query runs on a database with this schema:\n" + schema + "\n\n";
  auto examples = shown_examples(in);
  if (!examples.empty()) {
    t += "### Examples\n";
    for (const auto& ex : examples)
      t += "[QUESTION]" + trim(ex.question) + "[/QUESTION]\n[SQL]\n" + answer_sql(ex.sql) + "\n";
    t += "\n";
  }
  t += "### Answer\nWith the schema above, this SQL query answers " + q + "\n[SQL]\n";
  return t;
}

}  // namespace

Result<PromptStyle> parse_prompt_style(const std::string& name) {
  static const std::pair<const char*, PromptStyle> kStyles[] = {{"t2sql", PromptStyle::kT2sql},
                                                                {"omnisql", PromptStyle::kOmniSql},
                                                                {"xiyan", PromptStyle::kXiyan},
                                                                {"dail", PromptStyle::kDail},
                                                                {"sqlcoder", PromptStyle::kSqlCoder}};
  for (const auto& [n, style] : kStyles)
    if (name == n) return style;
  std::string known;
  for (const auto& n : prompt_style_names()) known += (known.empty() ? "" : ", ") + n;
  return invalid_argument("unknown prompt style '" + name + "' (styles: " + known + ")");
}

const char* prompt_style_name(PromptStyle style) {
  switch (style) {
    case PromptStyle::kT2sql: return "t2sql";
    case PromptStyle::kOmniSql: return "omnisql";
    case PromptStyle::kXiyan: return "xiyan";
    case PromptStyle::kDail: return "dail";
    case PromptStyle::kSqlCoder: return "sqlcoder";
  }
  return "t2sql";
}

const std::vector<std::string>& prompt_style_names() {
  static const std::vector<std::string> kNames = {"t2sql", "omnisql", "xiyan", "dail", "sqlcoder"};
  return kNames;
}

Result<PromptFormat> parse_prompt_format(const std::string& name) {
  if (name == "sql-create-context") return PromptFormat::kSqlCreateContext;
  if (name == "chat") return PromptFormat::kChat;
  return invalid_argument("unknown prompt format '" + name + "' (expected sql-create-context or chat)");
}

const char* prompt_format_name(PromptFormat format) {
  return format == PromptFormat::kSqlCreateContext ? "sql-create-context" : "chat";
}

PromptBuilder::PromptBuilder(PromptFormat format, std::string chat_template) {
  options_.format = format;
  options_.chat_template = std::move(chat_template);
}

PromptBuilder::PromptBuilder(PromptOptions options) : options_(std::move(options)) {}

std::string PromptBuilder::default_system_prompt(const std::string& dialect) {
  return "You translate questions into SQL. Answer with one " + dialect_title(dialect) +
         " SELECT statement that answers the question, using only the tables and columns of the schema. "
         "Write only the SQL, ending with a semicolon.";
}

std::vector<ChatMessage> PromptBuilder::chat_messages(const PromptInput& in) const {
  std::string system = in.system_prompt.empty() ? default_system_prompt(in.dialect) : in.system_prompt;
  std::vector<ChatMessage> msgs;
  if (options_.style != PromptStyle::kT2sql) return {{"user", style_text(in)}};
  msgs.push_back({"system", system + "\n\nSchema:\n" + schema_text(in, options_)});
  for (const auto& ex : in.examples) {
    msgs.push_back({"user", trim(ex.question)});
    msgs.push_back({"assistant", answer_sql(ex.sql)});
  }
  for (const auto& [q, sql] : in.history) {
    msgs.push_back({"user", trim(q)});
    msgs.push_back({"assistant", answer_sql(sql)});
  }
  msgs.push_back({"user", hints(in) + trim(in.question)});
  if (!in.failed_sql.empty() || !in.failed_error.empty()) {
    msgs.push_back({"assistant", answer_sql(in.failed_sql)});
    msgs.push_back(
        {"user", "That SQL failed on the database: " + trim(in.failed_error) + "\nWrite a corrected statement."});
  }
  return msgs;
}

std::string PromptBuilder::style_text(const PromptInput& in) const {
  const std::string schema = schema_text(in, options_);
  switch (options_.style) {
    case PromptStyle::kOmniSql: return omnisql_text(in, schema);
    case PromptStyle::kXiyan: return xiyan_text(in, schema);
    case PromptStyle::kDail: return dail_text(in, schema);
    case PromptStyle::kSqlCoder: return sqlcoder_text(in, schema);
    case PromptStyle::kT2sql: break;
  }
  return "";
}

bool PromptBuilder::apply_template(const std::vector<ChatMessage>& messages, bool add_assistant,
                                   std::string* out) const {
  const std::string& chat_template = options_.chat_template;
  if (chat_template.empty()) return false;
  std::vector<llama_chat_message> chat;
  chat.reserve(messages.size());
  for (const auto& m : messages) chat.push_back({m.role.c_str(), m.content.c_str()});
  size_t guess = 256;
  for (const auto& m : messages) guess += m.content.size() * 2 + 64;
  std::vector<char> buf(guess);
  int32_t n = llama_chat_apply_template(chat_template.c_str(), chat.data(), chat.size(), add_assistant, buf.data(),
                                        static_cast<int32_t>(buf.size()));
  if (n < 0) return false;  // a template llama.cpp does not know
  if (static_cast<size_t>(n) > buf.size()) {
    buf.resize(n);
    n = llama_chat_apply_template(chat_template.c_str(), chat.data(), chat.size(), add_assistant, buf.data(),
                                  static_cast<int32_t>(buf.size()));
    if (n < 0) return false;
  }
  out->assign(buf.data(), n);
  return true;
}

// The plain chat layout for models without a known template.
static std::string plain_chat(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const auto& m : messages) {
    std::string title = m.role == "system" ? "System" : m.role == "user" ? "User" : "Assistant";
    out += "### " + title + "\n" + m.content + "\n\n";
  }
  return out + "### Assistant\n";
}

Prompt PromptBuilder::build(const PromptInput& in) const {
  Prompt p;
  p.format = options_.format;
  p.style = options_.style;
  p.messages = chat_messages(in);
  if (options_.style != PromptStyle::kT2sql) {
    // A published style's text is complete as it stands; the chat format
    // wraps it in the model's template when there is one.
    if (options_.format == PromptFormat::kChat) p.used_model_template = apply_template(p.messages, true, &p.text);
    if (!p.used_model_template) p.text = p.messages.front().content;
    return p;
  }
  if (options_.format == PromptFormat::kChat) {
    p.used_model_template = apply_template(p.messages, true, &p.text);
    if (!p.used_model_template) p.text = plain_chat(p.messages);
    return p;
  }
  // sql-create-context: instructions and schema first (the cacheable prefix),
  // then what changes with the question.
  std::string system = in.system_prompt.empty() ? default_system_prompt(in.dialect) : in.system_prompt;
  std::string t = system + "\n\n### Context\n" + schema_text(in, options_) + "\n\n";
  if (!in.examples.empty()) {
    t += "### Examples\n";
    for (const auto& ex : in.examples) t += "Question: " + trim(ex.question) + "\nSQL: " + answer_sql(ex.sql) + "\n";
    t += "\n";
  }
  if (!in.history.empty()) {
    t += "### Earlier questions\n";
    for (const auto& [q, sql] : in.history) t += "Question: " + trim(q) + "\nSQL: " + answer_sql(sql) + "\n";
    t += "\n";
  }
  if (std::string h = hints(in); !h.empty()) t += "### Hints\n" + h + "\n";
  t += "### Question\n" + trim(in.question) + "\n\n";
  if (!in.failed_sql.empty() || !in.failed_error.empty()) {
    t += "### Previous answer\n" + answer_sql(in.failed_sql) + "\n\n### Error\n" + trim(in.failed_error) + "\n\n";
  }
  t += "### Answer\n";
  p.text = std::move(t);
  return p;
}

std::string PromptBuilder::answer_text(const Prompt& prompt, const std::string& sql) const {
  std::string answer = answer_sql(sql);
  if (prompt.format == PromptFormat::kChat && prompt.used_model_template) {
    std::vector<ChatMessage> msgs = prompt.messages;
    msgs.push_back({"assistant", answer});
    std::string full;
    if (apply_template(msgs, false, &full) && full.size() > prompt.text.size() &&
        full.compare(0, prompt.text.size(), prompt.text) == 0) {
      return full.substr(prompt.text.size());
    }
  }
  return answer + "\n";
}

bool PromptBuilder::answer_needs_eos(const Prompt& prompt) const {
  return !(prompt.format == PromptFormat::kChat && prompt.used_model_template);
}

size_t find_statement_end(const std::string& s) {
  enum class State { kCode, kString, kQuoted, kBacktick, kLineComment, kBlockComment } st = State::kCode;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    char next = i + 1 < s.size() ? s[i + 1] : '\0';
    switch (st) {
      case State::kCode:
        if (c == '\'')
          st = State::kString;
        else if (c == '"')
          st = State::kQuoted;
        else if (c == '`')
          st = State::kBacktick;
        else if (c == '-' && next == '-')
          st = State::kLineComment, ++i;
        else if (c == '/' && next == '*')
          st = State::kBlockComment, ++i;
        else if (c == ';')
          return i + 1;
        break;
      case State::kString:
        if (c == '\'') {
          if (next == '\'')
            ++i;
          else
            st = State::kCode;
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          if (next == '"')
            ++i;
          else
            st = State::kCode;
        }
        break;
      case State::kBacktick:
        if (c == '`') st = State::kCode;
        break;
      case State::kLineComment:
        if (c == '\n') st = State::kCode;
        break;
      case State::kBlockComment:
        if (c == '*' && next == '/') st = State::kCode, ++i;
        break;
    }
  }
  return std::string::npos;
}

std::string extract_sql(const std::string& answer) {
  std::string s = answer;
  // End-of-turn text some models write as plain text.
  static const char* kEndMarkers[] = {"<|im_end|>",    "<|eot_id|>", "<|end|>", "<end_of_turn>",
                                      "<|endoftext|>", "</s>",       "<|EOT|>", "[/INST]"};
  for (const char* m : kEndMarkers) {
    size_t at = s.find(m);
    if (at != std::string::npos) s.resize(at);
  }
  size_t fence = s.find("```");
  // A prompt that opens the fence itself (XiYan's ends in "```sql") gets the
  // statement first and the closing fence after it.
  if (fence != std::string::npos) {
    std::string before = trim(s.substr(0, fence));
    while (!before.empty() && before.front() == '(') before.erase(0, 1);
    if (word_at(before, 0, "SELECT") || word_at(before, 0, "WITH") || word_at(before, 0, "VALUES")) {
      s.resize(fence);
      fence = std::string::npos;
    }
  }
  if (fence != std::string::npos) {
    // "```sql\n...", "```SELECT ...```": a language tag is a word that is not
    // the start of the statement.
    size_t body = fence + 3;
    size_t tag_end = body;
    while (tag_end < s.size() && (is_word_char(s[tag_end]) || s[tag_end] == '-' || s[tag_end] == '+')) ++tag_end;
    if (!word_at(s, body, "SELECT") && !word_at(s, body, "WITH") && !word_at(s, body, "VALUES")) body = tag_end;
    size_t close = s.find("```", body);
    s = s.substr(body, close == std::string::npos ? std::string::npos : close - body);
  }
  // Prose says "select" too: prefer a keyword in capitals, then one of any
  // case that begins a line.
  size_t start = std::string::npos;
  auto keyword_at = [&](size_t i) {
    return word_at(s, i, "SELECT") || word_at(s, i, "WITH") || word_at(s, i, "VALUES");
  };
  for (size_t i = 0; i < s.size() && start == std::string::npos; ++i) {
    if (keyword_at(i) && std::isupper(static_cast<unsigned char>(s[i])) &&
        std::isupper(static_cast<unsigned char>(s[i + 1]))) {
      start = i;
    }
  }
  for (size_t i = 0; i < s.size() && start == std::string::npos; ++i) {
    size_t line = i;
    while (line > 0 && (s[line - 1] == ' ' || s[line - 1] == '\t' || s[line - 1] == '(')) --line;
    if ((line == 0 || s[line - 1] == '\n') && keyword_at(i)) start = i;
  }
  if (start == std::string::npos) return "";
  // A statement that opens with parentheses: "(SELECT ...) UNION (...)".
  while (start > 0 && s[start - 1] == '(') --start;
  s = s.substr(start);
  size_t end = find_statement_end(s);
  if (end != std::string::npos) {
    s.resize(end - 1);
  } else {
    // No ";": the statement ends at a blank line followed by prose.
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      if (s[i] != '\n') continue;
      size_t j = i + 1;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
      if (j >= s.size() || s[j] != '\n') continue;
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (!continues_statement(s, j)) {
        s.resize(i);
        break;
      }
    }
  }
  return trim(s);
}

}  // namespace t2sql
