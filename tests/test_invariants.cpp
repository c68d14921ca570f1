// test_invariants.cpp - every check fires on a deliberately broken state.
//
// Each test builds a sound world with a few ops (every check passes), breaks
// one thing the way a buggy kernel would, and requires the check that guards
// it to report exactly its property. A check that cannot fail is no check.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>

#include "model/check/core_checks.h"
#include "model/check/eager_invariants.h"
#include "model/check/runner.h"
#include "model/check/vma_cursor.h"
#include "model/core/op_table.h"
#include "model/designs.h"
#include "model/eager/eager_policy.h"

namespace rmc {
namespace {

using Check = std::function<void(const World&, std::vector<Violation>&)>;

class BrokenState : public ::testing::Test {
 protected:
  // Runs `ops` (trace lines without the header) with every check on; they
  // must all pass.
  void build(std::string_view ops, ModelOptions options = {}) {
    world_ = make_world("eager", options);
    runner_ = std::make_unique<Runner>(*world_, true);
    ParseResult parsed = parse_trace("# rmapcheck trace 1\n" + std::string(ops), "test");
    ASSERT_TRUE(std::holds_alternative<Trace>(parsed)) << std::get<TraceError>(parsed).str();
    for (const TraceLine& line : std::get<Trace>(parsed).lines) {
      StepResult r = runner_->run_line(line);
      ASSERT_TRUE(r.ok()) << "line " << line.line << ": "
                          << (r.error ? *r.error : r.violations[0].property + " " + r.violations[0].message);
    }
    std::vector<Violation> all;
    check_world(*world_, runner_->spec(), all);
    ASSERT_TRUE(all.empty()) << all[0].property << " " << all[0].message;
  }
  World& w() { return *world_; }
  EagerPolicy& eager() { return static_cast<EagerPolicy&>(world_->policy()); }
  const EagerPolicy& eager_c() { return static_cast<const EagerPolicy&>(world_->policy()); }
  // Runs one check and returns the properties it reported.
  std::vector<std::string> run(const Check& check) {
    std::vector<Violation> out;
    check(*world_, out);
    std::vector<std::string> properties;
    for (const Violation& v : out) properties.push_back(v.property);
    return properties;
  }
  Check eager_check(void (*fn)(const World&, const AnonVmaView&, std::vector<Violation>&)) {
    return [this, fn](const World& w, std::vector<Violation>& out) { fn(w, eager_c().view(), out); };
  }
  // The first VMA of a process, the folio mapped at a page.
  VmaId vma_at(uint8_t pid, PageNo addr) { return w().vma_lookup(ProcessId{pid}, addr); }
  Folio& folio_at(uint8_t pid, PageNo addr) {
    return w().folio(w().folio_of(w().proc(ProcessId{pid}).pt.find(addr)->pfn()));
  }
  std::unique_ptr<World> world_;
  std::unique_ptr<Runner> runner_;
};

bool fires(const std::vector<std::string>& properties, const std::string& property) {
  return std::find(properties.begin(), properties.end(), property) != properties.end();
}

// A parent with a faulted VMA, forked: two mms, a fork tree of two anon_vmas.
constexpr std::string_view kForked =
    "P0 mmap 0x100 4 rw\n"
    "P0 write 0x100 4\n"
    "P0 fork P1\n";

TEST_F(BrokenState, I1ChainOwn) {
  build(kForked);
  Check check = eager_check(check_i1_chain_own);
  ASSERT_TRUE(run(check).empty());
  w().vma(vma_at(1, 0x100)).anon = kNoAnon;  // forgets its anon_vma, keeps the chain
  EXPECT_TRUE(fires(run(check), "I1"));
}

TEST_F(BrokenState, I1OwnNotInChain) {
  build(kForked);
  Check check = eager_check(check_i1_chain_own);
  auto& chain = eager().forest_mut().chain_mut(vma_at(1, 0x100));
  chain.erase(chain.begin());  // drop the AVC of its own anon_vma
  EXPECT_TRUE(fires(run(check), "I1"));
}

TEST_F(BrokenState, I2TreeKeyStale) {
  build(kForked);
  Check check = eager_check(check_i2_tree_mirror);
  ASSERT_TRUE(run(check).empty());
  // vm_pgoff changed without the interval-tree pre/post update (B6's race).
  w().vma(vma_at(0, 0x100)).pgoff += 1;
  EXPECT_TRUE(fires(run(check), "I2"));
}

TEST_F(BrokenState, I2AvcMissingFromTree) {
  build(kForked);
  Check check = eager_check(check_i2_tree_mirror);
  AvcId avc = eager().forest_mut().chain(vma_at(1, 0x100)).front();
  auto& tree = eager().forest_mut().anon_vma_mut(eager().forest_mut().avc(avc).anon_vma).tree;
  tree.erase(std::find(tree.begin(), tree.end(), avc));
  EXPECT_TRUE(fires(run(check), "I2"));
}

TEST_F(BrokenState, I3MappingOutsideChain) {
  // Two unrelated fork trees: P0's 0x100 and 0x200 each have a root.
  build("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 mmap 0x200 1 r\nP0 mprotect 0x200 1 rw\nP0 write 0x200 1\n");
  Check check = eager_check(check_i3_reachability);
  ASSERT_TRUE(run(check).empty());
  folio_at(0, 0x100).mapping = w().vma(vma_at(0, 0x200)).anon;
  EXPECT_TRUE(fires(run(check), "I3"));
}

TEST_F(BrokenState, I4IndexNotLinear) {
  build(kForked);
  Check check = check_i4_index_linearity;
  ASSERT_TRUE(run(check).empty());
  folio_at(0, 0x101).index += 7;
  EXPECT_TRUE(fires(run(check), "I4"));
}

TEST_F(BrokenState, I5DifferentRoot) {
  build("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 mmap 0x200 1 r\nP0 mprotect 0x200 1 rw\nP0 write 0x200 1\n");
  Check check = eager_check(check_i5_same_root);
  ASSERT_TRUE(run(check).empty());
  folio_at(0, 0x100).mapping = w().vma(vma_at(0, 0x200)).anon;
  EXPECT_TRUE(fires(run(check), "I5"));
}

TEST_F(BrokenState, I6EqualOwnDifferentChains) {
  // Split siblings share an anon_vma and a chain.
  build("P0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 fork P1\nP1 mprotect 0x102 2 r\n");
  Check check = eager_check(check_i6_equal_own_equal_chain);
  ASSERT_TRUE(run(check).empty());
  auto& chain = eager().forest_mut().chain_mut(vma_at(1, 0x102));
  chain.pop_back();  // the sibling loses its link to the root
  EXPECT_TRUE(fires(run(check), "I6"));
}

TEST_F(BrokenState, I6OwnSharedAcrossProcesses) {
  build(kForked);
  Check check = eager_check(check_i6_equal_own_equal_chain);
  w().vma(vma_at(1, 0x100)).anon = w().vma(vma_at(0, 0x100)).anon;
  EXPECT_TRUE(fires(run(check), "I6"));
}

TEST_F(BrokenState, I7Counters) {
  build(kForked);
  Check check = eager_check(check_i7_counters);
  ASSERT_TRUE(run(check).empty());
  AnonVmaId own = anon_vma_of(w().vma(vma_at(1, 0x100)).anon);
  eager().forest_mut().anon_vma_mut(own).num_active_vmas++;
  EXPECT_TRUE(fires(run(check), "I7"));
  eager().forest_mut().anon_vma_mut(own).num_active_vmas--;
  ASSERT_TRUE(run(check).empty());
  AnonVmaId root = eager().forest_mut().anon_vma(own).root;
  eager().forest_mut().anon_vma_mut(root).num_children--;
  EXPECT_TRUE(fires(run(check), "I7"));
  eager().forest_mut().anon_vma_mut(root).num_children++;
  eager().forest_mut().anon_vma_mut(root).refcount++;
  EXPECT_TRUE(fires(run(check), "I7"));
}

TEST_F(BrokenState, I8FreedAnonVmaStillUsed) {
  build(kForked);
  Check check = eager_check(check_i8_lifetime);
  ASSERT_TRUE(run(check).empty());
  AnonVmaId own = anon_vma_of(w().vma(vma_at(0, 0x100)).anon);
  eager().forest_mut().anon_vma_mut(own).alive = false;
  EXPECT_TRUE(fires(run(check), "I8"));
}

TEST_F(BrokenState, I9ParentChainBroken) {
  build(kForked);
  Check check = eager_check(check_i9_fork_tree);
  ASSERT_TRUE(run(check).empty());
  AnonVmaId child = anon_vma_of(w().vma(vma_at(1, 0x100)).anon);
  eager().forest_mut().anon_vma_mut(child).parent = child;  // a non-root that is its own parent
  EXPECT_TRUE(fires(run(check), "I9"));
}

TEST_F(BrokenState, I10WritableSharedPage) {
  build(kForked);
  Check check = check_i10_exclusivity;
  ASSERT_TRUE(run(check).empty());
  w().proc(ProcessId{1}).pt.find(0x100)->writable = true;  // COW page made writable
  EXPECT_TRUE(fires(run(check), "I10"));
}

TEST_F(BrokenState, I11MergedVmaLosesReachability) {
  build("P0 mmap 0x100 4 rw\nP0 write 0x100 4\nP0 mprotect 0x102 2 r\nP0 mprotect 0x102 2 rw\n");
  Check check = eager_check(check_i11_merge_soundness);
  ASSERT_FALSE(w().events().merged.empty());  // the last mprotect merged
  ASSERT_TRUE(run(check).empty());
  eager().forest_mut().chain_mut(w().events().merged[0]).clear();
  EXPECT_TRUE(fires(run(check), "I11"));
}

TEST_F(BrokenState, RmapWalkMissesAMapping) {
  build(kForked);
  Check check = check_rmap_walks;
  ASSERT_TRUE(run(check).empty());
  // The child's AVC leaves the root's tree: the walk of the shared folios
  // no longer reaches P1.
  for (AvcId avc : eager().forest_mut().chain(vma_at(1, 0x100))) {
    auto& tree = eager().forest_mut().anon_vma_mut(eager().forest_mut().avc(avc).anon_vma).tree;
    auto it = std::find(tree.begin(), tree.end(), avc);
    if (it != tree.end()) tree.erase(it);
  }
  EXPECT_TRUE(fires(run(check), "rmap-missing"));
}

TEST_F(BrokenState, RmapWalkComputesWrongAddress) {
  ModelOptions options;
  options.large_folio_order = 2;
  build("P0 mmap 0x100 4 rw\nP0 write 0x100 1\n", options);
  Check check = check_rmap_walks;
  ASSERT_TRUE(run(check).empty());
  // The walk now computes page i's address one page too high: it finds page
  // i+1 there (and misses page 0).
  folio_at(0, 0x100).index -= 1;
  auto properties = run(check);
  EXPECT_TRUE(fires(properties, "rmap-extra"));
  EXPECT_TRUE(fires(properties, "rmap-missing"));
}

TEST_F(BrokenState, WalkOfFreedAnonVmaIsLifetime) {
  build(kForked);
  AnonVmaId root = anon_vma_of(folio_at(0, 0x100).mapping);
  eager().forest_mut().anon_vma_mut(root).alive = false;
  EXPECT_TRUE(fires(run(check_rmap_walks), "lifetime"));
}

TEST_F(BrokenState, PteToFreedFolio) {
  build(kForked);
  Check check = check_page_tables;
  ASSERT_TRUE(run(check).empty());
  folio_at(1, 0x100).alive = false;
  EXPECT_TRUE(fires(run(check), "lifetime"));
}

TEST_F(BrokenState, MapcountMismatch) {
  build(kForked);
  Check check = check_page_tables;
  w().page(w().proc(ProcessId{0}).pt.find(0x100)->pfn()).mapcount++;
  EXPECT_TRUE(fires(run(check), "mapcount"));
}

TEST_F(BrokenState, MigrationEntryLeftBehind) {
  build(kForked);
  Check check = check_page_tables;
  Pte& pte = *w().proc(ProcessId{0}).pt.find(0x100);
  pte = Pte::migration(pte.pfn(), false, false);
  EXPECT_TRUE(fires(run(check), "migration-entry-left"));
}

TEST_F(BrokenState, PteOutsideAnyVma) {
  build(kForked);
  w().proc(ProcessId{0}).pt.set(0x300, Pte::zero());
  EXPECT_TRUE(fires(run(check_page_tables), "page-table"));
}

TEST_F(BrokenState, VmasOverlap) {
  build("P0 mmap 0x100 2 rw\nP0 mmap 0x102 2 r\n");
  ASSERT_TRUE(run(check_vma_layout).empty());
  w().vma(vma_at(0, 0x100)).end = 0x103;
  EXPECT_TRUE(fires(run(check_vma_layout), "vma-layout"));
}

TEST_F(BrokenState, ContentsDiffer) {
  build(kForked);
  Check check = [this](const World& world, std::vector<Violation>& out) { check_contents(world, runner_->spec(), out); };
  ASSERT_TRUE(run(check).empty());
  // A COW bug: the child's write lands in the shared page.
  w().page(w().proc(ProcessId{1}).pt.find(0x101)->pfn()).content = 0xbad;
  EXPECT_TRUE(fires(run(check), "contents"));
}

TEST_F(BrokenState, KernelWarningReported) {
  build(kForked);
  ASSERT_TRUE(run(check_kernel_warnings).empty());
  w().events().warnings.push_back("anon_vma_merge: ...");
  EXPECT_TRUE(fires(run(check_kernel_warnings), "kernel-warn"));
}

TEST_F(BrokenState, LeakedFolio) {
  build(kForked);
  ASSERT_TRUE(run(check_folios).empty());
  // A folio nobody references must have been freed: allocate one and drop it.
  w().folio_alloc(0);
  EXPECT_TRUE(fires(run(check_folios), "lifetime"));
}

// ---- the checks' side-by-side walks (vma_cursor.h) --------------------------
// The checks find the VMA of each page-table entry by walking the VMA list
// alongside the page tables. It must answer what vma_lookup answers, page by
// page, holes included, and still catch an entry in a hole between VMAs.

// Every page of [0, end) in order, through a cursor, against vma_lookup.
void expect_cursor_matches_lookup(const World& w, ProcessId pid, PageNo end) {
  VmaCursor cursor(w, pid);
  for (PageNo page = 0; page < end; page++) {
    const VmaId want = w.vma_lookup(pid, page);
    const Vma* got = cursor.at(page);
    ASSERT_EQ(got ? got->id : kNoVma, want) << "page " << page;
  }
}

TEST_F(BrokenState, VmaCursorFindsWhatVmaLookupFinds) {
  build("P0 mmap 0x100 2 rw\nP0 mmap 0x102 2 r\nP0 mmap 0x110 3 rw\nP0 mmap 0x200 1 rw\n");
  ASSERT_TRUE(VmaCursor::sorted_and_disjoint(w(), w().proc(ProcessId{0}).vmas));
  expect_cursor_matches_lookup(w(), ProcessId{0}, 0x210);
}

TEST_F(BrokenState, VmaCursorOnOverlappingVmasAsksVmaLookup) {
  build("P0 mmap 0x100 2 rw\nP0 mmap 0x102 2 r\nP0 mmap 0x110 3 rw\n");
  w().vma(vma_at(0, 0x100)).end = 0x103;  // overlaps the next VMA
  ASSERT_FALSE(VmaCursor::sorted_and_disjoint(w(), w().proc(ProcessId{0}).vmas));
  expect_cursor_matches_lookup(w(), ProcessId{0}, 0x120);
}

TEST_F(BrokenState, PteInAHoleBetweenVmas) {
  build("P0 mmap 0x100 2 rw\nP0 write 0x100 2\nP0 mmap 0x110 2 rw\nP0 write 0x110 2\n");
  ASSERT_TRUE(run(check_page_tables).empty());
  w().proc(ProcessId{0}).pt.set(0x105, Pte::zero());
  std::vector<Violation> out;
  check_page_tables(w(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].property, "page-table");
  EXPECT_NE(out[0].message.find("P0:0x105"), std::string::npos) << out[0].message;
}

TEST_F(BrokenState, I4InTheSecondOfTwoVmas) {
  // Entries in two VMAs: the second VMA's entries are judged against it.
  build("P0 mmap 0x100 2 rw\nP0 write 0x100 2\nP0 mmap 0x110 2 rw\nP0 write 0x110 2\n");
  ASSERT_TRUE(run(check_i4_index_linearity).empty());
  folio_at(0, 0x111).index += 1;
  std::vector<Violation> out;
  check_i4_index_linearity(w(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].message.find("P0:0x111"), std::string::npos) << out[0].message;
}

TEST_F(BrokenState, SpecPageWithoutEntryReadsZero) {
  build(kForked);
  Check check = [this](const World& world, std::vector<Violation>& out) { check_contents(world, runner_->spec(), out); };
  ASSERT_TRUE(run(check).empty());
  // The page table loses an entry the specification says holds data.
  w().proc(ProcessId{1}).pt.clear(0x102);
  std::vector<Violation> out;
  check(w(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].property, "contents");
  EXPECT_NE(out[0].message.find("P1:0x102 reads 0 (no page)"), std::string::npos) << out[0].message;
}

TEST_F(BrokenState, RmapMissesReportedInFolioThenPageTableOrder) {
  build(kForked);
  // Take P1 out of every walk: each shared folio misses its P1 mapping. The
  // reports come folio by folio, in folio order.
  for (AvcId avc : eager().forest_mut().chain(vma_at(1, 0x100))) {
    auto& tree = eager().forest_mut().anon_vma_mut(eager().forest_mut().avc(avc).anon_vma).tree;
    auto it = std::find(tree.begin(), tree.end(), avc);
    if (it != tree.end()) tree.erase(it);
  }
  std::vector<Violation> out;
  check_rmap_walks(w(), out);
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < out.size(); i++) {
    EXPECT_EQ(out[i].property, "rmap-missing");
    const PageNo page = 0x100 + i;
    const std::string folio = fmt::format("folio {} ", idx(folio_at(1, page).id));
    EXPECT_EQ(out[i].message.rfind(folio, 0), 0u) << out[i].message;
    EXPECT_NE(out[i].message.find(fmt::format("mapped at P1:{}", hex(page))), std::string::npos) << out[i].message;
  }
}

TEST_F(BrokenState, I3AndI5WithOverlappingVmas) {
  // With a broken layout each VMA's entries are looked up on their own: the
  // anon_vma checks still see a folio of another fork tree.
  build("P0 mmap 0x100 1 rw\nP0 write 0x100 1\nP0 mmap 0x200 1 r\nP0 mprotect 0x200 1 rw\nP0 write 0x200 1\n");
  folio_at(0, 0x100).mapping = w().vma(vma_at(0, 0x200)).anon;
  w().vma(vma_at(0, 0x100)).end = 0x201;  // now overlaps the second VMA
  EXPECT_TRUE(fires(run(eager_check(check_i3_reachability)), "I3"));
  EXPECT_TRUE(fires(run(eager_check(check_i5_same_root)), "I5"));
}

}  // namespace
}  // namespace rmc
