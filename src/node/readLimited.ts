/** Reading untrusted files with a byte cap, regular files only. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { errorMessage } from '../core/errors.ts';
import { safeLine } from '../core/text/safeText.ts';

/** Bad input (a file too large, not a regular file): the CLI exits 2 without the usage text. */
export class InputError extends Error {}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`
    : `${Math.round(bytes / 1024)} KiB`;
}

/**
 * A regular file's text, up to `maxBytes`. Devices (/dev/zero), FIFOs and sockets are refused
 * before anything is read (opened non-blocking, so a FIFO with no writer cannot hang the open),
 * and the read stops at the cap whatever the size said.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new InputError(`${path} is not a regular file`);
    if (info.size > maxBytes)
      throw new InputError(`${path} is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit`);
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(info.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes || (length === buffer.length && length > info.size))
      throw new InputError(`${path} is over the ${formatBytes(maxBytes)} limit`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A stream's text up to maxBytes, counted as it arrives; past it, `tooLarge()` is thrown and the
 * stream is cancelled (leaving the loop does that), so nothing more is read or kept.
 */
export async function readStreamCapped(
  stream: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total > maxBytes) throw tooLarge();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An HTTP answer's body up to maxBytes, counted as it arrives (after any decompression, so a gzip
 * bomb stops too); past it, or past a declared Content-Length, the download stops with `tooLarge`.
 */
export async function readResponseCapped(response: Response, maxBytes: number, tooLarge: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(tooLarge);
  }
  return response.body ? readStreamCapped(response.body, maxBytes, () => new Error(tooLarge)) : '';
}

/**
 * Why a fetch failed, on one line: a timeout says how long was waited; a network failure says its
 * cause (undici's own message is only "fetch failed"); anything else its message.
 */
export function fetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return safeLine(errorMessage(error instanceof Error && error.cause instanceof Error ? error.cause : error));
}

/**
 * Why a token cannot go into an Authorization header (visible ASCII only: with a pasted line
 * break, fetch refuses the header and quotes it, token included, in its error), or undefined.
 */
export function tokenProblem(token: string | undefined, whose: string): string | undefined {
  if (token === undefined || token === '' || /^[\x21-\x7e]+$/.test(token)) return undefined;
  return `the ${whose} token holds spaces, a line break or other characters a token cannot have; it was not sent`;
}
