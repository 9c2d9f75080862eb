#include "store/postgres/pg_cluster.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "store/postgres/pg.h"

namespace wf::store::postgres {

Result<std::unique_ptr<PgCluster>> PgCluster::start(PgClusterOptions options) {
  std::unique_ptr<PgCluster> c(new PgCluster());
  c->options_ = options;
  const char* bin = std::getenv("WALLETFLOW_PG_BIN");
  c->bin_ = bin != nullptr && bin[0] != '\0' ? bin : "/usr/lib/postgresql/15/bin";
  if (!std::filesystem::exists(c->bin_ + "/initdb")) {
    return make_error(Errc::kNotFound, "PostgreSQL 15 server binaries not found in " + c->bin_ +
                                           " (Debian package postgresql-15; or set "
                                           "WALLETFLOW_PG_BIN)");
  }
  if (options.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/walletflow-pg-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      return make_error(Errc::kIo, "cannot create a directory for PostgreSQL under " + tmpl);
    }
    c->dir_ = tmpl;
    c->owns_dir_ = true;
  } else {
    c->dir_ = std::filesystem::absolute(options.dir).string();
    std::error_code ec;
    std::filesystem::create_directories(c->dir_, ec);
    if (ec) return make_error(Errc::kIo, "cannot create " + c->dir_ + ": " + ec.message());
  }
  // PostgreSQL will not run as root: hand the directory to the postgres user.
  if (geteuid() == 0) {
    struct passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return make_error(Errc::kNotFound,
                        "running as root needs the 'postgres' user (Debian package "
                        "postgresql-15 creates it)");
    }
    if (chown(c->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return make_error(Errc::kIo, "cannot give " + c->dir_ + " to the postgres user");
    }
    c->as_postgres_ = true;
  }
  chmod(c->dir_.c_str(), 0700);
  const std::string data = c->dir_ + "/data";
  if (!std::filesystem::exists(data + "/PG_VERSION")) {
    WF_RETURN_IF_ERROR(c->run({c->bin_ + "/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                               "-E", "UTF8", "--locale=C", "--no-sync"}));
  }
  WF_RETURN_IF_ERROR(c->start_server());
  // The database, created once.
  std::string admin =
      "postgresql://postgres@/postgres?host=" + c->dir_ + "&port=" + std::to_string(options.port);
  auto conn = Conn::connect(admin);
  if (!conn.ok()) return conn.take_error();
  auto has = conn->query("SELECT 1 FROM pg_database WHERE datname = $1", {options.database});
  if (!has.ok()) return has.take_error();
  if (PQntuples(has->get()) == 0) {
    WF_RETURN_IF_ERROR(conn->exec("CREATE DATABASE \"" + options.database + "\""));
  }
  return c;
}

PgCluster::~PgCluster() {
  if (running_) (void)pg_ctl("stop");
  if (owns_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PgCluster::uri() const {
  return "postgresql://postgres@/" + options_.database + "?host=" + dir_ +
         "&port=" + std::to_string(options_.port);
}

Status PgCluster::run(const std::vector<std::string>& argv) {
  std::vector<std::string> full;
  if (as_postgres_) full = {"runuser", "-u", "postgres", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (std::string& a : full) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string log = dir_ + "/tools.log";
  pid_t pid = fork();
  if (pid < 0) return make_error(Errc::kIo, "fork failed");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return make_error(Errc::kIo, "waiting for '" + argv[0] + "' failed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return make_error(Errc::kIo, "'" + argv[0] + "' failed (exit " +
                                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                                     "); see " + log + " and " + dir_ + "/server.log");
  }
  return Status::Ok();
}

Status PgCluster::pg_ctl(const std::string& action) {
  // Sized for walletflow's write load: two writers inserting WAL at once want large WAL
  // buffers, and checkpoints are rare (bench figures in README).
  std::string opts = "-k " + dir_ + " -p " + std::to_string(options_.port) +
                     " -c listen_addresses='' -c shared_buffers=256MB -c max_wal_size=4GB -c "
                     "wal_buffers=64MB -c checkpoint_timeout=30min";
  if (!options_.durable) opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  std::vector<std::string> argv = {bin_ + "/pg_ctl",     "-D", dir_ + "/data", "-l",
                                   dir_ + "/server.log", "-w", "-t",           "60"};
  if (action != "stop") {
    argv.push_back("-o");
    argv.push_back(opts);
  }
  if (action != "start") {
    argv.push_back("-m");
    argv.push_back("fast");
  }
  argv.push_back(action);
  return run(argv);
}

Status PgCluster::stop() {
  WF_RETURN_IF_ERROR(pg_ctl("stop"));
  running_ = false;
  return Status::Ok();
}

Status PgCluster::start_server() {
  WF_RETURN_IF_ERROR(pg_ctl("start"));
  running_ = true;
  return Status::Ok();
}

Status PgCluster::restart() {
  WF_RETURN_IF_ERROR(pg_ctl("restart"));
  running_ = true;
  return Status::Ok();
}

}  // namespace wf::store::postgres
