// Serving-metrics presets: which Prometheus series a model server exports for each
// figure the dashboard shows. Every latency is a classic histogram in seconds; the
// names are the base names (append _bucket / _sum / _count). null = not exported.
import type { Labels } from '@/lib/model/types';

export const PRESET_IDS = ['semconv', 'vllm', 'sglang', 'tgi'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** A token total: a counter, or the _sum of a per-request token histogram. */
export interface TokenMetric {
  metric: string;
  kind: 'counter' | 'histogram_sum';
  /** label matchers selecting the series (e.g. gen_ai_token_type="input") */
  matchers?: Labels;
}

/**
 * The prefix-cache (KV-cache) hit rate a server exports: a pair of counters
 * whose increases divide into the rate over any window (optionally one ratio per
 * value of a label, e.g. per transformer block), a gauge the server computes
 * itself, or nothing (then `why` says so).
 */
export type PrefixCacheHitRate =
  | { kind: 'counters'; hits: string; queries: string; unit: 'tokens' | 'blocks'; by?: string; /** the series carry the preset's modelLabel */ byModel: boolean }
  | { kind: 'gauge'; metric: string; byModel: boolean }
  | { kind: 'none'; why: string };

export interface ServingMetricsPreset {
  id: PresetId;
  label: string;
  /** end-to-end request latency */
  requestDuration: string;
  /** matchers that keep only successful requests in requestDuration ({} when it counts only those already) */
  requestDurationSuccess: Labels;
  timeToFirstToken: string | null;
  timePerOutputToken: string | null;
  queueTime: string | null;
  promptTokens: TokenMetric | null;
  generationTokens: TokenMetric | null;
  /** the label that carries the served model's name, if any */
  modelLabel: string | null;
  /** the server takes the sandbox's `priority: "P0" | "P1"` request field */
  acceptsPriority: boolean;
  /**
   * Every latency histogram this server has had a name for, current name first,
   * then the names older (or newer) releases use. Servers rename and deprecate
   * metrics, and a release that hides deprecated ones leaves a panel empty: the
   * name actually read is chosen by asking Prometheus which exist
   * (lib/targets/resolve.ts). The single fields above are the first of each.
   */
  latency: Record<LatencyFigure, readonly string[]>;
  prefixCacheHitRate: PrefixCacheHitRate;
}

export const PRESETS: Record<PresetId, ServingMetricsPreset> = {
  // OTel GenAI semantic conventions as exported by prom-client from the sandbox
  // (dots → underscores, unit `s` → `_seconds`): workers/sandbox/telemetry/metrics.ts.
  semconv: {
    id: 'semconv',
    label: 'OpenTelemetry GenAI semconv',
    requestDuration: 'gen_ai_server_request_duration_seconds',
    // error.type is set only on failures: an empty matcher selects the successes.
    requestDurationSuccess: { error_type: '' },
    timeToFirstToken: 'gen_ai_server_time_to_first_token_seconds',
    timePerOutputToken: 'gen_ai_server_time_per_output_token_seconds',
    // Semconv has no queue-time metric; the sandbox's scheduler exports its own.
    queueTime: 'sandbox_request_queue_time_seconds',
    promptTokens: { metric: 'gen_ai_server_tokens_total', kind: 'counter', matchers: { gen_ai_token_type: 'input' } },
    generationTokens: { metric: 'gen_ai_server_tokens_total', kind: 'counter', matchers: { gen_ai_token_type: 'output' } },
    modelLabel: 'gen_ai_request_model',
    acceptsPriority: true,
    latency: {
      e2e: ['gen_ai_server_request_duration_seconds'],
      ttft: ['gen_ai_server_time_to_first_token_seconds'],
      tpot: ['gen_ai_server_time_per_output_token_seconds'],
      itl: [],
      queue: ['sandbox_request_queue_time_seconds'],
      prefill: [],
      decode: [],
    },
    // The sandbox's own per-block counters (docs/sandbox-telemetry.md): one hit rate per transformer block.
    prefixCacheHitRate: { kind: 'counters', hits: 'sandbox_kv_cache_block_hits_tokens_total', queries: 'sandbox_kv_cache_block_lookups_tokens_total', unit: 'tokens', by: 'block', byModel: false },
  },
  // vLLM's /metrics (vllm/engine/metrics.py, V1 loggers).
  vllm: {
    id: 'vllm',
    label: 'vLLM',
    requestDuration: 'vllm:e2e_request_latency_seconds',
    requestDurationSuccess: {},
    timeToFirstToken: 'vllm:time_to_first_token_seconds',
    timePerOutputToken: 'vllm:request_time_per_output_token_seconds',
    queueTime: 'vllm:request_queue_time_seconds',
    promptTokens: { metric: 'vllm:prompt_tokens_total', kind: 'counter' },
    generationTokens: { metric: 'vllm:generation_tokens_total', kind: 'counter' },
    modelLabel: 'model_name',
    // vLLM's `priority` is an integer for its priority scheduler; "P0" would be a 400.
    acceptsPriority: false,
    // vLLM (V1 loggers) marks time_per_output_token_seconds deprecated in favour of
    // inter_token_latency_seconds (the same per-token gaps) and adds the per-request
    // request_time_per_output_token_seconds (benchmark_serving's TPOT).
    latency: {
      e2e: ['vllm:e2e_request_latency_seconds'],
      ttft: ['vllm:time_to_first_token_seconds'],
      tpot: ['vllm:request_time_per_output_token_seconds', 'vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'],
      itl: ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'],
      queue: ['vllm:request_queue_time_seconds'],
      prefill: ['vllm:request_prefill_time_seconds'],
      decode: ['vllm:request_decode_time_seconds'],
    },
    // V1 engine: prompt tokens looked up in / served from the prefix cache (one figure for all layers).
    prefixCacheHitRate: { kind: 'counters', hits: 'vllm:prefix_cache_hits_total', queries: 'vllm:prefix_cache_queries_total', unit: 'tokens', byModel: true },
  },
  // SGLang with --enable-metrics (docs/references/production_metrics.md, srt/metrics/collector.py).
  sglang: {
    id: 'sglang',
    label: 'SGLang',
    requestDuration: 'sglang:e2e_request_latency_seconds',
    requestDurationSuccess: {},
    timeToFirstToken: 'sglang:time_to_first_token_seconds',
    timePerOutputToken: 'sglang:request_time_per_output_token_seconds',
    queueTime: 'sglang:queue_time_seconds',
    promptTokens: { metric: 'sglang:prompt_tokens_total', kind: 'counter' },
    generationTokens: { metric: 'sglang:generation_tokens_total', kind: 'counter' },
    modelLabel: 'model_name',
    acceptsPriority: false,
    // SGLang's collector renamed time_per_output_token_seconds to inter_token_latency_seconds
    // and added a per-request TPOT histogram in later releases.
    latency: {
      e2e: ['sglang:e2e_request_latency_seconds'],
      ttft: ['sglang:time_to_first_token_seconds'],
      tpot: ['sglang:request_time_per_output_token_seconds', 'sglang:inter_token_latency_seconds', 'sglang:time_per_output_token_seconds'],
      itl: ['sglang:inter_token_latency_seconds', 'sglang:time_per_output_token_seconds'],
      queue: ['sglang:queue_time_seconds'],
      prefill: [],
      decode: [],
    },
    // The radix cache's hit rate, computed by the scheduler (a gauge, not counters).
    prefixCacheHitRate: { kind: 'gauge', metric: 'sglang:cache_hit_rate', byModel: true },
  },
  // Hugging Face TGI (reference/metrics): no TTFT histogram; tokens are per-request histograms.
  tgi: {
    id: 'tgi',
    label: 'Text Generation Inference',
    requestDuration: 'tgi_request_duration',
    requestDurationSuccess: {},
    timeToFirstToken: null,
    timePerOutputToken: 'tgi_request_mean_time_per_token_duration',
    queueTime: 'tgi_request_queue_duration',
    promptTokens: { metric: 'tgi_request_input_length', kind: 'histogram_sum' },
    generationTokens: { metric: 'tgi_request_generated_tokens', kind: 'histogram_sum' },
    modelLabel: null,
    acceptsPriority: false,
    // The router's metrics (docs reference/metrics): mean time per token is per request.
    latency: {
      e2e: ['tgi_request_duration'],
      ttft: [],
      tpot: ['tgi_request_mean_time_per_token_duration'],
      itl: [],
      queue: ['tgi_request_queue_duration'],
      prefill: [],
      decode: [],
    },
    prefixCacheHitRate: { kind: 'none', why: 'Text Generation Inference does not export a prefix-cache hit rate.' },
  },
};

export function isPresetId(v: string): v is PresetId {
  return (PRESET_IDS as readonly string[]).includes(v);
}

/** The latency figures a histogram panel can show, by tab. */
export type LatencyKind = 'e2e' | 'ttft' | 'tpot' | 'queue';

/** Every latency histogram a serving preset may name (prefill/decode: time per request in each phase). */
export type LatencyFigure = LatencyKind | 'itl' | 'prefill' | 'decode';
export const LATENCY_FIGURES: readonly LatencyFigure[] = ['e2e', 'ttft', 'tpot', 'itl', 'queue', 'prefill', 'decode'];
export const FIGURE_LABELS: Record<LatencyFigure, string> = {
  e2e: 'End-to-end',
  ttft: 'Time to first token',
  tpot: 'Time per output token',
  itl: 'Inter-token latency',
  queue: 'Queue time',
  prefill: 'Prefill time',
  decode: 'Decode time',
};

/** The histogram base name for a tab, or null when this server does not export it. */
export function latencyMetric(p: ServingMetricsPreset, kind: LatencyKind): string | null {
  switch (kind) {
    case 'e2e':
      return p.requestDuration;
    case 'ttft':
      return p.timeToFirstToken;
    case 'tpot':
      return p.timePerOutputToken;
    case 'queue':
      return p.queueTime;
  }
}

/** The series selector for a token total, e.g. `gen_ai_client_token_usage_sum{gen_ai_token_type="input"}`. */
export function tokenSelector(t: TokenMetric): string {
  const name = t.kind === 'histogram_sum' ? `${t.metric}_sum` : t.metric;
  const m = Object.entries(t.matchers ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  // Names with a colon (vllm:…) are legal metric names in PromQL; only the matcher needs quoting.
  return m.length ? `${name}{${m.join(',')}}` : name;
}

/**
 * PromQL for a server's prefix-cache hit rate over `window` (e.g. "5m"): the
 * ratio of the counters' increases (per `by` label when the server has one), or
 * the server's own gauge averaged over the window; null when it exports none.
 */
export function prefixCacheHitRateQuery(p: ServingMetricsPreset, window: string, matchers: Labels = {}): string | null {
  const h = p.prefixCacheHitRate;
  const sel = (name: string) => {
    const m = Object.entries(matchers).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return m.length ? `${name}{${m.join(',')}}` : name;
  };
  if (h.kind === 'none') return null;
  if (h.kind === 'gauge') return `avg(avg_over_time(${sel(h.metric)}[${window}]))`;
  const by = h.by ? ` by (${h.by})` : '';
  return `sum${by} (increase(${sel(h.hits)}[${window}])) / sum${by} (increase(${sel(h.queries)}[${window}]))`;
}
