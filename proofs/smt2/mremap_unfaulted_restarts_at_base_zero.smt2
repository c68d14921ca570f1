; rmapcheck prove: obligation mremap.unfaulted_restarts_at_base_zero
; claim: an unfaulted VMA moved by mremap gets pgoff = new address, base 0, as if freshly mapped
; expected: proved (the query, hypotheses and negated claim, is unsat)
; mremap.unfaulted_restarts_at_base_zero
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun new () (_ BitVec 64))
(assert
 (let (($x8 (= (bvsub new new) (_ bv0 64))))
 (let (($x9 (not $x8)))
 (and $x9))))
(check-sat)
