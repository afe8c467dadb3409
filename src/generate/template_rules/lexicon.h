// The cue words of the analyst rules (template_rules/*.cc) in one place: what
// a word means to the rules is data here, not string lists inside functions.
// Lowercase, as the question parser's `lower` form; constant, thread-safe.
#pragma once

#include <set>
#include <string>

namespace t2sql::template_rules::lexicon {

// "share of revenue", "what percentage of stores": a part of a total.
inline const std::set<std::string> kShare = {"share", "percentage", "percent", "proportion", "fraction", "pct", "%"};
// Verbs that say a part belongs to the whole ("came from", "account for").
inline const std::set<std::string> kShareVerbs = {"account", "accounts",   "accounted",   "came",        "come",
                                                  "comes",   "contribute", "contributed", "contributes", "make",
                                                  "makes",   "made",       "up",          "represent",   "represents"};
inline const std::set<std::string> kWeekend = {"weekend", "weekends"};
inline const std::set<std::string> kWeekday = {"weekday", "weekdays", "workday", "workdays", "working"};
// Superlatives of a change ("grew the most", "declined the least").
inline const std::set<std::string> kMost = {"most", "fastest", "biggest", "largest", "strongest"};
inline const std::set<std::string> kLeast = {"least", "slowest", "smallest", "weakest"};
// "average revenue per store": an average over per-entity totals.
inline const std::set<std::string> kAverage = {"average", "avg", "mean", "typical"};
inline const std::set<std::string> kPer = {"per"};
// "in each category", "for every region", "within each brand": a group.
inline const std::set<std::string> kEach = {"each", "every"};
// "how many products do we sell": the verb after a pronoun names no table.
inline const std::set<std::string> kPronouns = {"we", "you", "they", "i"};
// Words of a column that holds money: the measure of "which region grew".
inline const std::set<std::string> kMoneyWords = {"amount", "revenue", "sales",   "sale",   "price", "cost",
                                                  "total",  "fee",     "payment", "income", "spend", "value"};
// "month-over-month growth": each period against the one before.
inline const std::set<std::string> kMonthOverMonth = {"month-over-month", "mom"};
inline const std::set<std::string> kYearOverYear = {"year-over-year", "yoy"};
inline const std::set<std::string> kChangeWords = {"growth", "change", "changes", "increase", "decrease", "difference"};
inline const std::set<std::string> kPercent = {"percentage", "percent", "pct", "%"};
// Shapes some rule must read, or the engine abstains: answering a plain
// total for "month-over-month growth" is worse than not answering.
inline const std::set<std::string> kShapeCues = {
    "share",   "percentage", "percent",          "proportion",     "fraction",       "growth",
    "grew",    "weekend",    "weekends",         "weekday",        "weekdays",       "quarterly",
    "quarter", "quarters",   "month-over-month", "year-over-year", "week-over-week", "mom",
    "yoy",     "cumulative", "running",          "rolling",        "median",         "percentile"};

}  // namespace t2sql::template_rules::lexicon
