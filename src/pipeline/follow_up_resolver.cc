#include "pipeline/follow_up_resolver.h"

#include <cctype>
#include <set>

#include "pipeline/entity_extractor.h"
#include "pipeline/intent_classifier.h"

namespace t2sql {

namespace {

bool is_year(const std::string& w) {
  if (w.size() != 4) return false;
  for (char c : w)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  int y = std::stoi(w);
  return y >= 1900 && y <= 2100;
}

bool is_number(const std::string& w) {
  if (w.empty()) return false;
  for (char c : w)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string join(const std::vector<std::string>& words, size_t from = 0, size_t to = std::string::npos) {
  std::string out;
  for (size_t i = from; i < words.size() && i < to; ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

// Words that end a "by <grouping>" phrase.
const std::set<std::string> kPhraseEnd = {"in",     "for",   "during", "with",  "where",  "from", "between", "since",
                                          "before", "after", "and",    "order", "sorted", "top",  "vs",      "versus"};
// Words that make a short question standalone rather than a follow-up.
const std::set<std::string> kStandalone = {"what", "which", "who",     "how", "show",   "list", "give",    "count",
                                           "find", "total", "average", "sum", "number", "tell", "display", "get"};

}  // namespace

FollowUp resolve_follow_up(const std::string& question, const std::vector<Turn>& history, const ValueIndex* values) {
  FollowUp out;
  out.question = question;
  if (history.empty()) return out;
  auto words = question_words(question);
  if (words.empty()) return out;

  // Lead words that mark a follow-up, longest first.
  static const std::vector<std::vector<std::string>> kLeads = {{"what", "about"},
                                                               {"how", "about"},
                                                               {"same", "for"},
                                                               {"same", "but"},
                                                               {"and", "what", "about"},
                                                               {"and", "for"},
                                                               {"and", "in"},
                                                               {"and", "by"},
                                                               {"what", "if"},
                                                               {"and"},
                                                               {"now"},
                                                               {"also"},
                                                               {"then"},
                                                               {"but"},
                                                               {"instead"},
                                                               {"only"},
                                                               {"just"},
                                                               {"for"},
                                                               {"in"},
                                                               {"by"},
                                                               {"per"}};
  size_t lead = 0;
  bool strong = false;
  for (const auto& l : kLeads) {
    if (l.size() > words.size()) continue;
    bool match = true;
    for (size_t k = 0; k < l.size(); ++k) match = match && words[k] == l[k];
    if (!match) continue;
    // Keep "in"/"for"/"by"/"per"/"only"/"just" as part of the content.
    bool content_word = l.back() == "in" || l.back() == "for" || l.back() == "by" || l.back() == "per" ||
                        l.back() == "only" || l.back() == "just";
    lead = content_word ? l.size() - 1 : l.size();
    strong = l[0] == "and" || l[0] == "what" || l[0] == "how" || l[0] == "same" || l[0] == "instead";
    break;
  }
  std::vector<std::string> rest(words.begin() + static_cast<long>(lead), words.end());
  if (!rest.empty() && rest.back() == "instead") rest.pop_back();
  bool looks_standalone = false;
  for (const auto& w : rest)
    if (kStandalone.count(w)) looks_standalone = true;
  if (rest.size() >= 6) looks_standalone = true;
  bool short_fragment = words.size() <= 4 && !looks_standalone;
  bool only_years = true;
  for (const auto& w : words) only_years = only_years && is_year(w);
  if (!(strong && !looks_standalone) && !(lead > 0 && short_fragment) && !only_years) return out;
  if (rest.empty()) return out;

  const Turn& prev_turn = history.back();
  std::string prev_text = prev_turn.effective_question.empty() ? prev_turn.question : prev_turn.effective_question;
  auto prev = question_words(prev_text);
  std::vector<std::string> how;

  // Years replace years.
  std::vector<std::string> new_years;
  std::vector<std::string> remaining;
  for (const auto& w : rest) (is_year(w) ? new_years : remaining).push_back(w);
  if (!new_years.empty()) {
    size_t k = 0;
    bool replaced = false;
    for (auto& w : prev) {
      if (is_year(w) && k < new_years.size()) {
        w = new_years[k++];
        replaced = true;
      }
    }
    if (replaced) {
      how.push_back("replaced the year");
      // Drop the now-consumed prepositions ("in 2024" -> nothing left).
      std::vector<std::string> kept;
      for (const auto& w : remaining)
        if (w != "in" && w != "for" && w != "during" && w != "of" && w != "year" && w != "the") kept.push_back(w);
      remaining = kept;
    } else {
      remaining = rest;
    }
  }

  // "top N" replaces "top M".
  for (size_t i = 0; i + 1 < remaining.size(); ++i) {
    if (remaining[i] != "top" || !is_number(remaining[i + 1])) continue;
    for (size_t j = 0; j + 1 < prev.size(); ++j) {
      if (prev[j] == "top" && is_number(prev[j + 1])) {
        prev[j + 1] = remaining[i + 1];
        remaining.erase(remaining.begin() + static_cast<long>(i), remaining.begin() + static_cast<long>(i) + 2);
        how.push_back("replaced top-k");
        break;
      }
    }
    break;
  }

  // "by X" replaces the previous grouping.
  for (size_t i = 0; i + 1 < remaining.size(); ++i) {
    if (remaining[i] != "by" && remaining[i] != "per") continue;
    std::vector<std::string> group(remaining.begin() + static_cast<long>(i), remaining.end());
    bool replaced = false;
    for (size_t j = 0; j < prev.size(); ++j) {
      if (prev[j] != "by" && prev[j] != "per") continue;
      size_t end = j + 1;
      while (end < prev.size() && !kPhraseEnd.count(prev[end]) && !is_year(prev[end])) ++end;
      std::vector<std::string> merged(prev.begin(), prev.begin() + static_cast<long>(j));
      merged.insert(merged.end(), group.begin(), group.end());
      merged.insert(merged.end(), prev.begin() + static_cast<long>(end), prev.end());
      prev = merged;
      replaced = true;
      break;
    }
    if (!replaced) prev.insert(prev.end(), group.begin(), group.end());
    remaining.erase(remaining.begin() + static_cast<long>(i), remaining.end());
    how.push_back(replaced ? "replaced the grouping" : "added a grouping");
    break;
  }

  // A stored value replaces a value of the same column.
  if (values && !remaining.empty()) {
    auto new_values = values->link(join(remaining));
    auto old_values = values->link(join(prev));
    for (const auto& nv : new_values) {
      for (const auto& ov : old_values) {
        if (ov.table != nv.table || ov.column != nv.column) continue;
        std::string p = " " + join(prev) + " ";
        auto pos = p.find(" " + ov.matched_text + " ");
        if (pos == std::string::npos) continue;
        p.replace(pos + 1, ov.matched_text.size(), nv.matched_text);
        prev = question_words(p);
        // Drop the value's words from what is left to add.
        std::string r = " " + join(remaining) + " ";
        auto rp = r.find(" " + nv.matched_text + " ");
        if (rp != std::string::npos) r.erase(rp, nv.matched_text.size() + 1);
        remaining = question_words(r);
        std::vector<std::string> kept;
        for (const auto& w : remaining)
          if (w != "for" && w != "in" && w != "of" && w != "only" && w != "just") kept.push_back(w);
        remaining = kept;
        how.push_back("replaced a value");
        break;
      }
    }
  }

  if (!remaining.empty()) {
    prev.insert(prev.end(), remaining.begin(), remaining.end());
    how.push_back("added \"" + join(remaining) + "\"");
  }
  out.is_follow_up = true;
  out.question = join(prev);
  for (const auto& h : how) out.how += (out.how.empty() ? "" : ", ") + h;
  return out;
}

}  // namespace t2sql
