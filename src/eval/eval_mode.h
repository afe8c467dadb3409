// The engines one `t2sql eval` run measures side by side, read from --mode:
// a comma-separated list of template, llm, ensemble and gold, where llm and
// ensemble may carry "+rag" (schema retrieval on: the generator sees only the
// columns the vector index returns, as `t2sql ask --rag` does).
//
//   auto modes = parse_eval_modes("template,llm,llm+rag,ensemble", /*rag_default=*/false);
//   // -> {template}, {llm}, {llm, rag}, {ensemble}; labels as written
//
// `rag_default` (--rag) turns retrieval on for every llm and ensemble entry
// written without the suffix; their label then carries "+rag", so that a
// report never shows a RAG run under a plain name. Plain function;
// kInvalidArgument naming the entry for an unknown mode, "+rag" on a mode that
// reads no schema (template, gold), or an empty list.
#pragma once

#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

struct EvalModeSpec {
  std::string label;   // the column heading in reports: "llm+rag"
  std::string engine;  // template, llm, ensemble or gold
  bool rag = false;    // schema retrieval before generation
};

Result<std::vector<EvalModeSpec>> parse_eval_modes(const std::string& text, bool rag_default);

}  // namespace t2sql
