import tseslint from 'typescript-eslint';

const providerRootMessage =
  'Import provider classes by deep path (e.g. @cdktf/provider-aws/lib/secretsmanager-secret): the package root loads every AWS resource, about 1.7 s and 550 MB per process.';

export default tseslint.config(
  { ignores: ['dist/', 'cdktf.out/', 'node_modules/', 'coverage/', '.gen/', '.scratch/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@cdktf/provider-aws', message: providerRootMessage },
            { name: '@cdktf/provider-aws/lib', message: providerRootMessage },
            { name: '@cdktf/provider-aws/lib/index', message: providerRootMessage },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests load the built bundles as Lambda does; CommonJS scripts require by nature.
    files: ['test/**/*.ts', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
