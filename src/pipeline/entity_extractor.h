// The entities stage: what a question says that SQL will need as literals —
// numbers, years, months, ISO dates, relative ranges ("last year"), top-k and
// comparisons — and which of its words are values stored in the database
// ("Apple" -> brands.brand_name, through the shared ValueIndex). The reading
// is read_question()'s (generate/question_reading.h), the one parser of
// these: the template engine reads its numbers, months and top-k from it.
#pragma once

#include <string>
#include <vector>

#include "db/value_index.h"
#include "t2sql/generator.h"

namespace t2sql {

// The reading generators get (t2sql/generator.h), with its trace form.
struct Entities : QuestionReading {
  std::string to_json() const;
};

// `values` (may be null) is the database's value index
// (db/shared_value_index.h), the one the template engine reads too.
Entities extract_entities(const std::string& question, const ValueIndex* values);

}  // namespace t2sql
