; rmapcheck prove: obligation stack.growth_keeps_base_and_index
; claim: expand_downwards (vm_start and vm_pgoff down by the same count) keeps the base and every index
; expected: proved (the query, hypotheses and negated claim, is unsat)
; stack.growth_keeps_base_and_index
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun stack.start () (_ BitVec 64))
(declare-fun addr () (_ BitVec 64))
(declare-fun stack.pgoff () (_ BitVec 64))
(declare-fun new_start () (_ BitVec 64))
(declare-fun stack.end () (_ BitVec 64))
(assert
 (let ((?x11 (bvsub stack.start new_start)))
 (let ((?x13 (bvsub stack.pgoff ?x11)))
 (let (($x24 (= (bvadd ?x13 (bvsub addr new_start)) (bvadd stack.pgoff (bvsub addr stack.start)))))
 (let (($x25 (and (= (bvsub new_start ?x13) (bvsub stack.start stack.pgoff)) $x24)))
 (let (($x26 (not $x25)))
 (let ((?x16 (bvsub addr stack.start)))
 (let (($x17 (bvult ?x16 (bvsub stack.end stack.start))))
 (let (($x12 (bvule ?x11 stack.pgoff)))
 (let (($x10 (bvult new_start stack.start)))
 (let (($x8 (bvult stack.start stack.end)))
 (and $x8 $x10 $x12 $x17 $x26))))))))))))
(check-sat)
