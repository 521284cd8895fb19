import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactLocation } from 'sarif';

/** The base id that code scanning resolves a relative artifact URI against: the repository's root. */
export const SRCROOT = '%SRCROOT%';

/**
 * The root that SARIF URIs are relative to: GitHub resolves
 * artifactLocation.uri against the repository's root, so a path as given
 * with --dir (absolute, or `../x`) would name no file of the repository.
 * GITHUB_WORKSPACE when it is set (a GitHub Actions job), else the nearest
 * folder from `dir` up that holds `.git` (a folder, or a file in a worktree),
 * else the working directory.
 */
export function repositoryRoot(dir: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.GITHUB_WORKSPACE) return resolve(cwd, env.GITHUB_WORKSPACE);
  for (let folder = resolve(cwd, dir); ; folder = dirname(folder)) {
    if (existsSync(resolve(folder, '.git'))) return folder;
    if (dirname(folder) === folder) return resolve(cwd);
  }
}

/**
 * Where `file` (a path from the working directory) is, for SARIF: relative
 * to `root` with `uriBaseId` %SRCROOT% when it is inside it; an absolute
 * file:// URI when it is not, which names the file though code scanning
 * cannot show it in the repository.
 */
export function artifactLocation(file: string, root: string, cwd: string = process.cwd()): ArtifactLocation {
  const absolute = resolve(cwd, file);
  const path = relative(root, absolute);
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return { uri: pathToFileURL(absolute).href };
  return { uri: path.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** run.originalUriBaseIds: what %SRCROOT% stood for in this run, as a file:// URI ending in a slash, as SARIF requires of a base. */
export const originalUriBaseIds = (root: string): Record<string, ArtifactLocation> => ({ [SRCROOT]: { uri: pathToFileURL(root.endsWith(sep) ? root : `${root}${sep}`).href } });
