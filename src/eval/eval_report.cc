#include "eval/eval_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "format/json_text.h"

namespace t2sql {

using nlohmann::json;

namespace {

double ratio(int a, int b) {
  return b > 0 ? static_cast<double>(a) / b : 0;
}

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double round_to(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

json metrics_json(const EvalMetrics& m) {
  json j;
  j["n"] = m.n;
  j["correct"] = m.correct;
  j["answered"] = m.answered;
  j["executed"] = m.executed;
  j["execution_accuracy"] = round_to(m.execution_accuracy, 4);
  j["execution_rate"] = round_to(m.execution_rate, 4);
  j["exact_set_match"] = round_to(m.exact_set_match, 4);
  j["answered_rate"] = round_to(m.answered_rate, 4);
  j["answered_accuracy"] = round_to(m.answered_accuracy, 4);
  j["similarity"] = round_to(m.similarity, 4);
  j["judge_accuracy"] = m.judge_accuracy < 0 ? json(nullptr) : json(round_to(m.judge_accuracy, 4));
  j["judged"] = m.judged;
  auto subset = [](double accuracy, int n, int correct) {
    if (accuracy < 0) return json(nullptr);
    return json{{"n", n},
                {"correct", correct},
                {"execution_accuracy", n > 0 ? json(round_to(accuracy, 4)) : json(nullptr)}};
  };
  j["novel"] = subset(m.novel_accuracy, m.novel, m.novel_correct);
  j["seen"] = subset(m.seen_accuracy, m.seen, m.seen_correct);
  j["prompt_tokens_mean"] = m.prompt_tokens_mean < 0 ? json(nullptr) : json(round_to(m.prompt_tokens_mean, 1));
  j["prompt_tokens_per_try"] =
      m.prompt_tokens_per_try < 0 ? json(nullptr) : json(round_to(m.prompt_tokens_per_try, 1));
  if (m.voted > 0) {
    j["vote"] = {{"questions", m.voted},
                 {"differs_from_greedy", m.vote_differs},
                 {"differs_rate", round_to(m.vote_differs_rate, 4)}};
  }
  j["latency_ms"] = {{"p50", round_to(m.latency_p50_ms, 3)}, {"p95", round_to(m.latency_p95_ms, 3)}};
  j["execution_ms"] = {{"p50", round_to(m.execution_p50_ms, 3)}, {"p95", round_to(m.execution_p95_ms, 3)}};
  j["ece"] = m.ece < 0 ? json(nullptr) : json(round_to(m.ece, 4));
  j["ece_chance"] = m.ece_chance < 0 ? json(nullptr) : json(round_to(m.ece_chance, 4));
  j["confident"] = {{"min_confidence", 0.9},
                    {"n", m.confident},
                    {"correct", m.confident_correct},
                    {"accuracy", m.confident_accuracy < 0 ? json(nullptr) : json(round_to(m.confident_accuracy, 4))}};
  json bins = json::array();
  for (const auto& b : m.reliability) {
    bins.push_back({{"low", round_to(b.low, 2)},
                    {"high", round_to(b.high, 2)},
                    {"n", b.n},
                    {"correct", b.correct},
                    {"mean_confidence", b.n ? json(round_to(b.mean_confidence, 4)) : json(nullptr)},
                    {"accuracy", b.n ? json(round_to(ratio(b.correct, b.n), 4)) : json(nullptr)}});
  }
  j["reliability"] = std::move(bins);
  return j;
}

json baseline_json(const BaselineComparison& b) {
  auto ids = [](const std::vector<BaselineChange>& changes) {
    json a = json::array();
    for (const auto& c : changes) a.push_back(c.id);
    return a;
  };
  json before = {{"n", b.before.n},
                 {"correct", b.before.correct},
                 {"execution_accuracy", round_to(b.before.execution_accuracy, 4)},
                 {"answered_rate", round_to(b.before.answered_rate, 4)},
                 {"ece", b.before.ece < 0 ? json(nullptr) : json(round_to(b.before.ece, 4))},
                 {"confident",
                  {{"n", b.before.confident},
                   {"accuracy", b.before.confident_accuracy < 0 ? json(nullptr)
                                                                : json(round_to(b.before.confident_accuracy, 4))}}}};
  return {{"file", b.path},           {"before", std::move(before)},   {"matched", b.matched},
          {"only_now", b.only_now},   {"only_before", b.only_before}, {"gained", b.gained.size()},
          {"lost", b.lost.size()},    {"changed_sql", b.changed_sql}, {"gained_ids", ids(b.gained)},
          {"lost_ids", ids(b.lost)}};
}

json summary_json(const EvalSummary& s, const EvalRun* run, bool with_cases) {
  json j = metrics_json(s.overall);
  j["suite"] = s.suite;
  j["mode"] = s.mode;
  j["rag"] = s.rag;
  j["similarity_measure"] = s.similarity_measure;
  j["judge_model"] = s.judge_name.empty() ? json(nullptr) : json(s.judge_name);
  j["training_set"] = s.training_set.empty() ? json(nullptr) : json(s.training_set);
  j["jobs"] = s.jobs;
  j["wall_ms"] = round_to(s.wall_ms, 1);
  j["gold_errors"] = s.gold_errors;
  j["skipped"] = s.skipped;
  j["by_hardness"] = json::object();
  for (const auto& [name, m] : s.by_hardness) j["by_hardness"][name] = metrics_json(m);
  j["by_category"] = json::object();
  for (const auto& [name, m] : s.by_category) j["by_category"][name] = metrics_json(m);
  if (with_cases && run) {
    json cases = json::array();
    for (const auto& c : run->cases) {
      cases.push_back({{"id", c.id},
                       {"db", c.db_id},
                       {"question", c.question},
                       {"gold_sql", c.gold_sql},
                       {"predicted_sql", c.predicted_sql},
                       {"hardness", c.hardness},
                       {"category", c.category},
                       {"gold_ok", c.gold_ok},
                       {"answered", c.answered},
                       {"executed", c.executed},
                       {"correct", c.correct},
                       {"exact_match", c.exact_match},
                       {"similarity", round_to(c.similarity, 4)},
                       {"judged", c.judged < 0 ? json(nullptr) : json(c.judged)},
                       {"novel", c.novel < 0 ? json(nullptr) : json(c.novel == 1)},
                       {"prompt_tokens", c.prompt_tokens},
                       {"llm_tries", c.llm_tries},
                       {"confidence", round_to(c.confidence, 4)},
                       {"generation_ms", round_to(c.generation_ms, 3)},
                       {"execution_ms", round_to(c.execution_ms, 3)},
                       {"reason", c.reason}});
      if (!c.confidence_features.empty()) cases.back()["confidence_features"] = c.confidence_features;
      if (!c.rules.empty()) cases.back()["rules"] = c.rules;
    }
    j["cases"] = std::move(cases);
  }
  return j;
}

// "40.0% of 25"; "-" when no training set was given or no question is novel.
std::string novel_cell(const EvalMetrics& m) {
  if (m.novel_accuracy < 0 || m.novel == 0) return "-";
  return pct(m.novel_accuracy) + " of " + std::to_string(m.novel);
}

std::string pad(const std::string& s, size_t w, bool right = false) {
  if (s.size() >= w) return s;
  return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

// The per-mode metrics shared by the terminal table and the Markdown
// report, one row a metric and one cell a mode; rows that no mode has (judge,
// novelty, prompt tokens) are left out.
std::vector<std::pair<std::string, std::vector<std::string>>> metric_rows(const std::vector<EvalSummary>& summaries) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](const char* label, auto value) {
    std::vector<std::string> cells;
    for (const auto& s : summaries) cells.push_back(value(s));
    rows.emplace_back(label, std::move(cells));
  };
  auto any = [&](auto pred) { return std::any_of(summaries.begin(), summaries.end(), pred); };
  row("execution accuracy", [](const EvalSummary& s) { return pct(s.overall.execution_accuracy); });
  row("execution rate", [](const EvalSummary& s) { return pct(s.overall.execution_rate); });
  row("exact-set match", [](const EvalSummary& s) { return pct(s.overall.exact_set_match); });
  row("answered", [](const EvalSummary& s) { return pct(s.overall.answered_rate); });
  row("accuracy on answered", [](const EvalSummary& s) { return pct(s.overall.answered_accuracy); });
  row("similarity", [](const EvalSummary& s) { return fixed(s.overall.similarity, 3); });
  row("calibration error", [](const EvalSummary& s) {
    return s.overall.ece < 0 ? std::string("-")
                             : fixed(s.overall.ece, 3) + " (chance " + fixed(s.overall.ece_chance, 3) + ")";
  });
  row("right at conf >= 0.9", [](const EvalSummary& s) {
    return s.overall.confident_accuracy < 0
               ? std::string("-")
               : pct(s.overall.confident_accuracy) + " of " + std::to_string(s.overall.confident);
  });
  if (any([](const EvalSummary& s) { return s.overall.judged > 0; })) {
    row("judge", [](const EvalSummary& s) {
      return s.overall.judge_accuracy < 0 ? std::string("-") : pct(s.overall.judge_accuracy);
    });
  }
  if (any([](const EvalSummary& s) { return s.overall.novel_accuracy >= 0; })) {
    row("novel-question handling", [](const EvalSummary& s) { return novel_cell(s.overall); });
  }
  if (any([](const EvalSummary& s) { return s.overall.prompt_tokens_mean >= 0; })) {
    row("prompt tokens/question", [](const EvalSummary& s) {
      return s.overall.prompt_tokens_mean < 0 ? std::string("-") : fixed(s.overall.prompt_tokens_mean, 0);
    });
    row("prompt tokens/try", [](const EvalSummary& s) {
      return s.overall.prompt_tokens_per_try < 0 ? std::string("-") : fixed(s.overall.prompt_tokens_per_try, 0);
    });
  }
  if (any([](const EvalSummary& s) { return s.overall.voted > 0; })) {
    row("vote differs from greedy", [](const EvalSummary& s) {
      return s.overall.voted == 0 ? std::string("-")
                                  : pct(s.overall.vote_differs_rate) + " of " + std::to_string(s.overall.voted);
    });
  }
  row("latency p50", [](const EvalSummary& s) { return fixed(s.overall.latency_p50_ms, 2) + " ms"; });
  row("latency p95", [](const EvalSummary& s) { return fixed(s.overall.latency_p95_ms, 2) + " ms"; });
  row("execution p50", [](const EvalSummary& s) { return fixed(s.overall.execution_p50_ms, 2) + " ms"; });
  row("wall time", [](const EvalSummary& s) { return fixed(s.wall_ms / 1000, 1) + " s"; });
  return rows;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
  if (rank < 1) rank = 1;
  return values[std::min(rank, values.size()) - 1];
}

EvalMetrics compute_metrics(const std::vector<const CaseResult*>& cases) {
  EvalMetrics m;
  std::vector<double> latency, execution;
  double similarity = 0, prompt_tokens = 0;
  int with_tokens = 0, tries = 0;
  bool novelty_known = false;
  for (const CaseResult* c : cases) {
    if (!c->gold_ok) continue;
    ++m.n;
    latency.push_back(c->generation_ms);
    if (c->answered) {
      ++m.answered;
      similarity += c->similarity;
    }
    if (c->executed) {
      ++m.executed;
      execution.push_back(c->execution_ms);
    }
    m.correct += c->correct;
    m.exact += c->exact_match;
    if (c->prompt_tokens > 0) {
      ++with_tokens;
      prompt_tokens += c->prompt_tokens;
      tries += std::max(c->llm_tries, 1);
    }
    if (c->vote >= 0) {
      ++m.voted;
      m.vote_differs += c->vote;
    }
    if (c->novel >= 0) novelty_known = true;
    if (c->novel == 1) {
      ++m.novel;
      m.novel_correct += c->correct;
    } else if (c->novel == 0) {
      ++m.seen;
      m.seen_correct += c->correct;
    }
    if (c->judged >= 0) {
      ++m.judged;
      m.judged_equal += c->judged;
    }
  }
  m.execution_accuracy = ratio(m.correct, m.n);
  m.execution_rate = ratio(m.executed, m.n);
  m.exact_set_match = ratio(m.exact, m.n);
  m.answered_rate = ratio(m.answered, m.n);
  m.answered_accuracy = ratio(m.correct, m.answered);
  m.similarity = m.answered ? similarity / m.answered : 0;
  m.judge_accuracy = m.judged ? ratio(m.judged_equal, m.judged) : -1;
  // Known but empty (no novel question) reads as 0 of 0, not as "no training set".
  m.novel_accuracy = novelty_known ? ratio(m.novel_correct, m.novel) : -1;
  m.seen_accuracy = novelty_known ? ratio(m.seen_correct, m.seen) : -1;
  m.prompt_tokens_mean = with_tokens ? prompt_tokens / with_tokens : -1;
  m.prompt_tokens_per_try = tries ? prompt_tokens / tries : -1;
  m.vote_differs_rate = m.voted ? ratio(m.vote_differs, m.voted) : -1;
  m.latency_p50_ms = percentile(latency, 50);
  m.latency_p95_ms = percentile(latency, 95);
  m.execution_p50_ms = percentile(execution, 50);
  m.execution_p95_ms = percentile(execution, 95);
  // Calibration: how often an answer given with confidence c is right.
  std::vector<std::pair<double, bool>> answers;
  for (const CaseResult* c : cases) {
    if (c->gold_ok && c->answered) answers.emplace_back(c->confidence, c->correct);
  }
  CalibrationMetrics cal = calibration_metrics(answers);
  m.reliability = std::move(cal.reliability);
  m.ece = cal.ece;
  m.ece_chance = cal.ece_chance;
  m.confident = cal.confident;
  m.confident_correct = cal.confident_correct;
  m.confident_accuracy = m.confident ? ratio(m.confident_correct, m.confident) : -1;
  return m;
}

namespace {

double expected_calibration_error(const std::vector<std::pair<double, bool>>& answers,
                                  std::vector<ReliabilityBin>* reliability) {
  std::vector<ReliabilityBin> bins(10);
  for (int b = 0; b < 10; ++b) bins[b] = {.low = b / 10.0, .high = (b + 1) / 10.0};
  for (const auto& [confidence, right] : answers) {
    double conf = std::clamp(confidence, 0.0, 1.0);
    auto& bin = bins[std::min(9, static_cast<int>(conf * 10))];
    ++bin.n;
    bin.correct += right;
    bin.mean_confidence += conf;
  }
  double ece = 0;
  for (auto& bin : bins) {
    if (bin.n == 0) continue;
    bin.mean_confidence /= bin.n;
    ece += std::fabs(ratio(bin.correct, bin.n) - bin.mean_confidence) * bin.n / answers.size();
  }
  if (reliability) *reliability = std::move(bins);
  return ece;
}

}  // namespace

CalibrationMetrics calibration_metrics(const std::vector<std::pair<double, bool>>& answers) {
  CalibrationMetrics m;
  double ece = expected_calibration_error(answers, &m.reliability);
  for (const auto& [confidence, right] : answers) {
    if (std::clamp(confidence, 0.0, 1.0) < 0.9) continue;
    ++m.confident;
    m.confident_correct += right;
  }
  if (!answers.empty()) {
    m.ece = ece;
    // Chance alone: the same confidences, each answer right with exactly
    // that probability.
    std::mt19937 rng(20240601);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<std::pair<double, bool>> drawn(answers);
    constexpr int kDraws = 200;
    double sum = 0;
    for (int d = 0; d < kDraws; ++d) {
      for (auto& [confidence, right] : drawn) right = u(rng) < std::clamp(confidence, 0.0, 1.0);
      sum += expected_calibration_error(drawn, nullptr);
    }
    m.ece_chance = sum / kDraws;
  }
  return m;
}

EvalSummary summarize(const EvalRun& run) {
  EvalSummary s;
  s.suite = run.suite;
  s.mode = run.mode;
  s.rag = run.rag;
  s.similarity_measure = run.similarity_measure;
  s.judge_name = run.judge_name;
  s.training_set = run.training_set;
  s.jobs = run.jobs;
  s.wall_ms = run.wall_ms;
  s.skipped = static_cast<int>(run.skipped.size());
  std::vector<const CaseResult*> all;
  std::map<std::string, std::vector<const CaseResult*>> by_hardness, by_category;
  for (const auto& c : run.cases) {
    if (!c.gold_ok) {
      ++s.gold_errors;
      continue;
    }
    all.push_back(&c);
    by_hardness[c.hardness].push_back(&c);
    if (!c.category.empty()) by_category[c.category].push_back(&c);
  }
  s.overall = compute_metrics(all);
  for (const char* h : {"easy", "medium", "hard", "extra"}) {
    if (by_hardness.count(h)) s.by_hardness.push_back({h, compute_metrics(by_hardness[h])});
  }
  for (const auto& [name, cases] : by_category) s.by_category.push_back({name, compute_metrics(cases)});
  return s;
}

std::string report_json(const std::vector<EvalSummary>& summaries, const std::vector<const EvalRun*>& runs,
                        bool with_cases, const std::vector<BaselineComparison>& baselines) {
  if (summaries.empty()) return "{}";
  auto mode_json = [&](size_t i) {
    json j = summary_json(summaries[i], i < runs.size() ? runs[i] : nullptr, with_cases);
    if (i < baselines.size()) j["baseline"] = baseline_json(baselines[i]);
    return j;
  };
  json top = mode_json(0);
  if (summaries.size() > 1) {
    json modes = json::array();
    for (size_t i = 0; i < summaries.size(); ++i) modes.push_back(mode_json(i));
    top.erase("cases");
    top["modes"] = std::move(modes);
  }
  return json_text(top, 2) + "\n";
}

std::string baseline_table(const std::vector<EvalSummary>& summaries, const std::vector<BaselineComparison>& baselines,
                           int gained_limit) {
  std::ostringstream out;
  // Four digits, as the JSON report keeps them: the same ECE reads the same before and now.
  auto ece = [](double v) { return v < 0 ? std::string("-") : fixed(round_to(v, 4), 4); };
  auto confident = [](double acc, int n) { return acc < 0 ? std::string("-") : pct(acc) + " of " + std::to_string(n); };
  auto change = [&](const BaselineChange& c) {
    out << "  [" << c.db_id << "] " << c.question << "  (" << c.id << ")\n"
        << "    before: " << (c.before_sql.empty() ? "(no answer)" : c.before_sql) << "\n"
        << "    now:    " << (c.now_sql.empty() ? "(no answer)" : c.now_sql) << "\n";
    if (!c.reason.empty()) out << "    reason: " << c.reason << "\n";
  };
  for (size_t i = 0; i < summaries.size() && i < baselines.size(); ++i) {
    const EvalMetrics& now = summaries[i].overall;
    const BaselineComparison& b = baselines[i];
    out << "\nagainst " << b.path << " (" << b.mode << "): " << b.matched << " questions compared";
    if (b.only_now) out << ", " << b.only_now << " not in the baseline";
    if (b.only_before) out << ", " << b.only_before << " of the baseline not in this run";
    out << "\n"
        << pad("  execution accuracy", 28) << pct(b.before.execution_accuracy) << " -> "
        << pct(now.execution_accuracy) << "\n"
        << pad("  answered rate", 28) << pct(b.before.answered_rate) << " -> " << pct(now.answered_rate) << "\n"
        << pad("  ECE", 28) << ece(b.before.ece) << " -> " << ece(now.ece) << "\n"
        << pad("  accuracy at conf >= 0.9", 28) << confident(b.before.confident_accuracy, b.before.confident)
        << " -> " << confident(now.confident_accuracy, now.confident) << "\n"
        << "  gained " << b.gained.size() << ", lost " << b.lost.size() << ", changed SQL " << b.changed_sql << "\n";
    if (!b.lost.empty()) out << "lost (" << b.mode << "): " << b.lost.size() << "\n";
    for (const auto& c : b.lost) change(c);
    if (!b.gained.empty() && gained_limit > 0) {
      size_t shown = std::min(b.gained.size(), static_cast<size_t>(gained_limit));
      out << "gained (" << b.mode << "): " << b.gained.size();
      if (shown < b.gained.size()) out << ", the first " << shown;
      out << "\n";
      for (size_t k = 0; k < shown; ++k) change(b.gained[k]);
    }
  }
  return out.str();
}

std::string report_table(const std::vector<EvalSummary>& summaries) {
  if (summaries.empty()) return "";
  std::ostringstream out;
  const EvalSummary& first = summaries[0];
  out << "suite " << first.suite << ": " << first.overall.n << " questions";
  if (first.gold_errors) out << " (" << first.gold_errors << " left out: gold query failed)";
  if (first.skipped) out << " (" << first.skipped << " skipped: database missing)";
  out << "\n";
  out << "similarity: " << first.similarity_measure << "\n";
  if (!first.judge_name.empty()) out << "judge: " << first.judge_name << "\n";
  if (!first.training_set.empty()) {
    out << "novel questions: " << first.overall.novel << " of " << first.overall.n
        << " (gold SQL skeleton not in " << first.training_set << ")\n";
  }
  out << "\n";
  const size_t label_w = 22, col_w = 14;
  out << pad("", label_w);
  for (const auto& s : summaries) out << pad(s.mode, col_w, true);
  out << "\n";
  for (const auto& [label, cells] : metric_rows(summaries)) {
    out << pad(label, label_w);
    for (const auto& c : cells) out << pad(c, col_w, true);
    out << "\n";
  }

  auto breakdown = [&](const char* title, auto get) {
    std::vector<std::string> names;
    for (const auto& s : summaries) {
      for (const auto& [name, m] : get(s)) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    if (names.empty()) return;
    size_t w = label_w;
    for (const auto& n : names) w = std::max(w, n.size() + 2);
    out << "\n" << pad(title, w) << pad("n", 6, true);
    for (const auto& s : summaries) out << pad(s.mode + " EX", col_w, true) << pad("answered acc", col_w + 4, true);
    out << "\n";
    for (const auto& name : names) {
      out << pad(name, w);
      bool n_done = false;
      for (const auto& s : summaries) {
        const EvalMetrics* m = nullptr;
        for (const auto& [k, v] : get(s)) {
          if (k == name) m = &v;
        }
        if (!n_done) {
          out << pad(m ? std::to_string(m->n) : "0", 6, true);
          n_done = true;
        }
        out << pad(m ? pct(m->execution_accuracy) : "-", col_w, true)
            << pad(m ? pct(m->answered_accuracy) + " of " + std::to_string(m->answered) : "-", col_w + 4, true);
      }
      out << "\n";
    }
  };
  for (const auto& s : summaries) {
    if (s.overall.ece < 0) continue;
    out << "\nreliability (" << s.mode << ")" << pad("", 4) << pad("answers", 9, true) << pad("mean conf", 11, true)
        << pad("accuracy", 10, true) << "\n";
    for (const auto& b : s.overall.reliability) {
      if (b.n == 0) continue;
      out << pad(fixed(b.low, 1) + "-" + fixed(b.high, 1), 17 + s.mode.size()) << pad(std::to_string(b.n), 9, true)
          << pad(fixed(b.mean_confidence, 3), 11, true) << pad(pct(ratio(b.correct, b.n)), 10, true) << "\n";
    }
  }
  breakdown(
      "by hardness", [](const EvalSummary& s) -> const auto& { return s.by_hardness; });
  breakdown(
      "by category", [](const EvalSummary& s) -> const auto& { return s.by_category; });
  return out.str();
}

std::string reliability_svg(const std::vector<EvalSummary>& summaries) {
  // A 320 x 320 plot area: confidence to the right, accuracy up.
  const double x0 = 60, y0 = 20, w = 320, h = 320;
  static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << x0 + w + 180 << "\" height=\"" << y0 + h + 60
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg << "<rect x=\"" << x0 << "\" y=\"" << y0 << "\" width=\"" << w << "\" height=\"" << h
      << "\" fill=\"none\" stroke=\"#888\"/>\n";
  for (int i = 0; i <= 10; i += 2) {
    double f = i / 10.0;
    svg << "<text x=\"" << x0 + f * w << "\" y=\"" << y0 + h + 16 << "\" text-anchor=\"middle\">" << fixed(f, 1)
        << "</text>\n";
    svg << "<text x=\"" << x0 - 6 << "\" y=\"" << y0 + h - f * h + 4 << "\" text-anchor=\"end\">" << fixed(f, 1)
        << "</text>\n";
  }
  svg << "<line x1=\"" << x0 << "\" y1=\"" << y0 + h << "\" x2=\"" << x0 + w << "\" y2=\"" << y0
      << "\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n";
  svg << "<text x=\"" << x0 + w / 2 << "\" y=\"" << y0 + h + 36 << "\" text-anchor=\"middle\">confidence</text>\n";
  svg << "<text x=\"16\" y=\"" << y0 + h / 2 << "\" transform=\"rotate(-90 16 " << y0 + h / 2
      << ")\" text-anchor=\"middle\">accuracy</text>\n";
  for (size_t i = 0; i < summaries.size(); ++i) {
    const EvalSummary& s = summaries[i];
    const char* color = kColors[i % 6];
    std::string points;
    for (const auto& b : s.overall.reliability) {
      if (b.n == 0) continue;
      double px = x0 + b.mean_confidence * w, py = y0 + h - ratio(b.correct, b.n) * h;
      points += fixed(px, 1) + "," + fixed(py, 1) + " ";
      // The dot's area grows with the bin's share of the answers.
      double r = 2.5 + 6 * std::sqrt(ratio(b.n, std::max(1, s.overall.answered)));
      svg << "<circle cx=\"" << fixed(px, 1) << "\" cy=\"" << fixed(py, 1) << "\" r=\"" << fixed(r, 1) << "\" fill=\""
          << color << "\" fill-opacity=\"0.6\"/>\n";
    }
    if (!points.empty()) svg << "<polyline points=\"" << points << "\" fill=\"none\" stroke=\"" << color << "\"/>\n";
    std::string label = s.mode + (s.overall.ece < 0 ? "" : " (ECE " + fixed(s.overall.ece, 3) + ")");
    std::string escaped;
    for (char ch : label)
      escaped += ch == '<' ? std::string("&lt;") : ch == '&' ? std::string("&amp;") : std::string(1, ch);
    svg << "<text x=\"" << x0 + w + 12 << "\" y=\"" << y0 + 14 + 18 * i << "\" fill=\"" << color << "\">" << escaped
        << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string report_markdown(const std::vector<EvalSummary>& summaries, const std::vector<const EvalRun*>& runs,
                            const std::string& plot_file) {
  std::ostringstream out;
  if (summaries.empty()) return "";
  const EvalSummary& first = summaries[0];
  out << "# Evaluation: " << first.suite << "\n\n";
  out << "Similarity: " << first.similarity_measure << ".";
  if (!first.judge_name.empty()) out << " Judge: " << first.judge_name << ".";
  if (!first.training_set.empty()) {
    out << " Novel questions: " << first.overall.novel << " of " << first.overall.n << " (gold SQL skeleton not in "
        << first.training_set << ").";
  }
  out << "\n\n";
  out << "| metric |";
  for (const auto& s : summaries) out << " " << s.mode << " |";
  out << "\n|---|";
  for (size_t i = 0; i < summaries.size(); ++i) out << "---:|";
  out << "\n";
  out << "| questions |";
  for (const auto& sm : summaries) out << " " << sm.overall.n << " |";
  out << "\n";
  for (const auto& [label, cells] : metric_rows(summaries)) {
    out << "| " << label << " |";
    for (const auto& c : cells) out << " " << c << " |";
    out << "\n";
  }
  bool any_answered = false;
  for (const auto& s : summaries) any_answered = any_answered || s.overall.ece >= 0;
  if (any_answered) {
    out << "\n## Calibration\n\nHow often an answer given with a confidence is right (answered questions only; "
           "perfect calibration puts every bin on the diagonal).\n\n";
    if (!plot_file.empty()) out << "![reliability diagram](" << plot_file << ")\n\n";
    for (const auto& s : summaries) {
      if (s.overall.ece < 0) continue;
      out << "### " << s.mode << " (ECE " << fixed(s.overall.ece, 3) << ")\n\n"
          << "| confidence | answers | mean confidence | accuracy | |\n|---|---:|---:|---:|---|\n";
      for (const auto& b : s.overall.reliability) {
        if (b.n == 0) continue;
        double acc = ratio(b.correct, b.n);
        out << "| " << fixed(b.low, 1) << "-" << fixed(b.high, 1) << " | " << b.n << " | "
            << fixed(b.mean_confidence, 3) << " | " << pct(acc) << " | `"
            << std::string(static_cast<size_t>(std::lround(acc * 20)), '#')
            << std::string(20 - static_cast<size_t>(std::lround(acc * 20)), '.') << "` |\n";
      }
      out << "\n";
    }
  }
  for (size_t i = 0; i < summaries.size(); ++i) {
    const EvalSummary& s = summaries[i];
    if (!s.by_hardness.empty() || !s.by_category.empty()) {
      out << "\n## " << s.mode
          << ": breakdown\n\n| group | n | execution accuracy | answered | accuracy on answered |\n"
          << "|---|---:|---:|---:|---:|\n";
      for (const auto* list : {&s.by_hardness, &s.by_category}) {
        for (const auto& [name, m] : *list) {
          out << "| " << name << " | " << m.n << " | " << pct(m.execution_accuracy) << " | " << pct(m.answered_rate)
              << " | " << pct(m.answered_accuracy) << " |\n";
        }
      }
    }
    if (i >= runs.size() || !runs[i]) continue;
    int failures = 0;
    for (const auto& c : runs[i]->cases) failures += !c.correct;
    out << "\n## " << s.mode << ": failures (" << failures << ")\n";
    for (const auto& c : runs[i]->cases) {
      if (c.correct) continue;
      out << "\n### " << c.id << " (" << c.db_id << ", " << c.hardness;
      if (!c.category.empty()) out << ", " << c.category;
      out << ")\n\n";
      out << "- **Question:** " << c.question << "\n";
      out << "- **Reason:** " << c.reason << "\n\n";
      out << "Gold:\n\n```sql\n" << c.gold_sql << "\n```\n\n";
      out << "Predicted:\n\n```sql\n" << (c.predicted_sql.empty() ? "-- (none)" : c.predicted_sql) << "\n```\n";
    }
  }
  return out.str();
}

}  // namespace t2sql
