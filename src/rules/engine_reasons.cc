// Reason texts: each fired rule's template with its values, "R003: 231 km from Cebu
// City in 6 min". Runs only for events where a rule fired, before the fold, so the
// values are the ones the decision saw.
#include <charconv>
#include <string_view>

#include "core/money.h"
#include "rules/engine.h"
#include "rules/program.h"

namespace wf::rules {
namespace {

using internal::Reg;
using internal::Type;

// Formatting without snprintf or temporary strings: reasons are built for every event
// that fires a rule, which is several percent of a stream.
void append_int(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

void append_number(double v, std::string* out) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  if (s.find('.') != std::string_view::npos) {
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  if (s == "-0") s = "0";
  out->append(s);
}

void append_money(int64_t minor, int exponent, std::string* out) {
  const bool negative = minor < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  uint64_t scale = 1;
  for (int k = 0; k < exponent; ++k) scale *= 10;
  if (negative) out->push_back('-');
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, magnitude / scale);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
  if (exponent > 0) {
    out->push_back('.');
    uint64_t frac = magnitude % scale;
    char digits[20];
    for (int k = exponent - 1; k >= 0; --k) {
      digits[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    out->append(digits, static_cast<size_t>(exponent));
  }
}

void append_duration(int64_t us, std::string* out) {
  uint64_t a = us < 0 ? 0 - static_cast<uint64_t>(us) : static_cast<uint64_t>(us);
  if (us < 0) out->push_back('-');
  constexpr uint64_t kS = 1'000'000, kMin = 60 * kS, kH = 60 * kMin, kD = 24 * kH;
  auto part = [&](uint64_t v, std::string_view unit) {
    append_int(static_cast<int64_t>(v), out);
    out->append(unit);
  };
  if (a < kS) {
    part(a / 1000, " ms");
  } else if (a < kMin) {
    part(a / kS, " s");
  } else if (a < kH) {
    part(a / kMin, " min");
    if (a % kMin / kS != 0) {
      out->push_back(' ');
      part(a % kMin / kS, " s");
    }
  } else if (a < kD) {
    part(a / kH, " h ");
    part(a % kH / kMin, " min");
  } else {
    part(a / kD, " d ");
    part(a % kD / kH, " h");
  }
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
      append_int(r.i, out);
      return;
    case Type::kNumber:
      append_number(r.d, out);
      return;
    case Type::kMoney:
      out->append(base.code()).push_back(' ');
      append_money(r.i, base.exponent(), out);
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
      auto p = std::to_chars(buf, buf + 30, r.d, std::chars_format::fixed, 4).ptr;
      *p++ = ',';
      p = std::to_chars(p, buf + sizeof buf, r.d2, std::chars_format::fixed, 4).ptr;
      out->append(buf, static_cast<size_t>(p - buf));
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
