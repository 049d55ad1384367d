/** Installing (apt) and running the real servers the tests use; every process is stopped by PID. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed: ${signal ?? `exit ${code}`}`)),
    );
  });
}

/**
 * Installs the Debian packages whose marker file is missing; one `apt-get update` first. node:test
 * runs test files in parallel, so two files may install at once: `flock` on one lock file makes them
 * take turns instead of failing on apt's own lock.
 */
export async function ensureAptPackages(packages: Record<string, string>): Promise<void> {
  const missing = Object.entries(packages)
    .filter(([, marker]) => !existsSync(marker))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-w', '900', '/tmp/gpu-workbench-apt.lock'];
  await run('flock', [...lock, 'apt-get', 'update', '-q'], env);
  await run('flock', [...lock, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing], env);
  for (const [pkg, marker] of Object.entries(packages)) {
    if (!existsSync(marker)) throw new Error(`apt-get installed ${pkg} but ${marker} is still missing`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${logs()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms:\n${logs()}`);
}

export interface Started {
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/** Starts a long-running server in its own process group; stop() ends the group by PID. */
export function startServer(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  let output = '';
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.on('error', (error) => (output += `\nspawn error: ${error.message}`));
  return { child, logs: () => output, stop: () => killGroup(child) };
}

export function killGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
