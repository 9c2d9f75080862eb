// The Engine's interpreter loop: register bytecode, one switch per instruction. Features
// and the fold are in engine_state.cc, reason formatting in engine_reasons.cc.
#include "rules/engine.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "rules/program.h"

namespace wf::rules {
namespace {

using internal::Cmp;
using internal::Field;
using internal::Insn;
using internal::Op;
using internal::Reg;

constexpr double kEarthRadiusKm = 6371.0088;  // mean radius (IUGG)
constexpr double kRadians = 3.14159265358979323846 / 180.0;

// distance_km(...) > max_km, skipping the trigonometry when a cheap bound decides: on a
// sphere R*|dlat| <= d (latitude changes no faster than distance) and
// d <= R*(|dlat| + |dlon|) (along the parallel, then the meridian). Nearly all events
// are near the previous one or very far from it.
bool farther_than(double lat1, double lon1, double lat2, double lon2, double max_km) {
  constexpr double kKmPerDegree = kEarthRadiusKm * kRadians;
  const double dlat = std::abs(lat2 - lat1);
  double dlon = std::abs(lon2 - lon1);
  if (dlon > 180) dlon = 360 - dlon;
  if (dlat * kKmPerDegree > max_km) return true;
  if ((dlat + dlon) * kKmPerDegree <= max_km) return false;
  return distance_km(lat1, lon1, lat2, lon2) > max_km;
}

template <typename T>
bool compare(T a, T b, Cmp c) {
  switch (c) {
    case Cmp::kEq:
      return a == b;
    case Cmp::kNe:
      return a != b;
    case Cmp::kLt:
      return a < b;
    case Cmp::kLe:
      return a <= b;
    case Cmp::kGt:
      return a > b;
    case Cmp::kGe:
      return a >= b;
  }
  return false;
}

// Integer arithmetic wraps instead of trapping: rules see untrusted amounts.
int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrap_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
int64_t to_int(double v) {
  if (!(v > -9.2e18 && v < 9.2e18)) return v > 0 ? INT64_MAX : (v < 0 ? INT64_MIN : 0);
  return static_cast<int64_t>(std::llround(v));
}

void set_string(Reg& r, std::string_view s) {
  r.s = s.data();
  r.i = static_cast<int64_t>(s.size());
  r.null = s.empty();
}

// The fields that are not a plain load from the transaction or the event (those compile
// to kLoad* instructions, see load_insn in compiler.cc): names derived from enums,
// locations, and values that are missing unless the event has them.
void load_field(const Event& e, Field f, Reg& r) {
  const domain::Transaction& tx = *e.tx;
  r.null = false;
  switch (f) {
    case Field::kCurrency:
      return set_string(r, tx.amount.currency.code());
    case Field::kType:
      return set_string(r, domain::tx_type_name(tx.type));
    case Field::kStatus:
      return set_string(r, domain::tx_status_name(tx.status));
    case Field::kLocation:
      r.d = tx.lat;
      r.d2 = tx.lon;
      r.null = !e.has_location;
      return;
    case Field::kHomeLocation:
      r.null = e.user >= e.homes.size() || std::isnan(e.homes[e.user].lat);
      if (!r.null) {
        r.d = e.homes[e.user].lat;
        r.d2 = e.homes[e.user].lon;
      }
      return;
    case Field::kMerchantRisk: {
      const int risk = e.merchant_risks ? e.merchant_risks->find(tx.merchant_id) : -1;
      r.i = risk;
      r.null = risk < 0;
      return;
    }
    case Field::kLat:  // as sent, also when out of range: valid_geo(lat, lon) checks
      r.d = tx.lat;
      r.null = !tx.has_location;
      return;
    case Field::kLon:
      r.d = tx.lon;
      r.null = !tx.has_location;
      return;
    case Field::kOrigBalanceBefore:
    case Field::kOrigBalanceAfter:
    case Field::kDestBalanceBefore:
    case Field::kDestBalanceAfter:
      r.i = e.balances[static_cast<int>(f) - static_cast<int>(Field::kOrigBalanceBefore)];
      r.null = !tx.has_balances;
      return;
    case Field::kHasBalances:
      r.i = tx.has_balances;
      return;
    default:  // loaded by kLoad* instead; never compiled to kField
      r.null = true;
      return;
  }
}

}  // namespace

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  const double sin_dlat = std::sin((lat2 - lat1) * kRadians / 2);
  const double sin_dlon = std::sin((lon2 - lon1) * kRadians / 2);
  double a = sin_dlat * sin_dlat +
             std::cos(lat1 * kRadians) * std::cos(lat2 * kRadians) * sin_dlon * sin_dlon;
  a = a < 0 ? 0 : (a > 1 ? 1 : a);
  return 2 * kEarthRadiusKm * std::asin(std::sqrt(a));
}

