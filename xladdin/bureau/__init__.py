"""Bureau work on many workbooks: batch recalculation (:mod:`.batch`, :mod:`.distributed`), the
summary workbook (:mod:`.summary`), the review output of ``audit`` (:mod:`.audit_output`) and
the demo (:mod:`.demo`). The per-file task and its outcome are :mod:`.tasks`, which the others
import; nothing here prints.
"""
