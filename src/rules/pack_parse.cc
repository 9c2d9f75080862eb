// RulePack::parse: TOML text -> checked, compiled RulePack. The file layout is
// documented in docs/RULES.md and at the top of config/rules/ph-ewallet.toml. Every
// problem in the file is collected (not just the first) as
// "ORIGIN:LINE:COLUMN: CONTEXT: message", with positions inside rule expressions mapped
// back to the file. toml++ reports syntax errors by exception; they are caught here.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <set>

#include "core/hash.h"
#include "core/toml_file.h"
#include "rules/compiler.h"
#include "rules/pack.h"
#include "rules/pack_internal.h"

namespace wf::rules {
namespace {

bool valid_rule_id(std::string_view id) {
  if (id.empty() || id.size() > internal::kMaxRuleIdChars) return false;
  for (char c : id) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_feature_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

class PackParser {
 public:
  PackParser(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }
  // A pack followed by a model's features file: one document, each error named by the
  // file (and line) it is in.
  PackParser(std::string_view text, std::string_view origin, int second_from_line,
             std::string_view second_origin, size_t pack_bytes)
      : PackParser(text, origin) {
    second_from_line_ = second_from_line;
    second_origin_ = second_origin;
    pack_bytes_ = pack_bytes;
  }

  Result<RulePack> parse();

 private:
  struct Problem {
    int line = 0;
    int column = 0;
    std::string text;
  };

  void add(int line, int column, const std::string& context, const std::string& message) {
    const bool second = second_from_line_ > 0 && line >= second_from_line_;
    if (second) line -= second_from_line_ - 1;
    std::string out(second ? second_origin_ : origin_);
    out.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
    out.append(": ").append(context).append(": ").append(message);
    problems_.push_back(Problem{line, column, std::move(out)});
  }
  // At a node (or the table holding the key when the key is missing).
  void add_at(const toml::node* node, const toml::node& fallback, const std::string& context,
              std::string_view key, const std::string& message) {
    const toml::source_position at = (node ? node->source() : fallback.source()).begin;
    std::string m = key.empty() ? message : "'" + std::string(key) + "': " + message;
    add(static_cast<int>(at.line), static_cast<int>(at.column), context, m);
  }

  // The file position of byte `offset` of a string value (past its opening quotes).
  std::pair<int, int> locate(const toml::node& node, size_t offset) const;

  std::optional<std::string> text(const toml::table& t, std::string_view key,
                                  const std::string& context, bool required = true) {
    const toml::node* node = t.get(key);
    if (!node) {
      if (required) add_at(nullptr, t, context, key, "missing");
      return std::nullopt;
    }
    if (const auto* s = node->as_string()) return std::string(s->get());
    add_at(node, t, context, key, "must be a string");
    return std::nullopt;
  }

  std::optional<int64_t> integer(const toml::table& t, std::string_view key, int64_t min,
                                 int64_t max, const std::string& context, bool required = true) {
    const toml::node* node = t.get(key);
    if (!node) {
      if (required) add_at(nullptr, t, context, key, "missing");
      return std::nullopt;
    }
    const auto* i = node->as_integer();
    if (!i || i->get() < min || i->get() > max) {
      add_at(node, t, context, key,
             "must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
      return std::nullopt;
    }
    return i->get();
  }

  std::optional<int64_t> duration(const toml::table& t, std::string_view key, int64_t min_us,
                                  int64_t max_us, const std::string& context,
                                  bool required = true) {
    auto s = text(t, key, context, required);
    if (!s) return std::nullopt;
    auto us = parse_duration_us(*s);
    if (!us.ok()) {
      add_at(t.get(key), t, context, key, us.error().message);
      return std::nullopt;
    }
    if (*us < min_us || *us > max_us) {
      add_at(t.get(key), t, context, key,
             "'" + *s + "' is out of range (" + std::to_string(min_us) + ".." +
                 std::to_string(max_us) + " microseconds)");
      return std::nullopt;
    }
    return *us;
  }

  void only(const toml::table& t, std::initializer_list<std::string_view> allowed,
            const std::string& context, const std::string& hint = {}) {
    for (const auto& [key, value] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      add_at(&value, t, context, key.str(), "unknown key" + hint);
    }
  }

  void parse_pack(const toml::table& doc, RulePack* pack);
  void parse_fx(const toml::table& fx, RulePack* pack);
  void parse_rules(const toml::table& doc, RulePack* pack);
  void compile(RulePack* pack);

  std::string_view text_;
  std::string origin_;
  int second_from_line_ = 0;  // > 0: lines from here are the features file's
  std::string second_origin_;
  size_t pack_bytes_ = std::string_view::npos;  // the pack's own text: text_[0, pack_bytes_)
  std::vector<size_t> line_starts_;
  std::vector<Problem> problems_;
  // Nodes of the compiled sources, in CompileInput::sources order.
  std::vector<const toml::node*> source_nodes_;
  internal::CompileInput input_;
};

std::pair<int, int> PackParser::locate(const toml::node& node, size_t offset) const {
  const toml::source_position b = node.source().begin;
  if (b.line == 0 || b.line > line_starts_.size()) return {static_cast<int>(b.line), 1};
  size_t raw = line_starts_[b.line - 1] + (b.column > 0 ? b.column - 1 : 0);
  const bool literal = raw < text_.size() && text_[raw] == '\'';
  const bool triple = text_.substr(raw, 3) == (literal ? "'''" : "\"\"\"");
  raw += triple ? 3 : 1;
  if (triple && raw < text_.size() && text_[raw] == '\r') ++raw;
  if (triple && raw < text_.size() && text_[raw] == '\n') ++raw;  // TOML trims it
  for (size_t k = 0; k < offset && raw < text_.size(); ++k) {
    if (!literal && text_[raw] == '\\' && raw + 1 < text_.size()) {
      char e = text_[raw + 1];
      raw += e == 'u' ? 6 : (e == 'U' ? 10 : 2);
    } else {
      ++raw;
    }
  }
  raw = std::min(raw, text_.size());
  size_t line = static_cast<size_t>(
      std::upper_bound(line_starts_.begin(), line_starts_.end(), raw) - line_starts_.begin());
  return {static_cast<int>(line), static_cast<int>(raw - line_starts_[line - 1] + 1)};
}

void PackParser::parse_pack(const toml::table& doc, RulePack* pack) {
  const toml::table* meta = doc["pack"].as_table();
  if (!meta) {
    add(1, 1, "[pack]", "missing table [pack]");
    return;
  }
  const std::string ctx = "[pack]";
  only(*meta, {"name", "home_country", "base_currency", "utc_offset_minutes", "lateness"}, ctx);
  if (auto name = text(*meta, "name", ctx)) {
    if (name->empty()) add_at(meta->get("name"), *meta, ctx, "name", "must not be empty");
    pack->name_ = *name;
  }
  if (auto home = text(*meta, "home_country", ctx)) {
    if (home->size() != 2 || !std::isupper(static_cast<unsigned char>((*home)[0])) ||
        !std::isupper(static_cast<unsigned char>((*home)[1]))) {
      add_at(meta->get("home_country"), *meta, ctx, "home_country",
             "must be an ISO 3166 alpha-2 code like \"PH\"");
    }
    pack->home_country_ = *home;
  }
  if (auto code = text(*meta, "base_currency", ctx)) {
    auto base = Currency::from_code(*code);
    if (!base.ok()) {
      add_at(meta->get("base_currency"), *meta, ctx, "base_currency", base.error().message);
    } else {
      pack->base_currency_ = *base;
    }
  }
  if (auto offset = integer(*meta, "utc_offset_minutes", -720, 840, ctx)) {
    pack->utc_offset_minutes_ = static_cast<int>(*offset);
  }
  if (auto lateness = duration(*meta, "lateness", 0, internal::kMaxLatenessUs, ctx)) {
    pack->lateness_us_ = *lateness;
  }
  if (const toml::node* node = doc.get("state")) {
    const toml::table* state = node->as_table();
    if (!state) {
      add_at(node, doc, "[state]", "", "must be a table [state]");
      return;
    }
    only(*state, {"window_events", "idle_expiry"}, "[state]");
    if (auto n =
            integer(*state, "window_events", 1, internal::kMaxWindowEvents, "[state]", false)) {
      pack->window_events_ = static_cast<int>(*n);
    }
    pack->idle_expiry_us_ = kMicrosPerDay;
    if (auto d = duration(*state, "idle_expiry", kMicrosPerMinute, 400 * kMicrosPerDay, "[state]",
                          false)) {
      pack->idle_expiry_us_ = *d;
    }
  } else {
    pack->idle_expiry_us_ = kMicrosPerDay;
  }
}

// The [fx] table: micro_ratio = rate * 10^(base_exp - cur_exp) * 10^6, parsed exactly.
void PackParser::parse_fx(const toml::table& fx, RulePack* pack) {
  const Currency base = pack->base_currency_;
  for (const auto& [key, value] : fx) {
    std::string_view code = key.str();
    auto currency = Currency::from_code(code);
    if (!currency.ok()) {
      add_at(&value, fx, "[fx]", code, "unknown currency");
      continue;
    }
    if (*currency == base) {
      add_at(&value, fx, "[fx]", code, "the base currency needs no rate");
      continue;
    }
    auto rate_text = text(fx, code, "[fx]");
    if (!rate_text) continue;
    int scale = 6 + base.exponent() - currency->exponent();
    auto ratio = parse_minor_units(*rate_text, scale);
    if (!ratio.ok() || *ratio <= 0) {
      add_at(&value, fx, "[fx]", code,
             "rate '" + *rate_text + "' must be positive exact decimal text with at most " +
                 std::to_string(scale) + " places");
      continue;
    }
    pack->fx_.push_back(FxRate{*currency, *ratio});
  }
}

void PackParser::parse_rules(const toml::table& doc, RulePack* pack) {
  if (const toml::node* node = doc.get("features")) {
    const toml::table* features = node->as_table();
    if (!features) {
      add_at(node, doc, "[features]", "", "must be a table [features]");
    } else {
      for (const auto& [key, value] : *features) {
        const std::string name(key.str());
        const std::string ctx = "feature " + name;
        if (!valid_feature_name(name)) {
          add_at(&value, *features, ctx, "", "names are lower_case_with_underscores");
          continue;
        }
        auto expr = text(*features, name, ctx);
        if (!expr) continue;
        pack->features_.emplace_back(name, *expr);
        input_.features.emplace_back(name, static_cast<int>(input_.sources.size()));
        input_.sources.push_back(internal::Source{*expr, ctx});
        source_nodes_.push_back(&value);
      }
    }
  }
  if (const toml::node* node = doc.get("model_feature")) {
    const toml::array* list = node->as_array();
    if (!list) {
      add_at(node, doc, "[[model_feature]]", "", "must be an array of tables [[model_feature]]");
    } else {
      std::set<std::string, std::less<>> names;
      for (size_t i = 0; i < list->size(); ++i) {
        const toml::table* t = (*list)[i].as_table();
        std::string ctx = "model feature #" + std::to_string(i + 1);
        if (!t) {
          add_at(&(*list)[i], doc, ctx, "", "is not a table");
          continue;
        }
        only(*t, {"name", "expr"}, ctx, " (a model feature has name and expr)");
        auto name = text(*t, "name", ctx);
        if (name) {
          if (!valid_feature_name(*name)) {
            add_at(t->get("name"), *t, ctx, "name", "names are lower_case_with_underscores");
          } else {
            ctx = "model feature " + *name;
            if (!names.insert(*name).second) {
              add_at(t->get("name"), *t, ctx, "name", "duplicate model feature");
            }
          }
        }
        auto expr = text(*t, "expr", ctx);
        if (!name || !expr) continue;
        if (pack->model_features_.size() >= internal::kMaxModelFeatures) {
          add_at(t, doc, ctx, "",
                 "at most " + std::to_string(internal::kMaxModelFeatures) + " model features");
          break;
        }
        pack->model_features_.emplace_back(*name, *expr);
        input_.outputs.push_back(static_cast<int>(input_.sources.size()));
        input_.sources.push_back(internal::Source{*expr, ctx});
        source_nodes_.push_back(t->get("expr"));
      }
    }
  }
  const toml::node* rules_node = doc.get("rule");
  const toml::array* rules = rules_node ? rules_node->as_array() : nullptr;
  if (!rules || rules->empty()) {
    add_at(rules_node, doc, "top level", "", "no [[rule]] entries");
    return;
  }
  if (rules->size() > internal::kMaxRules) {
    add_at(rules_node, doc, "top level", "",
           "at most " + std::to_string(internal::kMaxRules) + " rules, got " +
               std::to_string(rules->size()));
    return;
  }
  std::set<std::string, std::less<>> ids;
  for (size_t i = 0; i < rules->size(); ++i) {
    const toml::table* t = (*rules)[i].as_table();
    std::string ctx = "rule #" + std::to_string(i + 1);
    if (!t) {
      add_at(&(*rules)[i], doc, ctx, "", "is not a table");
      continue;
    }
    Rule rule;
    if (auto id = text(*t, "id", ctx)) {
      if (!valid_rule_id(*id)) {
        add_at(t->get("id"), *t, ctx, "id",
               "'" + *id + "' must be 1-16 characters of A-Z a-z 0-9 _ -");
      } else {
        ctx = "rule " + *id;
        if (!ids.insert(*id).second) add_at(t->get("id"), *t, ctx, "id", "duplicate rule id");
      }
      rule.id = *id;
    }
    only(*t, {"id", "name", "score", "when", "reason"}, ctx,
         t->contains("kind") ? " (rules are conditions now: replace 'kind' and its parameters "
                               "with when = \"...\", see docs/RULES.md)"
                             : " (a rule has id, name, score, when, reason)");
    if (auto name = text(*t, "name", ctx)) rule.name = *name;
    if (auto score = integer(*t, "score", 0, 100, ctx)) rule.score = static_cast<int>(*score);
    internal::CompileInput::RuleInput in;
    if (auto when = text(*t, "when", ctx)) {
      rule.when = *when;
      in.when = static_cast<int>(input_.sources.size());
      input_.sources.push_back(internal::Source{*when, ctx});
      source_nodes_.push_back(t->get("when"));
    }
    if (auto reason = text(*t, "reason", ctx, false)) {
      rule.reason = *reason;
      in.reason = static_cast<int>(input_.sources.size());
      input_.sources.push_back(internal::Source{*reason, ctx});
      source_nodes_.push_back(t->get("reason"));
    }
    if (in.when < 0) {
      // Keep rule indexes aligned with the pack's rules: compile a placeholder.
      in.when = static_cast<int>(input_.sources.size());
      input_.sources.push_back(internal::Source{"false", ctx});
      source_nodes_.push_back(t);
    }
    input_.rules.push_back(in);
    pack->rules_.push_back(std::move(rule));
  }
}

void PackParser::compile(RulePack* pack) {
  input_.base_currency = pack->base_currency_;
  input_.home_country = pack->home_country_;
  input_.window_events = pack->window_events_;
  input_.idle_expiry_us = pack->idle_expiry_us_;
  input_.to_base = [pack](const Money& m) { return pack->to_base(m); };
  auto program = std::make_shared<internal::Program>();
  std::vector<internal::CompileError> errors;
  internal::compile(input_, program.get(), &errors);
  for (const internal::CompileError& e : errors) {
    const toml::node* node = source_nodes_[static_cast<size_t>(e.source)];
    auto [line, column] = locate(*node, static_cast<size_t>(e.pos));
    add(line, column, input_.sources[static_cast<size_t>(e.source)].context, e.message);
  }
  pack->program_ = std::move(program);
}

Result<RulePack> PackParser::parse() {
  auto parsed = parse_toml(text_, origin_);
  if (!parsed.ok()) return parsed.take_error();
  const toml::table& doc = *parsed;
  RulePack pack;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash_bytes(text_)));
  pack.version_ = hex;
  pack.text_ = std::string(text_.substr(0, pack_bytes_));
  only(doc, {"pack", "state", "fx", "features", "rule", "model_feature"}, "top level");
  parse_pack(doc, &pack);
  if (const toml::node* fx_node = doc.get("fx")) {
    if (const toml::table* fx = fx_node->as_table()) {
      parse_fx(*fx, &pack);
    } else {
      add_at(fx_node, doc, "[fx]", "", "must be a table [fx]");
    }
  }
  parse_rules(doc, &pack);
  compile(&pack);  // also with other problems, so one run reports them all
  if (!problems_.empty()) {
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    std::string message;
    for (const Problem& p : problems_) message.append(message.empty() ? "" : "\n").append(p.text);
    return make_error(Errc::kConfig, std::move(message));
  }
  return pack;
}

Result<RulePack> RulePack::parse(std::string_view toml_text, std::string_view origin) {
  return PackParser(toml_text, origin).parse();
}

Result<RulePack> RulePack::parse_with_features(std::string_view pack_text, std::string_view origin,
                                               std::string_view features_text,
                                               std::string_view features_origin) {
  // The features file holds model features only: it must not add rules, settings or keys
  // to the pack it is compiled with.
  auto alone = parse_toml(features_text, std::string(features_origin));
  if (!alone.ok()) return alone.take_error();
  for (const auto& [key, value] : *alone) {
    if (key.str() != "model_feature") {
      const toml::source_position at = value.source().begin;
      return make_error(Errc::kConfig,
                        std::string(features_origin) + ":" + std::to_string(at.line) + ":" +
                            std::to_string(at.column) + ": '" + std::string(key.str()) +
                            "': a features file holds only [[model_feature]] "
                            "entries");
    }
  }
  std::string text(pack_text);
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  const size_t pack_bytes = text.size();
  const int second_line = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  text.append(features_text);
  return PackParser(text, origin, second_line, features_origin, pack_bytes).parse();
}

}  // namespace wf::rules
