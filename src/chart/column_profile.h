// ColumnProfile: what a chart needs to know about one result column (is it a
// measure, a category or time; how many distinct values), computed once from
// the rows. Shared by the chart chooser and both writers.
#pragma once

#include <string>
#include <vector>

#include "t2sql/value.h"

namespace t2sql {

enum class ColumnRole { kMeasure, kCategory, kTime };

struct ColumnProfile {
  std::string name;
  ColumnRole role = ColumnRole::kCategory;
  bool year_number = false;  // integers that are years (2023), not ISO text
  size_t distinct = 0;
  size_t non_null = 0;
  bool all_positive = true;  // measures only
};

std::vector<ColumnProfile> profile_columns(const ResultSet& rows);

// Index of a column by name, or -1.
int column_index(const ResultSet& rows, const std::string& name);

// A column name for people, in words: "SUM(sales.amount)" -> "total amount",
// "COUNT(DISTINCT a.store_id)" -> "distinct store id count", "COUNT(*)" ->
// "count", "total_amount" -> "total amount", "qty" -> "quantity"; other
// expressions are kept as written.
std::string readable_column_name(const std::string& name);

// "12.4M", "3.2K", "812", "0.37": three significant digits, for labels and answers.
std::string short_number(double value);

}  // namespace t2sql
