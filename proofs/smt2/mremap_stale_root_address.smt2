; rmapcheck prove: obligation mremap.stale_root_address
; claim: a page moved while a swap/migration entry keeps its old root, which computes the old address
; expected: counterexample (the query, hypotheses and negated claim, is sat)
; with Z3's counterexample asserted, for the second solver to confirm
; mremap.stale_root_address
(set-info :status sat)
(set-logic QF_BV)
(declare-fun vma.end () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun old () (_ BitVec 64))
(declare-fun len () (_ BitVec 64))
(declare-fun page () (_ BitVec 64))
(declare-fun new () (_ BitVec 64))
(assert
 (= vma.end (_ bv4095 64)))
(assert
 (= vma.start (_ bv4031 64)))
(assert
 (= old (_ bv4094 64)))
(assert
 (= len (_ bv1 64)))
(assert
 (= page (_ bv4094 64)))
(assert
 (= new (_ bv4095 64)))
(assert
 (let ((?x21 (bvsub page old)))
 (let ((?x26 (bvadd new ?x21)))
 (let ((?x58 (bvadd vma.start (bvsub page vma.start))))
 (let ((?x61 (bvadd (bvsub old (bvadd vma.start (bvsub old vma.start))) ?x58)))
 (let (($x62 (= ?x61 ?x26)))
 (let (($x59 (not $x62)))
 (let (($x44 (and (bvule (_ bv1 64) (bvsub (bvadd new len) new)) (bvule (bvsub (bvadd new len) new) (_ bv64 64)))))
 (let (($x51 (and (and (and $x44 (bvule (_ bv256 64) new)) (bvult new (_ bv4096 64))) (bvule (bvsub (bvadd new len) new) (bvsub (_ bv4096 64) new)))))
 (let (($x32 (and (bvule (_ bv1 64) (bvsub vma.end vma.start)) (bvule (bvsub vma.end vma.start) (_ bv64 64)))))
 (let (($x40 (and (and (and $x32 (bvule (_ bv256 64) vma.start)) (bvult vma.start (_ bv4096 64))) (bvule (bvsub vma.end vma.start) (bvsub (_ bv4096 64) vma.start)))))
 (let (($x56 (and (and $x40 $x51) (or (bvule vma.end new) (bvule (bvadd new len) vma.start)))))
 (let ((?x23 (bvadd new len)))
 (let (($x25 (bvult new ?x23)))
 (let (($x22 (bvult ?x21 len)))
 (let (($x17 (and (bvult (bvsub old vma.start) (bvsub vma.end vma.start)) (bvult (_ bv0 64) len))))
 (let (($x20 (and $x17 (bvule len (bvsub vma.end old)))))
 (let (($x7 (bvult vma.start vma.end)))
 (and $x7 $x20 $x22 $x25 $x56 $x59)))))))))))))))))))
(check-sat)
