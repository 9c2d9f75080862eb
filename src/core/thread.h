// Threads that never receive SIGINT/SIGTERM: those signals then always interrupt the
// main thread (whose blocking reads return EINTR and see the stop flag) instead of a
// helper thread that would ignore them.
#pragma once

#include <signal.h>

#include <thread>
#include <utility>

namespace wf {

template <class F>
std::thread spawn_quiet_thread(F&& body) {
  sigset_t block, previous;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &previous);  // inherited by the new thread
  std::thread t(std::forward<F>(body));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return t;
}

}  // namespace wf
