; rmapcheck prove: obligation stack.guard_keeps_pgoffs_from_wrapping
; claim: with expand_downwards' guard (grow <= vm_pgoff) the grown stack's page offsets do not wrap
; expected: proved (the query, hypotheses and negated claim, is unsat)
; stack.guard_keeps_pgoffs_from_wrapping
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun new_start () (_ BitVec 64))
(declare-fun stack.end () (_ BitVec 64))
(declare-fun stack.start () (_ BitVec 64))
(declare-fun stack.pgoff () (_ BitVec 64))
(assert
 (let ((?x16 (bvsub stack.start new_start)))
 (let ((?x18 (bvsub stack.pgoff ?x16)))
 (let (($x22 (bvule ?x18 (bvsub (bvadd ?x18 (bvsub stack.end new_start)) (_ bv1 64)))))
 (let (($x23 (not $x22)))
 (let (($x17 (bvule ?x16 stack.pgoff)))
 (let (($x15 (bvult new_start stack.start)))
 (let (($x13 (bvule stack.pgoff (bvsub (bvadd stack.pgoff (bvsub stack.end stack.start)) (_ bv1 64)))))
 (let (($x8 (bvult stack.start stack.end)))
 (and $x8 $x13 $x15 $x17 $x23))))))))))
(check-sat)
