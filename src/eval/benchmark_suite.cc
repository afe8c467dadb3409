#include "eval/benchmark_suite.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "eval/spider_hardness.h"
#include "sql/sql_lexer.h"

namespace t2sql {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Result<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found("'" + path + "' does not exist");
  if (fs::is_directory(path, ec)) return invalid_argument("'" + path + "' is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "sqlite://" + absolute path for plain paths, so that a case's URI equals the
// opened Database's uri(); other URIs stay as they are.
std::string canonical_uri(const std::string& uri) {
  if (uri.find("://") != std::string::npos) return uri;
  return "sqlite://" + fs::absolute(uri).lexically_normal().string();
}

void finish_case(EvalCase& c) {
  if (c.gold_alternatives.empty()) {
    // defog separates equally valid gold queries with ';'.
    for (const auto& statement : split_sql_statements(c.gold_sql)) {
      for (auto& alt : expand_gold_alternatives(statement)) c.gold_alternatives.push_back(std::move(alt));
    }
    if (c.gold_alternatives.empty()) c.gold_alternatives.push_back(c.gold_sql);
  }
  if (c.hardness.empty()) c.hardness = hardness_name(spider_hardness(c.gold_alternatives.front()));
}

}  // namespace

// data/suites/demo.jsonl, compiled in (cmake/demo_suite_data.cc.in), so that
// the program never reads the source tree.
extern const char* const kDemoSuiteJsonl;

std::string default_demo_suite_path() { return "<built-in>/demo.jsonl"; }

Result<BenchmarkSuite> load_spider_suite(const std::string& path, const SuiteOptions& options) {
  std::error_code ec;
  fs::path file = path;
  if (fs::is_directory(file, ec)) file /= "dev.json";
  auto text = read_text(file.string());
  if (!text.ok()) return text.status();
  json data = json::parse(*text, nullptr, false);
  if (data.is_discarded() || !data.is_array()) {
    return invalid_argument("'" + file.string() + "' is not a Spider question file (a JSON array)");
  }
  fs::path db_root = file.parent_path() / "database";
  BenchmarkSuite suite;
  suite.name = "spider";
  for (size_t i = 0; i < data.size(); ++i) {
    const json& q = data[i];
    if (!q.is_object() || !q.contains("db_id") || !q.contains("question") || !q.contains("query") ||
        !q["db_id"].is_string() || !q["question"].is_string() || !q["query"].is_string()) {
      return invalid_argument("'" + file.string() + "' entry " + std::to_string(i) +
                              ": needs string fields db_id, question and query");
    }
    EvalCase c;
    c.id = "spider:" + std::to_string(i);
    c.db_id = q["db_id"].get<std::string>();
    c.question = q["question"].get<std::string>();
    c.gold_sql = trim(q["query"].get<std::string>());
    fs::path db = db_root / c.db_id / (c.db_id + ".sqlite");
    if (!fs::exists(db, ec)) {
      suite.skipped.push_back(c.id + ": database '" + db.string() + "' is missing");
      continue;
    }
    c.db_uri = "sqlite://" + fs::absolute(db).string();
    // Spider's parsed query gives its own hardness exactly; use it when present.
    if (q.contains("sql") && q["sql"].is_object()) c.hardness = hardness_name(spider_parsed_hardness(q["sql"]));
    finish_case(c);
    suite.cases.push_back(std::move(c));
  }
  (void)options;
  return suite;
}

Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  size_t quote_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
      quote_start = i;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) return invalid_argument("unterminated quoted field starting at byte " + std::to_string(quote_start));
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> split_sql_statements(const std::string& sql) {
  SqlLexResult lexed = lex_sql(sql);
  if (!lexed.error.empty()) return {sql};
  std::vector<std::string> out;
  size_t start = 0;
  auto add = [&](size_t end) {
    std::string piece = trim(sql.substr(start, end - start));
    if (!piece.empty()) out.push_back(piece);
  };
  for (const auto& tok : lexed.tokens) {
    if (tok.is_punct(';')) {
      add(tok.offset);
      start = tok.offset + 1;
    }
  }
  add(sql.size());
  return out;
}

