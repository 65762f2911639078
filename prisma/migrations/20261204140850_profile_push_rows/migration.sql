-- Profile pushes stored leaner (issue 12, ingest at Pyroscope's pace):
-- one row per push and series label set instead of one per sample type too,
-- so stack ids and span ids are stored once: `values` holds every sample
-- type's values, type after type (profile_types[t]'s at t * n + 1 … (t + 1) * n
-- for n = cardinality(stack_ids)), `totals` one total per type. Span ids are
-- int8 (their 64 bits, as Pyroscope keeps them) instead of hex text: a push
-- sends all the arrays in the binary int8[] format. Existing rows are
-- converted as they are (one type each); a span id that is not 1-16 hex
-- digits was never one Trisight could ask for and becomes 0 (no span).
CREATE FUNCTION "trisight_span_ids_to_int8"(ids TEXT[], keep_invalid BOOLEAN) RETURNS BIGINT[]
  LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(CASE WHEN s ~ '^[0-9a-fA-F]{1,16}$' THEN ('x' || lpad(s, 16, '0'))::bit(64)::bigint ELSE 0 END ORDER BY n), '{}')
    FROM unnest(ids) WITH ORDINALITY AS u(s, n)
    WHERE keep_invalid OR s ~ '^[0-9a-fA-F]{1,16}$'
  $$;

DROP INDEX "embedded_profile_span_set_idx";
DROP INDEX "embedded_profile_service_profile_type_time_from_idx";

ALTER TABLE "embedded_profile"
  ADD COLUMN "profile_types" TEXT[],
  ADD COLUMN "totals" BIGINT[],
  ALTER COLUMN "span_ids" SET DATA TYPE BIGINT[] USING "trisight_span_ids_to_int8"("span_ids", true),
  ALTER COLUMN "span_set" SET DATA TYPE BIGINT[] USING "trisight_span_ids_to_int8"("span_set", false);

UPDATE "embedded_profile" SET "profile_types" = ARRAY["profile_type"], "totals" = ARRAY["total"];

ALTER TABLE "embedded_profile" DROP COLUMN "profile_type", DROP COLUMN "total";

DROP FUNCTION "trisight_span_ids_to_int8"(TEXT[], BOOLEAN);

-- Stack ids (hashes) do not compress and values are the bulk of a row: store
-- both out of line uncompressed. Measured on bench-shaped pushes: Postgres
-- spent about three quarters of its CPU per push in pglz on `values`; without
-- it a row takes about twice the disk (31 instead of 15 KB for 1,100 samples
-- of 3 types), bounded by EMBEDDED_RETENTION.
ALTER TABLE "embedded_profile" ALTER COLUMN "stack_ids" SET STORAGE EXTERNAL, ALTER COLUMN "values" SET STORAGE EXTERNAL;

CREATE INDEX "embedded_profile_service_time_from_idx" ON "embedded_profile"("service", "time_from");
CREATE INDEX "embedded_profile_span_set_idx" ON "embedded_profile" USING GIN ("span_set");
