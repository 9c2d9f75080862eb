// The language's pure functions: distance_km, abs, min, max, is_round, days_since,
// valid_geo, exists, coalesce, round, location. Calls to stateful features (count(...,
// by: ...), prev(...), ...) are handed to compiler_features.cc.
#include <algorithm>
#include <cmath>

#include "rules/compiler.h"

namespace wf::rules::internal {
namespace {

constexpr std::string_view kStateful[] = {"count",     "sum",    "avg",
                                          "stddev",    "prev",   "distinct_count",
                                          "last_seen", "streak", "sequential_run"};

bool numeric(Type t) { return t == Type::kInt || t == Type::kNumber; }

}  // namespace

Operand Compiler::call(const Node& n) {
  const std::string& fn = n.text;
  bool keyed = std::find(n.arg_names.begin(), n.arg_names.end(), "by") != n.arg_names.end();
  if (std::find(std::begin(kStateful), std::end(kStateful), fn) != std::end(kStateful) ||
      ((fn == "min" || fn == "max") && keyed)) {
    return call_feature(n);
  }
  for (const std::string& name : n.arg_names) {
    if (!name.empty()) {
      error(n, "'" + fn + "' takes no named arguments ('" + name + ":')" +
                   (fn == "min" || fn == "max" ? "; as a windowed feature it needs 'by:'" : ""));
      return Operand{};
    }
  }
  auto arity = [&](size_t want) {
    if (n.kids.size() == want) return true;
    error(n, "'" + fn + "' takes " + std::to_string(want) + " argument" + (want == 1 ? "" : "s") +
                 ", got " + std::to_string(n.kids.size()));
    return false;
  };
  static constexpr std::string_view kPure[] = {"distance_km", "abs",        "min",       "max",
                                               "is_round",    "days_since", "valid_geo", "exists",
                                               "coalesce",    "round",      "location"};
  if (std::find(std::begin(kPure), std::end(kPure), fn) == std::end(kPure)) {
    error(n, "unknown function '" + fn +
                 "' (functions: distance_km, abs, min, max, is_round, days_since, valid_geo, "
                 "exists, coalesce, round, location; features: count, sum, avg, min, max, "
                 "stddev, distinct_count, prev, last_seen, streak, sequential_run)");
    return Operand{};
  }
  size_t want = (fn == "abs" || fn == "days_since" || fn == "exists" || fn == "round") ? 1 : 2;
  if (!arity(want)) return Operand{};
  std::vector<Operand> args;
  for (const auto& kid : n.kids) {
    args.push_back(compile(*kid));
    if (args.back().type == Type::kError) return Operand{};
    if (args.back().type == Type::kRecord) {
      error(*kid, "prev(...) is an event, not a value: use a member like prev(...).ts");
      return Operand{};
    }
  }
  auto need = [&](size_t i, bool ok, const char* what) {
    if (ok) return true;
    error(*n.kids[i], "'" + fn + "' argument " + std::to_string(i + 1) + " must be " + what +
                          ", got " + type_name(args[i].type));
    return false;
  };
  uint16_t dst = new_reg();
  auto done = [&](Op op, Type t, uint16_t a, uint16_t b = 0) {
    emit(Insn{op, Cmp::kEq, dst, a, b, 0});
    return Operand{t, dst, false};
  };
  if (fn == "distance_km") {
    if (!need(0, args[0].type == Type::kLocation, "a location") ||
        !need(1, args[1].type == Type::kLocation, "a location")) {
      return Operand{};
    }
    return done(Op::kDistance, Type::kNumber, args[0].reg, args[1].reg);
  }
  if (fn == "location" || fn == "valid_geo") {
    if (!need(0, numeric(args[0].type), "a number (latitude)") ||
        !need(1, numeric(args[1].type), "a number (longitude)")) {
      return Operand{};
    }
    uint16_t lat = to_number(args[0]).reg;
    uint16_t lon = to_number(args[1]).reg;
    return fn == "location" ? done(Op::kMakeLocation, Type::kLocation, lat, lon)
                            : done(Op::kValidGeo, Type::kBool, lat, lon);
  }
  if (fn == "abs") {
    Type t = args[0].type;
    if (t == Type::kNumber) return done(Op::kAbsD, t, args[0].reg);
    if (t == Type::kInt || t == Type::kMoney || t == Type::kDuration) {
      return done(Op::kAbsI, t, args[0].reg);
    }
    need(0, false, "a number, money or a duration");
    return Operand{};
  }
  if (fn == "round") {
    if (!need(0, numeric(args[0].type), "a number")) return Operand{};
    return done(Op::kRound, Type::kInt, to_number(args[0]).reg);
  }
  if (fn == "min" || fn == "max") {
    const bool is_min = fn == "min";
    Type ta = args[0].type;
    Type tb = args[1].type;
    if (numeric(ta) && numeric(tb) && !(ta == Type::kInt && tb == Type::kInt)) {
      return done(is_min ? Op::kMinD : Op::kMaxD, Type::kNumber, to_number(args[0]).reg,
                  to_number(args[1]).reg);
    }
    bool same = ta == tb && (ta == Type::kInt || ta == Type::kMoney || ta == Type::kDuration ||
                             ta == Type::kTime);
    if (!same) {
      error(n, "'" + fn + "' needs two values of the same kind, got " + type_name(ta) + " and " +
                   type_name(tb));
      return Operand{};
    }
    return done(is_min ? Op::kMinI : Op::kMaxI, ta, args[0].reg, args[1].reg);
  }
  if (fn == "is_round") {
    if (!need(0, args[0].type == Type::kMoney, "money")) return Operand{};
    uint16_t unit = args[1].reg;
    if (numeric(args[1].type)) {
      // A plain number is in major units of the base currency: is_round(amount, 1000).
      if (!args[1].constant) {
        error(*n.kids[1], "'is_round' unit must be a constant");
        return Operand{};
      }
      const Reg& c = p_->constants[args[1].reg];
      double major = args[1].type == Type::kInt ? static_cast<double>(c.i) : c.d;
      double minor = std::round(major * std::pow(10.0, in_.base_currency.exponent()));
      unit = int_constant(static_cast<int64_t>(minor), Type::kMoney).reg;
    } else if (!need(1, args[1].type == Type::kMoney, "money or a number")) {
      return Operand{};
    }
    return done(Op::kIsRound, Type::kBool, args[0].reg, unit);
  }
  if (fn == "days_since") {
    if (!need(0, args[0].type == Type::kTime, "a time")) return Operand{};
    return done(Op::kDaysSince, Type::kNumber, args[0].reg);
  }
  if (fn == "exists") return done(Op::kExists, Type::kBool, args[0].reg);
  // coalesce
  Type ta = args[0].type;
  Type tb = args[1].type;
  if (numeric(ta) && numeric(tb) && ta != tb) {
    return done(Op::kCoalesce, Type::kNumber, to_number(args[0]).reg, to_number(args[1]).reg);
  }
  if (ta != tb || ta == Type::kRecord) {
    error(n, std::string("'coalesce' needs two values of the same type, got ") + type_name(ta) +
                 " and " + type_name(tb));
    return Operand{};
  }
  return done(Op::kCoalesce, ta, args[0].reg, args[1].reg);
}

}  // namespace wf::rules::internal
