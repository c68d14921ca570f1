; rmapcheck prove: obligation merge.equal_base_means_contiguous
; claim: two adjacent VMAs with equal bases pass the merge test's pgoff contiguity
; expected: proved (the query, hypotheses and negated claim, is unsat)
; merge.equal_base_means_contiguous
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun next.pgoff () (_ BitVec 64))
(declare-fun prev.start () (_ BitVec 64))
(declare-fun prev.end () (_ BitVec 64))
(declare-fun prev.pgoff () (_ BitVec 64))
(declare-fun next.end () (_ BitVec 64))
(assert
 (let (($x17 (= (bvadd prev.pgoff (bvsub prev.end prev.start)) next.pgoff)))
 (let (($x18 (not $x17)))
 (let (($x14 (= (bvsub prev.end next.pgoff) (bvsub prev.start prev.pgoff))))
 (let (($x11 (bvult prev.end next.end)))
 (let (($x8 (bvult prev.start prev.end)))
 (and $x8 $x11 $x14 $x18)))))))
(check-sat)
