// The listen port a server command line states: `--bind host:PORT`, `-b :PORT`, `--port N`, `-p N`, with `${PORT:-N}` defaults.

/** The port and the token it came from (to cite its line), or null when the command names none or only `$PORT`. */
export function commandPort(command: string): { port: number; token: string } | null {
  // `${PORT:-8000}` / `${PORT-8000}` stand for their default; a bare `$PORT` names no number.
  const resolved = (raw: string): string => raw.replace(/\$\{[A-Za-z_]\w*:?-([^}]*)\}/g, '$1');
  const patterns = [
    /(?:^|\s)(?:--bind|-b)(?:=|\s+)(['"]?)((?:\[[^\]]*\]|[^\s:'"]*):(\S+?))\1(?=\s|$)/,
    /(?:^|\s)--port(?:=|\s+)(['"]?)((\S+?))\1(?=\s|$)/,
    /(?:^|\s)-p\s+(['"]?)((\S+?))\1(?=\s|$)/,
  ];
  for (const re of patterns) {
    const m = re.exec(command);
    const raw = m?.[3];
    if (!m || raw === undefined) continue;
    const v = resolved(raw);
    if (!/^\d{1,5}$/.test(v)) continue;
    const port = Number(v);
    if (port >= 1 && port <= 65535) return { port, token: m[2] ?? raw };
  }
  return null;
}
