/**
 * Runs the built CLI (`bin/gpu-workbench.js`) as a user does, in its own process group, and
 * reports its exit code, output bytes, wall time and peak RSS (from test/harness/maxRss.cjs).
 * A child that outlives `timeoutMs` is stopped with its whole group.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

const repo = resolve(import.meta.dirname, '..', '..');
/** The CLI under test; GPU_WORKBENCH_TEST_CLI points at another build (e.g. to see these tests fail on an old one). */
export const CLI = process.env.GPU_WORKBENCH_TEST_CLI ?? join(repo, 'bin', 'gpu-workbench.js');
const PRELOAD = join(import.meta.dirname, 'maxRss.cjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams as bytes, for checks on raw control bytes. */
  bytes: Buffer;
  ms: number;
  /** Peak resident set of the child, KiB (undefined if it was killed before it could say). */
  maxRssKiB: number | undefined;
  killed: boolean;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to standard input (then closed); a function may write a stream of its own. */
  stdin?: string | Buffer | ((stdin: NodeJS.WritableStream) => void);
  timeoutMs?: number;
}

function collect(stream: Readable | null, into: Buffer[]): void {
  stream?.on('data', (chunk: Buffer) => into.push(chunk));
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-cli-'));
  const rssFile = join(dir, 'rss');
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--require', PRELOAD, CLI, ...args], {
      cwd: options.cwd ?? repo,
      env: { ...process.env, HF_HUB_OFFLINE: '1', ...options.env, GPU_WORKBENCH_MAX_RSS_FILE: rssFile },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    collect(child.stdout, out);
    collect(child.stderr, err);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs ?? 60_000);
    child.stdin.on('error', () => undefined); // the CLI may stop reading early: that is the point
    if (typeof options.stdin === 'function') options.stdin(child.stdin);
    else child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => {
      clearTimeout(timer);
      let maxRssKiB: number | undefined;
      try {
        maxRssKiB = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        maxRssKiB = undefined;
      }
      rmSync(dir, { recursive: true, force: true });
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err);
      done({
        code,
        stdout: stdout.toString('utf8'),
        stderr: stderr.toString('utf8'),
        bytes: Buffer.concat([stdout, stderr]),
        ms: Date.now() - started,
        maxRssKiB,
        killed,
      });
    });
  });
}

/**
 * ESC (0x1B), a raw 8-bit C1 byte, or a C1 control encoded in UTF-8 (C2 80-C2 9F, which a UTF-8
 * terminal reads as CSI, OSC, ...) anywhere in the bytes.
 */
export function terminalControls(bytes: Buffer): string[] {
  const found: string[] = [];
  const text = bytes.toString('latin1');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b) found.push(`ESC at ${i}`);
    else if (b === 0xc2 && bytes[i + 1] !== undefined && bytes[i + 1]! >= 0x80 && bytes[i + 1]! <= 0x9f)
      found.push(`C1 U+00${bytes[i + 1]!.toString(16)} at ${i}`);
    else if (b === 0x07 || b === 0x08 || b === 0x0d) found.push(`C0 0x${b.toString(16)} at ${i}`);
  }
  // Bidi overrides (U+202A-U+202E, U+2066-U+2069) as UTF-8: E2 80 AA-AE, E2 81 A6-A9.
  for (const m of text.matchAll(/\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]/g)) found.push(`bidi at ${m.index}`);
  return found;
}
