// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * Node's built-in modules. Bare names are matched exactly (as `paths`), so a folder of ours
 * called `util/` or `net/` is not mistaken for a built-in; `node:*` covers the prefixed form.
 */
const NODE_BUILTINS = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'url', 'util', 'events', 'stream', 'worker_threads', 'dgram', 'tls', 'zlib'];

/** Import-restriction patterns that keep each folder inside its runtime (STYLE.md §1). */
const forbid = (...groups) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: groups.flatMap((g) => (g.names ?? []).map((name) => ({ name, message: g.message }))),
      patterns: groups.filter((g) => g.group).map((g) => ({ group: g.group, message: g.message })),
    },
  ],
});
const SERVER = { group: ['**/signaling-server/**', '**/sfu/**'], message: 'server code is Node-only; share contracts through common/' };
const RENDERER = { group: ['**/renderer/**'], message: 'renderer code runs in the page; share contracts through common/' };
const DESKTOP = { group: ['**/main/**', '**/preload/**'], message: 'Electron process code stays in its process' };
const ELECTRON = { group: ['electron', 'electron/*'], message: 'only main/ and preload/ may import electron' };
const NODE = { group: ['node:*'], names: NODE_BUILTINS, message: 'no Node built-ins in this runtime' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'playwright-report/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['common/**'],
    rules: forbid(
      SERVER,
      RENDERER,
      DESKTOP,
      ELECTRON,
      NODE,
      { group: ['react', 'react-dom', 'zustand', 'ws', 'pino', 'better-sqlite3'], message: 'common/ is runtime-neutral: zod only' },
    ),
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...forbid(SERVER, DESKTOP, ELECTRON, NODE),
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    // The preload runs sandboxed: it may import `contextBridge` and `ipcRenderer` from electron,
    // common/ and its own files, nothing else (bundled into one CommonJS file that requires only electron).
    files: ['preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', allowImportNames: ['contextBridge', 'ipcRenderer'], message: 'preload uses only contextBridge and ipcRenderer' }],
          patterns: [
            {
              regex: '^(?!electron$|\\.\\./common/|\\./)',
              message: 'preload may import only electron (contextBridge, ipcRenderer), common/ and its own files',
            },
          ],
        },
      ],
    },
  },
  {
    // Electron main process: Node + Electron; may run the signaling server in-process ("host on this computer").
    files: ['main/**'],
    languageOptions: { globals: globals.node },
    rules: forbid(RENDERER, { group: ['**/preload/**', '../preload/*'], message: 'main talks to preload over IPC only' }),
  },
  {
    files: ['signaling-server/**', 'sfu/**'],
    languageOptions: { globals: globals.node },
    rules: forbid(RENDERER, DESKTOP, ELECTRON),
  },
  {
    // Packaging resources and their generator script (Node).
    files: ['build/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['tests/**', 'bench/**', 'scripts/**', '*.ts', '*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
