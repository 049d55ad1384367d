/**
 * Starts a real VS Code (code-server) on 127.0.0.1 with the packaged VSIX installed, and a real
 * Chromium driven by playwright-core. Every process started here is stopped by its PID (its whole
 * process group) in stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, killGroup } from '../../harness/processes.ts';
import { ensureRealVsCode, type RealVsCode } from './install.ts';

export interface CodeServerOptions {
  vsix: string;
  workspace: string;
  /** User settings.json content. Workspace trust is off unless a test turns it on. */
  userSettings?: Record<string, unknown>;
  /**
   * Remote machine settings (`<user-data>/Machine/settings.json`): where a VS Code server such as
   * code-server reads `scope: "machine"` settings. The extension host takes PATH from a login
   * shell, not from this process, so a test points at a fake executable here.
   */
  machineSettings?: Record<string, unknown>;
}

export interface RunningCodeServer {
  url: string;
  page: Page;
  logs(): string;
  stop(): Promise<void>;
}

function runToEnd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it answered`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

export interface LaunchedCodeServer {
  /** http://127.0.0.1:PORT/?folder=... */
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Installs the VSIX into a fresh profile and starts code-server on 127.0.0.1 (no browser). */
export async function launchCodeServer(
  options: CodeServerOptions & { port?: number; userDataDir?: string },
): Promise<LaunchedCodeServer> {
  const tools: RealVsCode = await ensureRealVsCode();
  const root = mkdtempSync(join(tmpdir(), 'gpu-workbench-e2e-'));
  const userData = options.userDataDir ?? join(root, 'user-data');
  const extensions = join(root, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify(options.machineSettings ?? {}));
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'git.openRepositoryInParentFolders': 'never',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      ...options.userSettings,
    }),
  );
  const env = process.env;
  await runToEnd(
    tools.node24,
    [
      tools.codeServer,
      '--install-extension',
      options.vsix,
      '--extensions-dir',
      extensions,
      '--user-data-dir',
      userData,
    ],
    env,
  );

  const port = options.port ?? (await freePort());
  let output = '';
  const server = spawn(
    tools.node24,
    [
      tools.codeServer,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--extensions-dir',
      extensions,
      '--user-data-dir',
      userData,
      '--disable-telemetry',
      '--disable-update-check',
      options.workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    await killGroup(server);
    if (process.env.GPU_WORKBENCH_E2E_KEEP === '1') console.log(`e2e: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(`${url}healthz`, server, 60_000);
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\ncode-server output:\n${output.slice(-4000)}`,
    );
  }
  return { url: `${url}?folder=${encodeURIComponent(options.workspace)}`, logs: () => output, stop };
}

/** code-server plus a Chromium page on it, with the workbench loaded. */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const server = await launchCodeServer(options);
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await server.stop();
  };
  try {
    browser = await chromium.launch({
      executablePath: (await ensureRealVsCode()).chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return { url: server.url, page, logs: () => server.logs(), stop };
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\ncode-server output:\n${server.logs().slice(-4000)}`,
    );
  }
}
