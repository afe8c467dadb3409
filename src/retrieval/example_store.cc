#include "retrieval/example_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "format/json_text.h"

namespace t2sql {

namespace {

constexpr int kExampleDim = 256;
// Below this, two questions share only a stray word or a few letters.
constexpr float kMinSimilarity = 0.1f;

std::string first_string(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (j.contains(k) && j[k].is_string()) return j[k].get<std::string>();
  }
  return "";
}

}  // namespace

ExampleStore::ExampleStore() : embedder_(kExampleDim) {}

Result<std::unique_ptr<ExampleStore>> ExampleStore::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return not_found("examples file not found: " + path);
  auto store = std::make_unique<ExampleStore>();
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    SqlExample e;
    if (!j.is_discarded() && j.is_object()) {
      e.question = first_string(j, {"question"});
      e.sql = first_string(j, {"sql", "query", "answer"});
    }
    if (e.question.empty() || e.sql.empty()) {
      return invalid_argument(path + ":" + std::to_string(number) +
                              ": expected a JSON object with \"question\" and \"sql\" (or \"query\"/\"answer\")");
    }
    store->examples_.push_back(std::move(e));
  }
  store->refit();
  return store;
}

std::unique_ptr<ExampleStore> ExampleStore::of(std::vector<SqlExample> examples) {
  auto store = std::make_unique<ExampleStore>();
  store->examples_ = std::move(examples);
  store->refit();
  return store;
}

void ExampleStore::refit() {
  std::vector<std::string> questions;
  questions.reserve(examples_.size());
  for (const auto& e : examples_) questions.push_back(e.question);
  embedder_.fit(questions);
  vectors_.assign(examples_.size() * embedder_.dim(), 0.0f);
  for (size_t i = 0; i < questions.size(); ++i)
    embedder_.embed_one(questions[i], vectors_.data() + i * embedder_.dim());
}

Status ExampleStore::add(const SqlExample& example, const std::string& path) {
  if (example.question.empty() || example.sql.empty()) return invalid_argument("an example needs a question and SQL");
  if (!path.empty()) {
    std::ofstream out(path, std::ios::app);
    out << json_text(nlohmann::json{{"question", example.question}, {"sql", example.sql}}) << "\n";
    if (!out) return unavailable("cannot append to examples file " + path);
  }
  examples_.push_back(example);
  refit();
  return Status();
}

std::vector<SqlExample> ExampleStore::similar(const std::string& question, int k) const {
  std::vector<SqlExample> out;
  if (examples_.empty() || k <= 0) return out;
  const int dim = embedder_.dim();
  std::vector<float> q(dim);
  embedder_.embed_one(question, q.data());
  std::vector<std::pair<float, size_t>> scored;
  for (size_t i = 0; i < examples_.size(); ++i) {
    float s = 0;
    const float* v = vectors_.data() + i * dim;
    for (int d = 0; d < dim; ++d) s += q[d] * v[d];
    if (s >= kMinSimilarity) scored.push_back({s, i});
  }
  size_t n = std::min<size_t>(static_cast<size_t>(k), scored.size());
  std::partial_sort(scored.begin(), scored.begin() + n, scored.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (size_t i = 0; i < n; ++i) out.push_back(examples_[scored[i].second]);
  return out;
}

}  // namespace t2sql
