# Pinned dependencies of t2sql. Sourced by install.sh and build.sh.
# apt packages are pinned by version; apt itself checks them against the
# archive's signed sha256 sums. npm tarballs are fetched with `npm pack`
# and checked against the sha256 recorded here before anything is unpacked.

T2SQL_CACHE_DIR="${T2SQL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/t2sql}"

# name=version, Debian 12 (bookworm).
T2SQL_APT_PACKAGES=(
  g++=4:12.2.0-3
  cmake=3.25.1-1
  ninja-build=1.11.1-2~deb12u1
  ccache=4.8+really4.7.5-1
  pkg-config=1.8.1-1
  git=1:2.39.5-0+deb12u3
  libsqlite3-dev=3.40.1-2+deb12u2
  sqlite3=3.40.1-2+deb12u2
  libfaiss-dev=1.7.3-2+b1
  libopenblas-dev=0.3.21+ds-4
  liblapack-dev=3.11.0-2
  libomp-dev=1:14.0-55.7~deb12u1
  nlohmann-json3-dev=3.11.2-2
  libcli11-dev=2.1.2+ds-1
  libcpp-httplib-dev=0.11.4+ds-1+deb12u1
  libssl-dev=3.0.22-1~deb12u2
  ca-certificates=20230311+deb12u1  # HTTPS to the Hugging Face Hub (t2sql model pull)
  libgtest-dev=1.12.1-0.2
  libgmock-dev=1.12.1-0.2
  libbenchmark-dev=1.7.1-1
  clang-format=1:14.0-55.7~deb12u1
  clang-tidy=1:14.0-55.7~deb12u1
  clang=1:14.0-55.7~deb12u1
  libclang-rt-14-dev=1:14.0.6-12
  chromium=156.0.8078.79-1~deb12u1
  postgresql=15+248+deb12u1
  libpq-dev=15.18-0+deb12u1
  wordnet-base=1:3.0-37
  # The ClickHouse tests start a two-shard cluster of it on 127.0.0.1 (tests/clickhouse).
  clickhouse-server=18.16.1+ds-7.3+b2
)

# file|package spec|sha256 of the tarball
T2SQL_NPM_PACKAGES=(
  "node-llama-cpp-3.22.1.tgz|node-llama-cpp@3.22.1|a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f"
  "duckdb-node-bindings-linux-x64-1.5.6-r.1.tgz|@duckdb/node-bindings-linux-x64@1.5.6-r.1|1b9f82478539bb9a1d1df44bd103121a12ae52142c07158dc52b97d2ec1d69ff"
  "duckdb-1.4.4.tgz|duckdb@1.4.4|5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed"
  # The web page's charts (served by `t2sql serve` from this cache, never a CDN).
  "vega-5.33.1.tgz|vega@5.33.1|1b8504b6731c5311be3269c4d84ca996a5cc293bc772283293ede20c490e16c3"
  "vega-lite-5.23.0.tgz|vega-lite@5.23.0|e4cbfdd8f6f1abe381c59cd558fd6a559c12b1496bfdf2e0c3295263a40fe4da"
  "vega-embed-6.29.0.tgz|vega-embed@6.29.0|ecf1ee709c2bac9e0a4ead6908114b05b62c71493e10a8a4308109bb070f8eb1"
  # Drives Debian's chromium in the browser test.
  "playwright-core-1.65.1.tgz|playwright-core@1.65.1|6f5a60be62a4fddfbe7d10c448d8fbd54547da3358f2f8a04211440471ee863e"
)

