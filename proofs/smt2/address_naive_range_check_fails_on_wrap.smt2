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
 (= vma.end (_ bv1 64)))
(assert
 (= vma.start (_ bv0 64)))
(assert
 (= addr (_ bv0 64)))
(assert
 (= vma.pgoff (_ bv1 64)))
(assert
 (let ((?x15 (bvsub vma.start vma.pgoff)))
 (let (($x16 (bvule ?x15 addr)))
 (let (($x14 (not $x16)))
 (let (($x13 (bvult vma.start vma.pgoff)))
 (let (($x12 (bvult (bvsub addr vma.start) (bvsub vma.end vma.start))))
 (let (($x8 (bvult vma.start vma.end)))
 (and $x8 $x12 $x13 $x14))))))))
(check-sat)
