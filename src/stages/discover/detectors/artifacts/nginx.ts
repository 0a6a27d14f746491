// nginx detector: listen ports, server names, proxy_pass upstreams and upstream servers of nginx configs.
import type { DetectContext, Detector, Signal } from '../../types.js';
import { filesDeep, maker } from './shared.js';

const NAME = 'artifacts-nginx';
const make = maker(NAME, 'deploy-material');

export function analyzeNginx(path: string, text: string): Signal[] {
  const clean = text.replace(/#.*$/gm, '');
  const all = (re: RegExp): string[] => [...clean.matchAll(re)].map((m) => (m[1] ?? '').trim()).filter(Boolean);
  const listen = [...new Set(all(/(?:^|[{;])\s*listen\s+([^;]+);/gm).map((l) => l.split(/\s+/)[0] ?? l))];
  const serverNames = [...new Set(all(/(?:^|[{;])\s*server_name\s+([^;]+);/gm).flatMap((s) => s.split(/\s+/)))];
  const proxyPass = [...new Set(all(/(?:^|[{;])\s*proxy_pass\s+([^;]+);/gm))];
  const upstreams = [...clean.matchAll(/upstream\s+([A-Za-z0-9_.-]+)\s*\{([^}]*)\}/g)].map((m) => ({
    name: m[1] ?? '', servers: [...(m[2] ?? '').matchAll(/^\s*server\s+([^\s;]+)/gm)].map((s) => s[1] ?? ''),
  }));
  const roots = [...new Set(all(/(?:^|[{;])\s*root\s+([^;]+);/gm))];
  const first = /^\s*(server|http|upstream|listen)\b/m.exec(text);
  const line = first ? text.slice(0, first.index).split('\n').length : null;
  return [make({ kind: 'artifact', type: 'nginx', path, summary: { listen, serverNames, proxyPass, upstreams, roots, tls: /\bssl_certificate\b/.test(clean) } }, [{ file: path, line }])];
}

export const nginxDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const files = filesDeep(ctx, (rel, base) => base === 'nginx.conf' || /\.conf(\.template)?$/.test(base) && /(^|\/)(nginx|conf\.d|sites-available|sites-enabled)\//.test(rel));
    const out: Signal[] = [];
    for (const f of files) {
      const text = await ctx.repo.read(f.path);
      if (text !== null && /\b(server|location|listen|proxy_pass|upstream)\b/.test(text)) out.push(...analyzeNginx(f.path, text));
    }
    return out;
  },
};
