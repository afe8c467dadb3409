// Percent-decoding of URI parts (RFC 3986 section 2.1), shared by the
// database URIs, their redaction and the MCP server's resource URIs.
//
//   percent_decode("a%20b")            -> "a b"
//   percent_decode("50%")              -> "50%"   (a stray '%' is kept)
//   percent_decode_strict("50%")       -> nullopt (a stray '%' is an error)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace t2sql {

// Decodes every %XX escape; a '%' not followed by two hex digits stays as is.
std::string percent_decode(std::string_view text);

// Decodes every %XX escape; nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode_strict(std::string_view text);

}  // namespace t2sql
