// Reason texts: each fired rule's template with its values, "R003: 231 km from Cebu
// City in 6 min". Runs only for events where a rule fired, before the fold, so the
// values are the ones the decision saw.
#include <cinttypes>
#include <cstdio>

#include "core/money.h"
#include "rules/engine.h"
#include "rules/program.h"

namespace wf::rules {
namespace {

using internal::Reg;
using internal::Type;

void append_number(double v, std::string* out) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string_view s(buf);
  if (s.find('.') != std::string_view::npos) {
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  out->append(s);
}

void append_duration(int64_t us, std::string* out) {
  char buf[64];
  int64_t a = us < 0 ? -us : us;
  const char* sign = us < 0 ? "-" : "";
  constexpr int64_t kS = 1'000'000, kMin = 60 * kS, kH = 60 * kMin, kD = 24 * kH;
  if (a < kS) {
    std::snprintf(buf, sizeof buf, "%s%" PRId64 " ms", sign, a / 1000);
  } else if (a < kMin) {
    std::snprintf(buf, sizeof buf, "%s%" PRId64 " s", sign, a / kS);
  } else if (a < kH) {
    int64_t s = a % kMin / kS;
    if (s == 0) {
      std::snprintf(buf, sizeof buf, "%s%" PRId64 " min", sign, a / kMin);
    } else {
      std::snprintf(buf, sizeof buf, "%s%" PRId64 " min %" PRId64 " s", sign, a / kMin, s);
    }
  } else if (a < kD) {
    std::snprintf(buf, sizeof buf, "%s%" PRId64 " h %" PRId64 " min", sign, a / kH, a % kH / kMin);
  } else {
    std::snprintf(buf, sizeof buf, "%s%" PRId64 " d %" PRId64 " h", sign, a / kD, a % kD / kH);
  }
  out->append(buf);
}

void append_value(const Reg& r, Type t, Currency base, std::string* out) {
  if (r.null) {
    out->append("n/a");
    return;
  }
  switch (t) {
    case Type::kBool:
      out->append(r.i ? "true" : "false");
      return;
    case Type::kInt:
      out->append(std::to_string(r.i));
      return;
    case Type::kNumber:
      append_number(r.d, out);
      return;
    case Type::kMoney:
      out->append(base.code()).append(" ").append(format_minor_units(r.i, base.exponent()));
      return;
    case Type::kDuration:
      append_duration(r.i, out);
      return;
    case Type::kTime:
      out->append(format_utc(r.i));
      return;
    case Type::kString:
      out->append(r.s, static_cast<size_t>(r.i));
      return;
    case Type::kLocation: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.4f,%.4f", r.d, r.d2);
      out->append(buf);
      return;
    }
    default:
      return;
  }
}

}  // namespace

void Engine::format_reasons(uint64_t fired, std::string* out) {
  out->clear();
  const std::vector<Rule>& rules = pack_->rules();
  for (uint64_t m = fired; m != 0; m &= m - 1) {
    const size_t i = static_cast<size_t>(__builtin_ctzll(m));
    const internal::RuleCode& rc = prog_->rules[i];
    if (!out->empty()) out->append("; ");
    out->append(rules[i].id).append(": ");
    if (rc.reason.empty()) {
      out->append(rules[i].name);
      continue;
    }
    run(rc.reason_begin, rc.reason_end);
    for (const internal::ReasonPiece& piece : rc.reason) {
      if (piece.reg < 0) {
        out->append(piece.literal);
      } else {
        append_value(regs_[static_cast<size_t>(piece.reg)], piece.type, pack_->base_currency(),
                     out);
      }
    }
  }
}

}  // namespace wf::rules
