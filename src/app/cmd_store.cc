// walletflow store maintain: routine upkeep of a store, for cron, systemd timers or any
// scheduler (PostgreSQL: month partitions ahead of the data, planner statistics).
#include <cstdio>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/common.h"
#include "core/json_writer.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow store maintain --store STORE [--months-ahead N] [--json]\n"
    "\n"
    "Applies pending migrations, creates the monthly partitions of fact_transactions for\n"
    "the current month and N months ahead (PostgreSQL) and refreshes planner statistics;\n"
    "on SQLite it checkpoints the WAL. Safe to run at any time, also while process runs.\n"
    "\n"
    "options:\n"
    "  --store STORE       sqlite:PATH or postgresql://...\n"
    "  --months-ahead N    partitions kept ready beyond the current month (default 3)\n"
    "  --json              print the result as JSON\n";

}  // namespace

int cmd_store(int argc, char** argv) {
  Args args(kUsage);
  args.option("store").option("months-ahead").option("json", true);
  std::string_view action = argc >= 3 ? argv[2] : "";
  if (action == "--help" || action == "-h") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (action != "maintain") return usage_error(args, "store needs the action 'maintain'");
  if (auto code = parse_or_exit(args, argc, argv, 3)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  auto ahead = args.get_int("months-ahead", 3, 0, 120);
  if (!ahead.ok()) return usage_error(args, ahead.error().message);
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  auto created = (*store)->maintain(static_cast<int>(*ahead));
  if (!created.ok()) return report(created.error());
  if (args.has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.begin_object();
    w.key("store").string((*store)->kind());
    w.key("partitions_created").number(int64_t{*created});
    w.end_object();
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("%s store maintained: %d partition(s) created\n",
                std::string((*store)->kind()).c_str(), *created);
  }
  return kExitOk;
}

}  // namespace wf::app
