// `deckhand ops inspect [target]`.
import { Command as Cmd } from 'commander';
import { DeckhandError } from '../../index.js';
import type { Run } from './types.js';

export function opsInspectCommand(run: Run): Cmd {
  return new Cmd('inspect')
    .description('not available yet')
    .argument('[target]', 'local, user@host, user@host:port, ssh://user@host:port, or an ~/.ssh/config alias', 'local')
    .action(async () => {
      await run(async () => { throw new DeckhandError('usage', 'deckhand ops inspect is not available in this version'); }, {});
    });
}
