import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs on stdout (pipe through pino-pretty to read them). Key material never
 * reaches a log: the redaction below is a backstop for fields that must not be logged at all.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    name: 'giotto-registry',
    redact: { paths: ['*.d', '*.p', '*.q', '*.dp', '*.dq', '*.qi', '*.privateKey', '*.password', 'password'], censor: '[redacted]' },
  });
}
