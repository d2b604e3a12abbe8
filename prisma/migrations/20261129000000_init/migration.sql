-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'curator');

-- CreateEnum
CREATE TYPE "ImageStatus" AS ENUM ('pending', 'ok', 'unreadable', 'no_face', 'many_faces', 'gone');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "PairKind" AS ENUM ('cross_identity', 'near_duplicate');

-- CreateEnum
CREATE TYPE "DecisionSubject" AS ENUM ('pair', 'identity_pair', 'outlier');

-- CreateTable
CREATE TABLE "Setting" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "datasetRoot" TEXT,
    "model" TEXT NOT NULL DEFAULT 'default',
    "preset" TEXT NOT NULL DEFAULT 'default',
    "detectMode" TEXT NOT NULL DEFAULT 'auto',
    "crossThreshold" DOUBLE PRECISION,
    "duplicateThreshold" DOUBLE PRECISION NOT NULL DEFAULT 0.95,
    "outlierThreshold" DOUBLE PRECISION,
    "maxPairs" INTEGER NOT NULL DEFAULT 5000000,
    "skipFolders" TEXT[] DEFAULT ARRAY['not_me', 'noFace', 'multipleFaces', 'same_face', 'same_default_files', '外れ値ファイル']::TEXT[],
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Identity" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "goneAt" TIMESTAMP(3),

    CONSTRAINT "Identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Image" (
    "id" SERIAL NOT NULL,
    "identityId" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "mtimeMs" DOUBLE PRECISION,
    "width" INTEGER,
    "height" INTEGER,
    "status" "ImageStatus" NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "embeddedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Embedding" (
    "imageId" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "dim" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,
    "contentHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Embedding_pkey" PRIMARY KEY ("imageId")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "params" JSONB NOT NULL DEFAULT '{}',
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "result" JSONB,
    "error" TEXT,
    "createdById" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "runner" TEXT,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CandidatePair" (
    "id" SERIAL NOT NULL,
    "kind" "PairKind" NOT NULL,
    "imageAId" INTEGER NOT NULL,
    "imageBId" INTEGER NOT NULL,
    "identityAId" INTEGER NOT NULL,
    "identityBId" INTEGER NOT NULL,
    "similarity" DOUBLE PRECISION NOT NULL,
    "pairKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CandidatePair_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdentityPair" (
    "id" SERIAL NOT NULL,
    "identityAId" INTEGER NOT NULL,
    "identityBId" INTEGER NOT NULL,
    "centroidSimilarity" DOUBLE PRECISION NOT NULL,
    "pairCount" INTEGER NOT NULL,
    "maxSimilarity" DOUBLE PRECISION NOT NULL,
    "meanSimilarity" DOUBLE PRECISION NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "pairKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdentityPair_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Outlier" (
    "id" SERIAL NOT NULL,
    "imageId" INTEGER NOT NULL,
    "identityId" INTEGER NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "neighbourScore" DOUBLE PRECISION,
    "nearestIdentityId" INTEGER,
    "nearestSimilarity" DOUBLE PRECISION,
    "flagged" BOOLEAN NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Outlier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Decision" (
    "id" SERIAL NOT NULL,
    "subject" "DecisionSubject" NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "previousVerdict" TEXT NOT NULL,
    "side" TEXT,
    "misfiledHash" TEXT,
    "keepHash" TEXT,
    "dropHash" TEXT,
    "fromIdentity" TEXT,
    "toIdentity" TEXT,
    "intoIdentity" TEXT,
    "userId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "passwordHash" TEXT,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Identity_name_key" ON "Identity"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Image_path_key" ON "Image"("path");

-- CreateIndex
CREATE INDEX "Image_identityId_idx" ON "Image"("identityId");

-- CreateIndex
CREATE INDEX "Image_contentHash_idx" ON "Image"("contentHash");

-- CreateIndex
CREATE INDEX "Image_status_idx" ON "Image"("status");

-- CreateIndex
CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");

-- CreateIndex
CREATE INDEX "CandidatePair_similarity_id_idx" ON "CandidatePair"("similarity" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "CandidatePair_status_similarity_id_idx" ON "CandidatePair"("status", "similarity" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "CandidatePair_kind_status_similarity_id_idx" ON "CandidatePair"("kind", "status", "similarity" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "CandidatePair_identityAId_similarity_id_idx" ON "CandidatePair"("identityAId", "similarity" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "CandidatePair_identityBId_similarity_id_idx" ON "CandidatePair"("identityBId", "similarity" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "CandidatePair_pairKey_idx" ON "CandidatePair"("pairKey");

-- CreateIndex
CREATE INDEX "IdentityPair_score_id_idx" ON "IdentityPair"("score" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "IdentityPair_pairKey_idx" ON "IdentityPair"("pairKey");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityPair_identityAId_identityBId_key" ON "IdentityPair"("identityAId", "identityBId");

-- CreateIndex
CREATE UNIQUE INDEX "Outlier_imageId_key" ON "Outlier"("imageId");

-- CreateIndex
CREATE INDEX "Outlier_flagged_score_id_idx" ON "Outlier"("flagged", "score", "id");

-- CreateIndex
CREATE INDEX "Outlier_score_id_idx" ON "Outlier"("score", "id");

-- CreateIndex
CREATE INDEX "Outlier_identityId_score_idx" ON "Outlier"("identityId", "score");

-- CreateIndex
CREATE INDEX "Outlier_subjectKey_idx" ON "Outlier"("subjectKey");

-- CreateIndex
CREATE INDEX "Decision_subject_subjectKey_id_idx" ON "Decision"("subject", "subjectKey", "id" DESC);

-- CreateIndex
CREATE INDEX "Decision_userId_idx" ON "Decision"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "User_name_key" ON "User"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Embedding" ADD CONSTRAINT "Embedding_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Decision" ADD CONSTRAINT "Decision_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

