// Helm chart detector: summarises a chart from Chart.yaml and values.yaml (templates hold `{{ }}` and are never parsed as YAML).
import type { DetectContext, Detector, Signal } from '../../types.js';
import { cite } from '../../evidence.js';
import { isRecord, maker, num, parseYaml, str, toJS, validPort, yamlCite } from './shared.js';
import { chartDirs } from './kubernetes.js';
import { datastoreOfImage } from './compose.js';

const NAME = 'artifacts-helm';
const make = maker(NAME, 'deploy-material');

export async function analyzeChart(ctx: DetectContext, dir: string): Promise<Signal[]> {
  const join = (f: string): string => (dir === '' ? f : `${dir}/${f}`);
  const chartPath = ctx.repo.has(join('Chart.yaml')) ? join('Chart.yaml') : join('Chart.yml');
  const chartText = await ctx.repo.read(chartPath);
  if (chartText === null) return [];
  const out: Signal[] = [];
  const chart = parseYaml(chartPath, chartText, NAME);
  if (!chart.ok) return [chart.problem];
  const c = toJS(chart.doc);
  const chartObj = isRecord(c) ? c : {};
  const summary: Record<string, unknown> = {
    chart: str(chartObj.name) ?? null,
    version: str(chartObj.version) ?? null,
    appVersion: str(chartObj.appVersion) ?? null,
    dependencies: Array.isArray(chartObj.dependencies) ? chartObj.dependencies.flatMap((d) => (isRecord(d) && str(d.name) ? [str(d.name) as string] : [])) : [],
  };
  (Array.isArray(chartObj.dependencies) ? chartObj.dependencies : []).forEach((d, i) => {
    const ds = isRecord(d) && str(d.name) ? datastoreOfImage(str(d.name) as string) : null;
    if (ds) out.push(make({ kind: 'datastore', value: ds, required: true }, [yamlCite(chartPath, chart.doc, chartText, ['dependencies', i, 'name'])], 'medium'));
  });
  const valuesPath = [join('values.yaml'), join('values.yml')].find((p) => ctx.repo.has(p));
  if (valuesPath) {
    const vt = await ctx.repo.read(valuesPath);
    const vp = vt === null ? null : parseYaml(valuesPath, vt, NAME);
    if (vp && !vp.ok) out.push(vp.problem);
    else if (vp && vp.ok && vt !== null) {
      const v = toJS(vp.doc);
      const values = isRecord(v) ? v : {};
      const image = isRecord(values.image) ? values.image : {};
      const service = isRecord(values.service) ? values.service : {};
      const ingress = isRecord(values.ingress) ? values.ingress : {};
      const hosts = Array.isArray(ingress.hosts) ? ingress.hosts.flatMap((h) => (isRecord(h) && str(h.host) ? [str(h.host) as string] : str(h) ? [str(h) as string] : [])) : [];
      summary.values = {
        image: str(image.repository) ? `${str(image.repository)}${str(image.tag) ? `:${str(image.tag)}` : ''}` : str(values.image) ?? null,
        replicaCount: num(values.replicaCount) ?? null,
        service: { type: str(service.type) ?? null, port: num(service.port) ?? null, targetPort: num(service.targetPort) ?? null },
        ingress: { enabled: ingress.enabled === true, hosts },
        keys: Object.keys(values),
      };
      const containerPort = num(values.containerPort) ?? num(service.targetPort);
      const portKey = num(values.containerPort) !== undefined ? ['containerPort'] : ['service', 'targetPort'];
      if (validPort(containerPort)) out.push(make({ kind: 'port', port: containerPort }, [yamlCite(valuesPath, vp.doc, vt, portKey)], 'medium'));
    }
  }
  const templates = ctx.repo.under(join('templates')).map((f) => f.path);
  summary.templates = templates.map((p) => p.slice(join('templates').length + 1));
  // Probe paths written literally in templates (read as text, not YAML).
  for (const t of templates) {
    const text = await ctx.repo.read(t);
    if (text === null) continue;
    const re = /httpGet:\s*\n\s*path:\s*["']?(\/[^\s"'{}]*)["']?\s*$/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const p = m[1];
      if (p) out.push(make({ kind: 'health', path: p }, [cite(t, text, m.index + m[0].indexOf('path:'))], 'medium'));
    }
  }
  out.unshift(make({ kind: 'artifact', type: 'helm', path: chartPath, summary }, [yamlCite(chartPath, chart.doc, chartText, ['name'])]));
  return out;
}

export const helmDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const dir of chartDirs(ctx)) out.push(...(await analyzeChart(ctx, dir)));
    return out;
  },
};
