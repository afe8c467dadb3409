#include "t2sql/database.h"

#include "db/sqlite_database.h"

namespace t2sql {

Result<std::unique_ptr<Database>> Database::open(const std::string& uri) {
  if (uri.empty()) return invalid_argument("no database given");
  auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return SqliteDatabase::open_file(uri);
  std::string scheme = uri.substr(0, scheme_end);
  std::string rest = uri.substr(scheme_end + 3);
  if (scheme == "sqlite" || scheme == "sqlite3" || scheme == "file") {
    // sqlite:///abs/path -> /abs/path ; sqlite://rel/path -> rel/path
    if (rest.empty()) return invalid_argument("'" + uri + "' names no file");
    return SqliteDatabase::open_file(rest);
  }
  return invalid_argument("unsupported database URI scheme '" + scheme + "' in '" + uri +
                          "' (supported: sqlite://, or a plain file path)");
}

}  // namespace t2sql
