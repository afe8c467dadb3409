#include "generate/template_query_builder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace t2sql::template_rules {

bool TemplateQueryBuilder::link() {
  toks_ = tokenize_question(req_.question);
  consumed_.assign(toks_.size(), false);
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (toks_[i].kind == QuestionTokenKind::kPunct) consumed_[i] = true;
    if (toks_[i].kind == QuestionTokenKind::kWord && is_stop_word(toks_[i].norm)) consumed_[i] = true;
  }

  // Values first: proper names and quoted text are stronger evidence than a
  // lowercase word that happens to look like a column.
  // The engine's own value index first (its matches keep the question's
  // spelling, which the rules below look for); the pipeline's entity stage
  // links only when that finds nothing.
  std::vector<LinkedValue> linked = values_.search(req_.question, 12, 0.8);
  if (linked.empty()) linked = req_.linked_values;
  std::string lowerq;
  for (char ch : req_.question) lowerq += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::vector<Item> value_items;
  for (const auto& v : linked) {
    if (cat_.find_table(v.table) == nullptr) continue;
    // Numbers stay numbers: years and amounts are read by the rules, not as
    // text that happens to be stored somewhere.
    bool numeric = !v.matched_text.empty() && std::all_of(v.matched_text.begin(), v.matched_text.end(), [](char ch) {
      return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == ' ';
    });
    if (numeric) continue;
    std::string needle;
    for (char ch : v.matched_text) needle += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t pos = needle.empty() ? std::string::npos : lowerq.find(needle);
    if (pos == std::string::npos) continue;
    size_t b = toks_.size(), e = 0;
    for (size_t i = 0; i < toks_.size(); ++i) {
      size_t b0 = toks_[i].kind == QuestionTokenKind::kQuoted ? toks_[i].begin + 1 : toks_[i].begin;
      if (b0 >= pos && toks_[i].end <= pos + needle.size() + 2 && toks_[i].end > pos) {
        b = std::min(b, i);
        e = std::max(e, i + 1);
      }
    }
    if (b >= e) continue;
    Item it;
    it.kind = ItemKind::kValue;
    it.begin = b;
    it.end = e;
    it.value = v;
    for (size_t t = 0; t < cat_.tables.size(); ++t) {
      if (&cat_.tables[t] == cat_.find_table(v.table)) {
        it.t = static_cast<int>(t);
        const auto* ci = cat_.tables[t].find_column(v.column);
        if (ci) it.c = static_cast<int>(ci - cat_.tables[t].columns.data());
      }
    }
    if (it.t < 0 || it.c < 0) continue;
    value_items.push_back(it);
  }

  auto mentions = linker_.link(toks_);
  // "number of products" may name a column (Number_products), not a count.
  for (size_t i = 0; i + 2 < toks_.size(); ++i) {
    if (!(lw(i) == "number" && lw(i + 1) == "of") || toks_[i + 2].kind != QuestionTokenKind::kWord) continue;
    auto cands = linker_.match_words({"number", toks_[i + 2].norm});
    cands.erase(std::remove_if(cands.begin(), cands.end(),
                               [](const SchemaCandidate& c) { return c.column < 0 || c.score < 0.9; }),
                cands.end());
    if (cands.empty()) continue;
    mentions.erase(std::remove_if(mentions.begin(), mentions.end(),
                                  [&](const SchemaMention& m) { return m.end > i && m.begin < i + 3; }),
                   mentions.end());
    SchemaMention m{i, i + 3, cands};
    auto pos = std::find_if(mentions.begin(), mentions.end(), [&](const SchemaMention& x) { return x.begin > i; });
    mentions.insert(pos, m);
  }
  // A cue word that is also a column name ("average", "highest") is the cue
  // when another name follows it ("average age").
  static const std::set<std::string> kCueWords = {"average", "total", "maximum", "minimum", "highest",
                                                  "lowest",  "most",  "least",   "number",  "count",
                                                  "sum",     "max",   "min",     "avg"};
  for (size_t m = 0; m + 1 < mentions.size(); ++m) {
    if (mentions[m].end - mentions[m].begin == 1 && kCueWords.count(lw(mentions[m].begin)) &&
        mentions[m + 1].begin <= mentions[m].end + 2) {
      mentions.erase(mentions.begin() + m);
      --m;
    }
  }
  // "id" alone names the key of whichever table the question is about, and
  // "name" its name column.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (nw(i) != "name") continue;
    bool covered = false;
    for (const auto& m : mentions) covered = covered || (m.begin <= i && i < m.end);
    if (covered) continue;
    SchemaMention m{i, i + 1, {}};
    for (size_t t = 0; t < cat_.tables.size(); ++t) {
      int n = name_column(static_cast<int>(t));
      if (n >= 0 && !is_numeric(static_cast<int>(t), n)) m.candidates.push_back({static_cast<int>(t), n, 0.8});
    }
    if (!m.candidates.empty()) {
      auto pos = std::find_if(mentions.begin(), mentions.end(), [&](const SchemaMention& x) { return x.begin > i; });
      mentions.insert(pos, m);
    }
  }
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (nw(i) != "id") continue;
    bool covered = false;
    for (const auto& m : mentions) covered = covered || (m.begin <= i && i < m.end);
    if (covered) continue;
    SchemaMention m{i, i + 1, {}};
    for (size_t t = 0; t < cat_.tables.size(); ++t) {
      int k = key_column(static_cast<int>(t));
      if (k >= 0) m.candidates.push_back({static_cast<int>(t), k, 0.85});
    }
    if (!m.candidates.empty()) {
      auto pos = std::find_if(mentions.begin(), mentions.end(), [&](const SchemaMention& x) { return x.begin > i; });
      mentions.insert(pos, m);
    }
  }
  std::vector<bool> taken(toks_.size(), false);
  // A run of capitalized words that no stored value equals but that starts
  // stored values of one column ("the Dyson Vacuum product"): a prefix match.
  for (size_t i = 0; i < toks_.size();) {
    size_t e = i;
    while (e < toks_.size() && toks_[e].kind == QuestionTokenKind::kWord && toks_[e].capitalized) ++e;
    if (e - i < 2) {
      i = std::max(e, i + 1);
      continue;
    }
    bool covered = false;
    for (const auto& v : value_items) covered = covered || (v.begin <= i && v.end >= e);
    std::vector<std::string> words;
    for (size_t k = i; k < e; ++k) {
      for (const auto& w : ValueIndex::tokenize(toks_[k].text)) words.push_back(w);
    }
    const ValueIndex::Entry* first = nullptr;
    bool one_column = true;
    for (const auto& entry : values_.entries()) {
      if (covered) break;
      if (entry.tokens.size() <= words.size() || !std::equal(words.begin(), words.end(), entry.tokens.begin()))
        continue;
      if (!first) first = &entry;
      one_column = one_column && entry.table == first->table && entry.column == first->column;
    }
    if (first && one_column) {
      Item it;
      it.kind = ItemKind::kValue;
      it.begin = i;
      it.end = e;
      it.prefix = true;
      it.value = LinkedValue{first->table, first->column,
                             req_.question.substr(toks_[i].begin, toks_[e - 1].end - toks_[i].begin), "", 0.9};
      const auto* t = cat_.find_table(first->table);
      it.t = t ? static_cast<int>(t - cat_.tables.data()) : -1;
      const auto* c = t ? t->find_column(first->column) : nullptr;
      it.c = c ? static_cast<int>(c - t->columns.data()) : -1;
      if (it.t >= 0 && it.c >= 0) {
        for (size_t k = i; k < e; ++k) taken[k] = true;
        items_.push_back(it);
      }
    }
    i = e;
  }
  // Keep one value per span: the best; ties go to the earlier (higher score) entry.
  for (auto& v : value_items) {
    bool strong = v.value.score >= 0.99;
    bool proper = false;
    for (size_t i = v.begin; i < v.end; ++i) {
      proper = proper || toks_[i].capitalized || toks_[i].kind == QuestionTokenKind::kQuoted;
    }
    bool schema_clash = false;
    for (const auto& m : mentions) {
      if (m.end <= v.begin || m.begin >= v.end) continue;
      double best = m.candidates.empty() ? 0 : m.candidates[0].score;
      bool covers_more = (m.end - m.begin) > (v.end - v.begin);
      if ((best >= 0.9 && !proper) || covers_more) schema_clash = true;
    }
    if (schema_clash || !(strong || proper || v.value.score >= 0.85)) continue;
    bool overlap = false;
    for (size_t i = v.begin; i < v.end; ++i) overlap = overlap || taken[i];
    if (overlap) {
      // Same span, another column: an alternative, chosen once the question's
      // tables are known (resolve_values).
      for (auto& kept : items_) {
        if (kept.kind == ItemKind::kValue && kept.begin == v.begin && kept.end == v.end &&
            v.value.score >= kept.value.score - 0.01) {
          kept.alts.push_back(v);
        }
      }
      continue;
    }
    for (size_t i = v.begin; i < v.end; ++i) taken[i] = true;
    items_.push_back(v);
  }
  for (auto& m : mentions) {
    bool overlap = false;
    for (size_t i = m.begin; i < m.end; ++i) overlap = overlap || taken[i];
    if (overlap) continue;
    Item it;
    it.begin = m.begin;
    it.end = m.end;
    it.cands = m.candidates;
    double best_table = 0, best_col = 0;
    for (const auto& c : it.cands)
      (c.column < 0 ? best_table : best_col) = std::max(c.column < 0 ? best_table : best_col, c.score);
    it.kind = best_table > 0 && best_table >= best_col - 0.05 ? ItemKind::kTable : ItemKind::kColumn;
    for (size_t i = m.begin; i < m.end; ++i) taken[i] = true;
    items_.push_back(std::move(it));
  }
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (taken[i]) continue;
    if (toks_[i].kind == QuestionTokenKind::kNumber) {
      Item it;
      it.kind = ItemKind::kNumber;
      it.begin = i;
      it.end = i + 1;
      it.number = toks_[i].number;
      it.text = toks_[i].text;
      items_.push_back(it);
    } else if (toks_[i].kind == QuestionTokenKind::kQuoted) {
      Item it;
      it.kind = ItemKind::kQuoted;
      it.begin = i;
      it.end = i + 1;
      it.text = toks_[i].text;
      items_.push_back(it);
    }
  }
  std::sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
  // Implied items (an "older" age column, a name column) are appended
  // later while items are referenced: room for them keeps references valid.
  items_.reserve(items_.size() + 64);
  for (const auto& it : items_) {
    for (size_t i = it.begin; i < it.end; ++i) consumed_[i] = true;
  }
  return true;
}

