import { defineConfig } from 'prisma/config';

// The URL is only needed by `prisma migrate`/`studio` run by a user with a real
// database; the app itself connects through lib/db.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/trisight' },
});
