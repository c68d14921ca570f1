; rmapcheck prove: obligation lazy_walk.accepts_the_mapping_vma
; claim: the root computes the page's address and the VMA mapping it passes the acceptance test
; expected: proved (the query, hypotheses and negated claim, is unsat)
; lazy_walk.accepts_the_mapping_vma
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun root.pgoff () (_ BitVec 64))
(declare-fun root.start () (_ BitVec 64))
(declare-fun mapping.pgoff () (_ BitVec 64))
(declare-fun mapping.start () (_ BitVec 64))
(declare-fun mapping.end () (_ BitVec 64))
(declare-fun page () (_ BitVec 64))
(assert
 (let ((?x12 (bvsub root.start root.pgoff)))
 (let (($x14 (= (bvsub mapping.start mapping.pgoff) ?x12)))
 (let ((?x15 (bvsub mapping.end mapping.start)))
 (let ((?x19 (bvadd ?x12 (bvadd mapping.pgoff (bvsub page mapping.start)))))
 (let (($x24 (and (= ?x19 page) (and (bvult (bvsub ?x19 mapping.start) ?x15) $x14))))
 (let (($x25 (not $x24)))
 (let ((?x16 (bvsub page mapping.start)))
 (let (($x17 (bvult ?x16 ?x15)))
 (let (($x8 (bvult mapping.start mapping.end)))
 (and $x8 $x14 $x17 $x25)))))))))))
(check-sat)
