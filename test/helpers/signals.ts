// Shared helpers for detector tests: run a detector list through the real runner, and pick signals by kind.
import { fileURLToPath } from 'node:url';
import { buildRepoIndex } from '../../src/stages/discover/repo.js';
import { runDetectors } from '../../src/stages/discover/run-detectors.js';
import type { Detector, RepoIndex, Signal } from '../../src/stages/discover/types.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/discover/', import.meta.url));

export type Of<K extends Signal['kind']> = Extract<Signal, { kind: K }>;

export function of<K extends Signal['kind']>(s: readonly Signal[], kind: K): Of<K>[] {
  return s.filter((x): x is Of<K> => x.kind === kind);
}

/** env name → required, from the env signals. */
export const envMap = (s: readonly Signal[]): Record<string, boolean | null> => Object.fromEntries(of(s, 'env').map((e) => [e.name, e.required]));

export const cmds = (s: readonly Signal[], role: string): Of<'command'>[] => of(s, 'command').filter((c) => c.role === role);

/** A runner for one detector group, on an index or on a fixture directory under test/fixtures/discover. */
export function detectorRunner(detectors: readonly Detector[]): {
  run: (repo: RepoIndex, appDir?: string) => Promise<Signal[]>;
  fixture: (name: string) => Promise<Signal[]>;
} {
  const run = (repo: RepoIndex, appDir = ''): Promise<Signal[]> => runDetectors(repo, appDir, detectors);
  return { run, fixture: async (name) => run(await buildRepoIndex(`${FIXTURES}${name}`)) };
}
