; rmapcheck prove: obligation split.base_kept
; claim: both pieces of a split have the base of the VMA they came from
; expected: proved (the query, hypotheses and negated claim, is unsat)
; split.base_kept
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun vma.pgoff () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun at () (_ BitVec 64))
(declare-fun vma.end () (_ BitVec 64))
(assert
 (let ((?x15 (bvsub vma.start vma.pgoff)))
 (let (($x19 (and (= ?x15 ?x15) (= (bvsub at (bvadd vma.pgoff (bvsub at vma.start))) ?x15))))
 (let (($x20 (not $x19)))
 (let (($x12 (and (bvult vma.start at) (bvult at vma.end))))
 (let (($x8 (bvult vma.start vma.end)))
 (and $x8 $x12 $x20)))))))
(check-sat)
