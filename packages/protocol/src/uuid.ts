import { validate } from 'uuid';

/** [REG-2.1] Any RFC 9562 UUID (including nil and max), in any letter case. */
export function isUuid(value: string): boolean {
  return validate(value);
}

/** UUIDs are compared case-insensitively and stored lower-case. */
export function normalizeUuid(value: string): string {
  return value.toLowerCase();
}
