// Google Benchmark entry point for all micro-benchmarks in bench/.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
