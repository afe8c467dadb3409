// The evaluation suite readers (Spider JSON, defog CSV, JSONL) and the gold
// SQL helpers on any bytes: a suite, or a message.
#include "eval/benchmark_suite.h"
#include "fuzz_input.h"

using namespace t2sql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text = fuzz::as_text(data + 1, size - 1);
  Result<BenchmarkSuite> suite = invalid_argument("none");
  switch (data[0] % 4) {
    case 0: suite = load_spider_suite(fuzz::input_file(text, ".json")); break;
    case 1: suite = load_defog_suite(fuzz::input_file(text, ".csv")); break;
    case 2: suite = load_jsonl_suite(fuzz::input_file(text, ".jsonl")); break;
    default: {
      (void)parse_csv(text);
      for (const std::string& statement : split_sql_statements(text)) (void)expand_gold_alternatives(statement, 16);
      return 0;
    }
  }
  if (!suite.ok() && suite.status().message().empty()) fuzz::broken("a refusal without a message");
  return 0;
}
