import type { Reply } from '@giotto/protocol';

/** Requests waiting for their reply, matched by requestId (MQTT 3.1.1) or correlation data (MQTT 5). */
export class PendingRequests {
  private readonly waiting = new Map<string, { resolve: (reply: Reply) => void; timer: NodeJS.Timeout }>();

  /** Resolves with the reply to `requestId`, or undefined after `timeoutMs`. */
  wait(requestId: string, timeoutMs: number): Promise<Reply | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(requestId, { resolve, timer });
    });
  }

  /** Hands a reply to whoever waits for its id; false when nobody does (a repeat, or someone else's). */
  settle(requestId: string | undefined, reply: Reply): boolean {
    const entry = requestId === undefined ? undefined : this.waiting.get(requestId);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.waiting.delete(requestId!);
    entry.resolve(reply);
    return true;
  }

  cancelAll(): void {
    for (const { timer, resolve } of this.waiting.values()) {
      clearTimeout(timer);
      resolve(undefined as unknown as Reply);
    }
    this.waiting.clear();
  }
}
