// One function per subcommand (argv as given to main; argv[1] is the command name).
// Each returns the process exit code.
#pragma once

namespace wf::app {

int cmd_run(int argc, char** argv);
int cmd_seed(int argc, char** argv);
int cmd_generate(int argc, char** argv);
int cmd_process(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_rules(int argc, char** argv);
int cmd_backtest(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_kafka_dev(int argc, char** argv);
int cmd_pg_dev(int argc, char** argv);
int cmd_store(int argc, char** argv);
int cmd_marts(int argc, char** argv);
int cmd_quality(int argc, char** argv);
int cmd_scheduler(int argc, char** argv);
int cmd_jobs(int argc, char** argv);
int cmd_webhook_sink(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_users(int argc, char** argv);

}  // namespace wf::app
