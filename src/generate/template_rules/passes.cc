// Every rule of the template engine in its declared order, each switchable
// by name (TemplateOptions::disabled_rules, `t2sql eval --disable-rule NAME`),
// as DuckDB's optimizer passes are. The order matters: the cues of the
// question first (counts, rankings, time groups), then its conditions, the
// roles of its words, its dates, the query built from them, the analyst
// rules (analyst_rules.cc), and the checks of what was left unread.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "generate/template_generator.h"
#include "generate/template_query_builder.h"

namespace t2sql::template_rules {

namespace {

// The analyst rules' own examples (their list is analyst_rule_names()).
const std::map<std::string, std::string> kAnalystExamples = {
    {"growth_measure", "\"Which region grew the most from 2023 to 2024?\": the sales amount of the region's rows"},
    {"growth_superlative", "\"Which brand's revenue grew the most?\": the brands ordered by their change, LIMIT 1"},
    {"entity_count", "\"How many products do we sell?\": COUNT(*) FROM products"},
    {"weekday", "\"Weekend sales in 2024\": day of the week IN (0, 6)"},
    {"compare_values", "\"Compare revenue of the North and South regions\": one total per region, GROUP BY region"},
    {"share_of_total", "\"What share of revenue does each region account for?\": total * 100.0 / the grand total"},
    {"per_entity_average", "\"Average revenue per store in each region\": AVG of per-store totals"},
    {"top_k_per_group", "\"Top 3 products in each category\": ROW_NUMBER() OVER (PARTITION BY category ...) <= 3"},
    {"period_over_period", "\"Month-over-month revenue growth in 2024\": each month's total and its change (LAG)"},
    {"running_total", "\"Running total of revenue by month in 2024\": each month's total summed so far (SUM OVER)"},
    {"median", "\"What's the median sale amount?\": the middle value (SQLite: LIMIT/OFFSET over the count; MEDIAN())"},
    {"top_k_share", "\"Percentage of revenue from the top 10 products\": the top 10's total * 100.0 / the total"},
    {"unknown_value", "\"Show stores in Berlin\" with no Berlin stored: abstains, naming 'Berlin'"},
    {"unread_shape", "\"What is the 90th percentile fee?\": abstains (a shape cue no rule read)"},
};

// Rules read inside a pass (it calls enabled(name)), listed after it.
const std::map<std::string, std::vector<RuleInfo>> kSubRules = {
    {"comparisons",
     {{"comparison_chain", "conditions",
       "\"Products priced lower than 600 or higher than 900\": the second comparison on the first's column", false},
      {"count_of_times", "conditions",
       "\"Channel codes used less than 5 times\": GROUP BY channel_code HAVING COUNT(*) < 5", false}}},
};

}  // namespace

const std::vector<TemplateQueryBuilder::Pass>& TemplateQueryBuilder::passes() {
  // clang-format off
  static const std::vector<Pass> kPasses = {
  {"count_cue", "shape", false, &TemplateQueryBuilder::pass_count_cue,
   "\"How many singers are there?\": COUNT(*); \"how many different countries\": COUNT(DISTINCT country)"},
  {"focus", "shape", true, &TemplateQueryBuilder::pass_focus,
   "\"Show the names of all stadiums\": FROM stadium (the main table; every linked word resolved)"},
  {"ranking_limit", "shape", false, &TemplateQueryBuilder::pass_ranking_limit,
   "\"Top 5 stores by revenue\": LIMIT 5, descending"},
  {"time_groups", "shape", false, &TemplateQueryBuilder::pass_time_groups,
   "\"Revenue by month\": GROUP BY the year-month of the date column"},
  {"weekday_groups", "shape", false, &TemplateQueryBuilder::pass_weekday_groups,
   "\"Number of sales per weekday\": GROUP BY the day of the week (0 = Sunday), in that order"},
  {"year_comparison_cue", "shape", false, &TemplateQueryBuilder::pass_year_comparison_cue,
   "\"Sales in 2023 vs 2024 by region\": the two years side by side, not a filter"},
  {"between", "conditions", false, &TemplateQueryBuilder::pass_between,
   "\"Products priced between 10 and 20\": price BETWEEN 10 AND 20"},
  {"comparisons", "conditions", false, &TemplateQueryBuilder::pass_comparisons,
   "\"Singers older than 30\": age > 30; \"stores with more than 3 sales\": HAVING COUNT(*) > 3"},
  {"number_beside_column", "conditions", false, &TemplateQueryBuilder::pass_number_beside_column,
   "\"Cars with 4 cylinders\": cylinders = 4"},
  {"column_then_number", "conditions", false, &TemplateQueryBuilder::pass_column_then_number,
   "\"The aircraft with id 12\": aid = 12; \"the account name 162\": account_name = '162'"},
  {"n_or_more", "conditions", false, &TemplateQueryBuilder::pass_n_or_more,
   "\"Students with 2 or more pets\": HAVING COUNT(*) >= 2"},
  {"values", "conditions", false, &TemplateQueryBuilder::pass_values,
   "\"Stores in Texas or Ohio\": state IN ('Texas', 'Ohio'); \"not in Texas\": !="},
  {"latest_period_cue", "conditions", false, &TemplateQueryBuilder::pass_latest_period_cue,
   "\"Revenue in the latest month\": the last period stored (see latest_period)"},
  {"still_open", "conditions", false, &TemplateQueryBuilder::pass_still_open,
   "\"Stores still open\": closed_on IS NULL"},
  {"quoted_text", "conditions", false, &TemplateQueryBuilder::pass_quoted_text,
   "\"Songs whose title contains 'love'\": title LIKE '%love%'"},
  {"roles", "shape", false, &TemplateQueryBuilder::pass_roles,
   "\"Average price of products by brand, highest first\": AVG(price), grouped by brand, ordered"},
  {"leftover_cues", "shape", false, &TemplateQueryBuilder::pass_leftover_cues,
   "\"List singers in alphabetical order\": ORDER BY name"},
  {"date_column", "dates", false, &TemplateQueryBuilder::pass_date_column,
   "\"Stores opened in 2023\": the dates apply to opened_on, the column the question names"},
  {"latest_period", "dates", false, &TemplateQueryBuilder::pass_latest_period,
   "\"Revenue in the latest month\": month = (SELECT MAX(month) ...)"},
  {"weeks_and_holidays", "dates", false, &TemplateQueryBuilder::pass_weeks_and_holidays,
   "\"Sales during Christmas week 2023\": date BETWEEN '2023-12-18' AND '2023-12-24'"},
  {"months", "dates", false, &TemplateQueryBuilder::pass_months,
   "\"Sales in March 2024\": year-month = '2024-03'"},
  {"quarters", "dates", false, &TemplateQueryBuilder::pass_quarters,
   "\"Revenue in Q1 2024\": the first three months of 2024"},
  {"relative_ranges", "dates", false, &TemplateQueryBuilder::pass_relative_ranges,
   "\"Sales in the last 3 months\": from the latest date in the data back 3 months"},
  {"years", "dates", false, &TemplateQueryBuilder::pass_years,
   "\"Concerts in 2014\": year = 2014; \"from 2021 to 2023\": a range"},
  {"or_conditions", "conditions", false, &TemplateQueryBuilder::pass_or_conditions,
   "\"Members under age 30 or with a black membership card\": age < 30 OR membership_card = 'Black'"},
  {"negated_relation", "shape", false, &TemplateQueryBuilder::pass_negated_relation,
   "\"Courses without prerequisites\": the table prereq, joined to course, is the related rows negated"},
  {"negation", "shape", false, &TemplateQueryBuilder::pass_negation,
   "\"Stadiums without concerts\": stadium_id NOT IN (SELECT stadium_id FROM concert)"},
  {"measure_per_entity", "shape", false, &TemplateQueryBuilder::pass_measure_per_entity,
   "\"Which store had the highest sales?\": the sales totalled per store"},
  {"fixed_entity", "shape", false, &TemplateQueryBuilder::pass_fixed_entity,
   "\"The number of albums by the artist Metallica\": one count, not a count per artist"},
  {"group_key", "shape", false, &TemplateQueryBuilder::pass_group_key,
   "\"Total sales per store\": grouped by the store's key, shown by its name"},
  {"count_superlative", "shape", false, &TemplateQueryBuilder::pass_count_superlative,
   "\"The stadium with the most concerts\": ORDER BY COUNT(*) DESC LIMIT 1"},
  {"all_columns", "shape", false, &TemplateQueryBuilder::pass_all_columns,
   "\"Show all information about each body builder\": SELECT * (every column of the table asked about)"},
  {"condition_column", "shape", false, &TemplateQueryBuilder::pass_condition_column,
   "\"The theme and date of the exhibition in year 2004\": year = 2004, the year not shown"},
  {"projection", "shape", false, &TemplateQueryBuilder::pass_projection,
   "\"Sales in March 2024\": SELECT SUM(amount) (a measure named alone: its total)"},
  {"group_by", "shape", false, &TemplateQueryBuilder::pass_group_by,
   "\"Regions with more than 7 stores\": GROUP BY region HAVING COUNT(*) > 7"},
  {"ordering", "shape", false, &TemplateQueryBuilder::pass_ordering,
   "\"Revenue by region, highest first\": ORDER BY the total DESC"},
  {"distinct_values", "shape", false, &TemplateQueryBuilder::pass_distinct_values,
   "\"List all regions\": SELECT DISTINCT region"},
  {"period_total", "shape", false, &TemplateQueryBuilder::pass_period_total,
   "\"What was the amount in January 2023?\": SUM(amount) of that month"},
  {"year_over_year", "shape", false, &TemplateQueryBuilder::pass_year_over_year,
   "\"Revenue by region in 2023 and 2024\": SUM(CASE WHEN year = ... ) per year, side by side"},
  {"analyst_rules", "analyst", true, &TemplateQueryBuilder::pass_analyst_rules,
   "the analyst rules below, each switchable by its own name"},
  {"average_of_period_totals", "finish", false, &TemplateQueryBuilder::pass_average_of_period_totals,
   "\"Average monthly revenue\": AVG of the monthly totals"},
  {"aggregate_of_period_counts", "finish", false, &TemplateQueryBuilder::pass_aggregate_of_period_counts,
   "\"The highest number of sales in any month\": MAX of the monthly counts"},
  {"count_of_groups", "finish", false, &TemplateQueryBuilder::pass_count_of_groups,
   "\"How many customers have more than 2 orders?\": COUNT(*) of the groups the HAVING keeps, one number"},
  {"aggregate_of_extreme_row", "finish", false, &TemplateQueryBuilder::pass_aggregate_of_extreme_row,
   "\"The number of concerts in the stadium with the highest capacity\": stadium_id IN (SELECT ... ORDER BY capacity DESC LIMIT 1)"},
  {"extreme_row", "finish", false, &TemplateQueryBuilder::pass_extreme_row,
   "\"The name of the stadium that has the maximum capacity\": ORDER BY capacity DESC LIMIT 1, not MAX(capacity)"},
  {"unexplained_words", "finish", false, &TemplateQueryBuilder::pass_unexplained_words,
   "\"Singers who sing loudly\": 'loudly' is read by no rule, the confidence falls"},
  {"unused_items", "finish", false, &TemplateQueryBuilder::pass_unused_items,
   "\"Singers with 3 ...\" where 3 was placed nowhere: the confidence falls"},
  {"both_intersection", "finish", false, &TemplateQueryBuilder::pass_both_intersection,
   "\"Customers with loans of both Mortgages and Auto\": ... = 'Mortgages' INTERSECT ... = 'Auto'"},
  {"unsupported_shapes", "finish", false, &TemplateQueryBuilder::pass_unsupported_shapes,
   "\"Students who have both a dog and a cat\": an intersection, the confidence falls"},
  };
  // clang-format on
  return kPasses;
}

const std::vector<RuleInfo>& rule_catalog() {
  static const std::vector<RuleInfo> kCatalog = [] {
    std::vector<RuleInfo> all;
    for (const auto& p : TemplateQueryBuilder::passes()) {
      if (std::string(p.name) == "analyst_rules") {
        for (const auto& name : analyst_rule_names()) {
          auto ex = kAnalystExamples.find(name);
          all.push_back({name, "analyst", ex == kAnalystExamples.end() ? "" : ex->second, false});
        }
        continue;
      }
      all.push_back({p.name, p.stage, p.example, p.required});
      if (auto sub = kSubRules.find(p.name); sub != kSubRules.end()) {
        for (const auto& r : sub->second) all.push_back(r);
      }
    }
    // Before the reading: the joins (join_graph.cc).
    all.push_back({"undeclared_keys", "generator",
                   "\"Names of actors and the musicals they are in\" where no foreign key is declared: "
                   "actor.Musical_ID = musical.Musical_ID, a column named as the other table's key",
                   false});
    // After the reading: the question read again for each rival link
    // (TemplateGenerator::read_alternatives, template_alternatives.cc).
    all.push_back({"alternatives", "generator",
                   "\"Which members are from Paris?\" with Paris stored as a home city and as a work city: the "
                   "other reading carried; when neither is more likely and their answers differ, abstains",
                   false});
    return all;
  }();
  return kCatalog;
}

const std::vector<std::string>& rule_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& r : rule_catalog()) {
      if (!r.required) names.push_back(r.name);
    }
    return names;
  }();
  return kNames;
}

