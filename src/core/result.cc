#include "core/result.h"

namespace wf {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::kOk:
      return "OK";
    case Errc::kMalformedJson:
      return "MALFORMED_JSON";
    case Errc::kMissingField:
      return "MISSING_FIELD";
    case Errc::kBadTimestamp:
      return "BAD_TIMESTAMP";
    case Errc::kBadAmount:
      return "BAD_AMOUNT";
    case Errc::kUnknownCurrency:
      return "UNKNOWN_CURRENCY";
    case Errc::kBadType:
      return "BAD_TYPE";
    case Errc::kOversized:
      return "OVERSIZED";
    case Errc::kDuplicate:
      return "DUPLICATE";
    case Errc::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Errc::kIo:
      return "IO";
    case Errc::kStore:
      return "STORE";
    case Errc::kConfig:
      return "CONFIG";
    case Errc::kNotFound:
      return "NOT_FOUND";
    case Errc::kConflict:
      return "CONFLICT";
    case Errc::kFailed:
      return "FAILED";
    case Errc::kCrypto:
      return "CRYPTO";
  }
  return "UNKNOWN";
}

}  // namespace wf
