// test_kernel_agreement.cpp - the scenario traces on the live kernel.
//
// Every trace in corpus/selftests (merge.c cases), corpus/experiments
// (E1-E11) and corpus/kernel (fork, split, merge, mremap, pageout and COW
// across 3-4 processes) is one test: run on the kernel and on the eager
// model in lock step (kernel/oracle.h), it must agree at every step, and its
// expectation lines must hold on the kernel too. Needs root and the slab
// sysfs files; elsewhere every test is skipped with the reason.
#include <gtest/gtest.h>

#include <filesystem>

#include "kernel/host.h"
#include "kernel/oracle.h"

namespace rmc::kernel {
namespace {

std::vector<std::string> agreement_traces() {
  std::vector<std::string> files;
  for (const char* dir : {"corpus/selftests", "corpus/experiments", "corpus/kernel"}) {
    const std::filesystem::path root = std::filesystem::path(RMC_SOURCE_DIR) / dir;
    if (!std::filesystem::is_directory(root)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(root))
      if (entry.is_regular_file() && entry.path().extension() == ".trace")
        files.push_back(std::filesystem::relative(entry.path(), RMC_SOURCE_DIR).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// One Host per test process: the swap file and knobs are made once and
// undone when the process ends.
Host& host() {
  static Host h;
  return h;
}

class KernelAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelAgreement, AgreesWithEagerModel) {
  if (auto why = kernel_oracle_unavailable()) GTEST_SKIP() << "needs root and /sys/kernel/slab: " << *why;
  ParseResult parsed = parse_trace_file(std::string(RMC_SOURCE_DIR) + "/" + GetParam());
  ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
  const Trace& trace = std::get<Trace>(parsed);
  const OracleVerdict v = run_on_kernel(trace, host(), OracleOptions{});
  if (v.kind == OracleVerdict::Kind::kSkipped) GTEST_SKIP() << GetParam() << " cannot run on this machine: " << v.what;
  std::string notes;
  for (const std::string& note : v.notes) notes += "\n  note: " + note;
  for (const std::string& note : v.rerun_notes) notes += "\n  note: " + note;
  EXPECT_EQ(v.kind, OracleVerdict::Kind::kAgree)
      << GetParam() << ": " << verdict_kind_name(v.kind) << " at step " << v.step << " (line " << v.line << ") ["
      << v.category << "]: " << v.what << notes << "\n"
      << v.detail;
  EXPECT_GT(v.steps, 0u) << GetParam() << " compared nothing";
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, KernelAgreement, ::testing::ValuesIn(agreement_traces()), test_name);

}  // namespace
}  // namespace rmc::kernel
