// Which deployed app a verify or rollback call means: `app`, else deckhand.yml's, else the name discovery gives `repo`.
import { appName, discover, LocalExecutor, loadConfig, usageError, type Redactor } from '../index.js';

export async function resolveApp(i: { app?: string | undefined; repo?: string | undefined }, redactor: Redactor): Promise<string> {
  if (i.app) return appName(i.app);
  if (!i.repo) throw usageError('name the app: pass `app` (as deployed), or `repo` (the repository it was deployed from)');
  const { config } = await loadConfig(i.repo);
  if (config.app) return config.app;
  const brief = await discover({ executor: new LocalExecutor(redactor), redactor }, i.repo);
  return appName(brief.data.app);
}
