// options.cpp - option lines: "option NAME VALUE".
#include "model/core/options.h"

#include <fmt/format.h>

#include <array>

#include "model/core/bounds.h"
#include "model/core/op_table.h"

namespace rmc {

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Bug::kCount)> kBugNames = {
    "B3", "B4", "B12", "B16", "B17"};

std::optional<bool> parse_switch(std::string_view value) {
  if (value == "on") return true;
  if (value == "off") return false;
  return std::nullopt;
}

// An on|off option a trace may give once.
std::optional<std::string> apply_switch(std::string_view name, std::string_view value, bool& given, bool& field) {
  if (given) return fmt::format("{} given twice", name);
  given = true;
  auto on = parse_switch(value);
  if (!on) return fmt::format("{} is on or off, not '{}'", name, value);
  field = *on;
  return std::nullopt;
}

// One lazy.* option: its name, its two values (the default first), and
// where it lives in LazyOptions, read and written as 0 / 1.
struct LazyChoice {
  std::string_view name;
  std::string_view values[2];
  int (*get)(const LazyOptions&);
  void (*set)(LazyOptions&, int);
};

constexpr LazyChoice kLazyChoices[] = {
    {"upgrade", {"vma", "root"}, [](const LazyOptions& o) { return static_cast<int>(o.upgrade); },
     [](LazyOptions& o, int v) { o.upgrade = static_cast<LazyOptions::UpgradeScope>(v); }},
    {"repoint", {"copied", "all"}, [](const LazyOptions& o) { return static_cast<int>(o.repoint); },
     [](LazyOptions& o, int v) { o.repoint = static_cast<LazyOptions::Repoint>(v); }},
    {"walk", {"one", "all"}, [](const LazyOptions& o) { return static_cast<int>(o.walk); },
     [](LazyOptions& o, int v) { o.walk = static_cast<LazyOptions::Walk>(v); }},
    {"swapin", {"converted", "unconverted"}, [](const LazyOptions& o) { return static_cast<int>(o.swapin); },
     [](LazyOptions& o, int v) { o.swapin = static_cast<LazyOptions::Swapin>(v); }},
    {"mremap_fix_swap", {"off", "on"}, [](const LazyOptions& o) { return static_cast<int>(o.mremap_fix_swap); },
     [](LazyOptions& o, int v) { o.mremap_fix_swap = v; }},
    {"count_tree_parent", {"off", "on"}, [](const LazyOptions& o) { return static_cast<int>(o.count_tree_parent); },
     [](LazyOptions& o, int v) { o.count_tree_parent = v; }},
    {"merge", {"refuse", "upgrade"}, [](const LazyOptions& o) { return static_cast<int>(o.merge); },
     [](LazyOptions& o, int v) { o.merge = static_cast<LazyOptions::Merge>(v); }},
    {"repoint_swap", {"off", "on"}, [](const LazyOptions& o) { return static_cast<int>(o.repoint_swap); },
     [](LazyOptions& o, int v) { o.repoint_swap = v; }},
    {"parent_upgrade", {"new", "reuse"}, [](const LazyOptions& o) { return static_cast<int>(o.parent_upgrade); },
     [](LazyOptions& o, int v) { o.parent_upgrade = static_cast<LazyOptions::ParentUpgrade>(v); }},
    {"parent_cow", {"parent", "upgrade"}, [](const LazyOptions& o) { return static_cast<int>(o.parent_cow); },
     [](LazyOptions& o, int v) { o.parent_cow = static_cast<LazyOptions::ParentCow>(v); }},
    {"addr_check", {"modular", "naive"}, [](const LazyOptions& o) { return static_cast<int>(o.addr_check); },
     [](LazyOptions& o, int v) { o.addr_check = static_cast<LazyOptions::AddrCheck>(v); }},
    {"base0_exec", {"leave", "stay"}, [](const LazyOptions& o) { return static_cast<int>(o.base0_exec); },
     [](LazyOptions& o, int v) { o.base0_exec = static_cast<LazyOptions::Base0Exec>(v); }},
    {"migration_ref", {"held", "none"}, [](const LazyOptions& o) { return static_cast<int>(o.migration_ref); },
     [](LazyOptions& o, int v) { o.migration_ref = static_cast<LazyOptions::MigrationRef>(v); }},
    {"mremap_fix_migration", {"on", "off"}, [](const LazyOptions& o) { return static_cast<int>(!o.mremap_fix_migration); },
     [](LazyOptions& o, int v) { o.mremap_fix_migration = !v; }},
    {"uffd_move", {"move", "eagain"}, [](const LazyOptions& o) { return static_cast<int>(o.uffd_move); },
     [](LazyOptions& o, int v) { o.uffd_move = static_cast<LazyOptions::UffdMove>(v); }},
    {"prepare_race", {"plain", "atomic"}, [](const LazyOptions& o) { return static_cast<int>(o.prepare_race); },
     [](LazyOptions& o, int v) { o.prepare_race = static_cast<LazyOptions::PrepareRace>(v); }},
    {"base_read", {"torn", "stable"}, [](const LazyOptions& o) { return static_cast<int>(o.base_read); },
     [](LazyOptions& o, int v) { o.base_read = static_cast<LazyOptions::BaseRead>(v); }},
};

}  // namespace

