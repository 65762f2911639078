'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { BROWSER_PRESET, runInBrowser, webGpuUnavailable, type BrowserRunProgress } from '@/lib/browser-run/engine';
import { BROWSER_LIMITS } from '@/lib/browser-run/schema';
import { errorFromBody } from '@/lib/api-errors';
import { mutationHeaders } from '@/lib/auth/client';
import { formFromSearch, formToBody } from '@/lib/loadruns/form';
import { LoadParams } from '@/lib/loadgen/params';

/** The form's load parameters (it keeps them in the URL), or what stops a browser run. */
function paramsFromUrl(get: (k: string) => string | null): { params: LoadParams } | { problem: string } {
  const { target: _target, ...body } = formToBody(formFromSearch(get));
  const r = LoadParams.safeParse(body);
  if (!r.success) return { problem: `Fix the form first: ${r.error.issues[0]?.message ?? 'invalid parameters'}.` };
  const p = r.data;
  const over = [
    p.requests > BROWSER_LIMITS.requests && `at most ${BROWSER_LIMITS.requests} requests`,
    p.concurrency > BROWSER_LIMITS.concurrency && `a concurrency of at most ${BROWSER_LIMITS.concurrency}`,
    p.maxTokens > BROWSER_LIMITS.maxTokens && `at most ${BROWSER_LIMITS.maxTokens} output tokens`,
    p.maxDurationS > BROWSER_LIMITS.maxDurationS && `a time cap of at most ${BROWSER_LIMITS.maxDurationS} s`,
  ].filter(Boolean);
  if (over.length) return { problem: `A run in this browser takes ${over.join(', ')}; change the form above.` };
  return { params: p };
}

/**
 * "Run in this browser": the sandbox's tiny model on this browser's GPU
 * (navigator.gpu), driven by the load form's parameters; the finished run
 * opens like a server run. The button says why when there is no WebGPU.
 */
export function BrowserRun() {
  const search = useSearchParams();
  const router = useRouter();
  const [unavailable, setUnavailable] = useState<string | null | undefined>(undefined);
  const [progress, setProgress] = useState<BrowserRunProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stored, setStored] = useState<{ href: string; undelivered: string[] } | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => {
    let live = true;
    void webGpuUnavailable().then((why) => live && setUnavailable(why));
    return () => {
      live = false;
      abort.current?.abort();
    };
  }, []);
  const input = paramsFromUrl((k) => search.get(k));
  const running = progress !== null;
  const blocked = unavailable ?? ('problem' in input ? input.problem : null);

  const start = async () => {
    if (!('params' in input)) return;
    setError(null);
    setStored(null);
    const ac = new AbortController();
    abort.current = ac;
    try {
      const { body, undelivered } = await runInBrowser({ params: input.params, onProgress: setProgress, signal: ac.signal });
      const res = await fetch('/api/runs/browser', { method: 'POST', headers: mutationHeaders(), body: JSON.stringify(body) });
      const json: unknown = await res.json().catch(() => null);
      if (!res.ok) throw errorFromBody(res.status, json);
      const href = `/sandbox/runs/${(json as { id: string }).id}`;
      // A run whose telemetry the app refused is stored all the same; say what its page will lack before opening it.
      if (undelivered.length) {
        setProgress(null);
        setStored({ href, undelivered });
        return;
      }
      router.push(href);
    } catch (e) {
      setError(`The browser run failed: ${(e as Error).message}`);
      setProgress(null);
    }
  };

  const pct = progress ? Math.round((100 * (progress.done + progress.failed)) / Math.max(1, progress.total)) : 0;
  return (
    <Panel title="Run in this browser" source="navigator.gpu" testId="browser-run">
      <div className="flex flex-col gap-3 p-3 text-sm">
        <p className="text-muted">
          The sandbox&apos;s {BROWSER_PRESET} model — the same WGSL kernels and seeded weights — on this browser&apos;s GPU, driven by the parameters in the form above.
          The page records a span tree per request and the GPU time of every kernel, sends them to this app, and the run opens like a server run.
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={start} disabled={running || unavailable === undefined || blocked !== null} data-testid="browser-run-start">
            {running ? 'Running in this browser…' : 'Run in this browser'}
          </Button>
          {running && (
            <Button size="sm" onClick={() => abort.current?.abort()} data-testid="browser-run-cancel">
              Cancel
            </Button>
          )}
          {unavailable === undefined && <span className="text-muted">Looking for WebGPU…</span>}
          {blocked && (
            <span className="text-muted" data-testid="browser-run-unavailable">
              {blocked}
            </span>
          )}
        </div>
        {progress && (
          <div role="status" aria-live="polite" className="flex flex-col gap-1" data-testid="browser-run-progress">
            <div className="h-2 overflow-hidden rounded bg-panel-2">
              <div className="h-full bg-accent transition-all" style={{ width: `${pct}%` }} />
            </div>
            <span className="text-xs text-muted">
              {progress.phase === 'starting'
                ? 'Compiling the kernels and uploading the weights…'
                : progress.phase === 'flushing'
                  ? 'Sending spans and the GPU profile…'
                  : `${progress.done} done, ${progress.failed} failed of ${progress.total} · ${progress.outputTokens} output tokens`}
            </span>
          </div>
        )}
        {stored && (
          <div role="alert" className="flex flex-col gap-1 text-warn" data-testid="browser-run-undelivered">
            <p>The run is stored, but the app did not accept all of its telemetry: {stored.undelivered.join('; ')}. Its page will lack what did not arrive (the server histogram, traces or the GPU profile).</p>
            <p>
              <Link href={stored.href} className="underline">
                Open the run
              </Link>
            </p>
          </div>
        )}
        {error && (
          <p role="alert" className="text-danger">
            {error}
          </p>
        )}
      </div>
    </Panel>
  );
}
