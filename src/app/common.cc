#include "app/common.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>

#include "core/log.h"

namespace wf::app {

std::optional<int> parse_or_exit(Args& args, int argc, char** argv, int first) {
  Status s = args.parse(argc, argv, first);
  if (!s.ok()) return usage_error(args, s.error().message);
  if (args.help()) {
    std::fputs(args.usage().c_str(), stdout);
    return kExitOk;
  }
  auto format = args.get_or("log-format", "text");
  if (format == "json") {
    log::set_format(log::Format::kJson);
  } else if (format != "text") {
    return usage_error(args, "--log-format must be 'text' or 'json'");
  }
  return std::nullopt;
}

int usage_error(const Args& args, const std::string& message) {
  std::string first_line = args.usage().substr(0, args.usage().find('\n'));
  std::fprintf(stderr, "walletflow: %s\n%s\n(see --help)\n", message.c_str(), first_line.c_str());
  return kExitUsage;
}

int report(const Error& error) {
  std::fprintf(stderr, "walletflow: %s\n", error.message.c_str());
  return error.code == Errc::kInvalidArgument || error.code == Errc::kConfig ? kExitUsage
                                                                             : kExitFailure;
}

Result<rules::RulePack> load_pack(const Args& args) {
  if (auto file = args.get("rules")) return rules::RulePack::load_file(*file);
  std::string profile = args.get_or("profile", "ph-ewallet");
  auto pack = rules::RulePack::builtin(profile);
  if (!pack.ok()) {
    return make_error(Errc::kInvalidArgument, "unknown profile '" + profile + "'");
  }
  return pack;
}

Result<pipeline::PiiProtector> load_pii(const Args& args) {
  return pipeline::PiiProtector::from_environment(args.get_or("pii-key-file", ""));
}

Result<std::unique_ptr<store::Store>> open_store_arg(const Args& args,
                                                     const std::string& fallback) {
  std::string uri = args.get_or("store", fallback);
  if (uri.empty()) return make_error(Errc::kInvalidArgument, "--store is required");
  return store::open_store(uri);
}

std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {
extern "C" void on_stop_signal(int) { stop_flag().store(true); }
}  // namespace

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

bool stderr_is_tty() { return ::isatty(2) == 1; }

Status write_file_atomically(const std::string& path, const std::string& line) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << line << "\n";
    if (!out) return make_error(Errc::kIo, "cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error(Errc::kIo, "cannot write '" + path + "'");
  }
  return Status::Ok();
}

}  // namespace wf::app
