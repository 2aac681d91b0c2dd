import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Stage libraries are plain TypeScript: a stage's algorithm must be testable
 * and reusable without Nest, a database, a queue or the process configuration.
 * Apps wire stage libs to those; libs/pipeline, database, storage and config are
 * the framework side. ("Engine" is kept for transcription's recogniser back ends.)
 */
const STAGE_LIBS = ['layout', 'media', 'rendering', 'segmenting', 'silence', 'transcription'];
const FRAMEWORK_IMPORTS = [
  '@nestjs/*',
  'typeorm',
  'bull',
  'ioredis',
  '@clipline/database',
  '@clipline/pipeline',
  '@clipline/storage',
  '@clipline/config',
];
const APPS_IMPORT = {
  group: ['**/apps/*', '**/apps/*/**'],
  message: 'An app never imports another app; shared code belongs in libs/.',
};
const STAGE_LIB_IMPORTS = FRAMEWORK_IMPORTS.map((name) => ({
  group: [name, `${name}/**`],
  message:
    'Stage libs (layout, media, rendering, segmenting, silence, transcription) stay framework-free: ' +
    'no Nest, TypeORM, Bull, ioredis or the database/pipeline/storage/config libs. ' +
    'Take what you need as an argument; the worker app passes it in.',
}));
// Test support and fixtures serve specs and test/ only; product code that imported them would ship them.
const TEST_IMPORT = {
  regex: '^@test/|(^|/)test/(support|fixtures)(/|$)',
  message:
    'Only specs and test/ import test support and fixtures (@test/support/*, @test/fixtures/*); product code never does.',
};
const SPECS = ['**/*.spec.ts', '**/*.spec.tsx'];
// Reaching into another lib's folder by path would dodge the package names above.
const STAGE_LIB_RELATIVE = {
  regex:
    '(^|/)libs/(database|pipeline|storage|config)(/|$)|^(\\.\\./)+(database|pipeline|storage|config)/src',
  message: 'Stage libs do not import the framework libs, by name or by path.',
};

const TS_FILES = ['**/*.ts', '**/*.tsx'];

/**
 * job_stages, clips and stage_parts are written only in libs/pipeline/src/state,
 * where each transition is fenced by its attempt and listed in state/index.ts.
 * Raw SQL is caught by its text, TypeORM writes by the entity they name.
 */
const LIFECYCLE_TABLES = '(job_stages|clips|stage_parts)';
const LIFECYCLE_ENTITIES = '/^(JobStageEntity|ClipEntity|StagePartEntity)$/';
const LIFECYCLE_SQL = `/(UPDATE|INSERT\\s+INTO|DELETE\\s+FROM)\\s+${LIFECYCLE_TABLES}\\b/`;
const WRITE_METHODS = '/^(update|insert|upsert|save|delete|softDelete|increment|decrement|into)$/';
const LIFECYCLE_MESSAGE =
  'job_stages, clips and stage_parts are written only in libs/pipeline/src/state (StageRows, ClipRows, PartRows): add or use a transition there.';
const LIFECYCLE_WRITES = [
  `TemplateElement[value.raw=${LIFECYCLE_SQL}]`,
  `Literal[value=${LIFECYCLE_SQL}]`,
  `CallExpression[callee.property.name=${WRITE_METHODS}][arguments.0.name=${LIFECYCLE_ENTITIES}]`,
  `CallExpression[callee.property.name=${WRITE_METHODS}][callee.object.callee.property.name='getRepository'][callee.object.arguments.0.name=${LIFECYCLE_ENTITIES}]`,
].map((selector) => ({ selector, message: LIFECYCLE_MESSAGE }));

// Node's globals for the launcher scripts (the `globals` package is not a direct dependency).
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'AbortController',
    'AbortSignal',
    'fetch',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'structuredClone',
    '__dirname',
    '__filename',
    'require',
    'module',
    'exports',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'apps/web/dist/**',
      '.data/**',
      'models/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-imports': ['error', { patterns: [APPS_IMPORT] }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error (and, in a worker, its job).
    files: TS_FILES,
    languageOptions: {
      parserOptions: {
        projectService: {
          // The web app's specs run under jest, outside the web tsconfig (which builds for the browser).
          allowDefaultProject: ['apps/web/src/*.spec.ts'],
          defaultProject: 'tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        // Express/Node listeners ignore the returned promise; each such handler catches its own errors.
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  {
    // Product code reads configuration only through the validated schema (libs/config).
    files: ['apps/**/*.{ts,tsx}', 'libs/**/*.ts'],
    ignores: ['libs/config/**', ...SPECS],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read settings from the validated config (libs/config/src/env.schema.ts, documented in docs/configuration.md); stage libs take them as arguments.',
        },
      ],
    },
  },
  {
    files: ['apps/**/*.{ts,tsx}', 'libs/**/*.ts'],
    ignores: SPECS,
    rules: { 'no-restricted-imports': ['error', { patterns: [APPS_IMPORT, TEST_IMPORT] }] },
  },
  {
    files: ['apps/**/*.{ts,tsx}', 'libs/**/*.ts'],
    ignores: ['libs/pipeline/src/state/**', ...SPECS],
    rules: { 'no-restricted-syntax': ['error', ...LIFECYCLE_WRITES] },
  },
  {
    // Stage lib specs may use test support; the stage lib rules hold for them too.
    files: STAGE_LIBS.map((l) => `libs/${l}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [APPS_IMPORT, ...STAGE_LIB_IMPORTS, STAGE_LIB_RELATIVE] },
      ],
    },
  },
  {
    files: STAGE_LIBS.map((l) => `libs/${l}/**/*.ts`),
    ignores: SPECS,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [APPS_IMPORT, ...STAGE_LIB_IMPORTS, STAGE_LIB_RELATIVE, TEST_IMPORT] },
      ],
    },
  },
  {
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message:
                'contracts imports nothing outside itself (the web app and every lib build on it).',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests may drive an app's own services (e.g. hashing an API key); apps still never import each other.
    files: ['test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['scripts/**/*.{mjs,cjs,js}', 'eslint.config.mjs', 'jest.config.js', 'test/**/*.js'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    files: ['scripts/**/*.cjs', 'jest.config.js', 'test/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
