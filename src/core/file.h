// Reading a whole file: rules, mappings, configs, models, key files.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace wf {

// Every byte of `path`; `code` (kIo by default) with "cannot read WHAT 'PATH': why" when
// it cannot be opened or read.
Result<std::string> read_file(const std::string& path, std::string_view what = "file",
                              Errc code = Errc::kIo);

}  // namespace wf
