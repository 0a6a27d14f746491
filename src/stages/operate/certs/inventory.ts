// Parses the certificate inventory (certInventoryCommand) and openssl's certificate lines into typed records.

export interface CertRead {
  subject: string | null;
  issuer: string | null;
  notBefore: string | null;
  notAfter: string | null;
  fingerprint: string | null;
  sans: string[];
  error: string | null;
}

export interface LineageRead { name: string; path: string; realPath: string | null; renewable: boolean; cert: CertRead }
export interface FileRead { path: string; realPath: string | null; variable: boolean; cert: CertRead | null }

export interface Inventory {
  priv: 'root' | 'sudo' | 'none' | null;
  /** The target's clock, epoch seconds. */
  now: number | null;
  tools: { openssl: boolean | null; certbot: boolean | null; nginx: boolean | null };
  /** `nginx -T`: its exit status and output, or null when nginx is not installed. */
  nginx: { exitCode: number | null; dump: string } | null;
  lineages: LineageRead[];
  files: FileRead[];
  /** The script reached its end. */
  complete: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** openssl's date ("Dec  6 16:47:52 2026 GMT") → ISO 8601, or null. */
export function opensslDate(text: string): string | null {
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s+GMT$/.exec(text.trim());
  if (!m) return null;
  const month = MONTHS.indexOf(m[1] ?? '');
  if (month < 0) return null;
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]))).toISOString();
}

/** Lines of `openssl x509 -noout -subject -issuer -startdate -enddate -fingerprint -sha256` (+ san= and rc= lines). */
export function parseCertLines(lines: readonly string[]): CertRead {
  const c: CertRead = { subject: null, issuer: null, notBefore: null, notAfter: null, fingerprint: null, sans: [], error: null };
  const other: string[] = [];
  let rc: string | null = null;
  for (const l of lines) {
    const eq = l.indexOf('=');
    const key = eq > 0 ? l.slice(0, eq) : '';
    const value = l.slice(eq + 1).trim();
    if (key === 'subject') c.subject = value;
    else if (key === 'issuer') c.issuer = value;
    else if (key === 'notBefore') c.notBefore = opensslDate(value);
    else if (key === 'notAfter') c.notAfter = opensslDate(value);
    else if (/^sha256 Fingerprint$/i.test(key)) c.fingerprint = value.toUpperCase();
    else if (key === 'san') c.sans.push(...value.split(',').map((s) => s.replace(/^DNS:/, '').replace(/^IPAddress:/, 'IP:')).filter(Boolean));
    else if (key === 'rc') rc = value;
    else if (l.trim() !== '') other.push(l.trim());
  }
  if (c.fingerprint === null) c.error = other.slice(0, 3).join(' ') || (rc && rc !== '0' ? `openssl exit ${rc}` : 'openssl printed no certificate');
  return c;
}

function kv(lines: readonly string[], key: string): string | null {
  const l = lines.find((x) => x.startsWith(`${key}=`));
  return l === undefined ? null : l.slice(key.length + 1);
}

function toolFlag(v: string | undefined): boolean | null {
  return v === '1' ? true : v === '0' ? false : null;
}

