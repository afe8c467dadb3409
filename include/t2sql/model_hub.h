// Getting a real model: GGUF files from the Hugging Face Hub into t2sql's
// model cache, and the cache's names for `--model`.
//
//   auto pulled = t2sql::pull_model({.spec = "Qwen/Some-GGUF:model-q4_k_m.gguf"});
//   if (!pulled.ok()) return fail(pulled.status());
//   // pulled->path is $XDG_CACHE_HOME/t2sql/models/model-q4_k_m.gguf
//
// A download goes to `<name>.gguf.part` beside its destination and resumes
// from there with an HTTP range request; the whole file is checked against the
// sha256 the Hub publishes for it (the X-Linked-Etag header of its resolve URL,
// the ETag when that is a sha256, else the API's lfs.sha256) and only then
// renamed into place. HF_ENDPOINT and HF_TOKEN are honoured as Hugging Face's
// own tools honour them; the token goes only to the endpoint's host.
// Errors: kNotFound (no such repository, revision or file: HTTP 404),
// kPermissionDenied (401/403: a private or gated repository), kUnavailable
// (the Hub cannot be reached, the download broke off: run it again to resume),
// kInvalidArgument (a bad name, a checksum mismatch, a file that is no GGUF).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "t2sql/status.h"

namespace t2sql {

// A text-to-SQL model known by a short name, as its publisher names it.
struct ModelPreset {
  std::string name;          // "qwen2.5-coder-1.5b"
  std::string repo;          // "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF"
  std::string file;          // the GGUF file in the repository
  std::string size;          // "1.5B"
  std::string prompt_style;  // the --prompt-style it is asked in (generate/prompt_builder.cc)
  std::string license;       // as the publisher states it
  std::string note;
};
const std::vector<ModelPreset>& model_presets();
const ModelPreset* find_model_preset(const std::string& name);

struct PullOptions {
  std::string spec;                  // a preset name, REPO or REPO:FILE
  std::string revision = "main";     // a branch, tag or commit
  std::string name;                  // the name in the cache; default: the preset's, or FILE without .gguf
  std::string endpoint;              // default: $HF_ENDPOINT, else https://huggingface.co
  std::string token;                 // default: $HF_TOKEN, else the token file of huggingface_hub ($HF_HOME/token)
  std::string cache_dir;             // default: model_cache_dir()
  bool force = false;                // download again even when the cache holds the same file
  std::ostream* progress = nullptr;  // where the progress bar goes (nullptr: std::cerr)
  bool quiet = false;                // no progress bar
  int timeout_s = 30;                // connect and per-read timeout
};

struct CachedModel {
  std::string name;  // what --model accepts
  std::string path;
  int64_t size = 0;
  std::string repo, file, revision, commit, sha256, prompt_style;  // empty when unknown
};

struct PullResult {
  CachedModel model;
  bool downloaded = false;   // false: the cache already held it
  int64_t resumed_from = 0;  // bytes of an earlier interrupted download that were kept
};

Result<PullResult> pull_model(const PullOptions& options);

// $XDG_CACHE_HOME/t2sql/models, or ~/.cache/t2sql/models.
std::string model_cache_dir();

// Every model in the cache (complete downloads only), sorted by name.
std::vector<CachedModel> list_cached_models(const std::string& cache_dir = "");

// The cached file that `name` names (a cache name, with or without .gguf, or
// a preset's name), or nothing.
std::optional<std::string> resolve_cached_model(const std::string& name, const std::string& cache_dir = "");

}  // namespace t2sql
