#include "generate/question_parser.h"

#include <cctype>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "schema/identifier_words.h"

namespace t2sql {

namespace {

// Returns false at the first byte sequence that is not well-formed UTF-8.
bool valid_utf8(std::string_view s, size_t* non_ascii_letters) {
  size_t i = 0;
  *non_ascii_letters = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;  // overlong or surrogate
    }
    // Letters beyond Latin-1 supplement / Latin Extended: other scripts.
    if (cp >= 0x0370 && !(cp >= 0x2000 && cp <= 0x206F)) ++*non_ascii_letters;
    i += n + 1;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::unordered_map<std::string, int>& number_words() {
  static const std::unordered_map<std::string, int> kWords = {
      {"one", 1},     {"two", 2},      {"three", 3},     {"four", 4},     {"five", 5},    {"six", 6},
      {"seven", 7},   {"eight", 8},    {"nine", 9},      {"ten", 10},     {"eleven", 11}, {"twelve", 12},
      {"fifteen", 15}, {"twenty", 20}, {"thirty", 30},   {"fifty", 50},   {"hundred", 100},
  };
  return kWords;
}

// A magnitude written right after a number ("5k", "1M", "2bn"), followed by
// no other letter: its factor, and its length in *len; 0 when none.
double magnitude_suffix(std::string_view rest, size_t* len) {
  static const std::pair<const char*, double> kSuffixes[] = {{"bn", 1e9}, {"k", 1e3},  {"K", 1e3}, {"m", 1e6},
                                                             {"M", 1e6},  {"mn", 1e6}, {"B", 1e9}};
  for (const auto& [suffix, scale] : kSuffixes) {
    std::string_view s(suffix);
    if (!rest.starts_with(s)) continue;
    if (rest.size() > s.size() && std::isalpha(static_cast<unsigned char>(rest[s.size()]))) continue;
    *len = s.size();
    return scale;
  }
  return 0;
}

// "2 million", "a million", "1.5 thousand": the number times the word; the
// two tokens become one number.
void merge_magnitude_words(std::vector<QuestionToken>& toks) {
  static const std::unordered_map<std::string, double> kScale = {
      {"thousand", 1e3}, {"million", 1e6}, {"billion", 1e9}, {"thousands", 1e3}, {"millions", 1e6}};
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    auto scale = kScale.find(toks[i + 1].lower);
    if (scale == kScale.end() || toks[i + 1].kind != QuestionTokenKind::kWord) continue;
    bool article = toks[i].kind == QuestionTokenKind::kWord && (toks[i].lower == "a" || toks[i].lower == "an");
    if (toks[i].kind != QuestionTokenKind::kNumber && !article) continue;
    QuestionToken& t = toks[i];
    t.number = (article ? 1 : t.number) * scale->second;
    t.kind = QuestionTokenKind::kNumber;
    t.text = t.text + " " + toks[i + 1].text;
    t.lower = t.norm = lower(t.text);
    t.end = toks[i + 1].end;
    t.capitalized = false;
    toks.erase(toks.begin() + static_cast<std::ptrdiff_t>(i) + 1);
  }
}

}  // namespace

QuestionCheck check_question(std::string_view question) {
  size_t other_script = 0;
  if (question.size() > kMaxQuestionBytes) {
    return {QuestionVerdict::kTooLong, "the question is " + std::to_string(question.size()) +
                                           " bytes long; the limit is " + std::to_string(kMaxQuestionBytes)};
  }
  if (!valid_utf8(question, &other_script)) {
    return {QuestionVerdict::kInvalidUtf8, "the question is not valid UTF-8 text"};
  }
  bool blank = true;
  for (char c : question) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (blank) return {QuestionVerdict::kEmpty, "the question is empty"};

  auto tokens = tokenize_question(question);
  // Requests to change data: a writing verb at the start of the request or
  // right after a politeness prefix ("please delete ...", "can you drop ...").
  static const std::unordered_set<std::string> kWriteVerbs = {
      "delete", "remove", "drop",    "truncate", "insert", "update", "alter",   "create", "erase",
      "wipe",   "purge",  "destroy", "modify",   "rename", "grant",  "revoke", "overwrite", "upsert",
  };
  static const std::unordered_set<std::string> kPrefix = {"please", "can", "could", "would", "you", "kindly",
                                                          "i", "want", "to", "need", "let", "us", "go", "and",
                                                          "now", "just", "will", "should", "we"};
  for (const auto& t : tokens) {
    if (t.kind != QuestionTokenKind::kWord) continue;
    if (kWriteVerbs.count(t.lower)) {
      return {QuestionVerdict::kWritesData,
              "the question asks to change data ('" + t.text + "'); t2sql only reads, it never writes"};
    }
    if (!kPrefix.count(t.lower)) break;
  }
  // SQL pasted as a question: a writing statement anywhere.
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& a = tokens[i].lower;
    const auto& b = tokens[i + 1].lower;
    if ((a == "delete" && b == "from") || (a == "drop" && b == "table") || (a == "insert" && b == "into") ||
        (a == "truncate" && b == "table") || (a == "alter" && b == "table")) {
      return {QuestionVerdict::kWritesData, "the question contains a writing statement ('" + tokens[i].text + " " +
                                                tokens[i + 1].text + "'); t2sql only reads"};
    }
  }

  size_t letters = 0;
  for (char c : question) letters += std::isalpha(static_cast<unsigned char>(c)) ? 1 : 0;
  if (other_script > letters) {
    return {QuestionVerdict::kOtherLanguage,
            "the question is not in English; the template engine reads English questions only"};
  }
  // Latin-script languages: an English question has English function words.
  static const std::unordered_set<std::string> kEnglish = {
      "the",  "of",    "what",  "which", "how",   "many", "much", "is",    "are",  "was",  "were",  "in",
      "for",  "and",   "by",    "with",  "show",  "list", "give", "find",  "who",  "top",  "each", "per",
      "all",  "total", "number", "count", "average", "sum", "me", "from", "to", "a", "an", "return", "get",
      "did",  "does",  "do",    "that",  "have", "has", "than", "more", "most", "vs", "versus", "where", "when",
      "whose", "tell", "display", "compare", "comparison", "between", "on", "at", "or", "not", "never",
  };
  static const std::unordered_set<std::string> kForeign = {
      "der",  "die",  "das",  "und",   "ist",  "wie",  "viele", "welche", "le",   "les",  "des",   "est",
      "quel", "quels", "combien", "el", "los", "las",  "cuantos", "cuál", "qué",  "y",    "es",    "il",
      "di",   "che",  "quanti", "quanto", "het", "een", "hoeveel", "zijn", "och", "är", "hur", "många",
      "nach", "pro",  "jahr", "ventes", "ventas", "verkäufe", "umsatz", "por", "pour", "und", "dans",
  };
  size_t english = 0, foreign = 0, words = 0;
  for (const auto& t : tokens) {
    if (t.kind != QuestionTokenKind::kWord) continue;
    ++words;
    english += kEnglish.count(t.lower);
    foreign += kForeign.count(t.lower);
  }
  if (words >= 3 && foreign >= 2 && foreign > english) {
    return {QuestionVerdict::kOtherLanguage,
            "the question does not read as English; the template engine reads English questions only"};
  }
  return {};
}

