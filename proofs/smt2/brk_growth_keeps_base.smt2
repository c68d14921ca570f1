; rmapcheck prove: obligation brk.growth_keeps_base
; claim: brk extends the heap only when the new range continues its pgoffs; base stays 0 and indexes match a fresh mapping
; expected: proved (the query, hypotheses and negated claim, is unsat)
; brk.growth_keeps_base
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun heap.end () (_ BitVec 64))
(declare-fun addr () (_ BitVec 64))
(declare-fun heap.start () (_ BitVec 64))
(declare-fun heap.pgoff () (_ BitVec 64))
(declare-fun new_brk () (_ BitVec 64))
(assert
 (let (($x26 (= (bvadd heap.pgoff (bvsub addr heap.start)) (bvadd heap.end (bvsub addr heap.end)))))
 (let (($x22 (and (= (bvsub heap.start heap.pgoff) (bvsub heap.start heap.pgoff)) (= (bvsub heap.start heap.pgoff) (_ bv0 64)))))
 (let (($x27 (and $x22 $x26)))
 (let (($x28 (not $x27)))
 (let ((?x16 (bvsub addr heap.end)))
 (let (($x17 (bvult ?x16 (bvsub new_brk heap.end))))
 (let (($x13 (= (bvadd heap.pgoff (bvsub heap.end heap.start)) heap.end)))
 (let (($x10 (bvult heap.end new_brk)))
 (let (($x8 (bvult heap.start heap.end)))
 (and $x8 $x10 $x13 $x17 $x28)))))))))))
(check-sat)
