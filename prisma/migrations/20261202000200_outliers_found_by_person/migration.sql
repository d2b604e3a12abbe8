-- An outlier's key is its person and content, so a decision finds the rows it moves through the
-- person's (identityId, score) index and the key needs no index of its own. Keys of one person
-- share a long prefix, which made this the slowest Outlier index for each search to rebuild.
DROP INDEX "Outlier_subjectKey_idx";
