#include "db/uri_redaction.h"

#include <gtest/gtest.h>

#include "t2sql/database.h"

namespace t2sql {
namespace {

TEST(UriRedaction, HidesUserinfoAndQueryPasswords) {
  EXPECT_EQ(redact_password("postgresql://ann:secret@db:5432/shop"), "postgresql://ann:***@db:5432/shop");
  EXPECT_EQ(redact_password("postgresql://db/shop?user=reader&password=SECRET"),
            "postgresql://db/shop?user=reader&password=***");
  EXPECT_EQ(redact_password("postgresql://db/shop?PASSWORD=SECRET&sslmode=disable"),
            "postgresql://db/shop?PASSWORD=***&sslmode=disable");
  EXPECT_EQ(redact_password("postgresql://ann:a@b:c@db/shop?password=x"), "postgresql://ann:***@db/shop?password=***");
}

TEST(UriRedaction, HidesPasswordsHoldingSlashOrAt) {
  EXPECT_EQ(redact_password("postgresql://ann:pa/ss@db:5432/shop"), "postgresql://ann:***@db:5432/shop");
  EXPECT_EQ(redact_password("postgresql://ann:p@ss@db/shop"), "postgresql://ann:***@db/shop");
  EXPECT_EQ(redact_password("postgresql://ann:p@ss/w@rd@db/shop"), "postgresql://ann:***@db/shop");
  EXPECT_EQ(uri_password("postgresql://ann:p@ss/w@rd@db/shop"), "p@ss/w@rd");
}

TEST(UriRedaction, LeavesUrisWithoutPasswordsAlone) {
  EXPECT_EQ(redact_password("postgres://ann@db/shop"), "postgres://ann@db/shop");
  EXPECT_EQ(redact_password("postgresql://db/shop?x=a@b"), "postgresql://db/shop?x=a@b");
  EXPECT_EQ(redact_password("postgresql://db/shop?user=a@b&sslmode=require"),
            "postgresql://db/shop?user=a@b&sslmode=require");
  EXPECT_EQ(redact_password("/data/shop.db"), "/data/shop.db");
  EXPECT_EQ(redact_password(""), "");
}

TEST(UriRedaction, MessagesLoseEveryCopyOfThePassword) {
  std::string uri = "postgresql://ann:hunter2x@db/shop?password=s3cr%21t";
  std::string m = redact_uri_in("cannot parse '" + uri + "': hunter2x and s3cr!t and s3cr%21t", uri);
  EXPECT_EQ(m.find("hunter2x"), std::string::npos) << m;
  EXPECT_EQ(m.find("s3cr"), std::string::npos) << m;
  // libpq reads "pa" of "pa/ss" as the port: the message is withheld whole.
  std::string split =
      redact_uri_in("invalid integer value \"pa\" for connection option \"port\"", "postgresql://ann:pa/ss@db/shop");
  EXPECT_EQ(split.find("\"pa\""), std::string::npos) << split;
  EXPECT_NE(split.find("percent-encode"), std::string::npos) << split;
}

// Through Database::open, with no server: the error never shows the secret.
TEST(UriRedaction, OpenErrorsShowNoPassword) {
  for (const std::string uri :
       {"postgresql://reader:Sup3rSecret@127.0.0.1:1/shop", "postgresql://127.0.0.1:1/shop?user=r&password=Sup3rSecret",
        "postgresql://reader:Sup3r/Secret@127.0.0.1:1/shop", "postgresql://reader:Sup3r@Secret@127.0.0.1:1/shop",
        "postgresql://reader:Sup3rSecret@[::1"}) {
    auto db = Database::open(uri);
    ASSERT_FALSE(db.ok()) << uri;
    const std::string& m = db.status().message();
    EXPECT_EQ(m.find("Sup3r"), std::string::npos) << uri << " -> " << m;
    EXPECT_EQ(m.find("Secret"), std::string::npos) << uri << " -> " << m;
  }
}

}  // namespace
}  // namespace t2sql
