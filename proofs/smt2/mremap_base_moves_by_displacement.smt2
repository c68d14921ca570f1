; rmapcheck prove: obligation mremap.base_moves_by_displacement
; claim: the VMA an mremap moves (faulted: linear pgoff kept) has base old base + new_addr - old_addr
; expected: proved (the query, hypotheses and negated claim, is unsat)
; mremap.base_moves_by_displacement
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun old () (_ BitVec 64))
(declare-fun new () (_ BitVec 64))
(declare-fun vma.pgoff () (_ BitVec 64))
(declare-fun vma.start () (_ BitVec 64))
(declare-fun len () (_ BitVec 64))
(declare-fun page () (_ BitVec 64))
(declare-fun vma.end () (_ BitVec 64))
(assert
 (let (($x32 (= (bvsub new (bvadd vma.pgoff (bvsub old vma.start))) (bvadd (bvsub vma.start vma.pgoff) (bvsub new old)))))
 (let (($x27 (not $x32)))
 (let (($x26 (bvult new (bvadd new len))))
 (let (($x23 (bvult (bvsub page old) len)))
 (let (($x18 (and (bvult (bvsub old vma.start) (bvsub vma.end vma.start)) (bvult (_ bv0 64) len))))
 (let (($x21 (and $x18 (bvule len (bvsub vma.end old)))))
 (let (($x8 (bvult vma.start vma.end)))
 (and $x8 $x21 $x23 $x26 $x27)))))))))
(check-sat)
