; rmapcheck prove: obligation lazy_walk.accepts_a_stranger_after_unfixed_move
; claim: after a move that left the page's mapping unfixed, a new VMA at the old address passes the acceptance test's geometry
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; lazy_walk.accepts_a_stranger_after_unfixed_move
(set-info :status sat)
(set-logic QF_BV)
(declare-fun vma.end () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun new () (_ BitVec 64))
(declare-fun page () (_ BitVec 64))
(declare-fun stranger.end () (_ BitVec 64))
(declare-fun stranger.start () (_ BitVec 64))
(assert
 (= vma.end (_ bv4095 64)))
(assert
 (= vma.start (_ bv4094 64)))
(assert
 (= new (_ bv4095 64)))
(assert
 (= page (_ bv4094 64)))
(assert
 (= stranger.end (_ bv4095 64)))
(assert
 (= stranger.start (_ bv4031 64)))
(assert
 (let ((?x46 (bvsub vma.start vma.start)))
 (let ((?x51 (bvsub stranger.end stranger.start)))
 (let ((?x47 (bvadd ?x46 (bvadd vma.start (bvsub page vma.start)))))
 (let (($x67 (bvult (bvsub ?x47 stranger.start) ?x51)))
 (let (($x73 (not (and $x67 (= (bvsub stranger.start stranger.start) ?x46)))))
 (let (($x74 (not $x73)))
 (let (($x64 (or (bvule stranger.end new) (bvule (bvadd new (bvsub vma.end vma.start)) stranger.start))))
 (let (($x56 (and (and (bvule (_ bv1 64) ?x51) (bvule ?x51 (_ bv64 64))) (bvule (_ bv256 64) stranger.start))))
 (let (($x61 (and (and $x56 (bvult stranger.start (_ bv4096 64))) (bvule ?x51 (bvsub (_ bv4096 64) stranger.start)))))
 (let (($x68 (and (and $x61 $x64) $x67)))
 (let (($x50 (bvult stranger.start stranger.end)))
 (let (($x40 (or (bvule vma.end new) (bvule (bvadd new (bvsub vma.end vma.start)) vma.start))))
 (let ((?x10 (bvsub vma.end vma.start)))
 (let ((?x11 (bvadd new ?x10)))
 (let ((?x26 (bvsub ?x11 new)))
 (let (($x33 (and (and (and (bvule (_ bv1 64) ?x26) (bvule ?x26 (_ bv64 64))) (bvule (_ bv256 64) new)) (bvult new (_ bv4096 64)))))
 (let (($x20 (and (and (bvule (_ bv1 64) ?x10) (bvule ?x10 (_ bv64 64))) (bvule (_ bv256 64) vma.start))))
 (let (($x25 (and (and $x20 (bvult vma.start (_ bv4096 64))) (bvule ?x10 (bvsub (_ bv4096 64) vma.start)))))
 (let (($x44 (and (and (and $x25 (and $x33 (bvule ?x26 (bvsub (_ bv4096 64) new)))) $x40) (bvult (bvsub page vma.start) ?x10))))
 (let (($x7 (bvult vma.start vma.end)))
 (and $x7 $x44 $x50 $x68 $x74))))))))))))))))))))))
(check-sat)