/** Parses the inventory's sections: header lines, @@nginx <rc>, @@lineage <name>, @@file <path>, @@end. */
export function parseInventory(text: string): Inventory {
  const header: string[] = [];
  const sections: { kind: string; arg: string; lines: string[] }[] = [];
  let complete = false;
  for (const line of text.split('\n')) {
    const m = /^@@(nginx|lineage|file|end)(?: (.*))?$/.exec(line);
    if (m?.[1]) {
      if (m[1] === 'end') { complete = true; sections.push({ kind: 'end', arg: '', lines: [] }); continue; }
      sections.push({ kind: m[1], arg: m[2] ?? '', lines: [] });
      continue;
    }
    const cur = sections[sections.length - 1];
    if (cur) cur.lines.push(line);
    else header.push(line);
  }
  const h = (k: string): string | undefined => kv(header, k) ?? undefined;
  const priv = h('priv');
  const now = Number(h('now'));
  const inv: Inventory = {
    priv: priv === 'root' || priv === 'sudo' || priv === 'none' ? priv : null,
    now: Number.isFinite(now) && now > 0 ? now : null,
    tools: { openssl: toolFlag(h('tool.openssl')), certbot: toolFlag(h('tool.certbot')), nginx: toolFlag(h('tool.nginx')) },
    nginx: null, lineages: [], files: [], complete,
  };
  for (const s of sections) {
    if (s.kind === 'nginx') {
      inv.nginx = { exitCode: /^\d+$/.test(s.arg) ? Number(s.arg) : null, dump: s.lines.join('\n').replace(/\n+$/, '') };
    } else if (s.kind === 'lineage') {
      const rest = s.lines.filter((l) => !/^(path|real|renewal)=/.test(l));
      inv.lineages.push({
        name: s.arg, path: kv(s.lines, 'path') ?? '', realPath: kv(s.lines, 'real') || null, renewable: kv(s.lines, 'renewal') === '1', cert: parseCertLines(rest),
      });
    } else if (s.kind === 'file') {
      const variable = kv(s.lines, 'variable') === '1';
      const rest = s.lines.filter((l) => !/^(real|variable)=/.test(l));
      inv.files.push({ path: s.arg, realPath: kv(s.lines, 'real') || null, variable, cert: variable ? null : parseCertLines(rest) });
    }
  }
  return inv;
}

export interface HandshakeRead {
  domain: string;
  host: string;
  port: number;
  attempts: number;
  fingerprint: string | null;
  notAfter: string | null;
  subject: string | null;
  issuer: string | null;
  error: string | null;
}

/** Parses handshakesCommand output: one @@served block per handshake. */
export function parseHandshakes(text: string): HandshakeRead[] {
  const out: HandshakeRead[] = [];
  let cur: { head: string[]; lines: string[] } | null = null;
  const flush = (): void => {
    if (!cur) return;
    const [domain = '', host = '', port = '0'] = cur.head;
    const c = parseCertLines(cur.lines.filter((l) => !l.startsWith('attempts=') && !l.startsWith('error=')));
    const errors = cur.lines.filter((l) => l.startsWith('error=')).map((l) => l.slice(6).trim());
    out.push({
      domain, host, port: Number(port), attempts: Number(kv(cur.lines, 'attempts') ?? '0'),
      fingerprint: c.fingerprint, notAfter: c.notAfter, subject: c.subject, issuer: c.issuer,
      error: c.fingerprint ? null : errors.join('; ') || 'no certificate was presented',
    });
  };
  for (const line of text.split('\n')) {
    const m = /^@@served (\S+) (\S+) (\d+)$/.exec(line);
    if (m) { flush(); cur = { head: [m[1] ?? '', m[2] ?? '', m[3] ?? ''], lines: [] }; continue; }
    if (line === '@@end') { flush(); cur = null; continue; }
    cur?.lines.push(line);
  }
  flush();
  return out;
}

export interface RenewRead { certbotExit: number | null; certbotOutput: string; realPath: string | null; after: CertRead | null }

/** Parses certbotRenewCommand output: certbot's own lines, @@certbot <rc>, @@after (the lineage's certificate now). */
export function parseRenew(text: string): RenewRead {
  const lines = text.split('\n');
  const rcAt = lines.findIndex((l) => /^@@certbot \d+$/.test(l));
  const afterAt = lines.indexOf('@@after');
  const endAt = lines.indexOf('@@end');
  const certbotOutput = (rcAt >= 0 ? lines.slice(0, rcAt) : lines).join('\n').trim();
  const certbotExit = rcAt >= 0 ? Number((lines[rcAt] ?? '').split(' ')[1]) : null;
  const afterLines = afterAt >= 0 ? lines.slice(afterAt + 1, endAt >= 0 ? endAt : undefined) : [];
  return {
    certbotExit, certbotOutput,
    realPath: kv(afterLines, 'real') || null,
    after: afterAt >= 0 ? parseCertLines(afterLines.filter((l) => !l.startsWith('real='))) : null,
  };
}
