// Production instructions in deploy prose (DEPLOY.md, a README's deploy section): start commands, ports, env names.
import { cite } from '../../evidence.js';
import type { Signal } from '../../types.js';

// Horizontal space only around the command: \s would run across lines and cite the blank line before it.
const START_CMD = /^[ \t]*(?:\$[ \t]*)?((?:npm (?:run )?start|yarn start|pnpm start|node [\w./-]+\.m?js|bun run start|gunicorn [^\n`]+|uvicorn [^\n`]+|java -jar [^\n`]+|docker compose up[^\n`]*|docker-compose up[^\n`]*|\.\/[\w.-]+ (?:serve|server|start)[^\n`]*))[ \t]*$/gm;
const PORT_RE = /\b(?:port|PORT)\s*(?:=|:|is|on)?\s*(\d{2,5})\b/g;
const ENV_RE = /`([A-Z][A-Z0-9_]{2,})`/g;

/** Signals from `text`, a part of `whole` (the file) starting at `offset`; source docs, medium confidence. */
export function deployInstructions(file: string, whole: string, text: string, offset: number, detector: string): Signal[] {
  const out: Signal[] = [];
  const base = (i: number) => ({ source: 'docs' as const, confidence: 'medium' as const, detector, evidence: [cite(file, whole, offset + i)] });
  for (const m of text.matchAll(START_CMD)) out.push({ kind: 'command', role: 'start', command: (m[1] ?? '').trim(), production: true, ...base(m.index ?? 0) });
  for (const m of text.matchAll(PORT_RE)) {
    const port = Number(m[1]);
    if (port >= 1 && port <= 65535) out.push({ kind: 'port', port, ...base(m.index ?? 0) });
  }
  for (const m of text.matchAll(ENV_RE)) out.push({ kind: 'env', name: m[1] ?? '', required: null, ...base(m.index ?? 0) });
  return out;
}
