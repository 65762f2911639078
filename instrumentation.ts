// Runs once when the Next.js server starts: background work the app owns.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // Route latencies for /metrics, from the spans Next.js emits per request.
  const { registerRouteLatency } = await import('./lib/app-tracing');
  registerRouteLatency();
  if (!process.env.DATABASE_URL) return;
  const log = (m: string) => console.log(`[trisight] ${m}`);
  // Embedded stores keep EMBEDDED_RETENTION of telemetry, no more.
  const { startEmbeddedRetention } = await import('./lib/datasources');
  startEmbeddedRetention(log);
  // Runs that were in flight when the server stopped can never finish: say so.
  const { loadRuns } = await import('./lib/loadruns');
  await loadRuns()
    .recoverInterrupted()
    .catch((e: Error) => log(`load-run recovery failed: ${e.message}`));
  // The embedded Prometheus loads the SLO rules from files: the database is the truth, the folder follows it.
  const { syncRulesFromDatabase } = await import('./lib/slo/service');
  await syncRulesFromDatabase(log).catch((e: Error) => log(`SLO rules not loaded: ${e.message}`));
}
