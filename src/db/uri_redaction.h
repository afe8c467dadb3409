// Passwords out of database URIs before they are shown: error messages, logs,
// the serve banner. Pure functions.
#pragma once

#include <string>

namespace t2sql {

// "postgresql://user:secret@host/db?password=x" ->
// "postgresql://user:***@host/db?password=***". The userinfo ends at the last
// '@' before the host, so a password holding an unencoded '@' or '/' is
// hidden whole; a "password" query parameter is hidden too.
std::string redact_password(const std::string& uri);

// The password of `uri` ("" when none), as written and percent-decoded.
std::string uri_password(const std::string& uri);

// `message` with every copy of `uri` replaced by its redacted form and every
// copy of its password (as written and decoded) by "***". libpq quotes a URI
// it cannot parse, and a password holding an unencoded '/' or '@' reaches its
// messages in pieces: such a message is replaced by `withheld` as a whole.
std::string redact_uri_in(std::string message, const std::string& uri);

}  // namespace t2sql
