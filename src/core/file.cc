#include "core/file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wf {

Result<std::string> read_file(const std::string& path, std::string_view what, Errc code) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return make_error(
        code, "cannot read " + std::string(what) + " '" + path + "': " + std::strerror(errno));
  }
  return text.str();
}

}  // namespace wf
