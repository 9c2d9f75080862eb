#include <cstdio>

#include "app/args.h"
#include "app/commands.h"

namespace wf::app {
namespace {
int pending(const char* name) {
  std::fprintf(stderr, "walletflow: '%s' is not built yet in this revision\n", name);
  return kExitFailure;
}
}  // namespace

int cmd_run(int, char**) { return pending("run"); }
int cmd_seed(int, char**) { return pending("seed"); }
int cmd_generate(int, char**) { return pending("generate"); }
int cmd_process(int, char**) { return pending("process"); }
int cmd_eval(int, char**) { return pending("eval"); }
int cmd_bench(int, char**) { return pending("bench"); }

}  // namespace wf::app
