// `t2sql serve` on the fixture's PostgreSQL server: the banner (or the
// error, should the role be refused) never shows the password, whether it is
// in the URI's userinfo or a ?password= parameter.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "testing/pg_test_env.h"
#include "db/uri_redaction.h"

namespace t2sql {
namespace {

using testing::pg_env;

// The output of `t2sql serve` (stdout and stderr) until SIGINT after 2 s.
std::string serve_output(const std::string& uri) {
  std::string cmd = "timeout -s INT 2 '" + std::string(T2SQL_BINARY) + "' serve --port 0 --db '" + uri + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (!p) return out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  pclose(p);
  return out;
}

TEST(ServePg, TheBannerHidesThePassword) {
  std::string uri = pg_env("T2SQL_TEST_PG_URI");  // postgresql://user:password@host:port/db
  std::string password = uri_password(uri);
  ASSERT_FALSE(password.empty()) << uri;
  size_t at = uri.rfind('@');
  std::string user = uri.substr(13, uri.find(':', 13) - 13);
  std::string as_parameter = "postgresql://" + uri.substr(at + 1) + "?user=" + user + "&password=" + password;
  for (const std::string& form : {uri, as_parameter}) {
    std::string out = serve_output(form);
    EXPECT_FALSE(out.empty());
    EXPECT_EQ(out.find(password), std::string::npos) << "the password shows in: " << out;
    // A role the server accepts: the banner names the database, redacted.
    if (out.find("listening on") != std::string::npos) EXPECT_NE(out.find("***"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace t2sql
