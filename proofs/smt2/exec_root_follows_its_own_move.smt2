; rmapcheck prove: obligation exec.root_follows_its_own_move
; claim: a stack that is its own lazy root still computes every page's new address after relocation
; expected: proved (the query, hypotheses and negated claim, is unsat)
; exec.root_follows_its_own_move
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun stack.pgoff () (_ BitVec 64))
(declare-fun shift () (_ BitVec 64))
(declare-fun stack.start () (_ BitVec 64))
(declare-fun stack.end () (_ BitVec 64))
(declare-fun page () (_ BitVec 64))
(assert
 (let ((?x15 (bvsub stack.start shift)))
 (let ((?x18 (bvsub ?x15 stack.pgoff)))
 (let ((?x19 (bvadd ?x18 (bvadd stack.pgoff (bvsub page stack.start)))))
 (let (($x25 (and (bvult (bvsub ?x19 ?x15) (bvsub (bvsub stack.end shift) ?x15)) (= ?x18 ?x18))))
 (let (($x26 (and (= ?x19 (bvsub page shift)) $x25)))
 (let (($x27 (not $x26)))
 (let ((?x12 (bvsub page stack.start)))
 (let (($x13 (bvult ?x12 (bvsub stack.end stack.start))))
 (let (($x8 (bvult stack.start stack.end)))
 (and $x8 $x13 $x27)))))))))))
(check-sat)
