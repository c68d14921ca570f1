// replay_main.cpp - without libFuzzer, a fuzz target is a plain replayer:
// it runs every file named on the command line through
// LLVMFuzzerTestOneInput (which aborts on what the target calls a failure:
// a new finding, a crash on bad input), so CI replays corpora with g++
// alone.
#include <cstdio>
#include <string>
#include <variant>

#include "model/core/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE... (this build has no libFuzzer: it replays files)\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    auto bytes = rmc::read_input_file(argv[i]);
    if (auto* error = std::get_if<rmc::TraceError>(&bytes)) {
      std::fprintf(stderr, "%s\n", error->str().c_str());
      return 2;
    }
    const std::string& input = std::get<std::string>(bytes);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
  std::printf("%d inputs replayed, none aborted\n", argc - 1);
  return 0;
}
