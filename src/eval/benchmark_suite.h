// BenchmarkSuite: the questions an evaluation runs, each with its database
// and gold SQL, loaded from one of the formats t2sql measures itself on:
//   Spider     dev.json + database/<db>/<db>.sqlite (tables.json not needed:
//              the catalog comes from the database itself)
//   defog      sql-eval CSVs (db_name, query_category, question, query[,
//              instructions]); `{a, b}` column alternatives expanded
//   JSONL      {"db", "question", "sql"[, "category", "id", "instructions"]} a line; db is a
//              path relative to the suite file, or "demo" for the demo warehouse
// Loaders read files only; they neither open databases nor run SQL. Errors:
// kNotFound for a missing path, kInvalidArgument (naming file and line) for
// malformed content. Plain data; thread-safe to read.
#pragma once

#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

struct EvalCase {
  std::string id;      // "<suite>:<line or index>", stable across runs
  std::string db_id;   // the database's name ("concert_singer", "demo")
  std::string db_uri;  // what Database::open takes
  std::string question;
  std::string gold_sql;  // as written in the suite
  // The gold queries any of which is accepted (defog's ';'-separated
  // alternatives and `{a, b}` column sets, expanded); at least one.
  std::vector<std::string> gold_alternatives;
  std::string category;      // defog query_category or the JSONL "category"
  std::string hardness;      // Spider hardness of the gold query
  std::string instructions;  // domain hints (defog's, or JSONL "instructions"); empty elsewhere
};

struct BenchmarkSuite {
  std::string name;  // "spider", "defog", "demo", or the JSONL file's stem
  std::vector<EvalCase> cases;
  // Questions left out (a database that is not there), one line each.
  std::vector<std::string> skipped;
};

struct SuiteOptions {
  // Where "demo" in a JSONL suite points: the demo warehouse's path.
  std::string demo_db_path;
  // defog: databases whose SQLite file is missing are opened through this URI
  // with "{db}" replaced by the name (for engines that other modules add), e.g.
  // "postgresql://127.0.0.1:5432/{db}". Empty: such questions are skipped.
  std::string defog_db_uri_template;
  // defog: use the URI template for every database, even where a SQLite file
  // exists (the evaluation on the PostgreSQL dumps, `t2sql eval --pg`).
  bool defog_prefer_uri = false;
};

// `path`: the folder holding dev.json, or a Spider-format JSON file beside a
// database/ folder.
Result<BenchmarkSuite> load_spider_suite(const std::string& path, const SuiteOptions& options = {});
// `path`: a defog folder (its questions/*_sqlite.csv are read, databases from
// sqlite/<db>.sqlite) or one CSV file inside such a folder.
Result<BenchmarkSuite> load_defog_suite(const std::string& path, const SuiteOptions& options = {});
Result<BenchmarkSuite> load_jsonl_suite(const std::string& path, const SuiteOptions& options = {});

// The name of the demo suite committed with t2sql (data/suites/demo.jsonl,
// compiled into the program), for load_jsonl_suite().
std::string default_demo_suite_path();

// defog's alternative column sets: every `{a, b, ...}` is replaced by each
// non-empty subset of its items (in their order); an empty `{}` repeats the
// choice made for the group before it. Text without braces is returned alone.
// At most `limit` expansions (the first ones).
std::vector<std::string> expand_gold_alternatives(const std::string& sql, size_t limit = 64);

// The statements of a ';'-separated list (semicolons inside strings and
// quoted names do not split), trimmed, empty ones dropped.
std::vector<std::string> split_sql_statements(const std::string& sql);

// Splits CSV text (RFC 4180: quoted fields, doubled quotes, newlines inside
// quotes) into rows of fields. kInvalidArgument on an unterminated quote.
Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& text);

}  // namespace t2sql
