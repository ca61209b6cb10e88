import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.tributary/', 'examples/corpus/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The core is pure: it talks to the world only through ports.
    files: ['shared/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*', '@lancedb/*', 'dynalite', 'fauxqs', 'openai', '@pinecone-database/*', 'node:fs', 'node:fs/*', 'fs', 'chokidar'], message: 'shared/core is pure: depend on a port, not an SDK or the filesystem.' },
          { group: ['**/adapters/**', '**/wiring/**', '**/connectors/**'], message: 'shared/core must not import adapters, wiring or connectors.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'The core never reads process state; take it as an argument.' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
