// The OpenAPI 3 description of the server's endpoints, served at
// GET /openapi.json.
#pragma once

#include <string>

namespace t2sql {

std::string openapi_spec_json(const std::string& version);

}  // namespace t2sql
