; rmapcheck prove: obligation large_folio.one_vma_walk_misses_pages
; claim: the VMA covering a straddling folio's head does not cover all its pages: a one-VMA walk misses some
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; large_folio.one_vma_walk_misses_pages
(set-info :status sat)
(set-logic QF_BV)
(declare-fun vma.end () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun head () (_ BitVec 64))
(declare-fun at () (_ BitVec 64))
(declare-fun subpage () (_ BitVec 64))
(assert
 (= vma.end (_ bv260 64)))
(assert
 (= vma.start (_ bv256 64)))
(assert
 (= head (_ bv256 64)))
(assert
 (= at (_ bv257 64)))
(assert
 (= subpage (_ bv1 64)))
(assert
 (let (($x33 (bvult head at)))
 (let ((?x46 (ite $x33 vma.start at)))
 (let (($x51 (bvult (bvsub (bvadd head subpage) ?x46) (bvsub (ite $x33 at vma.end) ?x46))))
 (let (($x38 (not $x51)))
 (let (($x45 (= (bvand head (_ bv3 64)) (_ bv0 64))))
 (let (($x37 (bvult subpage (_ bv4 64))))
 (let (($x36 (and $x33 (bvult (bvsub at head) (_ bv4 64)))))
 (let (($x32 (and (bvult (bvsub head vma.start) (bvsub vma.end vma.start)) (bvule (_ bv4 64) (bvsub vma.end head)))))
 (let (($x14 (and (bvule (_ bv1 64) (bvsub vma.end vma.start)) (bvule (bvsub vma.end vma.start) (_ bv64 64)))))
 (let (($x22 (and (and (and $x14 (bvule (_ bv256 64) vma.start)) (bvult vma.start (_ bv4096 64))) (bvule (bvsub vma.end vma.start) (bvsub (_ bv4096 64) vma.start)))))
 (let (($x7 (bvult vma.start vma.end)))
 (and $x7 $x22 $x32 $x36 $x37 $x45 $x38)))))))))))))
(check-sat)
