#include "tools/eval/retrieval_eval.h"

#include <nlohmann/json.hpp>

#include <time.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "format/json_text.h"
#include "tools/eval/stress_catalog.h"
#include "t2sql/database.h"

namespace t2sql {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// One gold item: a column, or a table used only through `*` (column empty).
struct GoldItem {
  std::string table, column;
};

struct Question {
  std::string db, text;
  std::vector<GoldItem> gold;
};

struct SpiderSchema {
  std::vector<std::string> tables;                   // original names
  std::vector<std::pair<int, std::string>> columns;  // (table index, original name); 0 is "*"
};

// Walks Spider's parsed SQL: col_units are [agg, column id, distinct],
// table_units ["table_unit", table id]; nested queries recurse.
void collect(const nlohmann::json& node, std::set<int>* columns, std::set<int>* tables) {
  if (node.is_object()) {
    for (const auto& [k, v] : node.items()) collect(v, columns, tables);
    return;
  }
  if (!node.is_array()) return;
  if (node.size() == 2 && node[0].is_string() && node[0] == "table_unit" && node[1].is_number_integer()) {
    tables->insert(node[1].get<int>());
    return;
  }
  if (node.size() == 3 && node[0].is_number_integer() && node[1].is_number_integer() && node[2].is_boolean()) {
    columns->insert(node[1].get<int>());
    return;
  }
  for (const auto& v : node) collect(v, columns, tables);
}

Result<std::vector<Question>> load_questions(const std::string& dir, int limit) {
  std::ifstream tin(dir + "/tables.json"), qin(dir + "/dev.json");
  if (!tin || !qin) return not_found("Spider dev-open data not found in " + dir);
  nlohmann::json tables = nlohmann::json::parse(tin, nullptr, false), dev = nlohmann::json::parse(qin, nullptr, false);
  if (tables.is_discarded() || dev.is_discarded()) return invalid_argument("Spider JSON does not parse in " + dir);
  std::map<std::string, SpiderSchema> schemas;
  for (const auto& t : tables) {
    SpiderSchema s;
    for (const auto& name : t["table_names_original"]) s.tables.push_back(name.get<std::string>());
    for (const auto& c : t["column_names_original"]) s.columns.push_back({c[0].get<int>(), c[1].get<std::string>()});
    schemas[t["db_id"].get<std::string>()] = std::move(s);
  }
  std::vector<Question> out;
  for (const auto& q : dev) {
    Question question;
    question.db = q["db_id"].get<std::string>();
    question.text = q["question"].get<std::string>();
    auto it = schemas.find(question.db);
    if (it == schemas.end()) continue;
    std::set<int> columns, used_tables;
    collect(q["sql"], &columns, &used_tables);
    std::set<int> column_tables;
    for (int c : columns) {
      if (c <= 0 || c >= static_cast<int>(it->second.columns.size())) continue;
      auto [ti, name] = it->second.columns[c];
      question.gold.push_back({it->second.tables[ti], name});
      column_tables.insert(ti);
    }
    for (int t : used_tables) {
      if (!column_tables.count(t) && t < static_cast<int>(it->second.tables.size())) {
        question.gold.push_back({it->second.tables[t], ""});
      }
    }
    if (question.gold.empty()) continue;
    out.push_back(std::move(question));
    if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Found share of a question's gold items in one retrieval result.
double recall_of(const Question& q, const RetrievalResult& r,
                 const std::function<std::string(const std::string&)>& name, RetrievalMiss* miss) {
  std::set<std::string> tables;
  for (const auto& t : r.tables) tables.insert(lower(t));
  // The DDL shows more than the index's hits (keys, join columns): a gold
  // column counts when the prompt shows it, so read it back from the DDL.
  std::map<std::string, std::set<std::string>> shown;
  std::string current;
  size_t pos = 0;
  while (pos < r.ddl.size()) {
    size_t end = r.ddl.find('\n', pos);
    if (end == std::string::npos) end = r.ddl.size();
    std::string line = r.ddl.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("CREATE TABLE ", 0) == 0) {
      current = line.substr(13, line.find(" (") - 13);
      if (current.size() > 1 && current.front() == '"') current = current.substr(1, current.size() - 2);
      current = lower(current);
    } else if (line.rfind("  ", 0) == 0 && line.rfind("  PRIMARY KEY", 0) != 0 && line.rfind("  FOREIGN KEY", 0) != 0) {
      std::string col = line.substr(2);
      if (!col.empty() && col[0] == '"') {
        col = col.substr(1, col.find('"', 1) - 1);
      } else {
        col = col.substr(0, col.find_first_of(" ,"));
      }
      shown[current].insert(lower(col));
    }
  }
  int found = 0;
  for (const auto& g : q.gold) {
    std::string t = lower(name(g.table));
    if (g.column.empty() ? tables.count(t) > 0 : shown[t].count(lower(g.column)) > 0) {
      ++found;
    } else if (miss) {
      miss->missed.push_back(name(g.table) + "." + (g.column.empty() ? "*" : g.column));
    }
  }
  return static_cast<double>(found) / static_cast<double>(q.gold.size());
}

}  // namespace

Result<RetrievalEvalReport> evaluate_retrieval(const RetrievalEvalOptions& options, const ProgressFn& progress) {
  if (options.catalog != "db" && options.catalog != "stress") {
    return invalid_argument("retrieval catalog must be db or stress, not '" + options.catalog + "'");
  }
  if (options.top_columns.empty()) return invalid_argument("no N to evaluate");
  const std::string shared = options.shared_dir.empty() ? default_shared_dir() : options.shared_dir;
  if (options.spider_dir.empty() && shared.empty()) {
    return invalid_argument("no Spider data given (--data) and T2SQL_SHARED_DIR, the shared data folder, is not set");
  }
  const std::string spider = options.spider_dir.empty() ? shared + "/data/spider-dev-open" : options.spider_dir;
  auto questions = load_questions(spider, options.limit);
  if (!questions.ok()) return questions.status();

  RetrievalOptions ropt;
  ropt.embedder = options.embedder;
  ropt.token_budget = options.token_budget;
  ropt.top_columns = options.top_columns.front();
  RetrievalEvalReport report;
  report.catalog = options.catalog;
  report.n = static_cast<int>(questions->size());

  // One retriever per catalog searched, with the mapping from Spider names.
  std::map<std::string, std::unique_ptr<VectorSchemaRetriever>> retrievers;
  StressCatalog stress;
  if (options.catalog == "stress") {
    auto built = build_stress_catalog(
        {.shared_dir = shared, .scratch_dir = "", .tables = options.stress_tables, .columns = options.stress_columns});
    if (!built.ok()) return built.status();
    stress = std::move(*built);
    if (!options.cache_dir.empty()) ropt.cache_dir = options.cache_dir + "/stress";
    double cpu_start = cpu_ms();
    auto r = VectorSchemaRetriever::create(stress.catalog, ropt, progress);
    if (!r.ok()) return r.status();
    if ((*r)->build_ms() > 0) report.index_build_cpu_ms = cpu_ms() - cpu_start;
    report.tables = static_cast<int>(stress.catalog.tables.size());
    for (const auto& t : stress.catalog.tables) report.columns += static_cast<int>(t.columns.size());
    report.index_build_ms = (*r)->build_ms();
    retrievers[""] = std::move(*r);
  } else {
    std::set<std::string> dbs;
    for (const auto& q : *questions) dbs.insert(q.db);
    for (const auto& db : dbs) {
      auto conn = Database::open(spider + "/database/" + db + "/" + db + ".sqlite");
      if (!conn.ok()) return conn.status();
      auto catalog = (*conn)->catalog({.sample_values = 3, .row_counts = false});
      if (!catalog.ok()) return catalog.status();
      if (!options.cache_dir.empty()) ropt.cache_dir = options.cache_dir + "/" + db;
      auto r = VectorSchemaRetriever::create(*catalog, ropt);
      if (!r.ok()) return r.status();
      int columns = 0;
      for (const auto& t : catalog->tables) columns += static_cast<int>(t.columns.size());
      if (columns > report.columns) {
        report.columns = columns;
        report.tables = static_cast<int>(catalog->tables.size());
      }
      report.index_build_ms += (*r)->build_ms();
      retrievers[db] = std::move(*r);
    }
  }
  report.index_kind = retrievers.begin()->second->index_kind();
  report.embedder = retrievers.begin()->second->embedder_id();

  const int64_t total = static_cast<int64_t>(options.top_columns.size() * questions->size());
  int64_t done = 0;
  for (int n : options.top_columns) {
    RetrievalEvalPoint point;
    point.top_columns = n;
    std::vector<double> latencies;
    double recall_sum = 0, tokens_sum = 0, full_sum = 0;
    int full = 0;
    for (const auto& q : *questions) {
      VectorSchemaRetriever& r = *retrievers[options.catalog == "stress" ? "" : q.db];
      Status s = r.set_limits(n, options.token_budget);
      if (!s.ok()) return s;
      auto result = r.retrieve(q.text);
      if (!result.ok()) return result.status();
      auto name = [&](const std::string& table) {
        return options.catalog == "stress" ? stress.table_name(q.db, table) : table;
      };
      RetrievalMiss miss{q.text, {}, result->tables};
      bool keep = options.keep_misses && n == options.top_columns.back();
      double recall = recall_of(q, *result, name, keep ? &miss : nullptr);
      if (keep && !miss.missed.empty()) report.misses.push_back(std::move(miss));
      recall_sum += recall;
      full += recall >= 1.0 ? 1 : 0;
      tokens_sum += result->prompt_tokens;
      full_sum += result->full_schema_tokens;
      latencies.push_back(result->elapsed_ms);
      if (progress) progress("eval", ++done, total);
    }
    double count = static_cast<double>(questions->size());
    point.column_recall = recall_sum / count;
    point.full_recall_share = full / count;
    point.prompt_tokens_mean = tokens_sum / count;
    report.full_schema_tokens = full_sum / count;
    point.token_share = point.prompt_tokens_mean / std::max(1.0, report.full_schema_tokens);
    point.latency_p50_ms = percentile(latencies, 0.50);
    point.latency_p95_ms = percentile(latencies, 0.95);
    report.sweep.push_back(point);
  }
  report.headline = report.sweep.back();
  for (const auto& p : report.sweep) {
    bool pick =
        options.headline_top_columns > 0 ? p.top_columns == options.headline_top_columns : p.column_recall >= 0.95;
    if (pick) {
      report.headline = p;
      break;
    }
  }
  return report;
}

std::string RetrievalEvalReport::to_json() const {
  auto point = [](const RetrievalEvalPoint& p) {
    return nlohmann::ordered_json{{"top_columns", p.top_columns},
                                  {"column_recall", p.column_recall},
                                  {"full_recall_share", p.full_recall_share},
                                  {"prompt_tokens_mean", p.prompt_tokens_mean},
                                  {"token_share", p.token_share},
                                  {"latency_ms", {{"p50", p.latency_p50_ms}, {"p95", p.latency_p95_ms}}}};
  };
  nlohmann::ordered_json j;
  j["n"] = n;
  j["column_recall"] = headline.column_recall;
  j["prompt_tokens_mean"] = headline.prompt_tokens_mean;
  j["full_schema_tokens"] = full_schema_tokens;
  j["latency_ms"] = {{"p50", headline.latency_p50_ms}, {"p95", headline.latency_p95_ms}};
  j["top_columns"] = headline.top_columns;
  j["token_share"] = headline.token_share;
  j["catalog"] = catalog;
  j["tables"] = tables;
  j["columns"] = columns;
  j["index_kind"] = index_kind;
  j["embedder"] = embedder;
  j["index_build_ms"] = index_build_ms;
  j["index_build_cpu_ms"] = index_build_cpu_ms;
  j["sweep"] = nlohmann::ordered_json::array();
  for (const auto& p : sweep) j["sweep"].push_back(point(p));
  return json_text(j, 2) + "\n";
}

}  // namespace t2sql
