// RulePack::parse: TOML text -> RulePack. The layout is documented at the top of
// config/rules/ph-ewallet.toml. toml++ reports syntax errors by exception; they are
// caught here and returned as kConfig, like every semantic error, with the origin, the
// line when known, and the offending key.
#include <toml++/toml.h>

#include <array>
#include <cctype>
#include <cmath>
#include <exception>
#include <set>

#include "core/hash.h"
#include "rules/pack.h"
#include "rules/pack_internal.h"

namespace wf::rules {
namespace {

struct KindInfo {
  std::string_view name;
  RuleKind kind;
  std::array<std::string_view, 3> params;  // exactly these, besides id/name/kind/score
};

constexpr std::array<KindInfo, 6> kKinds = {{
    {"amount_at_night", RuleKind::kAmountAtNight, {"min_amount", "start_hour", "end_hour"}},
    {"velocity", RuleKind::kVelocity, {"max_count", "window"}},
    {"location_jump", RuleKind::kLocationJump, {"max_km", "window"}},
    {"round_amount", RuleKind::kRoundAmount, {"min_amount", "round_unit"}},
    {"dormant_reactivation", RuleKind::kDormantReactivation, {"min_amount", "window"}},
    {"foreign_amount", RuleKind::kForeignAmount, {"min_amount"}},
}};

constexpr std::array<std::string_view, 4> kCommonRuleKeys = {"id", "name", "kind", "score"};

bool valid_rule_id(std::string_view id) {
  if (id.empty() || id.size() > internal::kMaxRuleIdChars) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Reads typed values out of one TOML table; every error names origin, line, section and
// key, e.g. "rules.toml:31: rule 'R002': 'window': bad duration '5x' ...".
class Section {
 public:
  Section(std::string_view origin, const toml::table& table, std::string where)
      : origin_(origin), table_(table), where_(std::move(where)) {}

  Error error(std::string_view key, std::string_view what) const {
    // Appends only: GCC 12 -O3 reports a false -Wrestrict on `str += "x" + str`.
    std::string msg(origin_);
    const toml::node* node = key.empty() ? nullptr : table_.get(key);
    const toml::source_region& src = node ? node->source() : table_.source();
    if (src.begin.line > 0) msg.append(":").append(std::to_string(src.begin.line));
    msg.append(": ").append(where_).append(": ");
    if (!key.empty()) msg.append("'").append(key).append("': ");
    msg.append(what);
    return make_error(Errc::kConfig, std::move(msg));
  }

  Result<std::string> text(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (!node) return error(key, "missing");
    const auto* s = node->as_string();
    if (!s) return error(key, "must be a string");
    return std::string(s->get());
  }

  Result<int64_t> integer(std::string_view key, int64_t min, int64_t max) const {
    const toml::node* node = table_.get(key);
    if (!node) return error(key, "missing");
    const auto* i = node->as_integer();
    if (!i || i->get() < min || i->get() > max) {
      return error(key,
                   "must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
    }
    return i->get();
  }

  Result<double> number(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (!node) return error(key, "missing");
    if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
    if (const auto* f = node->as_floating_point()) return f->get();
    return error(key, "must be a number");
  }

  // Exact decimal text in the base currency, e.g. "50000.00".
  Result<int64_t> amount(std::string_view key, int exponent) const {
    auto t = text(key);
    if (!t.ok()) return t.take_error();
    auto minor = parse_minor_units(*t, exponent);
    if (!minor.ok()) return error(key, minor.error().message);
    if (*minor < 0) return error(key, "must not be negative");
    return *minor;
  }

  Result<int64_t> duration(std::string_view key, int64_t min_us, int64_t max_us) const {
    auto t = text(key);
    if (!t.ok()) return t.take_error();
    auto us = internal::parse_duration_us(*t);
    if (!us.ok()) return error(key, us.error().message);
    if (*us < min_us || *us > max_us) {
      return error(key, "'" + *t + "' is out of range (" + std::to_string(min_us) + ".." +
                            std::to_string(max_us) + " microseconds)");
    }
    return *us;
  }

  // Fails on the first key not in `allowed`.
  Status only(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : table_) {
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key.str();
      if (!known) return error(key.str(), "unknown key");
    }
    return Status::Ok();
  }

  const toml::table& table() const { return table_; }

 private:
  std::string_view origin_;
  const toml::table& table_;
  std::string where_;
};

Error top_error(std::string_view origin, std::string_view what) {
  return make_error(Errc::kConfig, std::string(origin) + ": " + std::string(what));
}

// The [fx] table: micro_ratio = rate * 10^(base_exp - cur_exp) * 10^6, parsed exactly.
Status parse_fx(const Section& fx, Currency base, std::vector<FxRate>* out) {
  for (const auto& [key, value] : fx.table()) {
    std::string_view code = key.str();
    auto currency = Currency::from_code(code);
    if (!currency.ok()) return fx.error(code, "unknown currency");
    if (*currency == base) return fx.error(code, "the base currency needs no rate");
    auto rate_text = fx.text(code);
    if (!rate_text.ok()) return rate_text.take_error();
    int scale = 6 + base.exponent() - currency->exponent();
    auto ratio = parse_minor_units(*rate_text, scale);
    if (!ratio.ok()) {
      return fx.error(code, "rate '" + *rate_text + "' is not exact decimal text with at most " +
                                std::to_string(scale) + " places: " + ratio.error().message);
    }
    if (*ratio <= 0) return fx.error(code, "rate must be positive");
    out->push_back(FxRate{*currency, *ratio});
  }
  return Status::Ok();
}

Status parse_params(const Section& s, const KindInfo& kind, int exponent, Rule* rule) {
  switch (kind.kind) {
    case RuleKind::kAmountAtNight: {
      auto min = s.amount("min_amount", exponent);
      if (!min.ok()) return min.take_error();
      auto start = s.integer("start_hour", 0, 24);
      if (!start.ok()) return start.take_error();
      auto end = s.integer("end_hour", 0, 24);
      if (!end.ok()) return end.take_error();
      if (*start % 24 == *end % 24) return s.error("end_hour", "the hour window is empty");
      rule->min_amount = *min;
      rule->start_hour = static_cast<int>(*start);
      rule->end_hour = static_cast<int>(*end);
      break;
    }
    case RuleKind::kVelocity: {
      auto count = s.integer("max_count", 1, internal::kMaxVelocityCount);
      if (!count.ok()) return count.take_error();
      auto window = s.duration("window", 1, internal::kMaxShortWindowUs);
      if (!window.ok()) return window.take_error();
      rule->max_count = *count;
      rule->window_us = *window;
      break;
    }
    case RuleKind::kLocationJump: {
      auto km = s.number("max_km");
      if (!km.ok()) return km.take_error();
      if (!std::isfinite(*km) || *km <= 0) return s.error("max_km", "must be positive");
      auto window = s.duration("window", 1, internal::kMaxShortWindowUs);
      if (!window.ok()) return window.take_error();
      rule->max_km = *km;
      rule->window_us = *window;
      break;
    }
    case RuleKind::kRoundAmount: {
      auto min = s.amount("min_amount", exponent);
      if (!min.ok()) return min.take_error();
      auto unit = s.amount("round_unit", exponent);
      if (!unit.ok()) return unit.take_error();
      if (*unit <= 0) return s.error("round_unit", "must be positive");
      rule->min_amount = *min;
      rule->round_unit = *unit;
      break;
    }
    case RuleKind::kDormantReactivation: {
      auto min = s.amount("min_amount", exponent);
      if (!min.ok()) return min.take_error();
      auto window = s.duration("window", 1, INT64_MAX);
      if (!window.ok()) return window.take_error();
      rule->min_amount = *min;
      rule->window_us = *window;
      break;
    }
    case RuleKind::kForeignAmount: {
      auto min = s.amount("min_amount", exponent);
      if (!min.ok()) return min.take_error();
      rule->min_amount = *min;
      break;
    }
  }
  std::string note = " (kind " + std::string(kind.name) + " takes ";
  for (size_t i = 0; i < kind.params.size() && !kind.params[i].empty(); ++i) {
    note += (i ? ", " : "") + std::string(kind.params[i]);
  }
  note += ")";
  for (const auto& [key, value] : s.table()) {
    bool known = false;
    for (std::string_view k : kCommonRuleKeys) known = known || k == key.str();
    for (std::string_view k : kind.params) known = known || (!k.empty() && k == key.str());
    if (!known) return s.error(key.str(), "unknown key" + note);
  }
  return Status::Ok();
}

Result<Rule> parse_rule(std::string_view origin, const toml::table& table, size_t index,
                        int exponent) {
  Section first(origin, table, "rule #" + std::to_string(index + 1));
  auto id = first.text("id");
  if (!id.ok()) return id.take_error();
  if (!valid_rule_id(*id)) {
    return first.error("id", "'" + *id + "' must be 1-16 characters of A-Z a-z 0-9 _ -");
  }
  Section s(origin, table, "rule '" + *id + "'");
  Rule rule;
  rule.id = *id;
  auto name = s.text("name");
  if (!name.ok()) return name.take_error();
  rule.name = *name;
  auto score = s.integer("score", 0, 100);
  if (!score.ok()) return score.take_error();
  rule.score = static_cast<int>(*score);
  auto kind_text = s.text("kind");
  if (!kind_text.ok()) return kind_text.take_error();
  const KindInfo* kind = nullptr;
  for (const KindInfo& k : kKinds) {
    if (k.name == *kind_text) kind = &k;
  }
  if (!kind) {
    std::string known;
    for (const KindInfo& k : kKinds) known += (known.empty() ? "" : ", ") + std::string(k.name);
    return s.error("kind", "unknown kind '" + *kind_text + "' (known: " + known + ")");
  }
  rule.kind = kind->kind;
  WF_RETURN_IF_ERROR(parse_params(s, *kind, exponent, &rule));
  return rule;
}

}  // namespace

namespace internal {

Result<int64_t> parse_duration_us(std::string_view text) {
  auto bad = [&] {
    return make_error(Errc::kConfig, "bad duration '" + std::string(text) +
                                         "' (want an integer and a unit: ms, s, m, h, d)");
  };
  size_t i = 0;
  int64_t value = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (INT64_MAX - 9) / 10) return bad();
    value = value * 10 + (text[i] - '0');
  }
  if (i == 0) return bad();
  std::string_view unit = text.substr(i);
  int64_t scale = 0;
  if (unit == "ms") {
    scale = 1000;
  } else if (unit == "s") {
    scale = kMicrosPerSecond;
  } else if (unit == "m") {
    scale = kMicrosPerMinute;
  } else if (unit == "h") {
    scale = kMicrosPerHour;
  } else if (unit == "d") {
    scale = kMicrosPerDay;
  } else {
    return bad();
  }
  if (value > INT64_MAX / scale) return bad();
  return value * scale;
}

std::string_view kind_name(RuleKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

}  // namespace internal

Result<RulePack> RulePack::parse(std::string_view toml_text, std::string_view origin) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return make_error(Errc::kConfig, std::string(origin) + ":" + std::to_string(at.line) + ":" +
                                         std::to_string(at.column) +
                                         ": TOML syntax: " + std::string(e.description()));
  } catch (const std::exception& e) {
    return top_error(origin, std::string("cannot read TOML: ") + e.what());
  }

  Section top(origin, doc, "top level");
  WF_RETURN_IF_ERROR(top.only({"pack", "fx", "rule"}));

  RulePack pack;
  {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(hash_bytes(toml_text)));
    pack.version_ = hex;
  }
  const toml::table* meta = doc["pack"].as_table();
  if (!meta) return top_error(origin, "missing table [pack]");
  Section p(origin, *meta, "[pack]");
  WF_RETURN_IF_ERROR(
      p.only({"name", "home_country", "base_currency", "utc_offset_minutes", "lateness"}));
  auto name = p.text("name");
  if (!name.ok()) return name.take_error();
  if (name->empty()) return p.error("name", "must not be empty");
  pack.name_ = *name;
  auto home = p.text("home_country");
  if (!home.ok()) return home.take_error();
  if (home->size() != 2 || !std::isupper(static_cast<unsigned char>((*home)[0])) ||
      !std::isupper(static_cast<unsigned char>((*home)[1]))) {
    return p.error("home_country", "must be an ISO 3166 alpha-2 code like \"PH\"");
  }
  pack.home_country_ = *home;
  auto base_code = p.text("base_currency");
  if (!base_code.ok()) return base_code.take_error();
  auto base = Currency::from_code(*base_code);
  if (!base.ok()) return p.error("base_currency", base.error().message);
  pack.base_currency_ = *base;
  auto offset = p.integer("utc_offset_minutes", -720, 840);
  if (!offset.ok()) return offset.take_error();
  pack.utc_offset_minutes_ = static_cast<int>(*offset);
  auto lateness = p.duration("lateness", 0, internal::kMaxLatenessUs);
  if (!lateness.ok()) return lateness.take_error();
  pack.lateness_us_ = *lateness;

  if (const toml::node* fx_node = doc.get("fx")) {
    const toml::table* fx = fx_node->as_table();
    if (!fx) return top.error("fx", "must be a table [fx]");
    WF_RETURN_IF_ERROR(parse_fx(Section(origin, *fx, "[fx]"), pack.base_currency_, &pack.fx_));
  }

  const toml::node* rules_node = doc.get("rule");
  if (!rules_node) return top_error(origin, "no [[rule]] entries");
  const toml::array* rules = rules_node->as_array();
  if (!rules) return top.error("rule", "must be an array of tables [[rule]]");
  if (rules->empty()) return top_error(origin, "no [[rule]] entries");
  if (rules->size() > internal::kMaxRules) {
    return top.error("rule", "at most " + std::to_string(internal::kMaxRules) + " rules, got " +
                                 std::to_string(rules->size()));
  }
  std::set<std::string, std::less<>> ids;
  for (size_t i = 0; i < rules->size(); ++i) {
    const toml::table* table = (*rules)[i].as_table();
    if (!table) return top.error("rule", "entry #" + std::to_string(i + 1) + " is not a table");
    auto rule = parse_rule(origin, *table, i, pack.base_currency_.exponent());
    if (!rule.ok()) return rule.take_error();
    if (!ids.insert(rule->id).second) {
      return Section(origin, *table, "rule #" + std::to_string(i + 1))
          .error("id", "duplicate rule id '" + rule->id + "'");
    }
    pack.rules_.push_back(std::move(*rule));
  }
  return pack;
}

}  // namespace wf::rules
