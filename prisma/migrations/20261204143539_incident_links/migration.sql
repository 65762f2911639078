-- Incident links: who made them, a note, expiry and revocation, and the
-- responses behind a view frozen per request ("freeze data").

-- AlterTable
ALTER TABLE "incident" DROP COLUMN "frozen",
ADD COLUMN     "note" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "created_by" TEXT,
ADD COLUMN     "created_by_id" TEXT,
ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "revoked_at" TIMESTAMPTZ(3),
ADD COLUMN     "revoked_by" TEXT,
ADD COLUMN     "requests" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "frozen_at" TIMESTAMPTZ(3),
ADD COLUMN     "frozen_bytes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "frozen_omitted" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "incident_response" (
    "incident_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "bytes" INTEGER NOT NULL,

    CONSTRAINT "incident_response_pkey" PRIMARY KEY ("incident_id","key")
);

-- AddForeignKey
ALTER TABLE "incident_response" ADD CONSTRAINT "incident_response_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
