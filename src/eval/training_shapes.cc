#include "eval/training_shapes.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/sql_skeleton.h"

namespace t2sql {

namespace {

// The SQL of one training line, or "" when it holds none.
std::string sql_of(const nlohmann::json& j) {
  for (const char* key : {"answer", "sql"}) {
    if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  }
  if (j.contains("messages") && j["messages"].is_array()) {
    std::string last;
    for (const auto& m : j["messages"]) {
      if (m.is_object() && m.value("role", "") == "assistant" && m.contains("content") && m["content"].is_string())
        last = m["content"].get<std::string>();
    }
    return last;
  }
  return "";
}

}  // namespace

Result<TrainingShapes> TrainingShapes::load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("training set '" + path + "' does not exist");
  std::ifstream in(path);
  if (!in) return not_found("cannot read training set '" + path + "'");
  TrainingShapes shapes;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return invalid_argument(path + ":" + std::to_string(line_no) + ": not a JSON object");
    std::string sql = sql_of(j);
    std::string skeleton = sql_skeleton(sql);
    if (skeleton.empty()) {
      return invalid_argument(path + ":" + std::to_string(line_no) +
                              ": no SQL (expected \"answer\", \"sql\" or an assistant message)");
    }
    shapes.skeletons_.insert(skeleton);
    ++shapes.examples_;
  }
  if (shapes.examples_ == 0) return invalid_argument("training set '" + path + "' holds no example");
  return shapes;
}

TrainingShapes TrainingShapes::from_sql(const std::vector<std::string>& sqls) {
  TrainingShapes shapes;
  for (const auto& s : sqls) {
    std::string skeleton = sql_skeleton(s);
    if (skeleton.empty()) continue;
    shapes.skeletons_.insert(skeleton);
    ++shapes.examples_;
  }
  return shapes;
}

bool TrainingShapes::contains_shape_of(const std::string& sql) const {
  return skeletons_.count(sql_skeleton(sql)) > 0;
}

}  // namespace t2sql
