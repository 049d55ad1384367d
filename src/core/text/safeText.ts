/**
 * The one sanitizer for untrusted text (file contents, tool output, server answers) on its way to
 * a terminal, a log line, a tree label or a message. A terminal acts on ESC (CSI, OSC 8 links,
 * OSC 52 clipboard writes), on the 8-bit C1 controls (U+0080-U+009F, e.g. U+009B is a CSI on its
 * own), on CR and backspace (which overwrite what was printed), and bidirectional overrides make
 * text read in an order other than the bytes'. Each such character is written as a visible escape
 * (`\x1b`, `\u202e`) instead, so nothing is lost and nothing is acted on. `\n` and `\t` stay in
 * multi-line text; `safeLine` escapes them too, for text that must stay on one line.
 *
 * JSON and SARIF keep their own escaping: `safeJson` only adds `\u` escapes for the characters
 * JSON.stringify leaves raw (DEL, C1, bidi, line separators), so the value read back is the same.
 */

/** C0 except \t and \n, DEL, C1, bidi embeddings/overrides/isolates, LRM/RLM/ALM, LS/PS. */
// oxlint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// oxlint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Untrusted multi-line text made safe for a terminal, a log or a message (\n and \t kept). */
export function safeText(text: unknown): string {
  const s = typeof text === 'string' ? text : String(text);
  return s.replace(UNSAFE, escapeChar);
}

/** Untrusted text that must stay on one line (a name, a label, a file path): \n, \r, \t escaped too. */
export function safeLine(text: unknown): string {
  const s = typeof text === 'string' ? text : String(text);
  return s.replace(UNSAFE_IN_LINE, escapeChar);
}

/** JSON.stringify, with the characters it leaves raw written as \u escapes (the same JSON value). */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Whether text holds anything safeText would escape (for checks and tests). */
export function hasUnsafeControl(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/** At most `max` characters, with how many were cut said at the end (for long untrusted text). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/**
 * A URL (or any text holding URLs) as it may be shown: `scheme://user:password@` becomes
 * `scheme://***@`. The user part runs to the authority's last `@` (WHATWG URL reads it so), and
 * the pattern is bounded (at most 1,024 characters per start), so it stays linear.
 */
export function redactUrl(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)[^\s/?#]{0,1024}@/g, '$1***@');
}

/** The same as redactUrl, for messages that may quote a URL. */
export const redactCredentials = redactUrl;

/** Text with every occurrence of each secret (a token, a password) replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('***');
    // A token with a line break or spaces may be echoed in pieces (a header error quotes one line).
    for (const piece of secret.split(/[\s]+/)) if (piece.length >= 8) out = out.split(piece).join('***');
  }
  return out;
}
