// Writes a report as <stage>-<target>-<time>.json and .md into an output directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeReportFiles(dir: string, stage: string, target: string, startedAt: string, json: string, markdown: string): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const safeTarget = target.replace(/[^A-Za-z0-9._-]+/g, '_');
  const stamp = startedAt.replace(/[:.]/g, '-');
  const base = join(dir, `${stage}-${safeTarget}-${stamp}`);
  await writeFile(`${base}.json`, json, { mode: 0o644 });
  await writeFile(`${base}.md`, markdown, { mode: 0o644 });
  return { json: `${base}.json`, markdown: `${base}.md` };
}
