// Which app a rollback/releases/lock command means: --name, else deckhand.yml, else the name discovery gives the repo.
import { appName, discover, LocalExecutor, loadConfig, type Redactor } from '../index.js';

export interface AppFlags { name?: string; repo?: string; baseDir?: string }

export async function resolveAppName(o: AppFlags, redactor: Redactor): Promise<string> {
  if (o.name) return appName(o.name);
  const dir = o.repo ?? '.';
  const { config } = await loadConfig(dir);
  if (config.app) return config.app;
  const brief = await discover({ executor: new LocalExecutor(redactor), redactor }, dir);
  return appName(brief.data.app);
}
