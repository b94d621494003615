import { Redis } from 'ioredis';

export interface LiveThing {
  thingId: number;
  uuid: string;
  thumbprint: string;
}

/**
 * Reads every Thing straight from Redis and checks the two indexes agree: every UUID maps to one
 * thingId and that Thing maps back to the UUID, and no thingId has two UUIDs. Returns the live set.
 */
export async function readConsistentThings(url: string, prefix = 'giotto:{registry}:'): Promise<Map<number, LiveThing>> {
  const redis = new Redis(url);
  try {
    const uuidKeys = await redis.keys(`${prefix}thing:uuid:*`);
    const things = new Map<number, LiveThing>();
    for (const key of uuidKeys) {
      const uuid = key.slice(`${prefix}thing:uuid:`.length);
      const thingId = Number(await redis.get(key));
      const [storedUuid, thumbprint] = await redis.hmget(`${prefix}thing:${thingId}`, 'uuid', 'thumbprint');
      if (storedUuid !== uuid) throw new Error(`uuid ${uuid} → thing ${thingId}, but that thing says uuid ${storedUuid}`);
      if (things.has(thingId)) throw new Error(`thing ${thingId} has two uuids: ${things.get(thingId)!.uuid} and ${uuid}`);
      things.set(thingId, { thingId, uuid, thumbprint: thumbprint! });
    }
    const thingKeys = (await redis.keys(`${prefix}thing:*`)).filter((k) => /thing:\d+$/.test(k));
    if (thingKeys.length !== things.size) throw new Error(`${thingKeys.length} thing records but ${things.size} uuids`);
    return things;
  } finally {
    redis.disconnect();
  }
}
