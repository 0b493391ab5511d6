// npm run lint: typescript-eslint's recommended rules over the TypeScript of the
// repository, plus the library's own rules for lib/ (see CONTRIBUTING.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Error classes a library file may not throw: lib/ throws only its own error types. */
const BUILT_IN_ERRORS = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'packages/cli/dist/**',
      'build/**',
      '**/cdktf.out/**',
      '.gen/**',
      'coverage/**',
      'lib/private/instance-type-data.ts',
      'examples/docker-image-pipeline/app/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...BUILT_IN_ERRORS.flatMap((name) => [
          {
            selector: `ThrowStatement > NewExpression[callee.name='${name}']`,
            message: `lib/ throws only the library's own error types (ValidationError, ReleaseFileError, ...), not ${name}: they name the construct or file, the value and the fix.`,
          },
          {
            selector: `ThrowStatement > CallExpression[callee.name='${name}']`,
            message: `lib/ throws only the library's own error types, not ${name}().`,
          },
        ]),
      ],
    },
  },
  {
    // No line over 120 characters in the published source, comments and strings included:
    // split a long message, or move it into an error factory.
    files: ['lib/**/*.ts', 'bin/**/*.ts'],
    rules: { 'max-len': ['error', { code: 120 }] },
  },
  {
    // The command line loads its subcommands and the AWS SDK on demand (`require` inside the
    // function that needs them), so that `--version` and the release commands stay fast and
    // never load what they do not call (the YAML parser only for a YAML analysis file).
    files: ['bin/**/*.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^\\./', '^@aws-sdk/client-', '^yaml$'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        exports: 'writable',
        URL: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
