// Real models' conventions with tiny models of the real tokenizers: the chat
// templates of Qwen2.5-Coder, Llama 3 and Gemma (the template texts of those
// models as llama.cpp's source tree keeps them, written into the model's
// `tokenizer.chat_template`), and a model without one. For each: the backend
// reads the template from the GGUF, the prompt is rendered with it, the
// turn markers are the vocabulary's special tokens, and the answer a model is
// taught ends in a token that stops generation (end of turn or end of text).
#include <gguf.h>
#include <gtest/gtest.h>
#include <llama.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "llm/gguf_chat_template.h"
#include "llm/llama_model.h"
#include "t2sql/llm_backend.h"
#include "t2sql/prompt.h"
#include "testing/scratch_sqlite.h"
#include "testing/test_models.h"

namespace t2sql {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string template_text(const std::string& file) {
  return read_text(std::string(T2SQL_LLAMA_DIR) + "/models/templates/" + file);
}

// A copy of `model` whose tokenizer.chat_template is `tmpl` (none when empty).
std::string with_chat_template(const std::string& model, const std::string& name, const std::string& tmpl) {
  const std::string out = testing::model_dir() + "/" + name + ".gguf";
  if (std::filesystem::exists(out)) return out;
  ggml_context* data = nullptr;
  gguf_context* src = gguf_init_from_file(model.c_str(), {/*no_alloc=*/false, &data});
  if (!src) return "";
  // The metadata and the tensors (with their loaded data) into a new file.
  gguf_context* g = gguf_init_empty();
  gguf_set_kv(g, src);
  // The data context also holds the file's whole data blob: take the named tensors only.
  for (int64_t i = 0; i < gguf_get_n_tensors(src); ++i)
    gguf_add_tensor(g, ggml_get_tensor(data, gguf_get_tensor_name(src, i)));
  if (tmpl.empty())
    gguf_remove_key(g, "tokenizer.chat_template");
  else
    gguf_set_val_str(g, "tokenizer.chat_template", tmpl.c_str());
  bool ok = gguf_write_to_file(g, out.c_str(), false);
  gguf_free(g);
  gguf_free(src);
  ggml_free(data);
  return ok ? out : "";
}

struct VocabModel {
  LlamaModel model;
  explicit VocabModel(const std::string& path) {
    if (auto loaded = LlamaModel::load(path, {.vocab_only = true}); loaded.ok()) model = std::move(*loaded);
  }
  const llama_vocab* vocab() const { return model.vocab(); }
  std::vector<llama_token> tokenize(const std::string& text) const {
    std::vector<llama_token> out(text.size() + 8);
    int n = llama_tokenize(vocab(), text.c_str(), static_cast<int32_t>(text.size()), out.data(),
                           static_cast<int32_t>(out.size()), false, /*parse_special=*/true);
    out.resize(n < 0 ? 0 : n);
    return out;
  }
};

struct Convention {
  std::string name, vocab, template_file;
  std::string first, assistant_start, end_of_turn, turn_marker;
  bool markers_are_tokens;  // false where llama.cpp's bundle lacks the model's own tokenizer
};

const Convention kConventions[] = {
    {"qwen25coder", "qwen2", "Qwen-Qwen2.5-7B-Instruct.jinja", "<|im_start|>system\n", "<|im_start|>assistant\n",
     "<|im_end|>", "<|im_start|>", true},
    {"llama3", "llama-bpe", "meta-llama-Llama-3.1-8B-Instruct.jinja", "<|start_header_id|>system<|end_header_id|>\n\n",
     "<|start_header_id|>assistant<|end_header_id|>\n\n", "<|eot_id|>", "<|start_header_id|>", true},
    // Gemma's tokenizer is not in the bundle: its template runs on an SPM
    // vocabulary, where the markers are text (a real Gemma GGUF has them as
    // tokens, and llama.cpp counts <end_of_turn> as end of generation).
    {"gemma2", "llama-spm", "google-gemma-2-2b-it.jinja", "<start_of_turn>user\n", "<start_of_turn>model\n",
     "<end_of_turn>", "<start_of_turn>", false},
};

std::string convention_model(const Convention& c) {
  std::string base =
      testing::tiny_model("vocab-" + c.vocab, "--vocab " + c.vocab + " --n-embd 16 --n-layer 1 --n-head 2 --seed 3");
  if (base.empty()) return "";
  return with_chat_template(base, c.name, template_text(c.template_file));
}

PromptInput sales_input() {
  PromptInput in;
  in.schema_ddl = "CREATE TABLE sales (id INTEGER PRIMARY KEY, amount REAL);";
  in.question = "total amount?";
  return in;
}

TEST(ChatTemplates, RealTemplatesReachThePromptAndEndInAStopToken) {
  for (const auto& c : kConventions) {
    SCOPED_TRACE(c.name);
    const std::string tmpl = template_text(c.template_file);
    ASSERT_FALSE(tmpl.empty()) << "missing " << c.template_file;
    const std::string model = convention_model(c);
    ASSERT_FALSE(model.empty());
    EXPECT_EQ(*read_gguf_chat_template(model), tmpl);

    auto backend = make_llm_backend({.model_path = model, .threads = 1, .n_ctx = 256});
    ASSERT_TRUE(backend.ok()) << backend.status().message();
    EXPECT_EQ((*backend)->chat_template(), tmpl);

    for (PromptStyle style : {PromptStyle::kT2sql, PromptStyle::kOmniSql}) {
      PromptOptions o;
      o.style = style;
      o.chat_template = (*backend)->chat_template();
      PromptBuilder b(o);
      Prompt p = b.build(sales_input());
      ASSERT_TRUE(p.used_model_template) << prompt_style_name(style);
      if (style == PromptStyle::kT2sql || c.name == "gemma2") EXPECT_NE(p.text.find(c.first), std::string::npos);
      EXPECT_TRUE(p.text.ends_with(c.assistant_start)) << p.text;
      const std::string answer = b.answer_text(p, "SELECT sum(amount) FROM sales");
      EXPECT_TRUE(answer.starts_with("SELECT sum(amount) FROM sales;" + c.end_of_turn)) << answer;
      EXPECT_FALSE(b.answer_needs_eos(p));
      EXPECT_EQ(extract_sql(answer), "SELECT sum(amount) FROM sales");
    }

    VocabModel v(model);
    ASSERT_TRUE(v.model);
    auto eot = v.tokenize(c.end_of_turn);
    if (c.markers_are_tokens) {
      ASSERT_EQ(eot.size(), 1u) << "the end-of-turn marker is one special token";
      EXPECT_TRUE(llama_vocab_is_eog(v.vocab(), eot[0])) << "generation stops at " << c.end_of_turn;
      EXPECT_EQ(v.tokenize(c.turn_marker).size(), 1u) << c.turn_marker << " is one special token";
    } else {
      EXPECT_GT(eot.size(), 1u);
    }
  }
}

// A model without a chat template: the plain layout, and training ends the
// answer with the vocabulary's end-of-text token, which stops generation.
TEST(ChatTemplates, ModelWithoutATemplateGetsThePlainLayoutAndEos) {
  std::string base = testing::tiny_model("vocab-gpt-2", "--vocab gpt-2 --n-embd 16 --n-layer 1 --n-head 2 --seed 3");
  ASSERT_FALSE(base.empty());
  const std::string model = with_chat_template(base, "no-template", "");
  EXPECT_EQ(*read_gguf_chat_template(model), "");
  auto backend = make_llm_backend({.model_path = model, .threads = 1, .n_ctx = 256});
  ASSERT_TRUE(backend.ok());
  EXPECT_EQ((*backend)->chat_template(), "");
  PromptBuilder b(PromptFormat::kChat, (*backend)->chat_template());
  Prompt p = b.build(sales_input());
  EXPECT_FALSE(p.used_model_template);
  EXPECT_TRUE(p.text.ends_with("### Assistant\n"));
  EXPECT_TRUE(b.answer_needs_eos(p));
  VocabModel v(model);
  ASSERT_TRUE(v.model);
  EXPECT_TRUE(llama_vocab_is_eog(v.vocab(), llama_vocab_eos(v.vocab())));
}

TEST(ChatTemplates, ReadingTheTemplateRefusesWhatIsNotAModel) {
  EXPECT_EQ(read_gguf_chat_template("/nonexistent/model.gguf").status().code(), StatusCode::kNotFound);
  const std::string junk = testing::model_dir() + "/junk.gguf";
  std::ofstream(junk) << "not a gguf file";
  EXPECT_EQ(read_gguf_chat_template(junk).status().code(), StatusCode::kInvalidArgument);
}

// `t2sql prompt --model` prints the text with the GGUF's own template.
TEST(ChatTemplates, PromptCommandAppliesTheModelsTemplate) {
  const std::string model = convention_model(kConventions[0]);
  ASSERT_FALSE(model.empty());
  const std::string db = testing::model_dir() + "/shop.sqlite";
  std::filesystem::remove(db);
  ASSERT_EQ(testing::write_sqlite(db,
                                  "CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL);"
                                  "INSERT INTO sales VALUES (1, 'West', 3.5), (2, 'East', 4.0);"),
            "");
  for (const char* style : {"t2sql", "xiyan"}) {
    std::string cmd = std::string(T2SQL_BINARY) + " prompt --db '" + db + "' --model '" + model + "' --style " + style +
                      " 'total amount in the West?' 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    ASSERT_EQ(pclose(pipe), 0) << out;
    SCOPED_TRACE(out);
    EXPECT_TRUE(out.starts_with(std::string(style) == "xiyan" ? "<|im_start|>user\n" : "<|im_start|>system\n"));
    EXPECT_TRUE(out.ends_with("<|im_start|>assistant\n"));
    EXPECT_NE(out.find("sales.region = 'West'"), std::string::npos) << "the entity stage's value hint";
  }
}

}  // namespace
}  // namespace t2sql
