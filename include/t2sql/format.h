// Rendering a ResultSet for people and programs: an aligned table, CSV,
// JSON or a Markdown table.
#pragma once

#include <string>

#include "t2sql/status.h"
#include "t2sql/value.h"

namespace t2sql {

enum class OutputFormat { kTable, kCsv, kJson, kMarkdown };

Result<OutputFormat> parse_output_format(const std::string& name);  // "table", "csv", "json", "markdown"

// kTable aligns columns (numbers to the right) and ends with "(N rows)";
// kTable and kMarkdown show numbers rounded for people (number_format.h:
// "15,722,014.79", "12.5%"), Markdown's number columns right-aligned ("---:");
// kCsv and kJson keep every digit.
// kJson: {"columns": [...], "rows": [[...]], "row_count": N, "truncated": b}.
std::string format_result(const ResultSet& result, OutputFormat format);

// The JSON value of one cell: numbers as numbers, NULL as null, text as text.
std::string value_to_json(const Value& value);

}  // namespace t2sql
