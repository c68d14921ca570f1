// test_finding_options.cpp - the option table of docs/findings.md ("Option
// effects"), replayed: each recorded finding is run again, in the
// differential against eager, with each row's options added, and its
// signature must go away exactly where the table says so. Which finding a
// row avoids is named by mechanism (the first "# MECHANISM: Mn" line of the
// file) or by file; a row may also turn a finding into another (the
// signature found instead); every other finding must still reproduce its
// own signature ("nothing else changes").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "model/check/differential.h"
#include "model/core/options.h"
#include "model/designs.h"

namespace rmc {
namespace {

struct Recorded {
  std::string file;       // file name under corpus/findings
  std::string signature;  // design/property/op
  std::string mechanism;  // M1 ... M14
  Trace trace;
};

std::vector<Recorded> recorded_findings() {
  std::vector<Recorded> out;
  const std::filesystem::path dir = std::filesystem::path(RMC_SOURCE_DIR) / "corpus" / "findings";
  const std::regex mechanism_line("^# MECHANISM: (M[0-9]+)");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".trace") continue;
    Recorded r;
    r.file = entry.path().filename().string();
    std::ifstream in(entry.path());
    std::smatch m;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("# FINDING: ", 0) == 0) r.signature = line.substr(11);
      if (r.mechanism.empty() && std::regex_search(line, m, mechanism_line)) r.mechanism = m[1];
    }
    ParseResult parsed = parse_trace_file(entry.path().string());
    if (std::holds_alternative<Trace>(parsed)) {
      r.trace = std::get<Trace>(parsed);
    } else {
      ADD_FAILURE() << r.file << " does not parse";
    }
    EXPECT_FALSE(r.signature.empty()) << r.file << ": no FINDING line";
    EXPECT_FALSE(r.mechanism.empty()) << r.file << ": no 'MECHANISM: Mn' line";
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const Recorded& a, const Recorded& b) { return a.file < b.file; });
  return out;
}

struct OptionRow {
  std::vector<std::pair<std::string, std::string>> options;
  std::set<std::string> avoids_mechanisms;
  std::set<std::string> avoids_files;
  std::set<std::string> except_files;  // of those mechanisms, still found
  std::map<std::string, std::string> replaced = {};  // file -> the signature found instead
};

bool avoided(const OptionRow& row, const Recorded& r) {
  if (row.except_files.count(r.file)) return false;
  return row.avoids_mechanisms.count(r.mechanism) || row.avoids_files.count(r.file);
}

// The same replacement in lazy and lazy-gki (their files hold the same
// trace): the file "<design>__FILE" finds "<design>/SIGNATURE" instead; and
// `more` as it is.
std::map<std::string, std::string> in_lazy_and_gki(const std::vector<std::pair<std::string, std::string>>& rows,
                                                   std::map<std::string, std::string> more = {}) {
  for (const char* design : {"lazy", "lazy-gki"})
    for (const auto& [file, signature] : rows) more[std::string(design) + "__" + file] = std::string(design) + "/" + signature;
  return more;
}

// The S8 findings of the default lazy.repoint copied, under lazy.repoint all.
const std::map<std::string, std::string> kS8RepointAll =
    in_lazy_and_gki({{"rmap-missing__fork.trace", "migration-entry-left/migrate_end"}});

