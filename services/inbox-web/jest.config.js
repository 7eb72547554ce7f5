import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { project } from '../../jest.preset.js';

const base = project(dirname(fileURLToPath(import.meta.url)));
export default {
  ...base,
  displayName: '@sms-inbox/inbox-web-service',
  // The page's pure modules have their specs beside them too.
  testMatch: [...base.testMatch, '<rootDir>/web/src/**/*.spec.ts'],
};