void TemplateQueryBuilder::resolve_column(Item& it) {
  double best = -1;
  for (const auto& c : it.cands) {
    if (c.column < 0) continue;
    double s = c.score;
    if (c.table == focus_)
      s += 0.25;
    else if (contains_int(mentioned_tables_, c.table))
      s += 0.15;
    else if (focus_ >= 0) {
      int dist = joins_.distance(focus_, c.table);
      s -= dist < 0 ? 0.5 : 0.05 * dist;
    }
    // "name of the stadium": the table named right after the column wins.
    for (size_t k = it.end; k < std::min(toks_.size(), it.end + 4); ++k) {
      Item* next = item_at(k);
      if (next && next->kind == ItemKind::kTable && next->t == c.table && (lw(it.end) == "of" || lw(it.end) == "for")) {
        s += 0.3;
      }
      if (next) break;
    }
    if (s > best) {
      best = s;
      it.t = c.table;
      it.c = c.column;
    }
  }
}

int TemplateQueryBuilder::choose_focus() {
  // Tables named in the question, in order.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kTable) continue;
    double best = -1;
    for (const auto& c : it.cands) {
      if (c.column >= 0) continue;
      if (c.score > best) {
        best = c.score;
        it.t = c.table;
      }
    }
    if (!contains_int(mentioned_tables_, it.t)) mentioned_tables_.push_back(it.t);
  }
  // The counted table, else the first table named outside a negation or a
  // "with the most X" clause, else the table most of the columns belong to.
  if (count_) {
    Item* it = next_item(count_pos_, 4);
    if (it && it->kind == ItemKind::kTable) return it->t;
    if (it && it->kind == ItemKind::kColumn && !count_distinct_ && !it->cands.empty() && it->cands[0].column >= 0) {
      int t = it->cands[0].table, c = it->cands[0].column;
      if (is_measure(t, c)) {
        // "how many units were sold": the total of that measure.
        it->used = true;
        it->t = t;
        it->c = c;
        count_ = false;
        count_measure_ = Expr{.agg = Agg::kSum, .t = t, .c = c};
        return t;
      }
      if (!is_numeric(t, c)) {
        // "how many car models": rows of the table that holds models;
        // "how many cities": the different values of a column that repeats.
        it->used = true;
        it->t = t;
        it->c = c;
        if (c != name_column(t) && !is_key(t, c))
          count_distinct_col_ = Expr{.agg = Agg::kCount, .distinct = true, .t = t, .c = c};
        return t;
      }
    }
  }
  for (const auto& it : items_) {
    if (it.kind != ItemKind::kTable) continue;
    bool subordinate = false;
    for (size_t k = it.begin >= 3 ? it.begin - 3 : 0; k < it.begin; ++k) {
      bool ranked_subject = k > 0 && toks_[k - 1].kind == QuestionTokenKind::kNumber;  // "the 5 least popular products"
      if (lw(k) == "without" || lw(k) == "never" || lw(k) == "no" || lw(k) == "not" ||
          ((lw(k) == "most" || lw(k) == "least" || lw(k) == "fewest") && !ranked_subject)) {
        subordinate = true;
      }
    }
    if (!subordinate) return it.t;
  }
  {
    // The table most of the named columns can belong to ("average age for
    // each pet type": pets has both, student only an age).
    std::map<int, double> votes;
    int first_table = -1;
    for (const auto& it : items_) {
      if (it.kind != ItemKind::kColumn || it.cands.empty()) continue;
      double top = it.cands[0].score;
      std::set<int> seen;
      for (const auto& c : it.cands) {
        if (c.column >= 0 && c.score >= top - 0.1 && seen.insert(c.table).second) {
          votes[c.table] += c.score;
          if (first_table < 0) first_table = c.table;
        }
      }
    }
    int best = -1;
    double best_v = 0;
    for (const auto& [t, v] : votes) {
      if (v > best_v + 1e-9 || (std::fabs(v - best_v) < 1e-9 && t == first_table)) {
        best_v = v;
        best = t;
      }
    }
    if (best >= 0) return best;
  }
  if (!mentioned_tables_.empty()) return mentioned_tables_[0];
  std::map<int, double> votes;
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kColumn) {
      std::set<int> seen;
      double top = it.cands.empty() ? 0 : it.cands[0].score;
      for (const auto& c : it.cands) {
        if (c.column >= 0 && c.score >= top - 0.01 && seen.insert(c.table).second) votes[c.table] += c.score;
      }
    } else if (it.kind == ItemKind::kValue) {
      votes[it.t] += 0.8;
    }
  }
  int best = -1;
  double best_v = 0;
  for (const auto& [t, v] : votes) {
    if (v > best_v) {
      best_v = v;
      best = t;
    }
  }
  return best;
}

