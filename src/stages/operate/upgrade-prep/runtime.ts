// Runtime names and versions as the runtimes print them (`node --version`, `python3 --version`, `java -version`, `go version`).

/** The runtime an ecosystem runs on, in the Deployment Brief's names. */
export function runtimeOf(ecosystem: string | null): string | null {
  switch (ecosystem) {
    case 'node': return 'node';
    case 'python': return 'python';
    case 'go': return 'go';
    case 'jvm': return 'java';
    case 'ruby': return 'ruby';
    default: return null;
  }
}

/** The version in a runtime's own answer, or null when it printed none. */
export function parseRuntimeVersion(runtime: string | null, text: string): string | null {
  const t = text.trim();
  const first = (re: RegExp): string | null => re.exec(t)?.[1] ?? null;
  switch (runtime) {
    case 'node': return first(/^v?(\d+\.\d+\.\d+\S*)/m);
    case 'python': return first(/^Python (\d+\.\d+(?:\.\d+)?\S*)/m);
    case 'go': return first(/\bgo(\d+\.\d+(?:\.\d+)?(?:rc\d+|beta\d+)?)\b/);
    case 'java': return first(/version "([^"]+)"/);
    case 'ruby': return first(/^ruby (\d+\.\d+\.\d+\S*)/m);
    default: return null;
  }
}
