// Prometheus metrics (prom-client, OpenMetrics exposition so exemplars are shown).
// GenAI server metrics follow the OTel GenAI semantic conventions translated to
// Prometheus names (dots → underscores, unit suffix): gen_ai.server.request.duration
// → gen_ai_server_request_duration_seconds, with latency buckets at most 25 % wide
// (./buckets.ts says why). Scheduler figures follow the names serving engines (vLLM)
// expose, under the sandbox_ prefix. Every request is counted whatever the trace
// sampling; exemplars are attached only when the request's trace was sampled.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';
import type { SchedulerStats } from '../serve/scheduler';
import type { QualitySummary } from './index';
import { REQUEST_DURATION_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from './buckets';

export { REQUEST_DURATION_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS };
// OTel GenAI semconv explicit_bucket_boundaries_advisory for gen_ai.client.token.usage.
export const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

const GENAI_LABELS = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const;

export interface RequestObservation {
  model: string;
  priority: 'P0' | 'P1';
  /** finish reason on success, error.type otherwise */
  outcome: string;
  errorType?: string;
  inputTokens: number;
  outputTokens: number;
  /** seconds; undefined when the stage was never reached */
  duration: number;
  queue?: number;
  ttft?: number;
  tpot?: number;
  /** set only for sampled traces */
  exemplar?: { trace_id: string; span_id: string };
  quality?: QualitySummary;
}

export class SandboxMetrics {
  readonly registry = new Registry<OpenMetricsContentType>();
  private readonly requestDuration: Histogram<string>;
  private readonly ttft: Histogram<string>;
  private readonly tpot: Histogram<string>;
  private readonly queueTime: Histogram<string>;
  private readonly promptEntropy: Histogram<string>;
  private readonly perplexity: Histogram<string>;
  private readonly perplexityStd: Histogram<string>;
  private readonly tokenUsage: Histogram<string>;
  private readonly tokens: Counter<string>;
  private readonly requests: Counter<string>;
  private readonly sampling: Counter<string>;

  constructor(
    private readonly provider: string,
    stats: () => SchedulerStats,
    opts: { processMetrics?: boolean } = {},
  ) {
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'gen_ai_server_request_duration_seconds',
      help: 'Generative AI server request duration such as time-to-last byte or last output token.',
      labelNames: [...GENAI_LABELS, 'error_type'],
      buckets: REQUEST_DURATION_BUCKETS,
      enableExemplars: true,
      registers,
    });
    this.ttft = new Histogram({
      name: 'gen_ai_server_time_to_first_token_seconds',
      help: 'Time to generate first token for successful responses.',
      labelNames: GENAI_LABELS,
      buckets: TTFT_BUCKETS,
      enableExemplars: true,
      registers,
    });
    this.tpot = new Histogram({
      name: 'gen_ai_server_time_per_output_token_seconds',
      help: 'Time per output token generated after the first token for successful responses.',
      labelNames: GENAI_LABELS,
      buckets: TPOT_BUCKETS,
      enableExemplars: true,
      registers,
    });
    // gen_ai.client.token.usage is specified for clients; the server records the same
    // shape (tokens per request by gen_ai.token.type) under the server namespace.
    this.tokenUsage = new Histogram({
      name: 'gen_ai_server_token_usage',
      help: 'Number of input and output tokens per request, by gen_ai.token.type.',
      labelNames: [...GENAI_LABELS, 'gen_ai_token_type'],
      buckets: TOKEN_USAGE_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'gen_ai_server_tokens_total',
      help: 'Tokens processed, by gen_ai.token.type (input: prompt, output: generated).',
      labelNames: [...GENAI_LABELS, 'gen_ai_token_type'],
      registers,
    });
    this.queueTime = new Histogram({
      name: 'sandbox_request_queue_time_seconds',
      help: 'Time a request waited in the scheduler queue before its prefill started.',
      labelNames: ['priority'],
      buckets: TTFT_BUCKETS,
      enableExemplars: true,
      registers,
    });
    // Quality signals per request, with exemplars so a bucket leads to its traces.
    const quality = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, labelNames: ['gen_ai_request_model'], buckets, enableExemplars: true, registers });
    this.promptEntropy = quality(
      'sandbox_prompt_entropy_bits',
      'Shannon entropy (bits) of each request’s prompt token distribution; byte tokens reach at most 8. Very low: repeated-token injection; very high: random bytes.',
      [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8],
    );
    this.perplexity = quality(
      'sandbox_output_perplexity',
      'Perplexity of each request’s output: exp of the mean negative log-probability the model gave the tokens it emitted (T = 1).',
      [1, 1.25, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256],
    );
    this.perplexityStd = quality(
      'sandbox_output_perplexity_window_std_max',
      'Largest standard deviation of per-token perplexity over a sliding window of SANDBOX_PERPLEXITY_WINDOW output tokens, per request: a rise flags an unstable stretch of output.',
      [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    );
    this.requests = new Counter({
      name: 'sandbox_requests_total',
      help: 'Completion requests by priority and outcome (finish reason or error type), sampled or not.',
      labelNames: ['priority', 'outcome'],
      registers,
    });
    this.sampling = new Counter({
      name: 'sandbox_trace_sampling_decisions_total',
      help: 'Head-sampling decisions for request traces.',
      labelNames: ['priority', 'sampled'],
      registers,
    });
    const gauge = (name: string, help: string, read: (s: SchedulerStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(stats()));
        },
      });
    gauge('sandbox_num_requests_running', 'Sequences in the running decode batch.', (s) => s.running);
    gauge('sandbox_num_requests_waiting', 'Sequences waiting in the scheduler queue.', (s) => s.waiting);
    gauge('sandbox_kv_cache_usage_ratio', 'KV-cache positions in use (running + prefix cache) over the pool; 1 = full.', (s) => s.kvCacheUsage);
    gauge('sandbox_prefix_cache_hit_ratio', 'Prompt tokens served from the prefix cache over prompt tokens looked up, since start.', (s) => s.prefixCacheHitRatio);
    // Monotonic scheduler counters, exposed as counters so rate() works.
    const counter = (name: string, help: string, read: (s: SchedulerStats) => number) => {
      let last = 0;
      return new Counter({
        name,
        help,
        registers,
        collect() {
          const v = read(stats());
          if (v > last) this.inc(v - last);
          last = v;
        },
      });
    };
    counter('sandbox_prefix_cache_queries_tokens_total', 'Prompt tokens looked up in the prefix cache.', (s) => s.prefixCacheQueriedTokens);
    // Per transformer block, so the hit rate per block is a PromQL ratio of these two.
    const perBlock = (name: string, help: string, read: (s: SchedulerStats) => number[]) => {
      const last: number[] = [];
      return new Counter({
        name,
        help,
        labelNames: ['block'],
        registers,
        collect() {
          read(stats()).forEach((v, b) => {
            if (v > (last[b] ?? 0)) this.inc({ block: String(b) }, v - (last[b] ?? 0));
            else if (last[b] === undefined) this.inc({ block: String(b) }, 0);
            last[b] = v;
          });
        },
      });
    };
    const blockNote =
      'Reuse is bounded by the block that held least, because a position’s hidden state flows through every block. ' +
      'With SANDBOX_KV_BLOCK_RETAIN=all (the default) every block keeps the whole prefix and all blocks show the same rate.';
    perBlock('sandbox_kv_cache_block_lookups_tokens_total', `Prompt tokens looked up in the prefix cache, per transformer block. ${blockNote}`, (s) => s.blockQueriedTokens);
    perBlock('sandbox_kv_cache_block_hits_tokens_total', `Matched prefix positions a transformer block's cache still held (SANDBOX_KV_BLOCK_RETAIN). ${blockNote}`, (s) => s.blockHitTokens);
    counter('sandbox_prefix_cache_hits_tokens_total', 'Prompt tokens served from the prefix cache.', (s) => s.prefixCacheHitTokens);
    counter('sandbox_decode_steps_total', 'Batched decode steps run.', (s) => s.decodeSteps);
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Creates the served model's success series at zero before its first request,
   * as Prometheus advises for labelled metrics: increase() and rate() cannot see
   * the requests counted before a series' first scrape, so without this the first
   * requests after a start would be missing from every SLI and run count.
   */
  initialise(model: string): void {
    const labels = { gen_ai_operation_name: 'text_completion', gen_ai_provider_name: this.provider, gen_ai_request_model: model };
    for (const h of [this.requestDuration, this.ttft, this.tpot]) h.zero(labels);
    for (const type of ['input', 'output']) {
      this.tokens.inc({ ...labels, gen_ai_token_type: type }, 0);
      this.tokenUsage.zero({ ...labels, gen_ai_token_type: type });
    }
    for (const h of [this.promptEntropy, this.perplexity, this.perplexityStd]) h.zero({ gen_ai_request_model: model });
    for (const priority of ['P0', 'P1']) this.queueTime.zero({ priority });
  }

  sampled(priority: string, sampled: boolean): void {
    this.sampling.inc({ priority, sampled: String(sampled) });
  }

  observe(o: RequestObservation): void {
    const labels = { gen_ai_operation_name: 'text_completion', gen_ai_provider_name: this.provider, gen_ai_request_model: o.model };
    const exemplarLabels = o.exemplar ?? {};
    // error_type is present only on failures, as the semconv attribute is.
    this.requestDuration.observe({ labels: o.errorType ? { ...labels, error_type: o.errorType } : labels, value: o.duration, exemplarLabels });
    if (!o.errorType) {
      if (o.ttft !== undefined) this.ttft.observe({ labels, value: o.ttft, exemplarLabels });
      if (o.tpot !== undefined && o.outputTokens > 1) this.tpot.observe({ labels, value: o.tpot, exemplarLabels });
    }
    if (o.queue !== undefined) this.queueTime.observe({ labels: { priority: o.priority }, value: o.queue, exemplarLabels });
    this.requests.inc({ priority: o.priority, outcome: o.outcome });
    const q = o.quality;
    if (q) {
      const ql = { gen_ai_request_model: o.model };
      this.promptEntropy.observe({ labels: ql, value: q.promptEntropyBits, exemplarLabels });
      if (q.perplexity !== undefined) this.perplexity.observe({ labels: ql, value: q.perplexity, exemplarLabels });
      if (q.perplexityWindowStdMax !== undefined) this.perplexityStd.observe({ labels: ql, value: q.perplexityWindowStdMax, exemplarLabels });
    }
    if (o.inputTokens) {
      this.tokens.inc({ ...labels, gen_ai_token_type: 'input' }, o.inputTokens);
      this.tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, o.inputTokens);
    }
    if (o.outputTokens) {
      this.tokens.inc({ ...labels, gen_ai_token_type: 'output' }, o.outputTokens);
      this.tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, o.outputTokens);
    }
  }

  /** Counts a request refused before it reached the scheduler (400, 429, 503). */
  rejected(priority: string, outcome: string): void {
    this.requests.inc({ priority, outcome });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
