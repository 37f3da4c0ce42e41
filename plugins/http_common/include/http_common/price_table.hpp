// USD prices per million tokens by model, matched by the longest model-name prefix, so that
// "claude-sonnet-4-20250514" finds the entry "claude-sonnet-4".
//
//   PriceTable t(builtin_prices);  t.override_with(config["prices"]);
//   double usd = t.cost("gpt-4o-mini", 1200, 300).value_or(0);
#ifndef PIPELINE_HTTP_COMMON_PRICE_TABLE_HPP
#define PIPELINE_HTTP_COMMON_PRICE_TABLE_HPP

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::http {

struct ModelPrice {
  std::string model_prefix;
  double input_per_mtok = 0;   // USD per 1,000,000 input tokens
  double output_per_mtok = 0;  // USD per 1,000,000 output tokens
};

class PriceTable {
 public:
  PriceTable() = default;
  explicit PriceTable(std::vector<ModelPrice> builtin) : prices_(std::move(builtin)) {}

  // Applies the provider config's `prices`: {"<model prefix>": {"input_per_mtok": x,
  // "output_per_mtok": y}}. Entries replace built-in ones with the same prefix. Throws
  // std::invalid_argument on a malformed entry.
  void override_with(const boost::json::value& prices);

  const ModelPrice* find(std::string_view model) const;
  // Cost in USD, or nullopt when no entry matches the model.
  std::optional<double> cost(std::string_view model, int64_t input_tokens,
                             int64_t output_tokens) const;

 private:
  std::vector<ModelPrice> prices_;
};

}  // namespace pipeline::http

#endif  // PIPELINE_HTTP_COMMON_PRICE_TABLE_HPP
