// The shared jest setup: ESM TypeScript through @swc/jest, workspace libs from their sources
// (the "development" export condition), unit (*.spec.ts) and integration (*.int.spec.ts) tests.
import { basename } from 'node:path';

/** @returns {import('jest').Config} */
export function project(dir) {
  return {
    displayName: `@sms-inbox/${basename(dir)}`,
    rootDir: dir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript', decorators: false }, target: 'es2022' },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    testEnvironmentOptions: { customExportConditions: ['development', 'node', 'node-addons'] },
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  };
}
