#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "format/json_value.h"
#include "t2sql/format.h"

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

std::string table(const ResultSet& r) {
  size_t ncol = r.columns.size();
  std::vector<size_t> width(ncol);
  std::vector<bool> numeric(ncol, true);
  for (size_t c = 0; c < ncol; ++c) width[c] = display_width(r.columns[c]);
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < ncol; ++c) {
      width[c] = std::max(width[c], std::min(kMaxAlignedWidth, display_width(cell_text(row[c]))));
      if (!row[c].is_null() && !row[c].is_number()) numeric[c] = false;
    }
  }
  auto pad = [](const std::string& s, size_t w, bool right) {
    std::string fill(w - std::min(w, display_width(s)), ' ');
    return right ? fill + s : s + fill;
  };
  std::string out;
  for (size_t c = 0; c < ncol; ++c) out += (c ? "  " : "") + pad(r.columns[c], width[c], numeric[c] && !r.rows.empty());
  out += "\n";
  for (size_t c = 0; c < ncol; ++c) out += (c ? "  " : "") + std::string(width[c], '-');
  out += "\n";
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < ncol; ++c) out += (c ? "  " : "") + pad(cell_text(row[c]), width[c], numeric[c]);
    out += "\n";
  }
  out += "(" + std::to_string(r.rows.size()) + (r.rows.size() == 1 ? " row" : " rows");
  if (r.truncated) out += ", truncated at the row cap";
  return out + ")\n";
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
    case OutputFormat::kMarkdown: {
      std::string out = "|";
      for (const auto& col : r.columns) out += " " + markdown_cell(col) + " |";
      out += "\n|";
      for (size_t c = 0; c < r.columns.size(); ++c) out += " --- |";
      out += "\n";
      for (const auto& row : r.rows) {
        out += "|";
        for (const auto& v : row) out += " " + markdown_cell(cell_text(v)) + " |";
        out += "\n";
      }
      return out;
    }
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
