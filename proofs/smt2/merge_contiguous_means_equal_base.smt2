; rmapcheck prove: obligation merge.contiguous_means_equal_base
; claim: if next's pgoff continues prev's (the merge test), next has prev's base
; expected: proved (the query, hypotheses and negated claim, is unsat)
; merge.contiguous_means_equal_base
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun prev.pgoff () (_ BitVec 64))
(declare-fun prev.start () (_ BitVec 64))
(declare-fun next.pgoff () (_ BitVec 64))
(declare-fun prev.end () (_ BitVec 64))
(declare-fun next.end () (_ BitVec 64))
(assert
 (let (($x17 (= (bvsub prev.end next.pgoff) (bvsub prev.start prev.pgoff))))
 (let (($x18 (not $x17)))
 (let (($x14 (= (bvadd prev.pgoff (bvsub prev.end prev.start)) next.pgoff)))
 (let (($x11 (bvult prev.end next.end)))
 (let (($x8 (bvult prev.start prev.end)))
 (and $x8 $x11 $x14 $x18)))))))
(check-sat)