std::vector<std::string> expand_gold_alternatives(const std::string& sql, size_t limit) {
  // Pieces: literal text and brace groups, in order.
  struct Group {
    std::vector<std::string> items;  // empty: repeat the previous choice
  };
  std::vector<std::string> literals{""};
  std::vector<Group> groups;
  bool in_string = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') in_string = !in_string;
    if (c == '{' && !in_string) {
      size_t close = sql.find('}', i);
      if (close == std::string::npos) break;
      Group g;
      std::string inner = sql.substr(i + 1, close - i - 1), item;
      std::stringstream ss(inner);
      while (std::getline(ss, item, ',')) {
        if (!trim(item).empty()) g.items.push_back(trim(item));
      }
      groups.push_back(g);
      literals.push_back("");
      i = close;
      continue;
    }
    literals.back() += c;
  }
  if (groups.empty()) return {sql};
  // Choices of each non-empty group: its non-empty subsets, in item order.
  std::vector<std::vector<std::string>> choices;
  for (const auto& g : groups) {
    std::vector<std::string> subsets;
    size_t n = std::min<size_t>(g.items.size(), 10);
    for (size_t mask = 1; mask < (size_t{1} << n); ++mask) {
      std::string s;
      for (size_t k = 0; k < n; ++k) {
        if (mask & (size_t{1} << k)) s += (s.empty() ? "" : ", ") + g.items[k];
      }
      subsets.push_back(s);
    }
    // Singles first, then larger sets: the likeliest matches are tried early.
    std::stable_sort(subsets.begin(), subsets.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), ',') < std::count(b.begin(), b.end(), ',');
    });
    choices.push_back(std::move(subsets));
  }
  std::vector<std::string> out;
  std::vector<size_t> pick(groups.size(), 0);
  while (out.size() < limit) {
    std::string s = literals[0], previous;
    for (size_t g = 0; g < groups.size(); ++g) {
      std::string chosen = choices[g].empty() ? previous : choices[g][pick[g]];
      if (!choices[g].empty()) previous = chosen;
      s += chosen + literals[g + 1];
    }
    out.push_back(s);
    // Next combination (odometer over the non-empty groups).
    size_t g = 0;
    for (; g < groups.size(); ++g) {
      if (choices[g].empty()) continue;
      if (++pick[g] < choices[g].size()) break;
      pick[g] = 0;
    }
    if (g == groups.size()) break;
  }
  return out;
}

Result<BenchmarkSuite> load_defog_suite(const std::string& path, const SuiteOptions& options) {
  std::error_code ec;
  std::vector<fs::path> files;
  fs::path root;
  if (fs::is_directory(path, ec)) {
    root = path;
    fs::path questions = root / "questions";
    if (!fs::is_directory(questions, ec)) return not_found("'" + path + "' has no questions/ folder");
    for (const auto& entry : fs::directory_iterator(questions, ec)) {
      std::string name = entry.path().filename().string();
      // The PostgreSQL question files go with the PostgreSQL databases.
      const char* suffix = options.defog_prefer_uri ? "_postgres.csv" : "_sqlite.csv";
      if (name.size() > 11 && name.ends_with(suffix)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      return not_found("'" + questions.string() + "' has no *" +
                       (options.defog_prefer_uri ? "_postgres.csv" : "_sqlite.csv") + " question file");
    }
  } else if (fs::exists(path, ec)) {
    files.push_back(path);
    root = fs::absolute(path).parent_path().parent_path();
  } else {
    return not_found("'" + path + "' does not exist");
  }
  BenchmarkSuite suite;
  suite.name = "defog";
  for (const auto& file : files) {
    auto text = read_text(file.string());
    if (!text.ok()) return text.status();
    auto rows = parse_csv(*text);
    if (!rows.ok()) return invalid_argument("'" + file.string() + "': " + rows.status().message());
    if (rows->empty()) continue;
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < (*rows)[0].size(); ++i) col[trim((*rows)[0][i])] = i;
    for (const char* need : {"db_name", "question", "query"}) {
      if (!col.count(need)) return invalid_argument("'" + file.string() + "' has no '" + need + "' column");
    }
    std::string stem = file.stem().string();
    for (size_t r = 1; r < rows->size(); ++r) {
      const auto& row = (*rows)[r];
      auto get = [&](const char* name) -> std::string {
        auto it = col.find(name);
        return it != col.end() && it->second < row.size() ? row[it->second] : "";
      };
      EvalCase c;
      c.id = stem + ":" + std::to_string(r + 1);
      c.db_id = trim(get("db_name"));
      c.question = trim(get("question"));
      c.gold_sql = trim(get("query"));
      c.category = trim(get("query_category"));
      c.instructions = trim(get("instructions"));
      if (c.db_id.empty() || c.question.empty() || c.gold_sql.empty()) {
        return invalid_argument("'" + file.string() + "' line " + std::to_string(r + 1) +
                                ": db_name, question and query must not be empty");
      }
      fs::path db = root / "sqlite" / (c.db_id + ".sqlite");
      if (!options.defog_prefer_uri && fs::exists(db, ec)) {
        c.db_uri = "sqlite://" + fs::absolute(db).string();
      } else if (!options.defog_db_uri_template.empty()) {
        c.db_uri = options.defog_db_uri_template;
        for (size_t p; (p = c.db_uri.find("{db}")) != std::string::npos;) c.db_uri.replace(p, 4, c.db_id);
        c.db_uri = canonical_uri(c.db_uri);
        if (c.db_uri.starts_with("sqlite://") && !fs::exists(c.db_uri.substr(9), ec)) {
          suite.skipped.push_back(c.id + ": no database '" + c.db_uri.substr(9) + "'");
          continue;
        }
      } else {
        suite.skipped.push_back(c.id + ": no SQLite database '" + c.db_id + "' (" + db.string() + ")");
        continue;
      }
      finish_case(c);
      suite.cases.push_back(std::move(c));
    }
  }
  return suite;
}

