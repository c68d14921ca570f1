; rmapcheck prove: obligation split.page_index_kept
; claim: every page of the upper piece has the linear index it had before the split
; expected: proved (the query, hypotheses and negated claim, is unsat)
; split.page_index_kept
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun vma.start () (_ BitVec 64))
(declare-fun addr () (_ BitVec 64))
(declare-fun vma.pgoff () (_ BitVec 64))
(declare-fun at () (_ BitVec 64))
(declare-fun vma.end () (_ BitVec 64))
(assert
 (let ((?x17 (bvsub addr at)))
 (let (($x22 (= (bvadd (bvadd vma.pgoff (bvsub at vma.start)) ?x17) (bvadd vma.pgoff (bvsub addr vma.start)))))
 (let (($x23 (not $x22)))
 (let (($x18 (bvult ?x17 (bvsub vma.end at))))
 (let (($x12 (and (bvult vma.start at) (bvult at vma.end))))
 (let (($x8 (bvult vma.start vma.end)))
 (and $x8 $x12 $x18 $x23))))))))
(check-sat)
