#include "schema/identifier_words.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace t2sql {

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Irregular plurals and words whose final "s" is not a plural.
const std::unordered_map<std::string, std::string>& irregular_plurals() {
  static const std::unordered_map<std::string, std::string> kMap = {
      {"people", "person"},   {"ids", "id"},   {"persons", "person"},   {"children", "child"},   {"men", "man"},
      {"women", "woman"},     {"mice", "mouse"},       {"feet", "foot"},        {"teeth", "tooth"},
      {"geese", "goose"},     {"data", "data"},        {"criteria", "criterion"}, {"indices", "index"},
      {"matrices", "matrix"}, {"analyses", "analysis"}, {"theses", "thesis"},   {"series", "series"},
      {"species", "species"}, {"news", "news"},        {"movies", "movie"},     {"cookies", "cookie"},
      {"ties", "tie"},        {"lies", "lie"},         {"pies", "pie"},         {"shoes", "shoe"},
      {"toes", "toe"},        {"horses", "horse"},     {"courses", "course"},   {"houses", "house"},
      {"nurses", "nurse"},    {"purposes", "purpose"}, {"responses", "response"}, {"licenses", "license"},
      {"cases", "case"},      {"bases", "base"},       {"phases", "phase"},     {"databases", "database"},
      {"releases", "release"}, {"purchases", "purchase"}, {"expenses", "expense"}, {"leaves", "leave"},
      {"wives", "wife"},      {"lives", "life"},       {"knives", "knife"},     {"halves", "half"},
      {"wolves", "wolf"},     {"shelves", "shelf"},    {"heroes", "hero"},      {"potatoes", "potato"},
      {"tomatoes", "tomato"}, {"genres", "genre"},     {"titles", "title"},     {"vehicles", "vehicle"},
      {"employees", "employee"}, {"cities", "city"},   {"ages", "age"},         {"images", "image"},
      {"pages", "page"},      {"stages", "stage"},     {"wages", "wage"},       {"languages", "language"},
      {"messages", "message"}, {"packages", "package"}, {"types", "type"},      {"names", "name"},
      {"sizes", "size"},      {"prizes", "prize"},     {"prices", "price"},     {"services", "service"},
      {"offices", "office"},  {"devices", "device"},   {"invoices", "invoice"}, {"sources", "source"},
      {"places", "place"},    {"races", "race"},       {"pieces", "piece"},     {"voices", "voice"},
      {"choices", "choice"},  {"dances", "dance"},     {"distances", "distance"}, {"balances", "balance"},
      {"sequences", "sequence"}, {"references", "reference"}, {"conferences", "conference"},
      {"experiences", "experience"}, {"appearances", "appearance"}, {"performances", "performance"},
      {"attendances", "attendance"}, {"finances", "finance"}, {"tires", "tire"}, {"capacities", "capacity"},
  };
  return kMap;
}

const std::unordered_set<std::string>& not_plural() {
  static const std::unordered_set<std::string> kSet = {
      "status", "class", "address", "business", "process", "access", "gas",   "bus",   "plus",  "bonus",
      "campus", "census", "virus",  "focus",    "series",  "species", "news", "is",    "was",   "has",
      "this",   "his",    "its",    "us",       "yes",     "less",    "loss", "boss",  "glass", "grass",
      "mass",   "pass",   "miss",   "kiss",     "cross",   "dress",   "chess", "success", "progress",
      "analysis", "basis", "thesis", "axis",    "crisis",  "tennis",  "physics", "mathematics", "economics",
      "politics", "athletics", "statistics", "lens",    "canvas",  "atlas", "iris",  "alias", "chassis",
      "christmas", "always", "perhaps", "does", "goes", "yes", "towards", "whereas", "thus", "lbs",
      "mpg", "gps", "dvds", "os", "ios", "ps", "this", "previous", "famous", "various", "numerous", "gross",
  };
  return kSet;
}

