// Reads `nginx -T` output into the TLS server blocks it defines: listeners, server names, certificate files, with file and line.

export interface NginxListen { host: string; port: number; ssl: boolean; raw: string }

export interface NginxServer {
  /** The file and line of `server {` in the dump: evidence for every fact below. */
  file: string;
  line: number;
  listens: NginxListen[];
  serverNames: string[];
  /** `ssl_certificate` files in force (the server's own, else the http block's). */
  certificates: string[];
  /** `ssl on;` (the old way of turning TLS on for every listener). */
  sslOn: boolean;
}

interface Token { text: string; line: number; quoted: boolean }

/** Splits one file's text into words and the punctuation `;`, `{`, `}`; comments dropped, quotes removed. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === ';' || c === '{' || c === '}') { out.push({ text: c, line, quoted: false }); i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let word = '';
      const start = line;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) { word += text[j + 1]; j += 2; continue; }
        if (text[j] === '\n') line++;
        word += text[j];
        j++;
      }
      out.push({ text: word, line: start, quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s;{}]/.test(text[j] ?? '')) j++;
    out.push({ text: text.slice(i, j), line, quoted: false });
    i = j;
  }
  return out;
}

/** The files of a dump: `# configuration file PATH:` starts each one. Text before the first header is nginx -t's verdict. */
export function splitDump(dump: string): { file: string; text: string }[] {
  const files: { file: string; lines: string[] }[] = [];
  for (const l of dump.split('\n')) {
    const m = /^# configuration file (.+):$/.exec(l);
    if (m?.[1]) files.push({ file: m[1], lines: [] });
    else files[files.length - 1]?.lines.push(l);
  }
  return files.map((f) => ({ file: f.file, text: f.lines.join('\n') }));
}

/** `listen` arguments → address and port; unix sockets and unparsable values give null. */
export function parseListen(args: readonly string[]): NginxListen | null {
  const addr = args[0];
  if (!addr || addr.startsWith('unix:')) return null;
  const ssl = args.slice(1).includes('ssl');
  const raw = args.join(' ');
  let m = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(addr);
  if (m) return { host: `[${m[1]}]`, port: Number(m[2] ?? 80), ssl, raw };
  m = /^(\d+)$/.exec(addr);
  if (m) return { host: '*', port: Number(m[1]), ssl, raw };
  m = /^([^:]+)(?::(\d+))?$/.exec(addr);
  if (m?.[1]) return { host: m[1], port: Number(m[2] ?? 80), ssl, raw };
  return null;
}

interface Directive { name: string; args: string[]; line: number }

/** The server blocks of one file, plus the http-level ssl_certificate lines (inherited by servers without their own). */
function serversOf(file: string, tokens: readonly Token[]): { servers: NginxServer[]; httpCerts: string[] } {
  const servers: NginxServer[] = [];
  const httpCerts: string[] = [];
  const stack: { name: string; server: NginxServer | null }[] = [];
  let words: Token[] = [];
  const inside = (name: string): boolean => stack.some((b) => b.name === name);
  for (const t of tokens) {
    if (!t.quoted && t.text === '{') {
      const name = words[0]?.text ?? '';
      // stream and mail servers are not HTTPS sites.
      const server = name === 'server' && !inside('stream') && !inside('mail') && !inside('server')
        ? { file, line: words[0]?.line ?? t.line, listens: [], serverNames: [], certificates: [], sslOn: false } : null;
      if (server) servers.push(server);
      stack.push({ name, server });
      words = [];
      continue;
    }
    if (!t.quoted && t.text === '}') { stack.pop(); words = []; continue; }
    if (!t.quoted && t.text === ';') {
      const d: Directive = { name: words[0]?.text ?? '', args: words.slice(1).map((w) => w.text), line: words[0]?.line ?? t.line };
      words = [];
      const block = stack[stack.length - 1];
      const server = block?.server ?? null;
      if (server) {
        if (d.name === 'listen') { const l = parseListen(d.args); if (l) server.listens.push(l); }
        else if (d.name === 'server_name') server.serverNames.push(...d.args);
        else if (d.name === 'ssl_certificate' && d.args[0]) server.certificates.push(d.args[0]);
        else if (d.name === 'ssl' && d.args[0] === 'on') server.sslOn = true;
      } else if (block?.name === 'http' && d.name === 'ssl_certificate' && d.args[0]) {
        httpCerts.push(d.args[0]);
      }
      continue;
    }
    words.push(t);
  }
  return { servers, httpCerts };
}

/** Every HTTPS server block in an `nginx -T` dump (at least one TLS listener, or `ssl on`). */
export function parseNginxDump(dump: string): NginxServer[] {
  const all: NginxServer[] = [];
  const httpCerts: string[] = [];
  for (const f of splitDump(dump)) {
    const r = serversOf(f.file, tokenize(f.text));
    all.push(...r.servers);
    httpCerts.push(...r.httpCerts);
  }
  for (const s of all) {
    if (s.certificates.length === 0) s.certificates.push(...httpCerts);
    if (s.sslOn) for (const l of s.listens) l.ssl = true;
  }
  return all.filter((s) => s.listens.some((l) => l.ssl));
}

/** Names a handshake can ask for: exact names only (no wildcard, regex, catch-all "_" or empty name). */
export function exactNames(s: NginxServer): string[] {
  return [...new Set(s.serverNames.filter((n) => n !== '' && n !== '_' && !n.startsWith('~') && !n.includes('*') && !n.startsWith('.')))];
}

/** The address to shake hands with for a listener: the target's loopback for a wildcard, else the listener's own address. */
export function connectHost(l: NginxListen): string {
  if (l.host === '*' || l.host === '0.0.0.0') return '127.0.0.1';
  if (l.host === '[::]') return '[::1]';
  return l.host;
}

/** The TLS listener to try for a server: IPv4 (or wildcard) first, since most hosts answer there. */
export function tlsListen(s: NginxServer): NginxListen | null {
  const tls = s.listens.filter((l) => l.ssl);
  return tls.find((l) => !l.host.startsWith('[')) ?? tls[0] ?? null;
}
