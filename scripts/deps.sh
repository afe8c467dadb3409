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

# The llama.cpp commit inside node-llama-cpp@3.22.1's git bundle.
T2SQL_LLAMA_COMMIT=de3ff815ea7d559ee917f063901b8986f038abc6
T2SQL_LLAMA_DIR="$T2SQL_CACHE_DIR/llama.cpp-$T2SQL_LLAMA_COMMIT"
