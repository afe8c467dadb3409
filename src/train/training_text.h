// The exact text a model is trained on for one example: the prompt that
// inference shows it, then the answer, then (when the layout has no
// end-of-turn text) the end-of-sequence token. Stateless; thread-safe.
#pragma once

#include <string>

#include "train/training_data.h"

namespace t2sql::train {

struct TrainingText {
  std::string prompt;  // scored: no
  std::string answer;  // scored: yes
  bool add_eos = true;
};

// `format` is "sql-create-context" or "chat"; `chat_template` is the base
// model's own (may be empty).
TrainingText make_training_text(const TrainingExample& example, const std::string& format,
                                const std::string& chat_template, const std::string& dialect);

// The instructions of the chat format's system message for `dialect`.
std::string chat_system_prompt(const std::string& dialect);

}  // namespace t2sql::train
