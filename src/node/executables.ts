import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Resolves an executable to an absolute path: the configured absolute path if given, otherwise the
 * first match on PATH among absolute PATH entries only, so that a relative entry such as "." can
 * never make a repository's own file run.
 */
export function resolveExecutable(
  name: string,
  configuredPath: string | undefined,
  pathEnv = process.env.PATH ?? '',
): string | undefined {
  if (configuredPath)
    return isAbsolute(configuredPath) && isExecutableFile(configuredPath) ? configuredPath : undefined;
  for (const dir of pathEnv.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
