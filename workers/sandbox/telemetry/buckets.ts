// Bucket bounds (seconds) of the sandbox's latency histograms. Pure, without the
// telemetry SDK, so the app can bucket its span-derived histograms alike.
//
// The OTel GenAI advisory bounds double from 10 ms to 81.9 s: a 100-request run
// lands in four bars and a percentile interpolated inside a 2× bucket can be off
// by a third. vLLM's are no finer where this sandbox answers (0.5 s steps around
// 1–2.5 s, nothing below 0.3 s for E2E). These use fifteen "nice" bounds per
// decade, so no bucket is wider than 25 % of its lower bound, and they contain
// every bound vLLM ships for E2E, TTFT and TPOT within their ranges: a dashboard
// written for vLLM's `le` values reads the sandbox too.

/** Mantissas of the bounds in each decade; neighbours differ by at most 25 %. */
export const BUCKET_MANTISSAS = [1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 7.5, 8, 9] as const;

/** Every mantissa × 10^k within [fromS, toS], ascending, rounded so `le` prints as written (0.075, not 0.07500000000000001). */
export function latencyBuckets(fromS: number, toS: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(fromS)); 10 ** k <= toS; k++) {
    for (const m of BUCKET_MANTISSAS) {
      const b = Number((m * 10 ** k).toPrecision(6));
      if (b >= fromS && b <= toS) out.push(b);
    }
  }
  return out;
}

/** gen_ai_server_request_duration_seconds: 5 ms – 100 s (a request's deadline is at most 60 s by default). */
export const REQUEST_DURATION_BUCKETS = latencyBuckets(0.005, 100);
/** gen_ai_server_time_to_first_token_seconds and the queue time: 1 ms – 60 s. */
export const TTFT_BUCKETS = latencyBuckets(0.001, 60);
/** gen_ai_server_time_per_output_token_seconds: 1 ms – 10 s. */
export const TPOT_BUCKETS = latencyBuckets(0.001, 10);
