// Shared wiring for subcommands: argument handling with the exit-code contract, the
// rule pack and PII key options, the store, and Ctrl-C / SIGTERM as a stop flag.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "app/args.h"
#include "pipeline/pii_protector.h"
#include "rules/pack.h"
#include "store/store.h"

namespace wf::app {

// Parses argv for a subcommand, options from argv[first] on (3 after an action word such
// as `store maintain`). Returns an exit code when the command must end now (--help
// printed: 0; bad usage reported: 2), nullopt to go on.
std::optional<int> parse_or_exit(Args& args, int argc, char** argv, int first = 2);
// Prints "walletflow <cmd>: <message>" and the usage hint; returns kExitUsage.
int usage_error(const Args& args, const std::string& message);
// Prints the error; returns kExitUsage for kInvalidArgument/kConfig, else kExitFailure.
int report(const Error& error);

// --rules FILE, else the builtin pack of --profile (default ph-ewallet).
Result<rules::RulePack> load_pack(const Args& args);
// WALLETFLOW_PII_KEY, --pii-key-file or WALLETFLOW_PII_KEY_FILE.
Result<pipeline::PiiProtector> load_pii(const Args& args);
// --store (default `fallback`), opened and migrated.
Result<std::unique_ptr<store::Store>> open_store_arg(const Args& args, const std::string& fallback);

// Set by SIGINT/SIGTERM once install_stop_handlers() ran.
std::atomic<bool>& stop_flag();
void install_stop_handlers();

bool stderr_is_tty();

// Writes `line` and a newline to `path` through a temporary name and a rename, so a
// reader polling for the file never sees half of it (kafka-dev, pg-dev).
Status write_file_atomically(const std::string& path, const std::string& line);

}  // namespace wf::app
