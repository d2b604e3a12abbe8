-- Each candidate row names its subject's latest decision, beside the verdict it already keeps in
-- status, so deciding reads no earlier decision. Looked up instead, the latest decision came from
-- a table that starts empty, and a pooled connection's plan made then (a sequential scan, or the
-- primary key walked backwards) went on scanning every decision for each new one.
ALTER TABLE "CandidatePair" ADD COLUMN "decisionId" INTEGER;
ALTER TABLE "IdentityPair" ADD COLUMN "decisionId" INTEGER;
ALTER TABLE "Outlier" ADD COLUMN "decisionId" INTEGER;

UPDATE "CandidatePair" t SET "decisionId" = d.id
  FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", id FROM "Decision" WHERE subject = 'pair' ORDER BY "subjectKey", id DESC) d
 WHERE t."pairKey" = d."subjectKey";
UPDATE "IdentityPair" t SET "decisionId" = d.id
  FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", id FROM "Decision" WHERE subject = 'identity_pair' ORDER BY "subjectKey", id DESC) d
 WHERE t."pairKey" = d."subjectKey";
UPDATE "Outlier" t SET "decisionId" = d.id
  FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", id FROM "Decision" WHERE subject = 'outlier' ORDER BY "subjectKey", id DESC) d
 WHERE t."subjectKey" = d."subjectKey";
