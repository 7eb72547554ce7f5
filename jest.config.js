// Every project's tests in one run (the README's test command).
export default {
  projects: [
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/services/*/jest.config.js',
    '<rootDir>/libs/devstack/drills.jest.config.js',
    '<rootDir>/libs/devstack/conformance.jest.config.js',
  ],
  // Integration tests start their own NATS, FerretDB and services.
  testTimeout: 120_000,
};