const std::vector<OptionRow>& option_table() {
  static const std::vector<OptionRow> rows = {
      {{{"lazy.walk", "all"}}, {"M1"}, {}, {}},
      // M10 (S8): re-pointing the old folio at the fork moves the failure to
      // the copy's walk at migrate_end.
      {{{"lazy.repoint", "all"}}, {"M4", "M11"}, {}, {}, kS8RepointAll},
      {{{"lazy.mremap_fix_swap", "on"}}, {"M3"}, {}, {}},
      {{{"lazy.upgrade", "root"}},
       {},
       {"base0__op-refused__mremap.trace", "base0__rmap-missing__fork.trace", "base0__observable__uffd_move.trace"},
       {}},
      // repoint_swap re-points the cached folio behind a swap entry at every
      // upgrade, mremap's included: M3 too.
      {{{"lazy.repoint", "all"}, {"lazy.repoint_swap", "on"}}, {"M2", "M3", "M4", "M11"}, {}, {}, kS8RepointAll},
      // base0 re-points present folios anyway.
      {{{"lazy.repoint_swap", "on"}},
       {},
       {"base0__L3__exit.trace", "base0__L3__exec.trace", "base0__observable__madvise.trace", "base0__L3__migrate_end.trace",
        "base0__L3__migrate_begin.trace", "base0__L3__split_begin.trace", "base0__L3__mprotect_race.trace"},
       {}},
      {{{"lazy.merge", "upgrade"}}, {"M5"}, {}, {}},
      {{{"lazy.parent_cow", "upgrade"}}, {}, {}, {}},
      {{{"lazy.parent_upgrade", "reuse"}}, {}, {}, {}},
      {{{"lazy.count_tree_parent", "on"}}, {}, {}, {}},
      // M10 through mremap: move_ptes no longer re-points the old folio
      // either, whose own walk misses the moved entry at once (the M4 form).
      {{{"lazy.mremap_fix_migration", "off"}},
       {},
       {},
       {},
       in_lazy_and_gki({{"L3__migrate_end.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__migrate_begin.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__migrate_end.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__mprotect.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__read.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__uffd_move.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__write.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__pin.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__split_begin.trace", "rmap-missing/mremap"},
                        {"kernel-warn__migrate_begin.trace", "rmap-missing/mremap"},
                        {"kernel-warn__split_begin.trace", "rmap-missing/mremap"},
                        {"kernel-warn__split_end.trace", "rmap-missing/mremap"},
                        {"migration-entry-left__fault_race.trace", "rmap-missing/mremap"},
                        {"kernel-warn__grow_race.trace", "rmap-missing/mremap"},
                        {"kernel-warn__mprotect_race.trace", "rmap-missing/mremap"}})},
      // Mainline folio_get_anon_vma for lazy folios: no recorded finding
      // moves a present lazy folio before it fails (the scenario
      // s14_uffd_move_lazy_eagain.trace fails no-progress instead).
      {{{"lazy.uffd_move", "eagain"}}, {}, {}, {}},
      // The lazy prepare's test and store in one step: the racing thread
      // takes no second reference (S20).
      {{{"lazy.prepare_race", "atomic"}}, {"M13"}, {}, {}},
      // The lazy walk reads a growing stack's base consistently (S5).
      {{{"lazy.base_read", "stable"}}, {"M14"}, {}, {}},
      // The root is freed when its last VMA goes, under the migration's copy
      // (L3 at that op), instead of when the migration ends.
      {{{"lazy.migration_ref", "none"}},
       {},
       {"lazy__migration-entry-left__split_begin.trace", "lazy-gki__migration-entry-left__split_begin.trace"},
       {},
       in_lazy_and_gki({{"L3__migrate_begin.trace", "L3/fork"},
                        {"L3__migrate_end.trace", "L3/mremap"},
                        {"migration-entry-left__migrate_begin.trace", "L3/mremap"},
                        {"migration-entry-left__migrate_end.trace", "L3/mremap"},
                        {"migration-entry-left__read.trace", "L3/mremap"},
                        {"migration-entry-left__write.trace", "L3/mremap"},
                        {"migration-entry-left__pin.trace", "L3/mremap"},
                        {"L3__split_begin.trace", "L3/mremap"},
                        {"L3__split_end.trace", "L3/fork"},
                        {"L3__grow_race.trace", "L3/fork"}},
                       {{"base0__L3__migrate_begin.trace", "base0/L3/exit"},
                        {"base0__L3__migrate_end.trace", "base0/L3/exit"},
                        {"base0__L3__split_begin.trace", "base0/L3/exit"},
                        {"base0__L3__mprotect_race.trace", "base0/L3/exec"}})},
      // exec relocates the stack below its linear page offset: the base
      // wraps, and a naive range check misses the relocated pages (S19).
      {{{"lazy.addr_check", "naive"}},
       {},
       {},
       {},
       {{"lazy__L3__exec.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__L3__exec.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__L3__mmap_zero.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__L3__mmap_zero.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__migration-entry-left__write.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__migration-entry-left__write.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__migration-entry-left__pin.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__migration-entry-left__pin.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__L3__split_end.trace", "lazy/rmap-missing/exec"},
        {"lazy__L3__mlock.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__L3__mlock.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy-gki__L3__split_end.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__kernel-warn__migrate_begin.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__kernel-warn__migrate_begin.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__kernel-warn__split_begin.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__kernel-warn__split_begin.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__migration-entry-left__split_begin.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__migration-entry-left__split_begin.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__rmap-missing__fork.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__rmap-missing__fork.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__migration-entry-left__grow_race.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__migration-entry-left__grow_race.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__L3__grow_race.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__L3__grow_race.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__kernel-warn__grow_race.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__kernel-warn__grow_race.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__L3__mprotect_race.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__L3__mprotect_race.trace", "lazy-gki/rmap-missing/exec"},
        {"lazy__kernel-warn__mprotect_race.trace", "lazy/rmap-missing/exec"},
        {"lazy-gki__kernel-warn__mprotect_race.trace", "lazy-gki/rmap-missing/exec"}}},
      // base0 staying in lazy mode at exec loses the relocated pages (S18).
      {{{"lazy.base0_exec", "stay"}},
       {},
       {},
       {},
       {{"base0__L3__exec.trace", "base0/rmap-missing/exec"},
        {"base0__migration-entry-left__mprotect.trace", "base0/rmap-missing/exec"},
        {"base0__kernel-warn__migrate_begin.trace", "base0/rmap-missing/exec"},
        {"base0__kernel-warn__split_begin.trace", "base0/rmap-missing/exec"},
        {"base0__kernel-warn__grow_race.trace", "base0/rmap-missing/exec"},
        {"base0__L3__mprotect_race.trace", "base0/rmap-missing/exec"}}},
      {{{"cowctx.shared_swapin", "faulting"}}, {}, {}, {}},
      {{{"cowctx.fork_child_check", "none"}}, {"M9"}, {}, {}},
      {{{"lazy.walk", "all"},
        {"lazy.repoint", "all"},
        {"lazy.repoint_swap", "on"},
        {"lazy.upgrade", "root"},
        {"lazy.mremap_fix_swap", "on"},
        {"lazy.merge", "upgrade"}},
       {"M1", "M2", "M3", "M4", "M5", "M6", "M7", "M11"},
       {},
       {"base0__rmap-missing__mremap.trace"},
       kS8RepointAll},
  };
  return rows;
}

