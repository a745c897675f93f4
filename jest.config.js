const fs = require('node:fs');
const path = require('node:path');

/**
 * NestJS 12, jose and oidc-provider ship only as ES modules. Node 20 loads them from our CommonJS
 * build (require(esm)), but Jest's module system cannot before Node 24.9, so every ES-module
 * package is compiled to CommonJS for the tests, import.meta included.
 */
function esModulePackages(root) {
  const found = [];
  const visit = (dir, prefix = '') => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@') && !prefix) {
        visit(path.join(dir, entry), `${entry}/`);
        continue;
      }
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, entry, 'package.json'), 'utf8'));
        if (pkg.type === 'module') found.push(`${prefix}${entry}`);
      } catch {
        // Not a package.
      }
    }
  };
  visit(path.join(root, 'node_modules'));
  return [...new Set(found)];
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const esm = esModulePackages(__dirname).map(escape).join('|');

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
    '^.+\\.m?js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        plugins: [
          ['babel-plugin-transform-import-meta', { module: 'ES6' }],
          '@babel/plugin-transform-export-namespace-from',
          '@babel/plugin-transform-modules-commonjs',
        ],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esm})/)`],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
