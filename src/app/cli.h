// Entry point of the walletflow binary: picks the subcommand and returns the exit code
// (0 ok, 1 failure, 2 bad usage).
#pragma once

namespace wf::app {

int main(int argc, char** argv);

}  // namespace wf::app
