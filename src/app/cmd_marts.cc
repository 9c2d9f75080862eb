// walletflow marts: build the gold marts of a day, or a range of days, on any store.
// Each build replaces that day's rows in one transaction, so it can run again, backfill
// history, or refresh today every few minutes from cron or any scheduler.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "app/common.h"
#include "core/json_writer.h"
#include "marts/marts.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow marts build --store STORE (--date D | --from D --to D) [--mart NAME]\n"
    "                              [--utc-offset +08:00] [--json]\n"
    "       walletflow marts list\n"
    "\n"
    "build  rebuilds the gold marts (or one, --mart) for each local day D (YYYY-MM-DD),\n"
    "       replacing that day's rows atomically\n"
    "list   names the marts and what they hold\n"
    "\n"
    "options:\n"
    "  --store STORE       sqlite:PATH or postgresql://...\n"
    "  --date D            one day; or --from D --to D, both included\n"
    "  --mart NAME         only this mart (default: all)\n"
    "  --utc-offset +HH:MM the local time of the days (default +08:00, the Philippines)\n"
    "  --json              print what was built as JSON\n";

int list_marts() {
  for (const marts::Mart& m : marts::all_marts()) {
    std::string_view about = m.description;  // "mart_x (seed 000): what it holds"
    if (about.starts_with(m.name + " ")) about.remove_prefix(m.name.size() + 1);
    std::printf("%s\n    %.*s\n", m.name.c_str(), static_cast<int>(about.size()), about.data());
  }
  return kExitOk;
}

}  // namespace

int cmd_marts(int argc, char** argv) {
  Args args(kUsage);
  args.option("store").option("date").option("from").option("to").option("mart");
  args.option("utc-offset").option("json", true);
  std::string_view action = argc >= 3 ? argv[2] : "";
  if (action == "--help" || action == "-h") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (action == "list") return list_marts();
  if (action != "build") return usage_error(args, "marts needs 'build' or 'list'");
  if (auto code = parse_or_exit(args, argc, argv, 3)) return *code;
  if (!args.has("store")) return usage_error(args, "--store is required");
  auto offset = parse_utc_offset(args.get_or("utc-offset", "+08:00"));
  if (!offset.ok()) return usage_error(args, "--utc-offset: " + offset.error().message);
  std::string first = args.get_or("date", args.get_or("from", ""));
  std::string last = args.get_or("date", args.get_or("to", ""));
  if (first.empty() || last.empty() || (args.has("date") && (args.has("from") || args.has("to")))) {
    return usage_error(args, "give --date D, or --from D and --to D");
  }
  auto from = parse_date(first);
  auto to = parse_date(last);
  if (!from.ok() || !to.ok()) return usage_error(args, "dates are YYYY-MM-DD");
  if (*to < *from) return usage_error(args, "--to is before --from");
  if ((*to - *from) / kMicrosPerDay > 3660) return usage_error(args, "at most ten years at once");
  std::vector<const marts::Mart*> chosen;
  if (auto name = args.get("mart")) {
    const marts::Mart* m = marts::find_mart(*name);
    if (m == nullptr) return usage_error(args, "unknown mart '" + *name + "' (see marts list)");
    chosen.push_back(m);
  } else {
    for (const marts::Mart& m : marts::all_marts()) chosen.push_back(&m);
  }
  auto store = open_store_arg(args, "");
  if (!store.ok()) return report(store.error());
  int builds = 0;
  std::vector<std::string> days;
  for (Instant day = *from; day <= *to; day += kMicrosPerDay) {
    const std::string date = format_date(day);
    for (const marts::Mart* m : chosen) {
      if (Status s = marts::build(**store, *m, date, *offset); !s.ok()) {
        return report(make_error(s.error().code, m->name + " " + date + ": " + s.error().message));
      }
      ++builds;
    }
    days.push_back(date);
  }
  if (args.has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.begin_object();
    w.key("store").string((*store)->kind());
    w.key("days").number(static_cast<int64_t>(days.size()));
    w.key("marts").begin_array();
    for (const marts::Mart* m : chosen) w.string(m->name);
    w.end_array();
    w.key("builds").number(int64_t{builds});
    w.end_object();
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("built %zu mart(s) for %zu day(s) (%s .. %s)\n", chosen.size(), days.size(),
                days.front().c_str(), days.back().c_str());
  }
  return kExitOk;
}

}  // namespace wf::app
