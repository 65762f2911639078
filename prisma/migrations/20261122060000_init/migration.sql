-- CreateEnum
CREATE TYPE "LoadRunStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "slo" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "spec" JSONB NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slo_revision" (
    "id" UUID NOT NULL,
    "slo_id" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slo_revision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "from_time" TIMESTAMPTZ(3) NOT NULL,
    "to_time" TIMESTAMPTZ(3) NOT NULL,
    "state" JSONB NOT NULL,
    "frozen" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "load_run" (
    "id" UUID NOT NULL,
    "target" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "status" "LoadRunStatus" NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "summary" JSONB,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "load_run_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "slo_name_key" ON "slo"("name");

-- CreateIndex
CREATE UNIQUE INDEX "slo_revision_slo_id_revision_key" ON "slo_revision"("slo_id", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "incident_slug_key" ON "incident"("slug");

-- CreateIndex
CREATE INDEX "load_run_created_at_idx" ON "load_run"("created_at");

-- AddForeignKey
ALTER TABLE "slo_revision" ADD CONSTRAINT "slo_revision_slo_id_fkey" FOREIGN KEY ("slo_id") REFERENCES "slo"("id") ON DELETE CASCADE ON UPDATE CASCADE;
