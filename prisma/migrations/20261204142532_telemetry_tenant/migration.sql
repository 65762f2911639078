-- AlterTable
ALTER TABLE "embedded_profile" ADD COLUMN     "tenant" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "embedded_span" ADD COLUMN     "tenant" TEXT NOT NULL DEFAULT '';
