-- AlterTable
ALTER TABLE "load_run" ADD COLUMN     "model" TEXT,
ADD COLUMN     "samples" JSONB;
