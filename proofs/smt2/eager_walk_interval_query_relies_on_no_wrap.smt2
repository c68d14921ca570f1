; rmapcheck prove: obligation eager_walk.interval_query_relies_on_no_wrap
; claim: without do_mmap's EOVERFLOW check (pgoff + pages must not wrap) the interval query misses a mapping VMA
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; eager_walk.interval_query_relies_on_no_wrap
(set-info :status sat)
(set-logic QF_BV)
(declare-fun vma.end () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun nr () (_ BitVec 64))
(declare-fun index () (_ BitVec 64))
(declare-fun subpage () (_ BitVec 64))
(declare-fun addr () (_ BitVec 64))
(declare-fun vma.pgoff () (_ BitVec 64))
(assert
 (= vma.end (_ bv258 64)))
(assert
 (= vma.start (_ bv256 64)))
(assert
 (= nr (_ bv1 64)))
(assert
 (= index (_ bv0 64)))
(assert
 (= subpage (_ bv0 64)))
(assert
 (= addr (_ bv257 64)))
(assert
 (= vma.pgoff (_ bv18446744073709551615 64)))
(assert
 (let ((?x47 (bvsub (bvadd vma.pgoff (bvsub vma.end vma.start)) (_ bv1 64))))
 (let (($x50 (and (bvule vma.pgoff (bvsub (bvadd index nr) (_ bv1 64))) (bvule index ?x47))))
 (let (($x51 (not $x50)))
 (let (($x44 (= nr (_ bv1 64))))
 (let (($x35 (and (bvule (_ bv1 64) (bvsub vma.end vma.start)) (bvule (bvsub vma.end vma.start) (_ bv64 64)))))
 (let (($x43 (and (and (and $x35 (bvule (_ bv256 64) vma.start)) (bvult vma.start (_ bv4096 64))) (bvule (bvsub vma.end vma.start) (bvsub (_ bv4096 64) vma.start)))))
 (let (($x45 (and $x43 $x44)))
 (let (($x29 (= (bvadd vma.pgoff (bvsub addr vma.start)) (bvadd index subpage))))
 (let (($x26 (and (bvult subpage nr) (bvult (bvsub addr vma.start) (bvsub vma.end vma.start)))))
 (let (($x30 (and $x26 $x29)))
 (let (($x21 (and (and (bvule (_ bv1 64) nr) (bvule nr (_ bv512 64))) (bvule index (bvsub (bvadd index nr) (_ bv1 64))))))
 (let (($x8 (bvult vma.start vma.end)))
 (and $x8 $x21 $x30 $x45 $x51))))))))))))))
(check-sat)
