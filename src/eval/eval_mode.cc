#include "eval/eval_mode.h"

#include <sstream>

namespace t2sql {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

Result<std::vector<EvalModeSpec>> parse_eval_modes(const std::string& text, bool rag_default) {
  std::vector<EvalModeSpec> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    item = trim(item);
    if (item.empty()) continue;
    EvalModeSpec spec;
    spec.engine = item;
    bool suffix = false;
    if (auto plus = item.find('+'); plus != std::string::npos) {
      spec.engine = item.substr(0, plus);
      std::string option = item.substr(plus + 1);
      if (option != "rag") {
        return invalid_argument("--mode '" + item + "': unknown option '+" + option + "' (only +rag exists)");
      }
      suffix = true;
    }
    if (spec.engine != "template" && spec.engine != "llm" && spec.engine != "ensemble" &&
        spec.engine != "ensemble-llm-first" && spec.engine != "gold") {
      return invalid_argument(
          "unknown --mode '" + item +
          "' (template, llm, ensemble, ensemble-llm-first or gold; llm+rag, ensemble+rag, ensemble-llm-first+rag)");
    }
    bool reads_schema = spec.engine == "llm" || spec.engine.starts_with("ensemble");
    if (suffix && !reads_schema) {
      return invalid_argument("--mode '" + item + "': " + spec.engine +
                              " does not read a schema prompt, so retrieval changes nothing (+rag is for llm and "
                              "ensemble)");
    }
    spec.rag = reads_schema && (suffix || rag_default);
    spec.label = spec.engine + (spec.rag ? "+rag" : "");
    out.push_back(spec);
  }
  if (out.empty()) return invalid_argument("--mode is empty");
  return out;
}

}  // namespace t2sql
