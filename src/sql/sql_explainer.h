// SqlExplainer: what one SQL statement does, in plain English, built from the
// statement's own parse (never from a model), so that the same SQL always
// reads the same and a template answer and an LLM answer are explained alike.
//
//   explain_sql("SELECT st.region, SUM(s.amount) FROM sales s JOIN stores st USING (store_id) "
//               "WHERE strftime('%Y', s.sale_date) = '2024' GROUP BY st.region ORDER BY 2 DESC LIMIT 5")
//   == "Adds up sales.amount from sales joined with stores on store_id, in 2024, per region, "
//      "highest first, top 5."
//
// It reads SELECT statements with joins, WHERE, GROUP BY, HAVING, ORDER BY,
// LIMIT/OFFSET, DISTINCT, subqueries (in FROM and in conditions), UNION /
// INTERSECT / EXCEPT and WITH; aggregates become verbs ("adds up", "counts",
// "averages"), year and month functions become "in 2024" and "per month".
// Text it cannot parse still gets a short account naming the tables it reads.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "sql/dialect.h"

namespace t2sql {

std::string explain_sql(const std::string& sql, Dialect::Engine engine = Dialect::Engine::kSqlite);

}  // namespace t2sql
