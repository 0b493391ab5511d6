import { readdirSync, statSync } from 'fs';
import { join } from 'path';

/** Every TypeScript source file below `dir` (declaration files left out), for tests that read the source. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      return sourceFiles(path);
    }
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}
