#include "pipeline/entity_extractor.h"

#include <nlohmann/json.hpp>

#include "format/json_text.h"
#include "generate/question_reading.h"

namespace t2sql {

Entities extract_entities(const std::string& question, const ValueIndex* values) {
  Entities e;
  static_cast<QuestionReading&>(e) = read_question(question, values);
  return e;
}

std::string Entities::to_json() const {
  nlohmann::json j = {{"numbers", numbers}, {"years", years},   {"months", months},
                      {"dates", dates},     {"ranges", ranges}, {"comparisons", comparisons}};
  j["top_k"] = top_k ? nlohmann::json(*top_k) : nlohmann::json(nullptr);
  nlohmann::json vals = nlohmann::json::array();
  for (const auto& v : values)
    vals.push_back({{"table", v.table},
                    {"column", v.column},
                    {"value", v.value},
                    {"matched", v.matched_text},
                    {"score", v.score}});
  j["values"] = vals;
  return json_text(j);
}

}  // namespace t2sql
