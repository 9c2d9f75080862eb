#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/json_writer.h"
#include "core/time.h"

namespace wf::log {
namespace {
std::atomic<Format> g_format{Format::kText};
std::atomic<Level> g_min_level{Level::kInfo};
std::mutex g_mutex;

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}
}  // namespace

void set_format(Format format) { g_format = format; }
void set_min_level(Level level) { g_min_level = level; }

void write(Level level, std::string_view message) {
  if (level < g_min_level.load()) return;
  std::string line;
  if (g_format.load() == Format::kJson) {
    JsonWriter w(&line);
    w.begin_object();
    w.key("ts").string(format_utc(SystemClock().now()));
    w.key("level").string(level_name(level));
    w.key("msg").string(message);
    w.end_object();
  } else {
    line = std::string("walletflow: ") + (level >= Level::kWarn ? level_name(level) : "") +
           (level >= Level::kWarn ? ": " : "") + std::string(message);
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace wf::log
