#include "eval/eval_baseline.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

namespace t2sql {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using CaseKey = std::tuple<std::string, std::string, std::string>;  // db, question, id

// A number of the report, or `fallback` where it is null or absent.
double number_or(const json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// One mode's object of the report: its figures and its cases.
Result<BaselineMode> read_mode(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("cases") || !j["cases"].is_array())
    return invalid_argument(where + " is not an `eval --json` report with cases (write it with `t2sql eval --json`)");
  BaselineMode mode;
  auto text = [](const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  mode.mode = text(j, "mode");
  if (mode.mode.empty()) return invalid_argument(where + " names no mode");
  BaselineMetrics& m = mode.metrics;
  m.n = static_cast<int>(number_or(j, "n", 0));
  m.correct = static_cast<int>(number_or(j, "correct", 0));
  m.execution_accuracy = number_or(j, "execution_accuracy", 0);
  m.answered_rate = number_or(j, "answered_rate", 0);
  m.ece = number_or(j, "ece", -1);
  if (auto it = j.find("confident"); it != j.end() && it->is_object()) {
    m.confident = static_cast<int>(number_or(*it, "n", 0));
    m.confident_accuracy = number_or(*it, "accuracy", -1);
  }
  for (const auto& c : j["cases"]) {
    if (!c.is_object() || !c.contains("question") || !c["question"].is_string() || !c.contains("db") ||
        !c["db"].is_string() || !c.contains("correct") || !c["correct"].is_boolean()) {
      return invalid_argument(where + ": case " + std::to_string(mode.cases.size() + 1) +
                              " lacks db, question or correct");
    }
    BaselineCase bc;
    bc.id = text(c, "id");
    bc.db_id = text(c, "db");
    bc.question = text(c, "question");
    bc.predicted_sql = text(c, "predicted_sql");
    bc.correct = c["correct"].get<bool>();
    bc.gold_ok = !c.contains("gold_ok") || !c["gold_ok"].is_boolean() || c["gold_ok"].get<bool>();
    mode.cases.push_back(std::move(bc));
  }
  return mode;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

Status check_suite_and_modes(const EvalBaseline& baseline, const std::string& suite,
                             const std::vector<std::string>& modes) {
  std::string where = "--baseline '" + baseline.path + "'";
  if (baseline.suite != suite)
    return invalid_argument(where + " is a report of suite " + baseline.suite + ", this run is of suite " + suite);
  std::vector<std::string> before;
  for (const auto& m : baseline.modes) before.push_back(m.mode);
  std::vector<std::string> now = modes;
  std::sort(before.begin(), before.end());
  std::sort(now.begin(), now.end());
  if (before != now) {
    return invalid_argument(where + " measured the modes " + joined(before) + ", this run measures " + joined(now) +
                            " (give --mode as the baseline had it)");
  }
  return Status();
}

Status no_question_in_common(const EvalBaseline& baseline) {
  return invalid_argument("--baseline '" + baseline.path +
                          "' shares no question with this run: a report of another suite file?");
}

}  // namespace

Result<EvalBaseline> load_eval_baseline(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found("--baseline '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) return invalid_argument("--baseline '" + path + "' is a folder, not a report");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return not_found("cannot read --baseline '" + path + "'");
  json j = json::parse(text.str(), nullptr, false);
  std::string where = "--baseline '" + path + "'";
  if (j.is_discarded() || !j.is_object())
    return invalid_argument(where + " is not JSON (an `eval --json` report is one JSON object)");
  EvalBaseline baseline;
  baseline.path = path;
  if (auto it = j.find("suite"); it != j.end() && it->is_string()) baseline.suite = it->get<std::string>();
  if (baseline.suite.empty()) return invalid_argument(where + " is not an `eval --json` report (no suite)");
  // Several modes: one object each under "modes"; one mode: the top level.
  if (auto it = j.find("modes"); it != j.end() && it->is_array()) {
    for (const auto& m : *it) {
      auto mode = read_mode(m, where);
      if (!mode.ok()) return mode.status();
      baseline.modes.push_back(std::move(*mode));
    }
  } else {
    auto mode = read_mode(j, where);
    if (!mode.ok()) return mode.status();
    baseline.modes.push_back(std::move(*mode));
  }
  if (baseline.modes.empty()) return invalid_argument(where + " holds no mode");
  return baseline;
}

Status check_baseline_matches(const EvalBaseline& baseline, const BenchmarkSuite& suite,
                              const std::vector<std::string>& modes) {
  if (Status s = check_suite_and_modes(baseline, suite.name, modes); !s.ok()) return s;
  std::set<CaseKey> before;
  for (const auto& m : baseline.modes) {
    for (const auto& c : m.cases) before.insert(CaseKey{c.db_id, c.question, c.id});
  }
  for (const auto& c : suite.cases) {
    if (before.count(CaseKey{c.db_id, c.question, c.id})) return Status();
  }
  return suite.cases.empty() ? Status() : no_question_in_common(baseline);
}

Result<std::vector<BaselineComparison>> compare_with_baseline(const EvalBaseline& baseline,
                                                              const std::vector<const EvalRun*>& runs) {
  std::vector<std::string> labels;
  for (const EvalRun* r : runs) labels.push_back(r->mode);
  std::string suite = runs.empty() ? baseline.suite : runs.front()->suite;
  if (Status s = check_suite_and_modes(baseline, suite, labels); !s.ok()) return s;
  std::vector<BaselineComparison> out;
  for (const EvalRun* run : runs) {
    const BaselineMode* before = nullptr;
    for (const auto& m : baseline.modes) {
      if (m.mode == run->mode) before = &m;
    }
    std::map<CaseKey, const BaselineCase*> by_key;
    for (const auto& c : before->cases) by_key.emplace(CaseKey{c.db_id, c.question, c.id}, &c);
    BaselineComparison cmp;
    cmp.mode = run->mode;
    cmp.path = baseline.path;
    cmp.before = before->metrics;
    int found = 0;
    for (const auto& c : run->cases) {
      auto it = by_key.find(CaseKey{c.db_id, c.question, c.id});
      if (it == by_key.end()) {
        ++cmp.only_now;
        continue;
      }
      ++found;
      const BaselineCase& b = *it->second;
      if (!b.gold_ok || !c.gold_ok) continue;
      ++cmp.matched;
      if (b.predicted_sql != c.predicted_sql) ++cmp.changed_sql;
      if (b.correct == c.correct) continue;
      BaselineChange change{c.id, c.db_id, c.question, b.predicted_sql, c.predicted_sql, c.correct ? "" : c.reason};
      (c.correct ? cmp.gained : cmp.lost).push_back(std::move(change));
    }
    cmp.only_before = static_cast<int>(before->cases.size()) - found;
    if (found == 0 && !run->cases.empty()) return no_question_in_common(baseline);
    out.push_back(std::move(cmp));
  }
  return out;
}

}  // namespace t2sql
