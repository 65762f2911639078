// `npm run sandbox`: the inference sandbox as its own process. Settings come from
// the environment (see serve/env.ts); SIGINT/SIGTERM drain in-flight requests
// and flush telemetry before exiting.
import { startSandbox } from './serve/index';
import { SandboxEnvError, parseSandboxEnv } from './serve/env';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseSandboxEnv>;
  try {
    options = parseSandboxEnv(process.env);
  } catch (e) {
    if (e instanceof SandboxEnvError) {
      console.error(`sandbox: invalid environment: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const sandbox = await startSandbox(options);
  const t = options.telemetry ?? {};
  console.log(
    `sandbox: ${sandbox.model} listening on ${sandbox.url}` +
      ` (traces ${t.otlpTracesUrl ?? t.otlpEndpoint ?? 'off'}, profiles ${t.pyroscopeServerAddress ?? 'off'})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sandbox: ${signal}: draining`);
    sandbox.close().then(
      () => process.exit(0),
      (e) => {
        console.error('sandbox: shutdown failed', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  console.error(`sandbox: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
