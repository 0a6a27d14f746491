// Whether pm2 should wait for the app's readiness message: deckhand.yml pm2.wait_ready, else a scan of the start file for process.send('ready').
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pm2Script } from '../../commands/pm2.js';

/** `process.send('ready')`, `process.send?.('ready')`, with any quote style. */
const READY_RE = /process\.send\s*(?:\?\.\s*)?\(\s*(['"`])ready\1\s*\)/;

/**
 * With wait_ready, pm2 counts a new instance as up (and, in a reload, stops the old one) only once the app sent
 * 'ready' — after its server listens and whatever it needs at start is ready. An app that never sends it would
 * wait listen_timeout on every start, so it is turned on only when the app is seen to send it.
 */
export function pm2Readiness(sourceDir: string, start: string | null, configured: boolean | undefined): { waitReady: boolean; evidence: string } {
  if (configured !== undefined) return { waitReady: configured, evidence: `deckhand.yml pm2.wait_ready: ${String(configured)}` };
  const s = start ? pm2Script(start) : null;
  if (!s?.cluster) return { waitReady: false, evidence: 'the start command is not `node <file>`: no start file to read' };
  let text: string;
  try { text = readFileSync(join(sourceDir, s.script), 'utf8'); } catch {
    return { waitReady: false, evidence: `${s.script} is not in the app directory here (built on the target?); set pm2.wait_ready in deckhand.yml` };
  }
  const lines = text.split('\n');
  const i = lines.findIndex((l) => READY_RE.test(l));
  if (i < 0) return { waitReady: false, evidence: `${s.script} never calls process.send('ready')` };
  return { waitReady: true, evidence: `${s.script}:${i + 1}: ${(lines[i] ?? '').trim().slice(0, 120)}` };
}
