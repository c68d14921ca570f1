// replay_main.cpp - without libFuzzer, the fuzz target is a plain replayer:
// it runs every file named on the command line through
// LLVMFuzzerTestOneInput (which aborts on a new finding), so CI replays the
// corpus with g++ alone.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE... (this build has no libFuzzer: it replays files)\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot open file\n", argv[i]);
      return 2;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("%d inputs replayed, no new finding\n", argc - 1);
  return 0;
}
