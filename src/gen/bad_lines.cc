// Malformed lines for the pipeline's dead-letter path: an ordinary-looking event with
// exactly one defect, so that each line maps to one dead-letter code. They change no
// user state (the pipeline never scores them) and never contain a newline.
#include "core/uuid.h"
#include "gen/stream_impl_internal.h"

namespace wf::gen {
namespace {

struct BadKind {
  Errc code;
  double weight;
  int variants;
};
// Oversized lines are 70 KB each, so they are rarer than the rest.
constexpr BadKind kBadKinds[] = {
    {Errc::kMalformedJson, 3, 2},
    {Errc::kMissingField, 3, internal::kMissingFieldVariants},
    {Errc::kBadTimestamp, 3, internal::kBadTimestampVariants},
    {Errc::kBadAmount, 3, internal::kBadAmountVariants},
    {Errc::kUnknownCurrency, 2, internal::kUnknownCurrencyVariants},
    {Errc::kBadType, 2, internal::kBadTypeVariants},
    {Errc::kOversized, 1, 1},
};
constexpr std::string_view kNotJson[] = {
    "not json",
    "HTTP/1.1 502 Bad Gateway",
    "<html><head><title>503 Service Unavailable</title></head></html>",
    "txn=4412;amount=150.00;currency=PHP",
};

}  // namespace

void StreamGenerator::Impl::emit_bad(Instant t, std::string* out) {
  double total = 0;
  for (const BadKind& k : kBadKinds) total += k.weight;
  double x = rng_.uniform() * total;
  const BadKind* kind = &kBadKinds[0];
  for (const BadKind& k : kBadKinds) {
    kind = &k;
    if (x < k.weight) break;
    x -= k.weight;
  }
  const internal::Defect defect{kind->code, static_cast<int>(rng_.below(kind->variants))};
  internal::EventSpec e;
  draw_ordinary(pool_[rng_.below(pool_.size())], t, &e);
  if (defect.code == Errc::kBadAmount) e.fx = &internal::fx_for("PHP");
  format_uuid_v7(t, rng_, uuid_);
  if (defect.code == Errc::kMalformedJson) {
    if (defect.variant == 0) {
      out->append(kNotJson[rng_.below(std::size(kNotJson))]);
    } else {
      // A truncated object (a writer that died mid-line), cut after an ASCII byte so the
      // line is broken JSON but valid UTF-8.
      scratch_.clear();
      writer_.write(e, uuid_, internal::Defect{}, &scratch_);
      size_t cut = 1 + rng_.below(scratch_.size() - 2);
      while (cut > 1 && static_cast<unsigned char>(scratch_[cut - 1]) >= 0x80) --cut;
      out->append(scratch_, 0, cut);
    }
  } else {
    writer_.write(e, uuid_, defect, out);
  }
  out->push_back('\n');
  ++bad_.by_code[static_cast<size_t>(defect.code)];
  ++bad_.total;
}

}  // namespace wf::gen
