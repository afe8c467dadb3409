#include "eval/grammar_coverage.h"

#include <llama-grammar.h>  // llama.cpp's grammar engine, read character by character

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/progress_bar.h"
#include "llm/sql_scope_checker.h"
#include "sql/sql_lexer.h"
#include "t2sql/database.h"

namespace t2sql {

namespace {

struct GrammarDeleter {
  void operator()(llama_grammar* g) const { llama_grammar_free_impl(g); }
};
using GrammarPtr = std::unique_ptr<llama_grammar, GrammarDeleter>;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// As published, with the ";" that ends a statement of the grammar.
std::string as_statement(std::string sql) {
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.back()))) sql.pop_back();
  if (sql.empty() || sql.back() != ';') sql += ';';
  return sql;
}

}  // namespace

struct ConstraintChecker::Impl {
  SqlConstraint constraint;
  GrammarPtr parsed;  // cloned for each statement
};

ConstraintChecker::ConstraintChecker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConstraintChecker::~ConstraintChecker() = default;
ConstraintChecker::ConstraintChecker(ConstraintChecker&&) noexcept = default;
ConstraintChecker& ConstraintChecker::operator=(ConstraintChecker&&) noexcept = default;

Result<ConstraintChecker> ConstraintChecker::make(const std::string& ddl, const std::string& dialect) {
  auto impl = std::make_unique<Impl>();
  impl->constraint = build_sql_constraint(ddl, dialect);
  if (impl->constraint.gbnf.empty()) return invalid_argument("the schema text declares no table");
  impl->parsed.reset(
      llama_grammar_init_impl(nullptr, impl->constraint.gbnf.c_str(), "root", false, nullptr, 0, nullptr, 0));
  if (!impl->parsed) return internal_error("llama.cpp does not parse the grammar");
  return ConstraintChecker(std::move(impl));
}

ConstraintCheck ConstraintChecker::check(const std::string& sql) const {
  ConstraintCheck out;
  GrammarPtr g(llama_grammar_clone_impl(*impl_->parsed));
  for (size_t i = 0; i < sql.size(); ++i) {
    bool alive = true;
    try {
      llama_grammar_accept_str(*g, std::string(1, sql[i]));
    } catch (const std::exception&) {
      alive = false;  // no grammar stack accepts this character
    }
    if (!alive || g->stacks.empty()) return {false, i, "grammar", "the grammar refuses this character"};
  }
  bool complete = std::any_of(g->stacks.begin(), g->stacks.end(), [](const auto& s) { return s.empty(); });
  if (!complete) return {false, sql.size(), "grammar", "the statement is unfinished for the grammar"};
  // Decoding asks the checker at every token, and a token may end anywhere:
  // each prefix (whole UTF-8 characters) must be accepted as it grows.
  for (size_t i = 1; i < sql.size(); ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) == 0x80) continue;
    ScopeVerdict grown = impl_->constraint.checker->check(std::string_view(sql).substr(0, i), false);
    if (!grown.ok) return {false, grown.offset, "scope", "as it grows, at " + std::to_string(i) + ": " + grown.message};
  }
  ScopeVerdict v = impl_->constraint.checker->check(sql, true);
  if (!v.ok) return {false, v.offset, "scope", v.message};
  return out;
}

namespace {

// Names a model might write instead of the right one.
const std::map<std::string, std::string>& synonyms() {
  static const std::map<std::string, std::string> s = {
      {"name", "title"},     {"title", "label"},        {"id", "identifier"},
      {"age", "years_old"},  {"country", "nation"},     {"city", "town"},
      {"price", "cost"},     {"amount", "total_value"}, {"date", "day_of"},
      {"year", "yr"},        {"count", "tally"},        {"address", "location"},
      {"student", "pupil"},  {"teacher", "instructor"}, {"employee", "staff"},
      {"salary", "wage"},    {"singer", "vocalist"},    {"song", "track"},
      {"car", "automobile"}, {"customer", "client"},    {"product", "item_sold"},
      {"order", "purchase"}, {"type", "kind"},          {"description", "summary"}};
  return s;
}

class MutantMaker {
 public:
  MutantMaker(std::set<std::string> schema_names, std::vector<std::string> foreign_names)
      : schema_(std::move(schema_names)), foreign_(std::move(foreign_names)) {}