std::string row_name(const OptionRow& row) {
  std::string name;
  for (const auto& [option, value] : row.options) name += (name.empty() ? "" : " + ") + option + " " + value;
  return name;
}

// The signatures the differential of every design against eager finds.
std::set<std::string> signatures(const Trace& trace) {
  std::set<std::string> out;
  DifferentialResult r = run_differential(trace, {"eager", "lazy", "lazy-gki", "base0", "cowctx"});
  EXPECT_FALSE(r.error.has_value()) << "eager refuses line " << r.error_line;
  for (const Finding& f : r.findings) out.insert(f.signature());
  return out;
}

TEST(FindingOptions, EachRowAvoidsWhatTheTableSaysAndNothingElse) {
  const std::vector<Recorded> findings = recorded_findings();
  ASSERT_GE(findings.size(), 50u);
  for (const Recorded& r : findings) {
    ASSERT_TRUE(signatures(r.trace).count(r.signature)) << r.file << " does not reproduce " << r.signature;
  }
  std::set<std::string> files, mechanisms;
  for (const Recorded& r : findings) {
    files.insert(r.file);
    mechanisms.insert(r.mechanism);
  }
  for (const OptionRow& row : option_table()) {
    // Every name in the table must exist: a renamed file or mechanism must
    // not turn a row into a vacuous one.
    for (const std::string& m : row.avoids_mechanisms) EXPECT_TRUE(mechanisms.count(m)) << row_name(row) << ": " << m;
    for (const std::string& f : row.avoids_files) EXPECT_TRUE(files.count(f)) << row_name(row) << ": " << f;
    for (const std::string& f : row.except_files) EXPECT_TRUE(files.count(f)) << row_name(row) << ": " << f;
    for (const auto& [f, signature] : row.replaced) EXPECT_TRUE(files.count(f)) << row_name(row) << ": " << f;
    for (const Recorded& r : findings) {
      Trace trace = r.trace;
      for (const auto& [option, value] : row.options) {
        const auto error = apply_option(trace.options, option, value);
        ASSERT_FALSE(error.has_value()) << *error;
      }
      const std::set<std::string> found = signatures(trace);
      const auto replacement = row.replaced.find(r.file);
      const bool expect_avoided = avoided(row, r) || replacement != row.replaced.end();
      EXPECT_EQ(found.count(r.signature) > 0, !expect_avoided)
          << "with " << row_name(row) << ": " << r.file << " (" << r.mechanism << ") should "
          << (expect_avoided ? "not find it" : "still find " + r.signature);
      if (replacement != row.replaced.end()) {
        EXPECT_TRUE(found.count(replacement->second))
            << "with " << row_name(row) << ": " << r.file << " should find " << replacement->second << " instead";
      }
    }
  }
}

}  // namespace
}  // namespace rmc
