-- Every pair is either open or decided, and each of those has its own (similarity DESC, id DESC)
-- partial index: a list of all pairs merges the two (see candidatesRepository.listPairs). The
-- index over every pair duplicated them and was the costliest one each search rebuilt.
DROP INDEX "CandidatePair_similarity_id_idx";
