// Lint for the server, tests and the web app: the recommended JavaScript, TypeScript and Vue
// correctness rules (layout is left to the code's own compact style), plus the module boundaries —
// infrastructure (plugins, lib, realtime, db) imports no feature module, and a module imports
// another only through that module's index.ts.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import globals from 'globals'

const MODULES = ['auth', 'exams', 'health', 'orgs', 'points', 'questions', 'reports', 'study', 'users']

/** Inside module `self`, importing any file of another module except its index.ts is an error. */
const moduleBoundary = (self) => ({
  files: [`server/modules/${self}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: MODULES.filter((m) => m !== self).map((m) => ({
          regex: `^\\.\\./(\\.\\./)*${m}/(?!index\\.js$).+`,
          message: `Import module "${m}" through its index.ts only.`,
        })),
      },
    ],
  },
})

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'tests/.artifacts/**', 'bench/**', 'data/**', 'web/dev-dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
    rules: { 'vue/require-default-prop': 'error', 'vue/no-v-html': 'error' },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Migrations are written against Kysely<any> (frozen in time, never importing app types); tests
  // read loosely typed JSON answers.
  { files: ['migrations/**/*.ts', 'tests/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // The API suite runs its files in shared workers without isolation (vitest.config.ts): a file
  // that mocked a module, stubbed a global or changed process.env would leak into the next one.
  {
    files: ['tests/*.test.ts', 'tests/helpers/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['mock', 'doMock', 'stubEnv', 'stubGlobal', 'useFakeTimers', 'spyOn'].map((property) => ({
          object: 'vi',
          property,
          message: 'API test files share workers (isolate: false); keep state per test context instead.',
        })),
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "AssignmentExpression[left.object.object.name='process'][left.object.property.name='env']",
          message: 'API test files share workers (isolate: false); pass settings to buildApp instead of process.env.',
        },
      ],
    },
  },
  // The member pages' download has a budget: the console's UI text stays out of it. This catches a
  // direct import; one through a shared component is caught by npm run budget (CI), which measures.
  {
    files: ['web/src/views/member/**', 'web/src/components/member/**', 'web/src/components/study/**', 'web/src/layouts/MemberLayout.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'console-messages',
              message: "Member pages take their words from '@/messages'; the console's stay out of the member download.",
            },
          ],
        },
      ],
    },
  },
  ...MODULES.map(moduleBoundary),
  {
    files: ['server/plugins/**/*.ts', 'server/lib/**/*.ts', 'server/realtime/**/*.ts', 'server/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)modules/', message: 'Infrastructure imports no feature module.' }] }],
    },
  },
)
