-- AlterTable
ALTER TABLE "slo" ADD COLUMN     "owner" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "slo_revision" ADD COLUMN     "author" TEXT NOT NULL DEFAULT '';