struct AbbreviationTable {
  std::unordered_map<std::string, std::vector<std::string>> map;
  AbbreviationTable() {
    const std::vector<std::pair<const char*, const char*>> kPairs = {
        {"qty", "quantity"},    {"qnty", "quantity"},   {"amt", "amount"},        {"num", "number"},
        {"no", "number"},       {"nbr", "number"},      {"nr", "number"},         {"cnt", "count"},
        {"dept", "department"}, {"dep", "department"},  {"emp", "employee"},      {"empl", "employee"},
        {"mgr", "manager"},     {"addr", "address"},    {"desc", "description"},  {"descr", "description"},
        {"cust", "customer"},   {"prod", "product"},    {"avg", "average"},       {"yr", "year"},
        {"yrs", "year"},        {"mth", "month"},       {"mon", "month"},         {"dt", "date"},
        {"pct", "percent"},     {"perc", "percent"},    {"tel", "telephone"},     {"ph", "phone"},
        {"hp", "horsepower"},   {"accel", "acceleration"}, {"cyl", "cylinder"},   {"stu", "student"},
        {"fname", "first name"}, {"lname", "last name"}, {"dob", "date of birth"}, {"ssn", "social security number"},
        {"pos", "position"},    {"loc", "location"},    {"info", "information"},  {"org", "organization"},
        {"govt", "government"}, {"intl", "international"}, {"natl", "national"},  {"acct", "account"},
        {"bal", "balance"},     {"txn", "transaction"}, {"trans", "transaction"}, {"inv", "invoice"},
        {"pmt", "payment"},     {"ref", "reference"},   {"cat", "category"},      {"catg", "category"},
        {"lat", "latitude"},    {"lon", "longitude"},   {"lng", "longitude"},     {"long", "longitude"},
        {"temp", "temperature"}, {"max", "maximum"},    {"min", "minimum"},       {"tot", "total"},
        {"sal", "salary"},      {"cnty", "county"},     {"ctry", "country"},      {"st", "street"},
        {"zip", "zip"},         {"attr", "attribute"},  {"val", "value"},         {"wt", "weight"},
        {"ht", "height"},       {"dur", "duration"},    {"len", "length"},        {"seq", "sequence"},
        {"stat", "statistic"},  {"std", "student"},     {"prof", "professor"},    {"instr", "instructor"},
        {"crs", "course"},      {"sem", "semester"},    {"dorm", "dormitory"},    {"apt", "apartment"},
        {"bldg", "building"},   {"rm", "room"},         {"fac", "faculty"},       {"univ", "university"},
        {"res", "result"},      {"rev", "revenue"},     {"mfr", "manufacturer"},  {"mfg", "manufacturing"},
        {"pop", "population"},  {"gdp", "gdp"},         {"id", "id"},
    };
    for (const auto& [k, v] : kPairs) {
      std::vector<std::string> words;
      std::string cur;
      for (const char* p = v; *p; ++p) {
        if (*p == ' ') {
          words.push_back(cur);
          cur.clear();
        } else {
          cur += *p;
        }
      }
      words.push_back(cur);
      map[k] = std::move(words);
    }
  }
};

// Groups of words that mean the same in questions about data. Kept small on
// purpose: a synonym that is only sometimes right links the wrong column.
struct SynonymTable {
  std::unordered_map<std::string, std::vector<std::string>> map;
  SynonymTable() {
    const std::vector<std::vector<const char*>> kGroups = {
        {"revenue", "sale", "turnover", "amount", "income", "earning", "sold", "sell"},
        {"city", "town"},
        {"country", "nation", "nationality"},
        {"price", "cost", "priced", "costing"},
        {"quantity", "unit"},
        {"employee", "staff", "worker"},
        {"customer", "client", "buyer"},
        {"product", "item", "good", "merchandise"},
        {"store", "shop", "outlet", "branch"},
        {"region", "area", "territory", "zone"},
        {"salary", "pay", "wage"},
        {"movie", "film"},
        {"car", "vehicle", "automobile", "auto"},
        {"telephone", "phone", "cell"},
        {"address", "location"},
        {"gender", "sex"},
        {"student", "pupil"},
        {"teacher", "instructor", "professor", "lecturer"},
        {"begin", "start"},
        {"finish", "end"},
        {"age", "old"},
        {"maker", "manufacturer", "make"},
        {"model", "version"},
        {"weight", "weigh"},
        {"singer", "artist", "musician", "performer"},
        {"song", "track"},
        {"name", "title"},
        {"description", "detail"},
        {"owner", "proprietor"},
        {"capacity", "seat"},
        {"rating", "score", "grade"},
        {"birth", "born"},
        {"hire", "employ", "recruit"},
        {"category", "kind", "type", "class"},
        {"horsepower", "power"},
        {"mpg", "mileage"},
        {"language", "tongue"},
        {"quantity", "volume"},
        {"death", "killed", "casualty"},
        {"injury", "injured", "wounded"},
    };
    for (const auto& group : kGroups) {
      for (const char* w : group) {
        auto& out = map[w];
        for (const char* other : group) {
          if (std::string_view(other) != w &&
              std::find(out.begin(), out.end(), other) == out.end()) {
            out.emplace_back(other);
          }
        }
      }
    }
  }
};

}  // namespace

std::vector<std::string> split_identifier(std::string_view name) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(lower(cur));
    cur.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = is_lower(c) || is_upper(c) || is_digit(c) || (static_cast<unsigned char>(c) >= 0x80);
    if (!alnum) {
      flush();
      continue;
    }
    if (!cur.empty()) {
      char prev = cur.back();
      bool boundary = false;
      if (is_upper(c) && is_lower(prev)) boundary = true;                       // orderDate
      if (is_upper(c) && is_upper(prev) && i + 1 < name.size() && is_lower(name[i + 1])) {
        boundary = true;                                                        // HTTPCode
      }
      if (is_digit(c) != is_digit(prev)) boundary = true;                       // address2
      if (boundary) flush();
    }
    cur += c;
  }
  flush();
  return words;
}