  // A name nowhere in the schema, in one of three manners chosen by `salt`.
  std::string replace(const std::string& name, size_t salt) const {
    std::vector<std::string> tries;
    std::string l = lower(name);
    for (const auto& [word, other] : synonyms()) {
      size_t at = l.find(word);
      if (at != std::string::npos) {
        tries.push_back(name.substr(0, at) + other + name.substr(at + word.size()));
        break;
      }
    }
    if (!foreign_.empty()) tries.push_back(foreign_[salt % foreign_.size()]);
    // Near misses: a letter dropped, two swapped, a plural added or removed.
    if (name.size() > 3) tries.push_back(name.substr(0, name.size() / 2) + name.substr(name.size() / 2 + 1));
    if (name.size() > 2) {
      std::string s = name;
      std::swap(s[1], s[2]);
      tries.push_back(s);
    }
    tries.push_back(l.ends_with('s') ? name.substr(0, name.size() - 1) : name + "s");
    tries.push_back(name + "_x");
    std::rotate(tries.begin(), tries.begin() + static_cast<long>(salt % tries.size()), tries.end());
    for (const auto& t : tries) {
      if (!t.empty() && !schema_.count(lower(t)) && t != name) return t;
    }
    return name + "_nowhere";
  }

 private:
  std::set<std::string> schema_;
  std::vector<std::string> foreign_;
};

// Mutants of a statement: the first table after FROM/JOIN and the column of
// the first and the last qualified reference, each replaced.
std::vector<std::string> mutants_of(const std::string& sql, const std::set<std::string>& tables,
                                    const std::set<std::string>& columns, const MutantMaker& maker, size_t salt) {
  SqlLexResult lexed = lex_sql(sql);
  const auto& tk = lexed.tokens;
  std::vector<const SqlToken*> sites;
  for (size_t i = 1; i < tk.size(); ++i) {
    if ((tk[i - 1].is_word("FROM") || tk[i - 1].is_word("JOIN")) && tk[i].kind == SqlTokenKind::kWord &&
        tables.count(lower(tk[i].text))) {
      sites.push_back(&tk[i]);
      break;
    }
  }
  std::vector<const SqlToken*> qualified;
  for (size_t i = 2; i < tk.size(); ++i) {
    if (tk[i - 1].is_punct('.') && tk[i - 2].kind == SqlTokenKind::kWord && tk[i].kind == SqlTokenKind::kWord &&
        columns.count(lower(tk[i].text))) {
      qualified.push_back(&tk[i]);
    }
  }
  if (!qualified.empty()) sites.push_back(qualified.front());
  if (qualified.size() > 1) sites.push_back(qualified.back());
  std::vector<std::string> out;
  for (size_t k = 0; k < sites.size(); ++k) {
    const SqlToken& t = *sites[k];
    std::string m = sql.substr(0, t.offset) + maker.replace(t.text, salt + k) + sql.substr(t.offset + t.text.size());
    out.push_back(m);
  }
  return out;
}

}  // namespace

