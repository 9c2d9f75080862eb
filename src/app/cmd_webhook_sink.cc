// walletflow webhook-sink: a local webhook receiver for development and tests. Every POST
// body (the JSON a Discord, Slack or generic webhook would get) is appended to a file, one
// per line, and answered 204; point WALLETFLOW_WEBHOOKS at it to see what walletflow sends.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/commands.h"
#include "app/common.h"
#include "core/log.h"
#include "core/thread.h"

namespace wf::app {
namespace {

constexpr const char* kUsage =
    "usage: walletflow webhook-sink --out FILE [--port P] [--url-file FILE]\n"
    "                               [--hang-for SECONDS]\n"
    "\n"
    "Listens on 127.0.0.1 and appends every POSTed body to FILE, one per line (newlines\n"
    "inside a body become spaces), answering 204, until Ctrl-C or SIGTERM. Prints its URL,\n"
    "e.g. http://127.0.0.1:PORT/hook: set WALLETFLOW_WEBHOOKS=discord:URL (or slack:,\n"
    "json:) to see what walletflow would send.\n"
    "\n"
    "options:\n"
    "  --out FILE       where the bodies go (required)\n"
    "  --port P         port (default: a free one)\n"
    "  --url-file FILE  also write the URL there\n"
    "  --hang-for S     for S seconds from the first request, hold every request\n"
    "                   without an answer (then 503, body not kept): a hanging endpoint,\n"
    "                   for fault drills\n";

}  // namespace

int cmd_webhook_sink(int argc, char** argv) {
  Args args(kUsage);
  args.option("out").option("port").option("url-file").option("hang-for");
  if (auto code = parse_or_exit(args, argc, argv)) return *code;
  if (!args.has("out")) return usage_error(args, "--out is required");
  auto port = args.get_int("port", 0, 0, 65535);
  if (!port.ok()) return usage_error(args, port.error().message);
  auto hang_for = args.get_int("hang-for", 0, 0, 3600);
  if (!hang_for.ok()) return usage_error(args, hang_for.error().message);
  std::optional<std::chrono::steady_clock::time_point> hang_until;  // from the first request
  std::atomic<int64_t> held{0};
  std::ofstream out(*args.get("out"), std::ios::app);
  if (!out) return report(make_error(Errc::kIo, "cannot open " + *args.get("out")));
  std::mutex mu;
  httplib::Server server;
  server.Post(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    std::chrono::steady_clock::time_point until;
    {
      std::lock_guard lock(mu);
      if (!hang_until)
        hang_until = std::chrono::steady_clock::now() + std::chrono::seconds(*hang_for);
      until = *hang_until;
    }
    if (std::chrono::steady_clock::now() < until) {
      ++held;
      while (std::chrono::steady_clock::now() < until && !stop_flag().load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      res.status = 503;  // the sender gave up long ago
      return;
    }
    std::string line = req.body;
    for (char& c : line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    std::lock_guard lock(mu);
    out << line << '\n';
    out.flush();
    res.status = 204;
  });
  int bound = *port == 0 ? server.bind_to_any_port("127.0.0.1")
                         : (server.bind_to_port("127.0.0.1", static_cast<int>(*port))
                                ? static_cast<int>(*port)
                                : -1);
  if (bound < 0)
    return report(make_error(Errc::kIo, "cannot listen on port " + std::to_string(*port)));
  const std::string url = "http://127.0.0.1:" + std::to_string(bound) + "/hook";
  install_stop_handlers();
  std::thread listener = spawn_quiet_thread([&] { server.listen_after_bind(); });
  if (auto path = args.get("url-file")) {
    if (Status w = write_file_atomically(*path, url); !w.ok()) {
      server.stop();
      listener.join();
      return report(w.error());
    }
  }
  std::printf("%s\n", url.c_str());
  std::fflush(stdout);
  log::info("webhook sink listening on " + url);
  while (!stop_flag().load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  listener.join();
  if (held.load() > 0) {
    log::info("webhook sink held " + std::to_string(held.load()) + " request(s) without an answer");
  }
  return kExitOk;
}

}  // namespace wf::app
