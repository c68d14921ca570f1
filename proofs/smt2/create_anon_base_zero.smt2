; rmapcheck prove: obligation create.anon_base_zero
; claim: a new private anonymous VMA (mmap, brk, the exec stack) has vma_mapping_base 0
; expected: proved (the query, hypotheses and negated claim, is unsat)
; create.anon_base_zero
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun addr () (_ BitVec 64))
(assert
 (let (($x8 (= (bvsub addr addr) (_ bv0 64))))
 (let (($x9 (not $x8)))
 (and $x9))))
(check-sat)
