// The web page (web/) and the chart libraries pinned in scripts/deps.sh,
// embedded into the library at build time (cmake/web_assets.cmake writes the
// table with the assembler's .incbin), so that `t2sql serve` works from a
// binary moved anywhere. `--web-dir` and `--vendor-dir` still override them.
#pragma once

#include <string_view>
#include <vector>

namespace t2sql {

struct WebAsset {
  const char* url;           // "/", "/app.js", "/vendor/vega.min.js", ...
  const char* content_type;  // for the Content-Type header
  std::string_view body;
};

// Every embedded file; the /vendor/ ones only when the build found them in
// the npm cache (scripts/install.sh unpacks them).
const std::vector<WebAsset>& embedded_web_assets();

}  // namespace t2sql
