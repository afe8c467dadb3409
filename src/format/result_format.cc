#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "format/json_value.h"
#include "t2sql/format.h"
#include "t2sql/number_format.h"

namespace t2sql {

namespace {

// Display width of UTF-8 text: one column per code point (no wide glyphs).
size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string cell_text(const Value& v) {
  return v.is_null() ? "NULL" : v.to_string();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

// Columns are aligned up to this width; a wider cell is printed whole but
// sets no width, so that one huge value cannot pad every other row to its
// size (the output stays linear in the result's bytes).
constexpr size_t kMaxAlignedWidth = 200;

// Table and Markdown show numbers rounded for people (number_format.h); CSV
// and JSON keep them whole.
std::vector<std::vector<std::string>> display_cells(const ResultSet& r, const std::vector<ColumnFormat>& formats) {
  std::vector<std::vector<std::string>> out;
  out.reserve(r.rows.size());
  for (const auto& row : r.rows) {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (size_t c = 0; c < row.size(); ++c)
      cells.push_back(c < formats.size() ? format_number_cell(row[c], formats[c]) : cell_text(row[c]));
    out.push_back(std::move(cells));
  }
  return out;
}

std::string table(const ResultSet& r) {
  size_t ncol = r.columns.size();
  auto formats = column_formats(r);
  auto cells = display_cells(r, formats);
  std::vector<size_t> width(ncol);
  for (size_t c = 0; c < ncol; ++c) width[c] = display_width(r.columns[c]);
  for (const auto& row : cells)
    for (size_t c = 0; c < ncol && c < row.size(); ++c)
      width[c] = std::max(width[c], std::min(kMaxAlignedWidth, display_width(row[c])));
  auto pad = [](const std::string& s, size_t w, bool right) {
    std::string fill(w - std::min(w, display_width(s)), ' ');
    return right ? fill + s : s + fill;
  };
  std::string out;
  for (size_t c = 0; c < ncol; ++c)
    out += (c ? "  " : "") + pad(r.columns[c], width[c], formats[c].right_align && !r.rows.empty());
  out += "\n";
  for (size_t c = 0; c < ncol; ++c) out += (c ? "  " : "") + std::string(width[c], '-');
  out += "\n";
  for (const auto& row : cells) {
    for (size_t c = 0; c < ncol && c < row.size(); ++c)
      out += (c ? "  " : "") + pad(row[c], width[c], formats[c].right_align);
    out += "\n";
  }
  out += "(" + std::to_string(r.rows.size()) + (r.rows.size() == 1 ? " row" : " rows");
  if (r.truncated) out += ", truncated at the row cap";
  return out + ")\n";
}

std::string markdown(const ResultSet& r) {
  auto formats = column_formats(r);
  std::string out = "|";
  for (const auto& col : r.columns) out += " " + markdown_cell(col) + " |";
  out += "\n|";
  // "---:" right-aligns a column of numbers.
  for (size_t c = 0; c < r.columns.size(); ++c) out += formats[c].right_align ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : display_cells(r, formats)) {
    out += "|";
    for (const auto& v : row) out += " " + markdown_cell(v) + " |";
    out += "\n";
  }
  return out;
}

}  // namespace

Result<OutputFormat> parse_output_format(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "markdown" || name == "md") return OutputFormat::kMarkdown;
  return invalid_argument("unknown format '" + name + "' (use table, csv, json or markdown)");
}

nlohmann::json json_value(const Value& v) {
  switch (v.type) {
    case ValueType::kNull: return nullptr;
    case ValueType::kInteger: return std::get<int64_t>(v.data);
    case ValueType::kBoolean: return std::get<int64_t>(v.data) != 0;
    case ValueType::kReal: {
      double d = std::get<double>(v.data);
      return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr);
    }
    default: return v.to_string();
  }
}

std::string value_to_json(const Value& value) {
  return json_value(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string format_result(const ResultSet& r, OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable: return table(r);
    case OutputFormat::kCsv: {
      std::string out;
      for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "," : "") + csv_field(r.columns[c]);
      out += "\n";
      for (const auto& row : r.rows) {
        for (size_t c = 0; c < row.size(); ++c)
          out += (c ? "," : "") + (row[c].is_null() ? "" : csv_field(row[c].to_string()));
        out += "\n";
      }
      return out;
    }
    case OutputFormat::kMarkdown: return markdown(r);
    case OutputFormat::kJson: {
      nlohmann::json j;
      j["columns"] = r.columns;
      j["rows"] = nlohmann::json::array();
      for (const auto& row : r.rows) {
        nlohmann::json jr = nlohmann::json::array();
        for (const auto& v : row) jr.push_back(json_value(v));
        j["rows"].push_back(std::move(jr));
      }
      j["row_count"] = r.rows.size();
      j["truncated"] = r.truncated;
      j["elapsed_ms"] = r.elapsed_ms;
      return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
  }
  return "";
}

}  // namespace t2sql
