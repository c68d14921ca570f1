; rmapcheck prove: obligation address.vma_address_is_base_plus_index
; claim: vma_address: vm_start + (index - vm_pgoff) equals vma_mapping_base + index for all values
; expected: proved (the query, hypotheses and negated claim, is unsat)
; address.vma_address_is_base_plus_index
(set-info :status unsat)
(set-logic QF_BV)
(declare-fun index () (_ BitVec 64))
(declare-fun vm_pgoff () (_ BitVec 64))
(declare-fun vm_start () (_ BitVec 64))
(assert
 (let (($x12 (= (bvadd vm_start (bvsub index vm_pgoff)) (bvadd (bvsub vm_start vm_pgoff) index))))
 (let (($x13 (not $x12)))
 (and $x13))))
(check-sat)