std::vector<double> TemplateQueryBuilder::pass_fingerprint() const {
  double consumed = 0, used = 0, conds = 0;
  for (bool c : consumed_) consumed += c;
  for (const auto& it : items_) used += it.used;
  for (const auto& g : q_.where) conds += static_cast<double>(g.size());
  return {consumed,
          used,
          static_cast<double>(items_.size()),
          static_cast<double>(q_.select.size()),
          conds,
          static_cast<double>(q_.group_by.size()),
          static_cast<double>(q_.having.size()),
          static_cast<double>(q_.order_by.size()),
          static_cast<double>(q_.limit),
          static_cast<double>(q_.distinct),
          static_cast<double>(q_.tables.size()),
          confidence_,
          static_cast<double>(nested_sql_.size()),
          static_cast<double>(shape_.plain.size() + shape_.aggs.size() + shape_.groups.size() + shape_.orders.size()),
          static_cast<double>(shape_.group_exprs.size()),
          static_cast<double>(focus_),
          static_cast<double>(count_) + 2.0 * yoy_ + 4.0 * static_cast<double>(group_part_) + 64.0 * time_filtered_,
          static_cast<double>(date_.dc) + 1e6 * static_cast<double>(date_.yc),
          static_cast<double>(rules_fired_.size())};
}

void TemplateQueryBuilder::run() {
  link();
  const auto& disabled = gen_.options().disabled_rules;
  for (const auto& pass : passes()) {
    if (!pass.required && disabled.count(pass.name)) continue;
    auto before = pass_fingerprint();
    if (!(this->*pass.apply)()) {
      confidence_ = 0;  // abstain, with reason_
      return;
    }
    // The analyst rules name themselves (run_analyst_rules).
    if (pass.apply != &TemplateQueryBuilder::pass_analyst_rules && pass_fingerprint() != before) fired(pass.name);
  }
  q_.name_aggregates = true;
  sql_ = nested_sql_.empty() ? render(q_) : nested_sql_;
  if (sql_.empty()) confidence_ = 0;
  collect_features(!nested_sql_.empty(), unexplained_);
}

bool TemplateQueryBuilder::pass_analyst_rules() {
  run_analyst_rules(nested_sql_);
  return true;
}

bool TemplateQueryBuilder::pass_year_over_year() {
  return !yoy_case_ || year_over_year();
}

}  // namespace t2sql::template_rules
