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

#include <functional>
#include <string>
#include <vector>

#include "model/core/types.h"

namespace rmc {

class World;

// The picture primitives, shared with the kernel oracle's pictures
// (kernel/observation.cpp) so both sides of a comparison look alike.
//
// Address ranges closer than this are drawn in one picture; a picture is at
// most kMaxPictureWidth pages wide (longer ranges are cut, the VMA table still
// lists them).
inline constexpr PageNo kJoinGapPages = 8;
inline constexpr PageNo kMaxPictureWidth = 128;
struct PageSpan {
  PageNo start, end;
};
// The pictures to draw for these VMA ranges (any order): sorted, ranges
// closer than kJoinGapPages joined.
std::vector<PageSpan> join_spans(std::vector<PageSpan> ranges);
// Address labels every 16 pages; the first is always whole, even if wider
// than a narrow picture.
std::string layout_ruler(PageNo start, PageNo width);
// The frame of a picture over these spans: "..." between spans, a ruler
// above each, a note where a span was cut at kMaxPictureWidth; in between,
// rows(start, width, out) appends each process's rows for one span.
std::string draw_spans(const std::vector<PageSpan>& spans,
                       const std::function<void(PageNo start, PageNo width, std::string& out)>& rows);

// Pictures of every live process, over the address ranges that hold VMAs.
std::string render_layout(const World& w);
// One line per VMA: letter, range, prot, pgoff, flags, anon state.
std::string render_vma_table(const World& w);
// The legend above, for the top of a report.
std::string layout_legend();

}  // namespace rmc
