import type { Topics } from '@giotto/protocol';
import { outboxMessages } from './outbox-messages.js';
import type { Bus, Logger, Outbox, OutboundMessage, OutboxEntry } from './ports.js';

export interface OutboxRelayDeps {
  outbox: Outbox;
  bus: Bus;
  topics: Topics;
  logger: Logger;
  /** How long XREAD waits for new entries; also how soon a stop is noticed. */
  blockMs?: number;
  /** How often a non-holder asks for the lease again. */
  retryMs?: number;
}

/**
 * Publishes the outbox stream in order [REG-3.1]: events and retained records leave Redis only
 * through here, and the published mark moves only after the broker acknowledged them, so a crash
 * at any point loses nothing (consumers may see an entry twice). One instance holds the lease.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: OutboxRelayDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publishes what is pending, gives the lease up and stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { outbox, logger } = this.deps;
    const blockMs = this.deps.blockMs ?? 500;
    let holding = false;
    let lastId = '0-0';
    while (this.running) {
      try {
        if (!(await outbox.holdLease())) {
          if (holding) logger.info('outbox lease taken by another instance');
          holding = false;
          await this.pause(this.deps.retryMs ?? 2000);
          continue;
        }
        if (!holding) {
          holding = true;
          lastId = await outbox.lastPublishedId();
          logger.debug({ lastId }, 'outbox lease held; publishing from the last mark');
        }
        lastId = await this.publishBatch(lastId, blockMs);
      } catch (err) {
        holding = false;
        logger.warn({ err: (err as Error).message }, 'outbox relay failed; retrying');
        await this.pause(1000);
      }
    }
    if (holding) {
      try {
        // Flush what is pending (bounded: a long backlog is left to the next holder).
        for (let batch = 0; batch < 50; batch++) {
          const next = await this.publishBatch(lastId, 0);
          if (next === lastId) break;
          lastId = next;
        }
        await outbox.releaseLease();
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'outbox relay could not finish at stop; the next holder will');
      }
    }
  }

  private async publishBatch(afterId: string, blockMs: number): Promise<string> {
    // BLOCK 0 would wait forever in Redis; a final flush reads without blocking instead.
    const entries = await this.deps.outbox.readAfter(afterId, 200, blockMs === 0 ? 1 : blockMs);
    if (entries.length === 0) return afterId;
    // MQTT keeps the order of one client's QoS 1 messages, so the batch need not wait message by message.
    await Promise.all(entries.flatMap((entry) => this.messagesOf(entry).map((m) => this.deps.bus.publish(m))));
    const last = entries[entries.length - 1]!.id;
    await this.deps.outbox.markPublished(last);
    return last;
  }

  /** An entry that cannot be turned into messages is logged and skipped: it must not stall the outbox. */
  private messagesOf(entry: OutboxEntry): OutboundMessage[] {
    try {
      return outboxMessages(entry, this.deps.topics);
    } catch (err) {
      this.deps.logger.error({ id: entry.id, err: (err as Error).message }, 'outbox entry skipped: it cannot be published');
      return [];
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
