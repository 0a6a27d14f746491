// The command-body runner every `deckhand ops` subcommand receives from the CLI entry.
import type { GlobalOpts } from '../shared.js';

export type Run = (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>;
