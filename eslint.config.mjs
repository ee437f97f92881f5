/**
 * Lint of the TypeScript frontend (`jlpm lint:check`, `jlpm lint` to fix).
 * Besides typescript-eslint and the React hooks rules it holds the layout's
 * import boundaries (src-ts/):
 *   api/       the server's contract and client: imports nothing else here;
 *   shared/    logic several features use: imports api/ only;
 *   ui/        primitives (fields, dialogs, badges, lists, details, hooks): api/ and shared/, never a feature;
 *   features/  one folder per feature: api/, ui/, shared/ and its own files, never another feature;
 *   app/, index.ts  the JupyterLab shell that puts the features together.
 * Logic (a .ts module outside app/) never imports a view (a PascalCase .tsx module).
 * The rules match import paths as written (relative), so each depth has its pattern.
 */
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const UP = '(\\.\\./)+';

/** A no-restricted-imports rule from [regex, message] pairs. */
function restrict(...pairs) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: pairs.map(([regex, message]) => ({ regex, message, caseSensitive: true })) }
    ]
  };
}

const NOT_APP = [`^${UP}app(/|$)`, 'Only the JupyterLab shell (app/, index.ts) imports app/.'];
const NOT_FEATURES = [`^${UP}features(/|$)`, 'ui/, shared/ and api/ never import a feature.'];
const NOT_UI = [`^${UP}ui(/|$)`, 'shared/ and api/ are logic: they never import ui/.'];
const VIEW = ['(^|/)[A-Z][A-Za-z]*$', 'Logic (.ts) never imports a view (.tsx): move what both need into logic.'];

export default tseslint.config(
  {
    ignores: [
      'lib/**',
      'node_modules/**',
      'coverage/**',
      'aqua_ext/labextension/**',
      '.venv/**',
      // Generated from schema/api/openapi.json by `jlpm build:types`.
      'src-ts/api/openapi.d.ts',
      'src-ts/api/limits.ts'
    ]
  },
  {
    files: ['src-ts/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', ignoreRestSiblings: true }],
      // JupyterLab's own idiom: a namespace beside a class for its options and ids.
      '@typescript-eslint/no-namespace': 'off',
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'all']
    }
  },
  {
    files: ['src-ts/**/__tests__/**', 'src-ts/test-support/**'],
    rules: {
      // Jest module factories and fixtures load modules lazily.
      '@typescript-eslint/no-require-imports': 'off'
    }
  },
  // ---- import boundaries ----------------------------------------------------------------
  { files: ['src-ts/api/*.ts'], rules: restrict(['^\\.\\./', 'api/ imports nothing outside api/.']) },
  {
    files: ['src-ts/shared/**/*.ts'],
    ignores: ['src-ts/shared/__tests__/**'],
    rules: restrict(NOT_APP, NOT_FEATURES, NOT_UI, VIEW)
  },
  { files: ['src-ts/ui/**/*.tsx'], ignores: ['src-ts/ui/__tests__/**'], rules: restrict(NOT_APP, NOT_FEATURES) },
  {
    files: ['src-ts/ui/**/*.ts'],
    ignores: ['src-ts/ui/__tests__/**'],
    rules: restrict(NOT_APP, NOT_FEATURES, VIEW)
  },
  {
    files: ['src-ts/features/*/*.tsx'],
    rules: restrict(NOT_APP, [
      '^\\.\\./(?!\\.\\./)',
      'A feature never imports another feature: move what both need to shared/ or ui/.'
    ])
  },
  {
    files: ['src-ts/features/*/*.ts'],
    rules: restrict(
      NOT_APP,
      ['^\\.\\./(?!\\.\\./)', 'A feature never imports another feature: move what both need to shared/ or ui/.'],
      VIEW
    )
  },
  {
    files: ['src-ts/features/*/__tests__/*'],
    rules: restrict(NOT_APP, ['^\\.\\./\\.\\./(?!\\.\\./)', "A feature's tests never import another feature."])
  }
);
