#include "pipeline/lexical_retriever.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "pipeline/intent_classifier.h"

namespace t2sql {

namespace {

// "storeName" / "store_name" -> {"store", "name"}, singular forms added.
std::set<std::string> name_parts(const std::string& name) {
  std::set<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (cur.size() > 1) {
      parts.insert(cur);
      if (cur.size() > 3 && cur.back() == 's') parts.insert(cur.substr(0, cur.size() - 1));
    }
    cur.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '_' || c == ' ' || c == '-') {
      flush();
      continue;
    }
    if (std::isupper(static_cast<unsigned char>(c)) && !cur.empty() &&
        std::islower(static_cast<unsigned char>(cur.back())))
      flush();
    cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return parts;
}

std::string singular(const std::string& w) {
  if (w.size() > 4 && w.compare(w.size() - 3, 3, "ies") == 0) return w.substr(0, w.size() - 3) + "y";
  if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's') return w.substr(0, w.size() - 1);
  return w;
}

}  // namespace

Result<RetrievedContext> LexicalRetriever::retrieve(const std::string& question, const Catalog& catalog) {
  if (catalog.tables.empty()) return not_found("the catalog has no tables to retrieve from");
  std::set<std::string> words;
  for (const auto& w : question_words(question)) {
    if (w.size() < 2) continue;
    words.insert(w);
    words.insert(singular(w));
  }
  struct Scored {
    const TableInfo* table;
    double score;
    std::vector<std::string> columns;
  };
  std::vector<Scored> scored;
  for (const auto& t : catalog.tables) {
    Scored s{&t, 0, {}};
    for (const auto& p : name_parts(t.name))
      if (words.count(p)) s.score += 2;
    for (const auto& d : question_words(t.description))
      if (d.size() > 3 && words.count(d)) s.score += 0.25;
    for (const auto& c : t.columns) {
      double cs = 0;
      for (const auto& p : name_parts(c.name))
        if (p != "id" && words.count(p)) cs += 1;
      for (const auto& d : question_words(c.description))
        if (d.size() > 3 && words.count(d)) cs += 0.25;
      for (const auto& sample : c.samples)
        for (const auto& sw : question_words(sample))
          if (sw.size() > 2 && words.count(sw)) cs += 0.5;
      if (cs > 0) s.columns.push_back(c.name);
      s.score += cs;
    }
    scored.push_back(s);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  std::vector<const TableInfo*> kept;
  for (const auto& s : scored)
    if (s.score > 0 && kept.size() < max_tables_) kept.push_back(s.table);
  if (kept.empty()) {
    // Nothing matched: the whole schema is the honest fallback.
    for (const auto& t : catalog.tables) kept.push_back(&t);
  }
  // Close over foreign keys between kept tables and one hop out, so joins stay
  // possible: a table that links two kept tables is added.
  std::set<std::string> names;
  for (auto* t : kept) names.insert(t->name);
  for (const auto& t : catalog.tables) {
    if (names.count(t.name)) continue;
    int links = 0;
    for (const auto& fk : t.foreign_keys)
      if (names.count(fk.ref_table)) ++links;
    for (auto* k : kept)
      for (const auto& fk : k->foreign_keys)
        if (fk.ref_table == t.name) ++links;
    if (links >= 2) {
      kept.push_back(&t);
      names.insert(t.name);
    }
  }
  RetrievedContext ctx;
  ctx.source = name();
  for (auto* t : kept) {
    ctx.tables.push_back(t->name);
    // Keep every column of a small table; of a wide one, the matched columns
    // plus its keys.
    std::vector<std::string> cols;
    const Scored* s = nullptr;
    for (const auto& sc : scored)
      if (sc.table == t) s = &sc;
    if (t->columns.size() > 12 && s && !s->columns.empty()) {
      std::set<std::string> want(s->columns.begin(), s->columns.end());
      for (const auto& pk : t->primary_key) want.insert(pk);
      for (const auto& fk : t->foreign_keys) want.insert(fk.columns.begin(), fk.columns.end());
      for (const auto& c : t->columns)
        if (want.count(c.name)) cols.push_back(c.name);
      ctx.schema_ddl += table_ddl(*t, &cols) + "\n";
    } else {
      for (const auto& c : t->columns) cols.push_back(c.name);
      ctx.schema_ddl += table_ddl(*t) + "\n";
    }
    for (const auto& c : cols) ctx.columns.push_back(t->name + "." + c);
  }
  return ctx;
}

}  // namespace t2sql
