#include "http_common/price_table.hpp"

#include <stdexcept>

#include "http_common/json_util.hpp"

namespace pipeline::http {

void PriceTable::override_with(const boost::json::value& prices) {
  if (prices.is_null()) return;
  if (!prices.is_object()) throw std::invalid_argument("'prices' must be an object");
  for (const auto& [key, entry] : prices.get_object()) {
    if (!entry.is_object())
      throw std::invalid_argument("prices." + std::string(key) + " must be an object");
    const auto& o = entry.get_object();
    const auto* in = json_util::find(o, "input_per_mtok");
    const auto* out = json_util::find(o, "output_per_mtok");
    if (in == nullptr || out == nullptr || !(in->is_number()) || !(out->is_number()))
      throw std::invalid_argument("prices." + std::string(key) +
                                  " needs numbers input_per_mtok and output_per_mtok");
    ModelPrice p{std::string(key), json_util::real(*in), json_util::real(*out)};
    bool replaced = false;
    for (auto& existing : prices_) {
      if (existing.model_prefix == p.model_prefix) {
        existing = p;
        replaced = true;
      }
    }
    if (!replaced) prices_.push_back(std::move(p));
  }
}

const ModelPrice* PriceTable::find(std::string_view model) const {
  const ModelPrice* best = nullptr;
  for (const auto& p : prices_) {
    if (model.substr(0, p.model_prefix.size()) == p.model_prefix &&
        (best == nullptr || p.model_prefix.size() > best->model_prefix.size()))
      best = &p;
  }
  return best;
}

std::optional<double> PriceTable::cost(std::string_view model, int64_t input_tokens,
                                       int64_t output_tokens) const {
  const ModelPrice* p = find(model);
  if (p == nullptr) return std::nullopt;
  return (static_cast<double>(input_tokens) * p->input_per_mtok +
          static_cast<double>(output_tokens) * p->output_per_mtok) /
         1e6;
}

}  // namespace pipeline::http
