# geometry_mutants.cmake - tests that fail if a formula in geometry.h changes.
#
# Each mutant is a copy of model/core/geometry.h with one formula altered
# (an operator flipped, an off-by-one, a check dropped). The obligation
# sources are compiled against that copy instead of the real header, and
# the mutant's test passes only if at least one obligation then gets a
# verdict other than the one it expects: the obligations notice the change.
# A mutant whose ORIGINAL text no longer occurs exactly once in geometry.h
# becomes a failing test that says so (update the table below).

set(RMC_GEOMETRY "${CMAKE_SOURCE_DIR}/model/core/geometry.h")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${RMC_GEOMETRY}")
file(READ "${RMC_GEOMETRY}" RMC_GEOMETRY_TEXT)

function(rmc_geometry_mutant name original replacement)
  string(FIND "${RMC_GEOMETRY_TEXT}" "${original}" first)
  string(FIND "${RMC_GEOMETRY_TEXT}" "${original}" last REVERSE)
  if(first EQUAL -1 OR NOT first EQUAL last)
    add_test(NAME GeometryMutant.${name}
      COMMAND ${CMAKE_COMMAND} -E echo
        "geometry mutant ${name}: its original text is not in geometry.h exactly once; update proofs/tests/geometry_mutants.cmake")
    set_tests_properties(GeometryMutant.${name} PROPERTIES WILL_FAIL ON)
    return()
  endif()
  string(REPLACE "${original}" "${replacement}" mutated "${RMC_GEOMETRY_TEXT}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/mutants/${name}")
  file(CONFIGURE OUTPUT "${dir}/model/core/geometry.h" CONTENT "${mutated}" @ONLY)
  add_executable(rmc_geometry_mutant_${name} mutant_main.cpp ${RMC_OBLIGATION_SOURCES})
  # The mutant header first: every #include "model/core/geometry.h" finds it.
  target_include_directories(rmc_geometry_mutant_${name} BEFORE PRIVATE "${dir}")
  target_link_libraries(rmc_geometry_mutant_${name} PRIVATE rmc_proof_engine)
  target_compile_definitions(rmc_geometry_mutant_${name} PRIVATE RMC_MUTANT="${name}")
  # One translation unit, unoptimised: the mutants cost build time, not run time.
  set_target_properties(rmc_geometry_mutant_${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  target_compile_options(rmc_geometry_mutant_${name} PRIVATE -O0)
  add_test(NAME GeometryMutant.${name} COMMAND rmc_geometry_mutant_${name})
endfunction()

rmc_geometry_mutant(mapping_base [=[return start - pgoff]=] [=[return start + pgoff]=])
rmc_geometry_mutant(new_anon_pgoff [=[W new_anon_pgoff(const W& addr) {
  return addr]=] [=[W new_anon_pgoff(const W& addr) {
  return addr + 1]=])
rmc_geometry_mutant(linear_page_index [=[return pgoff + (addr - start)]=] [=[return pgoff + (start - addr)]=])
rmc_geometry_mutant(page_address [=[return start + (index - pgoff)]=] [=[return start + (pgoff - index)]=])
rmc_geometry_mutant(address_in_range [=[return ult(addr - start, end - start)]=]
                    [=[return ule(addr - start, end - start)]=])
rmc_geometry_mutant(split_upper_pgoff [=[return pgoff + (at - start)]=] [=[return pgoff + (at - start) + 1]=])
rmc_geometry_mutant(pgoff_continues [=[== next_pgoff]=] [=[== next_pgoff + 1]=])
rmc_geometry_mutant(merge_down_pgoff [=[return pgoff - (start - new_start)]=] [=[return pgoff + (start - new_start)]=])
rmc_geometry_mutant(mremap_pgoff_faulted [=[return pgoff + (old_addr - start)]=] [=[return pgoff]=])
rmc_geometry_mutant(mremap_pgoff_unfaulted [=[W mremap_pgoff_unfaulted(const W& new_addr) {
  return new_addr]=] [=[W mremap_pgoff_unfaulted(const W& new_addr) {
  return new_addr + 1]=])
rmc_geometry_mutant(stack_growth_allowed [=[return ule(grow, pgoff)]=] [=[return ule(grow, pgoff + 1)]=])
rmc_geometry_mutant(stack_growth_pgoff [=[return pgoff - grow]=] [=[return pgoff + grow]=])
rmc_geometry_mutant(relocated_start [=[return start - shift]=] [=[return start + shift]=])
rmc_geometry_mutant(lazy_root_address [=[return mapping_base(root_start, root_pgoff) + index]=]
                    [=[return mapping_base(root_start, root_pgoff) - index]=])
rmc_geometry_mutant(base0_address [=[W base0_address(const W& index) {
  return index]=] [=[W base0_address(const W& index) {
  return index + 1]=])
rmc_geometry_mutant(lazy_walk_accepts_range
                    [=[address_in_range(vma_start, vma_end, lazy_root_address(root_start, root_pgoff, index))]=]
                    [=[address_in_range(vma_start, vma_end, index)]=])
rmc_geometry_mutant(lazy_walk_accepts_base
                    [=[mapping_base(vma_start, vma_pgoff) == mapping_base(root_start, root_pgoff)]=]
                    [=[mapping_base(vma_start, vma_pgoff) == mapping_base(vma_start, vma_pgoff)]=])
rmc_geometry_mutant(base0_walk_accepts [=[mapping_base(vma_start, vma_pgoff) == 0]=]
                    [=[mapping_base(vma_start, vma_pgoff) == 1]=])
rmc_geometry_mutant(vma_last_pgoff [=[return pgoff + (end - start) - 1]=] [=[return pgoff + (end - start)]=])
rmc_geometry_mutant(folio_last_index [=[return index + nr - 1]=] [=[return index + nr]=])
rmc_geometry_mutant(interval_overlaps [=[return ule(vma_first, last) && ule(first, vma_last)]=]
                    [=[return ult(vma_first, last) && ule(first, vma_last)]=])
