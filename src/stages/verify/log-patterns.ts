// The catalogue of log patterns verify looks for after a deploy: what each means, and whether it fails the verification.

export interface LogPattern {
  id: string;
  title: string;
  re: RegExp;
  /** blocking: the app cannot work as deployed (fails verify); observe: worth a look (a warning). */
  level: 'blocking' | 'observe';
  hint: string;
}

/**
 * Blocking patterns are the ones that mean a crash or a configuration the app cannot run with. Connection
 * errors to dependencies are only observed: apps retry them, and the dependency layer checks the handshakes.
 */
export const LOG_PATTERNS: readonly LogPattern[] = [
  { id: 'uncaught-exception', title: 'Uncaught exception', level: 'blocking', re: /\buncaught ?exception\b|\bunhandled ?(promise ?)?rejection\b|UnhandledPromiseRejection/i, hint: 'an error escaped every handler: the process crashed or is about to' },
  { id: 'python-traceback', title: 'Python traceback', level: 'blocking', re: /Traceback \(most recent call last\)/, hint: 'an exception was raised and not handled; the lines after it name the error' },
  { id: 'panic', title: 'Panic', level: 'blocking', re: /\bpanic: |thread '[^']*' panicked at|\bfatal error: /, hint: 'a Go or Rust panic: the process stopped' },
  { id: 'java-exception', title: 'Java exception in a thread', level: 'blocking', re: /Exception in thread "[^"]*"|\bjava\.lang\.\w+Error\b/, hint: 'an uncaught exception ended a thread (often main)' },
  { id: 'fatal', title: 'FATAL log entry', level: 'blocking', re: /\bFATAL\b|\bPHP Fatal error\b|\bCRITICAL\b/, hint: 'the app logged a fatal condition' },
  { id: 'address-in-use', title: 'Address already in use', level: 'blocking', re: /\bEADDRINUSE\b|address already in use/i, hint: 'another process holds the port: see the port layer for which' },
  { id: 'module-not-found', title: 'Missing module', level: 'blocking', re: /Cannot find (module|package)\b|\bERR_MODULE_NOT_FOUND\b|\bModuleNotFoundError\b|\bImportError\b|\bLoadError\b|\bClassNotFoundException\b|error while loading shared libraries/, hint: 'a dependency is missing from the release: check install/build ran for this release' },
  { id: 'permission-denied', title: 'Permission denied', level: 'blocking', re: /\bEACCES\b|\bEPERM\b|permission denied/i, hint: 'the service user cannot read or write something it needs (files outside <base>/shared, a port below 1024)' },
  { id: 'out-of-memory', title: 'Out of memory', level: 'blocking', re: /out of memory|\bOOM\b|oom-kill|heap out of memory|\bOutOfMemoryError\b|Cannot allocate memory|\bENOMEM\b/i, hint: 'the process ran out of memory or was killed for it: raise the limit or find the leak' },
  { id: 'auth-failed', title: 'Authentication to a dependency failed', level: 'blocking', re: /password authentication failed|Access denied for user|\bWRONGPASS\b|\bNOAUTH\b|authentication failed/i, hint: 'a credential in the env file is wrong for its database or service' },
  { id: 'segfault', title: 'Segmentation fault', level: 'blocking', re: /segmentation fault|\bSIGSEGV\b|core dumped/i, hint: 'native code crashed: check native modules were built for this machine' },
  { id: 'start-limit', title: 'systemd gave up restarting', level: 'blocking', re: /Start request repeated too quickly|start-limit-hit/, hint: 'the service crashed too often and systemd stopped restarting it' },
  { id: 'missing-config', title: 'Missing configuration', level: 'blocking', re: /\b(environment variable|env var)\b.*\b(is )?(missing|not set|required|undefined)\b|\bKeyError: '[A-Z][A-Z0-9_]+'/i, hint: 'a required setting is absent from the env file' },
  { id: 'connection-refused', title: 'Connection refused', level: 'observe', re: /\bECONNREFUSED\b|connection refused/i, hint: 'a dependency did not accept the connection (not running, wrong host or port)' },
  { id: 'dns-failure', title: 'Host name not resolved', level: 'observe', re: /\bENOTFOUND\b|\bEAI_AGAIN\b|getaddrinfo|Name or service not known|Temporary failure in name resolution/i, hint: 'a dependency\'s host name does not resolve from the target' },
  { id: 'timeout', title: 'Timed out', level: 'observe', re: /\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|timed out/i, hint: 'a dependency or a request took too long' },
  { id: 'process-exited', title: 'Process exited', level: 'observe', re: /Main process exited, code=|Failed with result '|exited with code [1-9]/, hint: 'the process stopped at least once since the deploy (the process layer says whether it keeps doing so)' },
  { id: 'error', title: 'Error lines', level: 'observe', re: /\b(ERROR|Error:)/, hint: 'lines logged as errors; read them' },
];

export interface PatternHit {
  pattern: LogPattern;
  count: number;
  /** The first matching line as read (mask it before showing). */
  first: string;
  /** Its 1-based position among the lines read. */
  firstLine: number;
}

/**
 * Counts the lines matching each pattern. A line counts once per pattern; the generic `error` pattern only
 * counts lines no specific pattern matched, so one crash is not reported twice.
 */
export function scanLines(lines: readonly string[], patterns: readonly LogPattern[] = LOG_PATTERNS): PatternHit[] {
  const hits = new Map<string, PatternHit>();
  lines.forEach((line, i) => {
    let specific = false;
    for (const p of patterns) {
      if (p.id === 'error' && specific) continue;
      if (!p.re.test(line)) continue;
      if (p.id !== 'error') specific = true;
      const h = hits.get(p.id);
      if (h) h.count++;
      else hits.set(p.id, { pattern: p, count: 1, first: line, firstLine: i + 1 });
    }
  });
  return patterns.flatMap((p) => { const h = hits.get(p.id); return h ? [h] : []; });
}
