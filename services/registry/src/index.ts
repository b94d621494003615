export { startApp, type RunningApp } from './app.js';
export { loadConfig, ConfigError, type Config } from './config.js';
export { createLogger } from './logger.js';
