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
 (= vma.end (_ bv4094 64)))
(assert
 (= vma.start (_ bv4093 64)))
(assert
 (= new (_ bv4095 64)))
(assert
 (= page (_ bv4093 64)))
(assert
 (= stranger.end (_ bv4094 64)))
(assert
 (= stranger.start (_ bv4030 64)))
(assert
 (let ((?x53 (bvsub vma.end (bvadd vma.start (bvsub vma.end vma.start)))))
 (let ((?x58 (bvsub stranger.end stranger.start)))
 (let ((?x54 (bvadd ?x53 (bvadd vma.start (bvsub page vma.start)))))
 (let (($x76 (bvult (bvsub ?x54 stranger.start) ?x58)))
 (let (($x82 (not (and $x76 (= (bvsub stranger.start stranger.start) ?x53)))))
 (let (($x83 (not $x82)))
 (let (($x73 (or (bvule stranger.end new) (bvule (bvadd new (bvsub vma.end vma.start)) stranger.start))))
 (let (($x63 (and (and (bvule (_ bv1 64) ?x58) (bvule ?x58 (_ bv64 64))) (bvule (_ bv256 64) stranger.start))))
 (let (($x68 (and (and $x63 (bvult stranger.start (_ bv4096 64))) (bvule ?x58 (bvsub (_ bv4096 64) stranger.start)))))
 (let (($x77 (and (and (and $x68 (= stranger.end vma.end)) $x73) $x76)))
 (let (($x57 (bvult stranger.start stranger.end)))
 (let (($x47 (or (bvule (bvadd vma.end (_ bv1 64)) new) (bvule (bvadd new (bvsub vma.end vma.start)) vma.end))))
 (let (($x43 (or (bvule vma.end new) (bvule (bvadd new (bvsub vma.end vma.start)) vma.start))))
 (let ((?x10 (bvsub vma.end vma.start)))
 (let ((?x14 (bvadd new ?x10)))
 (let ((?x29 (bvsub ?x14 new)))
 (let (($x36 (and (and (and (bvule (_ bv1 64) ?x29) (bvule ?x29 (_ bv64 64))) (bvule (_ bv256 64) new)) (bvult new (_ bv4096 64)))))
 (let ((?x9 (bvadd vma.end (_ bv1 64))))
 (let ((?x15 (bvsub ?x9 vma.start)))
 (let (($x23 (and (and (bvule (_ bv1 64) ?x15) (bvule ?x15 (_ bv64 64))) (bvule (_ bv256 64) vma.start))))
 (let (($x28 (and (and $x23 (bvult vma.start (_ bv4096 64))) (bvule ?x15 (bvsub (_ bv4096 64) vma.start)))))
 (let (($x48 (and (and (and $x28 (and $x36 (bvule ?x29 (bvsub (_ bv4096 64) new)))) $x43) $x47)))
 (let (($x51 (and $x48 (bvult (bvsub page vma.start) ?x10))))
 (let (($x7 (bvult vma.start vma.end)))
 (and $x7 $x51 $x57 $x77 $x83))))))))))))))))))))))))))
(check-sat)
