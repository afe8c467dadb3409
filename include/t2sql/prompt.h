// PromptBuilder: the one place that decides what text a language model sees
// before it writes SQL, and what its answer looks like. Inference (the LLM
// generator) and training (the LoRA trainer) both use it, so a model
// fine-tuned by t2sql is asked exactly as it was taught.
//
//   PromptBuilder builder(PromptFormat::kChat, model_chat_template);
//   Prompt p = builder.build({.schema_ddl = ddl, .question = "total sales in 2023"});
//   std::string train_text = p.text + builder.answer_text(p, gold_sql);  // loss on the answer part
//   std::string sql = extract_sql(model_output);
//
// Two formats, after the design documents:
//  - kSqlCreateContext: the b-mc2/sql-create-context shape (context = CREATE
//    TABLE statements, the question, then the answer), as plain text.
//  - kChat: a system message (instructions + schema), optional few-shot turns,
//    a user message (value hints + question), rendered with the model's own
//    chat template (GGUF `tokenizer.chat_template`) when llama.cpp knows it,
//    else with a plain "### System / ### User / ### Assistant" layout.
// The unchanging part (instructions and schema) always comes first so that a
// backend can keep its KV cache across questions on one schema.
//
// Styles: what the text says and how the schema is written. kT2sql is the
// layout above. The others follow the prompts that open text-to-SQL models
// were trained with (their papers, repositories and model cards), so that
// such a model meets the shape it knows: kOmniSql (OmniSQL: task, engine,
// CREATE TABLEs with example values, question, rules, a fenced answer),
// kXiyan (XiYan-SQL: question / M-Schema / reference information / question
// again, then an open ```sql fence), kDail (DAIL-SQL's code representation:
// the schema and the question as SQL comments), kSqlCoder (defog SQLCoder:
// ### Task / ### Database Schema / ### Answer with [QUESTION] and [SQL]
// markers). They are one user message, rendered with the model's chat
// template in the chat format, else as they stand.
// PromptBuilder is immutable after construction and safe to share.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "t2sql/generator.h"

namespace t2sql {

enum class PromptFormat { kSqlCreateContext, kChat };

// "sql-create-context" | "chat"; kInvalidArgument names the bad value.
Result<PromptFormat> parse_prompt_format(const std::string& name);
const char* prompt_format_name(PromptFormat format);

enum class PromptStyle { kT2sql, kOmniSql, kXiyan, kDail, kSqlCoder };

// "t2sql" | "omnisql" | "xiyan" | "dail" | "sqlcoder"; kInvalidArgument
// names the bad value and the known ones.
Result<PromptStyle> parse_prompt_style(const std::string& name);
const char* prompt_style_name(PromptStyle style);
const std::vector<std::string>& prompt_style_names();

struct PromptOptions {
  PromptFormat format = PromptFormat::kChat;
  PromptStyle style = PromptStyle::kT2sql;
  // The model's template text (or a built-in name such as "chatml"); empty
  // or unknown to llama.cpp means the plain layout.
  std::string chat_template;
  // Sample values shown per column and whether descriptions are shown, when
  // the prompt has a catalog. Unset: the style's own choice (OmniSQL and
  // XiYan show 3 values and descriptions, SQLCoder descriptions, DAIL and
  // t2sql neither, so that t2sql's prompt stays the CREATE TABLEs it was
  // trained on).
  std::optional<int> sample_values;
  std::optional<bool> descriptions;
};

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

// Everything a prompt may say. Only schema_ddl and question are required.
struct PromptInput {
  std::string dialect = "sqlite";  // named in the instructions ("SQLite", "DuckDB", "PostgreSQL")
  std::string schema_ddl;          // CREATE TABLE statements
  std::string question;
  std::vector<SqlExample> examples;
  std::vector<LinkedValue> linked_values;
  std::vector<std::pair<std::string, std::string>> history;  // earlier (question, sql) of a session
  std::string instructions;  // domain hints that come with the question; shown after the schema
  // A repair try: the SQL that failed and the database's error message.
  std::string failed_sql, failed_error;
  // Replaces the default instructions when not empty.
  std::string system_prompt;
  // The schema as data, for sample values, descriptions and keys. When set,
  // the style writes the schema from it, narrowed to the tables and columns
  // that schema_ddl names when schema_ddl is not empty (retrieval's
  // limited-context DDL); a schema_ddl naming something the catalog lacks is
  // shown as it stands. Not owned.
  const Catalog* catalog = nullptr;
  std::string database_name;  // XiYan's DB_ID line; "database" when empty
};

struct Prompt {
  PromptFormat format = PromptFormat::kChat;
  PromptStyle style = PromptStyle::kT2sql;
  // The exact text the model sees before its answer (special tokens of the
  // chat template included as text; tokenize with parse_special = true).
  std::string text;
  // The same prompt as chat messages, for OpenAI-compatible chat endpoints.
  std::vector<ChatMessage> messages;
  // True when the template was the model's own; false for the plain layout.
  bool used_model_template = false;
};

class PromptBuilder {
 public:
  // `chat_template` is the model's template text (or a built-in name such as
  // "chatml"); empty or unknown to llama.cpp means the plain layout.
  explicit PromptBuilder(PromptFormat format, std::string chat_template = "");
  explicit PromptBuilder(PromptOptions options);

  PromptFormat format() const { return options_.format; }
  PromptStyle style() const { return options_.style; }
  Prompt build(const PromptInput& input) const;

  // The text that follows `prompt` when the model answers `sql`: the SQL
  // ending in ";" and, in the chat format, the template's end-of-turn text.
  // Training appends the model's end-of-sequence token after it when
  // answer_needs_eos() is true (the plain layouts have no end-of-turn text).
  std::string answer_text(const Prompt& prompt, const std::string& sql) const;
  bool answer_needs_eos(const Prompt& prompt) const;

  // The default instructions for `dialect`.
  static std::string default_system_prompt(const std::string& dialect);

 private:
  std::vector<ChatMessage> chat_messages(const PromptInput& input) const;
  // The single user message of a published style.
  std::string style_text(const PromptInput& input) const;
  // Renders messages with the chat template; false when llama.cpp does not
  // know the template.
  bool apply_template(const std::vector<ChatMessage>& messages, bool add_assistant, std::string* out) const;

  PromptOptions options_;
};

// The SQL in a model's answer: the first ``` fenced block if any, else the
// text from the first SELECT/WITH/VALUES on; cut at the end of the first
// statement (a ";" outside quotes and comments), at chat end-of-turn markers,
// or at a blank line followed by prose. Trimmed, without the final ";".
// Empty when the answer holds no SQL.
std::string extract_sql(const std::string& answer);

// Byte offset just after the ";" that ends the first statement of `text`
// (outside strings, quoted names and comments), or std::string::npos while
// the statement is still open. Decoders use it to stop at the statement end.
size_t find_statement_end(const std::string& text);

}  // namespace t2sql