void TemplateQueryBuilder::resolve_items() {
  for (auto& it : items_) {
    if (it.kind == ItemKind::kColumn) resolve_column(it);
  }
  // A value stored in several columns: the one whose column is named next
  // to it ("model volvo"), else one of the question's tables.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kValue || it.alts.empty()) continue;
    auto score = [&](const Item& v) {
      double s = 0;
      for (const auto& other : items_) {
        if (other.kind != ItemKind::kColumn) continue;
        if (other.end + 2 < v.begin || other.begin > v.end + 1) continue;
        for (const auto& c : other.cands) {
          if (c.table == v.t && c.column == v.c) s += 1.0;
        }
      }
      if (v.t == focus_)
        s += 0.5;
      else if (contains_int(mentioned_tables_, v.t))
        s += 0.3;
      return s;
    };
    double best = score(it);
    for (const auto& alt : it.alts) {
      double sc = score(alt);
      if (sc > best) {
        best = sc;
        it.t = alt.t;
        it.c = alt.c;
        it.value = alt.value;
      }
    }
  }
}

std::optional<Comparator> TemplateQueryBuilder::comparator_at(size_t i) const {
  struct Pattern {
    std::vector<const char*> words;
    const char* op;
    std::vector<std::string> implied;
  };
  static const std::vector<Pattern> kPatterns = {
      {{"greater", "than", "or", "equal", "to"}, ">=", {}},
      {{"more", "than", "or", "equal", "to"}, ">=", {}},
      {{"less", "than", "or", "equal", "to"}, "<=", {}},
      {{"not", "equal", "to"}, "!=", {}},
      {{"no", "less", "than"}, ">=", {}},
      {{"not", "less", "than"}, ">=", {}},
      {{"no", "more", "than"}, "<=", {}},
      {{"not", "more", "than"}, "<=", {}},
      {{"at", "least"}, ">=", {}},
      {{"at", "most"}, "<=", {}},
      {{"more", "than"}, ">", {}},
      {{"greater", "than"}, ">", {}},
      {{"larger", "than"}, ">", {}},
      {{"bigger", "than"}, ">", {}},
      {{"higher", "than"}, ">", {}},
      {{"older", "than"}, ">", {"age"}},
      {{"heavier", "than"}, ">", {"weight"}},
      {{"taller", "than"}, ">", {"height"}},
      {{"longer", "than"}, ">", {"length"}},
      {{"later", "than"}, ">", {}},
      {{"less", "than"}, "<", {}},
      {{"fewer", "than"}, "<", {}},
      {{"smaller", "than"}, "<", {}},
      {{"lower", "than"}, "<", {}},
      {{"younger", "than"}, "<", {"age"}},
      {{"lighter", "than"}, "<", {"weight"}},
      {{"shorter", "than"}, "<", {"height"}},
      {{"earlier", "than"}, "<", {}},
      {{"cheaper", "than"}, "<", {"price"}},
      {{"equal", "to"}, "=", {}},
      {{"exceeding"}, ">", {}},
      {{"exceeds"}, ">", {}},
      {{"exceed"}, ">", {}},
      {{"over"}, ">", {}},
      {{"above"}, ">", {}},
      {{"below"}, "<", {}},
      {{"under"}, "<", {}},
      {{"after"}, ">", {}},
      {{"since"}, ">=", {}},
      {{"before"}, "<", {}},
      {{"equals"}, "=", {}},
      {{"exactly"}, "=", {}},
  };
  for (const auto& p : kPatterns) {
    bool ok = true;
    for (size_t k = 0; k < p.words.size() && ok; ++k) ok = lw(i + k) == p.words[k];
    if (ok) {
      std::string op = p.op;
      if (i > 0 && lw(i - 1) == "not" && p.words[0] != std::string("not")) {
        static const std::map<std::string, std::string> kInverse = {{">", "<="}, {"<", ">="}, {">=", "<"},
                                                                    {"<=", ">"}, {"=", "!="}, {"!=", "="}};
        op = kInverse.at(op);
      }
      return Comparator{op, p.words.size(), p.implied};
    }
  }
  return std::nullopt;
}

int TemplateQueryBuilder::nearest_numeric_column(size_t from, size_t to_exclusive, bool prefer_late) {
  int found = -1;
  for (size_t k = from; k < to_exclusive && k < toks_.size(); ++k) {
    Item* it = item_at(k);
    if (!it || it->kind != ItemKind::kColumn || it->t < 0) continue;
    if (is_key(it->t, it->c) && nw(it->begin) != "id") continue;
    if (!is_numeric(it->t, it->c) && !is_date(it->t, it->c)) {
      // Another candidate of the same words may be numeric.
      for (const auto& c : it->cands) {
        if (c.column >= 0 && (is_numeric(c.table, c.column) || is_date(c.table, c.column)) &&
            c.score >= it->cands[0].score - 0.15 && (c.table == focus_ || contains_int(mentioned_tables_, c.table))) {
          it->t = c.table;
          it->c = c.column;
          break;
        }
      }
      if (!is_numeric(it->t, it->c) && !is_date(it->t, it->c)) continue;
    }
    found = static_cast<int>(it - items_.data());
    if (!prefer_late) return found;
  }
  return found;
}

