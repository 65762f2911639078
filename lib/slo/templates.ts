// SLO templates for model serving, filled in with the metric names of a
// serving preset (lib/targets/presets.ts: the sandbox's GenAI semconv names,
// vLLM, SGLang, TGI). A template a server cannot support says why instead of
// producing a query over a metric that does not exist. Pure.
import { PRESETS, type PresetId } from '@/lib/targets/presets';
import { defaultAlertWindows, periodMs } from './maths';
import { defaultAlertName, type SloDefinitionInput, type TimeWindow } from './model';

export const TEMPLATE_IDS = ['ttft-p95', 'availability', 'tpot', 'queue-time', 'perplexity-drift'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export interface SloTemplate {
  id: TemplateId;
  title: string;
  description: string;
  /** null when this server exports nothing to measure it with */
  definition: SloDefinitionInput | null;
  unavailable?: string;
}

/** Requests that failed on the server's side (HTTP 5xx), per preset: the error query and the total. */
const AVAILABILITY: Record<PresetId, { bad: string; total: string } | string> = {
  // The sandbox: error_type is set only on failures (gen_ai semconv error.type); these three are its 5xx answers
  // (workers/sandbox/serve/http.ts: internal 500, shutdown 503, deadline_exceeded 504).
  semconv: {
    bad: 'sum(rate(gen_ai_server_request_duration_seconds_count{error_type=~"internal|shutdown|deadline_exceeded"}[{{.window}}]))',
    total: 'sum(rate(gen_ai_server_request_duration_seconds_count[{{.window}}]))',
  },
  // vLLM's OpenAI server is instrumented by prometheus-fastapi-instrumentator, which groups status codes ("5xx").
  vllm: {
    bad: 'sum(rate(http_requests_total{handler=~"/v1/(chat/)?completions", status="5xx"}[{{.window}}]))',
    total: 'sum(rate(http_requests_total{handler=~"/v1/(chat/)?completions"}[{{.window}}]))',
  },
  // TGI counts every request and every failure (label err).
  tgi: { bad: 'sum(rate(tgi_request_failure[{{.window}}]))', total: 'sum(rate(tgi_request_count[{{.window}}]))' },
  sglang: 'SGLang exports no per-request outcome counter to divide by: write a ratio SLI over your gateway’s HTTP metrics instead.',
};

/**
 * Output-perplexity drift: the share of requests whose largest sliding-window
 * std of per-token perplexity stays at or under a bound. Only the sandbox
 * exports it, as a histogram (docs/sandbox-telemetry.md#quality-signals); the
 * bound must be one of its bucket bounds (0.25 … 512), since a classic
 * histogram counts `≤ le` and nothing between bounds.
 */
const PERPLEXITY_STD = 'sandbox_output_perplexity_window_std_max';
const PERPLEXITY_STD_BOUND = 64;

function perplexityDrift(p: (typeof PRESETS)[PresetId]): { bad: string; total: string } | string {
  if (p.id !== 'semconv') return `${p.label} exports no per-request output perplexity; the bundled sandbox does (${PERPLEXITY_STD}).`;
  const total = `sum(rate(${PERPLEXITY_STD}_count[{{.window}}]))`;
  return { bad: `${total} - sum(rate(${PERPLEXITY_STD}_bucket{le="${PERPLEXITY_STD_BOUND}"}[{{.window}}]))`, total };
}

/** The templates for one serving preset and service name. */
export function sloTemplates(preset: PresetId, service: string, window: TimeWindow = { kind: 'rolling', duration: '30d' }): SloTemplate[] {
  const p = PRESETS[preset];
  const windows = defaultAlertWindows(periodMs(window));
  const base = (name: string) => ({
    name,
    service,
    window,
    alerting: { name: defaultAlertName(name), page: { enabled: true, ...windows.page }, ticket: { enabled: true, ...windows.ticket } },
  });
  const latency = (id: TemplateId, title: string, metric: string | null, thresholdSeconds: number, objective: number, what: string): SloTemplate => ({
    id,
    title,
    description: `${what} Measured on ${metric ?? 'no metric'} (${p.label}).`,
    definition: metric ? { ...base(id), description: what, objective, sli: { kind: 'latency', metric, matchers: '', histogram: 'classic', thresholdSeconds } } : null,
    unavailable: metric ? undefined : `${p.label} exports no histogram for this.`,
  });
  const avail = AVAILABILITY[preset];
  return [
    latency('ttft-p95', 'Time to first token ≤ 2 s for 95 % of requests', p.timeToFirstToken, 2, 95, 'Streaming users see the first token within 2 seconds.'),
    {
      id: 'availability',
      title: 'Completion availability: 99.5 % of requests without a server error (non-5xx)',
      description: `Requests answered without a 5xx (${p.label}).`,
      definition: typeof avail === 'string' ? null : { ...base('availability'), description: 'Completion requests answered without a server error (5xx).', objective: 99.5, sli: { kind: 'ratio', ...avail } },
      unavailable: typeof avail === 'string' ? avail : undefined,
    },
    latency('tpot', 'Time per output token ≤ 100 ms for 95 % of requests', p.timePerOutputToken, 0.1, 95, 'Tokens stream at 10 per second or faster after the first.'),
    latency('queue-time', 'Queue time ≤ 500 ms for 99 % of requests', p.queueTime, 0.5, 99, 'Requests start within half a second of arriving.'),
    ((drift) => ({
      id: 'perplexity-drift' as const,
      title: `Perplexity window std ≤ ${PERPLEXITY_STD_BOUND} for 99 % of requests`,
      description: `Requests whose output never turns unstable: the largest std of per-token perplexity over a sliding window stays at or under ${PERPLEXITY_STD_BOUND} (${p.label}). Pick another bound among the histogram's (0.25 … 512) to tighten it.`,
      definition:
        typeof drift === 'string'
          ? null
          : { ...base('perplexity-drift'), description: `Output perplexity window std at most ${PERPLEXITY_STD_BOUND} (an early warning of hallucination bursts).`, objective: 99, sli: { kind: 'ratio' as const, ...drift } },
      unavailable: typeof drift === 'string' ? drift : undefined,
    }))(perplexityDrift(p)),
  ];
}
