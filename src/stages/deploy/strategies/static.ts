// static strategy: the build output served by nginx from <base>/current/<dir>; a checked server block, then a graceful reload.
import { installSiteCommand, reloadNginxCommand, removeSiteCommand, renderSite, siteAvailablePath } from '../../../commands/nginx.js';
import type { PlanContext, StrategyPlanner } from './types.js';

function outDir(ctx: PlanContext): string {
  return ctx.spec.staticSite?.dir ?? 'dist';
}

function staged(ctx: PlanContext): string {
  return `${ctx.layout.record(ctx.releaseId)}/nginx-site.conf`;
}

export const staticStrategy: StrategyPlanner = {
  name: 'static',
  unsupported(ctx) {
    if (!ctx.state.systemd) return 'systemd is not running on the target (nginx is reloaded with systemctl)';
    if (ctx.state.uid !== 0 && !ctx.state.sudo) return `${ctx.state.user} is not root and has no passwordless sudo (needed to install an nginx site)`;
    // A non-root user's PATH often lacks /usr/sbin, so only root's view of nginx is conclusive; the install step checks again.
    if (ctx.state.uid === 0 && !ctx.state.tools.nginx) return 'nginx is not installed on the target (apt-get install nginx)';
    return null;
  },
  managedFiles(ctx) {
    return [{ path: siteAvailablePath(ctx.spec.app), name: 'nginx-site.conf', mode: '0644', root: true }];
  },
  prepare(ctx) {
    const { spec, layout } = ctx;
    const dir = outDir(ctx);
    const content = renderSite({ app: spec.app, root: dir ? `${layout.current}/${dir}` : layout.current, port: spec.port ?? 80, serverName: spec.staticSite?.serverName ?? null });
    return [{
      id: 'nginx.render', title: `Generate the nginx server block for ${spec.app}: port ${spec.port ?? 80}, root ${layout.current}/${dir}`, phase: 'prepare', destructive: false,
      actions: [
        { type: 'write', path: staged(ctx), mode: '0644', content, sudo: false },
        // The build output must exist in the release: an empty site would pass every nginx check and serve 404s.
        { type: 'run', command: { argv: ['test', '-d', `${layout.release(ctx.releaseId)}/${dir}`], mutates: false, timeoutMs: 15_000, description: `the release has ${dir}/` } },
      ],
    }];
  },
  activate(ctx) {
    const { spec } = ctx;
    return [{
      id: 'nginx.install', title: `Install ${siteAvailablePath(spec.app)} (linked in sites-enabled) and check it with nginx -t`, phase: 'switch', destructive: true,
      impact: `replaces the nginx site of ${spec.app}; nginx keeps serving the old config until the reload`,
      undo: `a failing nginx -t puts the previous site file back at once; the site in force before is kept in the previous release's record and restored by rollback`,
      verify: 'nginx -t passes with the new site file',
      actions: [{ type: 'run', command: ctx.root(installSiteCommand(staged(ctx), spec.app)) }],
    }];
  },
  startCommands(ctx) {
    // Acts on the site file in place, whatever release `current` points at (also used by revert and rollback).
    return [ctx.root(reloadNginxCommand(ctx.spec.app))];
  },
  stopCommands(ctx) {
    return [ctx.root(removeSiteCommand(ctx.spec.app))];
  },
  aliveCheck() {
    return 'systemctl is-active --quiet nginx.service';
  },
  logsCommand(ctx) {
    return `tail -F /var/log/nginx/${ctx.spec.app}.access.log /var/log/nginx/${ctx.spec.app}.error.log`;
  },
};
