#include "sql/function_allow_list.h"

#include <set>
#include <string>

namespace t2sql {

namespace {

// Space-separated names. Each list was written from the engine's own
// function reference; a name goes in only when it reads its arguments and
// nothing else, and returns a value bounded by them: repeat, lpad, rpad and
// printf/format (whose width pads) are left out, because they build a value of
// any size out of a number (SQLite's printf with a width of 10^8 loops inside
// one call for seconds, past the timeout; DuckDB computes a whole vector of
// such values outside its memory limit before t2sql sees the first).

// Aggregates, window functions and scalars that all three engines have.
constexpr std::string_view kCommon =
    "count sum avg min max "
    "row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value "
    "lower upper length substr substring trim ltrim rtrim replace coalesce nullif abs round "
    "ceil ceiling floor trunc sqrt power exp ln log log10 sign pi sin cos tan asin acos atan atan2 "
    "degrees radians mod random cast";

constexpr std::string_view kSqlite =
    "total group_concat string_agg char hex quote instr unicode ifnull iif soundex typeof "
    "like glob likelihood likely unlikely concat concat_ws octet_length "
    "date time datetime julianday unixepoch strftime timediff "
    // The CURRENT_DATE, CURRENT_TIME and CURRENT_TIMESTAMP keywords: SQLite
    // calls functions of those names, which its authorizer sees.
    "current_date current_time current_timestamp "
    "acosh asinh atanh cosh sinh tanh log2 pow "
    "json json_array json_array_length json_extract json_insert json_object json_patch json_remove "
    "json_replace json_set json_type json_valid json_quote json_group_array json_group_object json_each "
    "json_tree -> ->> "
    // The catalog's table-valued pragmas; the authorizer admits only these pragmas.
    "pragma_table_info pragma_table_xinfo pragma_foreign_key_list pragma_index_list pragma_index_info";

constexpr std::string_view kDuckdb =
    "count_star mean median mode quantile quantile_cont quantile_disc percentile_cont percentile_disc "
    "stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp "
    "regr_slope regr_intercept regr_r2 regr_count regr_avgx regr_avgy "
    "arg_max arg_min argmax argmin max_by min_by first last any_value bool_and bool_or bit_and bit_or bit_xor "
    "approx_count_distinct approx_quantile list array_agg histogram entropy kurtosis skewness product fsum "
    "string_agg group_concat listagg "
    "lcase ucase len strlen char_length character_length octet_length bit_length left right reverse "
    "concat concat_ws contains starts_with ends_with prefix suffix instr strpos position split_part "
    "string_split str_split string_split_regex regexp_matches regexp_replace regexp_extract regexp_extract_all "
    "regexp_full_match regexp_split_to_array like_escape ilike_escape ascii chr unicode md5 "
    "sha256 hash levenshtein jaro_winkler_similarity jaro_similarity jaccard damerau_levenshtein hamming "
    "mismatches translate array_to_string to_base64 from_base64 hex unhex "
    "cbrt pow log2 fmod greatest least gcd lcm factorial even isnan isinf isfinite round_even "
    "ifnull if iif typeof try_cast "
    "extract date_part datepart date_trunc datetrunc date_diff datediff date_sub datesub date_add strftime strptime "
    "try_strptime year month day dayofmonth dayofweek dayofyear weekday week weekofyear yearweek quarter hour "
    "minute second millisecond microsecond epoch epoch_ms epoch_us make_date make_time make_timestamp "
    "last_day monthname dayname today now current_date current_timestamp get_current_timestamp age "
    "to_timestamp time_bucket isodow isoyear era decade century millennium to_days to_months to_years "
    "to_hours to_minutes to_seconds to_weeks "
    "list_value list_pack unnest range generate_series array_length list_extract list_element array_extract "
    "list_contains list_has array_contains list_position list_sort list_reverse_sort list_distinct "
    "list_unique list_concat array_concat flatten list_slice array_slice list_filter list_transform "
    "list_apply list_reduce list_sum list_min list_max list_avg list_count list_aggregate cardinality "
    "struct_pack struct_extract row map map_extract element_at "
    "json_extract json_extract_string json_extract_path json_extract_path_text to_json json_object "
    "json_array json_array_length json_keys json_type json_valid "
    "columns";

constexpr std::string_view kPostgres =
    "string_agg array_agg bool_and bool_or every bit_and bit_or "
    "stddev stddev_pop stddev_samp variance var_pop var_samp corr covar_pop covar_samp "
    "regr_slope regr_intercept regr_r2 regr_count regr_avgx regr_avgy percentile_cont percentile_disc mode "
    "json_agg jsonb_agg json_object_agg jsonb_object_agg "
    "initcap char_length character_length octet_length bit_length left right btrim reverse "
    "concat concat_ws strpos position split_part string_to_array array_to_string regexp_replace regexp_match "
    "regexp_matches regexp_split_to_array regexp_split_to_table regexp_count regexp_instr regexp_like "
    "regexp_substr starts_with translate ascii chr md5 to_char to_number to_date to_timestamp "
    "overlay quote_ident quote_literal "
    "cbrt div gcd lcm factorial width_bucket scale greatest least num_nonnulls num_nulls "
    "now date_part date_trunc extract age make_date make_time make_timestamp make_interval justify_days "
    "justify_hours justify_interval date_bin isfinite "
    "array_length cardinality unnest generate_series array_position array_positions array_append "
    "array_prepend array_cat array_remove array_replace array_lower array_upper array_dims array_ndims "
    "json_build_object json_build_array jsonb_build_object jsonb_build_array json_extract_path "
    "json_extract_path_text jsonb_extract_path jsonb_extract_path_text row_to_json to_json to_jsonb "
    "json_array_length jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text "
    "json_array_elements jsonb_array_elements json_array_elements_text jsonb_array_elements_text json_typeof "
    "jsonb_typeof bernoulli";

// ClickHouse 18.16's functions, lowercased (the guard compares lowercased
// names). Left out besides the kinds above: table functions (file, url,
// remote, numbers, merge, jdbc, odbc, mysql, hdfs: readonly=1 refuses them
// too), dictGet* (external dictionaries can reach other servers), sleep and
// sleepEachRow, and array and string builders sized by a number (range,
// replicate, arrayResize, groupArrayInsertAt, repeat, leftPad, space).
constexpr std::string_view kClickhouse =
    "any anylast anyheavy argmin argmax uniq uniqexact uniqcombined uniqhll12 grouparray groupuniqarray "
    "quantile quantiles quantileexact quantiledeterministic quantiletiming median varsamp varpop stddevsamp "
    "stddevpop covarsamp covarpop corr topk sumwithoverflow summap groupbitand groupbitor groupbitxor "
    "countif sumif avgif minif maxif uniqif uniqexactif anyif argmaxif argminif "
    "toyear tomonth toquarter todayofmonth todayofweek tohour tominute tosecond tomonday tostartofmonth "
    "tostartofquarter tostartofyear tostartofday tostartofhour tostartofminute tostartoffiveminute "
    "todate todatetime totime torelativeyearnum torelativemonthnum torelativeweeknum torelativedaynum "
    "toyyyymm toyyyymmdd toyyyymmddhhmmss toisoyear toisoweek formatdatetime now today yesterday "
    "addyears addmonths addweeks adddays addhours addminutes addseconds subtractyears subtractmonths "
    "subtractweeks subtractdays subtracthours subtractminutes subtractseconds tounixtimestamp "
    "parsedatetimebesteffort parsedatetimebesteffortornull todateornull todateorzero todatetimeornull "
    "todatetimeorzero extract "
    "toint8 toint16 toint32 toint64 touint8 touint16 touint32 touint64 tofloat32 tofloat64 "
    "todecimal32 todecimal64 todecimal128 toint32orzero toint64orzero toint32ornull toint64ornull "
    "tofloat64orzero tofloat64ornull tostring tonullable assumenotnull ifnull isnull isnotnull nullif "
    "totypename "
    "lengthutf8 lowerutf8 upperutf8 lcase ucase substringutf8 concat position positioncaseinsensitive "
    "positionutf8 positioncaseinsensitiveutf8 match like notlike trimboth trimleft trimright reverse "
    "reverseutf8 startswith endswith splitbychar splitbystring arraystringconcat replaceone replaceall "
    "replaceregexpone replaceregexpall extractall empty notempty "
    "intdiv intdivorzero modulo plus minus multiply divide negate log2 cbrt pow greatest least e erf "
    "isfinite isinfinite isnan rand "
    "if multiif transform "
    "has hasany hasall indexof countequal arrayelement arrayjoin array tuple tupleelement "
    "equals notequals less greater lessorequals greaterorequals and or not";

void add_words(std::set<std::string, std::less<>>& into, std::string_view words) {
  size_t from = 0;
  while (from < words.size()) {
    size_t space = words.find(' ', from);
    if (space == std::string_view::npos) space = words.size();
    if (space > from) into.emplace(words.substr(from, space - from));
    from = space + 1;
  }
}

const std::set<std::string, std::less<>>& names_for(Dialect::Engine engine) {
  static const auto build = [](std::string_view own) {
    std::set<std::string, std::less<>> names;
    add_words(names, kCommon);
    add_words(names, own);
    return names;
  };
  static const std::set<std::string, std::less<>> sqlite = build(kSqlite);
  static const std::set<std::string, std::less<>> duckdb = build(kDuckdb);
  static const std::set<std::string, std::less<>> postgres = build(kPostgres);
  static const std::set<std::string, std::less<>> clickhouse = build(kClickhouse);
  switch (engine) {
    case Dialect::Engine::kClickHouse: return clickhouse;
    case Dialect::Engine::kDuckDb: return duckdb;
    case Dialect::Engine::kPostgres: return postgres;
    default: return sqlite;
  }
}

}  // namespace

bool is_allowed_function(std::string_view name, Dialect::Engine engine) {
  const auto& names = names_for(engine);
  return names.find(name) != names.end();
}

size_t allowed_function_count(Dialect::Engine engine) {
  return names_for(engine).size();
}

}  // namespace t2sql