int TemplateQueryBuilder::date_column_for(int preferred) {
  auto pick = [&](int t) -> int {
    if (t < 0) return -1;
    int best = -1;
    for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
      if (!is_date(t, c)) continue;
      // A table's own event date ("sale_date") before other dates ("closed_on").
      const auto& w = linker_.column_words(t, c);
      if (best < 0 || contains(w, "date")) best = static_cast<int>(c);
      if (!linker_.table_words(t).empty() && contains(w, linker_.table_words(t)[0])) return static_cast<int>(c);
    }
    return best;
  };
  if (int c = pick(preferred); c >= 0) return preferred * 1000 + c;
  for (int t : q_.tables) {
    if (int c = pick(t); c >= 0) return t * 1000 + c;
  }
  return -1;
}

// Comparisons with numbers and dates, years, months, relative ranges,
// values and quoted strings become WHERE conditions (or HAVING counts).
bool TemplateQueryBuilder::conditions() {
  // Explicit "between A and B".
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lw(i) != "between") continue;
    Item* a = item_at(i + 1);
    Item* b = item_at(i + 3);
    if (!a || !b || a->kind != ItemKind::kNumber || b->kind != ItemKind::kNumber || lw(i + 2) != "and") continue;
    if (is_year(a->number) && is_year(b->number) && a->text.find('-') == std::string::npos) continue;  // years below
    int ci = nearest_numeric_column(i >= 5 ? i - 5 : 0, i, true);
    if (ci < 0) ci = nearest_numeric_column(i + 4, i + 7, false);
    if (ci < 0) continue;
    Item& c = items_[ci];
    c.used = a->used = b->used = true;
    consumed_[i] = consumed_[i + 2] = true;
    add_condition({{Expr{.t = c.t, .c = c.c}, "BETWEEN",
                    number_sql(a->number, a->text) + " AND " + number_sql(b->number, b->text)}});
  }
  // Comparators with a number (or a date, or "the average").
  for (size_t i = 0; i < toks_.size(); ++i) {
    auto cmp = comparator_at(i);
    if (!cmp) continue;
    size_t k = i + cmp->length;
    while (k < toks_.size() && (lw(k) == "the" || lw(k) == "of" || lw(k) == "a" || lw(k) == "$" || lw(k) == "an")) {
      ++k;
    }
    // "above age 20": the column between the cue and the number.
    if (Item* c = item_at(k); c && c->kind == ItemKind::kColumn && c->t >= 0 && is_numeric(c->t, c->c)) {
      if (Item* n = item_at(c->end); n && n->kind == ItemKind::kNumber) k = c->end;
    }
    Item* num = item_at(k);
    if (lw(k) == "average" || lw(k) == "avg") {
      if (num) num->used = true;
      num = nullptr;
    }
    // "above the average age": compare with a subquery.
    if (!num && (lw(k) == "average" || lw(k) == "avg")) {
      int ci = nearest_numeric_column(i >= 6 ? i - 6 : 0, i, true);
      Item* avg_item = item_at(k);
      Item* after = next_item(avg_item ? avg_item->end : k + 1, 2);
      if (after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
        ci = static_cast<int>(after - items_.data());
      }
      if (ci < 0 && !cmp->implied.empty()) {
        auto cands = linker_.match_words(cmp->implied);
        for (const auto& c : cands) {
          if (c.column >= 0 && c.table == focus_) {
            Item tmp;
            tmp.kind = ItemKind::kColumn;
            tmp.t = c.table;
            tmp.c = c.column;
            tmp.used = true;
            items_.push_back(tmp);
            ci = static_cast<int>(items_.size() - 1);
            break;
          }
        }
      }
      if (ci < 0) continue;
      Item& c = items_[ci];
      c.used = true;
      for (size_t j = i; j <= k; ++j) consumed_[j] = true, cond_tokens_.insert(j);
      add_condition(
          {{Expr{.t = c.t, .c = c.c}, cmp->op,
            "(SELECT AVG(" + col_sql(c.t, c.c, false) + ") FROM " + d_.quote_identifier(cat_.tables[c.t].name) + ")"}});
      continue;
    }
    if (!num || num->kind != ItemKind::kNumber || num->used) continue;
    for (size_t j = i; j < k; ++j) consumed_[j] = true, cond_tokens_.insert(j);
    // "after 2013 or before 2008": alternatives.
    bool or_previous = false;
    if (last_cmp_end_ > 0 && i > last_cmp_end_ && i - last_cmp_end_ <= 3 && !q_.where.empty()) {
      for (size_t j = last_cmp_end_; j < i; ++j) or_previous |= lw(j) == "or";
    }
    last_cmp_end_ = k + 1;
    auto add_cmp = [&](const Cond& c) {
      if (or_previous)
        q_.where.back().push_back(c), add_table(c.lhs.t);
      else
        add_condition({c});
    };
    bool date_text = num->text.find('-') != std::string::npos || num->text.find('/') != std::string::npos;
    // "N or more", handled by the same code with the op from the suffix.
    std::string op = cmp->op;
    // The column: a numeric column between the cue and the number, then one
    // just before the cue, then one just after the number.
    int ci = nearest_numeric_column(i + cmp->length, k, false);
    if (ci < 0) ci = nearest_numeric_column(i >= 4 ? i - 4 : 0, i, true);
    Item* after = next_item(num->end, 2);
    if (ci < 0 && after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
      ci = static_cast<int>(after - items_.data());
    }
    if (ci >= 0 && items_[ci].used && !(items_[ci].t >= 0 && is_numeric(items_[ci].t, items_[ci].c))) ci = -1;
    // "paid more than 30000": a date column is compared with years and dates only.
    if (ci >= 0 && items_[ci].t >= 0 && is_date(items_[ci].t, items_[ci].c) &&
        !is_numeric(items_[ci].t, items_[ci].c) && !date_text && !is_year(num->number)) {
      ci = -1;
    }
    {
      // "an average unit price above 100", "total sales over 1,500,000",
      // "revenue above 2 million": a condition on a total, per group.
      Item* subject = nullptr;
      for (auto& other : items_) {
        if (other.end <= i && other.end + 2 >= i && other.end > other.begin) subject = &other;
      }
      Agg agg = Agg::kNone;
      if (subject) {
        for (size_t j = subject->begin >= 2 ? subject->begin - 2 : 0; j < subject->begin; ++j) {
          if (lw(j) == "average" || lw(j) == "avg") agg = Agg::kAvg;
          if (lw(j) == "total" || lw(j) == "sum") agg = Agg::kSum;
        }
      }
      int measure_col = -1;
      if (subject && subject->kind == ItemKind::kTable) {
        for (const auto& c : subject->cands) {
          if (c.column >= 0 && c.table == subject->t && c.score >= 0.8 && is_measure(c.table, c.column)) {
            measure_col = c.column;
          }
        }
      }
      bool grouped_subject = false;
      for (const auto& other : items_) {
        grouped_subject |= other.kind != ItemKind::kNumber && other.end <= (subject ? subject->begin : 0) &&
                           (other.kind == ItemKind::kTable || other.kind == ItemKind::kColumn) && other.t != -1 &&
                           !(other.t == (subject ? subject->t : -2) && other.kind == ItemKind::kColumn &&
                             is_numeric(other.t, other.c));
      }
      double scale = lw(k + 1) == "million" ? 1e6 : lw(k + 1) == "thousand" ? 1e3 : lw(k + 1) == "billion" ? 1e9 : 1;
      if (scale != 1) consumed_[k + 1] = true;
      // "products that sold more than 1000 units": the unit right after the
      // number is a measure of related rows, totalled per main row.
      Item* unit = after && after->kind == ItemKind::kColumn && after->t >= 0 && after->t != focus_ &&
                           after->begin == num->end && is_measure(after->t, after->c) && !after->used
                       ? after
                       : nullptr;
      if (unit && ci >= 0 && (&items_[ci] == unit || items_[ci].t == unit->t)) ci = -1;
      if (unit && ci < 0) {
        Expr lhs{.agg = agg == Agg::kNone ? Agg::kSum : agg, .t = unit->t, .c = unit->c};
        unit->used = true;
        num->used = true;
        if (subject && subject->t == unit->t) subject->used = true, having_items_.insert(subject->begin);
        having_items_.insert(unit->begin);
        add_table(lhs.t);
        q_.having.push_back({lhs, op, number_sql(num->number * scale, "")});
        having_subject_ = true;
        continue;
      }
      if (subject && grouped_subject && !is_year(num->number) &&
          ((agg != Agg::kNone && subject->kind == ItemKind::kColumn && subject->t >= 0 &&
            is_numeric(subject->t, subject->c)) ||
           measure_col >= 0)) {
        Expr lhs = measure_col >= 0
                       ? Expr{.agg = agg == Agg::kNone ? Agg::kSum : agg, .t = subject->t, .c = measure_col}
                       : Expr{.agg = agg, .t = subject->t, .c = subject->c};
        subject->used = true;
        having_items_.insert(subject->begin);
        num->used = true;
        add_table(lhs.t);
        q_.having.push_back({lhs, op, number_sql(num->number * scale, "")});
        having_subject_ = true;
        continue;
      }
      if (scale != 1) num->number *= scale, num->text.clear();
      // "How many sales were above 2.5k": the rows of a table named by a
      // word of its measure, compared by that measure one by one.
      if (ci < 0 && subject && measure_col >= 0 && !grouped_subject && agg == Agg::kNone && subject->t == focus_ &&
          !is_year(num->number) && !date_text) {
        Item tmp;
        tmp.kind = ItemKind::kColumn;
        tmp.t = subject->t;
        tmp.c = measure_col;
        items_.push_back(tmp);
        ci = static_cast<int>(items_.size() - 1);
        num = item_at(k);
      }
    }
    if (ci < 0 && !cmp->implied.empty()) {
      for (const auto& c : linker_.match_words(cmp->implied)) {
        if (c.column >= 0 && (c.table == focus_ || contains_int(mentioned_tables_, c.table)) &&
            is_numeric(c.table, c.column)) {
          Item tmp;
          tmp.kind = ItemKind::kColumn;
          tmp.t = c.table;
          tmp.c = c.column;
          items_.push_back(tmp);
          ci = static_cast<int>(items_.size() - 1);
          num = item_at(k);
          after = next_item(num->end, 2);
          break;
        }
      }
    }
    // "with more than 3 concerts": a count of related rows.
    bool subject_column_of_counted = false;
    if (after && after->kind == ItemKind::kTable) {
      for (const auto& other : items_) {
        if (other.kind == ItemKind::kColumn && other.end <= i && other.t == after->t && !is_numeric(other.t, other.c)) {
          subject_column_of_counted = true;
        }
      }
    }
    // "more than 2000 sales": a year-like number right before what is counted
    // is a count, unless the cue is about time ("after 2000 sales" is not).
    bool temporal_cue =
        lw(i) == "after" || lw(i) == "before" || lw(i) == "since" || lw(i) == "later" || lw(i) == "earlier";
    // "more than a million in revenue": a table named by a word of its
    // measure, after the number, is that measure's total, not a count.
    if (ci < 0 && after && after->kind == ItemKind::kTable && after->t != focus_ && after->begin > num->end &&
        lw(after->begin - 1) == "in" && !is_year(num->number)) {
      int measure_col = -1;
      for (const auto& c : after->cands) {
        if (measure_col < 0 && c.column >= 0 && c.table == after->t && c.score >= 0.8 && is_measure(c.table, c.column))
          measure_col = c.column;
      }
      if (measure_col >= 0) {
        after->used = true;
        num->used = true;
        add_table(after->t);
        q_.having.push_back({Expr{.agg = Agg::kSum, .t = after->t, .c = measure_col}, op, number_sql(num->number, "")});
        having_items_.insert(after->begin);
        having_subject_ = true;
        continue;
      }
    }
    if (ci < 0 && after && after->kind == ItemKind::kTable && (after->t != focus_ || subject_column_of_counted) &&
        (!is_year(num->number) || (after->begin == num->end && !temporal_cue))) {
      after->used = true;
      num->used = true;
      add_table(after->t);
      q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(num->number, num->text)});
      continue;
    }
    if (ci < 0 && (is_year(num->number) || date_text)) {
      // "before 2020", "after 2013": a year against a date or year column.
      int dc = -1, yc = -1;
      std::vector<int> scan{focus_};
      for (int t : mentioned_tables_) scan.push_back(t);
      for (int t : scan) {
        if (t < 0) continue;
        for (size_t c = 0; c < cat_.tables[t].columns.size(); ++c) {
          if (contains(linker_.column_words(t, c), "year") && !is_date(t, c) && yc < 0) yc = t * 1000 + c;
        }
      }
      dc = date_column_for(focus_);
      num->used = true;
      if (yc >= 0 && !date_text) {
        add_cmp({Expr{.t = yc / 1000, .c = yc % 1000}, op, number_sql(num->number, "")});
        continue;
      }
      if (dc >= 0) {
        int y = static_cast<int>(num->number);
        std::string lit =
            date_text ? d_.string_literal(num->text) : d_.date_literal(op == ">" || op == "<=" ? y + 1 : y, 1, 1);
        std::string op2 = op;
        if (!date_text && op == ">") op2 = ">=";
        if (!date_text && op == "<=") op2 = "<";
        if (date_text) lit = d_.date_from_text(lit);
        add_cmp({Expr{.t = dc / 1000, .c = dc % 1000}, op2, lit});
        time_filtered_ = true;
        continue;
      }
      num->used = false;
    }
    if (ci < 0) {
      // "under 100 dollars": a money column of the question's tables.
      static const std::set<std::string> kCurrency = {"dollar", "dollars", "usd",    "euro",  "euros",
                                                      "eur",    "pound",   "pounds", "bucks", "$"};
      bool money = kCurrency.count(lw(k + 1)) > 0 || (k > 0 && toks_[k - 1].text == "$");
      if (money) {
        static const std::vector<std::string> kMoneyWords = {"price",  "cost",   "amount",  "revenue", "salary",
                                                             "fee",    "budget", "payment", "charge",  "spend",
                                                             "income", "wage",   "total"};
        std::vector<int> scan{focus_};
        for (int t : mentioned_tables_) scan.push_back(t);
        for (int t : scan) {
          for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size() && ci < 0; ++c) {
            if (!is_measure(t, c)) continue;
            for (const auto& mw : kMoneyWords) {
              if (contains(linker_.column_words(t, c), mw) && ci < 0) {
                Item tmp;
                tmp.kind = ItemKind::kColumn;
                tmp.t = t;
                tmp.c = static_cast<int>(c);
                items_.push_back(tmp);
                ci = static_cast<int>(items_.size() - 1);
                num = item_at(k);
              }
            }
          }
          if (ci >= 0) break;
        }
        if (ci >= 0 && kCurrency.count(lw(k + 1))) consumed_[k + 1] = true;
      }
    }
    if (ci < 0) {
      penalize(0.6, "no column for the comparison near '" + num->text + "'");
      continue;
    }
    Item& c = items_[ci];
    c.used = true;
    num->used = true;
    if (k + 2 < toks_.size() && lw(k + 1) == "or" && (lw(k + 2) == "more" || lw(k + 2) == "greater")) op = ">=";
    if (k + 2 < toks_.size() && lw(k + 1) == "or" && (lw(k + 2) == "less" || lw(k + 2) == "fewer")) op = "<=";
    std::string rhs = date_text ? d_.string_literal(num->text) : number_sql(num->number, num->text);
    if (is_date(c.t, c.c) && !date_text && is_year(num->number)) {
      // "opened after 2020": from the first day of the next year.
      int y = static_cast<int>(num->number);
      if (op == ">")
        op = ">=", y += 1;
      else if (op == "<=")
        op = "<", y += 1;
      rhs = d_.date_literal(y, 1, 1);
    } else if (date_text) {
      rhs = d_.date_from_text(rhs);
    }
    add_cmp({Expr{.t = c.t, .c = c.c}, op, rhs});
  }
  // "cars with 4 cylinders", "a cat that is age 3": a number right next to a
  // numeric column of the question's tables is that column's value.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kNumber || it.used || is_year(it.number)) continue;
    const std::string& before = lw(it.begin - 1);
    if (lw(it.end) == "or" || before == "top" || before == "first" || before == "last" || before == "bottom") continue;
    Item* c = item_at(it.end);
    bool column_after = c && c->kind == ItemKind::kColumn && c->t >= 0 && !c->used;
    if (!column_after) {
      c = it.begin > 0 ? item_covering(it.begin - 1) : nullptr;  // "age 3"
      column_after = false;
      if (!(c && c->kind == ItemKind::kColumn && c->t >= 0 && !c->used && c->end == it.begin)) continue;
    } else if (!(before == "with" || before == "has" || before == "have" || before == "had" || before == "of" ||
                 before == "is" || before == "are" || before == "all")) {
      continue;
    }
    if (!is_numeric(c->t, c->c) || is_key(c->t, c->c) || is_date(c->t, c->c)) continue;
    if (c->t != focus_ && !contains_int(mentioned_tables_, c->t)) continue;
    it.used = true;
    c->used = true;
    add_condition({{Expr{.t = c->t, .c = c->c}, "=", number_sql(it.number, it.text)}});
  }

  // "N or more X" / "N or fewer X" without a leading comparator.
  for (auto& it : items_) {
    if (it.kind != ItemKind::kNumber || it.used) continue;
    size_t k = it.end;
    if (!(lw(k) == "or" && (lw(k + 1) == "more" || lw(k + 1) == "fewer" || lw(k + 1) == "less"))) continue;
    std::string op = lw(k + 1) == "more" ? ">=" : "<=";
    consumed_[k] = consumed_[k + 1] = true;
    Item* after = next_item(k + 2, 2);
    if (after && after->kind == ItemKind::kTable && after->t != focus_) {
      after->used = true;
      it.used = true;
      add_table(after->t);
      q_.having.push_back({Expr{.agg = Agg::kCount, .star = true}, op, number_sql(it.number, it.text)});
    } else if (after && after->kind == ItemKind::kColumn && after->t >= 0 && is_numeric(after->t, after->c)) {
      after->used = true;
      it.used = true;
      add_condition({{Expr{.t = after->t, .c = after->c}, op, number_sql(it.number, it.text)}});
    }
  }

  // Values: equality with the stored value; several values of one column
  // are alternatives (IN). A negation just before a value makes it !=.
  // Grouped by column and by whether a negation precedes the value ("has a
  // dog but does not have a cat": dog kept, cat excluded).
  std::map<std::tuple<int, int, bool>, std::vector<Item*>> by_column;
  for (auto& it : items_) {
    if (it.kind != ItemKind::kValue) continue;
    bool neg = false;
    for (size_t k = it.begin >= 3 ? it.begin - 3 : 0; k < it.begin; ++k) {
      if (lw(k) == "not" || lw(k) == "except" || lw(k) == "excluding" || lw(k) == "never" || lw(k) == "without" ||
          (lw(k) == "than" && lw(k - 1) == "other") || lw(k) == "don't" || lw(k) == "doesn't" || lw(k) == "didn't") {
        neg = true;
        consumed_[k] = true;
        cond_tokens_.insert(k);
      }
    }
    if (it.prefix) {
      it.used = true;
      add_condition({{Expr{.t = it.t, .c = it.c}, neg ? "NOT LIKE" : "LIKE", d_.string_literal(it.value.value + "%")}});
      continue;
    }
    by_column[{it.t, it.c, neg}].push_back(&it);
  }
  for (auto& [key, vals] : by_column) {
    std::pair<int, int> tc{std::get<0>(key), std::get<1>(key)};
    bool negated = std::get<2>(key);
    std::vector<std::string> lits;
    for (Item* v : vals) {
      v->used = true;
      lits.push_back(d_.string_literal(v->value.value));
      // The column named right next to its value ("country France") says
      // nothing more; mark it used.
      for (auto& other : items_) {
        if (other.kind == ItemKind::kColumn && other.t == tc.first && other.c == tc.second &&
            (other.end + 3 >= v->begin && other.begin <= v->end + 3)) {
          other.used = true;
        }
        if (other.kind == ItemKind::kColumn && other.t != tc.first && other.end + 2 >= v->begin &&
            other.begin <= v->begin) {
          // "brand Nike" where the linked column is another table's name
          for (const auto& c : other.cands) {
            if (c.table == tc.first && c.column == tc.second) other.used = true;
          }
        }
      }
    }
    Expr lhs{.t = tc.first, .c = tc.second};
    if (negated && tc.first != focus_) {
      // "students who do not own a cat": main rows with no related row of
      // that value (NOT IN below), not related rows of another value.
      std::string list;
      for (size_t i = 0; i < lits.size(); ++i) list += (i ? ", " : "") + lits[i];
      neg_inner_.push_back({lhs, lits.size() == 1 ? "=" : "IN", lits.size() == 1 ? lits[0] : "(" + list + ")"});
      neg_value_table_ = tc.first;
      continue;
    }
    if (lits.size() == 1) {
      add_condition({{lhs, negated ? "!=" : "=", lits[0]}});
    } else {
      std::string list;
      for (size_t i = 0; i < lits.size(); ++i) list += (i ? ", " : "") + lits[i];
      add_condition({{lhs, negated ? "NOT IN" : "IN", "(" + list + ")"}});
    }
  }

  // "in the latest month", "the most recent year": the last period stored.
  for (size_t i = 0; i + 1 < toks_.size(); ++i) {
    size_t unit = i + 1;
    if (at(i, {"most", "recent"}))
      unit = i + 2;
    else if (lw(i) != "latest" && lw(i) != "newest")
      continue;
    DatePart part = nw(unit) == "month"                         ? DatePart::kYearMonth
                    : nw(unit) == "year"                        ? DatePart::kYear
                    : (nw(unit) == "day" || nw(unit) == "date") ? DatePart::kNone
                                                                : DatePart::kMonth;
    if (part == DatePart::kMonth || lw(i - 1) != "the") continue;
    latest_period_ = part;  // its date column is chosen with the others (dates())
    for (size_t k = i; k <= unit; ++k) consumed_[k] = true, cond_tokens_.insert(k);
    if (Item* u = item_at(unit)) u->used = true;
    time_filtered_ = true;
  }

  // "still open", "currently open": no closing date yet.
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (lw(i) != "open" || lw(0) == "when") continue;
    // "open" may have linked to an opening date; the state wins.
    Item* linked = item_at(i);
    if (linked && !(linked->kind == ItemKind::kColumn && linked->t >= 0 && is_date(linked->t, linked->c))) continue;
    std::vector<int> scan{focus_};
    for (int t : mentioned_tables_) scan.push_back(t);
    int found_t = -1, found_c = -1;
    for (int t : scan) {
      for (size_t c = 0; t >= 0 && c < cat_.tables[t].columns.size() && found_c < 0; ++c) {
        const auto& w = linker_.column_words(t, c);
        if (is_date(t, c) && col(t, c).nullable &&
            (contains(w, "closed") || contains(w, "close") || contains(w, "closing") || contains(w, "end") ||
             contains(w, "ended"))) {
          found_t = t;
          found_c = static_cast<int>(c);
        }
      }
      if (found_c >= 0) break;
    }
    if (found_c < 0) continue;
    consumed_[i] = true;
    cond_tokens_.insert(i);
    if (lw(i - 1) == "still" || lw(i - 1) == "currently") consumed_[i - 1] = true, cond_tokens_.insert(i - 1);
    if (linked) linked->used = true;
    add_condition({{Expr{.t = found_t, .c = found_c}, "IS", "NULL"}});
  }

  // Quoted strings that are not stored values: a pattern ("containing
  // 'Hey'") or an equality on the nearest text column.
  std::map<std::tuple<int, int, std::string>, std::vector<std::string>> quoted;
  for (auto& it : items_) {
    if (it.kind != ItemKind::kQuoted || it.used) continue;
    bool like = false;
    for (size_t k = it.begin >= 5 ? it.begin - 5 : 0; k < it.begin; ++k) {
      if (lw(k) == "contain" || lw(k) == "contains" || lw(k) == "containing" || lw(k) == "word" ||
          lw(k) == "substring" || lw(k) == "like" || lw(k) == "includes" || lw(k) == "including") {
        like = true;
        consumed_[k] = true;
      }
    }
    if (lw(it.end) == "in" && (lw(it.end + 1) == "its" || lw(it.end + 1) == "their" || lw(it.end + 1) == "the")) {
      like = true;
    }
    int best = -1;
    size_t best_dist = 1000;
    for (size_t k = 0; k < items_.size(); ++k) {
      const Item& c = items_[k];
      if (c.kind != ItemKind::kColumn || c.t < 0 || is_numeric(c.t, c.c)) continue;
      size_t dist = c.end <= it.begin ? it.begin - c.end : c.begin - it.end + 2;
      if (dist < best_dist) {
        best_dist = dist;
        best = static_cast<int>(k);
      }
    }
    if (best < 0 && focus_ >= 0) {
      int nc = name_column(focus_);
      if (nc >= 0) {
        Item tmp;
        tmp.kind = ItemKind::kColumn;
        tmp.t = focus_;
        tmp.c = nc;
        items_.push_back(tmp);
        best = static_cast<int>(items_.size() - 1);
      }
    }
    if (best < 0) {
      penalize(0.5, "no column for the quoted text '" + it.text + "'");
      continue;
    }
    Item& c = items_[best];
    it.used = true;
    if (!like || best_dist <= 3) c.used = true;
    bool negated = lw(it.begin - 1) == "not" || lw(it.begin - 2) == "not";
    std::string op = like ? (negated ? "NOT LIKE" : "LIKE") : (negated ? "!=" : "=");
    quoted[{c.t, c.c, op}].push_back(d_.string_literal(like ? "%" + it.text + "%" : it.text));
  }
  // Several quoted texts for one column are alternatives.
  for (const auto& [key, lits] : quoted) {
    auto [t, c, op] = key;
    std::vector<Cond> group;
    for (const auto& l : lits) group.push_back({Expr{.t = t, .c = c}, op, l});
    if (op == "!=" || op == "NOT LIKE") {
      for (const auto& g : group) add_condition({g});
    } else {
      add_condition(group);
    }
  }
  return true;
}

