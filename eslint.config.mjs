// @ts-check
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * DESIGN.md's import table: which feature module may import which. Same-module imports are always
 * allowed; only the composition root (main.ts, app.module.ts, configure-app.ts) sees everything.
 */
const MAY_IMPORT = {
  config: [],
  redis: ['config'],
  common: ['config'],
  fusionauth: ['config', 'common'],
  tokens: ['config', 'common'],
  denylist: ['config', 'redis', 'common', 'tokens'],
  session: ['config', 'redis', 'common', 'denylist'],
  users: ['config', 'common', 'fusionauth', 'denylist', 'session'],
  auth: ['config', 'redis', 'common', 'fusionauth', 'tokens', 'denylist', 'session', 'users'],
  webhooks: ['config', 'redis', 'common', 'tokens', 'denylist', 'session'],
  health: ['config', 'redis', 'common', 'tokens', 'denylist'],
  'dev-idp': [],
};
const modules = Object.keys(MAY_IMPORT);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'jest.config.js', 'eslint.config.mjs', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['scripts/*.js', 'test/support/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/elements': [
        ...modules.map((name) => ({ type: name, pattern: `src/${name}` })),
        { type: 'root', pattern: 'src' },
      ],
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            {
              from: { element: { type: 'root' } },
              allow: { to: { element: { types: { anyOf: [...modules, 'root'] } } } },
            },
            ...modules.map((name) => ({
              from: { element: { type: name } },
              allow: { to: { element: { types: { anyOf: [name, ...MAY_IMPORT[name]] } } } },
            })),
          ],
        },
      ],
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    // Configuration is read in one place, validated once.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/config/).' },
      ],
    },
  },
  {
    files: ['scripts/**/*.js', 'test/support/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // expect.any() and friends are typed `any` by Jest.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  prettier,
);
