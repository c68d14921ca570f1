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
 (= stack.end (_ bv4096 64)))
(assert
 (= stack.start (_ bv4095 64)))
(assert
 (= page (_ bv4095 64)))
(assert
 (= shift (_ bv1 64)))
(assert
 (let ((?x34 (bvsub page shift)))
 (let ((?x11 (bvsub page stack.start)))
 (let ((?x33 (bvadd stack.start ?x11)))
 (let (($x35 (= ?x33 ?x34)))
 (let (($x36 (not $x35)))
 (let (($x18 (and (bvule (_ bv1 64) (bvsub stack.end stack.start)) (bvule (bvsub stack.end stack.start) (_ bv64 64)))))
 (let (($x26 (and (and (and $x18 (bvule (_ bv256 64) stack.start)) (bvult stack.start (_ bv4096 64))) (bvule (bvsub stack.end stack.start) (bvsub (_ bv4096 64) stack.start)))))
 (let (($x32 (and (and (and $x26 (bvule (_ bv1 64) shift)) (bvule shift (_ bv256 64))) (bvule shift stack.start))))
 (let ((?x10 (bvsub stack.end stack.start)))
 (let (($x12 (bvult ?x11 ?x10)))
 (let (($x7 (bvult stack.start stack.end)))
 (and $x7 $x12 $x32 $x36)))))))))))))
(check-sat)
