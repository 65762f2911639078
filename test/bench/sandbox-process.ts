// A sandbox in a process of its own, for benchmarks that measure what the
// sandbox alone costs (its CPU time from /proc) while the load generator and
// the telemetry receivers live in the bench's process. Options come as JSON in
// argv[2]; the first stdout line is the JSON {url, model}; SIGTERM closes it.
// Bench-only: `npm run sandbox` (workers/sandbox/main.ts) is the real entry.
import { startSandbox, type SandboxOptions } from '../../workers/sandbox/serve/index';

const sandbox = await startSandbox(JSON.parse(process.argv[2] ?? '{}') as SandboxOptions);
console.log(JSON.stringify({ url: sandbox.url, model: sandbox.model }));
process.on('SIGTERM', () => {
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
