// Type checking and code generation for expressions; stateful features are in
// compiler_features.cc. Each rule's condition becomes a block of register code ending in
// a kFire; `and`/`or` short-circuit with jumps, so a cheap test placed first skips the
// rest of the rule.
#include "rules/compiler.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "rules/engine.h"

namespace wf::rules::internal {
namespace {

struct FieldInfo {
  std::string_view name;
  Field field;
  Type type;
};

constexpr FieldInfo kFields[] = {
    {"ts", Field::kTs, Type::kTime},
    {"event_ts", Field::kTs, Type::kTime},
    {"amount", Field::kAmount, Type::kMoney},
    {"currency", Field::kCurrency, Type::kString},
    {"type", Field::kType, Type::kString},
    {"status", Field::kStatus, Type::kString},
    {"channel", Field::kChannel, Type::kString},
    {"payment_method", Field::kPaymentMethod, Type::kString},
    {"country", Field::kCountry, Type::kString},
    {"province", Field::kProvince, Type::kString},
    {"city", Field::kCity, Type::kString},
    {"merchant_id", Field::kMerchantId, Type::kString},
    {"counterparty_id", Field::kCounterpartyId, Type::kString},
    {"device_id", Field::kDeviceId, Type::kString},
    {"product_id", Field::kProductId, Type::kString},
    {"user_id", Field::kUserId, Type::kString},
    {"transaction_id", Field::kTransactionId, Type::kString},
    {"location", Field::kLocation, Type::kLocation},
    {"lat", Field::kLat, Type::kNumber},
    {"lon", Field::kLon, Type::kNumber},
    {"has_location", Field::kHasLocation, Type::kBool},
    {"quantity", Field::kQuantity, Type::kInt},
    {"local_hour", Field::kLocalHour, Type::kInt},
    {"weekday", Field::kWeekday, Type::kInt},
    {"orig_balance_before", Field::kOrigBalanceBefore, Type::kMoney},
    {"orig_balance_after", Field::kOrigBalanceAfter, Type::kMoney},
    {"dest_balance_before", Field::kDestBalanceBefore, Type::kMoney},
    {"dest_balance_after", Field::kDestBalanceAfter, Type::kMoney},
    {"has_balances", Field::kHasBalances, Type::kBool},
    {"home_province", Field::kHomeProvince, Type::kString},
    {"home_location", Field::kHomeLocation, Type::kLocation},
    {"merchant_risk", Field::kMerchantRisk, Type::kInt},
};

bool numeric(Type t) { return t == Type::kInt || t == Type::kNumber; }
// Types whose values are int64 in Reg::i and compare as integers.
bool integral(Type t) {
  return t == Type::kInt || t == Type::kMoney || t == Type::kDuration || t == Type::kTime ||
         t == Type::kBool;
}

Cmp cmp_of(std::string_view op) {
  if (op == "==") return Cmp::kEq;
  if (op == "!=") return Cmp::kNe;
  if (op == "<") return Cmp::kLt;
  if (op == "<=") return Cmp::kLe;
  if (op == ">") return Cmp::kGt;
  return Cmp::kGe;
}

// Fields at a fixed place in the transaction or the event load with one specialised
// instruction; the rest go through kField.
Insn load_insn(Field field, uint16_t dst) {
  using T = domain::Transaction;
  auto at = [&](Op op, uint16_t base, size_t offset) {
    return Insn{op, Cmp::kEq, dst, 0, base, static_cast<uint32_t>(offset)};
  };
  switch (field) {
    case Field::kTs:
      return at(Op::kLoadI64, 0, offsetof(T, event_ts));
    case Field::kAmount:
      return at(Op::kLoadI64, 1, offsetof(Event, amount));
    case Field::kLocalHour:
      return at(Op::kLoadI32, 1, offsetof(Event, local_hour));
    case Field::kWeekday:
      return at(Op::kLoadI32, 1, offsetof(Event, weekday));
    case Field::kHasLocation:
      return at(Op::kLoadBool, 1, offsetof(Event, has_location));
    case Field::kQuantity:
      return at(Op::kLoadI64, 0, offsetof(T, quantity));
    case Field::kChannel:
      return at(Op::kLoadStr, 0, offsetof(T, channel));
    case Field::kPaymentMethod:
      return at(Op::kLoadStr, 0, offsetof(T, payment_method));
    case Field::kCountry:
      return at(Op::kLoadStr, 0, offsetof(T, country));
    case Field::kProvince:
      return at(Op::kLoadStr, 0, offsetof(T, province));
    case Field::kCity:
      return at(Op::kLoadStr, 0, offsetof(T, city));
    case Field::kMerchantId:
      return at(Op::kLoadStr, 0, offsetof(T, merchant_id));
    case Field::kCounterpartyId:
      return at(Op::kLoadStr, 0, offsetof(T, counterparty_id));
    case Field::kDeviceId:
      return at(Op::kLoadStr, 0, offsetof(T, device_id));
    case Field::kProductId:
      return at(Op::kLoadStr, 0, offsetof(T, product_id));
    case Field::kUserId:
      return at(Op::kLoadStr, 0, offsetof(T, user_id));
    case Field::kTransactionId:
      return at(Op::kLoadStr, 0, offsetof(T, transaction_id));
    case Field::kHomeProvince:
      return at(Op::kLoadStr, 1, offsetof(Event, home_province));
    default:
      return Insn{Op::kField, Cmp::kEq, dst, 0, 0, static_cast<uint32_t>(field)};
  }
}

}  // namespace

const char* type_name(Type t) {
  switch (t) {
    case Type::kError:
      return "error";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "integer";
    case Type::kNumber:
      return "number";
    case Type::kMoney:
      return "money";
    case Type::kDuration:
      return "duration";
    case Type::kTime:
      return "time";
    case Type::kString:
      return "string";
    case Type::kLocation:
      return "location";
    case Type::kRecord:
      return "event record";
  }
  return "?";
}

bool lookup_field(std::string_view name, Field* field, Type* type) {
  for (const FieldInfo& f : kFields) {
    if (f.name == name) {
      *field = f.field;
      *type = f.type;
      return true;
    }
  }
  return false;
}

std::string known_fields() {
  std::string out;
  for (const FieldInfo& f : kFields) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

Compiler::Compiler(const CompileInput& input, Program* program, std::vector<CompileError>* errors)
    : in_(input), p_(program), errors_(errors) {}

void Compiler::error_at(int pos, std::string message) {
  if (!reported_.insert({source_ * 1'000'000 + pos, message}).second) return;
  errors_->push_back(CompileError{source_, pos, std::move(message)});
}

void Compiler::error(const Node& n, std::string message) { error_at(n.pos, std::move(message)); }

uint16_t Compiler::new_reg() {
  p_->constants.emplace_back();  // every register has an initial value; temporaries too
  return static_cast<uint16_t>(p_->constants.size() - 1);
}

uint16_t Compiler::constant(const Reg& value) {
  uint16_t r = new_reg();
  p_->constants[r] = value;
  return r;
}

Operand Compiler::int_constant(int64_t v, Type t) {
  std::string key = std::to_string(static_cast<int>(t)) + ":" + std::to_string(v);
  auto it = constant_ints_.find(key);
  if (it != constant_ints_.end()) return Operand{t, it->second, true};
  Reg r;
  r.i = v;
  r.null = false;
  uint16_t reg = constant(r);
  constant_ints_[key] = reg;
  return Operand{t, reg, true};
}

Operand Compiler::string_constant(const std::string& text) {
  // The register points into a string the Program owns on the heap, so moving the
  // Program keeps it valid.
  p_->strings.push_back(std::make_unique<std::string>(text));
  Reg r;
  r.s = p_->strings.back()->data();
  r.i = static_cast<int64_t>(p_->strings.back()->size());
  r.null = false;
  return Operand{Type::kString, constant(r), true};
}

void Compiler::emit(Insn insn) { code_->push_back(insn); }

Operand Compiler::to_number(Operand a) {
  if (a.type != Type::kInt) return a;
  if (a.constant) {
    Reg r = p_->constants[a.reg];
    r.d = static_cast<double>(r.i);
    return Operand{Type::kNumber, constant(r), true};
  }
  uint16_t dst = new_reg();
  emit(Insn{Op::kI2D, Cmp::kEq, dst, a.reg, 0, 0});
  return Operand{Type::kNumber, dst, false};
}

Operand Compiler::compile_stateless(const Node& n, const char* what) {
  std::vector<Insn>* saved = code_;
  const char* saved_what = stateless_what_;
  code_ = &prologue_;
  ++stateless_depth_;
  stateless_what_ = what;
  Operand out = compile(n);
  --stateless_depth_;
  stateless_what_ = saved_what;
  code_ = saved;
  return out;
}

Operand Compiler::literal(const Node& n) {
  Reg r;
  r.null = false;
  switch (n.kind) {
    case NodeKind::kInt:
      return int_constant(n.i);
    case NodeKind::kNumber:
      r.d = n.d;
      return Operand{Type::kNumber, constant(r), true};
    case NodeKind::kDuration:
      return int_constant(n.i, Type::kDuration);
    case NodeKind::kBool:
      return int_constant(n.i, Type::kBool);
    case NodeKind::kString: {
      return string_constant(n.text);
    }
    case NodeKind::kMoney: {
      auto currency = Currency::from_code(n.text);
      if (!currency.ok()) {
        error(n, "unknown currency '" + n.text + "'");
        return Operand{};
      }
      auto minor = parse_minor_units(n.money_text, currency->exponent());
      if (!minor.ok()) {
        error(n, "bad amount '" + n.money_text + "': " + minor.error().message);
        return Operand{};
      }
      int64_t base = *minor;
      if (!(*currency == in_.base_currency)) {
        auto converted = in_.to_base ? in_.to_base(Money{*minor, *currency})
                                     : Result<int64_t>(make_error(Errc::kConfig, "no FX"));
        if (!converted.ok()) {
          error(n, "no rate for " + n.text + " in [fx]: amounts are compared in " +
                       std::string(in_.base_currency.code()));
          return Operand{};
        }
        base = *converted;
      }
      return int_constant(base, Type::kMoney);
    }
    default:
      break;
  }
  return Operand{};
}

Operand Compiler::compile(const Node& n) {
  switch (n.kind) {
    case NodeKind::kInt:
    case NodeKind::kNumber:
    case NodeKind::kDuration:
    case NodeKind::kBool:
    case NodeKind::kString:
    case NodeKind::kMoney:
      return literal(n);
    case NodeKind::kName:
      return name(n);
    case NodeKind::kList:
      error(n, "a list is only allowed after 'in'");
      return Operand{};
    case NodeKind::kUnary:
      return unary(n);
    case NodeKind::kBinary:
      return binary(n);
    case NodeKind::kCall:
      return call(n);
    case NodeKind::kMember:
      return member(n);
  }
  return Operand{};
}

int Compiler::feature_source(const std::string& name) const {
  for (const auto& [fname, src] : in_.features) {
    if (fname == name) return src;
  }
  return -1;
}

Operand Compiler::name(const Node& n) {
  if (n.text == "home_country") return string_constant(in_.home_country);
  std::string amount_alias = "amount_" + std::string(in_.base_currency.code());
  std::transform(amount_alias.begin(), amount_alias.end(), amount_alias.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  Field field;
  Type type;
  if (lookup_field(n.text == amount_alias ? "amount" : n.text, &field, &type)) {
    auto [it, added] = field_regs_.try_emplace(static_cast<int>(field), 0);
    if (added) {
      it->second = new_reg();
      loads_.push_back(load_insn(field, it->second));
    }
    return Operand{type, it->second, false};
  }
  int src = feature_source(n.text);
  if (src < 0) {
    error(n, "unknown field or feature '" + n.text + "' (fields: " + known_fields() + ", " +
                 amount_alias + ", home_country; or a name from [features])");
    return Operand{};
  }
  if (std::find(expanding_.begin(), expanding_.end(), n.text) != expanding_.end()) {
    error(n, "feature '" + n.text + "' refers to itself");
    return Operand{};
  }
  auto it = feature_trees_.find(n.text);
  if (it == feature_trees_.end() || !it->second) return Operand{};  // its error is reported
  int saved_source = source_;
  source_ = src;
  used_.insert(n.text);
  expanding_.push_back(n.text);
  Operand out = compile(*it->second);
  expanding_.pop_back();
  source_ = saved_source;
  return out;
}

Operand Compiler::unary(const Node& n) {
  Operand a = compile(*n.kids[0]);
  if (a.type == Type::kError) return a;
  uint16_t dst = new_reg();
  if (n.text == "not") {
    if (a.type != Type::kBool) {
      error(n, std::string("'not' needs a bool, got ") + type_name(a.type));
      return Operand{};
    }
    emit(Insn{Op::kNot, Cmp::kEq, dst, a.reg, 0, 0});
    return Operand{Type::kBool, dst, false};
  }
  if (a.type == Type::kNumber) {
    emit(Insn{Op::kNegD, Cmp::kEq, dst, a.reg, 0, 0});
  } else if (a.type == Type::kInt || a.type == Type::kMoney || a.type == Type::kDuration) {
    emit(Insn{Op::kNegI, Cmp::kEq, dst, a.reg, 0, 0});
  } else {
    error(n, std::string("cannot negate a ") + type_name(a.type));
    return Operand{};
  }
  return Operand{a.type, dst, false};
}

Operand Compiler::binary(const Node& n) {
  const std::string& op = n.text;
  if (op == "and" || op == "or") return logic(n);
  if (op == "in" || op == "not in") return membership(n);
  Operand a = compile(*n.kids[0]);
  Operand b = compile(*n.kids[1]);
  if (a.type == Type::kError || b.type == Type::kError) return Operand{};
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    return comparison(n, a, b);
  }
  return arith(n, a, b);
}

Operand Compiler::arith(const Node& n, Operand a, Operand b) {
  const std::string& op = n.text;
  Type ta = a.type;
  Type tb = b.type;
  auto out = [&](Op code, Type t, uint16_t ra, uint16_t rb) {
    uint16_t dst = new_reg();
    emit(Insn{code, Cmp::kEq, dst, ra, rb, 0});
    return Operand{t, dst, false};
  };
  auto bad = [&]() {
    error(n,
          std::string("cannot apply '") + op + "' to " + type_name(ta) + " and " + type_name(tb));
    return Operand{};
  };
  if (ta == Type::kInt && tb == Type::kInt) {
    if (op == "+") return out(Op::kAddI, Type::kInt, a.reg, b.reg);
    if (op == "-") return out(Op::kSubI, Type::kInt, a.reg, b.reg);
    if (op == "*") return out(Op::kMulI, Type::kInt, a.reg, b.reg);
    if (op == "%") return out(Op::kModI, Type::kInt, a.reg, b.reg);
    return out(Op::kDivD, Type::kNumber, to_number(a).reg, to_number(b).reg);
  }
  if (numeric(ta) && numeric(tb)) {
    uint16_t ra = to_number(a).reg;
    uint16_t rb = to_number(b).reg;
    if (op == "+") return out(Op::kAddD, Type::kNumber, ra, rb);
    if (op == "-") return out(Op::kSubD, Type::kNumber, ra, rb);
    if (op == "*") return out(Op::kMulD, Type::kNumber, ra, rb);
    if (op == "%") return out(Op::kModD, Type::kNumber, ra, rb);
    return out(Op::kDivD, Type::kNumber, ra, rb);
  }
  // Money and durations: same-kind sums, scaling by a number, ratios.
  for (Type q : {Type::kMoney, Type::kDuration}) {
    if (ta == q && tb == q) {
      if (op == "+") return out(Op::kAddI, q, a.reg, b.reg);
      if (op == "-") return out(Op::kSubI, q, a.reg, b.reg);
      if (op == "%") return out(Op::kModI, q, a.reg, b.reg);
      if (op == "/") return out(Op::kDivMoneyMoney, Type::kNumber, a.reg, b.reg);
      return bad();
    }
    if (ta == q && numeric(tb)) {
      if (op == "*") return out(Op::kMulMoney, q, a.reg, to_number(b).reg);
      if (op == "/") return out(Op::kDivMoney, q, a.reg, to_number(b).reg);
      break;  // `amount + 5`: the money hint below
    }
    if (numeric(ta) && tb == q && op == "*") {
      return out(Op::kMulMoney, q, b.reg, to_number(a).reg);
    }
  }
  if (ta == Type::kTime && tb == Type::kTime && op == "-") {
    return out(Op::kSubI, Type::kDuration, a.reg, b.reg);
  }
  if (ta == Type::kTime && tb == Type::kDuration && (op == "+" || op == "-")) {
    return out(op == "+" ? Op::kAddI : Op::kSubI, Type::kTime, a.reg, b.reg);
  }
  if ((ta == Type::kMoney && numeric(tb)) || (numeric(ta) && tb == Type::kMoney)) {
    error(n, std::string("cannot apply '") + op +
                 "' to money and a plain number: write the amount with its currency, like " +
                 std::string(in_.base_currency.code()) + " 1000");
    return Operand{};
  }
  return bad();
}

Operand Compiler::comparison(const Node& n, Operand a, Operand b) {
  const Cmp cmp = cmp_of(n.text);
  uint16_t dst = new_reg();
  Type ta = a.type;
  Type tb = b.type;
  if (ta == Type::kInt && tb == Type::kInt) check_count_capacity(n, a, b, cmp);
  if (numeric(ta) && numeric(tb)) {
    // distance_km(a, b) > constant: one instruction that skips the trigonometry when a
    // cheap bound decides (most events are near the previous one or very far from it).
    if (cmp == Cmp::kGt && b.constant && !code_->empty() && code_->back().op == Op::kDistance &&
        code_->back().dst == a.reg) {
      Insn& last = code_->back();
      last.op = Op::kFartherThan;
      last.aux = to_number(b).reg;
      last.dst = dst;
      return Operand{Type::kBool, dst, false};
    }
    if (ta == Type::kInt && tb == Type::kInt) {
      emit(Insn{Op::kCmpI, cmp, dst, a.reg, b.reg, 0});
    } else {
      emit(Insn{Op::kCmpD, cmp, dst, to_number(a).reg, to_number(b).reg, 0});
    }
    return Operand{Type::kBool, dst, false};
  }
  if (ta == tb && integral(ta)) {
    if (ta == Type::kBool && cmp != Cmp::kEq && cmp != Cmp::kNe) {
      error(n, "bools compare only with == and !=");
      return Operand{};
    }
    emit(Insn{Op::kCmpI, cmp, dst, a.reg, b.reg, 0});
    return Operand{Type::kBool, dst, false};
  }
  if (ta == Type::kString && tb == Type::kString) {
    if (cmp != Cmp::kEq && cmp != Cmp::kNe) {
      error(n, "strings compare only with == and !=");
      return Operand{};
    }
    emit(Insn{cmp == Cmp::kEq ? Op::kEqS : Op::kNeS, Cmp::kEq, dst, a.reg, b.reg, 0});
    return Operand{Type::kBool, dst, false};
  }
  if ((ta == Type::kMoney && numeric(tb)) || (numeric(ta) && tb == Type::kMoney)) {
    error(n,
          "cannot compare money with a plain number: write the amount with its currency, "
          "like " +
              std::string(in_.base_currency.code()) + " 50000");
    return Operand{};
  }
  if ((ta == Type::kDuration && numeric(tb)) || (numeric(ta) && tb == Type::kDuration)) {
    error(n, "cannot compare a duration with a plain number: write it with a unit, like 10m");
    return Operand{};
  }
  error(n, std::string("cannot compare ") + type_name(ta) + " with " + type_name(tb));
  return Operand{};
}

// A window keeps at most window_events times per key, so a count saturates at that
// many plus the current event: `count(...) > K` with K that high could never fire.
void Compiler::check_count_capacity(const Node& n, const Operand& a, const Operand& b, Cmp cmp) {
  if (!b.constant || a.constant) return;
  const Feature* f = nullptr;
  for (const Feature& feature : p_->features) {
    if (feature.reg == a.reg && feature.kind == FeatureKind::kCount) f = &feature;
  }
  if (f == nullptr) return;
  const int64_t most = in_.window_events + (f->prior ? 0 : 1);
  const int64_t k = p_->constants[b.reg].i;
  const bool never = (cmp == Cmp::kGt && k >= most) || (cmp == Cmp::kGe && k > most) ||
                     (cmp == Cmp::kEq && k > most);
  if (never) {
    error(n, "this count can never be reached: a window keeps at most " +
                 std::to_string(in_.window_events) +
                 " events per key; raise [state] window_events (up to 255)");
  }
}

Operand Compiler::logic(const Node& n) {
  const bool is_and = n.text == "and";
  Operand a = compile(*n.kids[0]);
  uint16_t dst = new_reg();
  size_t jump = code_->size();
  emit(Insn{is_and ? Op::kJumpIfFalse : Op::kJumpIfTrue, Cmp::kEq, dst, a.reg, 0, 0});
  Operand b = compile(*n.kids[1]);
  emit(Insn{is_and ? Op::kAnd : Op::kOr, Cmp::kEq, dst, a.reg, b.reg, 0});
  (*code_)[jump].aux = static_cast<uint32_t>(code_->size());
  if (a.type == Type::kError || b.type == Type::kError) return Operand{};
  for (const Operand* o : {&a, &b}) {
    if (o->type != Type::kBool) {
      error(o == &a ? *n.kids[0] : *n.kids[1],
            "'" + n.text + "' needs bools, got " + std::string(type_name(o->type)));
      return Operand{};
    }
  }
  return Operand{Type::kBool, dst, false};
}

Operand Compiler::membership(const Node& n) {
  Operand a = compile(*n.kids[0]);
  const Node& list = *n.kids[1];
  if (a.type == Type::kError) return a;
  uint16_t dst = new_reg();
  Op op;
  uint32_t index = 0;
  if (a.type == Type::kString) {
    StringList items;
    for (const auto& item : list.kids) {
      if (item->kind != NodeKind::kString) {
        error(*item, "a list of strings may hold only string literals");
        return Operand{};
      }
      items.items.push_back(item->text);
    }
    op = Op::kInS;
    index = static_cast<uint32_t>(p_->string_lists.size());
    p_->string_lists.push_back(std::move(items));
  } else if (integral(a.type) || a.type == Type::kNumber) {
    if (a.type == Type::kInt) {
      for (const auto& item : list.kids) {
        const Node* lit = item->kind == NodeKind::kUnary && !item->kids.empty()
                              ? item->kids[0].get()
                              : item.get();
        if (lit->kind == NodeKind::kNumber) {
          a = to_number(a);  // compare as numbers
          break;
        }
      }
    }
    std::vector<int64_t> ints;
    std::vector<double> numbers;
    for (const auto& kid : list.kids) {
      // A negative literal is a unary minus over one: fold it.
      const Node* item = kid.get();
      bool negative = false;
      if (item->kind == NodeKind::kUnary && item->text == "-" && !item->kids.empty()) {
        negative = true;
        item = item->kids[0].get();
      }
      if (item->kind == NodeKind::kString || item->kind == NodeKind::kList ||
          item->kind == NodeKind::kName || item->kind == NodeKind::kCall ||
          item->kind == NodeKind::kBinary || item->kind == NodeKind::kUnary ||
          item->kind == NodeKind::kMember) {
        error(*item, "list items must be literals");
        return Operand{};
      }
      Operand v = literal(*item);
      if (negative && v.type != Type::kError) {
        Reg r = p_->constants[v.reg];
        if (v.type == Type::kNumber) {
          r.d = -r.d;
        } else {
          r.i = -r.i;
        }
        v = Operand{v.type, constant(r), true};
      }
      if (v.type == Type::kError) return Operand{};
      bool fits = v.type == a.type || (numeric(v.type) && numeric(a.type));
      if (!fits) {
        error(*item, std::string("list item is a ") + type_name(v.type) + ", the value a " +
                         type_name(a.type));
        return Operand{};
      }
      ints.push_back(p_->constants[v.reg].i);
      numbers.push_back(v.type == Type::kInt ? static_cast<double>(p_->constants[v.reg].i)
                                             : p_->constants[v.reg].d);
    }
    if (a.type == Type::kNumber) {
      op = Op::kInD;
      index = static_cast<uint32_t>(p_->number_lists.size());
      p_->number_lists.push_back(std::move(numbers));
    } else {
      op = Op::kInI;
      index = static_cast<uint32_t>(p_->int_lists.size());
      p_->int_lists.push_back(std::move(ints));
    }
  } else {
    error(n, std::string("'in' does not apply to a ") + type_name(a.type));
    return Operand{};
  }
  emit(Insn{op, Cmp::kEq, dst, a.reg, 0, index});
  if (n.text == "not in") emit(Insn{Op::kNot, Cmp::kEq, dst, dst, 0, 0});
  return Operand{Type::kBool, dst, false};
}

}  // namespace wf::rules::internal