// Threaded dispatch: each instruction ends by jumping straight to the next one's
// handler (computed goto), so the branch predictor learns per-instruction successors.
void Engine::run(uint32_t begin, uint32_t end) {
  if (begin >= end) return;
  static const void* const kHandlers[] = {
#define WF_RULE_OP_LABEL(name) &&op_##name,
      WF_RULE_OPS(WF_RULE_OP_LABEL)
#undef WF_RULE_OP_LABEL
  };
  const Insn* const code = prog_->code.data();
  const Insn* const stop = code + end;
  Reg* const r = regs_.data();
  const Insn* in = code + begin;
  const char* const bases[2] = {reinterpret_cast<const char*>(ev_->tx),
                                reinterpret_cast<const char*>(ev_)};
#define WF_NEXT()                                 \
  do {                                            \
    if (++in == stop) return;                     \
    goto* kHandlers[static_cast<size_t>(in->op)]; \
  } while (0)
#define WF_JUMP(target)                           \
  do {                                            \
    in = code + (target);                         \
    if (in == stop) return;                       \
    goto* kHandlers[static_cast<size_t>(in->op)]; \
  } while (0)
#define D r[in->dst]
#define A r[in->a]
#define B r[in->b]
#define WF_BIN(OP, EXPR)      \
  op_##OP : {                 \
    Reg& d = D;               \
    const Reg& a = A;         \
    const Reg& b = B;         \
    d.null = a.null | b.null; \
    EXPR;                     \
  }                           \
  WF_NEXT();
#define WF_UN(OP, EXPR) \
  op_##OP : {           \
    Reg& d = D;         \
    const Reg& a = A;   \
    d.null = a.null;    \
    EXPR;               \
  }                     \
  WF_NEXT();

  goto* kHandlers[static_cast<size_t>(in->op)];

op_kField:
  load_field(*ev_, static_cast<Field>(in->aux), D);
  WF_NEXT();
