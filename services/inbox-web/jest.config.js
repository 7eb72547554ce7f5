import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { project } from '../../jest.preset.js';

const base = {
  ...project(dirname(fileURLToPath(import.meta.url))),
  displayName: '@sms-inbox/inbox-web-service',
};
export default base;