std::string_view bug_name(Bug bug) { return kBugNames[static_cast<size_t>(bug)]; }

std::optional<Bug> bug_from_name(std::string_view name) {
  for (size_t i = 0; i < kBugNames.size(); i++)
    if (kBugNames[i] == name) return static_cast<Bug>(i);
  return std::nullopt;
}

std::optional<std::string> apply_option(ModelOptions& options, std::string_view name,
                                        std::string_view value) {
  if (name == "large_folio_order") {
    if (options.large_folio_order_set) return std::string("large_folio_order given twice");
    options.large_folio_order_set = true;
    auto order = parse_number(value);
    if (!order || *order > kMaxFolioOrder)
      return fmt::format("large_folio_order must be 0-{}, not '{}'", kMaxFolioOrder, value);
    options.large_folio_order = static_cast<uint32_t>(*order);
    return std::nullopt;
  }
  if (name == "swapcache_after_pageout")
    return apply_switch(name, value, options.swapcache_after_pageout_set, options.swapcache_after_pageout);
  if (name == "stack_pgoff_guard")
    return apply_switch(name, value, options.stack_pgoff_guard_set, options.stack_pgoff_guard);
  if (name == "mmap_pgoff_check")
    return apply_switch(name, value, options.mmap_pgoff_check_set, options.mmap_pgoff_check);
  if (name == "bug") {
    auto bug = bug_from_name(value);
    if (!bug) return fmt::format("unknown bug '{}' (B3 B4 B12 B16 B17)", value);
    if (options.bug(*bug)) return fmt::format("bug {} given twice", value);
    options.set_bug(*bug);
    return std::nullopt;
  }
  if (name.substr(0, 5) == "lazy.") {
    for (const LazyChoice& choice : kLazyChoices) {
      if (name.substr(5) != choice.name) continue;
      for (int v = 0; v < 2; v++)
        if (value == choice.values[v]) {
          choice.set(options.lazy, v);
          return std::nullopt;
        }
      return fmt::format("{} is {} or {}, not '{}'", name, choice.values[0], choice.values[1], value);
    }
    std::string names;
    for (const LazyChoice& choice : kLazyChoices) names += fmt::format(" lazy.{}", choice.name);
    return fmt::format("unknown lazy option '{}' (options:{})", name, names);
  }
  if (name == "cowctx.shared_swapin") {
    if (value == "root") options.cowctx.shared_swapin = CowContextOptions::SharedSwapin::kRoot;
    else if (value == "faulting") options.cowctx.shared_swapin = CowContextOptions::SharedSwapin::kFaulting;
    else return fmt::format("cowctx.shared_swapin is root or faulting, not '{}'", value);
    return std::nullopt;
  }
  if (name == "cowctx.fork_child_check") {
    if (value == "unchanged") options.cowctx.fork_child_check = CowContextOptions::ForkChildCheck::kUnchanged;
    else if (value == "none") options.cowctx.fork_child_check = CowContextOptions::ForkChildCheck::kNone;
    else return fmt::format("cowctx.fork_child_check is unchanged or none, not '{}'", value);
    return std::nullopt;
  }
  return fmt::format("unknown option '{}' (large_folio_order swapcache_after_pageout stack_pgoff_guard mmap_pgoff_check bug lazy.* cowctx.*)", name);
}

std::string canonical_option_value(std::string_view name, std::string_view value) {
  if (name == "large_folio_order")
    if (auto order = parse_number(value)) return std::to_string(*order);
  return std::string(value);
}

std::vector<std::pair<std::string, std::string>> option_lines(const ModelOptions& options) {
  std::vector<std::pair<std::string, std::string>> lines;
  const ModelOptions defaults;
  if (options.large_folio_order != defaults.large_folio_order)
    lines.push_back({"large_folio_order", std::to_string(options.large_folio_order)});
  if (options.swapcache_after_pageout != defaults.swapcache_after_pageout)
    lines.push_back({"swapcache_after_pageout", options.swapcache_after_pageout ? "on" : "off"});
  if (options.stack_pgoff_guard != defaults.stack_pgoff_guard)
    lines.push_back({"stack_pgoff_guard", options.stack_pgoff_guard ? "on" : "off"});
  if (options.mmap_pgoff_check != defaults.mmap_pgoff_check)
    lines.push_back({"mmap_pgoff_check", options.mmap_pgoff_check ? "on" : "off"});
  for (size_t i = 0; i < kBugNames.size(); i++)
    if (options.bug(static_cast<Bug>(i))) lines.push_back({"bug", std::string(kBugNames[i])});
  for (const LazyChoice& choice : kLazyChoices) {
    const int value = choice.get(options.lazy);
    if (value != 0) lines.push_back({fmt::format("lazy.{}", choice.name), std::string(choice.values[value])});
  }
  if (options.cowctx.shared_swapin != CowContextOptions::SharedSwapin::kRoot)
    lines.push_back({"cowctx.shared_swapin", "faulting"});
  if (options.cowctx.fork_child_check != CowContextOptions::ForkChildCheck::kUnchanged)
    lines.push_back({"cowctx.fork_child_check", "none"});
  return lines;
}

}  // namespace rmc