op_kMove:
  D = A;
  WF_NEXT();
  WF_BIN(kAddI, d.i = wrap_add(a.i, b.i))
  WF_BIN(kSubI, d.i = wrap_sub(a.i, b.i))
  WF_BIN(kMulI, d.i = wrap_mul(a.i, b.i))
  WF_BIN(kModI, d.null |= b.i == 0; d.i = (d.null || b.i == -1) ? 0 : a.i % b.i)
  WF_BIN(kAddD, d.d = a.d + b.d)
  WF_BIN(kSubD, d.d = a.d - b.d)
  WF_BIN(kMulD, d.d = a.d * b.d)
  WF_BIN(kDivD, d.null |= b.d == 0; d.d = d.null ? 0 : a.d / b.d)
  WF_BIN(kModD, d.null |= b.d == 0; d.d = d.null ? 0 : std::fmod(a.d, b.d))
  WF_BIN(kMinI, d.i = a.i < b.i ? a.i : b.i)
  WF_BIN(kMaxI, d.i = a.i > b.i ? a.i : b.i)
  WF_BIN(kMinD, d.d = a.d < b.d ? a.d : b.d)
  WF_BIN(kMaxD, d.d = a.d > b.d ? a.d : b.d)
  WF_BIN(kMulMoney, d.i = to_int(static_cast<double>(a.i) * b.d))
  WF_BIN(kDivMoney, d.null |= b.d == 0; d.i = d.null ? 0 : to_int(static_cast<double>(a.i) / b.d))
  WF_BIN(kDivMoneyMoney, d.null |= b.i == 0;
         d.d = d.null ? 0 : static_cast<double>(a.i) / static_cast<double>(b.i))
  WF_BIN(kCmpI, d.i = compare(a.i, b.i, in->cmp))
  WF_BIN(kCmpD, d.i = compare(a.d, b.d, in->cmp))
  // A missing string's bytes are not there (its s and length may be stale or null):
  // compare only present strings, and only when they have bytes.
  WF_BIN(kEqS, d.i = !d.null && a.i == b.i &&
                     (a.i == 0 || std::memcmp(a.s, b.s, static_cast<size_t>(a.i)) == 0))
  WF_BIN(kNeS,
         d.i = !d.null &&
               !(a.i == b.i && (a.i == 0 || std::memcmp(a.s, b.s, static_cast<size_t>(a.i)) == 0)))
  WF_BIN(kIsRound, d.null |= b.i == 0; d.i = d.null ? 0 : a.i % b.i == 0)
  WF_BIN(kDistance, d.d = distance_km(a.d, a.d2, b.d, b.d2))
  WF_BIN(kMakeLocation, d.d2 = b.d; d.d = a.d)
  WF_BIN(kValidGeo, d.i = a.d >= -90 && a.d <= 90 && b.d >= -180 && b.d <= 180)
  WF_BIN(kFartherThan, d.i = !d.null && farther_than(a.d, a.d2, b.d, b.d2, r[in->aux].d))
  WF_UN(kI2D, d.d = static_cast<double>(a.i))
  WF_UN(kNegI, d.i = wrap_sub(0, a.i))
  WF_UN(kNegD, d.d = -a.d)
  WF_UN(kAbsI, d.i = a.i < 0 ? wrap_sub(0, a.i) : a.i)
  WF_UN(kAbsD, d.d = std::abs(a.d))
  WF_UN(kRound, d.i = to_int(a.d))
  WF_UN(kDaysSince, d.d = static_cast<double>(wrap_sub(ev_->tx->event_ts, a.i)) / 86'400'000'000.0)
  WF_UN(kNot, d.i = !a.i)
op_kCmpIJump : {
  const Reg& a = A;
  const Reg& b = B;
  if ((a.null | b.null) || !compare(a.i, b.i, in->cmp)) WF_JUMP(in->aux);
  WF_NEXT();
}
op_kCmpDJump : {
  const Reg& a = A;
  const Reg& b = B;
  if ((a.null | b.null) || !compare(a.d, b.d, in->cmp)) WF_JUMP(in->aux);
  WF_NEXT();
}
op_kExists:
  D.i = !A.null;
  D.null = false;
  WF_NEXT();
op_kCoalesce:
  D = A.null ? B : A;
  WF_NEXT();
op_kInS : {
  Reg& d = D;
  const Reg& a = A;
  bool hit = false;
  for (const std::string& s : prog_->string_lists[in->aux].items) {
    if (!a.null && s.size() == static_cast<size_t>(a.i) &&
        std::memcmp(s.data(), a.s, s.size()) == 0) {
      hit = true;
      break;
    }
  }
  d.null = a.null;
  d.i = hit;
  WF_NEXT();
}
op_kInI : {
  Reg& d = D;
  const Reg& a = A;
  bool hit = false;
  for (int64_t v : prog_->int_lists[in->aux]) hit |= v == a.i;
  d.null = a.null;
  d.i = hit;
  WF_NEXT();
}
op_kInD : {
  Reg& d = D;
  const Reg& a = A;
  bool hit = false;
  for (double v : prog_->number_lists[in->aux]) hit |= v == a.d;
  d.null = a.null;
  d.i = hit;
  WF_NEXT();
}
op_kAnd : {  // Kleene: false wins over missing
  Reg& d = D;
  const Reg& a = A;
  const Reg& b = B;
  if ((!a.null && !a.i) || (!b.null && !b.i)) {
    d.null = false;
    d.i = 0;
  } else {
    d.null = a.null | b.null;
    d.i = 1;
  }
  WF_NEXT();
}
op_kOr : {  // true wins over missing
  Reg& d = D;
  const Reg& a = A;
  const Reg& b = B;
  if ((!a.null && a.i) || (!b.null && b.i)) {
    d.null = false;
    d.i = 1;
  } else {
    d.null = a.null | b.null;
    d.i = 0;
  }
  WF_NEXT();
}
op_kJumpIfFalse:
  if (!A.null && !A.i) {
    D.null = false;
    D.i = 0;
    WF_JUMP(in->aux);
  }
  WF_NEXT();
op_kJumpIfTrue:
  if (!A.null && A.i) {
    D.null = false;
    D.i = 1;
    WF_JUMP(in->aux);
  }
  WF_NEXT();
op_kJumpUnlessTrue:
  if (A.null || !A.i) WF_JUMP(in->aux);
  WF_NEXT();
op_kFeature:
  if (!((computed_ >> in->aux) & 1)) {
    computed_ |= uint64_t{1} << in->aux;
    compute_feature(in->aux);
  }
  WF_NEXT();
op_kFire:
  if (!A.null && A.i) fired_ |= uint64_t{1} << in->aux;
  WF_NEXT();
op_kCmpIFire:
  if (!(A.null | B.null) && compare(A.i, B.i, in->cmp)) fired_ |= uint64_t{1} << in->aux;
  WF_NEXT();
op_kLoadI64 : {
  Reg& d = D;
  std::memcpy(&d.i, bases[in->b] + in->aux, sizeof d.i);
  d.null = false;
  WF_NEXT();
}
op_kLoadI32 : {
  Reg& d = D;
  int v;
  std::memcpy(&v, bases[in->b] + in->aux, sizeof v);
  d.i = v;
  d.null = false;
  WF_NEXT();
}
op_kLoadBool : {
  Reg& d = D;
  bool v;
  std::memcpy(&v, bases[in->b] + in->aux, sizeof v);
  d.i = v;
  d.null = false;
  WF_NEXT();
}
op_kLoadStr : {
  Reg& d = D;
  std::string_view v;
  std::memcpy(static_cast<void*>(&v), bases[in->b] + in->aux, sizeof v);
  d.s = v.data();
  d.i = static_cast<int64_t>(v.size());
  d.null = v.empty();
  WF_NEXT();
}
#undef WF_NEXT
#undef WF_JUMP
#undef D
#undef A
#undef B
#undef WF_BIN
#undef WF_UN
}

