#include "server/openapi_spec.h"

#include <nlohmann/json.hpp>

#include "format/json_text.h"
#include "t2sql/generator.h"

namespace t2sql {

std::string openapi_spec_json(const std::string& version) {
  using nlohmann::json;
  json error = {{"type", "object"}, {"properties", {{"error", {{"type", "string"}}}}}, {"required", {"error"}}};
  json ask_request = {
      {"type", "object"},
      {"required", {"query"}},
      {"properties",
       {{"query", {{"type", "string"}, {"description", "The question in plain language"}}},
        {"mode",
         {{"type", "string"},
          {"enum", {"template", "llm", "fine-tuned", "ensemble"}},
          {"description", "Generation mode; default: the server's"}}},
        {"use_rag",
         {{"type", "boolean"}, {"description", "Run the retrieval stage (schema narrowed to the question)"}}},
        {"session", {{"type", "string"}, {"description", "Conversation id for follow-up questions"}}},
        {"instructions",
         {{"type", "string"},
          {"description",
           "Domain hints the model reads with the question (at most 4000 bytes); the template "
           "engine does not use them"}}},
        {"candidates",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", kMaxCandidates},
          {"description",
           "LLM modes: sample this many statements, run each and answer with the largest group of equal "
           "results (the vote is in the generation stage's output); default: the server's --candidates"}}},
        {"svg", {{"type", "boolean"}, {"description", "Also return the chart as SVG text (chart_svg)"}}}}}};
  json stage = {{"type", "object"},
                {"properties",
                 {{"name", {{"type", "string"}}},
                  {"status", {{"type", "string"}}},
                  {"elapsed_ms", {{"type", "number"}}},
                  {"output", {{"type", "object"}}}}}};
  json generate_response = {
      {"type", "object"},
      {"properties",
       {{"sql", {{"type", "string"}}},
        {"results", {{"type", "array"}, {"items", {{"type", "object"}}}, {"description", "One object per row"}}},
        {"columns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"chart", {{"type", {"object", "null"}}, {"description", "Vega-Lite v5 spec"}}},
        {"answer", {{"type", "string"}}},
        {"explanation", {{"type", "string"}, {"description", "What the SQL does, in plain English"}}},
        {"alternatives",
         {{"type", "array"},
          {"description", "Template engine: other plausible readings of the question (absent when there are none)"},
          {"items",
           {{"type", "object"},
            {"properties", {{"sql", {{"type", "string"}}}, {"description", {{"type", "string"}}}}}}}}},
        {"column_formats",
         {{"type", "array"},
          {"items", {{"type", "object"}}},
          {"description", "How to show each column's numbers: kind, decimals, thousands, suffix, align"}}},
        {"answered", {{"type", "boolean"}}},
        {"reason", {{"type", "string"}}},
        {"intent", {{"type", "string"}}},
        {"session", {{"type", "string"}}},
        {"meta",
         {{"type", "object"},
          {"properties",
           {{"model", {{"type", "string"}}},
            {"mode", {{"type", "string"}}},
            {"cached", {{"type", "boolean"}, {"description", "the answer came from the answer cache"}}},
            {"rag_used", {{"type", "boolean"}}},
            {"stages", {{"type", "array"}, {"items", stage}}},
            {"timings", {{"type", "object"}, {"additionalProperties", {{"type", "number"}}}}}}}}}}}};
  auto json_content = [](const json& schema) { return json{{"application/json", {{"schema", schema}}}}; };
  json errors = {
      {"400", {{"description", "Bad request"}, {"content", json_content(error)}}},
      {"401", {{"description", "Missing or wrong bearer token"}, {"content", json_content(error)}}},
      {"403",
       {{"description", "Refused (the request would change data)"}, {"content", json_content(generate_response)}}},
      {"413", {{"description", "Body too large"}, {"content", json_content(error)}}},
      {"503", {{"description", "Engine busy; retry later"}, {"content", json_content(error)}}}};
  json generate_responses = errors;
  generate_responses["200"] = {{"description", "The SQL, the rows, the chart and the trace"},
                               {"content", json_content(generate_response)}};
  json ask_responses = errors;
  ask_responses["200"] = {
      {"description", "Server-sent events: one `stage` event per stage, then `result` (the /generate-sql body)"},
      {"content", {{"text/event-stream", {{"schema", {{"type", "string"}}}}}}}};
  json spec = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "t2sql"},
        {"version", version},
        {"description", "Questions in plain language to SQL, run read-only."}}},
      {"components", {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"paths",
       {{"/generate-sql",
         {{"post",
           {{"summary", "Answer a question: SQL, rows, chart, trace"},
            {"requestBody", {{"required", true}, {"content", json_content(ask_request)}}},
            {"responses", generate_responses}}}}},
        {"/api/ask",
         {{"post",
           {{"summary", "Answer a question, streaming each stage as it ends"},
            {"requestBody", {{"required", true}, {"content", json_content(ask_request)}}},
            {"responses", ask_responses}}}}},
        {"/api/schema",
         {{"get",
           {{"summary", "The database's tables, columns and keys, and example questions"},
            {"responses", {{"200", {{"description", "The catalog"}}}}}}}}},
        {"/health",
         {{"get", {{"summary", "Liveness and configuration"}, {"responses", {{"200", {{"description", "OK"}}}}}}}}},
        {"/metrics",
         {{"get",
           {{"summary", "Prometheus metrics"},
            {"responses", {{"200", {{"description", "text/plain; version=0.0.4"}}}}}}}}},
        {"/openapi.json",
         {{"get", {{"summary", "This document"}, {"responses", {{"200", {{"description", "OpenAPI 3"}}}}}}}}}}}};
  json sql_request = {
      {"type", "object"},
      {"required", {"question", "sql"}},
      {"properties",
       {{"question", {{"type", "string"}, {"description", "The question the SQL answers"}}},
        {"sql", {{"type", "string"}, {"description", "One read-only statement (an edit of an answer's SQL)"}}},
        {"session", {{"type", "string"}, {"description", "Conversation id; the statement becomes its last turn"}}},
        {"svg", {{"type", "boolean"}}}}}};
  json sql_responses = errors;
  sql_responses["200"] = {{"description", "The /generate-sql body for the given statement (engine 'user')"},
                          {"content", json_content(generate_response)}};
  json feedback_request = {
      {"type", "object"},
      {"required", {"question"}},
      {"properties",
       {{"question", {{"type", "string"}}},
        {"sql", {{"type", "string"}, {"description", "The SQL rated, or the corrected SQL when accept is true"}}},
        {"original_sql", {{"type", "string"}, {"description", "What t2sql answered, when corrected"}}},
        {"rating", {{"type", "string"}, {"enum", {"up", "down"}}}},
        {"accept",
         {{"type", "boolean"},
          {"description",
           "Keep question + sql as the answer (it must run): used for the same question next time, "
           "as a few-shot example and by gen-data --include-feedback"}}},
        {"engine", {{"type", "string"}}},
        {"comment", {{"type", "string"}}}}}};
  json feedback_responses = errors;
  feedback_responses["200"] = {{"description", "Stored: {\"stored\", \"accepted\", \"rating\"}"}};
  spec["paths"]["/api/sql"] = {{"post",
                                {{"summary", "Run an edited SQL statement read-only (guard, timeout, row cap)"},
                                 {"requestBody", {{"required", true}, {"content", json_content(sql_request)}}},
                                 {"responses", sql_responses}}}};
  spec["paths"]["/api/feedback"] = {
      {"post",
       {{"summary", "Rate an answer, or keep a corrected SQL as the answer"},
        {"requestBody", {{"required", true}, {"content", json_content(feedback_request)}}},
        {"responses", feedback_responses}}}};
  return json_text(spec, 2);
}

}  // namespace t2sql
