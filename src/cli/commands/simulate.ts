import type { Command } from '../commands.js';
import { parseFlags, integerFlag } from '../args.js';
import { ConfigError } from '../../config/ConfigError.js';
import { startSimulator } from '../../simulator/index.js';

export const simulateCommand: Command = {
  summary: 'serve a fake oneCORE shop: --port N --records N --seed N --refresh-token T',
  async run(argv) {
    const { values } = parseFlags('simulate', argv, {
      port: { type: 'string' },
      records: { type: 'string' },
      seed: { type: 'string' },
      'refresh-token': { type: 'string' },
      'page-size': { type: 'string' },
    });
    const token = values['refresh-token'];
    if (token !== undefined && (token.trim() === '' || /\s/.test(token))) throw new ConfigError('simulate: --refresh-token must be a non-empty string without spaces');
    const sim = await startSimulator({
      port: integerFlag('simulate', 'port', values.port, 0, 65535) ?? 0,
      records: integerFlag('simulate', 'records', values.records, 0, 10_000_000) ?? 1000,
      seed: integerFlag('simulate', 'seed', values.seed, 0, 2 ** 31 - 1) ?? 1,
      pageSize: integerFlag('simulate', 'page-size', values['page-size'], 1, 1000),
      refreshToken: token,
    });
    // The refresh token is printed on purpose: it is the simulator's own, and the operator needs it.
    process.stdout.write(`simulator listening on ${sim.url}\nrefresh token: ${sim.refreshToken}\n`);
    process.stdout.write(`try: ONECORE_BASE_URL=${sim.url} ONECORE_REFRESH_TOKEN=${sim.refreshToken} DATABASE_URL=… npx onecore-sync sync --mode mirror\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await sim.close();
    return 0;
  },
};