domain::Decision Engine::decide(std::string* reasons) {
  fired_ = 0;
  run(prog_->prologue_end, prog_->rules_end);
  domain::Decision decision;
  const std::vector<Rule>& rules = pack_->rules();
  int top = -1;
  int best = 0;
  for (uint64_t m = fired_; m != 0; m &= m - 1) {
    int i = __builtin_ctzll(m);
    if (top < 0 || rules[static_cast<size_t>(i)].score > best) {  // ties keep the earlier
      top = i;
      best = rules[static_cast<size_t>(i)].score;
    }
  }
  decision.score = best;
  decision.verdict = domain::verdict_for(best);
  decision.rules_fired = fired_;
  decision.top_rule = top;
  if (reasons != nullptr && fired_ != 0) format_reasons(fired_, reasons);
  return decision;
}

void Engine::model_outputs(std::span<double> out) {
  run(prog_->outputs_begin, prog_->outputs_end);
  const size_t n = std::min(out.size(), prog_->outputs.size());
  double unit = 1;
  for (int i = 0; i < pack_->base_currency().exponent(); ++i) unit *= 10;
  for (size_t i = 0; i < n; ++i) {
    const internal::OutputCode& o = prog_->outputs[i];
    const internal::Reg& r = regs_[o.reg];
    if (r.null) {
      out[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    switch (o.type) {
      case internal::Type::kNumber:
        out[i] = r.d;
        break;
      case internal::Type::kMoney:
        out[i] = static_cast<double>(r.i) / unit;
        break;
      case internal::Type::kDuration:
      case internal::Type::kTime:
        out[i] = static_cast<double>(r.i) / 1e6;
        break;
      default:  // bool, int
        out[i] = static_cast<double>(r.i);
    }
  }
}

domain::Decision Engine::evaluate(const Event& e, std::string* reasons,
                                  std::span<double> model_features) {
  prologue(e);
  domain::Decision decision = decide(reasons);
  if (!model_features.empty()) model_outputs(model_features);
  fold();
  return decision;
}

domain::Decision Engine::evaluate_only(const Event& e, std::string* reasons,
                                       std::span<double> model_features) {
  prologue(e);
  domain::Decision decision = decide(reasons);
  if (!model_features.empty()) model_outputs(model_features);
  return decision;
}

void Engine::observe(const Event& e, std::span<double> model_features) {
  prologue(e);
  if (!model_features.empty()) model_outputs(model_features);
  fold();
}

}  // namespace wf::rules
