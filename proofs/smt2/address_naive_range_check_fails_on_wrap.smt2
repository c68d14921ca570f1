; rmapcheck prove: obligation address.naive_range_check_fails_on_wrap
; claim: a sanity check 'addr >= base' rejects the pages of a VMA whose base wraps
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; address.naive_range_check_fails_on_wrap
(set-info :status sat)
(set-logic QF_BV)
(declare-fun vma.end () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun addr () (_ BitVec 64))
(declare-fun vma.pgoff () (_ BitVec 64))
(assert
 (= vma.end (_ bv257 64)))
(assert
 (= vma.start (_ bv256 64)))
(assert
 (= addr (_ bv256 64)))
(assert
 (= vma.pgoff (_ bv257 64)))
(assert
 (let ((?x32 (bvsub vma.start vma.pgoff)))
 (let (($x33 (bvule ?x32 addr)))
 (let (($x14 (not $x33)))
 (let (($x20 (and (bvule (_ bv1 64) (bvsub vma.end vma.start)) (bvule (bvsub vma.end vma.start) (_ bv64 64)))))
 (let (($x28 (and (and (and $x20 (bvule (_ bv256 64) vma.start)) (bvult vma.start (_ bv4096 64))) (bvule (bvsub vma.end vma.start) (bvsub (_ bv4096 64) vma.start)))))
 (let (($x31 (and $x28 (bvule vma.pgoff (_ bv2251799813685247 64)))))
 (let (($x13 (bvult vma.start vma.pgoff)))
 (let ((?x10 (bvsub vma.end vma.start)))
 (let (($x12 (bvult (bvsub addr vma.start) ?x10)))
 (let (($x8 (bvult vma.start vma.end)))
 (and $x8 $x12 $x13 $x31 $x14))))))))))))
(check-sat)
