// walletflow: argv -> subcommand; exceptions that escape a command end here.
#include <cstdio>
#include <exception>

#include "app/cli.h"

int main(int argc, char** argv) {
  try {
    return wf::app::main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "walletflow: fatal: %s\n", e.what());
    return 1;
  }
}
