#include "train/training_text.h"

#include "t2sql/prompt.h"

namespace t2sql::train {

// The shared prompt builder renders the prompt, so that training sees exactly
// what inference will show the model.
TrainingText make_training_text(const TrainingExample& example, const std::string& format,
                                const std::string& chat_template, const std::string& dialect) {
  auto f = parse_prompt_format(format);
  const PromptBuilder builder(f.ok() ? *f : PromptFormat::kChat, chat_template);
  PromptInput in;
  in.dialect = dialect;
  in.schema_ddl = example.schema_ddl;
  in.question = example.question;
  const Prompt prompt = builder.build(in);
  TrainingText t;
  t.prompt = prompt.text;
  t.answer = builder.answer_text(prompt, example.sql);
  t.add_eos = builder.answer_needs_eos(prompt);
  return t;
}

std::string chat_system_prompt(const std::string& dialect) { return PromptBuilder::default_system_prompt(dialect); }

}  // namespace t2sql::train
