// walletflow rules: `print` writes a built-in pack (the starting point for a team's own
// rules); `check` validates a rules file without running anything.
#include <cstdio>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/common.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow rules print [--profile ph-ewallet]\n"
    "       walletflow rules check FILE\n"
    "\n"
    "print  writes the profile's built-in rule pack (TOML) to stdout\n"
    "check  loads and compiles FILE as 'process --rules FILE' would: exit 0 when it is\n"
    "       valid, exit 1 with every error, one per line, as FILE:LINE:COLUMN: rule ID: message\n";

int print_pack(int argc, char** argv) {
  Args args(kUsage);
  args.option("profile");
  Status s = args.parse(argc, argv, 3);
  if (!s.ok()) return usage_error(args, s.error().message);
  if (args.help()) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  std::string profile = args.get_or("profile", "ph-ewallet");
  std::string_view text = rules::RulePack::builtin_text(profile);
  if (text.empty()) return usage_error(args, "unknown profile '" + profile + "'");
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int check_file(int argc, char** argv) {
  Args args(kUsage);
  if (argc < 4 || std::string_view(argv[3]).substr(0, 2) == "--") {
    if (argc >= 4 && (std::string_view(argv[3]) == "--help")) {
      std::fputs(kUsage, stdout);
      return kExitOk;
    }
    return usage_error(args, "rules check needs a FILE");
  }
  Status s = args.parse(argc, argv, 4);
  if (!s.ok()) return usage_error(args, s.error().message);
  std::string path = argv[3];
  auto pack = rules::RulePack::load_file(path);
  if (!pack.ok()) {
    std::fprintf(stderr, "%s\n", pack.error().message.c_str());
    return kExitFailure;
  }
  std::printf("%s: ok, pack '%s' with %zu rules, %zu features, version %s\n", path.c_str(),
              pack->name().c_str(), pack->rules().size(), pack->features().size(),
              pack->version().c_str());
  return kExitOk;
}

}  // namespace

int cmd_rules(int argc, char** argv) {
  std::string_view verb = argc >= 3 ? argv[2] : "";
  if (verb == "print") return print_pack(argc, argv);
  if (verb == "check") return check_file(argc, argv);
  if (verb == "--help" || verb == "-h") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  std::fprintf(stderr, "walletflow: rules needs 'print' or 'check'\n%s", kUsage);
  return kExitUsage;
}

}  // namespace wf::app
