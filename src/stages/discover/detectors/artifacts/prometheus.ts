// Prometheus detector: scrape jobs (job name, metrics path, targets) of prometheus.yml.
import type { DetectContext, Detector, Signal } from '../../types.js';
import { filesDeep, isRecord, maker, parseYaml, str, toJS, yamlCite } from './shared.js';

const NAME = 'artifacts-prometheus';
const make = maker(NAME, 'deploy-material');

export function analyzePrometheus(path: string, text: string): Signal[] {
  const p = parseYaml(path, text, NAME);
  if (!p.ok) return [p.problem];
  const v = toJS(p.doc);
  const jobs = isRecord(v) && Array.isArray(v.scrape_configs) ? v.scrape_configs : [];
  const scrape = jobs.filter(isRecord).map((j) => ({
    job: str(j.job_name) ?? null,
    metricsPath: str(j.metrics_path) ?? '/metrics',
    targets: (Array.isArray(j.static_configs) ? j.static_configs : []).flatMap((s) => (isRecord(s) && Array.isArray(s.targets) ? s.targets.map(String) : [])),
  }));
  return [make({ kind: 'artifact', type: 'prometheus', path, summary: { scrape } }, [yamlCite(path, p.doc, text, ['scrape_configs'])])];
}

export const prometheusDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesDeep(ctx, (_r, base) => /^prometheus\.ya?ml$/.test(base))) {
      const text = await ctx.repo.read(f.path);
      if (text !== null) out.push(...analyzePrometheus(f.path, text));
    }
    return out;
  },
};
