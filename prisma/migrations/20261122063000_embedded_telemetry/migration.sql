-- CreateTable
CREATE TABLE "embedded_span" (
    "trace_id" TEXT NOT NULL,
    "span_id" TEXT NOT NULL,
    "parent_span_id" TEXT,
    "service" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "start_ns" BIGINT NOT NULL,
    "end_ns" BIGINT NOT NULL,
    "duration_ns" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "status_message" TEXT,
    "attributes" JSONB NOT NULL,
    "resource_attributes" JSONB NOT NULL,
    "events" JSONB NOT NULL,
    "links" JSONB NOT NULL,
    "sampling_probability" DOUBLE PRECISION,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedded_span_pkey" PRIMARY KEY ("trace_id","span_id")
);

-- CreateTable
CREATE TABLE "embedded_profile_stack" (
    "id" BIGINT NOT NULL,
    "frames" TEXT[],
    "last_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedded_profile_stack_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "embedded_profile" (
    "id" BIGSERIAL NOT NULL,
    "service" TEXT NOT NULL,
    "profile_type" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "time_from" TIMESTAMPTZ(3) NOT NULL,
    "time_until" TIMESTAMPTZ(3) NOT NULL,
    "period" DOUBLE PRECISION NOT NULL,
    "stack_ids" BIGINT[],
    "values" BIGINT[],
    "span_ids" TEXT[],
    "span_set" TEXT[],
    "total" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedded_profile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "embedded_span_service_start_ns_idx" ON "embedded_span"("service", "start_ns");

-- CreateIndex
CREATE INDEX "embedded_span_start_ns_idx" ON "embedded_span"("start_ns");

-- CreateIndex
CREATE INDEX "embedded_span_received_at_idx" ON "embedded_span"("received_at");

-- CreateIndex
CREATE INDEX "embedded_profile_stack_last_seen_idx" ON "embedded_profile_stack"("last_seen");

-- CreateIndex
CREATE INDEX "embedded_profile_service_profile_type_time_from_idx" ON "embedded_profile"("service", "profile_type", "time_from");

-- CreateIndex
CREATE INDEX "embedded_profile_span_set_idx" ON "embedded_profile" USING GIN ("span_set");

-- CreateIndex
CREATE INDEX "embedded_profile_received_at_idx" ON "embedded_profile"("received_at");
