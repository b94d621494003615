#!/usr/bin/env node
import { startApp } from './app.js';
import { startBanner } from './banner.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

/** The composition root's shell: config, logger, start, banner, and a clean stop on a signal. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`giotto-registry: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // Signals are handled from the first moment: one that comes while starting stops the app as
  // soon as it is up, cleanly.
  let stopping = false;
  const starting = startApp(config, logger);
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    starting.then((app) => app.stop()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const app = await starting;
  if (!stopping) {
    process.stderr.write(
      (await startBanner({ mqttUrl: app.mqttUrl, embedded: app.embeddedBroker !== undefined, redisUrl: config.redis.url!, topics: app.topics })) + '\n',
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`giotto-registry: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
