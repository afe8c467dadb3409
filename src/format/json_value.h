// One cell as a JSON value, shared by every writer of results as JSON (the
// json output format, the pipeline's answer, the chart's data): numbers stay
// numbers, booleans booleans, NULL and non-finite reals null, the rest text.
#pragma once

#include <nlohmann/json.hpp>

#include "t2sql/value.h"

namespace t2sql {

nlohmann::json json_value(const Value& v);

}  // namespace t2sql
