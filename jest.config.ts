import type { Config } from 'jest';

// @swc/jest turns TypeScript and the ESM-only packages (@middy, jose) into CommonJS for jest.
// Type-checking is `npm run build` (tsc), not the test run: that keeps the suite fast.
const transform: Config['transform'] = { '^.+\\.(t|j|mj)s$': ['@swc/jest', {}] };
const shared = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose|@cloud-copilot)/)'],
  // @middy packages export only an `import` condition, which jest's CommonJS resolver skips.
  moduleNameMapper: { '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  testEnvironment: 'node',
} satisfies Config;

const config: Config = {
  // An integration suite spends most of its time in DynamoDB Local's JVM, a process of its own,
  // so two workers keep two cores busy: on these 2-core machines the run takes about 15 minutes
  // instead of 25. More would crowd a small machine; `--maxWorkers` overrides it.
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    { ...shared, displayName: 'emulated', testMatch: ['<rootDir>/test/emulated/**/*.test.ts'] },
    // Every IAM policy the product ships, proven by an independent evaluator (no network).
    { ...shared, displayName: 'iam', testMatch: ['<rootDir>/test/iam/**/*.test.ts'] },
    // The console in Debian's chromium, against the local runtime.
    { ...shared, displayName: 'console', testMatch: ['<rootDir>/test/console/**/*.test.ts'] },
  ],
};

export default config;
