// House rules a machine checks. The import rules encode the layering (README, "Development"):
//   app/                   pages, route handlers         → lib/services, lib/schemas, lib/http, lib/errors, the route guards
//   components/            React                         → lib/schemas (the wire types), lib/errors
//   lib/cli/, workers/     entry points                  → lib/services (and the database bootstrap), never lib/repositories
//   lib/services/          the rules                     → lib/repositories, engines; no SQL of their own (a service may open
//                                                          a unit of work, withTransaction, and hand its client to repositories)
//   lib/repositories/      the only SQL                  → lib/db; never up into services, auth or HTTP
//   lib/embedding/, lib/similarity/, lib/dataset/  engines → nothing of HTTP
import tseslint from 'typescript-eslint';

const sql = (from) => [
  { name: 'pg', message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres.` },
  { name: 'pg-copy-streams', message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres.` },
  {
    name: '@/lib/db',
    allowImportNames: ['closeDb'],
    message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres; call a repository.`,
  },
];
// Services compose repository calls into one transaction: they may open it and pass its client (a pg type) along.
const unitOfWork = (from) => [
  { name: 'pg', allowTypeImports: true, message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres.` },
  { name: 'pg-copy-streams', message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres.` },
  {
    name: '@/lib/db',
    allowImportNames: ['closeDb', 'withTransaction'],
    message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres; call a repository.`,
  },
];
const sqlPatterns = (from) => [
  { regex: '^@prisma/', message: `${from} runs no SQL: only lib/repositories (and lib/db) talk to Postgres.` },
  { regex: '^@/lib/generated/', allowTypeImports: true, message: `${from} runs no SQL: only lib/repositories (and lib/db) use the Prisma client.` },
];
const http = (from) => [
  { regex: '^next(/|$)', message: `${from} knows nothing of HTTP: no next/*.` },
  { regex: '^@/lib/(http|errors)$', message: `${from} knows nothing of HTTP: throw a plain Error and let the service give it a status.` },
];
const relativeLib = { regex: '^(\\.\\./)+lib(/|$)', message: 'reach lib/ through @/lib/…, so the layering rules can see the import.' };

const restrict = (paths, patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'lib/generated/', '.next*/', '.facesift/', 'tests/artifacts/', 'tests/fixtures/', 'next-env.d.ts'] },
  {
    files: ['**/*.{ts,tsx,mts,mjs}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-debugger': 'error',
      'no-duplicate-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['app/**'],
    rules: restrict(
      [...sql('app/'), { name: '@/lib/db', message: 'app/ talks to lib/services only.' }],
      [
        ...sqlPatterns('app/').map((pattern) => ({ ...pattern, allowTypeImports: false })),
        {
          regex: '^@/lib/(?!(services|schemas)/|(http|errors)$|auth/(guard|page-user|tokens)$)',
          message: 'app/ talks to lib/services only, with the wire types of lib/schemas (plus lib/http, lib/errors and the route guards of lib/auth).',
        },
        { regex: '^(pg-boss|onnxruntime-node|faiss-node|sharp)$', message: 'app/ reaches the queue and engines through lib/services.' },
        relativeLib,
      ],
    ),
  },
  {
    // components get their data from pages and the API, so they read its wire types and nothing of the services
    files: ['components/**'],
    rules: restrict(
      [...sql('components/'), { name: '@/lib/db', message: 'components/ read the wire types of lib/schemas only.' }],
      [
        ...sqlPatterns('components/').map((pattern) => ({ ...pattern, allowTypeImports: false })),
        {
          regex: '^@/lib/(?!schemas/|errors$)',
          message:
            'components/ get their data from pages and the API: they import the wire types of lib/schemas (lib/schemas/responses.ts) and nothing else of lib/.',
        },
        { regex: '^(pg-boss|onnxruntime-node|faiss-node|sharp)$', message: 'components/ reach the queue and engines through the API.' },
        relativeLib,
      ],
    ),
  },
  {
    files: ['lib/cli/**', 'workers/**'],
    rules: restrict(sql('The CLI and the worker'), [
      ...sqlPatterns('The CLI and the worker'),
      { regex: '^@/lib/repositories/', message: 'The CLI and the worker call lib/services, not repositories.' },
      relativeLib,
    ]),
  },
  {
    files: ['lib/services/**', 'lib/queue/**'],
    rules: restrict(unitOfWork('This module'), sqlPatterns('This module')),
  },
  {
    files: ['lib/auth/**', 'lib/http.ts', 'lib/errors.ts', 'lib/csv.ts', 'lib/paths.ts'],
    rules: restrict(sql('This module'), sqlPatterns('This module')),
  },
  {
    files: ['lib/schemas/**'],
    rules: restrict(sql('lib/schemas'), [
      ...sqlPatterns('lib/schemas'),
      { regex: '^@/lib/(repositories|services|auth|cli|queue)/', message: 'lib/schemas describes data: it depends on no layer that does work.' },
      { regex: '^next(/|$)', message: 'lib/schemas describes data: no next/*.' },
    ]),
  },
  {
    files: ['lib/repositories/**'],
    rules: restrict(
      [],
      [
        { regex: '^@/lib/(services|auth|cli|queue)/', message: 'lib/repositories is the bottom layer: it imports no services, auth, CLI or queue.' },
        { regex: '^@/lib/http$', message: 'lib/repositories knows nothing of HTTP.' },
        { regex: '^next(/|$)', message: 'lib/repositories knows nothing of HTTP: no next/*.' },
      ],
    ),
  },
  {
    files: ['lib/embedding/**', 'lib/similarity/**', 'lib/dataset/**'],
    rules: restrict(sql('An engine'), [
      ...sqlPatterns('An engine'),
      ...http('An engine'),
      { regex: '^@/lib/(services|repositories|auth|cli|queue)/', message: 'An engine is called by services; it imports none of the layers above it.' },
    ]),
  },
);
