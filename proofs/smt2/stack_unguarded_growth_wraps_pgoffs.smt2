; rmapcheck prove: obligation stack.unguarded_growth_wraps_pgoffs
; claim: without the guard, a stack growing by more than vm_pgoff pages wraps its page offsets
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; stack.unguarded_growth_wraps_pgoffs
(set-info :status sat)
(set-logic QF_BV)
(declare-fun stack.end () (_ BitVec 64))
(declare-fun stack.start () (_ BitVec 64))
(declare-fun stack.pgoff () (_ BitVec 64))
(declare-fun new_start () (_ BitVec 64))
(assert
 (= stack.end (_ bv2 64)))
(assert
 (= stack.start (_ bv1 64)))
(assert
 (= stack.pgoff (_ bv0 64)))
(assert
 (= new_start (_ bv0 64)))
(assert
 (let ((?x17 (bvsub stack.pgoff (bvsub stack.start new_start))))
 (let (($x21 (bvule ?x17 (bvsub (bvadd ?x17 (bvsub stack.end new_start)) (_ bv1 64)))))
 (let (($x22 (not $x21)))
 (let (($x15 (bvult new_start stack.start)))
 (let (($x13 (bvule stack.pgoff (bvsub (bvadd stack.pgoff (bvsub stack.end stack.start)) (_ bv1 64)))))
 (let (($x8 (bvult stack.start stack.end)))
 (and $x8 $x13 $x15 $x22))))))))
(check-sat)
