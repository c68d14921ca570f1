// test_command.cpp - `rmapcheck memory` and `replay --dot` as a user runs
// them: the exit status and the message for every kind of bad input
// (unknown workload or design, apps-N out of range, missing or malformed
// trace as `file:line: message`, unwritable outputs), and the files written
// on good input.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

// Every test is a process of its own under ctest -j: each gets its own
// scratch directory, so parallel tests never read each other's files.
fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("rmc-memory-command-" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `rmapcheck ARGS` from the source directory (the tests' working
// directory), capturing both streams.
Result rmapcheck(const std::string& args) {
  const fs::path dir = scratch();
  const std::string cmd = std::string(RMC_RMAPCHECK) + " " + args + " >" + (dir / "out").string() + " 2>" +
                          (dir / "err").string();
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  return r;
}

fs::path write_temp(const std::string& name, const std::string& text) {
  const fs::path path = scratch() / name;
  std::ofstream(path) << text;
  return path;
}

void expect_bad_input(const std::string& args, const std::string& message) {
  const Result r = rmapcheck(args);
  EXPECT_EQ(r.status, 2) << args << "\n" << r.out << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << args << ": stderr was\n" << r.err;
}

TEST(MemoryCommand, UnknownWorkloadsAndBadAppCounts) {
  expect_bad_input("memory --workload nosuch", "unknown workload 'nosuch' (known: android-boot, apps-N");
  expect_bad_input("memory --workload apps-0", "'apps-0': apps-N takes a number of apps N from 1 to 10000");
  expect_bad_input("memory --workload apps-x", "'apps-x': apps-N takes");
  expect_bad_input("memory --workload apps-24x", "'apps-24x': apps-N takes");
  expect_bad_input("memory --workload apps-10001", "'apps-10001': apps-N takes");
  expect_bad_input("memory --workload apps-99999999999", "apps-N takes");
}

TEST(MemoryCommand, MissingAndMalformedTraces) {
  expect_bad_input("memory --workload /nonexistent/x.trace", "/nonexistent/x.trace:0: cannot open file");
  const fs::path bad = write_temp("rmc-memory-bad.trace", "# rmapcheck trace 1\nP0 mmap 0x100 1 rw\nP0 frobnicate 0x100\n");
  expect_bad_input("memory --workload " + bad.string(), bad.string() + ":3: unknown op 'frobnicate'");
  // An op the model refuses (a write where nothing is mapped): every design
  // says where, and the exit status is bad input.
  const fs::path refused = write_temp("rmc-memory-refused.trace", "# rmapcheck trace 1\nP0 mmap 0x100 1 rw\nP0 write 0x200 1\n");
  const Result r = rmapcheck("memory --workload " + refused.string());
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("rmapcheck memory: eager: " + refused.string() + ":3: "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("eager: skipped: " + refused.string() + ":3: "), std::string::npos) << r.out;
  fs::remove(bad);
  fs::remove(refused);
}

TEST(MemoryCommand, AFailedExpectationIsExitOne) {
  const fs::path wrong = write_temp("rmc-memory-wrong.trace",
                                    "# rmapcheck trace 1\nP0 mmap 0x100 1 rw\nP0 write 0x100 1\n"
                                    "expect count vma 1 anon_vma 2 avc 1 folio 1\n");
  const Result r = rmapcheck("memory --models eager --workload " + wrong.string());
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(wrong.string() + ":4: "), std::string::npos) << r.err;
  fs::remove(wrong);
}

TEST(MemoryCommand, BadDesignsOptionsAndArguments) {
  expect_bad_input("memory --workload fork-chain --models eager,bogus", "unknown design 'bogus'");
  expect_bad_input("memory --workload fork-chain --models ,", "--models names no design");
  expect_bad_input("memory --workload fork-chain --option nosuch=1", "--option nosuch=1: unknown option 'nosuch'");
  expect_bad_input("memory --workload fork-chain --option lazy", "--option lazy: expected NAME=VALUE");
  expect_bad_input("memory", "give exactly one of --workload NAME and --snapshot");
  expect_bad_input("memory --workload fork-chain --snapshot", "give exactly one of --workload NAME and --snapshot");
  expect_bad_input("memory --workload fork-chain --models eager --plot /nonexistent/dir/x.svg",
                   "cannot write /nonexistent/dir/x.svg");
  expect_bad_input("memory --workload fork-chain --models eager --json /nonexistent/dir/x.json",
                   "cannot write /nonexistent/dir/x.json");
}

TEST(MemoryCommand, TableJsonAndPlotOfATrace) {
  const fs::path json = scratch() / "rmc-memory-command.json";
  const fs::path svg = scratch() / "rmc-memory-command.svg";
  const Result r = rmapcheck("memory --workload corpus/memory/zygote_two_apps.trace --json " + json.string() +
                             " --plot " + svg.string());
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("3 processes;"), std::string::npos) << r.out;  // P0 and two forks
  EXPECT_NE(r.out.find("-71.4%"), std::string::npos) << r.out;       // lazy anon_vma 2 against eager 7
  EXPECT_NE(slurp(json).find("\"workload\": \"corpus/memory/zygote_two_apps.trace\""), std::string::npos);
  EXPECT_EQ(slurp(svg).rfind("<svg ", 0), 0u);
  fs::remove(json);
  fs::remove(svg);
}

TEST(ReplayDot, WritesTheGraphAtAStepOrRefusesAStepBeyondTheEnd) {
  const fs::path dot = scratch() / "rmc-replay.dot";
  Result r = rmapcheck("replay -q corpus/memory/zygote_two_apps.trace --dot " + dot.string() + " --dot-step 4");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  const std::string graph = slurp(dot);
  EXPECT_EQ(graph.rfind("digraph rmap {", 0), 0u);
  EXPECT_NE(graph.find("step 4: P0 write 0x102 1"), std::string::npos) << graph;
  EXPECT_EQ(graph.find("cluster_P1"), std::string::npos);  // not forked yet at step 4
  r = rmapcheck("replay -q corpus/memory/zygote_two_apps.trace --dot " + dot.string() + " --dot-step 99");
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--dot-step 99: the run has 12 steps"), std::string::npos) << r.err;
  r = rmapcheck("replay -q corpus/memory/zygote_two_apps.trace --models eager,lazy --dot " + dot.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--dot draws one design"), std::string::npos) << r.err;
  r = rmapcheck("replay -q corpus/memory/zygote_two_apps.trace --dot-step 3");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--dot-step needs --dot FILE"), std::string::npos) << r.err;
  r = rmapcheck("replay -q corpus/memory/zygote_two_apps.trace --dot /nonexistent/dir/x.dot");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write /nonexistent/dir/x.dot"), std::string::npos) << r.err;
  fs::remove(dot);
}

}  // namespace
