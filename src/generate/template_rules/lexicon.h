// The cue words of the analyst rules (template_rules/*.cc) in one place: what
// a word means to the rules is data here, not string lists inside functions.
// Lowercase, as the question parser's `lower` form; constant, thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>

#include "generate/template_query_builder.h"

namespace t2sql::template_rules::lexicon {

// "share of revenue", "what percentage of stores": a part of a total.
inline const std::set<std::string> kShare = {"share", "percentage", "percent", "proportion", "fraction", "pct", "%"};
// Verbs that say a part belongs to the whole ("came from", "account for").
inline const std::set<std::string> kShareVerbs = {"account", "accounts",   "accounted",   "came",        "come",
                                                  "comes",   "contribute", "contributed", "contributes", "make",
                                                  "makes",   "made",       "up",          "represent",   "represents"};
inline const std::set<std::string> kWeekend = {"weekend", "weekends"};
inline const std::set<std::string> kWeekday = {"weekday", "weekdays", "workday", "workdays", "working"};
// "per weekday", "by day of the week": the rows grouped by the day of the week
// (weekday_groups); the word before it says it groups.
inline const std::set<std::string> kWeekdayGroupWords = {"weekday", "weekdays", "day-of-week", "dow"};
inline const std::set<std::string> kGroupCueBefore = {"per", "by", "each", "every", "which", "what"};
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
// "Compare revenue of the North and South regions", "Electronics vs Toys".
inline const std::set<std::string> kCompareValues = {"compare", "compared", "comparing", "comparison",
                                                     "vs",      "vs.",      "versus",    "against"};
// "cumulative revenue by month", "running total of sales per month".
inline const std::set<std::string> kCumulative = {"cumulative", "cumulated"};
inline const std::set<std::string> kRunningFigure = {"total", "totals", "sum", "count"};
inline const std::set<std::string> kMonthOverMonth = {"month-over-month", "mom"};
inline const std::set<std::string> kYearOverYear = {"year-over-year", "yoy"};
inline const std::set<std::string> kChangeWords = {"growth", "change", "changes", "increase", "decrease", "difference"};
inline const std::set<std::string> kPercent = {"percentage", "percent", "pct", "%"};
// "stores in Berlin", "customers from Lyon": a name after these words is a
// value the question filters by (unknown_value abstains when none matches).
inline const std::set<std::string> kValuePrepositions = {"in", "from", "at"};
inline const std::set<std::string> kDayNames = {"monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
// "the median sale amount": the middle value (median).
inline const std::set<std::string> kMedian = {"median"};
// Shapes some rule must read, or the engine abstains: answering a plain
// total for "month-over-month growth" is worse than not answering.
inline const std::set<std::string> kShapeCues = {
    "share",   "percentage", "percent",          "proportion",     "fraction",       "growth",
    "grew",    "weekend",    "weekends",         "weekday",        "weekdays",       "quarterly",
    "quarter", "quarters",   "month-over-month", "year-over-year", "week-over-week", "mom",
    "yoy",     "cumulative", "running",          "rolling",        "median",         "percentile"};

// ---- Cue words of the core passes (template_rules/shape, conditions, dates, finish).

// "average price", "total sales", "maximum age": an aggregate of what follows.
inline const std::map<std::string, Agg> kAggregates = {
    {"average", Agg::kAvg}, {"avg", Agg::kAvg},     {"mean", Agg::kAvg},     {"total", Agg::kSum},
    {"sum", Agg::kSum},     {"overall", Agg::kSum}, {"combined", Agg::kSum}, {"cumulative", Agg::kSum},
    {"maximum", Agg::kMax}, {"max", Agg::kMax},     {"minimum", Agg::kMin},  {"min", Agg::kMin}};
// "how old is the youngest ...", "how tall is the tallest ...": the
// question asks for the figure that the superlative ranks by.
inline const std::set<std::string> kHowFigures = {"old", "tall", "heavy", "long", "big", "large", "high"};
// Words too generic to link alone that, listed after a column ("the ids and
// details of all accounts"), name another column of its table
// (account_details): listed_attribute.
inline const std::set<std::string> kListedAttributeWords = {
    "details", "detail", "description", "descriptions", "info", "information", "notes", "comments", "status", "data"};
// Superlatives: direction, implied column words ("oldest": age), and
// whether they may count rows ("the most concerts").
inline const std::map<std::string, Superlative> kSuperlatives = {
    {"highest", {true, {}, false}},
    {"largest", {true, {}, false}},
    {"biggest", {true, {}, false}},
    {"greatest", {true, {}, false}},
    {"most", {true, {}, true}},
    {"best", {true, {}, false}},
    {"top", {true, {}, false}},
    {"maximum", {true, {}, false}},
    {"lowest", {false, {}, false}},
    {"smallest", {false, {}, false}},
    {"least", {false, {}, true}},
    {"fewest", {false, {}, true}},
    {"minimum", {false, {}, false}},
    {"worst", {false, {}, false}},
    {"bottom", {false, {}, false}},
    {"oldest", {true, {"age"}, false}},
    {"youngest", {false, {"age"}, false}},
    {"heaviest", {true, {"weight"}, false}},
    {"lightest", {false, {"weight"}, false}},
    {"tallest", {true, {"height"}, false}},
    {"shortest", {false, {"height"}, false}},
    {"longest", {true, {"length"}, false}},
    {"cheapest", {false, {"price"}, false}},
    {"latest", {true, {"date"}, false}},
    {"newest", {true, {"date"}, false}},
    {"earliest", {false, {"date"}, false}},
    {"most-recent", {true, {"date"}, false}},
    {"best-selling", {true, {}, true}},
    {"top-selling", {true, {}, true}},
    {"bestselling", {true, {}, true}},
    {"worst-selling", {false, {}, true}},
};
// Words that group ("by region", "per store", "monthly").
inline const std::set<std::string> kGroupingWords = {"each",    "per",    "by",     "every",
                                                     "monthly", "yearly", "annual", "annually"};

// Participles before "by" that name a maker ("made by Samsung"), not a grouping ("sold by category").
inline const std::set<std::string> kParticiples = {
    "written", "made",  "sold",  "built", "held",  "run",  "won",  "taught", "led",    "bought", "brought", "shown",
    "drawn",   "given", "taken", "grown", "known", "paid", "sung", "done",   "driven", "flown",  "kept",    "told"};
;
// Words that cost nothing when no rule reads them (question words, verbs of being and having, filler).
inline const std::set<std::string> kHarmlessWords = {
    "name",       "names",      "many",    "number",    "total",       "amount",       "count",      "show",
    "list",       "give",       "find",    "return",    "display",     "tell",         "get",        "much",
    "sum",        "comparison", "compare", "compared",  "vs",          "versus",       "than",       "year",
    "years",      "month",      "months",  "time",      "all",         "also",         "every",      "along",
    "their",      "there",      "exist",   "exists",    "existing",    "provide",      "known",      "called",
    "named",      "have",       "has",     "had",       "made",        "make",         "people",     "record",
    "records",    "row",        "rows",    "table",     "database",    "data",         "stored",     "registered",
    "available",  "sorted",     "listed",  "recorded",  "ordered",     "top",          "together",   "respectively",
    "what",       "are",        "were",    "is",        "was",         "did",          "does",       "do",
    "the",        "by",         "per",     "each",      "its",         "from",         "in",         "list",
    "descending", "ascending",  "order",   "whose",     "value",       "different",    "distinct",   "unique",
    "with",       "between",    "and",     "or",        "revenue",     "sales",        "overall",    "figure",
    "figures",    "breakdown",  "broken",  "down",      "over",        "across",       "altogether", "full",
    "complete",   "entire",     "current", "currently", "ever",        "produce",      "produced",   "produces",
    "own",        "owned",      "owns",    "happened",  "occurred",    "performed",    "perform",    "held",
    "take",       "took",       "taken",   "play",      "played",      "plays",        "belong",     "belongs",
    "work",       "works",      "worked",  "live",      "lives",       "lived",        "attend",     "attended",
    "create",     "created",    "creates", "involved",  "participate", "participated", "happen",     "occur",
    "hold",       "holds",      "sell",    "sold",      "buy",         "bought",       "come",       "comes",
    "go",
};
;
// "the average number of sales per month": the aggregate over per-period counts.
inline const std::map<std::string, Agg> kOuterAggregates = {
    {"average", Agg::kAvg}, {"avg", Agg::kAvg},      {"mean", Agg::kAvg},    {"highest", Agg::kMax},
    {"maximum", Agg::kMax}, {"max", Agg::kMax},      {"largest", Agg::kMax}, {"peak", Agg::kMax},
    {"biggest", Agg::kMax}, {"greatest", Agg::kMax}, {"lowest", Agg::kMin},  {"minimum", Agg::kMin},
    {"min", Agg::kMin},     {"smallest", Agg::kMin}, {"fewest", Agg::kMin}};
;
// "under 100 dollars": a number in money.
inline const std::set<std::string> kCurrency = {"dollar", "dollars", "usd",    "euro",  "euros",
                                                "eur",    "pound",   "pounds", "bucks", "$"};
;
// Column words of a money column, in the order they are tried (comparisons).
inline const std::vector<std::string> kMoneyColumnWords = {"price",  "cost",   "amount",  "revenue", "salary",
                                                           "fee",    "budget", "payment", "charge",  "spend",
                                                           "income", "wage",   "total"};
;
// "grew from 2023 to 2024": the later year is higher.
inline const std::set<std::string> kGrowUp = {"grow", "grew", "grown", "growth",  "increase", "increased", "increasing",
                                              "rose", "rise", "risen", "improve", "improved", "gain",      "gained"};
;
// "declined": the later year is lower.
inline const std::set<std::string> kGrowDown = {"decline", "declined", "decrease", "decreased", "drop",
                                                "dropped", "fell",     "fall",     "fallen",    "shrank",
                                                "shrink",  "shrunk",   "worsen",   "worsened",  "lost"};
;
// "how did it change": the difference of two years.
inline const std::set<std::string> kChangeVerbs = {"change", "changed", "difference", "differ", "delta"};
;
// "less in 2024 than in 2023".
inline const std::set<std::string> kLessWords = {"less", "fewer", "lower", "smaller", "worse"};
;
// "more in 2024 than in 2023".
inline const std::set<std::string> kMoreWords = {"more", "higher", "greater", "larger", "better", "bigger"};
;
// "the first quarter", "the 2nd half": the ordinal of a quarter or half.
inline const std::map<std::string, int> kQuarterOrdinals = {{"first", 1},  {"1st", 1},   {"second", 2},
                                                            {"2nd", 2},    {"third", 3}, {"3rd", 3},
                                                            {"fourth", 4}, {"4th", 4},   {"last", 4}};
;
// A cue word that is also a column name ("average", "highest") is the cue when another name follows it ("average age").
inline const std::set<std::string> kLinkCueWords = {"average", "total", "maximum", "minimum", "highest",
                                                    "lowest",  "most",  "least",   "number",  "count",
                                                    "sum",     "max",   "min",     "avg"};
;
// "different", "distinct", "unique": each value once.
inline const std::set<std::string> kDistinctWords = {"different", "distinct", "unique"};
;
// "all the information about", "all details of": every column (SELECT *).
inline const std::set<std::string> kAllColumnsWords = {"information", "info", "details",
                                                       "detail",      "data", "attributes"};
inline const std::set<std::string> kAllColumnsFollowers = {"of", "about", "on", "regarding", "for", "in", "from"};
;
// Words that start another clause: a negation does not reach past them.
inline const std::set<std::string> kClauseWords = {"and",  "or",    "but",   "who", "which",
                                                   "that", "whose", "where", "with"};
;
// After a negation, the article of a related table's rows named by one of
// its columns ("do not have any interactions").
inline const std::set<std::string> kAnyWords = {"any", "a", "an"};
;
// A number of rows: "used less than 5 times", "more than 2 records".
inline const std::set<std::string> kTimesWords = {"times", "records", "occurrences", "entries", "rows"};

// Words that ask for an identifier itself ("the ids of", "the code of").
inline const std::set<std::string> kIdentifierWords = {"id", "ids", "code", "number", "no", "key", "identifier", "num"};
;
// Lowercase words that the rules read (counts, verbs of having and
// belonging): never linked as a stored value on their own.
inline const std::set<std::string> kNotValueWords = {
    "number", "count", "total", "amount", "many",    "much",   "all",     "each", "every", "per",
    "name",   "list",  "show",  "have",   "has",     "had",    "made",    "make", "come",  "go",
    "belong", "take",  "took",  "held",   "hold",    "play",   "played",  "work", "live",  "own",
    "owned",  "give",  "find",  "return", "display", "record", "records", "time", "ever",  "exist"};
;
// Numbers in words, read as numbers by the question parser.
inline const std::set<std::string> kNumberWords = {"one",   "two",   "three", "four", "five",   "six",
                                                   "seven", "eight", "nine",  "ten",  "twelve", "twenty"};
;
// Words between a cue and its item that say nothing of their own ("the total number of").
inline const std::set<std::string> kFillerWords = {"number",   "total",  "amount",  "count",   "different",
                                                   "distinct", "unique", "overall", "combined"};

}  // namespace t2sql::template_rules::lexicon
