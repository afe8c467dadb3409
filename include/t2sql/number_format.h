// Numbers as people read them: how each result column is shown in the table
// and Markdown outputs, the answer sentence and (through the answer JSON's
// "column_formats") the web page. CSV and JSON keep full precision; this is
// display only.
//
// The rules, decided once per column from its name and its values:
//   text      a column holding anything but numbers: shown as is, left-aligned
//   plain     ids, codes, years (names like id, *_id, code, zip, phone, year, or
//             whole numbers 1900..2100 in a column named after time): digits only
//   money     names with amount, revenue, sales, price, cost, profit, income,
//             salary, budget, fee, payment, balance, spend, tax, ... (also
//             SUM(amount) and the like): 2 decimals (0 for an integer column),
//             thousands separators
//   percent   names with percent, percentage, pct or "%": 1 decimal (0 when every
//             value is whole), then "%"; the value is not scaled
//   integer   whole numbers: thousands separators ("102,277")
//   decimal   other real numbers: thousands separators; 0 decimals when every
//             value is whole, 2 when the largest magnitude is at least 1, else
//             enough for two significant digits of the smallest non-zero value
//             (at most 6)
// Every kind but text is right-aligned. NULL shows as "NULL"; NaN and
// infinities as their names.
//
//   auto formats = column_formats(rows);
//   std::string shown = format_number_cell(rows.rows[0][1], formats[1]);  // "15,722,014.79"
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "t2sql/value.h"

namespace t2sql {

enum class NumberKind { kText, kPlain, kMoney, kPercent, kInteger, kDecimal };

const char* number_kind_name(NumberKind kind);  // "text", "plain", "money", ...

struct ColumnFormat {
  NumberKind kind = NumberKind::kText;
  int decimals = 0;        // digits after the point
  bool thousands = false;  // "," between groups of three digits
  std::string suffix;      // "%" for percentages
  bool right_align = false;
};

// One format per column of `rows`.
std::vector<ColumnFormat> column_formats(const ResultSet& rows);

// The format of one column from its name, declared type and values.
ColumnFormat column_format(const std::string& name, ValueType declared, const std::vector<const Value*>& values);

// A cell as shown: "1,234.50", "12.5%", "2024", "NULL", or the text itself.
std::string format_number_cell(const Value& value, const ColumnFormat& format);

// A number with `decimals` digits after the point and, when asked, thousands
// separators: format_number(-1234.5, 2, true) == "-1,234.50".
std::string format_number(double value, int decimals, bool thousands);

// {"kind", "decimals", "thousands", "suffix", "align"} per column, as JSON
// text of an array: what the page needs to show the numbers the same way.
std::string column_formats_to_json(const std::vector<ColumnFormat>& formats);

}  // namespace t2sql
