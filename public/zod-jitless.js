// Runs before the app's bundles (next/script beforeInteractive). zod compiles
// object parsers with `new Function` unless told not to, and probes for it as
// soon as a schema is built; under our CSP (no 'unsafe-eval') that probe is a
// reported violation. zod reads its settings from this global, so setting it
// here covers schemas built by any module, whichever chunk loads first.
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