Result<GrammarCoverage> measure_grammar_coverage(const BenchmarkSuite& suite, const GrammarCoverageOptions& options) {
  if (suite.cases.empty()) return invalid_argument("the suite has no question");
  GrammarCoverage cov;
  cov.suite = suite.name;
  size_t n = suite.cases.size();
  if (options.limit > 0) n = std::min(n, static_cast<size_t>(options.limit));

  struct Db {
    std::string error;
    std::unique_ptr<ConstraintChecker> checker;
    std::set<std::string> tables, columns, names;
  };
  std::map<std::string, Db> dbs;
  std::vector<std::string> all_names;  // every table and column name of the suite's databases
  for (size_t i = 0; i < n; ++i) {
    const std::string& uri = suite.cases[i].db_uri;
    if (dbs.count(uri)) continue;
    Db& d = dbs[uri];
    auto db = Database::open(uri);
    if (!db.ok()) {
      d.error = db.status().message();
      continue;
    }
    auto cat = (*db)->catalog();
    if (!cat.ok()) {
      d.error = cat.status().message();
      continue;
    }
    // The schema text and dialect of LlmGenerator's prompt without retrieval.
    auto checker = ConstraintChecker::make(cat->to_ddl(), cat->engine.empty() ? "sqlite" : cat->engine);
    if (!checker.ok()) {
      d.error = checker.status().message();
      continue;
    }
    d.checker = std::make_unique<ConstraintChecker>(std::move(*checker));
    for (const auto& t : cat->tables) {
      d.tables.insert(lower(t.name));
      all_names.push_back(t.name);
      for (const auto& c : t.columns) {
        d.columns.insert(lower(c.name));
        all_names.push_back(c.name);
      }
    }
    d.names = d.tables;
    d.names.insert(d.columns.begin(), d.columns.end());
  }
  std::sort(all_names.begin(), all_names.end());
  all_names.erase(std::unique(all_names.begin(), all_names.end()), all_names.end());

  ProgressBar bar({.total = static_cast<int64_t>(n),
                   .label = "grammar coverage " + suite.name,
                   .unit = "q",
                   .style = options.progress ? ProgressOptions::Style::kAuto : ProgressOptions::Style::kSilent});
  for (size_t i = 0; i < n; ++i) {
    const EvalCase& c = suite.cases[i];
    Db& d = dbs[c.db_uri];
    std::vector<std::string> foreign;
    for (const auto& name : all_names) {
      if (!d.names.count(lower(name))) foreign.push_back(name);
    }
    MutantMaker maker(d.names, foreign);
    for (const auto& gold : c.gold_alternatives) {
      GrammarCoverageCase r;
      r.id = c.id;
      r.db_id = c.db_id;
      r.sql = as_statement(gold);
      if (!d.checker) {
        r.gold = {false, 0, "database", d.error};
      } else {
        r.gold = d.checker->check(r.sql);
        for (const auto& m : mutants_of(r.sql, d.tables, d.columns, maker, i)) {
          ++r.mutants;
          if (!d.checker->check(m).ok) {
            ++r.mutants_refused;
          } else {
            r.mutants_accepted.push_back(m);
          }
        }
      }
      ++cov.gold;
      cov.accepted += r.gold.ok;
      cov.mutants += r.mutants;
      cov.mutants_refused += r.mutants_refused;
      cov.cases.push_back(std::move(r));
    }
    bar.advance();
  }
  bar.finish();
  return cov;
}

std::string grammar_coverage_json(const GrammarCoverage& cov) {
  nlohmann::json j;
  j["suite"] = cov.suite;
  j["grammar.acceptance"] = cov.acceptance();
  j["grammar.mutant_rejection"] = cov.mutant_rejection();
  j["gold"] = cov.gold;
  j["gold_accepted"] = cov.accepted;
  j["mutants"] = cov.mutants;
  j["mutants_refused"] = cov.mutants_refused;
  nlohmann::json refused = nlohmann::json::array(), let_through = nlohmann::json::array();
  for (const auto& c : cov.cases) {
    if (!c.gold.ok) {
      refused.push_back({{"id", c.id},
                         {"db_id", c.db_id},
                         {"sql", c.sql},
                         {"offset", c.gold.offset},
                         {"stage", c.gold.stage},
                         {"reason", c.gold.message}});
    }
    for (const auto& m : c.mutants_accepted) let_through.push_back({{"id", c.id}, {"mutant", m}});
  }
  j["refused_gold"] = refused;
  j["accepted_mutants"] = let_through;
  return j.dump(2) + "\n";
}

std::string grammar_coverage_table(const GrammarCoverage& cov) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(4);
  out << "suite: " << cov.suite << "\n";
  out << "grammar.acceptance        " << cov.acceptance() << "  (" << cov.accepted << " of " << cov.gold
      << " gold queries)\n";
  out << "grammar.mutant_rejection  " << cov.mutant_rejection() << "  (" << cov.mutants_refused << " of " << cov.mutants
      << " mutants)\n";
  for (const auto& c : cov.cases) {
    if (c.gold.ok) continue;
    // The refused character, marked in place.
    std::string shown =
        c.sql.substr(0, c.gold.offset) + "<<HERE>>" + c.sql.substr(std::min(c.gold.offset, c.sql.size()));
    out << "refused " << c.id << " at " << c.gold.offset << " (" << c.gold.stage
        << (c.gold.message.empty() ? "" : ": " + c.gold.message) << "): " << shown << "\n";
  }
  return out.str();
}

}  // namespace t2sql
