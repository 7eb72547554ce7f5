// The store conformance suite (docs/architecture.md, "The local store") as its own jest project,
// `@sms-inbox/store-conformance`: part of the README's test command; alone, against any server:
// `MONGODB_URI=mongodb://… npx nx run @sms-inbox/devstack:conformance`.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { project } from '../../jest.preset.js';

const base = project(dirname(fileURLToPath(import.meta.url)));
export default {
  ...base,
  displayName: '@sms-inbox/store-conformance',
  testMatch: ['<rootDir>/conformance/**/*.spec.ts'],
};