// Years, months and relative ranges against the date column of the main

void TemplateQueryBuilder::run() {
  link();
  if (!shape()) {
    confidence_ = 0;
    return;
  }
  std::string nested_sql;
  run_analyst_rules(nested_sql);
  // Words nothing explained cost confidence: the question says something the
  // SQL does not.
  // "average monthly revenue", "average daily sales": the average of the
  // per-period totals, not of the single rows (or of one row per period).
  for (size_t i = 0; i + 1 < toks_.size() && nested_sql.empty(); ++i) {
    if (lw(i) != "average" && lw(i) != "avg" && lw(i) != "mean") continue;
    const std::string& p = lw(i + 1);
    bool daily = p == "daily";
    if (!daily && p != "monthly" && p != "yearly" && p != "annual") continue;
    auto avg = std::find_if(q_.select.begin(), q_.select.end(), [&](const auto& s) {
      return s.second.agg == Agg::kAvg && !s.second.star && s.second.t >= 0 && is_numeric(s.second.t, s.second.c);
    });
    if (avg == q_.select.end()) continue;
    Expr period;
    if (daily) {
      int dc = date_column_for(avg->second.t);
      if (dc < 0) continue;
      period = Expr{.t = dc / 1000, .c = dc % 1000};
    } else {
      auto g = std::find_if(q_.group_by.begin(), q_.group_by.end(),
                            [&](const Expr& e) { return e.part != DatePart::kNone && e.agg == Agg::kNone; });
      if (g == q_.group_by.end() || q_.group_by.size() != 1) continue;
      period = *g;
    }
    Query inner = q_;
    Expr total = avg->second;
    total.agg = Agg::kSum;
    inner.select = {{0, period}, {1, total}};
    inner.group_by = {period};
    inner.order_by.clear();
    inner.having.clear();
    inner.limit = -1;
    inner.distinct = false;
    inner.agg_alias = "total";
    std::string inner_sql = render(inner);
    if (inner_sql.empty()) continue;
    nested_sql = "SELECT AVG(" + d_.quote_identifier("total") + ") FROM (" + inner_sql + ") AS " +
                 d_.quote_identifier("periods");  // PostgreSQL names every subquery
    consumed_[i + 1] = true;
  }
  // "the highest number of active stores in any month", "the average number
  // of sales per month": an aggregate over the per-period counts. Not when
  // the period is asked for ("which month had the most sales").
  bool period_asked = lw(0) == "which" || lw(0) == "when" || nw(1) == "month" || nw(1) == "year" || nw(1) == "day" ||
                      (lw(0) == "what" && item_at(1) != nullptr);
  for (size_t i = 0; i + 2 < toks_.size() && nested_sql.empty() && !period_asked; ++i) {
    static const std::map<std::string, Agg> kOuter = {
        {"average", Agg::kAvg}, {"avg", Agg::kAvg},      {"mean", Agg::kAvg},    {"highest", Agg::kMax},
        {"maximum", Agg::kMax}, {"max", Agg::kMax},      {"largest", Agg::kMax}, {"peak", Agg::kMax},
        {"biggest", Agg::kMax}, {"greatest", Agg::kMax}, {"lowest", Agg::kMin},  {"minimum", Agg::kMin},
        {"min", Agg::kMin},     {"smallest", Agg::kMin}, {"fewest", Agg::kMin}};
    auto outer = kOuter.find(lw(i));
    if (outer == kOuter.end() || !(at(i + 1, {"number", "of"}) || at(i + 1, {"count", "of"}))) continue;
    if (q_.group_by.size() != 1) continue;
    const Expr& g = q_.group_by[0];
    if (g.star || g.t < 0 || !is_date(g.t, g.c)) continue;
    std::optional<Expr> count;
    for (const auto& [p, e] : q_.select) {
      if (e.agg == Agg::kCount && !count) count = e;
    }
    for (const auto& [e, desc] : q_.order_by) {
      if (e.agg == Agg::kCount && !count) count = e;
    }
    if (!count) continue;
    Query inner = q_;
    inner.select = {{0, g}, {1, *count}};
    inner.order_by.clear();
    inner.having.clear();
    inner.limit = -1;
    inner.distinct = false;
    inner.agg_alias = "n";
    std::string inner_sql = render(inner);
    if (inner_sql.empty()) continue;
    nested_sql = std::string("SELECT ") + agg_sql(outer->second) + "(" + d_.quote_identifier("n") + ") FROM (" +
                 inner_sql + ") AS " + d_.quote_identifier("periods");
    consumed_[i] = true;
  }
  std::vector<std::string> unexplained;
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (consumed_[i] || toks_[i].kind != QuestionTokenKind::kWord) continue;
    if (item_covering(i)) continue;
    static const std::set<std::string> kHarmless = {
        "name",       "names",      "many",    "number",    "total",       "amount",       "count",      "show",
        "list",       "give",       "find",    "return",    "display",     "tell",         "get",        "much",
        "sum",        "comparison", "compare", "compared",  "vs",          "versus",       "than",       "year",
        "years",      "month",      "months",  "time",      "all",         "also",         "every",      "along",
        "their",      "there",      "exist",   "exists",    "existing",    "provide",      "known",      "called",
        "named",      "have",       "has",     "had",       "made",        "make",         "people",     "record",
        "records",    "row",        "rows",    "table",     "database",    "data",         "stored",     "registered",
        "available",  "sorted",     "listed",  "recorded",  "ordered",     "top",          "together",   "respectively",
        "what",       "are",        "were",    "is",        "was",         "did",          "does",       "do",
        "the",        "by",         "per",     "each",      "its",         "from",         "in",         "list",
        "descending", "ascending",  "order",   "whose",     "value",       "different",    "distinct",   "unique",
        "with",       "between",    "and",     "or",        "revenue",     "sales",        "overall",    "figure",
        "figures",    "breakdown",  "broken",  "down",      "over",        "across",       "altogether", "full",
        "complete",   "entire",     "current", "currently", "ever",        "produce",      "produced",   "produces",
        "own",        "owned",      "owns",    "happened",  "occurred",    "performed",    "perform",    "held",
        "take",       "took",       "taken",   "play",      "played",      "plays",        "belong",     "belongs",
        "work",       "works",      "worked",  "live",      "lives",       "lived",        "attend",     "attended",
        "create",     "created",    "creates", "involved",  "participate", "participated", "happen",     "occur",
        "hold",       "holds",      "sell",    "sold",      "buy",         "bought",       "come",       "comes",
        "go",
    };
    if (kHarmless.count(toks_[i].lower) || kHarmless.count(toks_[i].norm)) continue;
    unexplained.push_back(toks_[i].text);
  }
  if (!unexplained.empty()) {
    double cost = std::min(0.6, 0.12 * unexplained.size());
    std::string list;
    for (size_t i = 0; i < unexplained.size() && i < 5; ++i) list += (i ? ", " : "") + unexplained[i];
    penalize(cost, "words not understood: " + list);
  }
  for (const auto& it : items_) {
    if (it.kind == ItemKind::kNumber && !it.used) penalize(0.5, "the number " + it.text + " is not used");
    if (it.kind == ItemKind::kQuoted && !it.used) penalize(0.5, "the quoted text '" + it.text + "' is not used");
  }
  // Questions whose shape the rules do not cover.
  if (any_word({"both"}) && any_word({"and"})) penalize(0.5, "'both ... and' needs an intersection");
  if (any_word({"either"})) penalize(0.2, "'either' may need a union");
  q_.name_aggregates = true;
  sql_ = nested_sql.empty() ? render(q_) : nested_sql;
  if (sql_.empty()) confidence_ = 0;
  collect_features(!nested_sql.empty(), unexplained.size());
}

}  // namespace t2sql::template_rules
