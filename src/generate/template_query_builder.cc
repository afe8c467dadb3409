#include "generate/template_query_builder.h"
#include "generate/template_rules/lexicon.h"

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

  // The entity stage's reading when the pipeline ran it; else the same
  // function reads the question here (the same shared value index).
  if (req_.reading)
    reading_ = &*req_.reading;
  else
    own_reading_ = read_question(req_.question, toks_, &values_);

  // Values first: proper names and quoted text are stronger evidence than a
  // lowercase word that happens to look like a column. Without a pipeline,
  // whatever values the caller linked when the index finds none.
  std::vector<LinkedValue> linked = reading_->values;
  if (linked.empty() && !req_.reading) linked = req_.linked_values;
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
  for (size_t m = 0; m + 1 < mentions.size(); ++m) {
    if (mentions[m].end - mentions[m].begin == 1 && lexicon::kLinkCueWords.count(lw(mentions[m].begin)) &&
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
    // "more than", "two", "belong to": one lowercase word the rules read as
    // a cue, not a stored value that happens to be spelled the same.
    if (!proper && v.end == v.begin + 1 &&
        (lexicon::kNotValueWords.count(toks_[v.begin].norm) || lexicon::kMoreWords.count(toks_[v.begin].lower) ||
         lexicon::kLessWords.count(toks_[v.begin].lower) || lexicon::kNumberWords.count(toks_[v.begin].lower) ||
         lexicon::kAggregates.count(toks_[v.begin].lower) || lexicon::kSuperlatives.count(toks_[v.begin].lower))) {
      continue;
    }
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
    if (const QuestionSpan* n = reading_number(i)) {
      Item it;
      it.kind = ItemKind::kNumber;
      it.begin = i;
      it.end = i + 1;
      it.number = n->value;
      it.text = n->text;
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
  std::vector<std::tuple<double, int, int>> scored;
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
    scored.push_back({s, c.table, c.column});
  }
  note_rival(it, best, scored);
}

// Keeps the best reading of a span other than the chosen one (another
// table and column), and applies forced_ when it names this span.
void TemplateQueryBuilder::note_rival(Item& it, double best, const std::vector<std::tuple<double, int, int>>& scored,
                                      const std::vector<LinkedValue>& values) {
  size_t index = static_cast<size_t>(&it - items_.data());
  std::optional<ReadingChoice> rival;
  for (size_t k = 0; k < scored.size(); ++k) {
    auto [s, t, c] = scored[k];
    if (t == it.t && c == it.c) continue;
    if (rival && best - s >= rival->margin) continue;
    rival = ReadingChoice{.item = index, .t = t, .c = c, .margin = best - s};
    if (k < values.size()) rival->value = values[k];
  }
  std::string words;
  for (size_t k = it.begin; k < it.end && k < toks_.size(); ++k) {
    if (toks_[k].kind != QuestionTokenKind::kPunct) words += (words.empty() ? "" : " ") + toks_[k].text;
  }
  if (rival) {
    rival->words = words;
    rivals_.push_back(*rival);
    chosen_.push_back(ReadingChoice{.item = index, .t = it.t, .c = it.c, .value = it.value, .words = words});
  }
  if (forced_ && forced_->item == index) {
    it.t = forced_->t;
    it.c = forced_->c;
    if (it.kind == ItemKind::kValue) it.value = forced_->value;
  }
}

std::string TemplateQueryBuilder::place(const ReadingChoice& r) const {
  return r.t >= 0 && r.c >= 0 ? cat_.tables[r.t].name + "." + col(r.t, r.c).name : "?";
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
        // "the average number of points": the average of the measure.
        Agg outer = Agg::kSum;
        if (!count_is_question_ && count_pos_ >= 3) {
          const std::string& before = lw(count_pos_ - 3);
          if (before == "average" || before == "avg" || before == "mean") outer = Agg::kAvg;
          if (before == "maximum" || before == "max") outer = Agg::kMax;
          if (before == "minimum" || before == "min") outer = Agg::kMin;
        }
        count_measure_ = Expr{.agg = outer, .t = t, .c = c};
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
      bool ranked_subject = k > 0 && reading_number(k - 1);  // "the 5 least popular products"
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
    std::vector<std::tuple<double, int, int>> scored = {{best, it.t, it.c}};
    std::vector<LinkedValue> values = {it.value};
    for (const auto& alt : it.alts) {
      double sc = score(alt);
      scored.push_back({sc, alt.t, alt.c});
      values.push_back(alt.value);
      if (sc > best) {
        best = sc;
        it.t = alt.t;
        it.c = alt.c;
        it.value = alt.value;
      }
    }
    note_rival(it, best, scored, values);
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
        // Not a key of the same words ("card type codes": card_id).
        if (c.column >= 0 && (is_numeric(c.table, c.column) || is_date(c.table, c.column)) &&
            !is_key(c.table, c.column) && c.score >= it->cands[0].score - 0.15 &&
            (c.table == focus_ || contains_int(mentioned_tables_, c.table))) {
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

}  // namespace t2sql::template_rules
