// The Python web app the Docker-host tests and the zero-downtime bench build (test/fixtures/container-app/app.py), its Dockerfile and a compose file around it.
import { readFileSync } from 'node:fs';

/** /health (503 while APP_BROKEN=1), /version (APP_VERSION from the env file); HTTP/1.1 keep-alive, a thread per connection, a deep accept backlog, graceful SIGTERM. */
export const APP_PY = readFileSync(new URL('../fixtures/container-app/app.py', import.meta.url), 'utf8');

/**
 * FROM the lab's local base image (python3 and curl are in it), so a build needs no registry. `healthcheck`: a Docker
 * HEALTHCHECK on /health every 2s. Without it the container reads only when it is sent a request, which a test counting
 * each container's accepted connections needs.
 */
export function appDockerfile(o: { healthcheck: boolean }): string {
  return [
    'FROM deckhand-lab/base:latest',
    'ENV PORT=8080 PYTHONUNBUFFERED=1',
    ...(o.healthcheck ? ['HEALTHCHECK --interval=2s --timeout=2s --retries=2 CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health || exit 1'] : []),
    'CMD ["python3", "/srv/app.py"]',
    'COPY app.py /srv/app.py',
    '',
  ].join('\n');
}

/** The app as the compose service `web`, published on loopback (a plain deploy's port; with zero downtime nginx takes the clients on proxy_port); `more`: further services, as YAML under `services:`. */
export function appComposeFile(publishedPort: number, more = ''): string {
  return `services:
  web:
    build: .
    env_file: .env
    ports:
      - "127.0.0.1:${publishedPort}:8080"
    stop_grace_period: 5s
${more}`;
}
