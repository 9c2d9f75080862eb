// RulePack: loading (file, builtin) and the read-side helpers used per event. Parsing
// lives in pack_parse.cc.
#include "rules/pack.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/file.h"
#include "rules/pack_internal.h"
#include "rules/program.h"

namespace wf::rules {

Result<RulePack> RulePack::load_file(const std::string& path) {
  auto text = read_file(path, "rules file");
  if (!text.ok()) return text.take_error();
  return parse(*text, path);
}

Result<RulePack> RulePack::builtin(std::string_view profile) {
  std::string_view text = internal::builtin_pack_toml(profile);
  if (text.empty()) {
    return make_error(Errc::kNotFound, "no built-in rule pack for profile '" +
                                           std::string(profile) + "' (known: ph-ewallet)");
  }
  return parse(text, "builtin:" + std::string(profile));
}

std::string_view RulePack::builtin_features_text(std::string_view profile) {
  return internal::builtin_features_toml(profile);
}

std::string_view RulePack::builtin_text(std::string_view profile) {
  return internal::builtin_pack_toml(profile);
}

int64_t RulePack::horizon_us() const { return program_->longest_window_us + lateness_us_; }

Result<int64_t> RulePack::to_base(const Money& money) const {
  if (money.currency == base_currency_) return money.minor;
  for (const FxRate& fx : fx_) {
    if (!(fx.currency == money.currency)) continue;
    constexpr __int128 kScale = 1'000'000;
    __int128 product = static_cast<__int128>(money.minor) * fx.micro_ratio;
    __int128 quotient = product / kScale;
    __int128 remainder = product % kScale;  // same sign as product
    if (remainder * 2 >= kScale) ++quotient;
    if (remainder * 2 <= -kScale) --quotient;
    if (quotient > INT64_MAX || quotient < INT64_MIN) {
      return make_error(Errc::kBadAmount,
                        "amount overflows in " + std::string(base_currency_.code()) + " after FX");
    }
    return static_cast<int64_t>(quotient);
  }
  return make_error(Errc::kUnknownCurrency,
                    "no " + std::string(base_currency_.code()) + " rate for currency '" +
                        std::string(money.currency.code()) + "' in pack " + name_);
}

std::string RulePack::fired_ids(uint64_t mask) const {
  std::string out;
  for (size_t i = 0; i < rules_.size() && mask != 0; ++i) {
    if ((mask >> i) & 1) {
      if (!out.empty()) out += ',';
      out += rules_[i].id;
    }
  }
  return out;
}

size_t RulePack::fired_ids(uint64_t mask, char* out, size_t capacity) const {
  if (capacity == 0) return 0;
  size_t len = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!((mask >> i) & 1)) continue;
    const std::string& id = rules_[i].id;
    size_t need = id.size() + (len ? 1 : 0);
    if (len + need + 1 > capacity) break;  // whole ids only, and room for the NUL
    if (len) out[len++] = ',';
    std::copy(id.begin(), id.end(), out + len);
    len += id.size();
  }
  out[len] = '\0';
  return len;
}

}  // namespace wf::rules
