; rmapcheck prove: obligation exec.base0_loses_relocated_pages
; claim: the base==0 variant computes a relocated stack page's old address (it must leave lazy mode)
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; exec.base0_loses_relocated_pages
(set-info :status sat)
(set-logic QF_BV)
(declare-fun stack.end () (_ BitVec 64))
(declare-fun stack.start () (_ BitVec 64))
(declare-fun page () (_ BitVec 64))
(declare-fun shift () (_ BitVec 64))
(assert
 (= stack.end (_ bv2 64)))
(assert
 (= stack.start (_ bv0 64)))
(assert
 (= page (_ bv1 64)))
(assert
 (= shift (_ bv1 64)))
(assert
 (let ((?x14 (bvsub page shift)))
 (let ((?x11 (bvsub page stack.start)))
 (let ((?x13 (bvadd stack.start ?x11)))
 (let (($x15 (= ?x13 ?x14)))
 (let (($x16 (not $x15)))
 (let (($x12 (bvult ?x11 (bvsub stack.end stack.start))))
 (let (($x7 (bvult stack.start stack.end)))
 (and $x7 $x12 $x16)))))))))
(check-sat)
