// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'dist/**', 'imports/**', 'node_modules/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'off',
      'eqeqeq': ['error', 'always'],
      'prefer-const': 'error',
      // Free-form settings maps are `{ [key: string]: any }`: jsii maps `any` to every
      // target language, `unknown` it does not.
      '@typescript-eslint/no-explicit-any': 'off',
      // The large generated CRD bindings are required on first use (src/common/crd-imports.ts).
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\.\\./\\.\\./imports/'] }],
        },
  },
  {
    // Build and benchmark scripts: plain CommonJS run by Node.
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
