#include "train/training_text.h"

namespace t2sql::train {

// Until the shared prompt builder lands, the plain sql-create-context layout.
TrainingText make_training_text(const TrainingExample& example, const std::string& /*format*/,
                                const std::string& /*chat_template*/, const std::string& /*dialect*/) {
  TrainingText t;
  t.prompt = "### Schema\n" + example.schema_ddl + "\n### Question\n" + example.question + "\n### SQL\n";
  t.answer = example.sql + ";";
  t.add_eos = true;
  return t;
}

std::string chat_system_prompt(const std::string& dialect) {
  return "You write one " + dialect + " SELECT statement that answers the question, using only the tables below.";
}

}  // namespace t2sql::train
