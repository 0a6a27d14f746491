// Runs detectors side by side on one app; a detector that throws becomes a `problem` signal, never a failed discovery.
import type { Detector, RepoIndex, Signal } from './types.js';

export async function runDetectors(repo: RepoIndex, appDir: string, detectors: readonly Detector[]): Promise<Signal[]> {
  const results = await Promise.all(detectors.map(async (d): Promise<Signal[]> => {
    try {
      return await d.detect({ repo, appDir });
    } catch (e) {
      // First line only: parser messages can quote the file they failed on.
      const message = `${d.name} failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`;
      return [{ kind: 'problem', message, evidence: [{ file: appDir || '.', line: null }], source: 'fallback', confidence: 'low', detector: d.name }];
    }
  }));
  return results.flat();
}
