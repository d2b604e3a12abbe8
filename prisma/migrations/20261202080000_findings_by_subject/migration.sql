-- A "fine" on a pair asks whether any finding names that pair before it rebuilds anything.
CREATE INDEX "ReviewFinding_subject_subjectKey_idx" ON "ReviewFinding" ("subject", "subjectKey");
