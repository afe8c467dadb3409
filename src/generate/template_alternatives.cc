// The other plausible readings of a question (TemplateGenerator::
// read_alternatives): where a span of words links about as well to another
// column or stored value (TemplateQueryBuilder::rivals_), the question is
// read again that way; a reading with different SQL is carried as an
// alternative, and when a reading as likely as the chosen one gives a
// different answer the engine abstains rather than pick one.
#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "generate/template_generator.h"
#include "generate/template_query_builder.h"
#include "t2sql/database.h"

namespace t2sql {

namespace {

// A rival link at most this much less likely is a plausible reading.
constexpr double kPlausibleMargin = 0.1;
// At most this much: as likely as the chosen one (neither clearly more likely).
constexpr double kTieMargin = 0.0;
constexpr size_t kMaxAlternatives = 2;

// The rows of a result as a sorted list of lines: the same answer whatever
// the row order.
std::vector<std::string> answer_lines(const ResultSet& rs) {
  std::vector<std::string> lines;
  for (const auto& row : rs.rows) {
    std::string line;
    for (const auto& v : row) line += v.to_string() + "\x1f";
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace

bool TemplateGenerator::read_alternatives(const GenerationRequest& request,
                                          const template_rules::TemplateQueryBuilder& main,
                                          GenerationResult& result) {
  if (main.sql_.empty() || main.rivals_.empty()) return false;
  std::vector<size_t> order(main.rivals_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return main.rivals_[a].margin < main.rivals_[b].margin; });
  std::set<std::string> seen = {main.sql_};
  std::optional<std::vector<std::string>> main_answer;
  bool main_ran = false;
  bool undecided = false;
  for (size_t k : order) {
    const auto& rival = main.rivals_[k];
    if (result.alternatives.size() >= kMaxAlternatives || rival.margin > kPlausibleMargin) break;
    template_rules::TemplateQueryBuilder alt(*this, catalog_, dialect_, linker_, joins_, *values_, request);
    alt.forced_ = rival;
    alt.run();
    // A reading the rules themselves doubt is not plausible.
    if (alt.sql_.empty() || alt.confidence_ < kRuleScoreGate || !seen.insert(alt.sql_).second) continue;
    bool disagree = true;
    if (db_) {
      if (!main_ran) {
        main_ran = true;
        auto rows = db_->execute(main.sql_);
        if (rows.ok()) main_answer = answer_lines(*rows);
      }
      // Answers are compared only when both readings ran: a time-out says
      // nothing about the question, and must not decide an abstention.
      if (!main_answer) break;
      auto rows = db_->execute(alt.sql_);
      if (!rows.ok()) continue;  // a reading that does not run is no answer
      disagree = answer_lines(*rows) != *main_answer;
    }
    if (!disagree) continue;  // the same answer either way
    // "\"Paris\" read as airports.city instead of flights.destination".
    std::string text = "\"" + rival.words + "\" read as " + main.place(rival);
    for (const auto& c : main.chosen_) {
      if (c.item == rival.item) text += " instead of " + main.place(c);
    }
    result.alternatives.push_back({alt.sql_, text});
    undecided = undecided || rival.margin <= kTieMargin;
  }
  return undecided;
}

}  // namespace t2sql
