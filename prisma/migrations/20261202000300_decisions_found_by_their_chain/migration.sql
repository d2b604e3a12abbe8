-- The unique (subject, subjectKey, previousId) index that orders a subject's decisions into a chain
-- also finds them: a subject has a handful, sorted by id in memory. A second index led by the same
-- random md5 keys was one more page each decision dirtied, and wrote in full after a checkpoint.
DROP INDEX "Decision_subject_subjectKey_id_idx";
