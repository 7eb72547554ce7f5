// The fault drills (issue 9) as their own jest project, `@sms-inbox/drills`: part of the README's
// test command, and runnable alone with `npx nx run @sms-inbox/devstack:drills`.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { project } from '../../jest.preset.js';

const base = project(dirname(fileURLToPath(import.meta.url)));
export default {
  ...base,
  displayName: '@sms-inbox/drills',
  testMatch: ['<rootDir>/drills/**/*.spec.ts'],
};
