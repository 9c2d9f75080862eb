// Process log to stderr, human text by default or one JSON object per line
// (`--log-format json`). Thread-safe; not for the per-event hot path.
#pragma once

#include <string_view>

namespace wf::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

void set_format(Format format);
void set_min_level(Level level);
void write(Level level, std::string_view message);
inline void info(std::string_view message) { write(Level::kInfo, message); }
inline void warn(std::string_view message) { write(Level::kWarn, message); }
inline void error(std::string_view message) { write(Level::kError, message); }

}  // namespace wf::log
