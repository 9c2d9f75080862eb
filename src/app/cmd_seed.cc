// walletflow seed: writes a profile's dimension tables (users, merchants) to a store.
#include <cstdio>

#include "app/commands.h"
#include "app/common.h"
#include "app/dims.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow seed --store sqlite:PATH [--profile ph-ewallet] [options]\n"
    "\n"
    "Writes dim_users and dim_merchants: Filipino names, home provinces and cities with\n"
    "real coordinates, KYC levels, account status, last activity (some users dormant for\n"
    "more than 180 days); merchants with category, province, partner flag and risk score.\n"
    "Phone numbers are stored only as HMAC-SHA256 (needs the PII key).\n"
    "\n"
    "options:\n"
    "  --store URI          target store (required)\n"
    "  --profile NAME       ph-ewallet (default)\n"
    "  --users N            users to write (default 10000)\n"
    "  --merchants N        merchants to write (default 500)\n"
    "  --seed S             random seed (default 0)\n"
    "  --now TIME           reference time, RFC 3339 (default: today 00:00 UTC)\n"
    "  --pii-key-file FILE  PII key file; or set WALLETFLOW_PII_KEY\n";

}  // namespace

int cmd_seed(int argc, char** argv) {
  Args args(kUsage);
  args.option("store").option("profile").option("users").option("merchants").option("seed");
  args.option("now").option("pii-key-file");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  if (args.get_or("profile", "ph-ewallet") != "ph-ewallet") {
    return usage_error(args, "unknown profile '" + *args.get("profile") + "'");
  }
  auto options = seed_options_from(args, SystemClock().now());
  if (!options.ok()) return usage_error(args, options.error().message);
  auto pii = load_pii(args);
  if (!pii.ok()) return report(pii.error());
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  auto dims = seed_store(**store, *options, *pii);
  if (!dims.ok()) return report(dims.error());
  std::printf("seeded %zu users and %zu merchants\n", dims->users.size(), dims->merchants.size());
  return kExitOk;
}

}  // namespace wf::app