# The official MCP TypeScript SDK as a real client for the `t2sql mcp` test,
# with exactly the packages its client modules (Client, the stdio and
# streamable HTTP transports) import: file|package spec|sha256|module name.
# install.sh unpacks each into $T2SQL_MCP_CLIENT_DIR/node_modules/<module>.
T2SQL_NPM_MCP_CLIENT_PACKAGES=(
  "modelcontextprotocol-sdk-1.32.2.tgz|@modelcontextprotocol/sdk@1.32.2|b8d52553a4b7937c0fd9be60c4013af3f46c9a41c5ddde39b7dd0672e4fe19ef|@modelcontextprotocol/sdk"
  "zod-4.6.7.tgz|zod@4.6.7|84efd155bed93270286e793fc951be270b536cbd5b0eeb111f0fa3967201d698|zod"
  "zod-to-json-schema-3.25.2.tgz|zod-to-json-schema@3.25.2|a4919ab5a32aff4fd6c119c9f187f0dd4b4c490d30c4c4fdaf7c5ff6f38d93f4|zod-to-json-schema"
  "ajv-8.20.0.tgz|ajv@8.20.0|b2f0b3a893bbb8cc5efb6814f08b1499e19e31d5dd73683f5893382f48f6e7b3|ajv"
  "ajv-formats-3.0.1.tgz|ajv-formats@3.0.1|f4d6980fd367381fd29199066911e863db8d97496613b6c2c5b91563a150acc5|ajv-formats"
  "fast-deep-equal-3.1.3.tgz|fast-deep-equal@3.1.3|b019a0980f27638dc3f85836b0e478f188e00d7a6e5852c0819fa86f56e47b8f|fast-deep-equal"
  "fast-uri-3.1.9.tgz|fast-uri@3.1.9|4f5a67f7b61110aae7b3ad38e806627f5712f4c150bd38eb804a562e69a9ee5e|fast-uri"
  "json-schema-traverse-1.0.0.tgz|json-schema-traverse@1.0.0|023222622df29fc274bde5d3590e47aa1d4a8e3c1d6e2aba029948ed79799b21|json-schema-traverse"
  "require-from-string-2.0.2.tgz|require-from-string@2.0.2|cb694a4965908f7775a0c757f00cf4e624d193cd71d77988fbcca0f597b88d82|require-from-string"
  "cross-spawn-7.1.2.tgz|cross-spawn@7.1.2|0410553aef3843250cad63603c4d808217ac1ed9f16381879b8617696f64c101|cross-spawn"
  "path-key-3.1.1.tgz|path-key@3.1.1|4b8999acb914830edcd3c5b8fec632b32c6bc759ac3edc86336f5a9e08ba7b92|path-key"
  "shebang-command-2.0.0.tgz|shebang-command@2.0.0|9acba5bd18a51e9cdf5898380e4df63f803e1844def64ae1a46f88cff86d556e|shebang-command"
  "shebang-regex-3.0.0.tgz|shebang-regex@3.0.0|fedbabaa6db26c6be0183f82777dfa852d59a62f8885de93bd32ebc28758958f|shebang-regex"
  "which-2.0.2.tgz|which@2.0.2|a13adf5fddeb769655edce551e81fbb11904b9c9be76d95e41da8c4c499d4edc|which"
  "isexe-2.0.0.tgz|isexe@2.0.0|47cfe872e088e28c53b736fef305324b57cc1cfc9f72a9b0f769f92731cb8359|isexe"
  "content-type-1.0.5.tgz|content-type@1.0.5|ac31d098405f0242dd712218f38a14a6202bd4eb01067db05db765d9a9bd12c8|content-type"
  "pkce-challenge-5.0.2.tgz|pkce-challenge@5.0.2|c3d70bf3941d9e6f27af645197330d7b820ed2ae2730cb9f1df5c1e26a709dc6|pkce-challenge"
  "eventsource-parser-3.1.1.tgz|eventsource-parser@3.1.1|44a0a0ca6cecea76ac47de3e73414ceb32dbbfb8f3b6408906d81170c68e36ed|eventsource-parser"
)
T2SQL_MCP_CLIENT_DIR="$T2SQL_CACHE_DIR/npm/mcp-client-sdk-1.32.2"

# The llama.cpp commit inside node-llama-cpp@3.22.1's git bundle.
T2SQL_LLAMA_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6
T2SQL_LLAMA_DIR="$T2SQL_CACHE_DIR/llama.cpp-$T2SQL_LLAMA_COMMIT"
