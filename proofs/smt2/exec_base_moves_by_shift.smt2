; rmapcheck prove: obligation exec.base_moves_by_shift
; claim: relocate_vma_down moves the stack by shift and keeps vm_pgoff: base - shift
; expected: proved (the query, hypotheses and negated claim, is unsat)
; exec.base_moves_by_shift
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun shift () (_ BitVec 64))
(declare-fun stack.pgoff () (_ BitVec 64))
(declare-fun stack.start () (_ BitVec 64))
(declare-fun stack.end () (_ BitVec 64))
(assert
 (let (($x14 (= (bvsub (bvsub stack.start shift) stack.pgoff) (bvsub (bvsub stack.start stack.pgoff) shift))))
 (let (($x15 (not $x14)))
 (let (($x8 (bvult stack.start stack.end)))
 (and $x8 $x15)))))
(check-sat)