std::vector<QuestionToken> tokenize_question(std::string_view q) {
  std::vector<QuestionToken> out;
  size_t i = 0;
  bool first_word = true;
  while (i < q.size()) {
    unsigned char c = static_cast<unsigned char>(q[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    QuestionToken t;
    t.begin = i;
    // Quoted strings: '...', "...", and typographic quotes. An apostrophe
    // inside a word ("Levi's", "don't") is not a quote.
    bool quote_start = (c == '"' || c == '\'' || c == '`') && (i == 0 || !std::isalnum(static_cast<unsigned char>(q[i - 1])));
    if (quote_start) {
      char close = static_cast<char>(c);
      size_t j = q.find(close, i + 1);
      // A closing quote must end a word ("'Hey'" yes, "'s" no).
      while (j != std::string_view::npos && j + 1 < q.size() && std::isalnum(static_cast<unsigned char>(q[j + 1]))) {
        j = q.find(close, j + 1);
      }
      if (j != std::string_view::npos && j > i + 1) {
        t.kind = QuestionTokenKind::kQuoted;
        t.text = std::string(q.substr(i + 1, j - i - 1));
        t.lower = lower(t.text);
        t.norm = t.lower;
        t.end = j + 1;
        out.push_back(std::move(t));
        i = j + 1;
        first_word = false;
        continue;
      }
      ++i;
      continue;
    }
    if (std::isdigit(c) || (c == '-' && i + 1 < q.size() && std::isdigit(static_cast<unsigned char>(q[i + 1])) &&
                            (out.empty() || out.back().kind != QuestionTokenKind::kNumber))) {
      size_t j = i + 1;
      while (j < q.size() && (std::isdigit(static_cast<unsigned char>(q[j])) ||
                              ((q[j] == '.' || q[j] == ',' || q[j] == '-' || q[j] == '/' || q[j] == ':') &&
                               j + 1 < q.size() && std::isdigit(static_cast<unsigned char>(q[j + 1]))))) {
        ++j;
      }
      t.kind = QuestionTokenKind::kNumber;
      t.text = std::string(q.substr(i, j - i));
      std::string digits;
      for (char d : t.text) {
        if (d != ',') digits += d;
      }
      t.number = std::strtod(digits.c_str(), nullptr);
      // "5k", "1M", "2.5bn": thousands, millions and billions.
      if (size_t len = 0; double scale = magnitude_suffix(q.substr(j), &len)) {
        t.number *= scale;
        j += len;
      }
      t.lower = t.text;
      t.norm = t.text;
      t.end = j;
      out.push_back(std::move(t));
      i = j;
      first_word = false;
      continue;
    }
    if (std::isalpha(c) || c >= 0x80 || c == '_') {
      size_t j = i;
      while (j < q.size()) {
        unsigned char d = static_cast<unsigned char>(q[j]);
        if (std::isalnum(d) || d >= 0x80 || d == '_') {
          ++j;
        } else if ((d == '\'' || d == '-') && j + 1 < q.size() && std::isalpha(static_cast<unsigned char>(q[j + 1]))) {
          ++j;
        } else {
          break;
        }
      }
      t.text = std::string(q.substr(i, j - i));
      t.lower = lower(t.text);
      // Possessives and contractions: "singer's" -> "singer".
      std::string base = t.lower;
      if (base.size() > 2 && base.compare(base.size() - 2, 2, "'s") == 0) base.resize(base.size() - 2);
      t.norm = singular_word(base);
      t.capitalized = !first_word && std::isupper(c);
      t.end = j;
      if (auto it = number_words().find(t.lower); it != number_words().end()) {
        t.kind = QuestionTokenKind::kNumber;
        t.number = it->second;
      }
      out.push_back(std::move(t));
      i = j;
      first_word = false;
      continue;
    }
    t.kind = QuestionTokenKind::kPunct;
    t.text = std::string(1, static_cast<char>(c));
    t.lower = t.text;
    t.norm = t.text;
    t.end = i + 1;
    out.push_back(std::move(t));
    ++i;
  }
  merge_magnitude_words(out);
  return out;
}

}  // namespace t2sql
