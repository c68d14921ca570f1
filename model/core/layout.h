// layout.h - address-space pictures in the style of the kernel's
// tools/testing/vma tests, for replay output and reports.
//
//            0x100           0x110
//   P0       AAAAAbbbbb      CC
//            xx~~.  ..       s0
//
// First row: one letter per page for each VMA of the process, A, B, C ... in
// address order; upper case if the VMA has anon state (faulted), lower case
// if not. Second row, the page-table entry of each page:
//   x present, AnonExclusive     ~ present, not exclusive (COW) 0 zero page
//   s swap entry                 m migration entry          . none
#pragma once

#include <string>

namespace rmc {

class World;

// Pictures of every live process, over the address ranges that hold VMAs.
std::string render_layout(const World& w);
// One line per VMA: letter, range, prot, pgoff, flags, anon state.
std::string render_vma_table(const World& w);
// The legend above, for the top of a report.
std::string layout_legend();

}  // namespace rmc