std::string singular_word(std::string_view word) {
  std::string w = lower(word);
  const auto& irregular = irregular_plurals();
  if (auto it = irregular.find(w); it != irregular.end()) return it->second;
  if (w.size() <= 3) return w;
  if (not_plural().count(w)) return w;
  if (w.back() != 's') return w;
  if (ends_with(w, "ss") || ends_with(w, "us") || ends_with(w, "is")) return w;
  if (ends_with(w, "ies") && w.size() > 4) return w.substr(0, w.size() - 3) + "y";
  if (ends_with(w, "sses") || ends_with(w, "shes") || ends_with(w, "ches") || ends_with(w, "xes") ||
      ends_with(w, "zzes")) {
    return w.substr(0, w.size() - 2);
  }
  if (ends_with(w, "oes") && w.size() > 5) return w.substr(0, w.size() - 2);
  return w.substr(0, w.size() - 1);
}

std::vector<std::string> expand_abbreviation(std::string_view word) {
  static const AbbreviationTable kTable;
  std::string w = lower(word);
  if (auto it = kTable.map.find(w); it != kTable.map.end()) return it->second;
  return {w};
}

std::string normalize_word(std::string_view word) {
  std::string w = lower(word);
  // The question's own words are not abbreviations: "no" and "cat" mean what
  // they say there; only identifiers are expanded (see identifier_words).
  return singular_word(w);
}

std::vector<std::string> identifier_words(std::string_view name) {
  std::vector<std::string> out;
  std::vector<std::string> parts = split_identifier(name);
  for (size_t i = 0; i < parts.size(); ++i) {
    // An initial before "name": "LName", "f_name" (first, last, middle).
    if (i + 1 < parts.size() && parts[i + 1] == "name" && parts[i].size() == 1) {
      static const std::pair<const char*, const char*> kInitials[] = {{"f", "first"}, {"l", "last"}, {"m", "middle"}};
      bool expanded = false;
      for (const auto& [initial, word] : kInitials) {
        if (parts[i] == initial) {
          out.push_back(word);
          expanded = true;
        }
      }
      if (expanded) continue;
    }
    for (const auto& w : expand_abbreviation(parts[i])) out.push_back(singular_word(w));
  }
  return out;
}

std::string identifier_phrase(std::string_view name) {
  std::string out;
  for (const auto& w : identifier_words(name)) out += (out.empty() ? "" : " ") + w;
  return out;
}

const std::vector<std::string>& synonyms_of(std::string_view word) {
  static const SynonymTable kTable;
  static const std::vector<std::string> kNone;
  std::string w = singular_word(word);
  if (auto it = kTable.map.find(w); it != kTable.map.end()) return it->second;
  if (auto it = kTable.map.find(lower(word)); it != kTable.map.end()) return it->second;
  return kNone;
}

bool same_meaning(std::string_view a, std::string_view b) {
  std::string na = singular_word(a), nb = singular_word(b);
  if (na == nb) return true;
  const auto& syn = synonyms_of(na);
  return std::find(syn.begin(), syn.end(), nb) != syn.end();
}

bool is_stop_word(std::string_view w) {
  static const std::unordered_set<std::string> kStop = {
      "a", "does",  "an",    "the",   "of",    "in",    "on",    "at",    "to",    "for",   "from",  "by",
      "with",  "and",   "or",    "is",    "are",   "was",   "were",  "be",    "been",  "being", "do",
      "doe",   "did",   "what",  "which", "who",   "whom",  "whose", "where", "when",  "how",   "that",
      "this",  "these", "those", "there", "their", "they",  "them",  "it",    "its",   "as",    "all",
      "each",  "every", "me",    "my",    "i",     "we",    "our",   "you",   "your",  "show",  "list",
      "give",  "find",  "tell",  "return", "get",  "display", "please", "have", "ha",  "had",   "any",
      "some",  "also",  "both",  "than",  "then",  "into",  "about", "whose", "s",     "us",    "can",
      "could", "would", "should", "will", "shall", "may",   "might", "must",  "just",  "only",  "so",
      "such",  "other", "own",   "same",  "too",   "very",  "up",    "out",   "over",  "under", "again",
      "further", "once", "here", "why",   "if",    "but",   "not",   "no",    "nor",   "he",    "she",
      "him",   "her",   "his",   "hers",  "let",   "know",  "want",  "like",  "need",  "see",   "many",
      "much",  "one",   "ones",  "thing", "whole", "also",  "along", "per",   "among", "across", "within",
      "including", "include", "included", "respective", "respectively", "corresponding", "what's", "whats",
      "different", "distinct", "unique", "information", "info", "detail", "details", "record", "records",
      "entry", "entries",
  };
  return kStop.count(std::string(w)) > 0;
}

}  // namespace t2sql
