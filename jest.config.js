const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src-ts/**/*.{ts,tsx}',
    '!src-ts/**/*.d.ts',
    '!src-ts/**/__tests__/**',
    '!src-ts/test-support/**'
  ],
  coverageReporters: ['lcov', 'text'],
  modulePathIgnorePatterns: [
    '<rootDir>/aqua_ext/labextension',
    '<rootDir>/.venv',
    '<rootDir>/ui-tests',
    '<rootDir>/lib'
  ],
  reporters: ['default'],
  setupFilesAfterEnv: ['<rootDir>/src-ts/test-support/setup.ts'],
  testRegex: 'src-ts/.*/.*.spec.tsx?$',
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '/.venv/'],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