Result<BenchmarkSuite> load_jsonl_suite(const std::string& path, const SuiteOptions& options) {
  auto text = path == default_demo_suite_path() ? Result<std::string>(std::string(kDemoSuiteJsonl)) : read_text(path);
  if (!text.ok()) return text.status();
  fs::path base = fs::absolute(path).parent_path();
  BenchmarkSuite suite;
  suite.name = fs::path(path).stem().string();
  std::istringstream in(*text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    std::string where = "'" + path + "' line " + std::to_string(line_no);
    json q = json::parse(line, nullptr, false);
    if (q.is_discarded() || !q.is_object()) return invalid_argument(where + ": not a JSON object");
    for (const char* need : {"db", "question", "sql"}) {
      if (!q.contains(need) || !q[need].is_string() || trim(q[need].get<std::string>()).empty()) {
        return invalid_argument(where + ": needs a non-empty string \"" + need + "\"");
      }
    }
    EvalCase c;
    c.id = q.contains("id") && q["id"].is_string() ? q["id"].get<std::string>()
                                                   : suite.name + ":" + std::to_string(line_no);
    c.db_id = q["db"].get<std::string>();
    c.question = trim(q["question"].get<std::string>());
    c.gold_sql = trim(q["sql"].get<std::string>());
    if (q.contains("category") && q["category"].is_string()) c.category = q["category"].get<std::string>();
    if (q.contains("instructions") && q["instructions"].is_string()) {
      c.instructions = trim(q["instructions"].get<std::string>());
    }
    if (c.db_id == "demo") {
      if (options.demo_db_path.empty())
        return invalid_argument(where + ": names \"demo\" but no demo warehouse is set");
      c.db_uri = "sqlite://" + fs::absolute(options.demo_db_path).string();
    } else if (c.db_id.find("://") != std::string::npos && !c.db_id.starts_with("sqlite://")) {
      c.db_uri = c.db_id;  // another engine's URI, opened as given
    } else {
      std::string db = c.db_id;
      if (db.starts_with("sqlite://")) db = db.substr(9);
      fs::path p = fs::path(db).is_absolute() ? fs::path(db) : base / db;
      std::error_code ec;
      if (!fs::exists(p, ec)) return not_found(where + ": database '" + p.string() + "' does not exist");
      c.db_uri = "sqlite://" + p.string();
      c.db_id = fs::path(db).stem().string();
    }
    finish_case(c);
    suite.cases.push_back(std::move(c));
  }
  if (suite.cases.empty()) return invalid_argument("'" + path + "' holds no questions");
  return suite;
}

}  // namespace t2sql
